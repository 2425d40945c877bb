"""S31: one request, one transaction: a failure at any step of any form leaves the database as it was.

Each form a supervisor can send is sent again and again, failing the first, then the second, then
the third write of the request (a flush: the moved case, the new referral, the audit row...), until
it gets through. After every failed attempt each table is exactly as before; the last attempt saves.
Foreign keys are enforced on SQLite (tests/test_app.py::test_foreign_keys_are_enforced).
"""

from datetime import timedelta

import pytest
from sqlalchemy import event

from caseflow.extensions import db
from caseflow.models import Consent, ConsentCategory
from caseflow.timezones import local_today
from tests.conftest import login
from tests.security.crawl import crawl, forms_by_endpoint
from tests.security.snapshot import changed_tables, table_digests
from tests.security.test_s03_idor_sweep import fresh
from tests.security.world import build_world

MAX_STEPS = 12


class StepFailure(RuntimeError):
    """The injected failure: a disk filling up, a dropped connection, at one chosen write."""


@pytest.fixture
def fail_at_flush(app):
    """fail_at_flush(n): the n-th flush of the next request raises; returns how many flushes it got to."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    state = {"target": None, "count": 0}

    def before_flush(session, _context, _instances):
        if state["target"] is None:
            return
        state["count"] += 1
        if state["count"] == state["target"]:
            raise StepFailure(f"injected failure at write {state['target']}")

    event.listen(db.session, "before_flush", before_flush)

    def arm(target: int | None) -> dict:
        state["target"], state["count"] = target, 0
        return state

    yield arm
    arm(None)
    event.remove(db.session, "before_flush", before_flush)


def _hand_off_consent(world) -> None:
    """Xavier consents to a hand-off to Deterrence M, so the compound hand-off can really run."""
    consent = Consent(
        participant_id=world.people["xavier"].id,
        program_id=world.programs["a"].id,
        recipient=world.programs["m"].name,
        recipient_program_id=world.programs["m"].id,
        signed_on=local_today() - timedelta(days=3),
        expires_on=local_today() + timedelta(days=300),
    )
    db.session.add(consent)
    db.session.flush()
    db.session.add_all(ConsentCategory(consent_id=consent.id, category=c) for c in ("identity", "case_summary"))
    db.session.commit()


def test_s31_a_failure_at_any_write_of_any_form_leaves_every_table_as_it_was(app, client, fail_at_flush):
    """S31: hand-off, referral, intake, edits, deletes...: fail at write 1, 2, 3...; nothing half-done survives."""
    world = build_world()
    _hand_off_consent(world)
    login(client, world.user_for("supervisor"))
    forms = forms_by_endpoint(app, crawl(client, "/"))
    half_done, compound, completed = [], [], 0
    for endpoint, endpoint_forms in forms.items():
        for form in endpoint_forms:
            data = fresh(form.data())
            for step in range(1, MAX_STEPS + 1):
                before = table_digests()
                state = fail_at_flush(step)
                response = client.post(form.action, data=data)
                reached = state["count"]
                fail_at_flush(None)
                if reached < step:
                    completed += response.status_code in (200, 302)
                    if step > 2:
                        compound.append(endpoint)
                    break
                assert response.status_code == 500, (endpoint, step)
                changed = changed_tables(before, table_digests())
                if changed:
                    half_done.append((endpoint, step, changed))
    assert half_done == []
    # Compound operations were among them (several writes each), and the forms did save in the end.
    assert "cases.handoff" in compound
    assert completed >= 15
