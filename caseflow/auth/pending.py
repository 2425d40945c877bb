"""A login halfway done: the password was right and the second-factor code is still to come (S11).

The session then holds only this marker, never a logged-in user, so every page but the code
page still sends the visitor to log in.
"""

import time

from flask import session
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import User

PENDING_USER = "pending_login"
PENDING_AT = "pending_login_at"
# The code must follow the password within this long.
PENDING_SECONDS = 5 * 60


def start_pending_login(user: User) -> None:
    """A fresh session naming the user by their session token, so ending their sessions ends this too."""
    session.clear()
    session[PENDING_USER] = user.session_token
    session[PENDING_AT] = int(time.time())


def has_pending_login() -> bool:
    """Whether the session carries a marker at all; the code page itself says when it has expired."""
    return isinstance(session.get(PENDING_USER), str)


def pending_user() -> User | None:
    """The active user whose code is awaited, or None when there is none, it expired, or their sessions were ended."""
    started = session.get(PENDING_AT)
    if not has_pending_login() or not isinstance(started, int) or not 0 <= time.time() - started < PENDING_SECONDS:
        return None
    return db.session.execute(
        select(User).where(User.session_token == session[PENDING_USER], User.is_active.is_(True))
    ).scalar_one_or_none()


def clear_pending_login() -> None:
    """Forget the half-done login."""
    session.pop(PENDING_USER, None)
    session.pop(PENDING_AT, None)
