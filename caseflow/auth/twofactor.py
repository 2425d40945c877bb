"""TOTP second factor and recovery codes (S11): enrolment, checking a code once, administrator reset."""

import base64
import hashlib
import hmac
import io
import re
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, func, or_, select, update

from caseflow.audit.services import record_event
from caseflow.auth.services import count_failure, end_all_sessions, is_locked
from caseflow.extensions import db
from caseflow.models import RecoveryCode, User
from caseflow.models.base import utcnow

ISSUER = "caseflow"
STEP_SECONDS = 30
# One step either side forgives a phone clock that is a little off.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# 32 symbols (5 bits each) without 0/O and 1/I, so a code copied from paper is typed right.
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECOVERY_GROUP = 5
TOTP_CODE = re.compile(r"^\d{6}$")
RECOVERY_CODE = re.compile(rf"^[{RECOVERY_ALPHABET}]{{{RECOVERY_GROUP * 2}}}$")


class TwoFactorError(ValueError):
    """A second-factor change was refused; the message is shown to the user."""


def current_time() -> float:
    """The clock codes are checked against (tests patch this instead of sleeping)."""
    return time.time()


def _compact(code: str) -> str:
    """A code as typed, without the spaces and dashes people add."""
    return re.sub(r"[\s\-]", "", code or "")


# --- enrolment ------------------------------------------------------------------------------


def start_enrolment(user: User) -> None:
    """Give the user a new secret to add to their authenticator app; it counts only once confirmed."""
    if user.has_two_factor:
        raise TwoFactorError("Two-step login is already on for your account.")
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.flush()
    record_event(user, "second_factor", "user", user.id, detail="enrolment started")


def provisioning_uri(user: User) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(user.totp_secret, interval=STEP_SECONDS).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_data_uri(user: User) -> str:
    """The enrolment QR code as an SVG data: URI, which the CSP allows as an image (no script, no style)."""
    buffer = io.BytesIO()
    segno.make(provisioning_uri(user), error="m").save(buffer, kind="svg", scale=5, border=4, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def grouped_secret(user: User) -> str:
    """The secret in groups of four for typing it into an app by hand."""
    secret = user.totp_secret or ""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Switch the second factor on once a current code proves the app holds the secret.

    Returns the new recovery codes, to be shown once and never again.
    """
    if user.has_two_factor:
        raise TwoFactorError("Two-step login is already on for your account.")
    if not user.totp_secret:
        raise TwoFactorError("Start the set-up again: there is no code to confirm yet.")
    if not accept_totp(user, code):
        raise TwoFactorError("That code did not work. Enter the 6 digits your app shows now.")
    user.totp_enabled_at = utcnow()
    db.session.flush()
    record_event(user, "second_factor", "user", user.id, detail="two-step login switched on")
    return _replace_recovery_codes(user)


# --- checking codes -------------------------------------------------------------------------


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code this is, within the allowed window; the newest if several match."""
    current = int(now // STEP_SECONDS)
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    for step in range(current + VALID_WINDOW, current - VALID_WINDOW - 1, -1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def accept_totp(user: User, code: str) -> bool:
    """Whether the code is right now and newer than any accepted before; an accepted one is used up.

    The last step is moved forward by one conditional UPDATE, so two requests racing with
    the same code cannot both get in.
    """
    code = _compact(code)
    if not user.totp_secret or not TOTP_CODE.match(code):
        return False
    step = _matching_step(user.totp_secret, code, current_time())
    if step is None:
        return False
    claimed = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(user, ["totp_last_step"])
    return claimed == 1


def verify_second_factor(user: User, code: str) -> str | None:
    """Check a login or confirmation code: how the user proved it ("authenticator app" or
    "recovery code"), or None. A wrong code counts toward the account lockout like a wrong password.
    """
    if is_locked(user):
        record_event(user, "login_failed", "user", user.id, detail="account locked")
        return None
    if user.has_two_factor and accept_totp(user, code):
        return "authenticator app"
    if user.has_two_factor and use_recovery_code(user, code):
        left = recovery_codes_left(user)
        record_event(user, "second_factor", "user", user.id, detail=f"recovery code used, {left} left")
        return "recovery code"
    count_failure(user, detail="wrong second-factor code")
    return None


# --- recovery codes -------------------------------------------------------------------------


def _normalise_recovery_code(code: str) -> str:
    """Upper case without separators, so 'abcde fghjk' matches 'ABCDE-FGHJK'."""
    return _compact(code).upper()


def _hash_recovery_code(user_id: int, code: str) -> str:
    """SHA-256 of a high-entropy code, salted with the account so one table of guesses fits no other user."""
    return hashlib.sha256(f"{user_id}:{code}".encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP * 2))
    return f"{raw[:RECOVERY_GROUP]}-{raw[RECOVERY_GROUP:]}"


def _replace_recovery_codes(user: User) -> list[str]:
    """Drop every earlier code and store the hashes of a new set; the plain codes go to the caller only."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(user.id, _normalise_recovery_code(code)))
        for code in codes
    )
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    """A fresh set of recovery codes for the user's own account; every old one stops working."""
    if not user.has_two_factor:
        raise TwoFactorError("Switch on two-step login first.")
    codes = _replace_recovery_codes(user)
    record_event(user, "second_factor", "user", user.id, detail="recovery codes replaced")
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Whether the code is one of the user's unused recovery codes; marks it used in one conditional UPDATE."""
    normalised = _normalise_recovery_code(code)
    if not RECOVERY_CODE.match(normalised):
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery_code(user.id, normalised),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return used == 1


def recovery_codes_left(user: User) -> int:
    """How many of the user's recovery codes are still unused."""
    return db.session.execute(
        select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


# --- administrator reset --------------------------------------------------------------------


def reset_two_factor(actor: User, user: User) -> None:
    """Remove a user's authenticator and recovery codes (a lost phone) and end their sessions.

    With two-step login required they must enrol again at their next login. Administrators
    cannot remove their own: another administrator (or `flask reset-two-factor`) must.
    """
    if actor is not None and actor.id == user.id:
        raise TwoFactorError("Ask another administrator to reset your own two-step login.")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_all_sessions(user)
    db.session.flush()
    by = "by administrator" if actor is not None else "from the command line"
    record_event(actor, "second_factor", "user", user.id, detail=f"two-step login reset {by}")
