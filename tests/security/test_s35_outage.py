"""S35: when the database is down or locked, a 503 within 5 seconds keeps the user's input; saved means committed.

The shared PostgreSQL server is never stopped: the app under test reaches it through a small TCP
proxy that the tests cut (a stopped server), mute (a host that accepts and never answers) or
bypass to take the audit chain's lock (a stuck writer). On SQLite the database is a file that
another connection locks. Each test runs the same app object before, during and after.
"""

import os
import re
import socket
import sqlite3
import threading
import time
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from werkzeug.datastructures import MultiDict

from caseflow import create_app
from caseflow.audit.chain import CHAIN_LOCK_KEY
from caseflow.extensions import db
from caseflow.models import Contact
from config import normalise_db_url
from tests.conftest import (
    PASSWORD,
    USING_POSTGRES,
    _fresh_g_after_each_request,
    _reset_postgres,
    csrf_token_from,
    login,
)

MESSAGE = "Not saved — the database is not answering. Please retry."
NOTES = 'Met at the <b>corner</b> & said "call me"\nsecond line'
CONTACT = {"occurred_at": "2026-01-05T10:00", "mode": "phone", "contact_type": "check_in", "outcome": "completed"}
# The requirement is 5 s; the waits behind it are 3 s (SQLite busy timeout, PostgreSQL lock and connect timeouts).
LIMIT_SECONDS = 5


class TcpProxy:
    """Forwards a local port to the PostgreSQL server, so a test can cut the line without stopping the server."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self, answer: bool = True) -> None:
        """Listen on the same port again; answer=False accepts connections and never says a word."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        if answer:
            threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        # Not answering: the kernel completes each handshake into the backlog and nothing reads it.

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self) -> None:
        """Refuse new connections and cut the open ones, as a stopped server does."""
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() in the other thread
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._open = self._open, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


class PostgresOutages:
    """The test database, reached through a proxy; down, hung and locked on demand."""

    def __init__(self):
        self.direct = make_url(normalise_db_url(os.environ["DATABASE_URL"]))
        self.proxy = TcpProxy((self.direct.host or "127.0.0.1", self.direct.port or 5432))
        self.proxy.start()
        self.uri = self.direct.set(host="127.0.0.1", port=self.proxy.port).render_as_string(hide_password=False)

    @contextmanager
    def down(self):
        db.session.remove()  # the pooled connection stays in the pool, and the cut kills it
        self.proxy.stop()
        try:
            yield
        finally:
            self.proxy.start()

    @contextmanager
    def hung(self):
        db.session.remove()
        self.proxy.stop()
        self.proxy.start(answer=False)
        try:
            yield
        finally:
            self.proxy.stop()
            self.proxy.start()

    @contextmanager
    def locked(self):
        """Another session holds the audit chain's lock, as a stuck transaction would: no audited write can finish."""
        holder = create_engine(self.direct, poolclass=NullPool)
        with holder.connect() as connection:
            connection.execute(select(func.pg_advisory_lock(CHAIN_LOCK_KEY)))
            connection.commit()
            try:
                yield
            finally:
                connection.execute(select(func.pg_advisory_unlock(CHAIN_LOCK_KEY)))
                connection.commit()
        holder.dispose()

    def close(self) -> None:
        self.proxy.stop()


class SQLiteOutages:
    """A database file, locked by another connection on demand."""

    def __init__(self, path: Path):
        self.path = path
        self.uri = f"sqlite:///{path}"

    @contextmanager
    def _holder(self):
        holder = sqlite3.connect(self.path, isolation_level=None)
        try:
            yield holder
        finally:
            holder.execute("ROLLBACK")
            holder.close()

    @contextmanager
    def locked(self):
        """Another connection is in the middle of a write: reads go on, every write waits and gives up."""
        with self._holder() as holder:
            holder.execute("BEGIN IMMEDIATE")
            yield

    @contextmanager
    def down(self):
        """Another connection holds the file exclusively: not even the signed-in user can be read."""
        db.session.remove()
        db.engine.dispose()  # in WAL mode every open connection keeps a shared lock on the file
        with self._holder() as holder:
            holder.execute("PRAGMA locking_mode=EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
            holder.execute("SELECT count(*) FROM users")
            yield

    def close(self) -> None:
        pass


@pytest.fixture
def outages(tmp_path):
    made = PostgresOutages() if USING_POSTGRES else SQLiteOutages(tmp_path / "caseflow.db")
    yield made
    made.close()


@pytest.fixture
def app(outages, _postgres_schema):
    """Overrides conftest's app: the same settings, bound to a database these tests can take away."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": outages.uri, "WTF_CSRF_ENABLED": False})
    _fresh_g_after_each_request(app)
    with app.app_context():
        if USING_POSTGRES:
            _reset_postgres()
        else:
            db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def team(make_program, make_user, make_case):
    program = make_program("street_outreach", "Street Outreach")
    worker = make_user(roles={program: "worker"}, full_name="Wes Worker")
    case = make_case(program, worker, last_name="Okoro")
    return {"worker": worker, "case_id": case.id}


class RetryForm(HTMLParser):
    """The form on a 503 page: where it posts and the fields it would send, as a browser sees them."""

    def __init__(self, page: str):
        super().__init__()
        self.forms: list[dict] = []
        self.labels: list[str] = []
        self._textarea: dict | None = None
        self._label: list[str] | None = None
        self.feed(page)

    @property
    def form(self) -> dict:
        assert len(self.forms) == 1, "expected exactly one form on the page"
        return self.forms[0]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"method": attrs.get("method"), "action": attrs.get("action"), "fields": []})
        elif tag == "input" and self.forms:
            self.forms[-1]["fields"].append((attrs.get("name"), attrs.get("value") or "", attrs.get("type")))
        elif tag == "textarea" and self.forms:
            self._textarea = {"name": attrs.get("name"), "value": ""}
        elif tag == "label":
            self._label = []

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data
        if self._label is not None:
            self._label.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # HTML drops one newline right after <textarea>, as a browser does.
            value = self._textarea["value"].removeprefix("\n")
            self.forms[-1]["fields"].append((self._textarea["name"], value, "textarea"))
            self._textarea = None
        elif tag == "label" and self._label is not None:
            self.labels.append("".join(self._label).strip())
            self._label = None

    def values(self, name: str) -> list[str]:
        return [value for field, value, _ in self.form["fields"] if field == name]

    def resend(self) -> MultiDict:
        """What pressing Retry sends (password and file inputs start empty)."""
        return MultiDict(
            [(name, value) for name, value, kind in self.form["fields"] if kind not in ("password", "file", "submit")]
        )


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _contacts_with_notes() -> int:
    # Notes are encrypted at rest with a random IV (S27), so they are compared after decryption, not in SQL.
    return sum(1 for notes in db.session.execute(select(Contact.notes)).scalars() if notes == NOTES)


def _assert_safe_error_page(response, page: str) -> None:
    """Security headers like any other response, and no trace or SQL in the body."""
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Retry-After"] == "5"
    for leak in ("Traceback", "SELECT", "INSERT", "sqlalchemy", "psycopg", "sqlite3"):
        assert leak not in page


def _outage_log_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "caseflow.outage"]


@pytest.mark.parametrize("kind", ["locked", "down"])
def test_s35_a_contact_posted_during_an_outage_comes_back_and_one_retry_saves_it_once(
    app, client, team, outages, kind, caplog
):
    """S35: 503 within 5 s (a generous margin over the 3 s waits behind it) with every typed value kept.

    The page's form posts the same body, CSRF and one-time submission token included, back to the
    same URL; once the database is back, Retry saves the contact, and a second Retry saves nothing more.
    """
    login(client, team["worker"])
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/cases/{team['case_id']}/contacts/new"
    blank = client.get(url).get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', blank).group(1)
    sent = {**CONTACT, "notes": NOTES, "csrf_token": csrf_token_from(blank), "submission_token": token}

    with getattr(outages, kind)():
        response, elapsed = _timed(lambda: client.post(url, data=sent))

    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert elapsed < LIMIT_SECONDS
    assert MESSAGE in page
    _assert_safe_error_page(response, page)
    assert "<b>corner</b>" not in page  # escaped, not rendered
    retry = RetryForm(page)
    assert retry.form["method"] == "post" and retry.form["action"] == url
    for name, value in sent.items():
        assert retry.values(name) == [value], name
    assert "Notes" in retry.labels
    assert "it is saved once however often you retry" in page
    reference = re.search(r"Reference: <code>(\w+)</code>", page).group(1)
    lines = _outage_log_lines(caplog)
    assert len(lines) == 1 and reference in lines[0]
    assert "corner" not in lines[0] and "Okoro" not in lines[0]
    assert _contacts_with_notes() == 0

    again = client.post(url, data=retry.resend())
    assert again.status_code == 302
    assert _contacts_with_notes() == 1
    twice = client.post(url, data=retry.resend(), follow_redirects=True)
    assert "That contact was already saved." in twice.get_data(as_text=True)
    assert _contacts_with_notes() == 1


def test_s35_login_during_an_outage_keeps_the_email_and_never_shows_the_password(app, client, team, outages, caplog):
    """S35: the login page still opens; logging in answers 503 with the email kept and the password asked again."""
    email = team["worker"].email
    with outages.down():
        assert client.get("/login").status_code == 200
        response, elapsed = _timed(lambda: client.post("/login", data={"email": email, "password": PASSWORD}))
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and elapsed < LIMIT_SECONDS
    assert MESSAGE in page
    _assert_safe_error_page(response, page)
    assert PASSWORD not in page
    retry = RetryForm(page)
    assert retry.values("email") == [email]
    assert ("password", "", "password") in retry.form["fields"]
    assert "Password (type it again: it is never shown back)" in retry.labels
    log_text = " ".join(_outage_log_lines(caplog))
    assert PASSWORD not in log_text and email not in log_text

    retried = client.post("/login", data={**retry.resend(), "password": PASSWORD})
    assert retried.status_code == 302 and retried.location == "/"


def test_s35_a_page_whose_user_cannot_be_loaded_answers_503_and_the_same_app_recovers(app, client, team, outages):
    """S35: the session's user loader fails first; the 503 offers Retry, and the next request after the outage works."""
    login(client, team["worker"])
    assert client.get("/").status_code == 200
    with outages.down():
        response, elapsed = _timed(lambda: client.get(f"/cases/{team['case_id']}"))
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and elapsed < LIMIT_SECONDS
    assert MESSAGE in page
    _assert_safe_error_page(response, page)
    assert f'href="/cases/{team["case_id"]}"' in page and ">Retry<" in page
    assert "Wes Worker" not in page  # no menu, no user: both need the database

    back = client.get(f"/cases/{team['case_id']}")
    assert back.status_code == 200 and "Okoro" in back.get_data(as_text=True)


@pytest.mark.skipif(not USING_POSTGRES, reason="a network path that goes quiet exists only for a database server")
def test_s35_a_server_that_accepts_and_never_answers_gives_503_within_5_seconds(app, client, team, outages):
    """S35: the connect timeout (3 s) ends the wait; 5 s is the requirement, with margin for a busy machine."""
    login(client, team["worker"])
    with outages.hung():
        response, elapsed = _timed(lambda: client.get("/"))
    assert response.status_code == 503 and elapsed < LIMIT_SECONDS
    assert MESSAGE in response.get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_s35_a_create_answered_with_a_redirect_is_committed(app, client, team, outages):
    """S35: an acknowledged write is in the database, as a separate connection sees it once the request is over."""
    login(client, team["worker"])
    response = client.post(f"/cases/{team['case_id']}/contacts/new", data={**CONTACT, "notes": NOTES})
    assert response.status_code == 302
    observer = create_engine(outages.uri if not USING_POSTGRES else outages.direct, poolclass=NullPool)
    try:
        with observer.connect() as connection:
            # The notes are ciphertext in SQL (S27); a new, non-empty row is what this connection can see.
            saved = connection.execute(
                text("SELECT count(*) FROM contacts WHERE case_id = :c AND notes <> ''"), {"c": team["case_id"]}
            ).scalar()
            audited = connection.execute(
                text("SELECT count(*) FROM audit_events WHERE action = 'create' AND record_type = 'contact'")
            ).scalar()
    finally:
        observer.dispose()
    assert saved == 1 and audited == 1
