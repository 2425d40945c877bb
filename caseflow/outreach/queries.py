"""Street outreach figures for pages and reports: plain dataclasses from SQL, counting only live records.

Date ranges are local calendar days, inclusive. Mediations count by when they happened, shooting responses by
their first response, activities by their day. No names, groups or notes ever reach these figures.
"""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, select

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


def _breakdown(choices, counts: dict[str, int]) -> tuple[LabelledCount, ...]:
    """Every choice in its usual order, zeros included, so tables keep the same rows."""
    return tuple(LabelledCount(value, label, int(counts.get(value, 0))) for value, label in choices)


def mediation_counts(program_id: int, start: date, end: date) -> MediationCounts:
    """One GROUP BY over (how identified, outcome), with the weapons-present count summed alongside."""
    low, high = _utc_bounds(start, end)
    rows = db.session.execute(
        select(
            Mediation.identified_by,
            Mediation.outcome,
            func.count(Mediation.id),
            func.coalesce(func.sum(case((Mediation.weapons_present.is_(True), 1), else_=0)), 0),
        )
        .where(
            Mediation.program_id == program_id,
            Mediation.deleted_at.is_(None),
            Mediation.occurred_at >= low,
            Mediation.occurred_at < high,
        )
        .group_by(Mediation.identified_by, Mediation.outcome)
    ).all()
    by_source: dict[str, int] = {}
    by_outcome: dict[str, int] = {}
    total = weapons = 0
    for source, outcome, count, armed in rows:
        by_source[source] = by_source.get(source, 0) + count
        by_outcome[outcome] = by_outcome.get(outcome, 0) + count
        total += count
        weapons += int(armed)
    return MediationCounts(
        total=total,
        weapons_present=weapons,
        by_source=_breakdown(MEDIATION_SOURCES, by_source),
        by_outcome=_breakdown(MEDIATION_OUTCOMES, by_outcome),
    )


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


def activity_totals(program_id: int, start: date, end: date) -> ActivityTotals:
    """Activities per kind with staff minutes and people reached, from one GROUP BY."""
    rows = db.session.execute(
        select(
            OutreachActivity.kind,
            func.count(OutreachActivity.id),
            func.coalesce(func.sum(OutreachActivity.staff_minutes), 0),
            func.coalesce(func.sum(OutreachActivity.people_reached), 0),
        )
        .where(
            OutreachActivity.program_id == program_id,
            OutreachActivity.deleted_at.is_(None),
            OutreachActivity.occurred_on >= start,
            OutreachActivity.occurred_on <= end,
        )
        .group_by(OutreachActivity.kind)
    ).all()
    found = {kind: (int(count), int(minutes), int(people)) for kind, count, minutes, people in rows}
    by_kind = tuple(ActivityKindTotal(kind, label, *found.get(kind, (0, 0, 0))) for kind, label in ACTIVITY_KINDS)
    return ActivityTotals(
        by_kind=by_kind,
        count=sum(k.count for k in by_kind),
        minutes=sum(k.minutes for k in by_kind),
        people_reached=sum(k.people_reached for k in by_kind),
    )
