"""Configuration classes, one per environment; read from the environment only when chosen."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
# Development and testing only: base64 of "caseflow-dev-key-not-a-secret!!!". Anything encrypted
# with it is readable by anyone with this source; production refuses to start with it.
DEVELOPMENT_ENCRYPTION_KEY = "Y2FzZWZsb3ctZGV2LWtleS1ub3QtYS1zZWNyZXQhISE="


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - development only; production requires the env
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{BASE_DIR / 'instance' / 'caseflow.db'}"
    # hide_parameters: SQL errors and logs never carry the values (names, notes) a statement was sent (S36).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    # PostgreSQL limits (S35): a database that does not answer gives a 503 within 5 seconds, never a hang.
    # Seconds to open a connection (also the longest wait for a free pooled connection).
    DATABASE_CONNECT_TIMEOUT = 3
    # Unacknowledged data on an open connection for this long means the server is gone.
    DATABASE_TCP_USER_TIMEOUT_MS = 1500
    # The longest wait for a row or advisory lock (SQLite's busy timeout is the same 3 s).
    DATABASE_LOCK_TIMEOUT_MS = 3000
    # The longest single statement; gunicorn's default worker timeout is 30 s anyway.
    DATABASE_STATEMENT_TIMEOUT_MS = 30000
    # PostgreSQL connections each process keeps (one per gunicorn thread) and may add under load;
    # gunicorn.conf.py sets them from its threads (CASEFLOW_DB_POOL_SIZE, CASEFLOW_DB_MAX_OVERFLOW).
    DATABASE_POOL_SIZE = 5
    DATABASE_MAX_OVERFLOW = 10  # SQLAlchemy's defaults; gunicorn.conf.py sets 0
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; idle timeout bounds it
    BOOTSTRAP_SERVE_LOCAL = True  # no CDN: hospital networks may have no outside access
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT = timedelta(minutes=15)
    # A session ends after this long without a request, and this long after login whatever happens (S12).
    SESSION_IDLE_MINUTES = 15
    SESSION_MAX_HOURS = 12
    # Bulk export, role grants, break-glass and purge need a password check this recent (S13).
    FRESH_AUTH_MINUTES = 5
    # Every account needs an authenticator code at login (S11); CASEFLOW_REQUIRE_2FA=0 turns the demand off.
    REQUIRE_2FA = True
    # A security alert when one user opens more distinct participants than this within an hour (S22).
    ALERT_PARTICIPANTS_PER_HOUR = 50
    # How long a supervisor's emergency (break-glass) access to one record lasts (S8); at most 60.
    BREAK_GLASS_MINUTES = 60
    # Login POSTs allowed per client IP (S10); Flask-Limiter syntax, several limits separated by ";".
    LOGIN_RATE_LIMIT = "10 per minute;100 per hour"
    # Rate-limit counters: per process in memory unless REDIS_URL points at a shared Redis.
    RATELIMIT_STORAGE_URI = "memory://"
    PAGE_SIZE = 25
    # The largest request body accepted (S19): the 2 MB incident feed travels packed in a form field
    # of up to 6 MB on its second step; anything bigger is refused with 413 before it is read.
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    # Wall-clock zone of the deployment: forms take and pages show local time, the database UTC.
    TIMEZONE = "America/Chicago"
    # Counts from 1 to this minus one print as "<N" in partner figures and funder reports (REPORTS.md).
    SMALL_CELL_THRESHOLD = 5
    # The state fiscal year starts on the first of this month (7 = July).
    STATE_FISCAL_YEAR_START_MONTH = 7
    # None means the argon2-cffi recommended parameters (RFC 9106 low-memory profile).
    ARGON2_TIME_COST: int | None = None
    ARGON2_MEMORY_COST: int | None = None
    # Fernet keys for narrative and health/IPV free text (S27): the first encrypts, every one decrypts.
    ENCRYPTION_KEYS: tuple[str, ...] = (DEVELOPMENT_ENCRYPTION_KEY,)
    TESTING = False
    DEBUG = False

    @classmethod
    def from_env(cls) -> dict:
        """Settings this environment takes from environment variables."""
        values = {}
        if os.environ.get("SECRET_KEY"):
            values["SECRET_KEY"] = os.environ["SECRET_KEY"]
        if os.environ.get("CASEFLOW_TIMEZONE"):
            values["TIMEZONE"] = os.environ["CASEFLOW_TIMEZONE"]
        if os.environ.get("DATABASE_URL"):
            values["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(os.environ["DATABASE_URL"])
        if os.environ.get("REDIS_URL"):
            values["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
        if os.environ.get("CASEFLOW_ENCRYPTION_KEYS"):
            values["ENCRYPTION_KEYS"] = tuple(
                key.strip() for key in os.environ["CASEFLOW_ENCRYPTION_KEYS"].split(",") if key.strip()
            )
        if os.environ.get("CASEFLOW_REQUIRE_2FA"):
            values["REQUIRE_2FA"] = parse_switch("CASEFLOW_REQUIRE_2FA", os.environ["CASEFLOW_REQUIRE_2FA"])
        for setting, variable in (
            ("SMALL_CELL_THRESHOLD", "CASEFLOW_SMALL_CELL_THRESHOLD"),
            ("STATE_FISCAL_YEAR_START_MONTH", "CASEFLOW_STATE_FY_START_MONTH"),
            ("SESSION_IDLE_MINUTES", "CASEFLOW_SESSION_IDLE_MINUTES"),
            ("SESSION_MAX_HOURS", "CASEFLOW_SESSION_MAX_HOURS"),
            ("ALERT_PARTICIPANTS_PER_HOUR", "CASEFLOW_ALERT_PARTICIPANTS_PER_HOUR"),
            ("BREAK_GLASS_MINUTES", "CASEFLOW_BREAK_GLASS_MINUTES"),
            ("DATABASE_POOL_SIZE", "CASEFLOW_DB_POOL_SIZE"),
            ("DATABASE_MAX_OVERFLOW", "CASEFLOW_DB_MAX_OVERFLOW"),
        ):
            if os.environ.get(variable):
                values[setting] = int(os.environ[variable])
        if values.get("SMALL_CELL_THRESHOLD", 5) < 5:
            # Privacy defaults may be tightened by a deployment, never loosened.
            raise ValueError("CASEFLOW_SMALL_CELL_THRESHOLD may be raised, never set below 5.")
        if not 1 <= values.get("SESSION_IDLE_MINUTES", 15) <= 15:
            raise ValueError("CASEFLOW_SESSION_IDLE_MINUTES may be lowered (to 1 at least), never raised above 15.")
        if not 1 <= values.get("SESSION_MAX_HOURS", 12) <= 12:
            raise ValueError("CASEFLOW_SESSION_MAX_HOURS may be lowered (to 1 at least), never raised above 12.")
        if not 1 <= values.get("ALERT_PARTICIPANTS_PER_HOUR", 50) <= 50:
            raise ValueError("CASEFLOW_ALERT_PARTICIPANTS_PER_HOUR may be lowered (to 1), never raised above 50.")
        if not 1 <= values.get("BREAK_GLASS_MINUTES", 60) <= 60:
            raise ValueError("CASEFLOW_BREAK_GLASS_MINUTES may be lowered (to 1 at least), never raised above 60.")
        return values


class DevelopmentConfig(Config):
    """Local use with the demo data; SQLite file under instance/."""


class TestingConfig(Config):
    """Fresh in-memory SQLite per app unless DATABASE_URL points at PostgreSQL."""

    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    # Cheap argon2id parameters keep the suite fast; real deployments use the library defaults.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    SECRET_KEY = "testing-not-secret"  # noqa: S105 - tests only
    # The suite logs in many times from one address; the rate-limit tests put the real limit back.
    LOGIN_RATE_LIMIT = "1000 per minute"
    # Most tests log in with a password alone; the second-factor tests switch this back on.
    REQUIRE_2FA = False


class ProductionConfig(Config):
    """Real deployments: secrets must come from the environment, cookies are Secure."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def from_env(cls) -> dict:
        """Refuse to start without a secret key, a database URL and an encryption key of its own."""
        keys = [key for key in os.environ.get("CASEFLOW_ENCRYPTION_KEYS", "").split(",") if key.strip()]
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if not keys:
            missing.append("CASEFLOW_ENCRYPTION_KEYS")
        if missing:
            raise RuntimeError(f"Production configuration needs {', '.join(missing)} in the environment.")
        values = super().from_env()
        if DEVELOPMENT_ENCRYPTION_KEY in values["ENCRYPTION_KEYS"]:
            # The development key is in the source code: data encrypted with it is not protected.
            raise RuntimeError("CASEFLOW_ENCRYPTION_KEYS must not hold the development key; use `flask generate-key`.")
        return values


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def parse_switch(variable: str, value: str) -> bool:
    """An on/off environment variable; anything unclear stops start-up rather than guessing."""
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{variable} must be 1 or 0 (got {value!r}).")


def normalise_db_url(url: str) -> str:
    """Accept postgres:// and postgresql:// URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url
