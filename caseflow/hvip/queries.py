"""HVIP figures for pages and reports: plain dataclasses from SQL, counting only live records.

Date ranges are local calendar days, inclusive; injuries count by arrival time.
"""

from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, case, func, or_, select

from caseflow.extensions import db
from caseflow.models import FUNNEL_STAGES, Case, CompensationClaim, Injury
from caseflow.timezones import to_utc


@dataclass(frozen=True)
class FunnelCounts:
    """Patients at each level of the bedside funnel; each level includes those who went further."""

    screened: int = 0
    eligible: int = 0
    approached: int = 0
    enrolled: int = 0
    declined: int = 0
    not_approached: int = 0
    ineligible: int = 0


@dataclass(frozen=True)
class CompensationCounts:
    """Claims applied for in a period, and how many of those were approved or denied."""

    applied: int = 0
    approved: int = 0
    denied: int = 0

    def __iter__(self):
        return iter(astuple(self))


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local days start..end as a half-open UTC interval."""
    return to_utc(datetime.combine(start, time.min)), to_utc(datetime.combine(end + timedelta(days=1), time.min))


def _live_injuries(program_id: int, start: date, end: date):
    """Filters for a program's live injuries that arrived in the range (a deleted case hides its injuries)."""
    return _live_injuries_between(program_id, *_utc_bounds(start, end))


def _live_injuries_between(program_id, low, high):
    """The same filters for arrivals in [low, high), UTC (values or bound parameters); outer join Case."""
    return and_(
        Injury.program_id == program_id,
        Injury.deleted_at.is_(None),
        Injury.arrived_at >= low,
        Injury.arrived_at < high,
        or_(Injury.case_id.is_(None), Case.deleted_at.is_(None)),
    )


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _funnel_from(screened: int, by_stage: dict[str, int]) -> FunnelCounts:
    """The funnel levels from how many injuries sit at each stage."""

    def total(*stages: str) -> int:
        return sum(by_stage.get(s, 0) for s in stages)

    return FunnelCounts(
        screened=screened,
        eligible=total("eligible", "not_approached", "approached", "declined", "enrolled"),
        approached=total("approached", "declined", "enrolled"),
        enrolled=total("enrolled"),
        declined=total("declined"),
        not_approached=total("not_approached"),
        ineligible=total("ineligible"),
    )


def injury_figure(program_id, low, high) -> tuple[Select, Callable[[Sequence], tuple[FunnelCounts, int]]]:
    """One-row aggregate of the live injuries that arrived in [low, high), and its reader: (funnel, re-injuries).

    Bounds and program may be values or bound parameters. One conditional count per funnel stage
    (the check constraint keeps stages to FUNNEL_STAGES), so the dashboard can join it to its other figures.
    """
    stmt = (
        select(
            func.count(Injury.id),
            _count_if(Injury.is_reinjury.is_(True)),
            *(_count_if(Injury.funnel_stage == stage) for stage, _label in FUNNEL_STAGES),
        )
        .outerjoin(Case, Case.id == Injury.case_id)
        .where(_live_injuries_between(program_id, low, high))
    )

    def read(row: Sequence) -> tuple[FunnelCounts, int]:
        by_stage = {stage: int(n) for (stage, _label), n in zip(FUNNEL_STAGES, row[2:], strict=True)}
        return _funnel_from(int(row[0]), by_stage), int(row[1])

    return stmt, read


def funnel_counts(program_id: int, start: date, end: date) -> FunnelCounts:
    """The funnel from one aggregate over the period's injuries."""
    stmt, read = injury_figure(program_id, *_utc_bounds(start, end))
    return read(db.session.execute(stmt).one())[0]


def bedside_response_minutes(program_id: int, start: date, end: date) -> list[int]:
    """Minutes from arrival to first bedside contact, ascending, for injuries that had one."""
    rows = db.session.execute(
        select(Injury.arrived_at, Injury.first_bedside_at)
        .outerjoin(Case, Case.id == Injury.case_id)
        .where(_live_injuries(program_id, start, end), Injury.first_bedside_at.is_not(None))
    ).all()
    # The subtraction is done here: SQLite and PostgreSQL disagree on datetime arithmetic.
    return sorted(int((bedside - arrived).total_seconds() // 60) for arrived, bedside in rows)


def reinjury_count(program_id: int, start: date, end: date) -> int:
    """Live injuries in the range flagged as a re-injury of someone already on record."""
    stmt, read = injury_figure(program_id, *_utc_bounds(start, end))
    return read(db.session.execute(stmt).one())[1]


def compensation_figure(program_id, start, end) -> tuple[Select, Callable[[Sequence], CompensationCounts]]:
    """One-row aggregate of the claims applied for on days start..end (values or bound parameters), and its reader."""
    stmt = (
        select(
            func.count(CompensationClaim.id),
            _count_if(CompensationClaim.status == "approved"),
            _count_if(CompensationClaim.status == "denied"),
        )
        .join(Case, Case.id == CompensationClaim.case_id)
        .where(
            Case.program_id == program_id,
            Case.deleted_at.is_(None),
            CompensationClaim.deleted_at.is_(None),
            CompensationClaim.applied_on >= start,
            CompensationClaim.applied_on <= end,
        )
    )

    def read(row: Sequence) -> CompensationCounts:
        applied, approved, denied = row
        return CompensationCounts(applied=int(applied), approved=int(approved), denied=int(denied))

    return stmt, read


def compensation_counts(program_id: int, start: date, end: date) -> CompensationCounts:
    """Claims applied for in the range on the program's live cases, with their approvals and denials."""
    stmt, read = compensation_figure(program_id, start, end)
    return read(db.session.execute(stmt).one())
