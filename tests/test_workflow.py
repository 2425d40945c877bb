"""The first slice of the daily workflow through the web client: find, create, open, log."""

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Case, CaseStatusChange, Contact, Participant
from tests.conftest import login


@pytest.fixture
def outreach(make_program, make_user):
    program = make_program("street_outreach", "Street Outreach")
    worker = make_user(roles={program: "worker"}, full_name="Rae Worker")
    return program, worker


def _new_person(program, **overrides):
    data = {
        "first_name": "Marcus",
        "last_name": "Bell",
        "aliases": "Lil M, Bird",
        "date_of_birth": "2004-03-09",
        "gender": "male",
        "race_ethnicity": ["black", "hispanic_latino"],
        "preferred_language": "English",
        "phone": "(555) 201-3344",
        "area": "Eastside",
        "program_id": program.id,
        "start_status": "active",
        "referral_source": "community",
        "referred_on": "2026-10-01",
        "risk_level": "high",
    }
    data.update(overrides)
    return data


def test_worker_creates_a_participant_and_lands_on_the_new_case(client, outreach):
    """The form makes the person, their aliases and demographics, and an active case assigned to the worker."""
    program, worker = outreach
    login(client, worker)
    response = client.post("/participants/new", data=_new_person(program), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Marcus Bell" in page and "Street Outreach" in page and "Active" in page
    person = db.session.execute(select(Participant)).scalar_one()
    assert sorted(a.name for a in person.aliases) == ["Bird", "Lil M"]
    assert sorted(r.category for r in person.race_ethnicities) == ["black", "hispanic_latino"]
    case = db.session.execute(select(Case)).scalar_one()
    assert (case.status, case.assigned_worker_id, case.risk_level) == ("active", worker.id, "high")
    assert case.enrolled_on is not None
    assert [c.to_status for c in db.session.execute(select(CaseStatusChange)).scalars()] == ["active"]


def test_bad_participant_input_shows_field_errors_and_keeps_what_was_typed(client, outreach):
    """A missing first name and a future birth date are reported; nothing typed is lost or saved."""
    program, worker = outreach
    login(client, worker)
    response = client.post(
        "/participants/new", data=_new_person(program, first_name="", date_of_birth="2999-01-01", phone="call me")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a first name." in page
    assert "The date of birth cannot be in the future." in page
    assert "Use digits, spaces and + - ( ) only." in page
    for typed in ("Bell", "Lil M, Bird", "Eastside", "2999-01-01", "call me"):
        assert typed in page
    assert re.search(r'<input checked[^>]*value="black"', page)
    assert db.session.execute(select(func.count(Participant.id))).scalar_one() == 0


def test_every_participant_form_field_has_a_visible_label(client, outreach):
    """Each input on the form is named by a <label for=...>."""
    _, worker = outreach
    login(client, worker)
    page = client.get("/participants/new").get_data(as_text=True)
    for field in (
        "first_name",
        "last_name",
        "aliases",
        "date_of_birth",
        "estimated_age",
        "gender",
        "phone",
        "area",
        "program_id",
        "start_status",
        "referral_source",
        "referred_on",
        "risk_level",
    ):
        assert f'for="{field}"' in page, field


def test_a_person_cannot_have_two_open_cases_in_one_program(client, outreach):
    """Opening a second case in the same program is refused with a message on the form."""
    program, worker = outreach
    login(client, worker)
    client.post("/participants/new", data=_new_person(program))
    person = db.session.execute(select(Participant)).scalar_one()
    response = client.post(
        f"/participants/{person.id}/cases/new",
        data={"program_id": program.id, "start_status": "referred", "referred_on": "2026-10-02"},
    )
    assert "already has an open case in Street Outreach" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(Case.id))).scalar_one() == 1


def test_the_same_person_can_be_opened_in_a_second_program(client, outreach, make_program):
    """An HVIP patient can also hold an outreach case; the person is shared."""
    program, worker = outreach
    hvip = make_program("hvip", "HVIP")
    from caseflow.models import ProgramMembership

    db.session.add(ProgramMembership(user_id=worker.id, program_id=hvip.id, role="worker"))
    db.session.commit()
    login(client, worker)
    client.post("/participants/new", data=_new_person(program))
    person = db.session.execute(select(Participant)).scalar_one()
    response = client.post(
        f"/participants/{person.id}/cases/new",
        data={"program_id": hvip.id, "start_status": "referred", "referred_on": "2026-10-02"},
    )
    assert response.status_code == 302
    assert {c.program.name for c in db.session.execute(select(Case)).scalars()} == {"Street Outreach", "HVIP"}


def test_cannot_open_a_case_in_a_program_one_is_not_a_member_of(client, outreach, make_program):
    """A program id outside the user's memberships is not a valid choice."""
    program, worker = outreach
    other = make_program("hvip", "Other HVIP")
    login(client, worker)
    response = client.post("/participants/new", data=_new_person(program, program_id=other.id))
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(Case.id))).scalar_one() == 0


def test_search_finds_by_street_name_and_shows_aliases(client, outreach):
    """Aliases and street names are searchable, case-insensitively, via a POST body."""
    program, worker = outreach
    login(client, worker)
    client.post("/participants/new", data=_new_person(program))
    page = client.post("/participants/search", data={"q": "BIRD"}).get_data(as_text=True)
    assert "1 person found" in page and "Marcus Bell" in page


def test_search_treats_wildcards_literally(client, outreach):
    """A % typed into search does not match everyone."""
    program, worker = outreach
    login(client, worker)
    client.post("/participants/new", data=_new_person(program))
    page = client.post("/participants/search", data={"q": "%%"}).get_data(as_text=True)
    assert "0 people found" in page


def test_logging_a_contact_stores_utc_and_shows_local_time(client, outreach, make_case):
    """A contact typed at 10:00 Chicago time in January is stored as 16:00 UTC and shown as 10:00."""
    program, worker = outreach
    case = make_case(program, worker)
    login(client, worker)
    response = client.post(
        f"/cases/{case.id}/contacts/new",
        data={
            "occurred_at": "2026-01-05T10:00",
            "mode": "in_person",
            "contact_type": "crisis_response",
            "outcome": "attempted",
            "duration_minutes": "25",
            "location_area": "Eastside",
            "notes": "Left a card.",
        },
        follow_redirects=True,
    )
    contact = db.session.execute(select(Contact)).scalar_one()
    assert contact.occurred_at == datetime(2026, 1, 5, 16, 0)
    assert (contact.is_completed, contact.author_id, contact.duration_minutes) == (False, worker.id, 25)
    page = response.get_data(as_text=True)
    assert "05 Jan 2026, 10:00" in page and "attempted" in page and "Left a card." in page


def test_bad_contact_input_shows_errors_and_keeps_the_note(client, outreach, make_case):
    """Missing mode and type are reported; the note typed is still in the form."""
    program, worker = outreach
    case = make_case(program, worker)
    login(client, worker)
    response = client.post(
        f"/cases/{case.id}/contacts/new",
        data={
            "occurred_at": "2026-01-05T10:00",
            "mode": "",
            "contact_type": "",
            "duration_minutes": "-3",
            "notes": "Talked at the corner store.",
        },
    )
    page = response.get_data(as_text=True)
    assert "Choose a mode." in page and "Choose a type." in page and "Enter 0 to 1440 minutes." in page
    assert "Talked at the corner store." in page
    assert db.session.execute(select(func.count(Contact.id))).scalar_one() == 0


def test_a_contact_in_the_future_is_refused(client, outreach, make_case):
    """Dates far ahead are typos, not contacts."""
    program, worker = outreach
    case = make_case(program, worker)
    login(client, worker)
    response = client.post(
        f"/cases/{case.id}/contacts/new",
        data={"occurred_at": "2099-01-05T10:00", "mode": "phone", "contact_type": "check_in", "outcome": "completed"},
    )
    assert "A contact cannot be in the future." in response.get_data(as_text=True)


def test_case_page_shows_the_records_of_the_case(client, outreach, make_case, make_contact):
    """The case page lists contacts with their author; soft-deleted ones are hidden."""
    from caseflow.models.base import utcnow

    program, worker = outreach
    case = make_case(program, worker)
    make_contact(case, worker, notes="Visible note")
    make_contact(case, worker, notes="Deleted note", deleted_at=utcnow())
    login(client, worker)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Visible note" in page and "Rae Worker" in page
    assert "Deleted note" not in page
    assert page.count("· Contact ·") == 1


def test_home_lists_my_cases_with_a_log_contact_shortcut(client, outreach, make_case):
    """The caseload is one tap from logging a contact."""
    program, worker = outreach
    case = make_case(program, worker, last_name="Zamora")
    login(client, worker)
    page = client.get("/").get_data(as_text=True)
    assert "Zamora" in page
    assert f"/cases/{case.id}/contacts/new" in page


def test_a_user_without_programs_is_told_why_there_are_no_cases(client, make_user):
    """An empty home page explains itself instead of looking broken."""
    login(client, make_user())
    assert "not a member of any program" in client.get("/").get_data(as_text=True)


def test_with_csrf_on_a_form_post_without_token_is_refused(csrf_app, make_program, make_user):
    """State-changing requests need the CSRF token."""
    from tests.conftest import csrf_token_from

    program = make_program()
    worker = make_user(roles={program: "worker"})
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": worker.email, "password": "correct-horse-battery", "csrf_token": token})
    response = client.post("/participants/new", data=_new_person(program))
    assert response.status_code == 400
    assert db.session.execute(select(func.count(Participant.id))).scalar_one() == 0


def _statements_for(client, url: str) -> int:
    """How many SQL statements one page view runs."""
    from sqlalchemy import event

    count = 0

    def tally(*_args):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", tally)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", tally)
    return count


def test_home_and_case_pages_do_not_query_per_row(client, outreach, make_case, make_contact):
    """Ten more cases or contacts cost no extra queries (no N+1)."""
    program, worker = outreach
    first = make_case(program, worker)
    make_contact(first, worker)
    login(client, worker)
    home_small, case_small = _statements_for(client, "/"), _statements_for(client, f"/cases/{first.id}")
    for _ in range(10):
        make_case(program, worker)
        make_contact(first, worker)
    assert _statements_for(client, "/") == home_small
    assert _statements_for(client, f"/cases/{first.id}") == case_small
