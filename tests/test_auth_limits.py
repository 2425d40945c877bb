"""Session timeouts, the per-IP login rate limit and the common-password check (S9, S10, S12)."""

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from caseflow.auth.passwords import TOO_COMMON
from caseflow.auth.services import set_password
from caseflow.auth.sessions import LAST_SEEN, LOGIN_AT
from caseflow.extensions import db
from caseflow.models import User
from config import Config, TestingConfig
from tests.conftest import PASSWORD, PASSWORD_HASH, audit_count, login

IDLE_MESSAGE = "You were logged out after 15 minutes without activity; please log in again."
ABSOLUTE_MESSAGE = "You were logged out after 12 hours; please log in again."
RATE_MESSAGE = "Too many login attempts from this network. Wait a minute and try again."
WRONG = "not-the-right-password"


def alerts(response) -> list[str]:
    """The flash and error banners a user sees on the page."""
    return [a.strip() for a in re.findall(r'role="alert">(.*?)</div>', response.get_data(as_text=True), re.S)]


def shift_session_clock(client, *, login_ago: int | None = None, seen_ago: int | None = None) -> None:
    """Pretend time has passed by moving the session's stamps back, instead of sleeping."""
    now = int(time.time())
    with client.session_transaction() as session:
        if login_ago is not None:
            session[LOGIN_AT] = now - login_ago
        if seen_ago is not None:
            session[LAST_SEEN] = now - seen_ago


def session_stamps(client) -> tuple[int | None, int | None]:
    with client.session_transaction() as session:
        return session.get(LOGIN_AT), session.get(LAST_SEEN)


@pytest.fixture
def worker(make_program, make_user):
    return make_user(roles={make_program(): "worker"})


@pytest.fixture
def worker_client(app, worker):
    client = app.test_client()
    assert login(client, worker).status_code == 302
    return client


# --- idle timeout and absolute lifetime -----------------------------------------------------------


def test_login_stamps_the_session_clock(worker_client):
    """Both limits count from the moment of login, in UTC epoch seconds."""
    login_at, last_seen = session_stamps(worker_client)
    assert login_at is not None and abs(login_at - time.time()) < 5
    assert last_seen == login_at


def test_activity_moves_last_seen_forward(worker_client):
    """Each authenticated request counts as activity; the login time never moves."""
    shift_session_clock(worker_client, login_ago=600, seen_ago=600)
    before_login, _ = session_stamps(worker_client)
    assert worker_client.get("/").status_code == 200
    login_at, last_seen = session_stamps(worker_client)
    assert login_at == before_login
    assert abs(last_seen - time.time()) < 5


def test_session_within_idle_limit_stays_open(worker_client):
    """Fourteen minutes at the coffee machine does not cost a login."""
    shift_session_clock(worker_client, login_ago=14 * 60, seen_ago=14 * 60)
    assert worker_client.get("/").status_code == 200


def test_idle_session_is_logged_out_and_sent_back_to_the_same_page(worker_client, worker):
    """After 15 quiet minutes a phone left on a bus shows the login page, not case data."""
    shift_session_clock(worker_client, seen_ago=15 * 60 + 1)
    response = worker_client.get("/alerts?page=2")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": ["/alerts?page=2"]}
    page = worker_client.get(response.headers["Location"])
    assert IDLE_MESSAGE in alerts(page)
    # The session is really gone: the next request is anonymous and has no stamps left.
    assert worker_client.get("/").headers["Location"].startswith("/login")
    assert session_stamps(worker_client) == (None, None)
    assert audit_count(action="logout", record_id=worker.id, detail="idle timeout") == 1


def test_logging_in_again_after_idle_timeout_returns_to_the_page(worker_client, worker):
    """The next parameter brings the worker back where they were."""
    shift_session_clock(worker_client, seen_ago=20 * 60)
    location = worker_client.get("/alerts").headers["Location"]
    response = worker_client.post(location, data={"email": worker.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/alerts"


def test_session_past_absolute_limit_ends_even_when_active(worker_client):
    """Twelve hours after login the session ends, however busy the user has been."""
    shift_session_clock(worker_client, login_ago=12 * 3600 + 1, seen_ago=10)
    response = worker_client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert ABSOLUTE_MESSAGE in alerts(worker_client.get("/login"))
    assert worker_client.get("/").status_code == 302


def test_expired_post_goes_to_login_without_next_and_changes_nothing(worker_client, worker):
    """A form sent from a stale session is not acted on; the login page does not replay it."""
    before = audit_count()
    shift_session_clock(worker_client, seen_ago=16 * 60)
    response = worker_client.post("/logout", data={})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert IDLE_MESSAGE in alerts(worker_client.get("/login"))
    # Only the timeout's own logout row was written, not the logout view's.
    assert audit_count() == before + 1
    assert audit_count(action="logout", detail="idle timeout") == 1


def test_session_without_clock_is_treated_as_expired(worker_client):
    """A session cookie made before the clock existed (or tampered with) does not live forever."""
    with worker_client.session_transaction() as session:
        session.pop(LOGIN_AT)
        session.pop(LAST_SEEN)
    assert worker_client.get("/").status_code == 302


def test_tighter_idle_limit_from_config_is_used(app, worker_client):
    """A deployment may shorten the idle timeout; the message says the real number."""
    app.config["SESSION_IDLE_MINUTES"] = 5
    shift_session_clock(worker_client, seen_ago=5 * 60 + 1)
    assert worker_client.get("/").status_code == 302
    assert "You were logged out after 5 minutes without activity" in alerts(worker_client.get("/login"))[0]


def test_static_files_do_not_count_as_activity(worker_client):
    """A cached stylesheet fetched by an open tab must not keep an abandoned session alive."""
    shift_session_clock(worker_client, seen_ago=60)
    _, before = session_stamps(worker_client)
    assert worker_client.get("/static/caseflow.css").status_code == 200
    assert session_stamps(worker_client)[1] == before


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CASEFLOW_SESSION_IDLE_MINUTES", "30"),
        ("CASEFLOW_SESSION_MAX_HOURS", "24"),
        ("CASEFLOW_SESSION_IDLE_MINUTES", "0"),
    ],
)
def test_session_limits_may_be_tightened_never_loosened(monkeypatch, variable, value):
    """Security defaults are a ceiling for deployments."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError):
        Config.from_env()


def test_session_limits_may_be_tightened(monkeypatch):
    monkeypatch.setenv("CASEFLOW_SESSION_IDLE_MINUTES", "10")
    monkeypatch.setenv("CASEFLOW_SESSION_MAX_HOURS", "8")
    values = Config.from_env()
    assert values["SESSION_IDLE_MINUTES"] == 10
    assert values["SESSION_MAX_HOURS"] == 8


def test_defaults_are_fifteen_minutes_and_twelve_hours():
    assert Config.SESSION_IDLE_MINUTES == 15
    assert Config.SESSION_MAX_HOURS == 12


# --- per-IP login rate limit ----------------------------------------------------------------------


@pytest.fixture
def real_rate_limit(app):
    """The production limit; the testing config raises it because the suite logs in often."""
    assert TestingConfig.LOGIN_RATE_LIMIT != Config.LOGIN_RATE_LIMIT
    app.config["LOGIN_RATE_LIMIT"] = Config.LOGIN_RATE_LIMIT
    return app


def post_login(client, email: str, password: str, ip: str):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


def test_eleventh_login_post_in_a_minute_from_one_ip_gets_a_friendly_429(real_rate_limit, make_user):
    """Password spraying across many accounts from one address is slowed down (S10)."""
    client = real_rate_limit.test_client()
    for number in range(10):
        response = post_login(client, f"nobody{number}@example.org", WRONG, "203.0.113.7")
        assert response.status_code == 200
    blocked = post_login(client, "nobody10@example.org", WRONG, "203.0.113.7")
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert RATE_MESSAGE in page
    assert "Traceback" not in page
    # The error page carries the same security headers as every other page (S15).
    assert blocked.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in blocked.headers["Content-Security-Policy"]
    assert blocked.headers["Cache-Control"] == "no-store"
    # Even the right password is refused while the limit holds: nothing is checked.
    user = make_user()
    assert post_login(client, user.email, PASSWORD, "203.0.113.7").status_code == 429
    assert db.session.get(User, user.id).last_login_at is None


def test_limit_is_per_ip_so_another_network_still_gets_the_form(real_rate_limit, make_user):
    """One noisy address does not lock out the hospital next door."""
    client = real_rate_limit.test_client()
    for _ in range(11):
        post_login(client, "nobody@example.org", WRONG, "203.0.113.7")
    assert post_login(client, "nobody@example.org", WRONG, "203.0.113.7").status_code == 429
    other = post_login(real_rate_limit.test_client(), "nobody@example.org", WRONG, "198.51.100.20")
    assert other.status_code == 200
    assert "did not match an active account" in other.get_data(as_text=True)
    user = make_user()
    assert post_login(real_rate_limit.test_client(), user.email, PASSWORD, "198.51.100.20").status_code == 302


def test_viewing_the_login_page_is_not_limited(real_rate_limit):
    """Only attempts count: reloading the form on a bad connection never trips the limit."""
    client = real_rate_limit.test_client()
    for _ in range(15):
        assert client.get("/login", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 200


def test_rate_limit_does_not_change_the_account_lockout(real_rate_limit, make_user):
    """Five wrong passwords still lock that account, well under the per-IP limit."""
    user = make_user()
    client = real_rate_limit.test_client()
    for _ in range(5):
        assert post_login(client, user.email, WRONG, "203.0.113.8").status_code == 200
    assert post_login(client, user.email, PASSWORD, "203.0.113.8").status_code == 200
    assert db.session.get(User, user.id).locked_until is not None


def test_each_app_starts_with_fresh_counters(real_rate_limit):
    """The counters of earlier tests (which log in many times) do not leak into this one."""
    client = real_rate_limit.test_client()
    for _ in range(10):
        assert post_login(client, "nobody@example.org", WRONG, "127.0.0.1").status_code == 200


def test_redis_url_selects_shared_storage(monkeypatch):
    """Several gunicorn workers must share one count; REDIS_URL makes them."""
    assert Config.RATELIMIT_STORAGE_URI == "memory://"
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    assert Config.from_env()["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"


# --- common and guessable passwords ---------------------------------------------------------------

GUESSABLE = [
    "password1234",
    "Password-1234!",
    "123456789012",
    "qwertyuiopas",
    "iloveyou1234",
    "passwordpassword",
    "aaaaaaaaaaaa",
    "abcdefghijkl",
    "zyxwvutsrqpo",
    "1qaz2wsx3edc4rfv",
    "qwerty123456",
    "1234-5678-9012",
    "abcabcabcabc",
    "sunshine2024!!",
    "letmein-letmein",
]


@pytest.fixture
def admin_client(app, make_user):
    admin = make_user(email="admin@example.org", full_name="Ada Admin", is_admin=True)
    client = app.test_client()
    assert login(client, admin).status_code == 302
    return client


def new_user_form(password: str, **changes) -> dict:
    data = {"full_name": "Dana Newhire", "email": "dana.newhire@example.org", "password": password, "confirm": password}
    data.update(changes)
    return data


def user_count() -> int:
    return db.session.execute(db.select(db.func.count(User.id))).scalar_one()


@pytest.mark.parametrize("password", GUESSABLE)
def test_admin_cannot_create_account_with_guessable_password(admin_client, password):
    """The form explains why and keeps the other fields; no account is made."""
    response = admin_client.post("/admin/users/new", data=new_user_form(password))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert TOO_COMMON in page
    assert 'value="dana.newhire@example.org"' in page
    assert f'value="{password}"' not in page
    assert user_count() == 1


@pytest.mark.parametrize(
    "password", ["dana.newhire-winter-rain", "my-Newhire-phrase-42", "walking-with-dana-today"], ids=str
)
def test_admin_cannot_create_account_with_password_holding_name_or_email(admin_client, password):
    """A password built on the person's own name or address is the first thing tried against them."""
    response = admin_client.post("/admin/users/new", data=new_user_form(password))
    assert response.status_code == 200
    assert "contains your name or email" in response.get_data(as_text=True)
    assert user_count() == 1


def test_admin_can_create_account_with_an_uncommon_phrase(admin_client):
    response = admin_client.post("/admin/users/new", data=new_user_form("violet-harbor-lantern-umbrella"))
    assert response.status_code == 302
    assert user_count() == 2


def test_cli_refuses_common_password(app):
    """The command line applies the same check as the admin pages."""
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "a@b.org", "--name", "A B", "--password", "qwertyuiop123"]
    )
    assert result.exit_code != 0
    assert TOO_COMMON in result.output
    assert db.session.execute(db.select(User).where(User.email == "a@b.org")).scalar_one_or_none() is None


@pytest.mark.parametrize("password", ["passwordpassword", "casey.morgan.2024"])
def test_password_change_refuses_common_or_personal_password(app, make_user, password):
    """Changing a password applies the same rules, and a refused change keeps the old password."""
    user = make_user(email="casey.morgan@example.org", full_name="Casey Morgan")
    with pytest.raises(ValueError, match="too common|name or email"):
        set_password(user, user, password)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == PASSWORD_HASH


def test_test_suite_password_is_acceptable():
    """The fixtures' password passes the policy, so tests exercising it are realistic."""
    from caseflow.auth.passwords import password_problem

    assert password_problem(PASSWORD) is None
    assert password_problem("violet harbor lantern", "user1@example.org", "Test User") is None
