"""The case page's header figures and its single, paginated timeline of everything on the case."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import selectinload

from caseflow.caseload.queries import target_days
from caseflow.extensions import db
from caseflow.hvip.services import follow_up_schedule
from caseflow.models import (
    Assessment,
    Case,
    CaseAssignment,
    CaseStatusChange,
    ClosureRequest,
    Contact,
    Goal,
    Outcome,
    Referral,
    Screening,
)
from caseflow.timezones import to_local

# kind -> (model, the column that dates it, whether the model is soft-deletable)
TIMELINE_SOURCES = {
    "contact": (Contact, Contact.occurred_at, True),
    "referral": (Referral, Referral.referred_on, True),
    "goal": (Goal, Goal.set_on, True),
    "outcome": (Outcome, Outcome.occurred_on, True),
    "assessment": (Assessment, Assessment.taken_at, True),
    "screening": (Screening, Screening.screened_on, True),
    "status": (CaseStatusChange, CaseStatusChange.changed_at, False),
    "assignment": (CaseAssignment, CaseAssignment.changed_at, False),
    "closure": (ClosureRequest, ClosureRequest.requested_at, False),
}
EAGER = {
    "contact": (selectinload(Contact.author),),
    "referral": (selectinload(Referral.provider),),
    "assignment": (selectinload(CaseAssignment.from_worker), selectinload(CaseAssignment.to_worker)),
    "closure": (selectinload(ClosureRequest.requested_by), selectinload(ClosureRequest.decided_by)),
}


@dataclass
class TimelineEntry:
    kind: str
    record: object


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def case_timeline(case: Case, page: int = 1, per_page: int = 25) -> TimelinePage:
    """Newest first across every kind of record, paged in SQL, then each kind loaded in one query."""
    parts = []
    for kind, (model, when, soft) in TIMELINE_SOURCES.items():
        stmt = select(literal(kind).label("kind"), model.id.label("id"), when.label("at")).where(
            model.case_id == case.id
        )
        if soft:
            stmt = stmt.where(model.deleted_at.is_(None))
        parts.append(stmt)
    everything = union_all(*parts).subquery()
    total = db.session.execute(select(func.count()).select_from(everything)).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        select(everything.c.kind, everything.c.id)
        .order_by(everything.c.at.desc(), everything.c.kind, everything.c.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    wanted: dict[str, list[int]] = {}
    for kind, record_id in rows:
        wanted.setdefault(kind, []).append(record_id)
    loaded = {}
    for kind, ids in wanted.items():
        model = TIMELINE_SOURCES[kind][0]
        stmt = select(model).where(model.id.in_(ids)).options(*EAGER.get(kind, ()))
        loaded.update({(kind, r.id): r for r in db.session.execute(stmt).scalars()})
    entries = [TimelineEntry(kind, loaded[(kind, record_id)]) for kind, record_id in rows]
    return TimelinePage(entries=entries, page=page, pages=pages, total=total)


@dataclass
class DueItem:
    label: str
    due_on: date
    overdue: bool


@dataclass
class CaseHeader:
    last_contact_at: datetime | None
    days_since_contact: int | None
    due: list[DueItem] = field(default_factory=list)
    pending_closure: ClosureRequest | None = None


def case_header(case: Case, today: date) -> CaseHeader:
    """Days since the last completed contact and what is due next, soonest first."""
    last = db.session.execute(
        select(func.max(Contact.occurred_at)).where(
            Contact.case_id == case.id, Contact.deleted_at.is_(None), Contact.is_completed.is_(True)
        )
    ).scalar_one()
    last_local = to_local(last)
    days = (today - last_local.date()).days if last_local else None
    due: list[DueItem] = []
    if case.status in ("active", "inactive"):
        start = last_local.date() if last_local else (case.enrolled_on or case.referred_on)
        # The home page's rule: high risk halves the program's contact frequency.
        contact_due = start + timedelta(days=target_days(case.program.contact_frequency_days, case.risk_level))
        due.append(DueItem("Contact", contact_due, contact_due < today))
    referrals = db.session.execute(
        select(Referral)
        .where(
            Referral.case_id == case.id,
            Referral.deleted_at.is_(None),
            Referral.status.in_(("referred", "scheduled")),
            Referral.due_on.is_not(None),
        )
        .options(selectinload(Referral.provider))
    ).scalars()
    for referral in referrals:
        due.append(DueItem(f"{referral.category_label} referral connection", referral.due_on, referral.due_on < today))
    goals = db.session.execute(
        select(Goal).where(
            Goal.case_id == case.id, Goal.deleted_at.is_(None), Goal.status == "open", Goal.target_on.is_not(None)
        )
    ).scalars()
    for goal in goals:
        due.append(DueItem(f"{goal.domain_label} goal", goal.target_on, goal.target_on < today))
    if case.program.kind == "hvip" and case.is_open:
        # Post-discharge checks at 30, 90 and 180 days, until a completed contact covers each.
        for check in follow_up_schedule(case):
            if not check.done:
                due.append(DueItem(check.label, check.due_on, check.due_on < today))
    due.sort(key=lambda item: item.due_on)
    pending = db.session.execute(
        select(ClosureRequest).where(ClosureRequest.case_id == case.id, ClosureRequest.status == "pending")
    ).scalar_one_or_none()
    return CaseHeader(last_contact_at=last, days_since_contact=days, due=due, pending_closure=pending)
