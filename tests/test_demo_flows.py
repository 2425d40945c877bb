"""The daily flows walked through the web client as the demo accounts, on the demo data."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseflow.demo import seed_demo
from caseflow.extensions import db
from caseflow.models import Case, ClosureRequest, Contact, Program, Referral, User
from caseflow.permissions import visible_cases
from caseflow.timezones import local_now, local_today, to_local
from tests.conftest import login

DEMO_PASSWORD = "demo-password-1234"


@pytest.fixture
def demo(app):
    seed_demo(seed=2026, participants=80, erase=False)
    db.session.commit()


def _account(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def _an_hour_ago() -> str:
    """A time the form accepts at any hour: a fixed morning time is in the future just after midnight."""
    return (local_now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


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
            "occurred_at": _an_hour_ago(),
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


def _program(kind: str) -> Program:
    return db.session.execute(select(Program).where(Program.kind == kind)).scalar_one()


def test_outreach_worker_records_a_mediation_and_a_shooting_response(client, demo):
    """From the menu, as the demo outreach worker: a mediation with no enrolled person, then a response."""
    from caseflow.models import Incident, Mediation, ShootingResponse

    worker = _account("outreach@demo.caseflow.org")
    program = _program("street_outreach")
    login(client, worker.email, DEMO_PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert f"/outreach/{program.id}/mediations" in home
    before = db.session.execute(select(func.count(Mediation.id))).scalar_one()
    response = client.post(
        f"/outreach/{program.id}/mediations/new",
        data={
            "occurred_at": _an_hour_ago(),
            "area": "Eastside",
            "identified_by": "tip",
            "parties_count": "3",
            "imminent_risk": "high",
            "outcome": "temporarily_resolved",
            "actions_taken": "Met both sides at the rec centre.",
        },
    )
    assert response.status_code == 302
    assert db.session.execute(select(func.count(Mediation.id))).scalar_one() == before + 1
    assert "Temporarily resolved" in client.get(response.headers["Location"]).get_data(as_text=True)

    incident = (
        db.session.execute(
            select(Incident)
            .where(Incident.deleted_at.is_(None), Incident.kind == "shooting")
            .order_by(Incident.occurred_at.desc())
        )
        .scalars()
        .first()
    )
    form_page = client.get(f"/outreach/{program.id}/responses/new?incident_id={incident.id}")
    assert form_page.status_code == 200
    first_response = to_local(incident.occurred_at) + timedelta(minutes=45)
    saved = client.post(
        f"/outreach/{program.id}/responses/new?incident_id={incident.id}",
        data={
            "incident_id": str(incident.id),
            "responder_id": str(worker.id),
            "location": "hospital",
            "first_response_at": first_response.strftime("%Y-%m-%dT%H:%M"),
            "retaliation_risk": "high",
        },
    )
    assert saved.status_code == 302
    recorded = (
        db.session.execute(
            select(ShootingResponse)
            .where(ShootingResponse.incident_id == incident.id)
            .order_by(ShootingResponse.id.desc())
        )
        .scalars()
        .first()
    )
    assert recorded.responder_id == worker.id and recorded.location == "hospital"
    page = client.get(f"/responses/{recorded.id}").get_data(as_text=True)
    assert "Minutes after the incident</dt><dd" in page and ">45</dd>" in page


def test_deterrence_worker_records_a_notification_and_the_partner_sees_only_figures(client, demo):
    """The demo FD worker notifies a person on their caseload; the partner then sees the count, no name."""
    from caseflow.models import Notification

    worker = _account("fd@demo.caseflow.org")
    program = _program("focused_deterrence")
    case = _own_active_case(worker)
    login(client, worker.email, DEMO_PASSWORD)
    assert f"/deterrence/{program.id}/notifications" in client.get("/").get_data(as_text=True)
    before = db.session.execute(select(func.count(Notification.id))).scalar_one()
    response = client.post(
        f"/deterrence/{program.id}/notifications/new",
        data={
            "participant_id": str(case.participant_id),
            "notified_on": local_today().isoformat(),
            "trigger": "ongoing_dispute",
            "delivered": "y",
            "offer_accepted": "y",
            "notes": "Met at his aunt's; accepted a job readiness referral.",
        },
    )
    assert response.status_code == 302
    assert db.session.execute(select(func.count(Notification.id))).scalar_one() == before + 1

    partner = _account("partner@demo.caseflow.org")
    login(client, partner.email, DEMO_PASSWORD)
    figures = client.get("/", follow_redirects=True)
    body = figures.get_data(as_text=True)
    assert figures.status_code == 200 and "The offer of help" in body
    assert case.participant.last_name not in body and "job readiness" not in body
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.get(f"/participants/{case.participant_id}").status_code == 404


def test_demo_fills_every_dashboard_and_review_panel(client, demo):
    """The manager's dashboards, caseload review and alerts all show real numbers on the demo data."""
    import re

    manager = _account("manager@demo.caseflow.org")
    login(client, manager.email, DEMO_PASSWORD)
    for program in db.session.execute(select(Program)).scalars():
        page = client.get(f"/programs/{program.id}/dashboard")
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        enrolled = re.search(r"Enrollments</th>\s*<td[^>]*>(\d+)<", body)
        assert enrolled and int(enrolled.group(1)) > 0, program.name
        for chart in ("enrollments", "caseload", "contacts", "referrals", "outcomes"):
            svg = client.get(f"/programs/{program.id}/dashboard/{chart}.svg").get_data(as_text=True)
            assert "Nothing in this period" not in svg, (program.name, chart)
    review = client.get("/caseload/review").get_data(as_text=True)
    assert "/caseload/review/" in review  # a drill-down link: some number above zero
    alerts = client.get("/alerts").get_data(as_text=True)
    assert re.search(r"[1-9]\d* closures? waiting", alerts)


def test_demo_ipv_protected_people_are_seen_only_by_the_victim_services_worker(client, demo):
    """S24 in the demo: hvip@ (victim-services) sees the two protected patients; the manager gets 404."""
    from caseflow.models import Participant, ProgramMembership

    protected = list(db.session.execute(select(Participant).where(Participant.is_ipv_protected)).scalars())
    assert len(protected) == 2
    hvip = _account("hvip@demo.caseflow.org")
    assert db.session.execute(
        select(ProgramMembership.is_victim_services).where(ProgramMembership.user_id == hvip.id)
    ).scalar_one()
    login(client, hvip.email, DEMO_PASSWORD)
    for person in protected:
        assert client.get(f"/participants/{person.id}").status_code == 200
    login(client, _account("manager@demo.caseflow.org").email, DEMO_PASSWORD)
    for person in protected:
        assert client.get(f"/participants/{person.id}").status_code == 404
