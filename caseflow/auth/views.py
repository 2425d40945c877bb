"""Login and logout pages."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from caseflow.audit.services import record_event
from caseflow.auth.forms import LoginForm, LogoutForm, ReauthForm
from caseflow.auth.fresh import mark_fresh
from caseflow.auth.services import authenticate
from caseflow.auth.sessions import start_session_clock
from caseflow.extensions import db, limiter, login_manager
from caseflow.models import User

bp = Blueprint("auth", __name__)

GENERIC_FAILURE = (
    "That email and password did not match an active account. After 5 failed tries an account is locked for 15 minutes."
)

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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        db.session.commit()  # failures and lockouts are recorded too
        if user is not None:
            session.clear()  # a fresh session at login
            login_user(user)
            start_session_clock()
            mark_fresh()
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
        flash(GENERIC_FAILURE, "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        record_event(current_user, "logout", "user", current_user.id)
        db.session.commit()
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("main.home"))


@bp.route("/reauth", methods=["GET", "POST"])
def reauth():
    """Confirm the password again before bulk export, role grants, break-glass or purge (S13)."""
    form = ReauthForm()
    if form.validate_on_submit():
        user = authenticate(current_user.email, form.password.data, action="reauthenticate")
        if user is not None and user.id == current_user.id:
            db.session.commit()
            mark_fresh()
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
        db.session.commit()  # the failure counts toward the lockout like any other
        form.password.errors.append("That password is not right.")
    return render_template("auth/reauth.html", form=form)
