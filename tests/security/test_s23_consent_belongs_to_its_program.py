"""S23: a disclosure needs a valid matching consent recorded by the disclosing program itself.

Named recipient, categories, dates, the one-year default and revocation are proven in tests/test_consents.py,
the referral, facesheet and hand-off gates in tests/test_referrals.py, tests/test_facesheet.py and
tests/test_case_flow.py. Here: Xavier is in Outreach A and in another outreach program, and only the
other program holds a consent naming Eastside Housing (and Deterrence M). Outreach A cannot see that
consent, so it cannot lean on it either: no referral, facesheet or hand-off goes out on it.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Case, Consent, ConsentCategory, Referral, ReportRun
from caseflow.models.base import utcnow
from caseflow.timezones import local_today
from tests.conftest import login
from tests.security.world import CANARY_RE, build_world


@pytest.fixture
def world(app):
    world = build_world()
    xavier, outreach_a = world.people["xavier"], world.programs["a"]
    # Outreach A's own consent is revoked; the other outreach program's stays valid.
    for consent in world.rows(Consent):
        if consent.participant_id == xavier.id and consent.program_id == outreach_a.id:
            consent.revoked_at = utcnow()
    other = Consent(
        participant_id=xavier.id,
        program_id=world.programs["oo"].id,
        recipient=world.programs["m"].name,
        recipient_program_id=world.programs["m"].id,
        signed_on=local_today() - timedelta(days=5),
        expires_on=local_today() + timedelta(days=200),
    )
    db.session.add(other)
    db.session.flush()
    db.session.add_all(ConsentCategory(consent_id=other.id, category=c) for c in ("identity", "case_summary"))
    db.session.commit()
    return world


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(model.id)))


def test_s23_another_programs_consent_does_not_let_this_program_refer(client, world):
    """S23: the identifying referral is blocked and saves nothing; the page names no other program's consent."""
    login(client, world.user_for("worker"))
    before = _count(Referral)
    provider_id = next(r.provider_id for r in world.rows(Referral))
    response = client.post(
        f"/cases/{world.cases['xa'].id}/referrals/new",
        data={
            "service_category": "housing",
            "provider_id": provider_id,
            "referred_on": local_today().isoformat(),
            "notes": "Needs a room",
            "submission_token": "tok-s23-ref",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No valid consent" in page
    assert _count(Referral) == before
    assert CANARY_RE.search(page) is None


def test_s23_another_programs_consent_does_not_let_this_program_print_a_facesheet(client, world):
    """S23: a facesheet for the provider is refused and nothing is archived."""
    login(client, world.user_for("worker"))
    provider_name = next(c.recipient for c in world.rows(Consent) if c.program_id == world.programs["a"].id)
    before = _count(ReportRun)
    response = client.post(
        f"/cases/{world.cases['xa'].id}/facesheet",
        data={
            "recipient": provider_name,
            "purpose": "Housing application",
            "categories": ["identity"],
            "submission_token": "tok-s23-face",
        },
    )
    assert response.mimetype == "text/html"
    assert _count(ReportRun) == before


def test_s23_another_programs_consent_does_not_let_this_program_hand_off(client, world):
    """S23: the hand-off to Deterrence M is refused; no case is opened there."""
    login(client, world.user_for("worker"))
    before = _count(Case)
    response = client.post(
        f"/cases/{world.cases['xa'].id}/handoff", data={"program_id": world.programs["m"].id, "note": "Moving"}
    )
    assert response.status_code == 200
    assert "no valid consent" in response.get_data(as_text=True)
    assert _count(Case) == before


def test_s23_the_programs_own_consent_does_let_it_refer(client, world):
    """S23: the same referral goes through once Outreach A records its own consent (the gate is not just shut)."""
    login(client, world.user_for("worker"))
    consent = next(c for c in world.rows(Consent) if c.program_id == world.programs["a"].id)
    consent.revoked_at = None
    db.session.commit()
    response = client.post(
        f"/cases/{world.cases['xa'].id}/referrals/new",
        data={
            "service_category": "housing",
            "provider_id": consent.provider_id,
            "referred_on": local_today().isoformat(),
            "notes": "Needs a room",
            "submission_token": "tok-s23-ok",
        },
    )
    assert response.status_code == 302
    referral = db.session.execute(select(Referral).order_by(Referral.id.desc())).scalars().first()
    assert referral.consent_id == consent.id
