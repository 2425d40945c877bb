"""App-wide behaviour: database integrity settings, headers, error pages, the state machine."""

from datetime import date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from caseflow.extensions import db
from caseflow.models import CASE_TRANSITIONS, Case, Contact, can_transition
from tests.conftest import login


def test_foreign_keys_are_enforced(app):
    """A contact pointing at no case is refused by the database itself, SQLite included."""
    db.session.add(Contact(case_id=999, occurred_at=datetime(2026, 1, 1), mode="phone", contact_type="check_in"))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_enumerations_are_checked_by_the_database(app, make_program, make_case):
    """A status outside the state machine's list cannot be stored."""
    case = make_case(make_program())
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE cases SET status = 'lost' WHERE id = :id"), {"id": case.id})


def test_one_open_case_per_person_per_program_is_a_database_rule(app, make_program, make_case):
    """Even code that skips the service cannot open a second open case in the same program."""
    program = make_program()
    case = make_case(program)
    db.session.add(
        Case(participant_id=case.participant_id, program=program, status="referred", referred_on=date.today())
    )
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_a_closed_case_does_not_block_a_new_one(app, make_program, make_case):
    """People come back: after closure a new case in the same program is allowed."""
    program = make_program()
    case = make_case(program, status="closed")
    db.session.add(
        Case(participant_id=case.participant_id, program=program, status="referred", referred_on=date.today())
    )
    db.session.flush()


def test_sqlite_connections_use_wal_and_a_busy_timeout(tmp_path):
    """Several gunicorn workers share one SQLite file; a writer waits up to 3 s, so a lock still gives a 503 in 5 s."""
    from caseflow import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wal.db'}"})
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 3000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_state_machine_refuses_moves_not_in_the_table():
    """Closed cases reopen to active only; referred cannot jump to closed."""
    assert can_transition("closed", "active")
    assert not can_transition("referred", "closed")
    assert not can_transition("active", "referred")
    assert set(CASE_TRANSITIONS) == {"referred", "screening", "active", "inactive", "closed", "declined", "ineligible"}


def test_change_case_status_records_history_and_refuses_bad_moves(app, make_program, make_user, make_case):
    """The service applies the table, dates the change and keeps the history."""
    from caseflow.cases.services import CaseRuleError, change_case_status

    program = make_program()
    worker = make_user(roles={program: "worker"})
    case = make_case(program, worker, status="active")
    change_case_status(worker, case, "closed", on=date(2026, 3, 1), reason="goals_met")
    assert (case.status, case.closed_on, case.closure_reason) == ("closed", date(2026, 3, 1), "goals_met")
    with pytest.raises(CaseRuleError):
        change_case_status(worker, case, "screening", on=date(2026, 3, 2))
    assert [c.to_status for c in case.status_changes] == ["active", "closed"]


def test_authenticated_pages_are_not_cached_and_carry_security_headers(client, make_user):
    """Participant data must not linger in shared browser caches."""
    login(client, make_user())
    response = client.get("/")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_load_bootstrap_from_the_app_not_a_cdn(client):
    """Hospital networks may have no outside access."""
    page = client.get("/login").get_data(as_text=True)
    assert "/bootstrap/static/css/bootstrap.min.css" in page
    assert "http://" not in page and "https://" not in page
    assert client.get("/bootstrap/static/css/bootstrap.min.css").status_code == 200


def test_error_page_shows_a_reference_and_no_internals(app, client, make_user, monkeypatch):
    """A crash shows a correlation id and 'nothing was saved', never a traceback."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login(client, make_user())

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("caseflow.main.views.my_cases_query", explode)
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Reference:" in page and "Nothing was saved" in page
    assert "secret internals" not in page and "Traceback" not in page


def test_unknown_page_is_a_friendly_404(client, make_user):
    """Mistyped URLs get the site's own page."""
    login(client, make_user())
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "There is nothing here" in response.get_data(as_text=True)


def test_a_stale_update_is_refused_not_silently_applied(app, make_program, make_case):
    """Version columns: saving over someone else's newer change raises instead of overwriting."""
    from sqlalchemy.orm.exc import StaleDataError

    case = make_case(make_program())
    person = case.participant
    assert person.version == 1
    # Someone else saves first: the row is now at version 2.
    db.session.execute(
        text("UPDATE participants SET phone = '555-0100', version = version + 1 WHERE id = :id"), {"id": person.id}
    )
    person.phone = "555-0199"
    with pytest.raises(StaleDataError):
        db.session.flush()


def test_report_privacy_settings_come_from_the_environment_and_only_tighten(monkeypatch):
    from config import CONFIGS

    monkeypatch.setenv("CASEFLOW_SMALL_CELL_THRESHOLD", "11")
    monkeypatch.setenv("CASEFLOW_STATE_FY_START_MONTH", "4")
    values = CONFIGS["development"].from_env()
    assert (values["SMALL_CELL_THRESHOLD"], values["STATE_FISCAL_YEAR_START_MONTH"]) == (11, 4)
    monkeypatch.setenv("CASEFLOW_SMALL_CELL_THRESHOLD", "3")
    with pytest.raises(ValueError, match="never set below 5"):
        CONFIGS["development"].from_env()
