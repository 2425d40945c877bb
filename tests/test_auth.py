"""Logging in and out: lockout, generic failures, session endings, hashing, cookies, the CLI."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher

from caseflow.admin.services import create_user, set_user_active
from caseflow.auth import services as auth_services
from caseflow.auth.passwords import hash_password, password_problem, verify_password
from caseflow.auth.services import set_password
from caseflow.extensions import db
from caseflow.models import User
from caseflow.models.base import utcnow
from config import ProductionConfig
from tests.conftest import PASSWORD, PASSWORD_HASH, audit_count, csrf_token_from, login

WRONG = "not-the-right-password"
NEW_PASSWORD = "a-brand-new-passphrase"


def alerts(response) -> list[str]:
    """The flash and error banners a user sees on the page."""
    return [a.strip() for a in re.findall(r'role="alert">(.*?)</div>', response.get_data(as_text=True), re.S)]


def is_logged_in(client) -> bool:
    """A logged-in client gets the home page; an anonymous one is sent to /login."""
    response = client.get("/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    return False


def fail_logins(client, user, times: int) -> None:
    for _ in range(times):
        response = login(client, user, WRONG)
        assert response.status_code == 200


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- logging in ---------------------------------------------------------------------------------


def test_login_redirects_home_and_home_loads(client, make_user):
    """The normal path: right credentials land the user on their caseload."""
    user = make_user()
    response = login(client, user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "My cases" in home.get_data(as_text=True)


def test_login_email_is_case_insensitive(client, make_user):
    """People type their email with varying capitals; that must not block them."""
    make_user(email="mixed.case@example.org")
    response = login(client, "Mixed.Case@Example.ORG")
    assert response.status_code == 302
    assert is_logged_in(client)


def test_login_follows_relative_next_after_redirect_to_login(client, make_user):
    """A user sent to log in from a page goes back to that page."""
    user = make_user()
    bounced = client.get("/cases/1")
    assert bounced.status_code == 302
    login_url = bounced.headers["Location"]
    assert login_url.startswith("/login?next=")
    response = client.post(login_url, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/cases/1"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "http:evil.example", "javascript:x"])
def test_login_ignores_offsite_next(client, make_user, target):
    """An attacker's link must not bounce a freshly logged-in user to another site (open redirect)."""
    user = make_user()
    response = client.post("/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_next_with_backslash_stays_on_site(client, make_user):
    """Browsers read a backslash as a slash, so /\\evil.example must not become //evil.example."""
    user = make_user()
    response = client.post(
        "/login", query_string={"next": "/\\evil.example"}, data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    as_browser_reads_it = urlsplit(response.headers["Location"].replace("\\", "/"))
    assert as_browser_reads_it.netloc == ""
    assert as_browser_reads_it.scheme == ""


def test_login_starts_a_new_session(client, make_user):
    """Anything planted in the session before login (session fixation) is gone after it."""
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_wrong_password_and_unknown_email_look_identical(client, make_user):
    """The reply must not tell an attacker which emails have accounts."""
    user = make_user(email="known@example.org")
    wrong = login(client, user, WRONG)
    unknown = login(client, "nobody@example.org", WRONG)
    assert wrong.status_code == unknown.status_code == 200
    assert alerts(wrong) == alerts(unknown)
    assert "did not match an active account" in alerts(wrong)[0]
    same_page = wrong.get_data(as_text=True).replace("known@example.org", "EMAIL")
    assert same_page == unknown.get_data(as_text=True).replace("nobody@example.org", "EMAIL")
    assert not is_logged_in(client)


def test_overlong_password_at_login_fails_generically(client, make_user):
    """A 10,000-character password is refused like any wrong one, not with an error page."""
    user = make_user()
    response = login(client, user, "x" * 10_000)
    assert response.status_code == 200
    assert alerts(response) == alerts(login(client, user, WRONG))


# --- lockout ------------------------------------------------------------------------------------


def test_five_failures_lock_the_account_even_for_the_right_password(client, make_user):
    """Guessing stops working after 5 tries: the 6th try fails even with the real password."""
    user = make_user()
    fail_logins(client, user, 4)
    generic = alerts(login(client, user, WRONG))
    locked = login(client, user)
    assert locked.status_code == 200
    assert alerts(locked) == generic
    assert not is_logged_in(client)
    assert reload(user).locked_until is not None


def test_four_failures_do_not_lock(client, make_user):
    """The limit is five, not fewer: a user with four typos still gets in."""
    user = make_user()
    fail_logins(client, user, 4)
    assert login(client, user).status_code == 302


def test_lockout_does_not_affect_other_users(app, make_user):
    """An attacker hammering one account must not lock everyone else out."""
    victim = make_user()
    colleague = make_user()
    attacker = app.test_client()
    fail_logins(attacker, victim, 5)
    other = app.test_client()
    assert login(other, colleague).status_code == 302
    assert is_logged_in(other)


def test_expired_lock_lets_the_right_password_in_and_resets_counter(client, make_user):
    """Once the lock has run out the owner can log in, starting from a clean slate."""
    user = make_user()
    fail_logins(client, user, 5)
    user = reload(user)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login(client, user).status_code == 302
    user = reload(user)
    assert user.failed_login_count == 0
    assert user.locked_until is None


def test_lock_lasts_fifteen_minutes(client, make_user, monkeypatch):
    """Still locked at 14 minutes, open at 16."""
    user = make_user()
    fail_logins(client, user, 5)
    start = utcnow()
    monkeypatch.setattr(auth_services, "utcnow", lambda: start + timedelta(minutes=14))
    assert login(client, user).status_code == 200
    monkeypatch.setattr(auth_services, "utcnow", lambda: start + timedelta(minutes=16))
    assert login(client, user).status_code == 302


def test_failure_after_expired_lock_starts_a_new_count(client, make_user):
    """One typo after the lock ends must not re-lock the account at once."""
    user = make_user()
    fail_logins(client, user, 5)
    user = reload(user)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    fail_logins(client, user, 1)
    assert reload(user).failed_login_count == 1
    assert login(client, user).status_code == 302


def test_successful_login_resets_failure_counter(app, make_user):
    """Old typos do not add up to a lock across successful logins."""
    user = make_user()
    client = app.test_client()
    fail_logins(client, user, 4)
    assert login(client, user).status_code == 302
    assert reload(user).failed_login_count == 0
    fresh = app.test_client()
    fail_logins(fresh, user, 4)
    assert login(fresh, user).status_code == 302


# --- accounts that must not get in, and sessions that must end --------------------------------------


def test_deactivated_account_cannot_log_in(client, make_user):
    """A departed staff member's password no longer opens anything, and the reply is the generic one."""
    user = make_user(is_active=False)
    response = login(client, user)
    assert response.status_code == 200
    assert alerts(response) == alerts(login(client, "nobody@example.org", WRONG))
    assert not is_logged_in(client)


def test_deactivation_ends_an_open_session(client, make_user):
    """Deactivating someone who is logged in throws them out on their next request."""
    admin = make_user(is_admin=True)
    user = make_user()
    login(client, user)
    assert is_logged_in(client)
    set_user_active(admin, user, False)
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_password_change_ends_existing_sessions(client, make_user):
    """After a password change (say, a suspected leak) sessions made with the old one are dead."""
    user = make_user()
    login(client, user)
    assert is_logged_in(client)
    set_password(user, user, NEW_PASSWORD)
    db.session.commit()
    assert not is_logged_in(client)


def test_password_change_takes_effect_for_login(app, make_user):
    """The new password works and the old one no longer does."""
    user = make_user()
    set_password(user, user, NEW_PASSWORD)
    db.session.commit()
    assert login(app.test_client(), user, PASSWORD).status_code == 200
    assert login(app.test_client(), user, NEW_PASSWORD).status_code == 302


# --- logout -------------------------------------------------------------------------------------


def test_logout_by_get_is_not_allowed(client, make_user):
    """A link or image tag must not be able to log someone out."""
    user = make_user()
    login(client, user)
    assert client.get("/logout").status_code == 405
    assert is_logged_in(client)


def test_logout_by_post_logs_out(client, make_user):
    """The logout button ends the session."""
    user = make_user()
    login(client, user)
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert not is_logged_in(client)


def _csrf_login(client) -> None:
    """Make a user in csrf_app's own database (the factories use the `app` fixture's) and log in."""
    db.session.add(User(email="csrf@example.org", full_name="Csrf User", password_hash=PASSWORD_HASH))
    db.session.commit()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "csrf@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_logout_without_csrf_token_does_nothing(csrf_app):
    """Another site cannot log a user out by posting to /logout."""
    client = csrf_app.test_client()
    _csrf_login(client)
    assert client.post("/logout").status_code == 400
    assert is_logged_in(client)


def test_logout_with_csrf_token_logs_out(csrf_app):
    """With CSRF on, the real logout button (which carries the token) still works."""
    client = csrf_app.test_client()
    _csrf_login(client)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    assert not is_logged_in(client)


# --- passwords ----------------------------------------------------------------------------------


def test_stored_hash_is_argon2id_not_the_password(app):
    """A stolen database must not hand over passwords."""
    user = create_user(None, email="hash@example.org", full_name="Hash Check", password=PASSWORD)
    db.session.commit()
    stored = reload(user).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_changed_password_is_stored_as_argon2id(app, make_user):
    """set_password hashes too; it never stores the text it is given."""
    user = make_user()
    set_password(user, user, NEW_PASSWORD)
    db.session.commit()
    stored = reload(user).password_hash
    assert stored.startswith("$argon2id$")
    assert NEW_PASSWORD not in stored


@pytest.mark.parametrize("length", [11, 129, 10_000])
def test_set_password_refuses_password_outside_policy(app, make_user, length):
    """S9 holds for password changes too; a 129+ char one would be stored yet could never log in."""
    user = make_user()
    before = user.password_hash
    with pytest.raises(ValueError):
        set_password(user, user, "p" * length)
    db.session.rollback()
    assert reload(user).password_hash == before
    assert login(app.test_client(), user).status_code == 302


# Varied enough to pass the common-password check at any length, so only the length decides.
UNCOMMON_TEXT = "violet harbor lantern, quietly folding maps under a borrowed umbrella; " * 2


@pytest.mark.parametrize(
    ("length", "acceptable"),
    [(11, False), (12, True), (128, True), (129, False)],
)
def test_password_length_policy(length, acceptable):
    """Passwords are 12 to 128 characters, inclusive."""
    problem = password_problem(UNCOMMON_TEXT[:length])
    assert (problem is None) is acceptable
    if not acceptable:
        assert problem


def test_overlong_password_is_refused_without_hashing(app):
    """A 10,000-character password is refused before argon2 runs, even if it would match."""
    huge = "x" * 10_000
    stored = hash_password(huge)
    assert verify_password(stored, huge) is False


def test_outdated_hash_is_upgraded_at_login(client, make_user):
    """Hashes made with weaker parameters are replaced with current ones on the next login."""
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    user = make_user()
    user.password_hash = weak
    db.session.commit()
    assert login(client, user).status_code == 302
    upgraded = reload(user).password_hash
    assert upgraded != weak
    assert upgraded.startswith("$argon2id$")
    assert verify_password(upgraded, PASSWORD)


# --- cookies and configuration ------------------------------------------------------------------


def test_session_cookie_is_httponly(client, make_user):
    """Page scripts (and any injected ones) cannot read the session cookie."""
    user = make_user()
    response = login(client, user)
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies
    assert all("HttpOnly" in c for c in cookies)
    assert all("SameSite=Lax" in c for c in cookies)


def test_production_cookies_are_secure():
    """In production the session cookie only travels over HTTPS."""
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_to_start_without_environment(monkeypatch, missing):
    """Production must not fall back to the development secret key or the SQLite file."""
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://user@db/caseflow")
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        ProductionConfig.from_env()


def test_production_uses_environment_when_given(monkeypatch):
    """With the variables set, production takes its secret and database from them."""
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db/caseflow")
    monkeypatch.setenv("CASEFLOW_ENCRYPTION_KEYS", "KAlpTCwNW8QjzpF4nmBG7q3eU2Q6Sd6Z8eyIxfdIR4U=")
    values = ProductionConfig.from_env()
    assert values["SECRET_KEY"] == "s" * 40
    assert values["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db/caseflow"


# --- audit --------------------------------------------------------------------------------------


def test_login_is_audited(client, make_user):
    """Who logged in and when is on record."""
    user = make_user()
    login(client, user)
    assert audit_count(action="login", user_id=user.id) == 1


def test_failed_login_is_audited(client, make_user):
    """Failed attempts are on record, for the account and for unknown emails."""
    user = make_user()
    login(client, user, WRONG)
    login(client, "nobody@example.org", WRONG)
    assert audit_count(action="login_failed", record_id=user.id) == 1
    assert audit_count(action="login_failed") == 2


def test_lockout_is_audited_once(client, make_user):
    """The lock itself is recorded when the fifth failure happens, not before."""
    user = make_user()
    fail_logins(client, user, 4)
    assert audit_count(action="lockout") == 0
    fail_logins(client, user, 1)
    assert audit_count(action="lockout", record_id=user.id) == 1


# --- flask create-user --------------------------------------------------------------------------


def create_user_cli(app, *args):
    return app.test_cli_runner().invoke(args=["create-user", *args])


def test_cli_creates_a_user_who_can_log_in(app, client):
    """The first account is made on the command line and must work in the browser."""
    result = create_user_cli(app, "--email", "a@b.org", "--name", "A B", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert "a@b.org" in result.output
    user = db.session.execute(db.select(User).where(User.email == "a@b.org")).scalar_one()
    assert user.full_name == "A B"
    assert user.is_admin is False
    assert login(client, "a@b.org").status_code == 302


def test_cli_refuses_short_password(app):
    """The command line applies the same password policy as the admin pages."""
    result = create_user_cli(app, "--email", "a@b.org", "--name", "A B", "--password", "short")
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert db.session.execute(db.select(User).where(User.email == "a@b.org")).scalar_one_or_none() is None


def test_cli_refuses_duplicate_email(app, make_user):
    """Two accounts with one email would make logins ambiguous."""
    make_user(email="a@b.org")
    result = create_user_cli(app, "--email", "A@B.org", "--name", "A B", "--password", PASSWORD)
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 1


def test_cli_admin_flag_makes_an_administrator(app):
    """--admin is how the first administrator comes to exist."""
    result = create_user_cli(app, "--email", "a@b.org", "--name", "A B", "--password", PASSWORD, "--admin")
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User).where(User.email == "a@b.org")).scalar_one()
    assert user.is_admin is True


def test_right_password_on_a_deactivated_account_is_not_counted_as_a_guess(client, make_user):
    """Refused with the generic message, but no failure count and no lockout row."""
    user = make_user(is_active=False)
    for _ in range(6):
        response = login(client, user)
        assert response.status_code == 200
    db.session.refresh(user)
    assert (user.failed_login_count, user.locked_until) == (0, None)
    assert audit_count(action="lockout") == 0
