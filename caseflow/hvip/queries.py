"""HVIP figures for pages and reports: plain dataclasses from SQL, counting only live records.

Date ranges are local calendar days, inclusive; injuries count by arrival time.
"""

from dataclasses import astuple, dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select

from caseflow.extensions import db
from caseflow.models import Case, CompensationClaim, Injury
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
    low, high = _utc_bounds(start, end)
    return and_(
        Injury.program_id == program_id,
        Injury.deleted_at.is_(None),
        Injury.arrived_at >= low,
        Injury.arrived_at < high,
        or_(Injury.case_id.is_(None), Case.deleted_at.is_(None)),
    )


def funnel_counts(program_id: int, start: date, end: date) -> FunnelCounts:
    """The funnel from one GROUP BY over funnel stage."""
    rows = db.session.execute(
        select(Injury.funnel_stage, func.count(Injury.id))
        .outerjoin(Case, Case.id == Injury.case_id)
        .where(_live_injuries(program_id, start, end))
        .group_by(Injury.funnel_stage)
    ).all()
    by_stage = {stage: count for stage, count in rows}

    def total(*stages: str) -> int:
        return sum(by_stage.get(s, 0) for s in stages)

    return FunnelCounts(
        screened=total(*by_stage),
        eligible=total("eligible", "not_approached", "approached", "declined", "enrolled"),
        approached=total("approached", "declined", "enrolled"),
        enrolled=total("enrolled"),
        declined=total("declined"),
        not_approached=total("not_approached"),
        ineligible=total("ineligible"),
    )


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
    return db.session.execute(
        select(func.count(Injury.id))
        .outerjoin(Case, Case.id == Injury.case_id)
        .where(_live_injuries(program_id, start, end), Injury.is_reinjury.is_(True))
    ).scalar_one()


def compensation_counts(program_id: int, start: date, end: date) -> CompensationCounts:
    """Claims applied for in the range on the program's live cases, with their approvals and denials."""
    applied, approved, denied = db.session.execute(
        select(
            func.count(CompensationClaim.id),
            func.coalesce(func.sum(case((CompensationClaim.status == "approved", 1), else_=0)), 0),
            func.coalesce(func.sum(case((CompensationClaim.status == "denied", 1), else_=0)), 0),
        )
        .join(Case, Case.id == CompensationClaim.case_id)
        .where(
            Case.program_id == program_id,
            Case.deleted_at.is_(None),
            CompensationClaim.deleted_at.is_(None),
            CompensationClaim.applied_on >= start,
            CompensationClaim.applied_on <= end,
        )
    ).one()
    return CompensationCounts(applied=int(applied), approved=int(approved), denied=int(denied))
