"""Login (password, then a code when two-step login is on), logout and the confirm-it-is-you page."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from caseflow.audit.services import record_event
from caseflow.auth.forms import LoginCodeForm, LoginForm, LogoutForm, ReauthForm
from caseflow.auth.fresh import mark_fresh
from caseflow.auth.pending import clear_pending_login, pending_user, start_pending_login
from caseflow.auth.services import check_password, complete_authentication, end_all_sessions
from caseflow.auth.sessions import start_session_clock
from caseflow.auth.twofactor import recovery_codes_left, verify_second_factor
from caseflow.extensions import db, limiter, login_manager
from caseflow.models import User

bp = Blueprint("auth", __name__)

GENERIC_FAILURE = (
    "That email and password did not match an active account. After 5 failed tries an account is locked for 15 minutes."
)

CODE_FAILURE = (
    "That code did not work. App codes change every 30 seconds and each works once. "
    "After 5 failed tries an account is locked for 15 minutes."
)
PENDING_EXPIRED = "Please log in again: the code must follow the password within 5 minutes."

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to continue."
login_manager.login_message_category = "info"
# "basic", not "strong": a phone hopping between Wi-Fi and cellular must not be logged out.
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """Sessions name a rotating token, so a changed password or deactivation ends them."""
    return db.session.execute(
        select(User).where(User.session_token == session_token, User.is_active.is_(True))
    ).scalar_one_or_none()


def _safe_next(target: str | None) -> str | None:
    """Only follow same-site relative redirects after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_rate_limit() -> str:
    """Per-IP login limit from the config, read per request so a deployment may tighten it."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def finish_login(user: User, notice: str | None = None):
    """Every factor was right: a brand-new session for this user, then on to a same-site page."""
    session.clear()  # a fresh session at login
    login_user(user)
    start_session_clock()
    mark_fresh()
    if notice:
        flash(notice, "warning")
    return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = check_password(form.email.data, form.password.data)
        if user is not None and user.has_two_factor:
            # Not logged in yet: the session only remembers whose code to expect (S11).
            record_event(user, "second_factor", "user", user.id, detail="password accepted, code requested")
            db.session.commit()
            start_pending_login(user)
            return redirect(url_for("auth.login_code", next=_safe_next(request.args.get("next"))))
        if user is not None:
            complete_authentication(user, "login")
            db.session.commit()
            return finish_login(user)
        db.session.commit()  # failures and lockouts are recorded too
        flash(GENERIC_FAILURE, "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login_code():
    """The second step of logging in; reachable only with a pending login (see create_app's gate)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    user = pending_user()
    if user is None:
        clear_pending_login()
        flash(PENDING_EXPIRED, "info")
        return redirect(url_for("auth.login", next=_safe_next(request.args.get("next"))))
    form = LoginCodeForm()
    if form.validate_on_submit():
        method = verify_second_factor(user, form.code.data)
        if method is not None:
            complete_authentication(user, "login", detail=f"with {method}")
            db.session.commit()
            if method == "recovery code":
                left = recovery_codes_left(user)
                return finish_login(user, f"You used a recovery code; {left} left. Make new ones on your account page.")
            return finish_login(user)
        db.session.commit()  # the failure counts toward the account lockout
        form.code.errors.append(CODE_FAILURE)
    return render_template("auth/login_code.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        # Logging out here logs out everywhere: a phone left in a car ends too (S12).
        end_all_sessions(current_user)
        record_event(current_user, "logout", "user", current_user.id)
        db.session.commit()
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("main.home"))


@bp.route("/reauth", methods=["GET", "POST"])
def reauth():
    """Confirm the password (and a code, with two-step login on) before a high-risk action (S13)."""
    form = ReauthForm()
    needs_code = current_user.has_two_factor
    if form.validate_on_submit():
        user = check_password(current_user.email, form.password.data)
        if user is None or user.id != current_user.id:
            db.session.commit()  # the failure counts toward the lockout like any other
            form.password.errors.append("That password is not right.")
        elif needs_code and not (form.code.data or "").strip():
            db.session.rollback()
            form.code.errors.append("Enter the code from your app.")
        elif needs_code and (method := verify_second_factor(user, form.code.data)) is None:
            db.session.commit()
            form.code.errors.append("That code did not work. Enter the 6 digits your app shows now.")
        else:
            complete_authentication(user, "reauthenticate", detail=f"with {method}" if needs_code else "")
            db.session.commit()
            mark_fresh()
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/reauth.html", form=form, needs_code=needs_code)
