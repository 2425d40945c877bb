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
