"""Every read and write of participant data leaves an audit row in the same transaction."""

import pytest
from sqlalchemy import func, select, text

from caseflow.extensions import db
from caseflow.models import AuditEvent, Case, Contact, Participant
from tests.conftest import USING_POSTGRES, audit_count, login


@pytest.fixture
def worker_case(make_program, make_user, make_case):
    program = make_program("street_outreach", "Outreach")
    worker = make_user(roles={program: "worker"})
    return worker, make_case(program, worker, last_name="Okafor")


CONTACT_FORM = {"occurred_at": "2026-01-05T10:00", "mode": "phone", "contact_type": "check_in", "outcome": "completed"}


def _person_form(program_id: int) -> dict:
    """A valid 'new participant' form for a program."""
    return {
        "first_name": "Dee",
        "last_name": "Marsh",
        "program_id": program_id,
        "start_status": "active",
        "referred_on": "2026-01-02",
        "gender": "female",
    }


def _events(action: str, record_type: str) -> list[AuditEvent]:
    return list(
        db.session.execute(
            select(AuditEvent).where(AuditEvent.action == action, AuditEvent.record_type == record_type)
        ).scalars()
    )


def test_viewing_a_case_is_audited_with_who_and_which(client, worker_case):
    """A case page view writes one 'view' row naming the user and the case."""
    worker, case = worker_case
    login(client, worker)
    client.get(f"/cases/{case.id}")
    [event] = _events("view", "case")
    assert (event.user_id, event.record_id) == (worker.id, case.id)


def test_viewing_a_participant_is_audited(client, worker_case):
    """The person page is participant data too."""
    worker, case = worker_case
    login(client, worker)
    client.get(f"/participants/{case.participant_id}")
    assert [e.record_id for e in _events("view", "participant")] == [case.participant_id]


def test_the_caseload_list_records_the_ids_shown(client, worker_case):
    """Lists record which cases were on screen."""
    worker, case = worker_case
    login(client, worker)
    client.get("/")
    [event] = _events("list", "case")
    assert event.record_ids.split() == [str(case.id)]


def test_search_records_the_ids_shown_but_not_the_terms(client, worker_case):
    """A search is audited with its results; the typed name is not stored in the trail."""
    worker, case = worker_case
    login(client, worker)
    client.post("/participants/search", data={"q": "okafor"})
    [event] = _events("search", "participant")
    assert event.record_ids.split() == [str(case.participant_id)]
    assert "okafor" not in (event.detail or "").lower()


def test_creating_a_participant_audits_the_person_and_the_case(client, worker_case):
    """One create row for the participant and one for the case opened with them."""
    worker, case = worker_case
    login(client, worker)
    client.post(
        "/participants/new",
        data=_person_form(case.program_id),
    )
    new_person = db.session.execute(select(Participant).where(Participant.last_name == "Marsh")).scalar_one()
    assert [e.record_id for e in _events("create", "participant")] == [new_person.id]
    assert len(_events("create", "case")) == 1


def test_logging_a_contact_is_audited(client, worker_case):
    """The new contact's id is in the trail."""
    worker, case = worker_case
    login(client, worker)
    client.post(
        f"/cases/{case.id}/contacts/new",
        data=CONTACT_FORM,
    )
    contact_id = db.session.execute(select(Contact.id)).scalar_one()
    assert [e.record_id for e in _events("create", "contact")] == [contact_id]


def test_an_out_of_scope_attempt_is_not_recorded_as_a_view(client, worker_case, make_user):
    """A 404 for someone else's case does not claim they saw it."""
    _, case = worker_case
    outsider = make_user()
    login(client, outsider)
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert audit_count(action="view") == 0


# --- a failing audit write fails the request and changes nothing ---------------------


@pytest.fixture
def break_audit(app):
    """A switch that makes every audit INSERT fail, as a full disk or a revoked grant would."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def switch_on():
        _install_refusing_trigger()

    yield switch_on
    db.session.rollback()
    db.session.execute(text("DROP TRIGGER IF EXISTS refuse_audit" + (" ON audit_events" if USING_POSTGRES else "")))
    if USING_POSTGRES:
        db.session.execute(text("DROP FUNCTION IF EXISTS refuse_audit()"))
    db.session.commit()


def _install_refusing_trigger():
    if USING_POSTGRES:
        db.session.execute(
            text(
                "CREATE OR REPLACE FUNCTION refuse_audit() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$ LANGUAGE plpgsql"
            )
        )
        db.session.execute(
            text(
                "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
            )
        )
    else:
        db.session.execute(
            text(
                "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END"
            )
        )
    db.session.commit()


def _count(model) -> int:
    db.session.rollback()
    return db.session.execute(select(func.count(model.id))).scalar_one()


def test_create_participant_fails_whole_when_the_audit_write_fails(client, worker_case, break_audit):
    """Neither the person nor their case is saved, and the user is told nothing was saved."""
    worker, case = worker_case
    login(client, worker)
    break_audit()
    before_people, before_cases = _count(Participant), _count(Case)
    response = client.post(
        "/participants/new",
        data=_person_form(case.program_id),
    )
    assert response.status_code == 500
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert (_count(Participant), _count(Case)) == (before_people, before_cases)


def test_log_contact_fails_whole_when_the_audit_write_fails(client, worker_case, break_audit):
    """No contact row survives a failed audit write."""
    worker, case = worker_case
    login(client, worker)
    break_audit()
    response = client.post(
        f"/cases/{case.id}/contacts/new",
        data=CONTACT_FORM,
    )
    assert response.status_code == 500
    assert _count(Contact) == 0


def test_a_view_that_cannot_be_audited_is_not_shown(client, worker_case, break_audit):
    """Reading participant data without a trail is refused rather than shown."""
    worker, case = worker_case
    login(client, worker)
    break_audit()
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 500
    assert "Okafor" not in response.get_data(as_text=True)
