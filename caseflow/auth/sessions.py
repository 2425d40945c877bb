"""Session lifetime: an idle timeout and an absolute limit, counted from the session itself (S12)."""

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from caseflow.audit.services import record_event
from caseflow.extensions import db

LOGIN_AT = "login_at"
LAST_SEEN = "last_seen"


def start_session_clock() -> None:
    """Stamp a freshly logged-in session; both limits count from here (UTC epoch seconds)."""
    now = int(time.time())
    session[LOGIN_AT] = now
    session[LAST_SEEN] = now


def enforce_session_limits():
    """End a session idle or old past its limit; otherwise note this request as activity.

    Called for authenticated requests only. A session with no clock predates it and ends too.
    """
    now = int(time.time())
    idle_minutes = current_app.config["SESSION_IDLE_MINUTES"]
    max_hours = current_app.config["SESSION_MAX_HOURS"]
    login_at = session.get(LOGIN_AT)
    last_seen = session.get(LAST_SEEN)
    if not isinstance(login_at, int) or now - login_at >= max_hours * 3600:
        reason = "absolute session limit"
        message = f"You were logged out after {max_hours} hours; please log in again."
    elif not isinstance(last_seen, int) or now - last_seen >= idle_minutes * 60:
        reason = "idle timeout"
        message = f"You were logged out after {idle_minutes} minutes without activity; please log in again."
    else:
        session[LAST_SEEN] = now
        return None
    record_event(current_user, "logout", "user", current_user.id, detail=reason)
    db.session.commit()
    logout_user()
    session.clear()
    from caseflow.offline import is_sync_request, login_needed

    if is_sync_request():
        return login_needed()  # the offline script keeps its record and asks the person to log in
    flash(message, "info")
    if request.method == "GET":
        # Back to the same page after logging in; a POST body is not replayed.
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return redirect(url_for("auth.login"))
