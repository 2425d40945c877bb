"""S18: error pages show a correlation id and nothing else (no trace, SQL or PII); production runs without DEBUG."""

import logging
import re

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from caseflow import create_app
from caseflow.extensions import db
from tests.conftest import login
from tests.security.world import build_world

SECRET_NAME = "Quintessa Vandersloot"


@pytest.fixture
def world(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return build_world()


def _failing_case_page(monkeypatch, error_sql: str, name: str) -> None:
    """Make the case page's audit write run broken SQL that carries a participant's name as a parameter."""

    def broken_record_event(*args, **kwargs):
        db.session.execute(text(error_sql), {"name": name})

    monkeypatch.setattr("caseflow.cases.views.record_event", broken_record_event)


@pytest.mark.parametrize(
    "error_sql",
    [
        "SELECT * FROM no_such_table WHERE last_name = :name",
        "INSERT INTO participants (id, first_name, last_name) VALUES (1, :name, :name)",
    ],
)
def test_s18_a_database_error_page_shows_a_reference_and_no_sql_or_name(client, world, monkeypatch, caplog, error_sql):
    """S18: a failing query with a person's name in it gives 500, a reference the log also has, and no internals."""
    case = world.cases["xa"]
    _failing_case_page(monkeypatch, error_sql, SECRET_NAME)
    login(client, world.user_for("worker"))
    with caplog.at_level(logging.ERROR):
        response = client.get(f"/cases/{case.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page and "Nothing was saved" in page
    reference = re.search(r"Reference: <code>(\w+)</code>", page).group(1)
    internals = (
        SECRET_NAME,
        "SELECT",
        "INSERT",
        "no_such_table",
        "constraint",
        "Error",
        "Traceback",
        "sqlalchemy",
        ".py",
    )
    for internal in internals:
        assert internal not in page, internal
    # Nor the participant whose page it was: the error page is not the case page.
    assert case.participant.last_name not in page
    # The helpdesk can find the failure in the log by the reference the user reads out.
    assert any(reference in record.getMessage() for record in caplog.records)


def test_s18_an_unexpected_exception_page_is_the_same_plain_page(client, world, monkeypatch):
    """S18: any crash, whatever its message, shows the same words and a fresh reference."""

    def explode(*args, **kwargs):
        raise RuntimeError(" ".join((SECRET_NAME, "/etc/passwd", "password_hash")))

    monkeypatch.setattr("caseflow.main.views.my_cases_query", explode)
    login(client, world.user_for("worker"))
    first, second = client.get("/"), client.get("/")
    pages = [r.get_data(as_text=True) for r in (first, second)]
    assert first.status_code == second.status_code == 500
    refs = [re.search(r"Reference: <code>(\w+)</code>", p).group(1) for p in pages]
    assert refs[0] != refs[1]
    assert pages[0].replace(refs[0], "") == pages[1].replace(refs[1], "")
    assert SECRET_NAME not in pages[0] and "password_hash" not in pages[0] and "/etc/passwd" not in pages[0]


@pytest.mark.parametrize("path", ["/no-such-page", "/cases/987654321", "/participants/987654321/edit"])
def test_s18_not_found_pages_carry_a_reference_and_nothing_else(client, world, path):
    """S18: the 404 page is the same plain page for every path, with only a reference added."""
    login(client, world.user_for("worker"))
    page = client.get(path).get_data(as_text=True)
    assert "There is nothing here" in page and "Reference:" in page
    assert path not in page


def test_s18_production_config_never_runs_in_debug(monkeypatch):
    """S18: DEBUG is off in production even when FLASK_DEBUG is set in the environment."""
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-from-the-environment")
    monkeypatch.setenv("CASEFLOW_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app("production")
    assert app.debug is False
    assert app.config["DEBUG"] is False and app.config["TESTING"] is False
    assert app.config["PROPAGATE_EXCEPTIONS"] in (None, False)


def test_s18_production_refuses_to_start_without_a_secret_key(monkeypatch):
    """S18: without SECRET_KEY in the environment production does not start (it never falls back to the dev key)."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
