"""Convert between the deployment's wall clock (forms, pages) and naive UTC (the database)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def _zone() -> ZoneInfo:
    name = current_app.config.get("TIMEZONE", "UTC") if has_app_context() else "UTC"
    return ZoneInfo(name)


def local_now() -> datetime:
    """Now on the deployment's wall clock, naive, as a form field shows it."""
    return datetime.now(_zone()).replace(tzinfo=None)


def local_today() -> date:
    """Today's date where the program works, not where the server is."""
    return local_now().date()


def to_utc(local: datetime) -> datetime:
    """A naive wall-clock time typed into a form, as naive UTC for storage."""
    return local.replace(tzinfo=_zone()).astimezone(UTC).replace(tzinfo=None)


def to_local(utc: datetime | None) -> datetime | None:
    """A stored naive UTC time on the deployment's wall clock."""
    if utc is None:
        return None
    return utc.replace(tzinfo=UTC).astimezone(_zone()).replace(tzinfo=None)


SQLITE_LOCAL_DATE = "caseflow_local_date"
# Day numbers count from here, so date differences are plain integer arithmetic on both databases.
EPOCH = date(2000, 1, 1)


def sqlite_local_date(stored: str | None, zone_name: str) -> str | None:
    """SQLite function body: a stored naive-UTC time as its local calendar day ('YYYY-MM-DD').

    SQLite has no zone database, so the app lends it Python's; PostgreSQL uses its own.
    """
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored).replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone_name)).date().isoformat()


def local_date_sql(utc_column):
    """SQL for the local calendar day of a stored naive-UTC time, the same on SQLite and PostgreSQL."""
    from sqlalchemy import Date, cast, func

    from caseflow.extensions import db

    zone_name = _zone().key
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(zone_name, func.timezone("UTC", utc_column)), Date)
    return getattr(func, SQLITE_LOCAL_DATE)(utc_column, zone_name)


def day_number_sql(day):
    """SQL for a DATE as whole days since EPOCH, the same on SQLite and PostgreSQL."""
    from sqlalchemy import Date, Integer, cast, func, literal

    from caseflow.extensions import db

    if db.session.get_bind().dialect.name == "postgresql":
        return day - literal(EPOCH, Date)
    return cast(func.julianday(day) - func.julianday(EPOCH.isoformat()), Integer)


def zone_name() -> str:
    """The deployment's time zone name, for caches of SQL that depends on it (local_date_sql)."""
    return _zone().key
