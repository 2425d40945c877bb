"""argon2id password hashing and the password policy (12 to 128 characters, not common or guessable)."""

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

MIN_LENGTH = 12
MAX_LENGTH = 128
TOO_COMMON = "That password is too common or too easy to guess. Try a longer phrase of unrelated words."
PERSONAL = "That password contains your name or email. Try a longer phrase of unrelated words."
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# Runs along these count as guessable; each is tried forwards and backwards, wrapping around.
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiop[]\\asdfghjkl;'zxcvbnm,./",
    "`1234567890-=",
    "!@#$%^&*()_+",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/-['=]",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
    "1q2w3e4r5t6y7u8i9o0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "qweasdzxcrtyfghvbnuiojklm",
)
_WALKS = tuple(text * 3 for seq in SEQUENCES for text in (seq, seq[::-1]))
SEPARATORS = re.compile(r"[\s\-_.]+")
# What may surround a common word without making it any harder to guess.
PADDING = re.compile(r"^[\W\d_]+|[\W\d_]+$")
MAX_PATTERN_PIECES = 3


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


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lowercased; read once per process."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, email: str | None = None, full_name: str | None = None) -> str | None:
    """Why a new password is unacceptable, or None; checked before any hashing.

    email and full_name are the account's own, when known: a password built on them is the
    first thing an attacker who knows the person would try.
    """
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if is_guessable(password):
        return TOO_COMMON
    if contains_personal_words(password, email, full_name):
        return PERSONAL
    return None


def is_guessable(password: str) -> bool:
    """On the common list (also with separators or padding removed), one repeated unit, or a keyboard walk."""
    lowered = password.lower()
    joined = SEPARATORS.sub("", lowered)
    common = common_passwords()
    for form in {lowered, joined}:
        core = PADDING.sub("", form)
        if form in common or (len(core) >= 4 and core in common):
            return True
        if len(set(form)) < 4 or _is_repeated_unit(form) or _walk_pieces(form) <= MAX_PATTERN_PIECES:
            return True
    return False


def contains_personal_words(password: str, email: str | None, full_name: str | None) -> bool:
    """Whether the password holds the email's local part, or a word of it or of the name (4+ characters)."""
    lowered = SEPARATORS.sub("", password.lower())
    words: set[str] = set()
    if email and "@" in email:
        local = email.split("@", 1)[0].lower()
        words.add(SEPARATORS.sub("", local))
        words.update(re.split(r"[\W_]+", local))
    if full_name:
        words.update(re.split(r"[\W_]+", full_name.lower()))
    return any(len(word) >= 4 and word in lowered for word in words)


def _is_repeated_unit(text: str) -> bool:
    """'abcabcabcabc', 'passwordpassword': the same piece two or more times over."""
    return bool(re.fullmatch(r"(.+?)\1+", text, flags=re.DOTALL))


def _walk_pieces(text: str) -> int:
    """The fewest runs (3+ characters along a sequence, or one character repeated) that make up text.

    More than the length of text when it cannot be cut into such runs at all.
    """
    impossible = len(text) + 1
    best = [0] + [impossible] * len(text)
    for start in range(len(text) - 2):
        if best[start] >= impossible:
            continue
        for end in range(start + 3, len(text) + 1):
            piece = text[start:end]
            if len(set(piece)) > 1 and not any(piece in walk for walk in _WALKS):
                break  # a longer piece from here cannot be a run either
            best[end] = min(best[end], best[start] + 1)
    return best[len(text)]


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
