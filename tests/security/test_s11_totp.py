"""S11: a TOTP second factor for every account; a code works once; recovery codes hashed and single-use."""

import base64
import io
import re
import time

import pyotp
import pytest
import segno
from sqlalchemy import inspect, select, text

from caseflow import create_app
from caseflow.auth import twofactor
from caseflow.auth.pending import PENDING_AT
from caseflow.auth.services import set_password
from caseflow.extensions import db
from caseflow.models import Contact, RecoveryCode, User
from config import Config, DevelopmentConfig, ProductionConfig, TestingConfig
from tests.conftest import PASSWORD, audit_count, login
from tests.security.totp_helpers import (
    alerts,
    code_at,
    enrol,
    field_errors,
    is_logged_in,
    login_with_code,
    make_clock,
    secret_of,
)

CODE_FAILURE = "That code did not work."
RECOVERY_FORMAT = re.compile(r"^[A-Z2-9]{5}-[A-Z2-9]{5}$")


@pytest.fixture
def clock(monkeypatch):
    return make_clock(monkeypatch)


@pytest.fixture
def required(app):
    """Two-step login required, as in every real deployment."""
    app.config["REQUIRE_2FA"] = True
    return app


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- enrolment ------------------------------------------------------------------------------------


def test_s11_enrolment_shows_a_qr_code_and_the_key_then_switches_on_with_a_code(required, client, make_user, clock):
    """S11: set-up shows a QR code (an SVG image, no script) and the key; a current code switches it on."""
    user = make_user()
    login(client, user)
    page = client.get("/account/two-factor")
    assert "Set up two-step login" in page.get_data(as_text=True)
    assert secret_of(user) is None  # the GET made no secret (S14)

    assert client.post("/account/two-factor/start").status_code == 302
    body = client.get("/account/two-factor").get_data(as_text=True)
    secret = secret_of(user)
    assert secret and len(secret) >= 32
    # The key is shown for typing by hand, in groups of four.
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in body
    assert "Issuer: caseflow" in body
    data_uri = re.search(r'<img src="(data:image/svg\+xml;base64,[^"]+)"', body).group(1)
    svg = base64.b64decode(data_uri.split(",", 1)[1]).decode()
    assert svg.lstrip().startswith("<svg") and "<script" not in svg
    # The QR code is the otpauth address with issuer "caseflow" and this secret, drawn by segno.
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="caseflow")
    assert f"secret={secret}" in uri and "issuer=caseflow" in uri
    drawn = io.BytesIO()
    segno.make(uri, error="m").save(drawn, kind="svg", scale=5, border=4, xmldecl=False)
    assert svg == drawn.getvalue().decode()
    assert "<script>" not in body  # no inline script on the page (strict CSP)

    done = client.post("/account/two-factor", data={"code": code_at(user, clock.now)})
    assert done.status_code == 200
    shown = re.findall(r"<li>([A-Z2-9]{5}-[A-Z2-9]{5})</li>", done.get_data(as_text=True))
    assert len(shown) == 10 and len(set(shown)) == 10
    assert all(RECOVERY_FORMAT.match(code) for code in shown)
    assert reload(user).has_two_factor
    assert audit_count(action="second_factor", record_id=user.id, detail="two-step login switched on") == 1


def test_s11_a_wrong_code_does_not_switch_it_on(required, client, make_user, clock):
    """S11: enrolment needs the code the app shows now; a wrong one leaves two-step login off."""
    user = make_user()
    login(client, user)
    client.post("/account/two-factor/start")
    wrong = code_at(user, clock.now - 600)
    response = client.post("/account/two-factor", data={"code": wrong})
    assert response.status_code == 200
    assert any(CODE_FAILURE in error for error in field_errors(response))
    assert not reload(user).has_two_factor
    assert db.session.scalar(select(db.func.count(RecoveryCode.id))) == 0


def test_s11_a_stale_session_cannot_start_enrolment(required, client, make_user):
    """S11 with S13: tying the account to a phone needs a recent password check."""
    user = make_user()
    login(client, user)
    with client.session_transaction() as sess:
        sess["fresh_at"] = int(time.time()) - 600
    response = client.post("/account/two-factor/start")
    assert "/reauth" in response.headers["Location"]
    assert secret_of(user) is None


# --- logging in with a code -----------------------------------------------------------------------


def test_s11_the_right_password_alone_does_not_log_in(client, make_user, clock):
    """S11: with two-step login on, the password leads to the code page and nothing else opens."""
    user = make_user()
    enrol(user, clock)
    response = login(client, user)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login/code")
    assert not is_logged_in(client)
    assert client.get("/participants/search").headers["Location"].startswith("/login")
    assert client.get("/login/code").status_code == 200
    assert audit_count(action="login", record_id=user.id) == 0


def test_s11_the_right_code_completes_the_login_and_keeps_next(client, make_user, clock):
    """S11: password then code logs in and returns to the page the user wanted."""
    user = make_user()
    enrol(user, clock)
    first = client.post("/login?next=/account", data={"email": user.email, "password": PASSWORD})
    assert first.headers["Location"].startswith("/login/code?next=")
    done = client.post(first.headers["Location"], data={"code": code_at(user, clock.now)})
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    assert is_logged_in(client)
    assert audit_count(action="login", record_id=user.id, detail="with authenticator app") == 1
    assert reload(user).last_login_at is not None


def test_s11_a_used_code_is_refused_even_inside_its_window(app, make_user, clock):
    """S11: a code cannot be used twice, and an older one is refused once a newer one was accepted."""
    user = make_user()
    enrol(user, clock)
    code = code_at(user, clock.now)
    assert login_with_code(app.test_client(), user, code).status_code == 302

    replay = app.test_client()
    response = login_with_code(replay, user, code)
    assert response.status_code == 200
    assert any(CODE_FAILURE in error for error in field_errors(response))
    assert not is_logged_in(replay)

    # Still within the window 15 seconds later, and the previous step's code too: both refused.
    clock.advance(15)
    assert login_with_code(app.test_client(), user, code).status_code == 200
    assert login_with_code(app.test_client(), user, code_at(user, clock.now - 45)).status_code == 200
    # The next step's code is new, so it works.
    clock.advance(15)
    assert login_with_code(app.test_client(), user, code_at(user, clock.now)).status_code == 302


def test_s11_codes_outside_the_window_are_refused(app, make_user, clock):
    """S11: one step either side is forgiven for a drifting phone clock, and no more."""
    user = make_user()
    enrol(user, clock)
    assert login_with_code(app.test_client(), user, code_at(user, clock.now + 90)).status_code == 200
    assert login_with_code(app.test_client(), user, code_at(user, clock.now + 30)).status_code == 302


def test_s11_wrong_codes_count_toward_the_account_lockout(client, make_user, clock):
    """S11 with S10: five wrong codes lock the account; then even the right code is refused."""
    user = make_user()
    enrol(user, clock)
    login(client, user)
    right = code_at(user, clock.now)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        response = client.post("/login/code", data={"code": wrong})
        assert response.status_code == 200
        assert any(CODE_FAILURE in error for error in field_errors(response))
    assert reload(user).locked_until is not None
    assert client.post("/login/code", data={"code": right}).status_code == 200
    assert not is_logged_in(client)
    assert audit_count(action="login_failed", record_id=user.id, detail="wrong second-factor code") == 5
    assert audit_count(action="lockout", record_id=user.id) == 1


def test_s11_a_right_password_does_not_reset_the_count_of_wrong_codes(client, make_user, clock):
    """S11: logging in with the password again cannot buy more code guesses."""
    user = make_user()
    enrol(user, clock)
    for _ in range(5):
        login(client, user)
        client.post("/login/code", data={"code": "not-a-code"})
    assert reload(user).locked_until is not None


def test_s11_the_code_step_expires_after_five_minutes(client, make_user, clock):
    """S11: a code must follow the password within 5 minutes; later the user starts again."""
    user = make_user()
    enrol(user, clock)
    login(client, user)
    with client.session_transaction() as sess:
        sess[PENDING_AT] = int(time.time()) - 301
    response = client.post("/login/code", data={"code": code_at(user, clock.now)}, follow_redirects=True)
    assert "Please log in again" in " ".join(alerts(response))
    assert not is_logged_in(client)


def test_s11_the_code_page_needs_a_password_first(client):
    """S11: without a right password just before, the code page sends the visitor to log in."""
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    response = client.post("/login/code", data={"code": "123456"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_s11_ending_the_users_sessions_ends_a_pending_login(client, make_user, clock):
    """S11: a password change between password and code (sessions ended) stops the login."""
    user = make_user()
    enrol(user, clock)
    login(client, user)
    set_password(user, reload(user), "another-long-passphrase-here")
    db.session.commit()
    client.post("/login/code", data={"code": code_at(user, clock.now)})
    assert not is_logged_in(client)


def test_s11_the_code_step_is_rate_limited_per_address(app, make_user, clock):
    """S11 with S10: code guesses from one address are limited like password guesses (429)."""
    app.config["LOGIN_RATE_LIMIT"] = Config.LOGIN_RATE_LIMIT
    user = make_user()
    enrol(user, clock)
    client = app.test_client()
    login(client, user)
    statuses = [
        client.post("/login/code", data={"code": "12"}, environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


# --- recovery codes -------------------------------------------------------------------------------


def test_s11_a_recovery_code_works_once(app, make_user, clock):
    """S11: a recovery code logs in in place of an app code, once; the second try is refused."""
    user = make_user()
    codes = enrol(user, clock)
    client = app.test_client()
    response = login_with_code(client, user, codes[3].lower().replace("-", " "))
    assert response.status_code == 302
    landing = client.get(response.headers["Location"], follow_redirects=True)
    assert "You used a recovery code; 9 left." in " ".join(alerts(landing))
    assert audit_count(action="second_factor", record_id=user.id, detail="recovery code used, 9 left") == 1

    again = login_with_code(app.test_client(), user, codes[3])
    assert again.status_code == 200
    assert any(CODE_FAILURE in error for error in field_errors(again))
    assert login_with_code(app.test_client(), user, codes[4]).status_code == 302


def test_s11_recovery_codes_are_stored_only_as_hashes(app, make_user, clock):
    """S11: no recovery code (nor the key's own digits) appears in plain text anywhere in the database."""
    user = make_user()
    codes = enrol(user, clock)
    stored = db.session.execute(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).scalars().all()
    assert len(stored) == 10 and all(re.fullmatch(r"[0-9a-f]{64}", value) for value in stored)
    dump = []
    for table in inspect(db.engine).get_table_names():
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608 - table names from the schema
            dump.append(" ".join(str(value) for value in row))
    everything = "\n".join(dump).upper()
    for code in codes:
        assert code not in everything and code.replace("-", "") not in everything


def test_s11_new_recovery_codes_replace_the_old_ones(app, client, make_user, clock):
    """S11: making new codes on the account page (after a recent confirmation) retires every old one."""
    user = make_user()
    old = enrol(user, clock)
    login_with_code(client, user, code_at(user, clock.now))
    response = client.post("/account/recovery-codes")
    assert response.status_code == 200
    new = re.findall(r"<li>([A-Z2-9]{5}-[A-Z2-9]{5})</li>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert login_with_code(app.test_client(), user, old[0]).status_code == 200
    assert login_with_code(app.test_client(), user, new[0]).status_code == 302


def test_s11_new_recovery_codes_need_a_recent_confirmation_with_a_code(app, client, make_user, clock):
    """S11 with S13: a stale session is sent to confirm password and code before new codes are made."""
    user = make_user()
    old = enrol(user, clock)
    login_with_code(client, user, code_at(user, clock.now))
    with client.session_transaction() as sess:
        sess["fresh_at"] = int(time.time()) - 600
    response = client.post("/account/recovery-codes")
    assert response.status_code == 302 and "/reauth" in response.headers["Location"]
    # Nothing changed: the old codes still work.
    assert login_with_code(app.test_client(), user, old[0]).status_code == 302

    reauth = response.headers["Location"]
    page = client.get(reauth).get_data(as_text=True)
    assert "authenticator app" in page and 'name="code"' in page
    missing = client.post(reauth, data={"password": PASSWORD})
    assert "Enter the code from your app." in field_errors(missing)
    clock.advance(30)
    wrong = client.post(reauth, data={"password": PASSWORD, "code": "000000"})
    assert wrong.status_code == 200 and reload(user).failed_login_count == 1
    right = client.post(reauth, data={"password": PASSWORD, "code": code_at(user, clock.now)})
    assert right.status_code == 302 and right.headers["Location"] == "/account"
    assert audit_count(action="reauthenticate", record_id=user.id, detail="with authenticator app") == 1


# --- required by default --------------------------------------------------------------------------


def test_s11_required_by_default_in_every_real_configuration(monkeypatch):
    """S11: the default is on; only the test suite's own config turns it off."""
    monkeypatch.delenv("CASEFLOW_REQUIRE_2FA", raising=False)
    assert Config.REQUIRE_2FA is True
    assert DevelopmentConfig.REQUIRE_2FA is True and ProductionConfig.REQUIRE_2FA is True
    assert TestingConfig.REQUIRE_2FA is False
    assert "REQUIRE_2FA" not in Config.from_env()
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["REQUIRE_2FA"] is True


@pytest.mark.parametrize("value", ["0", "false", "off"])
def test_s11_environment_can_turn_the_requirement_off(monkeypatch, value):
    """S11: CASEFLOW_REQUIRE_2FA=0 (used by the demo) turns the demand off."""
    monkeypatch.setenv("CASEFLOW_REQUIRE_2FA", value)
    assert Config.from_env()["REQUIRE_2FA"] is False
    assert create_app("development", {"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["REQUIRE_2FA"] is False


def test_s11_an_unclear_switch_stops_start_up(monkeypatch):
    """S11: a typo must not silently turn two-step login off (or on)."""
    monkeypatch.setenv("CASEFLOW_REQUIRE_2FA", "nope")
    with pytest.raises(ValueError, match="CASEFLOW_REQUIRE_2FA"):
        Config.from_env()


def test_s11_unenrolled_user_is_sent_to_enrolment_from_every_page(required, client, make_user, make_program, make_case):
    """S11: when required, an account without a second factor reaches only enrolment, logout and static files."""
    program = make_program()
    worker = make_user(roles={program: "worker"})
    case = make_case(program, worker)
    response = login(client, worker)
    assert response.status_code == 302  # the password alone logs in...
    for path in ("/", "/account", f"/cases/{case.id}", "/participants/search"):
        page = client.get(path)
        assert page.status_code == 302 and page.headers["Location"] == "/account/two-factor", path
    # ...and a casework POST does nothing either.
    before = db.session.scalar(select(db.func.count(Contact.id)))
    posted = client.post(
        f"/cases/{case.id}/contacts/new",
        data={"occurred_at": "2026-01-01T10:00", "mode": "phone", "contact_type": "check_in", "notes": "x"},
    )
    assert posted.headers["Location"] == "/account/two-factor"
    assert db.session.scalar(select(db.func.count(Contact.id))) == before
    shown = client.get("/", follow_redirects=True)
    assert "Set up two-step login to continue" in " ".join(alerts(shown))
    assert client.get("/static/caseflow.css").status_code == 200
    assert client.get("/account/two-factor").status_code == 200


def test_s11_enrolling_opens_the_app_again(required, client, make_user, make_program, clock):
    """S11: once the code is confirmed, the gate lets the user through."""
    worker = make_user(roles={make_program(): "worker"})
    login(client, worker)
    client.post("/account/two-factor/start")
    client.post("/account/two-factor", data={"code": code_at(worker, clock.now)})
    assert client.get("/").status_code == 200


def test_s11_the_partner_account_must_enrol_too(required, client, make_user, make_program):
    """S11 with S4: a law-enforcement partner is sent to enrolment, which it can reach, not to a 404."""
    program = make_program("focused_deterrence")
    partner = make_user(roles={program: "partner"})
    login(client, partner)
    response = client.get(f"/deterrence/{program.id}/figures")
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor"
    assert client.get("/account/two-factor").status_code == 200
    assert client.post("/account/two-factor/start").status_code == 302
    assert secret_of(partner) is not None


def test_s11_logout_still_works_before_enrolment(required, client, make_user):
    """S11: the gate never traps someone who wants to leave."""
    user = make_user()
    login(client, user)
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_s11_without_the_requirement_a_password_alone_still_logs_in(client, make_user):
    """S11: with CASEFLOW_REQUIRE_2FA=0 an unenrolled account is not gated."""
    user = make_user()
    login(client, user)
    assert client.get("/").status_code == 200


def test_s11_enrolled_users_give_a_code_even_when_not_required(client, make_user, clock):
    """S11: switching the requirement off never lets an enrolled account skip its code."""
    user = make_user()
    enrol(user, clock)
    assert login(client, user).headers["Location"].startswith("/login/code")


# --- administrator reset --------------------------------------------------------------------------


def test_s11_admin_reset_makes_the_user_enrol_again(required, app, make_user, clock):
    """S11: after a reset the old key and codes are gone; the next login goes to enrolment, not the code page."""
    user = make_user()
    codes = enrol(user, clock)
    admin = make_user(is_admin=True)
    enrol(admin, clock)
    admin_client = app.test_client()
    login_with_code(admin_client, admin, code_at(admin, clock.now))
    response = admin_client.post(f"/admin/users/{user.id}/two-factor/reset")
    assert response.status_code == 302
    fresh = reload(user)
    assert fresh.totp_secret is None and fresh.totp_last_step is None and not fresh.has_two_factor
    assert db.session.scalar(select(db.func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id)) == 0
    assert audit_count(action="second_factor", record_id=user.id, user_id=admin.id) == 1

    client = app.test_client()
    first = login(client, user)
    assert first.status_code == 302 and not first.headers["Location"].startswith("/login/code")
    assert client.get("/").headers["Location"] == "/account/two-factor"
    # The old recovery codes no longer open anything.
    assert login(app.test_client(), user).headers["Location"] != "/login/code"
    assert not twofactor.use_recovery_code(reload(user), codes[0])


def test_s11_admin_reset_needs_a_recent_confirmation(app, make_user, clock):
    """S11 with S13: removing someone's second factor asks the administrator to confirm first."""
    user = make_user()
    enrol(user, clock)
    admin = make_user(is_admin=True)
    client = app.test_client()
    login(client, admin)
    with client.session_transaction() as sess:
        sess["fresh_at"] = int(time.time()) - 600
    response = client.post(f"/admin/users/{user.id}/two-factor/reset")
    assert "/reauth" in response.headers["Location"]
    assert reload(user).has_two_factor


def test_s11_an_administrator_cannot_reset_their_own(app, make_user, clock):
    """S11: an administrator's own second factor is reset by another administrator, never by themselves."""
    admin = make_user(is_admin=True)
    enrol(admin, clock)
    client = app.test_client()
    login_with_code(client, admin, code_at(admin, clock.now))
    response = client.post(f"/admin/users/{admin.id}/two-factor/reset", follow_redirects=True)
    assert "Ask another administrator" in " ".join(alerts(response))
    assert reload(admin).has_two_factor


def test_s11_the_command_line_resets_an_administrators_second_factor(app, make_user, clock):
    """S11: the only administrator who lost their phone is reset from the server's command line."""
    admin = make_user(is_admin=True)
    enrol(admin, clock)
    result = app.test_cli_runner().invoke(args=["reset-two-factor", "--email", admin.email.upper()])
    assert result.exit_code == 0, result.output
    assert not reload(admin).has_two_factor
    assert (
        audit_count(action="second_factor", record_id=admin.id, detail="two-step login reset from the command line")
        == 1
    )
    unknown = app.test_cli_runner().invoke(args=["reset-two-factor", "--email", "nobody@example.org"])
    assert unknown.exit_code != 0 and "No account has that email." in unknown.output
