"""Authentication rules: lockout after repeated failures, rehash, session rotation."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, select, update
from sqlalchemy import case as sql_case

from caseflow.audit.services import record_event
from caseflow.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from caseflow.extensions import db
from caseflow.models import User
from caseflow.models.base import utcnow
from caseflow.models.user import new_session_token


def find_user_by_email(email: str) -> User | None:
    """Emails are matched case-insensitively."""
    return db.session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()


class PasswordPolicyError(ValueError):
    """A new password breaks the policy; the message says how."""


def authenticate(email: str, password: str, *, action: str = "login") -> User | None:
    """The user if the credentials are right and the account usable; records failures.

    For a login that needs nothing more than the password. Where a second factor follows,
    call check_password, then complete_authentication once the code is right too.
    """
    user = check_password(email, password)
    if user is not None:
        complete_authentication(user, action)
    return user


def check_password(email: str, password: str) -> User | None:
    """The user if the password is right and the account usable; records failures only.

    Five failures lock only that account for 15 minutes; the caller shows one generic
    message whatever the reason, so nobody learns which accounts exist. A right password
    does not reset the failure count: with a second factor still to come, that would let
    someone who knows the password guess codes forever.
    """
    user = find_user_by_email(email)
    if user is None:
        verify_password(None, password)  # same work as a real check
        record_event(None, "login_failed", "user", detail="unknown account")
        return None
    now = utcnow()
    if is_locked(user, now):
        verify_password(None, password)
        record_event(user, "login_failed", "user", user.id, detail="account locked")
        return None
    if not verify_password(user.password_hash, password):
        count_failure(user, now)
        return None
    if not user.is_active:
        # Right password on a deactivated account: refused, but it is not a guess to count.
        record_event(user, "login_failed", "user", user.id, detail="account deactivated")
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def complete_authentication(user: User, action: str = "login", detail: str = "") -> None:
    """Every factor was right: clear the failure count and audit the success.

    `action` names it in the audit trail ("reauthenticate" when a logged-in user confirms
    who they are before a high-risk action).
    """
    user.failed_login_count = 0
    user.locked_until = None
    if action == "login":
        user.last_login_at = utcnow()
    record_event(user, action, "user", user.id, detail=detail)


def is_locked(user: User, now=None) -> bool:
    """Whether the account is inside a lockout."""
    return bool(user.locked_until and user.locked_until > (now or utcnow()))


def count_failure(user: User, now=None, detail: str = "") -> None:
    """Add one failure (a wrong password or code) atomically in SQL, so parallel guesses cannot slip past the limit."""
    now = now or utcnow()
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    expired_lock = and_(User.locked_until.is_not(None), User.locked_until <= now)
    # A lock that has run out starts a fresh count.
    previous = sql_case((expired_lock, 0), else_=User.failed_login_count)
    failures = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_login_count=previous + 1,
            locked_until=sql_case(
                (previous + 1 >= limit, now + current_app.config["LOGIN_LOCKOUT"]),
                (expired_lock, None),
                else_=User.locked_until,
            ),
        )
        .returning(User.failed_login_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    db.session.expire(user, ["failed_login_count", "locked_until"])
    if failures == limit:
        record_event(user, "lockout", "user", user.id)
    record_event(user, "login_failed", "user", user.id, detail=detail)


def set_password(actor: User, user: User, password: str) -> None:
    """Replace a password and end every session of that user; the policy is checked first."""
    problem = password_problem(password, user.email, user.full_name)
    if problem:
        raise PasswordPolicyError(problem)
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    record_event(actor, "update", "user", user.id, detail="password changed")


def end_all_sessions(user: User) -> None:
    """Every session of this user, on any device, ends at its next request (S12)."""
    user.session_token = new_session_token()


def lockout_remaining(user: User) -> timedelta | None:
    """Time left on a lock, for administrators."""
    if user.locked_until and user.locked_until > utcnow():
        return user.locked_until - utcnow()
    return None
