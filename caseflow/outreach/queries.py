"""Street outreach figures for pages and reports: plain dataclasses from SQL, counting only live records.

Date ranges are local calendar days, inclusive. Mediations count by when they happened, shooting responses by
their first response, activities by their day. No names, groups or notes ever reach these figures.
"""

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, case, func, select

from caseflow.extensions import db
from caseflow.models import Incident, Mediation, OutreachActivity, ShootingResponse
from caseflow.models.outreach import ACTIVITY_KINDS, MEDIATION_OUTCOMES, MEDIATION_SOURCES
from caseflow.timezones import to_utc

# A response within a day of the shooting is the program's standard for a timely response.
TIMELY_MINUTES = 24 * 60


@dataclass(frozen=True)
class LabelledCount:
    """One row of a breakdown: the stored value, its label and how many."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class MediationCounts:
    """Mediations in a period by how they were identified and by outcome, with weapons present."""

    total: int = 0
    weapons_present: int = 0
    by_source: tuple[LabelledCount, ...] = ()
    by_outcome: tuple[LabelledCount, ...] = ()


@dataclass(frozen=True)
class ResponseSummary:
    """Shooting responses in a period and how fast the first response came."""

    count: int = 0
    median_minutes: float | None = None
    within_24h: int = 0

    @property
    def share_within_24h(self) -> float | None:
        return None if not self.count else self.within_24h / self.count


@dataclass(frozen=True)
class ActivityKindTotal:
    """Community activity of one kind: how many, staff time and people reached."""

    kind: str
    label: str
    count: int
    minutes: int
    people_reached: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


@dataclass(frozen=True)
class ActivityTotals:
    """Activity per kind and overall."""

    by_kind: tuple[ActivityKindTotal, ...] = ()
    count: int = 0
    minutes: int = 0
    people_reached: int = 0

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local days start..end as a half-open UTC interval."""
    return to_utc(datetime.combine(start, time.min)), to_utc(datetime.combine(end + timedelta(days=1), time.min))


def _count_if(condition, value=1):
    """SUM of value over the rows where condition holds, 0 when none do."""
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def mediation_figure(program_id, low, high) -> tuple[Select, Callable[[Sequence], MediationCounts]]:
    """One-row aggregate of the mediations in [low, high) (values or bound parameters), and its reader.

    One conditional count per way of identifying and per outcome (the check constraints keep the stored
    values to those lists), so the dashboard can join this row to its other figures in one statement.
    """
    stmt = select(
        func.count(Mediation.id),
        _count_if(Mediation.weapons_present.is_(True)),
        *(_count_if(Mediation.identified_by == value) for value, _label in MEDIATION_SOURCES),
        *(_count_if(Mediation.outcome == value) for value, _label in MEDIATION_OUTCOMES),
    ).where(
        Mediation.program_id == program_id,
        Mediation.deleted_at.is_(None),
        Mediation.occurred_at >= low,
        Mediation.occurred_at < high,
    )

    def read(row: Sequence) -> MediationCounts:
        sources = row[2 : 2 + len(MEDIATION_SOURCES)]
        outcomes = row[2 + len(MEDIATION_SOURCES) :]
        return MediationCounts(
            total=int(row[0]),
            weapons_present=int(row[1]),
            by_source=tuple(
                LabelledCount(v, label, int(n)) for (v, label), n in zip(MEDIATION_SOURCES, sources, strict=True)
            ),
            by_outcome=tuple(
                LabelledCount(v, label, int(n)) for (v, label), n in zip(MEDIATION_OUTCOMES, outcomes, strict=True)
            ),
        )

    return stmt, read


def mediation_counts(program_id: int, start: date, end: date) -> MediationCounts:
    """Mediations in the period by how identified and by outcome, with weapons present, from one aggregate."""
    stmt, read = mediation_figure(program_id, *_utc_bounds(start, end))
    return read(db.session.execute(stmt).one())


def response_minutes(program_id: int, start: date, end: date) -> list[int]:
    """Minutes from each shooting to the program's first response, ascending (live responses and incidents)."""
    low, high = _utc_bounds(start, end)
    rows = db.session.execute(
        select(Incident.occurred_at, ShootingResponse.first_response_at)
        .join(Incident, Incident.id == ShootingResponse.incident_id)
        .where(
            ShootingResponse.program_id == program_id,
            ShootingResponse.deleted_at.is_(None),
            Incident.deleted_at.is_(None),
            ShootingResponse.first_response_at >= low,
            ShootingResponse.first_response_at < high,
        )
    ).all()
    # The subtraction is done here: SQLite and PostgreSQL disagree on datetime arithmetic.
    return sorted(int((responded - occurred).total_seconds() // 60) for occurred, responded in rows)


def response_summary(program_id: int, start: date, end: date) -> ResponseSummary:
    """How many responses, the median minutes to the first response, and how many came within 24 hours."""
    minutes = response_minutes(program_id, start, end)
    if not minutes:
        return ResponseSummary()
    return ResponseSummary(
        count=len(minutes),
        median_minutes=statistics.median(minutes),
        within_24h=sum(1 for m in minutes if m <= TIMELY_MINUTES),
    )


def activity_figure(program_id, start, end) -> tuple[Select, Callable[[Sequence], ActivityTotals]]:
    """One-row aggregate of the activities on days start..end (values or bound parameters), and its reader.

    Count, staff minutes and people reached per kind as conditional sums (the check constraint keeps the
    kinds to ACTIVITY_KINDS); the totals are the sums over the kinds.
    """
    columns = []
    for kind, _label in ACTIVITY_KINDS:
        is_kind = OutreachActivity.kind == kind
        columns += [
            _count_if(is_kind),
            _count_if(is_kind, OutreachActivity.staff_minutes),
            _count_if(is_kind, OutreachActivity.people_reached),
        ]
    stmt = select(*columns).where(
        OutreachActivity.program_id == program_id,
        OutreachActivity.deleted_at.is_(None),
        OutreachActivity.occurred_on >= start,
        OutreachActivity.occurred_on <= end,
    )

    def read(row: Sequence) -> ActivityTotals:
        by_kind = tuple(
            ActivityKindTotal(kind, label, int(row[3 * i]), int(row[3 * i + 1]), int(row[3 * i + 2]))
            for i, (kind, label) in enumerate(ACTIVITY_KINDS)
        )
        return ActivityTotals(
            by_kind=by_kind,
            count=sum(k.count for k in by_kind),
            minutes=sum(k.minutes for k in by_kind),
            people_reached=sum(k.people_reached for k in by_kind),
        )

    return stmt, read


def activity_totals(program_id: int, start: date, end: date) -> ActivityTotals:
    """Activities per kind with staff minutes and people reached, from one aggregate."""
    stmt, read = activity_figure(program_id, start, end)
    return read(db.session.execute(stmt).one())
