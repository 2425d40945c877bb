"""S36: no participant names, notes, passwords, codes or session ids in logs or URLs; log lines neutralise CR/LF.

Everything is logged at DEBUG (root, werkzeug, flask, the app) while users log in with a canary
password, crawl every page, search for names, save notes and hit errors; no log line and no URL
visited may carry any of it.
"""

import logging
import re

import pytest
from sqlalchemy import text

from caseflow.auth.passwords import hash_password
from caseflow.extensions import db
from caseflow.logsafe import escape_line_breaks
from caseflow.models import User
from tests.conftest import login
from tests.security.crawl import crawl, forms_by_endpoint, forms_in
from tests.security.test_s03_idor_sweep import fresh
from tests.security.world import CANARY, build_world

CANARY_PASSWORD = "CNRYPWD lantern violet harbour"  # noqa: S105 - a test password that must never be logged
WRONG_PASSWORD = "CNRYPWD wrong guess of someone"  # noqa: S105
NOTE = "CNRYLOG note typed by a worker"
# The only fields a GET form may carry: filters and paging, never a name, a note or a search term.
GET_FORM_FIELDS = {
    "date_from",
    "date_to",
    "start",
    "end",
    "area",
    "kind",
    "source",
    "status",
    "stage",
    "category",
    "program_id",
    "worker_id",
    "measure",
    "outcome",
    "identified_by",
    "months",
    "page",
    "from",
    "submit",
}


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def all_logs(caplog):
    """Every record any logger emits, from DEBUG up."""
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "flask", "caseflow", "flask_limiter", "flask_wtf"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _log_text(caplog) -> str:
    """Every captured line as a handler would write it, tracebacks included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def _secrets(world, client) -> list[str]:
    """What must never be logged: names, notes, canaries, passwords, session tokens and the cookie."""
    values = [CANARY, CANARY_PASSWORD, WRONG_PASSWORD, NOTE, "Talked about work."]
    for person in world.people.values():
        values += [person.first_name, person.last_name]
    values += [user.session_token for user in db.session.execute(db.select(User)).scalars()]
    cookie = client.get_cookie("session")
    if cookie:
        values.append(cookie.value)
    return values


def test_s36_nothing_private_reaches_the_logs_or_the_urls(app, client, world, all_logs, monkeypatch):
    """S36: logins, a crawl of every page, searches, saved notes and failures log no name, note, password or token."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    supervisor = world.user_for("supervisor")
    supervisor.password_hash = hash_password(CANARY_PASSWORD)
    db.session.commit()
    urls: set[str] = set()
    # Failed logins (known and unknown account) and a real one, all with canary passwords.
    login(client, supervisor, WRONG_PASSWORD)
    login(client, "nobody@example.org", WRONG_PASSWORD)
    response = login(client, supervisor, CANARY_PASSWORD)
    assert response.status_code == 302
    urls.add(response.location)
    pages = crawl(client, "/")
    urls |= set(pages) | {p.headers["Location"] for p in pages.values() if p.headers.get("Location")}
    # Searching for people in and out of scope, by name, note and canary.
    for term in ("Xavier Inscope", "Yusuf", NOTE, "CNRYOUT0001Z"):
        urls.add(client.post("/participants/search", data={"q": term}).request.path)
    # A database failure whose statement carried a participant's name (a variable: the traceback shows code).
    name = world.people["xavier"].display_name
    monkeypatch.setattr(
        "caseflow.cases.views.record_event",
        lambda *a, **k: db.session.execute(text("SELECT * FROM no_such_table WHERE n = :n"), {"n": name}),
    )
    assert client.get(f"/cases/{world.cases['xa'].id}").status_code == 500
    monkeypatch.undo()
    # Saving every form the supervisor can reach, with a canary in every free-text field.
    for form in [f for fs in forms_by_endpoint(app, pages).values() for f in fs]:
        data = form.data(**{n: NOTE for n, _ in form.fields if n in ("notes", "note", "description", "details")})
        response = client.post(form.action, data=fresh(data))
        urls.add(response.request.path)
        if response.location:
            urls.add(response.location)
    logs = _log_text(all_logs)
    assert all_logs.records, "nothing was logged at all: the capture is not working"
    assert "no_such_table" in logs  # the failure was logged, only without its values
    leaked = sorted({secret for secret in _secrets(world, client) if secret in logs})
    assert leaked == []
    in_urls = sorted({url for url in urls for secret in _secrets(world, client) if secret in url})
    assert in_urls == []


def test_s36_sql_logging_stays_quiet_under_a_debug_root_logger(app, client, world, all_logs):
    """S36: a DEBUG root logger (gunicorn --log-level debug) does not make SQLAlchemy print rows or values.

    SQLAlchemy keeps its own "sqlalchemy" logger at WARNING unless configured; this guards that nobody
    lowers it, and that the engine hides statement values from logs and error messages.
    """
    assert logging.getLogger("sqlalchemy").getEffectiveLevel() >= logging.WARNING
    login(client, world.user_for("worker"))
    client.get(f"/cases/{world.cases['xa'].id}")
    assert not [r for r in all_logs.records if r.name.startswith("sqlalchemy")]
    assert app.extensions["sqlalchemy"].engine.hide_parameters is True


def test_s36_forms_that_carry_names_or_terms_are_posted_never_put_in_the_url(app, client, world):
    """S36: every GET form carries only filters and paging; search boxes and name fields are POST forms."""
    login(client, world.user_for("supervisor"))
    pages = crawl(client, "/")
    get_fields = set()
    post_actions = set()
    for path, page in pages.items():
        if page.mimetype != "text/html":
            continue
        for form in re.findall(r"<form[^>]*method=\"get\"[^>]*>(.*?)</form>", page.text, re.S | re.I):
            get_fields |= set(re.findall(r'name="([^"]+)"', form))
        post_actions |= {f.action for f in forms_in(page.text, path) if any(n == "q" for n, _ in f.fields)}
    assert get_fields <= GET_FORM_FIELDS, get_fields - GET_FORM_FIELDS
    assert "/participants/search" in post_actions


def test_s36_a_line_break_in_a_url_cannot_forge_a_log_line(app, client, world, all_logs, monkeypatch):
    """S36: the path logged with a crash prints its CR/LF as escapes, on one line."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode(*args, **kwargs):
        raise RuntimeError("chart failed")

    monkeypatch.setattr("caseflow.dashboard.views._program_or_404", explode)
    login(client, world.user_for("supervisor"))
    forged = "x%0d%0a2026-01-01 INFO admin logged in%0aY"
    response = client.get(f"/programs/{world.programs['a'].id}/dashboard/{forged}.svg")
    assert response.status_code == 500
    messages = [record.getMessage() for record in all_logs.records if "admin logged in" in record.getMessage()]
    assert messages, "the crash and its path were logged"
    assert all("\n" not in m and "\r" not in m for m in messages)
    assert any("\\r\\n2026-01-01 INFO admin logged in\\nY" in m for m in messages)


@pytest.mark.parametrize(
    ("raw", "logged"),
    [
        ("one\ntwo", "one\\ntwo"),
        ("one\r\ntwo", "one\\r\\ntwo"),
        ("a\u2028b", "a\\u2028b"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_s36_log_arguments_and_messages_are_escaped(app, all_logs, raw, logged):
    """S36: whatever logger is used, a message or argument with a line break is logged on one line."""
    logging.getLogger("caseflow.test").warning("value %s", raw)
    logging.getLogger("anything.else").warning(raw)
    got = [r.getMessage() for r in all_logs.records if r.name in ("caseflow.test", "anything.else")]
    assert got == [f"value {logged}", logged]
    assert escape_line_breaks(raw) == logged
