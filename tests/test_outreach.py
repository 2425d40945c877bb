"""The street outreach module through the web client: mediations, shooting responses, activity, figures."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import (
    AuditEvent,
    FollowUp,
    Incident,
    Mediation,
    MediationPerson,
    Notification,
    OutreachActivity,
    ShootingResponse,
)
from caseflow.models.base import utcnow
from caseflow.outreach.queries import activity_totals, mediation_counts, response_minutes, response_summary
from caseflow.timezones import local_now, local_today, to_utc
from tests.conftest import audit_count, login

GROUPS = "Canary-Crew-7731 and the Elm Street set"


@pytest.fixture
def outreach(make_program, make_user):
    """A street outreach program and one of its workers."""
    program = make_program("street_outreach", "Street Outreach")
    worker = make_user(roles={program: "worker"}, full_name="Rae Street")
    return program, worker


def _local(days_ago: int = 1, hour: int = 10, minute: int = 0) -> datetime:
    """A wall-clock time some days back, as a form would send it."""
    return (local_now() - timedelta(days=days_ago)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def _typed(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def _incident(days_ago: int = 2, hour: int = 1, area: str = "Eastside", **fields) -> Incident:
    incident = Incident(
        occurred_at=to_utc(_local(days_ago, hour)), area=area, kind="shooting", source="police", **fields
    )
    db.session.add(incident)
    db.session.commit()
    return incident


def _mediation_form(**overrides) -> dict:
    data = {
        "occurred_at": _typed(_local(1, 21, 15)),
        "area": "Eastside",
        "identified_by": "tip",
        "incident_id": "",
        "parties_count": "3",
        "groups_involved": GROUPS,
        "weapons_present": "y",
        "imminent_risk": "high",
        "actions_taken": "Talked both sides down at the corner store",
        "outcome": "resolved",
        "submission_token": "tok-m1",
    }
    data.update(overrides)
    return data


def _mediation(program, *, days_ago: int = 3, **fields) -> Mediation:
    """A mediation row straight in the database (local 20:00, days_ago)."""
    mediation = Mediation(
        program_id=program.id,
        occurred_at=fields.pop("occurred_at", to_utc(_local(days_ago, 20))),
        area=fields.pop("area", "Eastside"),
        identified_by=fields.pop("identified_by", "tip"),
        groups_involved=fields.pop("groups_involved", GROUPS),
        **fields,
    )
    db.session.add(mediation)
    db.session.commit()
    return mediation


def _response(program, worker, incident, minutes: int, **fields) -> ShootingResponse:
    response = ShootingResponse(
        program_id=program.id,
        incident_id=incident.id,
        responder_id=worker.id,
        location=fields.pop("location", "scene"),
        first_response_at=incident.occurred_at + timedelta(minutes=minutes),
        **fields,
    )
    db.session.add(response)
    db.session.commit()
    return response


def _response_form(incident, worker, **overrides) -> dict:
    data = {
        "incident_id": str(incident.id),
        "responder_id": str(worker.id),
        "location": "hospital",
        "first_response_at": _typed(_local(2, 2, 30)),
        "retaliation_risk": "high",
        "notes": "Family at the ER asked for help with the vigil",
        "submission_token": "tok-r1",
    }
    data.update(overrides)
    return data


def _count(model) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


# --- mediations -------------------------------------------------------------------------------


def test_a_mediation_with_no_enrolled_person_is_recorded(client, outreach):
    """Every field is kept, times in UTC, and the create is audited."""
    program, worker = outreach
    login(client, worker)
    response = client.post(f"/outreach/{program.id}/mediations/new", data=_mediation_form(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Mediation saved." in page
    mediation = db.session.execute(select(Mediation)).scalar_one()
    assert mediation.occurred_at == to_utc(_local(1, 21, 15))
    assert (mediation.area, mediation.identified_by, mediation.parties_count) == ("Eastside", "tip", 3)
    assert (mediation.weapons_present, mediation.imminent_risk, mediation.outcome) == (True, "high", "resolved")
    assert mediation.groups_involved == GROUPS and mediation.recorded_by_id == worker.id
    assert mediation.incident_id is None and mediation.people == []
    assert "Talked both sides down" in page and "No enrolled participants linked." in page
    assert audit_count(action="create", record_type="mediation", record_id=mediation.id) == 1


def test_the_incident_select_offers_the_last_60_days_only(client, outreach):
    """A mediation may point at a recent shooting in the register; old ones are not offered."""
    program, worker = outreach
    recent = _incident(days_ago=10, area="Recentville")
    old = _incident(days_ago=70, area="Oldtown")
    login(client, worker)
    page = client.get(f"/outreach/{program.id}/mediations/new").get_data(as_text=True)
    assert f'value="{recent.id}"' in page and "Recentville" in page and "Oldtown" not in page
    for name in ("occurred_at", "area", "identified_by", "incident_id", "parties_count", "groups_involved"):
        assert f'for="{name}"' in page
    client.post(
        f"/outreach/{program.id}/mediations/new", data=_mediation_form(incident_id=str(recent.id), submission_token="a")
    )
    assert db.session.execute(select(Mediation.incident_id)).scalar_one() == recent.id
    response = client.post(
        f"/outreach/{program.id}/mediations/new", data=_mediation_form(incident_id=str(old.id), submission_token="b")
    )
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert _count(Mediation) == 1


def test_a_double_submitted_mediation_makes_one_record(client, outreach):
    program, worker = outreach
    login(client, worker)
    client.post(f"/outreach/{program.id}/mediations/new", data=_mediation_form())
    response = client.post(f"/outreach/{program.id}/mediations/new", data=_mediation_form(), follow_redirects=True)
    assert "That mediation was already saved." in response.get_data(as_text=True)
    assert _count(Mediation) == 1


def test_invalid_mediation_input_is_refused_and_what_was_typed_is_kept(client, outreach):
    """One party is not a mediation; the page says so next to the field and keeps everything else."""
    program, worker = outreach
    login(client, worker)
    response = client.post(
        f"/outreach/{program.id}/mediations/new", data=_mediation_form(parties_count="1", area="Block 9 court")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter 2 to 100." in page and "Nothing has been saved yet." in page
    for typed in ('value="Block 9 court"', "Talked both sides down", GROUPS, 'value="1"', "checked"):
        assert typed in page
    assert _count(Mediation) == 0


def test_groups_involved_show_on_the_mediation_page_but_on_no_list_or_figures(client, outreach):
    """The sensitive field is for the mediation page (and its edit form) only."""
    program, worker = outreach
    mediation = _mediation(program, outcome="resolved")
    login(client, worker)
    assert GROUPS in client.get(f"/mediations/{mediation.id}").get_data(as_text=True)
    assert GROUPS in client.get(f"/mediations/{mediation.id}/edit").get_data(as_text=True)
    for url in (
        f"/outreach/{program.id}/mediations",
        f"/outreach/{program.id}/mediations?outcome=resolved",
        f"/outreach/{program.id}/figures",
        f"/outreach/{program.id}/responses",
        f"/outreach/{program.id}/activities",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert GROUPS not in response.get_data(as_text=True), url
    # The list still shows the mediation itself.
    assert f"/mediations/{mediation.id}" in client.get(f"/outreach/{program.id}/mediations").get_data(as_text=True)


def test_the_mediation_list_filters_and_summarises_the_period(client, outreach):
    program, worker = outreach
    resolved = _mediation(program, outcome="resolved", area="Northgate")
    _mediation(program, outcome="ongoing", area="Southgate", identified_by="social_media")
    _mediation(program, outcome="ongoing", area="Westgate", days_ago=200)
    login(client, worker)
    page = client.get(f"/outreach/{program.id}/mediations").get_data(as_text=True)
    assert "Northgate" in page and "Southgate" in page and "Westgate" not in page
    assert "2 mediations" in page
    page = client.get(f"/outreach/{program.id}/mediations?outcome=resolved").get_data(as_text=True)
    assert f"/mediations/{resolved.id}" in page and "Southgate" not in page
    page = client.get(f"/outreach/{program.id}/mediations?identified_by=social_media").get_data(as_text=True)
    assert "Southgate" in page and "Northgate" not in page
    start = (local_today() - timedelta(days=210)).isoformat()
    page = client.get(f"/outreach/{program.id}/mediations?start={start}").get_data(as_text=True)
    assert "Westgate" in page and "3 mediations" in page


def test_a_stale_mediation_edit_gets_a_conflict_page_and_keeps_the_newer_value(client, outreach):
    program, worker = outreach
    mediation = _mediation(program, outcome="ongoing")
    login(client, worker)
    assert 'name="version" type="hidden" value="1"' in client.get(f"/mediations/{mediation.id}/edit").get_data(
        as_text=True
    )
    mediation.outcome = "violence_occurred"
    db.session.commit()  # someone else saved: version 2
    data = _mediation_form(outcome="resolved", version="1", area="Typed Area")
    data.pop("submission_token")
    response = client.post(f"/mediations/{mediation.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this first" in page and "Violence occurred" in page
    assert 'value="Typed Area"' in page and 'name="version" type="hidden" value="2"' in page
    db.session.refresh(mediation)
    assert (mediation.outcome, mediation.area, mediation.version) == ("violence_occurred", "Eastside", 2)


def test_editing_a_mediation_records_its_outcome(client, outreach):
    program, worker = outreach
    mediation = _mediation(program, outcome="ongoing")
    login(client, worker)
    data = _mediation_form(outcome="temporarily_resolved", version="1", weapons_present="")
    data.pop("submission_token")
    response = client.post(f"/mediations/{mediation.id}/edit", data=data, follow_redirects=True)
    assert "Mediation updated." in response.get_data(as_text=True)
    db.session.refresh(mediation)
    assert (mediation.outcome, mediation.weapons_present, mediation.version) == ("temporarily_resolved", False, 2)


# --- linking people ---------------------------------------------------------------------------


def test_a_participant_in_scope_is_found_linked_and_unlinked(client, outreach, make_case):
    program, worker = outreach
    case = make_case(program, worker, first_name="Jordan", last_name="Keys")
    mediation = _mediation(program)
    login(client, worker)
    found = client.post(f"/mediations/{mediation.id}", data={"q": "Keys"}).get_data(as_text=True)
    assert "Jordan Keys" in found and f'name="participant_id" value="{case.participant_id}"' in found
    response = client.post(
        f"/mediations/{mediation.id}/people", data={"participant_id": case.participant_id}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Person linked." in page and "Jordan Keys" in page
    link = db.session.execute(select(MediationPerson)).scalar_one()
    assert (link.mediation_id, link.participant_id, link.linked_by_id) == (mediation.id, case.participant_id, worker.id)
    # The page view names the person it showed.
    view = (
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.action == "view", AuditEvent.record_type == "mediation")
            .order_by(AuditEvent.id.desc())
        )
        .scalars()
        .first()
    )
    assert view.record_id == mediation.id and view.record_ids == str(case.participant_id)
    again = client.post(
        f"/mediations/{mediation.id}/people", data={"participant_id": case.participant_id}, follow_redirects=True
    )
    assert "already linked" in again.get_data(as_text=True) and _count(MediationPerson) == 1
    response = client.post(f"/mediations/{mediation.id}/people/{link.id}/remove", follow_redirects=True)
    assert "Person unlinked." in response.get_data(as_text=True)
    assert _count(MediationPerson) == 0


def test_an_out_of_scope_participant_id_gets_404_and_links_nothing(client, outreach, make_program, make_case):
    program, worker = outreach
    other = make_case(make_program("hvip", "Trauma HVIP"), first_name="Hidden", last_name="Person")
    mediation = _mediation(program)
    login(client, worker)
    response = client.post(f"/mediations/{mediation.id}/people", data={"participant_id": other.participant_id})
    assert response.status_code == 404
    assert client.post(f"/mediations/{mediation.id}/people", data={"participant_id": "abc"}).status_code == 404
    assert _count(MediationPerson) == 0


def test_people_outside_the_caseload_show_without_names_and_cannot_be_unlinked(
    client, make_program, make_user, make_case
):
    """In a caseload-only program a colleague's participant is 'a participant outside your caseload'."""
    program = make_program("street_outreach", "Caseload Only", workers_see_own_caseload_only=True)
    worker = make_user(roles={program: "worker"})
    colleague = make_user(roles={program: "worker"})
    theirs = make_case(program, colleague, first_name="Secret", last_name="Colleaguecase")
    mediation = _mediation(program)
    link = MediationPerson(mediation_id=mediation.id, participant_id=theirs.participant_id)
    db.session.add(link)
    db.session.commit()
    login(client, worker)
    page = client.get(f"/mediations/{mediation.id}").get_data(as_text=True)
    assert "A participant outside your caseload" in page
    assert "Secret" not in page and "Colleaguecase" not in page
    assert client.post(f"/mediations/{mediation.id}/people/{link.id}/remove").status_code == 404
    assert _count(MediationPerson) == 1


# --- who may use the module ---------------------------------------------------------------------


def _every_outreach_url(program, mediation, response, activity, follow_up, link, incident) -> list:
    """(url, POST data or None for a GET) for every outreach page and action."""
    response_data = {**_response_form(incident, response.responder), "version": "1"}
    activity_data = {
        "occurred_on": "2026-01-01",
        "kind": "other",
        "staff_hours": "9",
        "people_reached": "0",
        "version": "1",
    }
    return [
        (f"/outreach/{program.id}/mediations", None),
        (f"/outreach/{program.id}/mediations/new", None),
        (f"/outreach/{program.id}/mediations/new", _mediation_form(submission_token="intruder")),
        (f"/mediations/{mediation.id}", None),
        (f"/mediations/{mediation.id}", {"q": "Person"}),
        (f"/mediations/{mediation.id}/edit", None),
        (f"/mediations/{mediation.id}/edit", {**_mediation_form(outcome="violence_occurred"), "version": "1"}),
        (f"/mediations/{mediation.id}/people", {"participant_id": link.participant_id}),
        (f"/mediations/{mediation.id}/people/{link.id}/remove", {}),
        (f"/mediations/{mediation.id}/follow-ups", {"due_on": "2030-01-01", "note": "intruder"}),
        (f"/mediations/{mediation.id}/delete", {}),
        (f"/outreach/follow-ups/{follow_up.id}/done", {"done_on": "2026-01-01"}),
        (f"/outreach/{program.id}/responses", None),
        (f"/outreach/{program.id}/responses/new", None),
        (f"/outreach/{program.id}/responses/new", {**response_data, "submission_token": "intruder"}),
        (f"/responses/{response.id}", None),
        (f"/responses/{response.id}/edit", None),
        (f"/responses/{response.id}/edit", response_data),
        (f"/responses/{response.id}/follow-ups", {"due_on": "2030-01-01", "note": "intruder"}),
        (f"/responses/{response.id}/delete", {}),
        (f"/outreach/{program.id}/activities", None),
        (f"/outreach/{program.id}/activities/new", None),
        (f"/outreach/{program.id}/activities/new", {**activity_data, "submission_token": "intruder"}),
        (f"/activities/{activity.id}/edit", None),
        (f"/activities/{activity.id}/edit", activity_data),
        (f"/activities/{activity.id}/delete", {}),
        (f"/outreach/{program.id}/figures", None),
    ]


@pytest.fixture
def outreach_world(outreach, make_case):
    """One of everything in the outreach program, to probe from outside."""
    program, worker = outreach
    mediation = _mediation(program, outcome="ongoing")
    case = make_case(program, worker)
    link = MediationPerson(mediation_id=mediation.id, participant_id=case.participant_id)
    incident = _incident()
    response = _response(program, worker, incident, 30)
    activity = OutreachActivity(program_id=program.id, occurred_on=local_today(), kind="canvassing", staff_minutes=60)
    follow_up = FollowUp(mediation_id=mediation.id, due_on=local_today())
    db.session.add_all([link, activity, follow_up])
    db.session.commit()
    return program, mediation, response, activity, follow_up, link, incident


def _assert_all_404(client, urls: list) -> None:
    for url, data in urls:
        response = client.get(url) if data is None else client.post(url, data=data)
        assert response.status_code == 404, (url, data is not None)


def _assert_nothing_changed(mediation, activity, follow_up) -> None:
    db.session.expire_all()
    assert (mediation.outcome, mediation.version, mediation.deleted_at) == ("ongoing", 1, None)
    assert activity.deleted_at is None and follow_up.done_on is None
    assert _count(Mediation) == 1 and _count(OutreachActivity) == 1 and _count(FollowUp) == 1
    assert _count(MediationPerson) == 1 and _count(ShootingResponse) == 1
    assert db.session.execute(select(ShootingResponse.version)).scalar_one() == 1


def test_a_worker_of_another_program_kind_gets_404_everywhere_and_changes_nothing(
    client, outreach_world, make_program, make_user
):
    program, mediation, response, activity, follow_up, link, incident = outreach_world
    hvip_worker = make_user(roles={make_program("hvip", "Trauma HVIP"): "worker"})
    login(client, hvip_worker)
    _assert_all_404(client, _every_outreach_url(*outreach_world))
    _assert_nothing_changed(mediation, activity, follow_up)
    # The register is shared, but the outreach section of an incident page is for outreach staff.
    shown = client.get(f"/incidents/{incident.id}")
    assert shown.status_code == 200
    assert "Record a response" not in shown.get_data(as_text=True)
    assert f"/responses/{response.id}" not in shown.get_data(as_text=True)


def test_a_partner_gets_404_everywhere_and_changes_nothing(client, outreach_world, make_program, make_user):
    program, mediation, response, activity, follow_up, link, incident = outreach_world
    partner = make_user(roles={make_program("focused_deterrence", "Ceasefire"): "partner"})
    login(client, partner)
    _assert_all_404(client, _every_outreach_url(*outreach_world))
    _assert_nothing_changed(mediation, activity, follow_up)


def test_a_partner_membership_of_the_outreach_program_itself_grants_nothing(
    client, outreach_world, make_program, make_user
):
    """role_in ignores partner memberships, even for someone with casework elsewhere."""
    program, mediation, response, activity, follow_up, link, incident = outreach_world
    user = make_user(roles={program: "partner", make_program("hvip", "Trauma HVIP"): "worker"})
    login(client, user)
    _assert_all_404(client, _every_outreach_url(*outreach_world))
    _assert_nothing_changed(mediation, activity, follow_up)


def test_an_hvip_program_id_is_not_an_outreach_program(client, make_program, make_user):
    hvip = make_program("hvip", "Trauma HVIP")
    login(client, make_user(roles={hvip: "manager"}))
    for section in ("mediations", "responses", "activities", "figures", "mediations/new"):
        assert client.get(f"/outreach/{hvip.id}/{section}").status_code == 404


# --- shooting responses -------------------------------------------------------------------------


def test_a_shooting_response_is_recorded_from_the_incident_page(client, outreach, make_user):
    """The incident page links to the form with the incident chosen and the worker as responder."""
    program, worker = outreach
    colleague = make_user(roles={program: "supervisor"}, full_name="Sam Supervisor")
    incident = _incident(days_ago=2, hour=1)
    login(client, worker)
    incident_page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    new_url = f"/outreach/{program.id}/responses/new?incident_id={incident.id}"
    assert "Record a response" in incident_page and new_url in incident_page.replace("&amp;", "&")
    form = client.get(new_url).get_data(as_text=True)
    assert f'<option selected value="{incident.id}">' in form
    assert f'<option selected value="{worker.id}">Rae Street</option>' in form and "Sam Supervisor" in form
    response = client.post(new_url, data=_response_form(incident, colleague), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Response saved." in page and "Sam Supervisor" in page and ">90<" in page  # 01:00 to 02:30
    saved = db.session.execute(select(ShootingResponse)).scalar_one()
    assert (saved.incident_id, saved.responder_id, saved.location) == (incident.id, colleague.id, "hospital")
    assert saved.first_response_at == to_utc(_local(2, 2, 30)) and saved.recorded_by_id == worker.id
    assert f"/responses/{saved.id}" in client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    listing = client.get(f"/outreach/{program.id}/responses").get_data(as_text=True)
    assert "Sam Supervisor" in listing and "Hospital" in listing and "<td>90</td>" in listing


def test_a_response_before_the_incident_is_refused_with_a_message(client, outreach):
    program, worker = outreach
    incident = _incident(days_ago=2, hour=5)
    login(client, worker)
    data = _response_form(incident, worker, first_response_at=_typed(_local(2, 4, 0)))
    response = client.post(f"/outreach/{program.id}/responses/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The first response cannot be before the incident happened" in page
    assert _typed(_local(2, 4, 0)) in page and "Family at the ER" in page
    assert _count(ShootingResponse) == 0


def test_a_responder_from_outside_the_program_is_refused(client, outreach, make_user, make_program):
    program, worker = outreach
    outsider = make_user(roles={make_program("hvip"): "worker"})
    incident = _incident()
    login(client, worker)
    response = client.post(f"/outreach/{program.id}/responses/new", data=_response_form(incident, outsider))
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert _count(ShootingResponse) == 0


def test_a_double_submitted_response_makes_one_record(client, outreach):
    program, worker = outreach
    incident = _incident()
    login(client, worker)
    client.post(f"/outreach/{program.id}/responses/new", data=_response_form(incident, worker))
    response = client.post(
        f"/outreach/{program.id}/responses/new", data=_response_form(incident, worker), follow_redirects=True
    )
    assert "That response was already saved." in response.get_data(as_text=True)
    assert _count(ShootingResponse) == 1


def test_a_stale_response_edit_gets_a_conflict_page(client, outreach):
    program, worker = outreach
    incident = _incident()
    saved = _response(program, worker, incident, 45, notes="first notes")
    login(client, worker)
    assert 'name="version" type="hidden" value="1"' in client.get(f"/responses/{saved.id}/edit").get_data(as_text=True)
    saved.notes = "someone else's notes"
    db.session.commit()
    data = {**_response_form(incident, worker, notes="my notes"), "version": "1"}
    response = client.post(f"/responses/{saved.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "someone else&#39;s notes" in page and "my notes" in page
    db.session.refresh(saved)
    assert saved.notes == "someone else's notes" and saved.version == 2


# --- follow-ups ---------------------------------------------------------------------------------


def test_follow_ups_on_a_mediation_are_added_and_marked_done(client, outreach):
    program, worker = outreach
    mediation = _mediation(program)
    login(client, worker)
    due = local_today() + timedelta(days=7)
    response = client.post(
        f"/mediations/{mediation.id}/follow-ups",
        data={"due_on": due.isoformat(), "note": "Check both sides still calm"},
        follow_redirects=True,
    )
    assert "Follow-up added." in response.get_data(as_text=True)
    follow_up = db.session.execute(select(FollowUp)).scalar_one()
    assert (follow_up.mediation_id, follow_up.due_on, follow_up.note) == (
        mediation.id,
        due,
        "Check both sides still calm",
    )
    page = client.get(f"/mediations/{mediation.id}").get_data(as_text=True)
    assert "Check both sides still calm" in page and f"/outreach/follow-ups/{follow_up.id}/done" in page
    response = client.post(
        f"/outreach/follow-ups/{follow_up.id}/done", data={"done_on": local_today().isoformat()}, follow_redirects=True
    )
    assert "Follow-up marked done." in response.get_data(as_text=True)
    db.session.refresh(follow_up)
    assert follow_up.done_on == local_today()
    again = client.post(
        f"/outreach/follow-ups/{follow_up.id}/done", data={"done_on": local_today().isoformat()}, follow_redirects=True
    )
    assert "already marked done" in again.get_data(as_text=True)


def test_an_invalid_follow_up_re_renders_the_page_with_the_typed_note(client, outreach):
    program, worker = outreach
    mediation = _mediation(program)
    login(client, worker)
    response = client.post(f"/mediations/{mediation.id}/follow-ups", data={"due_on": "", "note": "Call the aunt"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Give the date the follow-up is due." in page and "Call the aunt" in page and GROUPS in page
    assert _count(FollowUp) == 0


def test_follow_ups_on_a_shooting_response(client, outreach):
    program, worker = outreach
    saved = _response(program, worker, _incident(), 30)
    login(client, worker)
    due = local_today() + timedelta(days=2)
    client.post(f"/responses/{saved.id}/follow-ups", data={"due_on": due.isoformat(), "note": "Vigil on Friday"})
    follow_up = db.session.execute(select(FollowUp)).scalar_one()
    assert (follow_up.shooting_response_id, follow_up.due_on) == (saved.id, due)
    assert "Vigil on Friday" in client.get(f"/responses/{saved.id}").get_data(as_text=True)


def test_a_notifications_follow_up_is_not_this_modules(client, outreach, make_program, make_case):
    """Marking a deterrence follow-up done through the outreach route answers 404."""
    program, worker = outreach
    fd = make_program("focused_deterrence", "Ceasefire")
    case = make_case(fd)
    notification = Notification(
        program_id=fd.id, participant_id=case.participant_id, notified_on=local_today(), trigger="incident"
    )
    db.session.add(notification)
    db.session.flush()
    follow_up = FollowUp(notification_id=notification.id, due_on=local_today())
    db.session.add(follow_up)
    db.session.commit()
    login(client, worker)
    assert client.post(f"/outreach/follow-ups/{follow_up.id}/done", data={"done_on": "2026-01-01"}).status_code == 404
    db.session.refresh(follow_up)
    assert follow_up.done_on is None


# --- community activity --------------------------------------------------------------------------


def test_activity_hours_are_stored_as_whole_minutes(client, outreach):
    program, worker = outreach
    login(client, worker)
    data = {
        "occurred_on": local_today().isoformat(),
        "kind": "canvassing",
        "area": "Eastside",
        "staff_hours": "2.5",
        "people_reached": "40",
        "description": "Door to door after the shooting",
        "submission_token": "tok-a1",
    }
    response = client.post(f"/outreach/{program.id}/activities/new", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Activity saved." in page and "2.5 staff hours" in page
    activity = db.session.execute(select(OutreachActivity)).scalar_one()
    assert (activity.staff_minutes, activity.people_reached, activity.kind) == (150, 40, "canvassing")
    assert 'value="2.50"' in client.get(f"/activities/{activity.id}/edit").get_data(as_text=True)
    client.post(f"/outreach/{program.id}/activities/new", data=data)
    assert _count(OutreachActivity) == 1


def test_invalid_activity_input_keeps_what_was_typed(client, outreach):
    program, worker = outreach
    login(client, worker)
    data = {"occurred_on": local_today().isoformat(), "kind": "", "staff_hours": "-1", "area": "Park 12"}
    response = client.post(f"/outreach/{program.id}/activities/new", data=data)
    page = response.get_data(as_text=True)
    assert "Choose the kind of activity." in page and "Enter 0 to 1000 hours." in page
    assert 'value="Park 12"' in page and 'value="-1"' in page
    assert _count(OutreachActivity) == 0


def test_a_stale_activity_edit_gets_a_conflict_page(client, outreach):
    program, worker = outreach
    activity = OutreachActivity(program_id=program.id, occurred_on=local_today(), kind="other", staff_minutes=90)
    db.session.add(activity)
    db.session.commit()
    activity.staff_minutes = 120
    db.session.commit()
    login(client, worker)
    data = {
        "occurred_on": local_today().isoformat(),
        "kind": "other",
        "staff_hours": "3",
        "people_reached": "0",
        "version": "1",
    }
    response = client.post(f"/activities/{activity.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "<td>3</td><td>2</td>" in page and 'name="version" type="hidden" value="2"' in page
    db.session.refresh(activity)
    assert activity.staff_minutes == 120


# --- figures and deleting ------------------------------------------------------------------------


@pytest.fixture
def figures_world(outreach):
    """A hand-built period with known answers, plus deleted and out-of-range records that must not count."""
    program, worker = outreach
    gone = utcnow()
    _mediation(program, outcome="resolved", identified_by="tip", weapons_present=True)
    _mediation(program, outcome="resolved", identified_by="tip")
    _mediation(program, outcome="ongoing", identified_by="incident")
    _mediation(program, outcome="resolved", identified_by="tip", weapons_present=True, deleted_at=gone)
    _mediation(program, outcome="resolved", identified_by="release", days_ago=200)
    incident = _incident(days_ago=10, hour=3)
    for minutes in (30, 90, 2000):
        _response(program, worker, incident, minutes)
    _response(program, worker, incident, 5, deleted_at=gone)
    deleted_incident = _incident(days_ago=9, hour=3, deleted_at=gone)
    _response(program, worker, deleted_incident, 1)
    today = local_today()
    db.session.add_all(
        [
            OutreachActivity(
                program_id=program.id, occurred_on=today, kind="canvassing", staff_minutes=90, people_reached=30
            ),
            OutreachActivity(
                program_id=program.id, occurred_on=today, kind="canvassing", staff_minutes=60, people_reached=12
            ),
            OutreachActivity(
                program_id=program.id, occurred_on=today, kind="community_event", staff_minutes=240, people_reached=200
            ),
            OutreachActivity(
                program_id=program.id, occurred_on=today, kind="other", staff_minutes=600, deleted_at=gone
            ),
            OutreachActivity(
                program_id=program.id, occurred_on=today - timedelta(days=200), kind="other", staff_minutes=60
            ),
        ]
    )
    db.session.commit()
    return program, worker


def test_the_queries_match_the_hand_built_fixture(app, figures_world):
    program, _ = figures_world
    end = local_today()
    start = end - timedelta(days=90)
    counts = mediation_counts(program.id, start, end)
    assert (counts.total, counts.weapons_present) == (3, 1)
    assert {r.value: r.count for r in counts.by_outcome} == {
        "resolved": 2,
        "temporarily_resolved": 0,
        "ongoing": 1,
        "violence_occurred": 0,
    }
    assert {r.value: r.count for r in counts.by_source if r.count} == {"tip": 2, "incident": 1}
    assert response_minutes(program.id, start, end) == [30, 90, 2000]
    summary = response_summary(program.id, start, end)
    assert (summary.count, summary.median_minutes, summary.within_24h) == (3, 90, 2)
    assert summary.share_within_24h == pytest.approx(2 / 3)
    totals = activity_totals(program.id, start, end)
    assert (totals.count, totals.minutes, totals.people_reached, totals.hours) == (3, 390, 242, 6.5)
    by_kind = {k.kind: (k.count, k.minutes, k.people_reached) for k in totals.by_kind}
    assert by_kind["canvassing"] == (2, 150, 42) and by_kind["community_event"] == (1, 240, 200)
    assert by_kind["other"] == (0, 0, 0)
    # A wider period takes in the old records.
    wide = mediation_counts(program.id, end - timedelta(days=365), end)
    assert wide.total == 4 and activity_totals(program.id, end - timedelta(days=365), end).minutes == 450
    assert response_summary(program.id, date(2000, 1, 1), date(2000, 1, 2)).median_minutes is None


def test_the_figures_page_shows_the_same_numbers(client, figures_world):
    program, worker = figures_world
    login(client, worker)
    page = client.get(f"/outreach/{program.id}/figures").get_data(as_text=True)
    assert '<th scope="row">Resolved</th><td>2</td>' in page
    assert '<th scope="row">Ongoing</th><td>1</td>' in page
    assert '<th scope="row">Tip</th><td>2</td>' in page
    assert '<th scope="row">Total</th><td>3</td>' in page
    assert '<th scope="row">Mediations with weapons present</th><td>1</td>' in page
    assert '<th scope="row">Shooting responses</th><td>3</td>' in page
    assert "<td>90</td>" in page and "2 of 3 (67%)" in page
    assert '<th scope="row">Canvassing</th><td>2</td><td>2.5</td><td>42</td>' in page
    assert '<th scope="row">Total</th><td>3</td><td>6.5</td><td>242</td>' in page
    assert GROUPS not in page
    start = (local_today() - timedelta(days=365)).isoformat()
    wide = client.get(f"/outreach/{program.id}/figures?start={start}").get_data(as_text=True)
    assert '<th scope="row">Release from custody</th><td>1</td>' in wide


def test_a_supervisor_deletes_a_mediation_and_it_leaves_every_page_and_figure(client, outreach, make_user):
    program, worker = outreach
    supervisor = make_user(roles={program: "supervisor"})
    mediation = _mediation(program, outcome="resolved", area="Deletedville")
    login(client, worker)
    assert client.post(f"/mediations/{mediation.id}/delete").status_code == 403
    login(client, supervisor)
    response = client.post(f"/mediations/{mediation.id}/delete", follow_redirects=True)
    assert "Deleted." in response.get_data(as_text=True)
    db.session.refresh(mediation)
    assert mediation.deleted_at is not None and mediation.deleted_by_id == supervisor.id
    assert audit_count(action="delete", record_type="mediation", record_id=mediation.id) == 1
    assert client.get(f"/mediations/{mediation.id}").status_code == 404
    assert "Deletedville" not in client.get(f"/outreach/{program.id}/mediations").get_data(as_text=True)
    assert mediation_counts(program.id, local_today() - timedelta(days=30), local_today()).total == 0


def test_a_deleted_mediation_waits_in_deleted_items_and_the_supervisor_restores_it(client, outreach, make_user):
    """Module records come back from the same Deleted items page as case records."""
    program, worker = outreach
    supervisor = make_user(roles={program: "supervisor"})
    mediation = _mediation(program, outcome="resolved", area="Comebackville")
    login(client, supervisor)
    client.post(f"/mediations/{mediation.id}/delete")
    listing = client.get("/deleted").get_data(as_text=True)
    assert "Mediation" in listing and program.name in listing
    assert f"/deleted/mediation/{mediation.id}/restore" in listing
    restored = client.post(f"/deleted/mediation/{mediation.id}/restore", follow_redirects=True)
    assert "Restored." in restored.get_data(as_text=True)
    assert client.get(f"/mediations/{mediation.id}").status_code == 200
    assert audit_count(action="restore", record_type="mediation", record_id=mediation.id) == 1
    # A worker cannot restore, and cannot even find it in the list.
    client.post(f"/mediations/{mediation.id}/delete")
    login(client, worker)
    assert client.post(f"/deleted/mediation/{mediation.id}/restore").status_code == 404
    db.session.refresh(mediation)
    assert mediation.deleted_at is not None
