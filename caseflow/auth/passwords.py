"""argon2id password hashing and the password policy (12 to 128 characters)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 128

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against for unknown accounts so a miss takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("caseflow-dummy-password")


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None; checked before any hashing."""
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    return None


def hash_password(password: str) -> str:
    """Hash a password that already passed the policy."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; an over-long one fails without being hashed."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with older parameters and should be replaced."""
    return _hasher.check_needs_rehash(stored_hash)
