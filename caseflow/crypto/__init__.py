"""Application-level encryption of narrative and health/IPV free text at rest (S27).

Values are Fernet tokens made with the first of the configured keys (ENCRYPTION_KEYS, from
CASEFLOW_ENCRYPTION_KEYS); every key in the list can read, which is what lets `flask rotate-key`
move old rows to a new key while the app keeps running. The keys are read from the app config
each time a value is written or read, never at import time.

An encrypted column cannot be searched, sorted, grouped or compared in SQL except against the
empty string (kept as it is, so "no notes" stays cheap): encrypt prose, never what queries use.
"""

from collections.abc import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

# Every Fernet token starts with these characters (version byte 0x80, then the high bytes of a 64-bit
# timestamp, zero until 2106), which is how the migration tells plain text from ciphertext.
CIPHERTEXT_PREFIX = "gAAAAA"
_CACHE = "caseflow.encryption"


class EncryptionKeyError(ValueError):
    """The configured key list is empty or holds something that is not a Fernet key."""


class UndecryptableValueError(RuntimeError):
    """A stored value that no configured key opens; raised rather than showing ciphertext or nothing."""


def parse_keys(configured: str | Iterable[str] | None) -> tuple[str, ...]:
    """The keys in order from a comma-separated string or a list; blanks between commas are ignored."""
    if configured is None:
        return ()
    items = configured.split(",") if isinstance(configured, str) else list(configured)
    return tuple(item.strip() for item in items if item and item.strip())


def build_multifernet(keys: Iterable[str]) -> MultiFernet:
    """A MultiFernet over the keys, refusing a bad key by position (never printing it)."""
    keys = tuple(keys)
    if not keys:
        raise EncryptionKeyError("CASEFLOW_ENCRYPTION_KEYS holds no key; generate one with `flask generate-key`.")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            raise EncryptionKeyError(
                f"Key {position} of {len(keys)} in CASEFLOW_ENCRYPTION_KEYS is not a Fernet key "
                "(44 characters of URL-safe base64); generate one with `flask generate-key`."
            ) from None
    return MultiFernet(fernets)


def init_app(app) -> None:
    """Check the configured keys when the app is built, so a bad key stops start-up, not a page."""
    build_multifernet(parse_keys(app.config.get("ENCRYPTION_KEYS")))
    app.extensions[_CACHE] = {}


def current_fernet() -> MultiFernet:
    """The MultiFernet for the current app's keys as configured right now (cached per key list)."""
    keys = parse_keys(current_app.config.get("ENCRYPTION_KEYS"))
    cache = current_app.extensions.setdefault(_CACHE, {})
    fernet = cache.get(keys)
    if fernet is None:
        fernet = cache[keys] = build_multifernet(keys)
    return fernet


def encrypt_text(value: str) -> str:
    """A Fernet token for the text, made with the first key."""
    return current_fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    """The text a token holds, or UndecryptableValueError when no configured key opens it."""
    if not token.startswith(CIPHERTEXT_PREFIX):
        raise UndecryptableValueError(
            "An encrypted column holds a value that is not a Fernet token (plain text written around the "
            "application, or a migration not run: `flask db upgrade`)."
        )
    try:
        return current_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise UndecryptableValueError(
            "An encrypted value cannot be decrypted with any key in CASEFLOW_ENCRYPTION_KEYS: "
            "the key that wrote it is missing from the list, or the value was altered."
        ) from None


class EncryptedText(TypeDecorator):
    """Text stored as a Fernet token; None and the empty string are stored as they are."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or value == "":
            return value
        if not isinstance(value, str):
            raise TypeError(f"EncryptedText takes str, not {type(value).__name__}")
        return encrypt_text(value)

    def process_result_value(self, value, dialect):
        if value is None or value == "":
            return value
        return decrypt_text(value)
