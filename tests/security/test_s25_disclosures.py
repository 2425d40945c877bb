"""S25: every file that leaves the app says who made it, when, and its disclosure id, and is recorded with
recipient, purpose, consent and user.

tests/test_reports.py, tests/test_facesheet.py and tests/test_referrals.py prove one file of each kind
in detail; this runs every funder template in both formats, the facesheet and the archive re-download.
"""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import AuditEvent, Consent, ReportRun
from caseflow.models.base import utcnow
from caseflow.reports.templates import TEMPLATES
from caseflow.timezones import to_local
from tests.conftest import login
from tests.security.crawl import Page, text_of
from tests.security.test_s05_canary_crawl import leaks
from tests.security.world import build_world


@pytest.fixture
def world(app):
    return build_world()


def _request(world, template: str, fmt: str, token: str) -> dict:
    program = world.programs["c"] if template == "hvip-annual" else world.programs["a"]
    today = date.today()
    return {
        "template": template,
        "programs": [str(program.id)],
        "period_kind": "custom",
        "start": (today - timedelta(days=300)).isoformat(),
        "end": today.isoformat(),
        "format": fmt,
        "recipient": "City grants office",
        "purpose": "Quarterly report to the city",
        "submission_token": token,
    }


def _assert_stamped(text: str, run: ReportRun, who: str) -> None:
    flat = " ".join(text.split())
    assert run.disclosure_id in flat
    assert who in flat
    assert f"{to_local(utcnow()):%d %b %Y}" in flat


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_s25_every_funder_file_carries_who_when_and_its_disclosure_id(client, world, template, fmt):
    """S25: each template as PDF and CSV: the file names its maker, date and disclosure id; the run and the
    audit row hold recipient, purpose and user; the archive re-download is the same stamped bytes.

    S5 too: nothing from another program, another program's staff or a deleted record is in the file.
    """
    user = world.users["supervisor_c"] if template == "hvip-annual" else world.user_for("supervisor")
    login(client, user)
    response = client.post("/reports", data=_request(world, template, fmt, f"tok-s25-{template}-{fmt}"))
    assert response.mimetype in ("application/pdf", "text/csv")
    run = db.session.execute(select(ReportRun).order_by(ReportRun.id.desc())).scalars().first()
    assert (run.recipient, run.purpose, run.generated_by_id, run.format) == (
        "City grants office",
        "Quarterly report to the city",
        user.id,
        fmt,
    )
    _assert_stamped(text_of(response), run, user.full_name)
    assert leaks({"file": Page(200, "", text_of(response), {})}, {"OUT", "STF", "DEL"}) == {}
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.record_id == run.id)
    ).scalar_one()
    assert event.user_id == user.id and run.disclosure_id in event.detail
    again = client.get(f"/reports/archive/{run.id}")
    assert again.get_data() == response.get_data()


def test_s25_a_facesheet_names_its_maker_date_disclosure_and_consent(client, world):
    """S25: a facesheet sent to a provider under consent prints who, when, the disclosure id and the consent."""
    consent = next(
        row
        for row in world.rows(Consent)
        if row.participant_id == world.people["xavier"].id and row.program_id == world.programs["a"].id
    )
    worker = world.user_for("worker")
    login(client, worker)
    response = client.post(
        f"/cases/{world.cases['xa'].id}/facesheet",
        data={
            "recipient": consent.recipient,
            "purpose": "Housing application",
            "categories": ["identity"],
            "submission_token": "tok-s25-face",
        },
    )
    assert response.mimetype == "application/pdf"
    run = db.session.execute(
        select(ReportRun).where(ReportRun.template_id == "facesheet", ReportRun.generated_by_id == worker.id)
    ).scalar_one()
    assert (run.recipient, run.purpose, run.generated_by_id) == (consent.recipient, "Housing application", worker.id)
    text = text_of(response)
    _assert_stamped(text, run, worker.full_name)
    assert re.search(rf"consent #{consent.id}\b", text)
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.user_id == worker.id)
    ).scalar_one()
    assert f"consent {consent.id}" in event.detail and run.disclosure_id in event.detail
