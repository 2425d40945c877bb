"""The daily flows walked through the web client as the demo accounts, on the demo data."""

import pytest
from sqlalchemy import func, select

from caseflow.demo import seed_demo
from caseflow.extensions import db
from caseflow.models import Case, ClosureRequest, Contact, Program, Referral, User
from caseflow.permissions import visible_cases
from caseflow.timezones import local_today
from tests.conftest import login

DEMO_PASSWORD = "demo-password-1234"


@pytest.fixture
def demo(app):
    seed_demo(seed=2026, participants=80, erase=False)
    db.session.commit()


def _account(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def _own_active_case(user: User) -> Case:
    return (
        db.session.execute(
            visible_cases(user).where(Case.assigned_worker_id == user.id, Case.status == "active").order_by(Case.id)
        )
        .scalars()
        .first()
    )


def test_outreach_worker_logs_a_contact_from_the_caseload(client, demo):
    """Two taps: the caseload's 'Log contact' link, then one short form."""
    worker = _account("outreach@demo.caseflow.org")
    case = _own_active_case(worker)
    login(client, worker.email, DEMO_PASSWORD)
    assert f"/cases/{case.id}/contacts/new" in client.get("/").get_data(as_text=True)
    before = db.session.execute(select(func.count(Contact.id))).scalar_one()
    response = client.post(
        f"/cases/{case.id}/contacts/new",
        data={
            "occurred_at": f"{local_today().isoformat()}T09:00",
            "mode": "in_person",
            "contact_type": "check_in",
            "outcome": "completed",
        },
    )
    assert response.status_code == 302
    assert db.session.execute(select(func.count(Contact.id))).scalar_one() == before + 1


def test_outreach_worker_makes_an_anonymous_referral_without_consent(client, demo):
    """Services never wait for consent: an anonymous referral always goes through."""
    worker = _account("outreach@demo.caseflow.org")
    case = _own_active_case(worker)
    from caseflow.models import ProviderCategory

    provider_id = (
        db.session.execute(select(ProviderCategory.provider_id).where(ProviderCategory.category == "housing"))
        .scalars()
        .first()
    )
    login(client, worker.email, DEMO_PASSWORD)
    response = client.post(
        f"/cases/{case.id}/referrals/new",
        data={
            "service_category": "housing",
            "provider_id": provider_id,
            "referred_on": local_today().isoformat(),
            "is_anonymous": "y",
        },
    )
    assert response.status_code == 302
    assert (
        db.session.execute(
            select(Referral)
            .where(Referral.case_id == case.id, Referral.is_anonymous.is_(True))
            .order_by(Referral.id.desc())
        )
        .scalars()
        .first()
        is not None
    )


def test_hvip_worker_cannot_see_outreach_cases_and_hand_off_needs_consent(client, demo):
    """The HVIP worker gets 404 on an outreach case, and a hand-off without consent is refused."""
    worker = _account("hvip@demo.caseflow.org")
    outreach = db.session.execute(select(Program).where(Program.kind == "street_outreach")).scalar_one()
    outreach_case = db.session.execute(select(Case).where(Case.program_id == outreach.id)).scalars().first()
    login(client, worker.email, DEMO_PASSWORD)
    assert client.get(f"/cases/{outreach_case.id}").status_code == 404
    from caseflow.consents.services import find_valid_consent

    # An active HVIP case whose person has not consented to sharing with street outreach.
    case = next(
        c
        for c in db.session.execute(visible_cases(worker).where(Case.status == "active")).scalars()
        if find_valid_consent(c.participant_id, local_today(), recipient_program_id=outreach.id) is None
    )
    cases_before = db.session.execute(select(func.count(Case.id))).scalar_one()
    page = client.post(f"/cases/{case.id}/handoff", data={"program_id": outreach.id}).get_data(as_text=True)
    assert "no valid consent" in page
    assert db.session.execute(select(func.count(Case.id))).scalar_one() == cases_before


def test_supervisor_approves_a_waiting_closure(client, demo):
    """The demo leaves closures waiting; the supervisor's approval closes the case."""
    supervisor = _account("supervisor@demo.caseflow.org")
    login(client, supervisor.email, DEMO_PASSWORD)
    page = client.get("/closure-requests").get_data(as_text=True)
    pending = (
        db.session.execute(select(ClosureRequest).where(ClosureRequest.status == "pending").order_by(ClosureRequest.id))
        .scalars()
        .first()
    )
    case = db.session.get(Case, pending.case_id)
    assert case.participant.last_name in page
    client.post(f"/closure-requests/{pending.id}", data={"decision": "approve"})
    db.session.refresh(case)
    assert (case.status, case.closure_reason) == ("closed", pending.reason)
