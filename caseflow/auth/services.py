"""Authentication rules: lockout after repeated failures, rehash, session rotation."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from caseflow.audit.services import record_event
from caseflow.auth.passwords import hash_password, needs_rehash, verify_password
from caseflow.extensions import db
from caseflow.models import User
from caseflow.models.base import utcnow
from caseflow.models.user import new_session_token


def find_user_by_email(email: str) -> User | None:
    """Emails are matched case-insensitively."""
    return db.session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The user if the credentials are right and the account usable; records failures.

    Five failures lock only that account for 15 minutes; the caller shows one generic
    message whatever the reason, so nobody learns which accounts exist.
    """
    user = find_user_by_email(email)
    if user is None:
        verify_password(None, password)  # same work as a real check
        record_event(None, "login_failed", "user", detail="unknown account")
        return None
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        verify_password(None, password)
        record_event(user, "login_failed", "user", user.id, detail="account locked")
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        if user.locked_until and user.locked_until <= now:
            user.failed_login_count = 0
            user.locked_until = None
        user.failed_login_count += 1
        if user.failed_login_count >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + current_app.config["LOGIN_LOCKOUT"]
            record_event(user, "lockout", "user", user.id)
        record_event(user, "login_failed", "user", user.id)
        return None
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record_event(user, "login", "user", user.id)
    return user


def set_password(actor: User, user: User, password: str) -> None:
    """Replace a password and end every session of that user."""
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    record_event(actor, "update", "user", user.id, detail="password changed")


def lockout_remaining(user: User) -> timedelta | None:
    """Time left on a lock, for administrators."""
    if user.locked_until and user.locked_until > utcnow():
        return user.locked_until - utcnow()
    return None
