"""The shooting incident register through the web client: list, record, correct, link people, delete, trend."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.incidents.queries import monthly_shootings, months_back
from caseflow.models.base import utcnow
from caseflow.models.incident import Incident, IncidentPerson
from caseflow.timezones import local_now
from tests.conftest import PASSWORD, audit_count, csrf_token_from, login


@pytest.fixture
def outreach(make_program, make_user):
    program = make_program("street_outreach", "Street Outreach")
    worker = make_user(roles={program: "worker"}, full_name="Rae Worker")
    return program, worker


@pytest.fixture
def make_incident(app):
    def make(**fields) -> Incident:
        incident = Incident(
            occurred_at=fields.pop("occurred_at", datetime(2026, 3, 5, 18, 0)),
            area=fields.pop("area", "Eastside"),
            kind=fields.pop("kind", "shooting"),
            fatal_victims=fields.pop("fatal_victims", 0),
            nonfatal_victims=fields.pop("nonfatal_victims", 1),
            source=fields.pop("source", "police"),
            **fields,
        )
        db.session.add(incident)
        db.session.commit()
        return incident

    return make


def _form(**overrides) -> dict:
    data = {
        "occurred_at": "2026-03-05T21:30",
        "area": "Eastside, Beat 12",
        "kind": "shooting",
        "fatal_victims": "1",
        "nonfatal_victims": "2",
        "source": "police",
        "source_ref": "PD-1001",
        "status": "reported",
        "notes": "Two groups outside the store.",
        "submission_token": "tok-1",
    }
    data.update(overrides)
    return data


def _count(model=Incident) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


# --- access ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/incidents", "/incidents/new", "/incidents/trend"])
def test_administrator_without_membership_is_refused(client, make_user, url):
    """Administrators see no register unless they also work in a program."""
    login(client, make_user(is_admin=True))
    assert client.get(url).status_code == 403


def test_administrator_is_refused_an_incident_page(client, make_user, make_incident):
    """Even a known incident id answers 403 to an administrator without a program."""
    incident = make_incident()
    login(client, make_user(is_admin=True))
    assert client.get(f"/incidents/{incident.id}").status_code == 403
    assert client.post(f"/incidents/{incident.id}/delete").status_code == 403


def test_anonymous_visitor_is_sent_to_login(client):
    """The register needs a session like everything else."""
    assert client.get("/incidents").status_code in (302, 401)


# --- create ---------------------------------------------------------------------------


def test_worker_records_an_incident_stored_in_utc(client, outreach):
    """A local wall-clock time is stored as UTC, and the page shows it back in local time."""
    _, worker = outreach
    login(client, worker)
    response = client.post("/incidents/new", data=_form(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Incident saved." in page and "Eastside, Beat 12" in page and "05 Mar 2026, 21:30" in page
    incident = db.session.execute(select(Incident)).scalar_one()
    # Chicago is UTC-6 in early March.
    assert incident.occurred_at == datetime(2026, 3, 6, 3, 30)
    assert (incident.fatal_victims, incident.nonfatal_victims, incident.created_by_id) == (1, 2, worker.id)
    assert audit_count(action="create", record_type="incident", record_id=incident.id) == 1


def test_double_submit_makes_one_incident(client, outreach):
    """The same token sent twice saves one incident and says so."""
    _, worker = outreach
    login(client, worker)
    client.post("/incidents/new", data=_form())
    second = client.post("/incidents/new", data=_form(), follow_redirects=True)
    assert "That incident was already saved." in second.get_data(as_text=True)
    assert _count() == 1


def test_new_form_carries_a_submission_token(client, outreach):
    """The create form renders its one-time token."""
    login(client, outreach[1])
    page = client.get("/incidents/new").get_data(as_text=True)
    assert 'name="submission_token"' in page and 'name="occurred_at"' in page


def test_future_incident_is_refused_keeping_input(client, outreach):
    """A date in the future is an error; what was typed stays in the form."""
    login(client, outreach[1])
    future = (local_now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/incidents/new", data=_form(occurred_at=future))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An incident cannot be in the future." in page
    assert future in page and "Eastside, Beat 12" in page and "PD-1001" in page
    assert _count() == 0


def test_shots_fired_with_victims_is_refused_clearly(client, outreach):
    """Shots fired means nobody was hit, so victim counts must be zero."""
    login(client, outreach[1])
    response = client.post("/incidents/new", data=_form(kind="shots_fired", fatal_victims="0", nonfatal_victims="1"))
    page = response.get_data(as_text=True)
    assert "Shots fired means no one was hit" in page
    assert "Eastside, Beat 12" in page
    assert _count() == 0


def test_shots_fired_without_victims_is_saved(client, outreach):
    """The same kind with zero victims is fine."""
    login(client, outreach[1])
    client.post("/incidents/new", data=_form(kind="shots_fired", fatal_victims="0", nonfatal_victims="0"))
    assert db.session.execute(select(Incident.kind)).scalar_one() == "shots_fired"


def test_negative_and_huge_counts_are_refused(client, outreach):
    """Victim counts are 0 to 50; the typed numbers stay visible."""
    login(client, outreach[1])
    response = client.post("/incidents/new", data=_form(fatal_victims="-1", nonfatal_victims="51"))
    page = response.get_data(as_text=True)
    assert page.count("Enter 0 to 50.") == 2
    assert 'value="-1"' in page and 'value="51"' in page
    assert _count() == 0


def test_missing_area_is_refused(client, outreach):
    """The area is required."""
    login(client, outreach[1])
    page = client.post("/incidents/new", data=_form(area="")).get_data(as_text=True)
    assert "Enter the area." in page and _count() == 0


def test_reused_source_reference_is_refused(client, outreach, make_incident):
    """A feed reference names one incident per source."""
    make_incident(source="police", source_ref="PD-1001")
    login(client, outreach[1])
    page = client.post("/incidents/new", data=_form()).get_data(as_text=True)
    assert "already has that reference" in page and "Eastside, Beat 12" in page
    assert _count() == 1


# --- edit -----------------------------------------------------------------------------


def test_edit_form_is_prefilled_in_local_time_with_version(client, outreach, make_incident):
    """The edit form shows the stored time on the local clock and carries the version."""
    incident = make_incident(occurred_at=datetime(2026, 3, 6, 3, 30))
    login(client, outreach[1])
    page = client.get(f"/incidents/{incident.id}/edit").get_data(as_text=True)
    assert 'value="2026-03-05T21:30"' in page and 'name="version"' in page and 'value="1"' in page


def test_edit_saves_and_is_audited(client, outreach, make_incident):
    """A correction from the current version is saved."""
    incident = make_incident()
    login(client, outreach[1])
    response = client.post(
        f"/incidents/{incident.id}/edit", data=_form(area="Westside", status="confirmed", version="1")
    )
    assert response.status_code == 302
    db.session.refresh(incident)
    assert (incident.area, incident.status, incident.version) == ("Westside", "confirmed", 2)
    assert audit_count(action="update", record_type="incident", record_id=incident.id) == 1


def test_stale_edit_shows_conflict_with_both_values(client, outreach, make_incident):
    """Someone saved in between: 409, the typed and the saved values side by side, nothing overwritten."""
    incident = make_incident(area="Northside")
    incident.area = "Southside"  # another user's save moves the version to 2
    db.session.commit()
    login(client, outreach[1])
    response = client.post(f"/incidents/{incident.id}/edit", data=_form(area="Westside", version="1"))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Westside" in page and "Southside" in page
    assert 'name="version"' in page and 'value="2"' in page
    db.session.refresh(incident)
    assert incident.area == "Southside"


def test_edit_with_bad_input_keeps_it(client, outreach, make_incident):
    """Validation errors on edit keep the typed values and save nothing."""
    incident = make_incident(area="Northside")
    login(client, outreach[1])
    page = client.post(
        f"/incidents/{incident.id}/edit", data=_form(area="Westside", fatal_victims="-3", version="1")
    ).get_data(as_text=True)
    assert "Enter 0 to 50." in page and "Westside" in page
    db.session.refresh(incident)
    assert incident.area == "Northside"


# --- list and filters -----------------------------------------------------------------


def _list(client, **args) -> str:
    return client.get("/incidents", query_string=args).get_data(as_text=True)


def test_list_shows_newest_first_with_counts(client, outreach, make_incident):
    """Newest first, local times, kind, counts, source and status."""
    make_incident(area="Older Area", occurred_at=datetime(2026, 1, 10, 12, 0))
    make_incident(area="Newer Area", occurred_at=datetime(2026, 2, 10, 12, 0), fatal_victims=2, source="hospital")
    login(client, outreach[1])
    page = _list(client)
    assert page.index("Newer Area") < page.index("Older Area")
    assert "10 Feb 2026, 06:00" in page and "Hospital" in page and "Shooting with injury" in page


def test_list_filters_by_local_date_range(client, outreach, make_incident):
    """From/to are whole local days: 02:00 UTC on 1 Feb is still 31 Jan in Chicago."""
    make_incident(area="Late January", occurred_at=datetime(2026, 2, 1, 2, 0))
    make_incident(area="Mid February", occurred_at=datetime(2026, 2, 15, 12, 0))
    make_incident(area="March", occurred_at=datetime(2026, 3, 15, 12, 0))
    login(client, outreach[1])
    page = _list(client, date_from="2026-02-01", date_to="2026-02-28")
    assert "Mid February" in page and "Late January" not in page and "March" not in page
    page = _list(client, date_to="2026-01-31")
    assert "Late January" in page and "Mid February" not in page


def test_invalid_filter_date_shows_message_and_keeps_input(client, outreach, make_incident):
    """A date that is not a date is reported and kept in the box."""
    make_incident()
    login(client, outreach[1])
    page = _list(client, date_from="2026-13-45", area="East")
    assert "Not a valid date value." in page
    assert 'value="2026-13-45"' in page and 'value="East"' in page


def test_list_filters_by_area_case_insensitively_and_literally(client, outreach, make_incident):
    """Area matches part of the name in any case; % and _ are plain characters."""
    make_incident(area="Eastside Beat 4")
    make_incident(area="Westside")
    make_incident(area="100% Block")
    login(client, outreach[1])
    page = _list(client, area="eastSIDE")
    assert "Eastside Beat 4" in page and "Westside" not in page
    page = _list(client, area="%")
    assert "100% Block" in page and "Eastside Beat 4" not in page
    assert "No incidents match." in _list(client, area="_")


def test_list_filters_by_kind_source_and_status(client, outreach, make_incident):
    """The three choice filters narrow the list exactly."""
    make_incident(area="Alpha", kind="shots_fired", nonfatal_victims=0, source="community")
    make_incident(area="Bravo", source="hospital", status="confirmed")
    make_incident(area="Charlie", source="police", status="closed")
    login(client, outreach[1])
    page = _list(client, kind="shots_fired")
    assert "Alpha" in page and "Bravo" not in page and "Charlie" not in page
    page = _list(client, source="hospital")
    assert "Bravo" in page and "Alpha" not in page and "Charlie" not in page
    page = _list(client, status="closed")
    assert "Charlie" in page and "Alpha" not in page and "Bravo" not in page


def test_list_paginates_by_25_keeping_filters(client, outreach, make_incident):
    """26 matches make two pages; the next link keeps the filter."""
    for i in range(26):
        make_incident(area=f"Zone {i:02d}", occurred_at=datetime(2026, 1, 1, 12, 0) + timedelta(days=i))
    make_incident(area="Elsewhere")
    login(client, outreach[1])
    first = _list(client, area="zone")
    assert "Page 1 of 2" in first and "Zone 25" in first and "Zone 00" not in first
    assert "area=zone" in first and "page=2" in first
    second = _list(client, area="zone", page=2)
    assert "Zone 00" in second and "Zone 25" not in second and "Elsewhere" not in second


# --- the incident page and links ------------------------------------------------------


@pytest.fixture
def people(outreach, make_program, make_case):
    """One person in the worker's program, one only in another program."""
    program, worker = outreach
    mine = make_case(program, worker, first_name="Marcus", last_name="Bellweather").participant
    other_program = make_program("hvip", "Hospital Program")
    theirs = make_case(other_program, first_name="Zed", last_name="Outofscope").participant
    return mine, theirs


def test_search_then_link_a_participant_in_scope(client, outreach, people, make_incident):
    """Search in the POST body, link with a role: the person appears, and the link is audited."""
    mine, _ = people
    incident = make_incident()
    login(client, outreach[1])
    found = client.post(f"/incidents/{incident.id}", data={"q": "Marcus Bellweather"}).get_data(as_text=True)
    assert "Marcus Bellweather" in found and f'name="participant_id" value="{mine.id}"' in found
    response = client.post(
        f"/incidents/{incident.id}/people", data={"participant_id": mine.id, "role": "victim"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Person linked." in page and "Marcus Bellweather" in page and "Victim" in page
    link = db.session.execute(select(IncidentPerson)).scalar_one()
    assert (link.participant_id, link.role) == (mine.id, "victim")
    assert audit_count(action="create", record_type="incident_person", record_id=link.id) == 1


def test_link_with_csrf_on_uses_the_page_token(csrf_app, outreach, people, make_incident):
    """With CSRF protection on, the token on the search results links the person; a forged post does not."""
    mine, _ = people
    incident = make_incident()
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": outreach[1].email, "password": PASSWORD, "csrf_token": token})
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    found = client.post(
        f"/incidents/{incident.id}", data={"q": "Marcus Bellweather", "csrf_token": csrf_token_from(page)}
    ).get_data(as_text=True)
    forged = client.post(f"/incidents/{incident.id}/people", data={"participant_id": mine.id, "role": "victim"})
    assert forged.status_code == 400 and _count(IncidentPerson) == 0
    client.post(
        f"/incidents/{incident.id}/people",
        data={"participant_id": mine.id, "role": "victim", "csrf_token": csrf_token_from(found)},
    )
    assert _count(IncidentPerson) == 1


def test_page_view_is_audited_with_shown_participants(client, outreach, people, make_incident):
    """The page view records the incident and the ids of the linked people shown, and only those."""
    mine, theirs = people
    incident = make_incident()
    db.session.add_all(
        [
            IncidentPerson(incident_id=incident.id, participant_id=mine.id, role="victim"),
            IncidentPerson(incident_id=incident.id, participant_id=theirs.id, role="involved"),
        ]
    )
    db.session.commit()
    login(client, outreach[1])
    client.get(f"/incidents/{incident.id}")
    assert audit_count(action="view", record_type="incident", record_id=incident.id, record_ids=str(mine.id)) == 1


def test_out_of_scope_linked_person_is_invisible(client, outreach, people, make_incident):
    """A person linked from another program leaves no name, count or hint."""
    _, theirs = people
    incident = make_incident()
    db.session.add(IncidentPerson(incident_id=incident.id, participant_id=theirs.id, role="victim"))
    db.session.commit()
    login(client, outreach[1])
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "Outofscope" not in page and "Zed" not in page
    assert "Victim" not in page
    assert "None linked from your programs." in page
    # The audit row names no one the user was not shown.
    assert audit_count(action="view", record_type="incident", record_id=incident.id, record_ids="") == 1


def test_linking_out_of_scope_participant_is_404(client, outreach, people, make_incident):
    """A participant id from another program is not found, and nothing is linked."""
    _, theirs = people
    incident = make_incident()
    login(client, outreach[1])
    response = client.post(f"/incidents/{incident.id}/people", data={"participant_id": theirs.id, "role": "victim"})
    assert response.status_code == 404
    assert _count(IncidentPerson) == 0


def test_duplicate_link_is_refused(client, outreach, people, make_incident):
    """Linking the same person twice says so and adds nothing."""
    mine, _ = people
    incident = make_incident()
    login(client, outreach[1])
    client.post(f"/incidents/{incident.id}/people", data={"participant_id": mine.id, "role": "victim"})
    response = client.post(
        f"/incidents/{incident.id}/people", data={"participant_id": mine.id, "role": "witness"}, follow_redirects=True
    )
    assert "already linked" in response.get_data(as_text=True)
    assert db.session.execute(select(IncidentPerson.role)).scalars().all() == ["victim"]


def test_bad_role_links_nothing(client, outreach, people, make_incident):
    """A role outside the list is refused."""
    mine, _ = people
    incident = make_incident()
    login(client, outreach[1])
    client.post(f"/incidents/{incident.id}/people", data={"participant_id": mine.id, "role": "boss"})
    assert _count(IncidentPerson) == 0


def test_unlink_removes_the_link_and_is_audited(client, outreach, people, make_incident):
    """Unlink takes the person off the incident."""
    mine, _ = people
    incident = make_incident()
    link = IncidentPerson(incident_id=incident.id, participant_id=mine.id, role="witness")
    db.session.add(link)
    db.session.commit()
    link_id = link.id
    login(client, outreach[1])
    response = client.post(f"/incidents/{incident.id}/people/{link_id}/delete", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Person unlinked." in page and "Bellweather" not in page
    assert _count(IncidentPerson) == 0
    assert audit_count(action="delete", record_type="incident_person", record_id=link_id) == 1


def test_unlinking_an_out_of_scope_link_is_404(client, outreach, people, make_incident):
    """A link to someone outside the user's scope cannot be removed, or even found."""
    _, theirs = people
    incident = make_incident()
    link = IncidentPerson(incident_id=incident.id, participant_id=theirs.id, role="witness")
    db.session.add(link)
    db.session.commit()
    login(client, outreach[1])
    assert client.post(f"/incidents/{incident.id}/people/{link.id}/delete").status_code == 404
    assert _count(IncidentPerson) == 1


# --- delete ---------------------------------------------------------------------------


def test_worker_cannot_delete(client, outreach, make_incident):
    """Deleting is for supervisors and managers."""
    incident = make_incident()
    login(client, outreach[1])
    assert client.post(f"/incidents/{incident.id}/delete").status_code == 403
    db.session.refresh(incident)
    assert incident.deleted_at is None


def test_supervisor_deletes_and_the_incident_vanishes(client, outreach, make_user, make_incident):
    """A soft-deleted incident leaves the list, and its pages answer 404."""
    program, _ = outreach
    supervisor = make_user(roles={program: "supervisor"})
    incident = make_incident(area="Gone Area")
    login(client, supervisor)
    response = client.post(f"/incidents/{incident.id}/delete", follow_redirects=True)
    assert "Incident deleted." in response.get_data(as_text=True)
    assert "Gone Area" not in _list(client)
    assert client.get(f"/incidents/{incident.id}").status_code == 404
    assert client.get(f"/incidents/{incident.id}/edit").status_code == 404
    assert audit_count(action="delete", record_type="incident", record_id=incident.id) == 1


# --- monthly trend --------------------------------------------------------------------


def _mid_month(months_ago: int) -> datetime:
    start = months_back(utcnow().date(), months_ago + 1)
    return datetime(start.year, start.month, 15, 12, 0)


def test_trend_aggregates_by_month_with_zero_months(app, make_incident):
    """Shootings, victims and shots fired per month; quiet months are zeros; deleted ones do not count."""
    make_incident(occurred_at=_mid_month(2), fatal_victims=1, nonfatal_victims=2)
    make_incident(occurred_at=_mid_month(2), fatal_victims=0, nonfatal_victims=1)
    make_incident(occurred_at=_mid_month(2), kind="shots_fired", nonfatal_victims=0)
    make_incident(occurred_at=_mid_month(0), fatal_victims=3, nonfatal_victims=0)
    make_incident(occurred_at=_mid_month(0), fatal_victims=5, deleted_at=utcnow())
    make_incident(occurred_at=_mid_month(14))  # outside the window
    end = utcnow().date()
    rows = monthly_shootings(months_back(end, 4), end)
    assert [r.month for r in rows] == [months_back(end, n) for n in (4, 3, 2, 1)]
    assert [(r.incidents, r.fatal, r.nonfatal, r.shots_fired) for r in rows] == [
        (0, 0, 0, 0),
        (2, 1, 3, 1),
        (0, 0, 0, 0),
        (1, 3, 0, 0),
    ]


def test_trend_page_shows_twelve_months_with_meters(client, outreach, make_incident):
    """The page lists the last 12 months with a meter each, no inline styles."""
    make_incident(occurred_at=_mid_month(1), fatal_victims=4, nonfatal_victims=0)
    login(client, outreach[1])
    response = client.get("/incidents/trend")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<meter") == 12 and "style=" not in page
    month = _mid_month(1).strftime("%b %Y")
    assert month in page


def test_trend_months_argument_is_capped_at_36(client, outreach):
    """At most 36 months, and a bad value falls back to 12."""
    login(client, outreach[1])
    assert client.get("/incidents/trend?months=100").get_data(as_text=True).count("<meter") == 36
    assert client.get("/incidents/trend?months=6").get_data(as_text=True).count("<meter") == 6
    assert client.get("/incidents/trend?months=abc").get_data(as_text=True).count("<meter") == 12


def test_months_back_crosses_years():
    """The window start walks back across a new year."""
    assert months_back(date(2026, 2, 10), 3) == date(2025, 12, 1)
    assert months_back(date(2026, 2, 10), 1) == date(2026, 2, 1)
