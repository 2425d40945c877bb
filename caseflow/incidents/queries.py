"""Plain-data queries over incidents: the filtered list and the monthly trend."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, literal_column, select

from caseflow.extensions import db
from caseflow.models.incident import Incident
from caseflow.timezones import to_utc


@dataclass(frozen=True)
class IncidentFilters:
    """What the list is narrowed by; dates are local calendar days."""

    date_from: date | None = None
    date_to: date | None = None
    area: str = ""
    kind: str = ""
    source: str = ""
    status: str = ""


def _like_literal(text: str) -> str:
    """A LIKE pattern matching text literally anywhere: % and _ typed by the user are not wildcards."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def incident_list_query(filters: IncidentFilters):
    """SELECT of live incidents matching the filters, newest first."""
    stmt = select(Incident).where(Incident.deleted_at.is_(None))
    if filters.date_from:
        stmt = stmt.where(Incident.occurred_at >= to_utc(datetime.combine(filters.date_from, time.min)))
    if filters.date_to:
        # The whole local end day counts: up to local midnight after it.
        day_after = datetime.combine(filters.date_to + timedelta(days=1), time.min)
        stmt = stmt.where(Incident.occurred_at < to_utc(day_after))
    if filters.area.strip():
        stmt = stmt.where(Incident.area.ilike(_like_literal(filters.area.strip()), escape="\\"))
    exact = ((Incident.kind, filters.kind), (Incident.source, filters.source), (Incident.status, filters.status))
    for column, value in exact:
        if value:
            stmt = stmt.where(column == value)
    return stmt.order_by(Incident.occurred_at.desc(), Incident.id.desc())


@dataclass(frozen=True)
class MonthlyShootings:
    """One calendar month of the trend; month is its first day."""

    month: date
    incidents: int
    fatal: int
    nonfatal: int
    shots_fired: int


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def months_back(end: date, months: int) -> date:
    """The first day of the month that starts a window of `months` months ending with end's month."""
    index = end.year * 12 + (end.month - 1) - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def _month_key():
    """The occurred_at month as 'YYYY-MM'.

    occurred_at is stored as naive UTC, so these are UTC calendar months: an incident late
    on the last local evening of a month may count in the next one. The format is a literal
    so the SELECT and GROUP BY expressions are identical on PostgreSQL.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(Incident.occurred_at, literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), Incident.occurred_at)


def monthly_shootings(start: date, end: date) -> list[MonthlyShootings]:
    """Per calendar month from start's month to end's month: shootings, fatal and non-fatal victims, shots fired.

    One GROUP BY query over live incidents between start and end (inclusive); months with
    nothing are filled with zeros so a chart never skips a month.
    """
    month = _month_key().label("month")
    is_shooting = Incident.kind == "shooting"
    stmt = (
        select(
            month,
            func.coalesce(func.sum(case((is_shooting, 1), else_=0)), 0),
            func.coalesce(func.sum(case((is_shooting, Incident.fatal_victims), else_=0)), 0),
            func.coalesce(func.sum(case((is_shooting, Incident.nonfatal_victims), else_=0)), 0),
            func.coalesce(func.sum(case((Incident.kind == "shots_fired", 1), else_=0)), 0),
        )
        .where(
            Incident.deleted_at.is_(None),
            Incident.occurred_at >= datetime.combine(start, time.min),
            Incident.occurred_at < datetime.combine(end + timedelta(days=1), time.min),
        )
        .group_by(month)
    )
    found = {row[0]: row[1:] for row in db.session.execute(stmt).all()}
    result = []
    current, last = _first_of_month(start), _first_of_month(end)
    while current <= last:
        incidents, fatal, nonfatal, shots_fired = found.get(current.strftime("%Y-%m"), (0, 0, 0, 0))
        result.append(MonthlyShootings(current, int(incidents), int(fatal), int(nonfatal), int(shots_fired)))
        current = _next_month(current)
    return result
