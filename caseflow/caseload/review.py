"""Supervisor caseload review: per-worker figures from one GROUP BY, their drill-down, and bulk reassignment.

Every figure is a SUM over `review_facts` (caseflow/caseload/queries.py), which carries the same definitions
of overdue, high risk and stale as the worker's home page, scoped by `case_scope`. The queries per page are
fixed whatever the number of cases, contacts, workers or programs.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from caseflow.caseload.queries import (
    HIGH_RISK_CONTACT_DAYS,
    REVIEW_CONTACT_DAYS,
    STALE_DAYS,
    CaseloadPage,
    review_facts,
    review_measures,
)
from caseflow.cases import movement
from caseflow.cases.services import CaseRuleError
from caseflow.extensions import db
from caseflow.models import Case, Participant, Program, ProgramMembership, User
from caseflow.models.case import CASE_STATUSES, OPEN_STATUSES
from caseflow.models.choices import RISK_LEVELS, label_of
from caseflow.permissions import case_scope

MEASURE_LABELS = {
    "active": "Active cases",
    "contacted": f"Cases with a completed contact in the last {REVIEW_CONTACT_DAYS} days",
    "within_target": "Open cases contacted within target",
    "overdue_contact": "Open cases overdue for contact",
    "overdue_referrals": "Open cases with overdue referrals",
    "high_risk_no_contact": f"High-risk cases without a completed contact in {HIGH_RISK_CONTACT_DAYS} days",
    "pending_closure": "Cases waiting for closure approval",
    "stale": f"Stale cases: no status change and no contact for more than {STALE_DAYS} days",
}
# The drill-down's measure names (those of review_measures) with what each list shows.
MEASURES = tuple(MEASURE_LABELS)
# The drill-down's worker_id for cases nobody holds.
UNASSIGNED = "none"


@dataclass(frozen=True)
class Figures:
    """The review's numbers for one worker (or the unassigned cases, or the whole program)."""

    active: int = 0
    recent_contacts: int = 0
    open_cases: int = 0
    within_target: int = 0
    overdue_contact: int = 0
    overdue_referrals: int = 0
    high_risk_no_contact: int = 0
    pending_closure: int = 0
    stale: int = 0

    @property
    def within_target_percent(self) -> int | None:
        """Share of open cases contacted within target, as a whole percentage; None with no open cases."""
        return round(100 * self.within_target / self.open_cases) if self.open_cases else None

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Figures)))


@dataclass(frozen=True)
class WorkerRow:
    """One row of a program's table: a worker, or the unassigned cases (worker_id None)."""

    worker_id: int | None
    name: str
    figures: Figures
    caseload_target: int

    @property
    def worker_param(self) -> str:
        """The drill-down's worker_id argument for this row."""
        return UNASSIGNED if self.worker_id is None else str(self.worker_id)

    @property
    def over_target(self) -> bool:
        return self.worker_id is not None and self.figures.active > self.caseload_target


@dataclass(frozen=True)
class ProgramReview:
    """A supervised program's table: its workers, the unassigned row last, and the program's totals."""

    program_id: int
    program_name: str
    caseload_target: int
    rows: tuple[WorkerRow, ...]
    totals: Figures


@dataclass(frozen=True)
class ReviewCase:
    """One case behind a figure: who, where it stands, and who has it."""

    case_id: int
    name: str
    status_label: str
    risk_label: str
    last_contact_at: datetime | None
    worker_name: str


def caseload_review(user: User, today: date, programs: list[Program]) -> list[ProgramReview]:
    """The review tables for the given (supervised) programs in two queries: workers, then one GROUP BY."""
    if not programs:
        return []
    program_ids = [p.id for p in programs]
    members = db.session.execute(
        select(ProgramMembership.program_id, User.id, User.full_name)
        .join(User, User.id == ProgramMembership.user_id)
        .where(
            ProgramMembership.program_id.in_(program_ids),
            ProgramMembership.role == "worker",
            ProgramMembership.deleted_at.is_(None),
            User.is_active.is_(True),
        )
    ).all()
    facts = review_facts(user, today, program_ids)
    measures = review_measures(facts)

    def count_of(name: str):
        return func.coalesce(func.sum(sql_case((measures[name], 1), else_=0)), 0)

    grouped = db.session.execute(
        select(
            facts.c.program_id,
            facts.c.assigned_worker_id,
            User.full_name,
            count_of("active"),
            func.coalesce(func.sum(facts.c.recent_contacts), 0),
            func.coalesce(func.sum(facts.c.is_open), 0),
            count_of("within_target"),
            count_of("overdue_contact"),
            func.coalesce(func.sum(facts.c.overdue_referrals), 0),
            count_of("high_risk_no_contact"),
            count_of("pending_closure"),
            count_of("stale"),
        )
        .outerjoin(User, User.id == facts.c.assigned_worker_id)
        .group_by(facts.c.program_id, facts.c.assigned_worker_id, User.full_name)
    ).all()

    names: dict[int, dict[int | None, str]] = {pid: {} for pid in program_ids}
    figures: dict[int, dict[int | None, Figures]] = {pid: {} for pid in program_ids}
    for program_id, user_id, full_name in members:
        names[program_id][user_id] = full_name
    for program_id, worker_id, full_name, *numbers in grouped:
        figures[program_id][worker_id] = Figures(*(int(n) for n in numbers))
        # Someone outside the worker role gets a row while they hold something that counts, not for old closed cases.
        if worker_id is not None and figures[program_id][worker_id] != Figures():
            names[program_id].setdefault(worker_id, full_name)
    reviews = []
    for program in programs:
        by_worker = figures[program.id]
        rows = [
            WorkerRow(worker_id, name, by_worker.get(worker_id, Figures()), program.caseload_target)
            for worker_id, name in sorted(names[program.id].items(), key=lambda item: (item[1].lower(), item[0]))
        ]
        rows.append(WorkerRow(None, "Unassigned", by_worker.get(None, Figures()), program.caseload_target))
        totals = sum((row.figures for row in rows), Figures())
        reviews.append(ProgramReview(program.id, program.name, program.caseload_target, tuple(rows), totals))
    return reviews


def measure_cases(
    user: User, today: date, program_id: int, worker: int | str | None, measure: str, *, page: int, per_page: int
) -> CaseloadPage:
    """One page of the cases behind a figure (worker: a user id, UNASSIGNED, or None for everyone), in two queries."""
    facts = review_facts(user, today, [program_id])
    conditions = [review_measures(facts)[measure]]
    if worker == UNASSIGNED:
        conditions.append(facts.c.assigned_worker_id.is_(None))
    elif worker is not None:
        conditions.append(facts.c.assigned_worker_id == worker)
    total = db.session.execute(select(func.count()).select_from(facts).where(*conditions)).scalar_one()
    page = max(page, 1)
    rows = db.session.execute(
        select(facts, User.full_name.label("worker_name"))
        .outerjoin(User, User.id == facts.c.assigned_worker_id)
        .where(*conditions)
        .order_by(facts.c.last_name, facts.c.first_name, facts.c.case_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = tuple(
        ReviewCase(
            case_id=row.case_id,
            name=f"{row.first_name} {row.last_name}",
            status_label=label_of(CASE_STATUSES, row.status),
            risk_label=label_of(RISK_LEVELS, row.risk_level) if row.risk_level else "Not assessed",
            last_contact_at=row.last_contact_at,
            worker_name=row.worker_name or "Unassigned",
        )
        for row in rows
    )
    return CaseloadPage(items=items, page=page, per_page=per_page, total=int(total))


# --- bulk reassignment ----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCase:
    """A checkbox on the bulk reassignment form."""

    case_id: int
    name: str
    status_label: str
    risk_label: str


def _holder_condition(worker_id: int | None):
    return Case.assigned_worker_id.is_(None) if worker_id is None else Case.assigned_worker_id == worker_id


def open_cases_of(user: User, program_id: int, worker_id: int | None) -> list[OpenCase]:
    """A worker's (or the unassigned) open cases in a program, in the user's scope, by name."""
    rows = db.session.execute(
        select(Case.id, Case.status, Case.risk_level, Participant.first_name, Participant.last_name)
        .join(Participant, Participant.id == Case.participant_id)
        .where(
            case_scope(user),
            Case.program_id == program_id,
            Case.status.in_(OPEN_STATUSES),
            Participant.deleted_at.is_(None),
            _holder_condition(worker_id),
        )
        .order_by(Participant.last_name, Participant.first_name, Case.id)
    ).all()
    return [
        OpenCase(
            case_id=row.id,
            name=f"{row.first_name} {row.last_name}",
            status_label=label_of(CASE_STATUSES, row.status),
            risk_label=label_of(RISK_LEVELS, row.risk_level) if row.risk_level else "Not assessed",
        )
        for row in rows
    ]


def case_holders(program_id: int) -> list[tuple[int, str]]:
    """Users holding open cases of a program (members or not), by name: the "from" choices besides members."""
    return [
        (row.id, row.full_name)
        for row in db.session.execute(
            select(User.id, User.full_name)
            .where(
                User.id.in_(
                    select(Case.assigned_worker_id).where(
                        Case.program_id == program_id, Case.status.in_(OPEN_STATUSES), Case.deleted_at.is_(None)
                    )
                )
            )
            .order_by(User.full_name, User.id)
        )
    ]


def reassign_cases(
    actor: User, program: Program, case_ids: list[int], from_worker_id: int | None, to_worker: User, note: str = ""
) -> int:
    """Move every selected case to to_worker through the movement service, or none: the caller rolls back on error.

    Each selected case must be an open case of this program in the actor's scope, still with the "from"
    worker; anything else refuses the whole move, so a stale or tampered form never half-applies.
    """
    wanted = set(case_ids)
    if not wanted:
        raise CaseRuleError("Choose at least one case to reassign.")
    cases = list(
        db.session.execute(
            select(Case)
            .join(Participant, Participant.id == Case.participant_id)
            .where(
                Case.id.in_(wanted),
                case_scope(actor),
                Case.program_id == program.id,
                Case.status.in_(OPEN_STATUSES),
                Participant.deleted_at.is_(None),
            )
            .order_by(Case.id)
        ).scalars()
    )
    if len(cases) != len(wanted):
        missing = len(wanted) - len(cases)
        raise CaseRuleError(
            f"{missing} of the selected cases {'is' if missing == 1 else 'are'} not an open case of "
            f"{program.name}. Nothing was reassigned."
        )
    moved_elsewhere = [c for c in cases if c.assigned_worker_id != from_worker_id]
    if moved_elsewhere:
        names = ", ".join(c.participant.display_name for c in moved_elsewhere)
        raise CaseRuleError(f"No longer with the chosen worker: {names}. Nothing was reassigned; reload the list.")
    for case in cases:
        try:
            movement.reassign_case(actor, case, to_worker, note)
        except CaseRuleError as exc:
            raise CaseRuleError(f"{case.participant.display_name}: {exc} Nothing was reassigned.") from exc
    return len(cases)
