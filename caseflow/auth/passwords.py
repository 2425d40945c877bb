"""argon2id password hashing and the password policy (12 to 128 characters)."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

MIN_LENGTH = 12
MAX_LENGTH = 128


@cache
def _hasher_with(time_cost: int | None, memory_cost: int | None) -> PasswordHasher:
    """An argon2id hasher; None means the library's current recommended parameter."""
    defaults = PasswordHasher()
    return PasswordHasher(
        time_cost=time_cost or defaults.time_cost,
        memory_cost=memory_cost or defaults.memory_cost,
        parallelism=defaults.parallelism,
    )


def _hasher() -> PasswordHasher:
    """The configured hasher; changing ARGON2_* rehashes each password at its next login."""
    if has_app_context():
        return _hasher_with(current_app.config.get("ARGON2_TIME_COST"), current_app.config.get("ARGON2_MEMORY_COST"))
    return _hasher_with(None, None)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against for unknown accounts so a miss takes as long as a wrong password."""
    return hasher.hash("caseflow-dummy-password")


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None; checked before any hashing."""
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    return None


def hash_password(password: str) -> str:
    """Hash a password that already passed the policy."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; an over-long one fails without being hashed."""
    if len(password) > MAX_LENGTH:
        return False
    hasher = _hasher()
    try:
        matched = hasher.verify(stored_hash or _dummy_hash(hasher), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return matched and stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with other parameters and should be replaced."""
    return _hasher().check_needs_rehash(stored_hash)
