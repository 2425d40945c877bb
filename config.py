"""Configuration classes, one per environment; read from the environment only when chosen."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - development only; production requires the env
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{BASE_DIR / 'instance' / 'caseflow.db'}"
    # hide_parameters: SQL errors and logs never carry the values (names, notes) a statement was sent (S36).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
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
        for setting, variable in (
            ("SMALL_CELL_THRESHOLD", "CASEFLOW_SMALL_CELL_THRESHOLD"),
            ("STATE_FISCAL_YEAR_START_MONTH", "CASEFLOW_STATE_FY_START_MONTH"),
            ("SESSION_IDLE_MINUTES", "CASEFLOW_SESSION_IDLE_MINUTES"),
            ("SESSION_MAX_HOURS", "CASEFLOW_SESSION_MAX_HOURS"),
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


class ProductionConfig(Config):
    """Real deployments: secrets must come from the environment, cookies are Secure."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def from_env(cls) -> dict:
        """Refuse to start without a secret key and a database URL."""
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"Production configuration needs {', '.join(missing)} in the environment.")
        return super().from_env()


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def normalise_db_url(url: str) -> str:
    """Accept postgres:// and postgresql:// URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url
