"""S12: a new session at login, safe cookies, POST-only logout, and sessions that end when they should.

The idle and absolute limits are tested in tests/test_auth_limits.py.
"""

import pytest
from cryptography.fernet import Fernet

from caseflow import create_app
from caseflow.extensions import db
from caseflow.models import User
from tests.conftest import PASSWORD, PASSWORD_HASH, _fresh_g_after_each_request, audit_count, csrf_token_from, login
from tests.security.totp_helpers import alerts, code_at, enrol, field_errors, is_logged_in, login_with_code, make_clock

NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.fixture
def clock(monkeypatch):
    return make_clock(monkeypatch)


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def session_cookie(response) -> str:
    """The Set-Cookie header for the session cookie."""
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie set"
    return cookies[-1]


def cookie_value(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


# --- a new session at login -----------------------------------------------------------------------


def test_s12_each_login_step_starts_a_new_session(client, make_user, clock):
    """S12: nothing planted before login survives the password step or the code step (session fixation)."""
    user = make_user()
    enrol(user, clock)
    with client.session_transaction() as sess:
        sess["planted"] = "by-attacker"
    before = cookie_value(client)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as sess:
        assert "planted" not in sess
        sess["planted"] = "again"
    pending = cookie_value(client)
    client.post("/login/code", data={"code": code_at(user, clock.now)})
    with client.session_transaction() as sess:
        assert "planted" not in sess and "pending_login" not in sess
    assert len({before, pending, cookie_value(client)}) == 3
    assert is_logged_in(client)


def test_s12_session_cookie_is_httponly_and_samesite(client, make_user, clock):
    """S12: the cookie that carries the login cannot be read by page scripts or sent cross-site."""
    user = make_user()
    enrol(user, clock)
    response = login_with_code(client, user, code_at(user, clock.now))
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_s12_production_session_cookie_is_secure(monkeypatch, tmp_path):
    """S12: in production the session cookie travels only over HTTPS."""
    monkeypatch.setenv("SECRET_KEY", "s" * 48)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    monkeypatch.setenv("CASEFLOW_REQUIRE_2FA", "0")
    monkeypatch.setenv("CASEFLOW_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}"})
    _fresh_g_after_each_request(app)
    with app.app_context():
        db.create_all()
        db.session.add(User(email="prod@example.org", full_name="Prod User", password_hash=PASSWORD_HASH))
        db.session.commit()
        client = app.test_client()
        token = csrf_token_from(client.get("/login").get_data(as_text=True))  # production keeps CSRF on
        response = client.post("/login", data={"email": "prod@example.org", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        cookie = session_cookie(response)
        assert "Secure" in cookie and "HttpOnly" in cookie
        db.session.remove()
        db.engine.dispose()


# --- logout ---------------------------------------------------------------------------------------


def test_s12_logout_is_post_only(client, make_user):
    """S12: a link or an image cannot log anyone out (GET is refused)."""
    user = make_user()
    login(client, user)
    assert client.get("/logout").status_code == 405
    assert is_logged_in(client)


def test_s12_logout_ends_every_session_of_that_user(app, make_user):
    """S12: logging out on one device logs out the others too (a phone left somewhere)."""
    user = make_user()
    other_user = make_user()
    phone, desk, someone_else = app.test_client(), app.test_client(), app.test_client()
    login(phone, user)
    login(desk, user)
    login(someone_else, other_user)
    response = desk.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not is_logged_in(desk)
    assert not is_logged_in(phone)
    assert is_logged_in(someone_else)
    assert audit_count(action="logout", record_id=user.id) == 1


# --- password change ------------------------------------------------------------------------------


def test_s12_password_change_ends_other_sessions_but_keeps_this_one(app, make_user):
    """S12: changing the password on the account page logs out every other session, not this one."""
    user = make_user()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    response = here.post(
        "/account",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Password changed." in " ".join(alerts(response))
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)
    assert login(app.test_client(), user, NEW_PASSWORD).status_code == 302
    assert login(app.test_client(), user, PASSWORD).status_code == 200


def test_s12_wrong_current_password_changes_nothing_and_counts(client, make_user):
    """S12 with S10: the current password is checked, a wrong one counts toward the lockout."""
    user = make_user()
    login(client, user)
    response = client.post(
        "/account",
        data={"current_password": "not-my-password-at-all", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "That is not your current password." in field_errors(response)
    assert reload(user).password_hash == PASSWORD_HASH
    assert reload(user).failed_login_count == 1
    assert is_logged_in(client)


def test_s12_password_change_applies_the_policy_and_keeps_typing(client, make_user):
    """S12 with S9: a weak new password is refused with a clear message and nothing changes."""
    user = make_user()
    login(client, user)
    response = client.post(
        "/account", data={"current_password": PASSWORD, "new_password": "password1234", "confirm": "password1234"}
    )
    assert response.status_code == 200
    assert any("too common" in error for error in field_errors(response))
    assert reload(user).password_hash == PASSWORD_HASH
    mismatch = client.post(
        "/account", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}
    )
    assert "The two new passwords differ." in field_errors(mismatch)
    assert reload(user).password_hash == PASSWORD_HASH


# --- administrator actions ------------------------------------------------------------------------


def test_s12_two_factor_reset_ends_the_users_sessions(app, make_user, clock):
    """S12: an administrator's reset of someone's second factor logs that person out everywhere."""
    user = make_user()
    enrol(user, clock)
    users_phone = app.test_client()
    login_with_code(users_phone, user, code_at(user, clock.now))
    assert is_logged_in(users_phone)
    admin = make_user(is_admin=True)
    admin_client = app.test_client()
    login(admin_client, admin)
    assert admin_client.post(f"/admin/users/{user.id}/two-factor/reset").status_code == 302
    assert not is_logged_in(users_phone)
    assert is_logged_in(admin_client)


def test_s12_deactivation_from_the_admin_page_ends_the_users_sessions(app, make_user):
    """S12: deactivating an account on the admin page throws its open sessions out."""
    user = make_user()
    users_phone = app.test_client()
    login(users_phone, user)
    admin = make_user(is_admin=True)
    admin_client = app.test_client()
    login(admin_client, admin)
    assert admin_client.post(f"/admin/users/{user.id}/active").status_code == 302
    assert not reload(user).is_active
    assert not is_logged_in(users_phone)
