"""Two gunicorn workers on one SQLite file must not claim the same audit id (found by the benchmark)."""

import threading
import time

import pytest
from sqlalchemy import func, select

from caseflow import create_app
from caseflow.audit.chain import claim_next_link, verify_chain
from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import AuditEvent
from tests.conftest import USING_POSTGRES

pytestmark = pytest.mark.skipif(USING_POSTGRES, reason="PostgreSQL serialises chain writers with an advisory lock")


def test_a_second_writer_waits_for_the_first_and_chains_after_it(tmp_path):
    """A page that has only read so far claims its audit link under the write lock, so a second worker waits."""
    url = f"sqlite:///{tmp_path / 'chain.db'}"
    first_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    second_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with first_app.app_context():
        db.create_all()
    about_to_claim = threading.Event()
    outcome = {}

    def second_worker():
        with second_app.app_context():
            about_to_claim.set()
            try:
                event = record_event(None, "view", "case", 1, detail="second worker")
                db.session.commit()
                outcome["id"] = event.id
            except Exception as exc:  # noqa: BLE001 - the failure is what the test reports
                outcome["error"] = exc
                db.session.rollback()

    with first_app.app_context():
        db.session.execute(select(func.count(AuditEvent.id))).scalar_one()  # the page's own reads come first
        first = record_event(None, "view", "case", 1, detail="first worker")
        worker = threading.Thread(target=second_worker)
        worker.start()
        about_to_claim.wait()
        time.sleep(0.3)  # room for the second worker to read where the chain ends, if nothing stopped it
        db.session.commit()
        first_id = first.id
        worker.join()
        assert "error" not in outcome, f"the second worker failed: {outcome.get('error')}"
        assert outcome["id"] == first_id + 1
        assert verify_chain().problem is None
        assert claim_next_link()[0] == first_id + 2
        db.session.rollback()
