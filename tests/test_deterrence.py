"""Focused deterrence through the web client: groups, affiliations, call-ins, notifications, figures, access."""

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from caseflow.deterrence.queries import OfferPipeline, call_in_counts, offer_pipeline
from caseflow.extensions import db
from caseflow.models import (
    CallIn,
    CallInInvitee,
    CallInServiceRequest,
    DeterrenceGroup,
    FollowUp,
    GroupAffiliation,
    Notification,
    Referral,
)
from caseflow.timezones import local_now, local_today, to_utc
from tests.conftest import audit_count, login

GROUP = "Canary Street Crew"
VENUE = "Canary Church Hall"
NOTE = "Canary note about the night"


@pytest.fixture
def fd(make_program, make_user):
    """A focused deterrence program, its coordinator (a worker) and a supervisor."""
    program = make_program("focused_deterrence", "Ceasefire FD")
    coordinator = make_user(roles={program: "worker"}, full_name="Cora Coordinator")
    supervisor = make_user(roles={program: "supervisor"}, full_name="Sam Supervisor")
    return program, coordinator, supervisor


@pytest.fixture
def people(fd, make_case):
    """Two people with open cases in the program."""
    program, coordinator, _ = fd
    return (
        make_case(program, coordinator, first_name="Dante", last_name="Rivers"),
        make_case(program, coordinator, first_name="Eli", last_name="Stone"),
    )


@pytest.fixture
def partner(fd, make_user):
    program, _, _ = fd
    return make_user(roles={program: "partner"}, full_name="Officer Partner")


def _count(model) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


def _typed(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def _evening(days_ago: int, hour: int = 19) -> datetime:
    """A local wall-clock evening some days back."""
    return (local_now() - timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _call_in_data(invitees=(), **overrides) -> dict:
    data = {
        "held_at": _typed(_evening(3)),
        "venue": VENUE,
        "speakers_community": "2",
        "speakers_services": "",
        "speakers_law_enforcement": "1",
        "invitees": [str(i) for i in invitees],
        "services-housing": "3",
        "services-employment": "",
        "notes": NOTE,
        "submission_token": "call-in-1",
    }
    data.update(overrides)
    return data


def _notification_data(participant_id, **overrides) -> dict:
    data = {
        "participant_id": str(participant_id),
        "notified_on": (local_today() - timedelta(days=1)).isoformat(),
        "trigger": "incident",
        "delivered": "y",
        "offer_accepted": "y",
        "notes": NOTE,
        "submission_token": "notice-1",
    }
    data.update(overrides)
    return data


def _call_in(program, days_ago: int = 3, hour: int = 19, **fields) -> CallIn:
    call_in = CallIn(program_id=program.id, held_at=to_utc(_evening(days_ago, hour)), venue=VENUE, **fields)
    db.session.add(call_in)
    db.session.commit()
    return call_in


def _invite(call_in, case, attendance="invited", accepted=False) -> CallInInvitee:
    invitee = CallInInvitee(
        call_in_id=call_in.id, participant_id=case.participant_id, attendance=attendance, help_accepted=accepted
    )
    db.session.add(invitee)
    db.session.commit()
    return invitee


def _notify(program, case, days_ago: int = 5, delivered=True, accepted=False, **fields) -> Notification:
    notification = Notification(
        program_id=program.id,
        participant_id=case.participant_id,
        notified_on=local_today() - timedelta(days=days_ago),
        trigger=fields.pop("trigger", "incident"),
        delivered=delivered,
        offer_accepted=accepted,
        notes=fields.pop("notes", NOTE),
        **fields,
    )
    db.session.add(notification)
    db.session.commit()
    return notification


# --- groups ------------------------------------------------------------------------------------


def test_a_supervisor_adds_groups_and_a_repeated_name_gets_a_friendly_message(client, fd):
    program, _, supervisor = fd
    login(client, supervisor)
    url = f"/deterrence/{program.id}/groups"
    response = client.post(url, data={"name": GROUP, "area": "Northside", "submission_token": "g1"})
    assert response.status_code == 302
    page = client.post(url, data={"name": GROUP.upper(), "area": "", "submission_token": "g2"}).get_data(as_text=True)
    assert "This program already has a group called" in page and GROUP.upper() in page
    page = client.get(url).get_data(as_text=True)
    assert GROUP in page and "Northside" in page
    assert _count(DeterrenceGroup) == 1
    assert audit_count(action="create", record_type="deterrence_group") == 1


def test_a_worker_sees_groups_but_cannot_add_them(client, fd):
    program, coordinator, _ = fd
    db.session.add(DeterrenceGroup(program_id=program.id, name=GROUP, area="Northside"))
    db.session.commit()
    login(client, coordinator)
    page = client.get(f"/deterrence/{program.id}/groups").get_data(as_text=True)
    assert GROUP in page and 'name="name"' not in page
    response = client.post(f"/deterrence/{program.id}/groups", data={"name": "Other", "submission_token": "x"})
    assert response.status_code == 403
    assert _count(DeterrenceGroup) == 1


# --- affiliations --------------------------------------------------------------------------------


def test_affiliations_are_added_and_removed_on_the_case_and_shown_nowhere_else(client, fd, people, partner):
    program, coordinator, _ = fd
    case, _ = people
    group = DeterrenceGroup(program_id=program.id, name=GROUP, area="Northside")
    db.session.add(group)
    db.session.commit()
    _notify(program, case)
    _invite(_call_in(program), case, "attended")
    login(client, coordinator)
    page = client.get(f"/cases/{case.id}/deterrence").get_data(as_text=True)
    assert "Dante Rivers" in page and f'<option value="{group.id}">' in page
    response = client.post(f"/cases/{case.id}/affiliations", data={"group_id": str(group.id), "submission_token": "a1"})
    assert response.status_code == 302
    affiliation = db.session.execute(select(GroupAffiliation)).scalar_one()
    assert (affiliation.case_id, affiliation.group_id) == (case.id, group.id)
    assert affiliation.recorded_by_id == coordinator.id
    assert GROUP in client.get(f"/cases/{case.id}/deterrence").get_data(as_text=True)
    # The affiliation is on the case page only: no list or figures page names the group.
    for url in (
        f"/deterrence/{program.id}/call-ins",
        f"/deterrence/{program.id}/notifications",
        f"/deterrence/{program.id}/figures",
    ):
        assert GROUP not in client.get(url).get_data(as_text=True), url
    # The groups page lists groups, never their members.
    assert "Dante Rivers" not in client.get(f"/deterrence/{program.id}/groups").get_data(as_text=True)
    login(client, partner)
    assert GROUP not in client.get(f"/deterrence/{program.id}/figures").get_data(as_text=True)

    login(client, coordinator)
    response = client.post(f"/cases/{case.id}/affiliations/{affiliation.id}/remove", follow_redirects=True)
    assert "Affiliation removed." in response.get_data(as_text=True)
    db.session.refresh(affiliation)
    assert affiliation.deleted_at is not None
    page = client.get(f"/cases/{case.id}/deterrence").get_data(as_text=True)
    assert 'id="affiliations"' not in page
    assert audit_count(action="delete", record_type="group_affiliation", record_id=affiliation.id) == 1
    # Adding it again brings the same row back rather than breaking the one-per-group rule.
    client.post(f"/cases/{case.id}/affiliations", data={"group_id": str(group.id), "submission_token": "a2"})
    db.session.refresh(affiliation)
    assert affiliation.deleted_at is None and _count(GroupAffiliation) == 1


def test_an_affiliation_twice_or_with_another_programs_group_is_refused(client, fd, people, make_program):
    program, coordinator, _ = fd
    case, _ = people
    other = make_program("focused_deterrence", "Other FD")
    mine = DeterrenceGroup(program_id=program.id, name=GROUP)
    theirs = DeterrenceGroup(program_id=other.id, name="Their Crew")
    db.session.add_all([mine, theirs])
    db.session.commit()
    login(client, coordinator)
    client.post(f"/cases/{case.id}/affiliations", data={"group_id": str(mine.id), "submission_token": "a1"})
    page = client.post(
        f"/cases/{case.id}/affiliations", data={"group_id": str(mine.id), "submission_token": "a2"}
    ).get_data(as_text=True)
    assert "already recorded" in page
    page = client.post(
        f"/cases/{case.id}/affiliations", data={"group_id": str(theirs.id), "submission_token": "a3"}
    ).get_data(as_text=True)
    assert "Not a valid choice" in page
    assert _count(GroupAffiliation) == 1


# --- call-ins ------------------------------------------------------------------------------------


def test_a_call_in_is_recorded_with_invitees_speakers_and_services(client, fd, people):
    program, coordinator, _ = fd
    first, second = people
    login(client, coordinator)
    page = client.get(f"/deterrence/{program.id}/call-ins/new").get_data(as_text=True)
    assert "Dante Rivers" in page and "Eli Stone" in page and 'type="checkbox"' in page
    for name in ("held_at", "venue", "speakers_community", "services-housing", "notes"):
        assert f'for="{name}"' in page, name
    data = _call_in_data([first.participant_id, second.participant_id])
    response = client.post(f"/deterrence/{program.id}/call-ins/new", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Call-in saved." in page and "Dante Rivers" in page and VENUE in page
    call_in = db.session.execute(select(CallIn)).scalar_one()
    assert call_in.held_at == to_utc(_evening(3))
    assert (call_in.speakers_community, call_in.speakers_services, call_in.speakers_law_enforcement) == (2, 0, 1)
    assert sorted(i.participant_id for i in call_in.invitees) == sorted([first.participant_id, second.participant_id])
    assert [(r.category, r.people) for r in call_in.service_requests] == [("housing", 3)]
    assert audit_count(action="create", record_type="call_in", record_id=call_in.id) == 1
    listing = client.get(f"/deterrence/{program.id}/call-ins").get_data(as_text=True)
    assert VENUE in listing and re.findall(r"<td>(\d+)</td>", listing) == ["2", "0"]
    assert "Dante Rivers" not in listing


def test_a_double_submitted_call_in_makes_one_record(client, fd, people):
    program, coordinator, _ = fd
    login(client, coordinator)
    data = _call_in_data([people[0].participant_id])
    client.post(f"/deterrence/{program.id}/call-ins/new", data=data)
    response = client.post(f"/deterrence/{program.id}/call-ins/new", data=data, follow_redirects=True)
    assert "That call-in was already saved." in response.get_data(as_text=True)
    assert (_count(CallIn), _count(CallInInvitee), _count(CallInServiceRequest)) == (1, 1, 1)


def test_a_call_in_form_with_errors_keeps_what_was_typed(client, fd, people):
    program, coordinator, _ = fd
    login(client, coordinator)
    data = _call_in_data([people[0].participant_id], venue="", speakers_services="-2")
    page = client.post(f"/deterrence/{program.id}/call-ins/new", data=data).get_data(as_text=True)
    assert "Enter the venue." in page and "Enter a number from 0 to 500." in page
    assert NOTE in page and 'value="3"' in page
    assert re.search(rf'checked[^>]*value="{people[0].participant_id}"', page)
    assert _count(CallIn) == 0


def test_attendance_and_accepted_help_need_attendance(client, fd, people):
    program, coordinator, _ = fd
    first, second = people
    call_in = _call_in(program)
    one, two = _invite(call_in, first), _invite(call_in, second)
    login(client, coordinator)
    page = client.get(f"/call-ins/{call_in.id}").get_data(as_text=True)
    assert "Attendance · Dante Rivers" in page and "Attendance · Eli Stone" in page
    # Rows are in name order: Dante Rivers, then Eli Stone.
    refused = {
        "rows-0-invitee_id": str(one.id),
        "rows-0-attendance": "absent",
        "rows-0-help_accepted": "y",
        "rows-1-invitee_id": str(two.id),
        "rows-1-attendance": "attended",
    }
    page = client.post(f"/call-ins/{call_in.id}", data=refused).get_data(as_text=True)
    assert "Only someone who attended can have accepted the offer of help." in page
    db.session.refresh(one)
    db.session.refresh(two)
    assert (one.attendance, one.help_accepted, two.attendance) == ("invited", False, "invited")
    accepted = dict(refused, **{"rows-0-attendance": "attended"})
    response = client.post(f"/call-ins/{call_in.id}", data=accepted, follow_redirects=True)
    assert "Attendance saved (2 changed)." in response.get_data(as_text=True)
    db.session.refresh(one)
    db.session.refresh(two)
    assert (one.attendance, one.help_accepted, two.attendance, two.help_accepted) == (
        "attended",
        True,
        "attended",
        False,
    )


def test_attendance_names_only_people_in_the_users_scope(client, make_program, make_user, make_case):
    """Caseload-only program: another worker's invitee is a count, and their row cannot be posted."""
    program = make_program("focused_deterrence", "Caseload FD", workers_see_own_caseload_only=True)
    me, colleague = make_user(roles={program: "worker"}), make_user(roles={program: "worker"})
    mine = make_case(program, me, first_name="Mina", last_name="Mine")
    theirs = make_case(program, colleague, first_name="Theo", last_name="Hidden")
    call_in = _call_in(program)
    _invite(call_in, mine)
    hidden = _invite(call_in, theirs)
    login(client, me)
    page = client.get(f"/call-ins/{call_in.id}").get_data(as_text=True)
    assert "Mina Mine" in page and "Theo Hidden" not in page and "1 other invitee outside your caseload" in page
    data = {"rows-0-invitee_id": str(hidden.id), "rows-0-attendance": "attended"}
    assert client.post(f"/call-ins/{call_in.id}", data=data).status_code == 404
    db.session.refresh(hidden)
    assert hidden.attendance == "invited"
    page = client.get(f"/deterrence/{program.id}/call-ins/new").get_data(as_text=True)
    assert "Mina Mine" in page and "Theo Hidden" not in page
    data = _call_in_data([theirs.participant_id])
    page = client.post(f"/deterrence/{program.id}/call-ins/new", data=data).get_data(as_text=True)
    assert "is not a valid choice" in page and "Theo Hidden" not in page
    assert _count(CallIn) == 1


def test_a_stale_call_in_edit_gets_a_conflict_page(client, fd):
    program, coordinator, _ = fd
    call_in = _call_in(program, notes="Saved by a colleague")
    call_in.venue = "Moved to the library"
    db.session.commit()  # version 2 now
    login(client, coordinator)
    page = client.get(f"/call-ins/{call_in.id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="2"' in page
    data = _call_in_data(venue="Back at the hall", version="1")
    response = client.post(f"/call-ins/{call_in.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Back at the hall" in page and "Moved to the library" in page
    db.session.refresh(call_in)
    assert (call_in.venue, call_in.version) == ("Moved to the library", 2)
    response = client.post(f"/call-ins/{call_in.id}/edit", data=_call_in_data(venue="Back at the hall", version="2"))
    assert response.status_code == 302
    db.session.refresh(call_in)
    assert (call_in.venue, call_in.speakers_community) == ("Back at the hall", 2)


# --- notifications -------------------------------------------------------------------------------


def test_a_notification_is_recorded_once_and_listed_by_name(client, fd, people):
    program, coordinator, _ = fd
    case, _ = people
    login(client, coordinator)
    page = client.get(f"/deterrence/{program.id}/notifications/new?participant_id={case.participant_id}").get_data(
        as_text=True
    )
    assert f'<option selected value="{case.participant_id}">Dante Rivers</option>' in page
    data = _notification_data(case.participant_id)
    client.post(f"/deterrence/{program.id}/notifications/new", data=data)
    response = client.post(f"/deterrence/{program.id}/notifications/new", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "That notification was already saved." in page and "Dante Rivers" in page and NOTE in page
    notification = db.session.execute(select(Notification)).scalar_one()
    assert (notification.participant_id, notification.delivered, notification.offer_accepted) == (
        case.participant_id,
        True,
        True,
    )
    listing = client.get(f"/deterrence/{program.id}/notifications").get_data(as_text=True)
    assert "Dante Rivers" in listing and NOTE not in listing
    assert audit_count(action="create", record_type="notification") == 1


def test_an_accepted_offer_needs_a_delivered_notification(client, fd, people):
    program, coordinator, _ = fd
    case, _ = people
    login(client, coordinator)
    data = _notification_data(case.participant_id)
    del data["delivered"]
    page = client.post(f"/deterrence/{program.id}/notifications/new", data=data).get_data(as_text=True)
    assert "Only a delivered notification can have its offer of help accepted." in page
    assert NOTE in page and f'<option selected value="{case.participant_id}">' in page
    assert _count(Notification) == 0


def test_an_out_of_scope_person_is_not_found_and_nothing_is_saved(client, fd, people, make_program, make_case):
    program, coordinator, _ = fd
    outsider = make_case(make_program("street_outreach", "Outreach"), first_name="Olly", last_name="Outside")
    login(client, coordinator)
    url = f"/deterrence/{program.id}/notifications/new"
    assert client.get(f"{url}?participant_id={outsider.participant_id}").status_code == 404
    assert client.get(f"{url}?participant_id=999999").status_code == 404
    response = client.post(url, data=_notification_data(outsider.participant_id))
    assert response.status_code == 404 and b"Olly" not in response.data
    assert _count(Notification) == 0


def test_a_stale_notification_edit_gets_a_conflict_page(client, fd, people):
    program, coordinator, _ = fd
    notification = _notify(program, people[0], notes="Colleague's note")
    notification.trigger = "release"
    db.session.commit()  # version 2
    login(client, coordinator)
    data = _notification_data(people[0].participant_id, notes="My note", version="1")
    response = client.post(f"/notifications/{notification.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "My note" in page and "Colleague&#39;s note" in page
    db.session.refresh(notification)
    assert (notification.notes, notification.version) == ("Colleague's note", 2)


def test_notification_follow_ups_are_added_and_completed(client, fd, people):
    program, coordinator, _ = fd
    notification = _notify(program, people[0])
    login(client, coordinator)
    due = (local_today() + timedelta(days=7)).isoformat()
    response = client.post(
        f"/notifications/{notification.id}/follow-ups", data={"due_on": due, "note": "Check on job lead"}
    )
    assert response.status_code == 302
    follow_up = db.session.execute(select(FollowUp)).scalar_one()
    assert (follow_up.notification_id, follow_up.note) == (notification.id, "Check on job lead")
    page = client.get(f"/notifications/{notification.id}").get_data(as_text=True)
    assert "Check on job lead" in page and f"/deterrence/follow-ups/{follow_up.id}/done" in page
    client.post(f"/deterrence/follow-ups/{follow_up.id}/done", data={"done_on": local_today().isoformat()})
    db.session.refresh(follow_up)
    assert follow_up.done_on == local_today()


# --- the offer-of-help pipeline -------------------------------------------------------------------


def _enrolled(case, days_ago: int):
    case.enrolled_on = local_today() - timedelta(days=days_ago)
    db.session.commit()


def _referral(case, status: str, **fields) -> Referral:
    referral = Referral(
        case_id=case.id,
        service_category="employment",
        status=status,
        referred_on=local_today() - timedelta(days=2),
        is_anonymous=True,
        **fields,
    )
    db.session.add(referral)
    db.session.commit()
    return referral


@pytest.fixture
def pipeline_world(fd, make_case, make_program):
    """Four people offered help, three accepting, two with a case after the offer, one connected."""
    program, coordinator, _ = fd
    make = {name: make_case(program, coordinator, first_name=name, last_name="Person") for name in "ABCDEFGH"}
    call_in = _call_in(program, days_ago=20, hour=19)  # an evening call-in: the next day in UTC
    # A: notified and accepted; enrolled after; a connected referral. Also attended the call-in: still one person.
    _notify(program, make["A"], days_ago=10, accepted=True)
    _invite(call_in, make["A"], "attended")
    _enrolled(make["A"], 5)
    _referral(make["A"], "connected")
    # B: attended and accepted at the call-in; enrolled the same local day; its only connected referral is deleted.
    _invite(call_in, make["B"], "attended", accepted=True)
    _enrolled(make["B"], 20)
    _referral(make["B"], "completed", deleted_at=datetime(2026, 1, 1))
    # C: notified and accepted, but enrolled BEFORE the offer: no case opened, its referral does not count.
    _notify(program, make["C"], days_ago=10, accepted=True)
    _enrolled(make["C"], 30)
    _referral(make["C"], "connected")
    # D: attended, did not accept; enrolled long before.
    _invite(call_in, make["D"], "attended")
    _enrolled(make["D"], 40)
    # Not offered: a notification never delivered, an absent invitee, a deleted notification, an old one.
    _notify(program, make["E"], days_ago=3, delivered=False)
    _invite(call_in, make["F"], "absent")
    _notify(program, make["G"], days_ago=3, accepted=True, deleted_at=datetime(2026, 1, 1))
    _notify(program, make["H"], days_ago=200, accepted=True)
    # Another program's notification does not count here.
    elsewhere = make_program("focused_deterrence", "Elsewhere FD")
    _notify(elsewhere, make_case(elsewhere, first_name="Zed", last_name="Other"), days_ago=3, accepted=True)
    return program


def test_the_offer_pipeline_counts_people_through_each_step(app, pipeline_world):
    end = local_today()
    assert offer_pipeline(pipeline_world.id, end - timedelta(days=90), end) == OfferPipeline(
        offered=4, accepted=3, case_opened=2, services_connected=1
    )


def test_the_offer_pipeline_follows_the_period(app, pipeline_world):
    """Only the call-in falls in this window: A, B and D attended it, B accepted and enrolled that day."""
    end = local_today() - timedelta(days=15)
    assert offer_pipeline(pipeline_world.id, end - timedelta(days=10), end) == OfferPipeline(
        offered=3, accepted=1, case_opened=2, services_connected=1
    )


def test_the_figures_page_shows_the_pipeline_and_call_in_counts(client, fd, pipeline_world):
    _, coordinator, _ = fd
    login(client, coordinator)
    page = client.get(f"/deterrence/{pipeline_world.id}/figures").get_data(as_text=True)
    pipeline = page[page.index('id="pipeline"') : page.index("</table>", page.index('id="pipeline"'))]
    assert re.findall(r"<td>([^<]+)</td>", pipeline) == ["4", "3", "2", "1"]
    figures = page[page.index('id="call-in-figures"') :]
    assert re.findall(r"<td>([^<]+)</td>", figures)[:4] == ["1", "4", "3", "1"]
    assert "Person" not in page and NOTE not in page and VENUE not in page


def test_figures_take_a_date_range_and_refuse_an_inverted_one(client, fd, pipeline_world):
    _, coordinator, _ = fd
    login(client, coordinator)
    start, end = local_today() - timedelta(days=400), local_today() - timedelta(days=300)
    page = client.get(
        f"/deterrence/{pipeline_world.id}/figures?start={start.isoformat()}&end={end.isoformat()}"
    ).get_data(as_text=True)
    pipeline = page[page.index('id="pipeline"') : page.index("</table>", page.index('id="pipeline"'))]
    assert re.findall(r"<td>([^<]+)</td>", pipeline) == ["0", "0", "0", "0"]
    assert '<label class="form-label" for="start">' in page
    page = client.get(
        f"/deterrence/{pipeline_world.id}/figures?start={end.isoformat()}&end={start.isoformat()}"
    ).get_data(as_text=True)
    assert "The last day cannot be before the first." in page


def test_call_in_counts_are_people_and_sums_on_live_records(app, fd, people):
    program, _, _ = fd
    first, second = people
    one = _call_in(program, speakers_community=2, speakers_law_enforcement=3)
    two = _call_in(program, days_ago=4, speakers_community=1)
    gone = _call_in(program, days_ago=2, speakers_community=9, deleted_at=datetime(2026, 1, 1))
    _invite(one, first, "attended", accepted=True)
    _invite(two, first, "attended")
    _invite(two, second, "absent")
    _invite(gone, second, "attended", accepted=True)
    end = local_today()
    counts = call_in_counts(program.id, end - timedelta(days=30), end)
    assert (counts.held, counts.invited, counts.attended, counts.accepted) == (2, 2, 1, 1)
    assert (counts.speakers_community, counts.speakers_services, counts.speakers_law_enforcement) == (3, 0, 3)


# --- partners and small cells ----------------------------------------------------------------------


def test_partner_figures_suppress_counts_from_one_to_four(client, fd, partner, make_case):
    """Five invited prints 5, two attended prints <5, nobody accepting prints 0; members see exact numbers."""
    program, coordinator, _ = fd
    call_in = _call_in(program, notes=NOTE)
    for n in range(5):
        case = make_case(program, coordinator, first_name="Canary", last_name=f"Name{n}")
        _invite(call_in, case, "attended" if n < 2 else "invited")
    login(client, partner)
    response = client.get(f"/deterrence/{program.id}/figures")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    figures = page[page.index('id="call-in-figures"') : page.index("</table>", page.index('id="call-in-figures"'))]
    assert re.findall(r"<td>([^<]+)</td>", figures)[:4] == ["1", "5", "&lt;5", "0"]
    for canary in ("Canary", NOTE, VENUE):
        assert canary not in page
    login(client, coordinator)
    page = client.get(f"/deterrence/{program.id}/figures").get_data(as_text=True)
    figures = page[page.index('id="call-in-figures"') : page.index("</table>", page.index('id="call-in-figures"'))]
    assert re.findall(r"<td>([^<]+)</td>", figures)[:4] == ["1", "5", "2", "0"]


def test_the_small_cell_threshold_comes_from_config(client, app, fd, partner, people):
    program, _, _ = fd
    app.config["SMALL_CELL_THRESHOLD"] = 11
    _invite(_call_in(program), people[0])
    login(client, partner)
    page = client.get(f"/deterrence/{program.id}/figures").get_data(as_text=True)
    assert "&lt;11" in page and "&lt;5" not in page


def _every_other_page(program, case, call_in, notification, follow_up, affiliation) -> tuple[list, dict]:
    gets = [
        f"/deterrence/{program.id}/groups",
        f"/cases/{case.id}/deterrence",
        f"/deterrence/{program.id}/call-ins",
        f"/deterrence/{program.id}/call-ins/new",
        f"/call-ins/{call_in.id}",
        f"/call-ins/{call_in.id}/edit",
        f"/deterrence/{program.id}/notifications",
        f"/deterrence/{program.id}/notifications/new",
        f"/deterrence/{program.id}/notifications/new?participant_id={case.participant_id}",
        f"/notifications/{notification.id}",
        f"/notifications/{notification.id}/edit",
    ]
    posts = {
        f"/deterrence/{program.id}/groups": {"name": "Partner group", "submission_token": "p"},
        f"/cases/{case.id}/affiliations": {"group_id": str(affiliation.group_id), "submission_token": "p"},
        f"/cases/{case.id}/affiliations/{affiliation.id}/remove": {},
        f"/deterrence/{program.id}/call-ins/new": _call_in_data([case.participant_id], submission_token="p"),
        f"/call-ins/{call_in.id}": {"rows-0-invitee_id": "1", "rows-0-attendance": "attended"},
        f"/call-ins/{call_in.id}/edit": _call_in_data(version="1", venue="Changed"),
        f"/deterrence/{program.id}/notifications/new": _notification_data(case.participant_id, submission_token="p"),
        f"/notifications/{notification.id}/edit": _notification_data(case.participant_id, version="1", notes="X"),
        f"/notifications/{notification.id}/follow-ups": {"due_on": local_today().isoformat()},
        f"/deterrence/follow-ups/{follow_up.id}/done": {"done_on": local_today().isoformat()},
    }
    return gets, posts


@pytest.fixture
def records(fd, people):
    """One of everything in the program, to aim other users at."""
    program, coordinator, _ = fd
    case, _ = people
    group = DeterrenceGroup(program_id=program.id, name=GROUP)
    db.session.add(group)
    db.session.flush()
    affiliation = GroupAffiliation(case_id=case.id, group_id=group.id)
    db.session.add(affiliation)
    db.session.commit()
    call_in = _call_in(program)
    _invite(call_in, case)
    notification = _notify(program, case)
    follow_up = FollowUp(notification_id=notification.id, due_on=date(2026, 1, 1))
    db.session.add(follow_up)
    db.session.commit()
    return program, case, call_in, notification, follow_up, affiliation


def _assert_nothing_changed(records) -> None:
    program, case, call_in, notification, follow_up, affiliation = records
    for record in (call_in, notification, follow_up, affiliation):
        db.session.refresh(record)
    assert (_count(DeterrenceGroup), _count(CallIn), _count(Notification), _count(FollowUp)) == (1, 1, 1, 1)
    assert (call_in.venue, call_in.version, notification.version) == (VENUE, 1, 1)
    assert follow_up.done_on is None and affiliation.deleted_at is None
    assert db.session.execute(select(CallInInvitee.attendance)).scalar_one() == "invited"


def test_a_partner_gets_404_on_every_other_deterrence_page(client, fd, partner, records, make_program):
    gets, posts = _every_other_page(*records)
    login(client, partner)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 404, url
    other = make_program("focused_deterrence", "Another FD")
    assert client.get(f"/deterrence/{other.id}/figures").status_code == 404
    assert client.get(f"/deterrence/{records[0].id}/figures").status_code == 200
    _assert_nothing_changed(records)


def test_the_views_refuse_a_partner_even_past_the_app_gate(client, fd, records, make_program, make_user):
    """A partner here who works cases elsewhere passes the partner-only gate; these views still say 404."""
    program = records[0]
    elsewhere = make_program("street_outreach", "Outreach")
    both = make_user(roles={program: "partner", elsewhere: "worker"})
    gets, posts = _every_other_page(*records)
    login(client, both)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 404, url
    page = client.get(f"/deterrence/{program.id}/figures").get_data(as_text=True)
    assert "&lt;5" in page
    _assert_nothing_changed(records)


def test_a_worker_of_another_program_kind_gets_404_everywhere(client, records, make_program, make_user):
    program = records[0]
    outreach = make_program("street_outreach", "Outreach")
    worker = make_user(roles={outreach: "worker"})
    gets, posts = _every_other_page(*records)
    login(client, worker)
    for url in [*gets, f"/deterrence/{program.id}/figures", f"/deterrence/{outreach.id}/figures"]:
        assert client.get(url).status_code == 404, url
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 404, url
    # Their own program is not a deterrence program, so its id is no deterrence page either.
    assert client.get(f"/deterrence/{outreach.id}/call-ins").status_code == 404
    _assert_nothing_changed(records)


def test_a_follow_up_on_another_kind_of_record_is_not_found_here(client, fd, make_program):
    """The done route only takes notification follow-ups."""
    from caseflow.models import Mediation

    program, coordinator, _ = fd
    outreach = make_program("street_outreach", "Outreach")
    mediation = Mediation(
        program_id=outreach.id, occurred_at=datetime(2026, 1, 1), area="North", identified_by="tip", parties_count=2
    )
    db.session.add(mediation)
    db.session.flush()
    follow_up = FollowUp(mediation_id=mediation.id, due_on=date(2026, 1, 1))
    db.session.add(follow_up)
    db.session.commit()
    login(client, coordinator)
    response = client.post(f"/deterrence/follow-ups/{follow_up.id}/done", data={"done_on": "2026-01-02"})
    assert response.status_code == 404
    db.session.refresh(follow_up)
    assert follow_up.done_on is None


def test_the_case_page_is_only_for_deterrence_cases(client, fd, make_program, make_user, make_case):
    program, _, _ = fd
    outreach = make_program("street_outreach", "Outreach")
    both = make_user(roles={program: "worker", outreach: "worker"})
    case = make_case(outreach)
    login(client, both)
    assert client.get(f"/cases/{case.id}/deterrence").status_code == 404
