"""The law-enforcement partner role (S4): aggregate focused deterrence figures, never a name or a note.

A canary string is planted in every restricted field; the partner then crawls every link and
tries every GET route with every id, and no canary may appear anywhere.
"""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import (
    CallIn,
    CallInInvitee,
    CallInServiceRequest,
    Contact,
    DeterrenceGroup,
    FollowUp,
    GroupAffiliation,
    Incident,
    Mediation,
    MediationPerson,
    Notification,
    ParticipantAlias,
    ProgramMembership,
    Referral,
    ShootingResponse,
)
from tests.conftest import login
from tests.crawler import crawl, every_get_route

CANARY = "CANARY"


def _canary(field: str) -> str:
    return f"{CANARY}-{field}-q7x"


@pytest.fixture
def fd_world(make_program, make_user, make_case):
    """A focused deterrence program with one of everything, every restricted field holding a canary."""
    fd = make_program("focused_deterrence", "Deterrence Initiative")
    outreach = make_program("street_outreach", "Outreach Team")
    worker = make_user(roles={fd: "worker"}, full_name=_canary("worker-name"))
    street = make_user(roles={outreach: "worker"}, full_name=_canary("outreach-worker-name"))
    partner = make_user(email="partner@example.org", roles={fd: "partner"}, full_name="Pat Partner")
    today = date.today()
    cases = [
        make_case(
            fd,
            worker,
            first_name=_canary(f"first{i}"),
            last_name=_canary(f"last{i}"),
            phone=_canary(f"phone{i}"),
            area=_canary(f"area{i}"),
            date_of_birth=date(1999, 1, 2 + i),
        )
        for i in range(6)
    ]
    out_case = make_case(outreach, street, first_name=_canary("outreach-first"), last_name=_canary("outreach-last"))
    group = DeterrenceGroup(program_id=fd.id, name=_canary("group-name"), area=_canary("group-area"))
    db.session.add(group)
    db.session.flush()
    call_in = CallIn(
        program_id=fd.id,
        held_at=datetime.now() - timedelta(days=10),
        venue=_canary("venue"),
        speakers_community=3,
        speakers_services=2,
        speakers_law_enforcement=1,
        notes=_canary("call-in-notes"),
    )
    db.session.add(call_in)
    db.session.flush()
    incident = Incident(
        occurred_at=datetime.now() - timedelta(days=5),
        area=_canary("incident-area"),
        source="police",
        notes=_canary("incident-notes"),
        fatal_victims=0,
        nonfatal_victims=1,
    )
    mediation = Mediation(
        program_id=outreach.id,
        occurred_at=datetime.now() - timedelta(days=3),
        area=_canary("mediation-area"),
        identified_by="tip",
        groups_involved=_canary("groups-involved"),
        actions_taken=_canary("actions"),
    )
    db.session.add_all([incident, mediation])
    db.session.flush()
    notification = None
    for i, case in enumerate(cases):
        db.session.add_all(
            [
                ParticipantAlias(participant_id=case.participant_id, name=_canary(f"alias{i}"), kind="street_name"),
                GroupAffiliation(case_id=case.id, group_id=group.id),
                Contact(
                    case_id=case.id,
                    author_id=worker.id,
                    occurred_at=datetime.now() - timedelta(days=2),
                    mode="in_person",
                    contact_type="check_in",
                    notes=_canary(f"contact-notes{i}"),
                ),
                Referral(
                    case_id=case.id,
                    service_category="employment",
                    status="connected",
                    referred_on=today - timedelta(days=8),
                    connected_on=today - timedelta(days=4),
                    notes=_canary(f"referral-notes{i}"),
                ),
                CallInInvitee(
                    call_in_id=call_in.id,
                    participant_id=case.participant_id,
                    attendance="attended",
                    help_accepted=i % 2 == 0,
                ),
            ]
        )
        notification = Notification(
            program_id=fd.id,
            participant_id=case.participant_id,
            notified_on=today - timedelta(days=12),
            trigger="ongoing_dispute",
            delivered=True,
            offer_accepted=i < 3,
            notes=_canary(f"notification-notes{i}"),
        )
        db.session.add(notification)
    db.session.add(CallInServiceRequest(call_in_id=call_in.id, category="employment", people=3))
    db.session.flush()
    db.session.add_all(
        [
            FollowUp(notification_id=notification.id, due_on=today, note=_canary("follow-up-note")),
            MediationPerson(mediation_id=mediation.id, participant_id=out_case.participant_id),
            ShootingResponse(
                program_id=outreach.id,
                incident_id=incident.id,
                responder_id=street.id,
                location="scene",
                first_response_at=datetime.now() - timedelta(days=4),
                notes=_canary("response-notes"),
            ),
        ]
    )
    db.session.commit()
    return {"fd": fd, "outreach": outreach, "worker": worker, "partner": partner, "cases": cases, "out_case": out_case}


def _all_ids() -> list[int]:
    """Every id in use by any table, so each id-bearing route is tried with real records (PostgreSQL ids run on)."""
    ids: set[int] = set()
    for table in db.metadata.sorted_tables:
        if "id" in table.c:
            ids.update(db.session.execute(select(table.c.id)).scalars())
    return sorted(ids)


def test_partner_home_is_the_program_figures(fd_world, client):
    login(client, fd_world["partner"])
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/deterrence/{fd_world['fd'].id}/figures")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Call-ins" in page.get_data(as_text=True)


def test_partner_crawl_finds_no_canary(fd_world, app, client):
    """S4: every page, link and id-bearing route the partner can reach carries no restricted value."""
    login(client, fd_world["partner"])
    pages = crawl(client, "/")
    for path in every_get_route(app, _all_ids()):
        if path not in pages:
            response = client.get(path)
            pages[path] = (response.status_code, response.get_data(as_text=True))
    reached = sorted(path for path, (status, _) in pages.items() if status == 200)
    leaks = sorted(path for path, (_, body) in pages.items() if CANARY in body)
    assert leaks == []
    # The crawl really ran: the figures page was reached and case pages were not.
    assert any(path.startswith(f"/deterrence/{fd_world['fd'].id}/figures") for path in reached)
    case_id = fd_world["cases"][0].id
    assert pages[f"/cases/{case_id}"][0] == 404


def test_partner_reaches_only_the_figures_page(fd_world, app, client):
    """Every GET route except home, the figures page and their own account answers 404 to a partner, whatever the id."""
    login(client, fd_world["partner"])
    # Their own account (password, two-step login) and the confirm-it-is-you page show nothing but their own name.
    own_account = {"/account", "/account/two-factor", "/reauth"}
    allowed = {"/", "/login", "/health", f"/deterrence/{fd_world['fd'].id}/figures"} | own_account
    reachable = []
    for path in every_get_route(app, _all_ids()):
        status = client.get(path).status_code
        if status not in (404, 405):
            reachable.append((path, status))
    assert sorted(p for p, _ in reachable if p not in allowed) == []


def test_figures_of_a_program_the_partner_is_not_in_are_404(fd_world, make_program, client):
    other = make_program("focused_deterrence", "Other Deterrence")
    login(client, fd_world["partner"])
    assert client.get(f"/deterrence/{other.id}/figures").status_code == 404


def test_partner_figures_show_aggregates_with_small_cells_hidden(fd_world, client):
    login(client, fd_world["partner"])
    body = client.get(f"/deterrence/{fd_world['fd'].id}/figures").get_data(as_text=True)
    # Six people were notified and attended; three and three accepted: 6 shows, 3 hides.
    assert "6" in body
    assert "&lt;5" in body


def test_partner_posts_change_nothing(fd_world, app, client):
    """A partner posting to casework routes gets 404 and saves nothing."""
    login(client, fd_world["partner"])
    case = fd_world["cases"][0]
    before = db.session.scalar(select(db.func.count(Contact.id)))
    response = client.post(
        f"/cases/{case.id}/contacts/new",
        data={"occurred_at": "2026-01-01T10:00", "mode": "phone", "contact_type": "check_in", "notes": "x"},
    )
    assert response.status_code == 404
    assert db.session.scalar(select(db.func.count(Contact.id))) == before


def test_a_user_who_is_partner_in_one_program_and_worker_in_another_gets_no_fd_cases(fd_world, client):
    """The partner membership adds no case access even for someone who does casework elsewhere."""
    mixed = fd_world["partner"]
    db.session.add(ProgramMembership(user_id=mixed.id, program_id=fd_world["outreach"].id, role="worker"))
    db.session.commit()
    login(client, mixed)
    assert client.get(f"/cases/{fd_world['cases'][0].id}").status_code == 404
    assert client.get(f"/cases/{fd_world['out_case'].id}").status_code == 200
    assert _canary("first0") not in client.get("/").get_data(as_text=True)


def test_admin_grants_partner_only_in_focused_deterrence(fd_world, make_user, client):
    admin = make_user(is_admin=True)
    target = make_user(full_name="New Partner")
    login(client, admin)
    refused = client.post(f"/admin/users/{target.id}", data={"program_id": fd_world["outreach"].id, "role": "partner"})
    assert "only in focused deterrence programs" in refused.get_data(as_text=True)
    assert db.session.scalar(select(ProgramMembership).where(ProgramMembership.user_id == target.id)) is None
    granted = client.post(
        f"/admin/users/{target.id}", data={"program_id": fd_world["fd"].id, "role": "partner"}, follow_redirects=True
    )
    assert "Membership saved." in granted.get_data(as_text=True)
    membership = db.session.scalar(select(ProgramMembership).where(ProgramMembership.user_id == target.id))
    assert membership.role == "partner"
