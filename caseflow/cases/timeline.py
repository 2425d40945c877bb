"""The case page's data: the case, its header figures and its single, paginated timeline of everything on it.

Each is one statement. The header and timeline statements are big unions, so they are built once per
process with bound parameters: building and keying a big statement costs SQLAlchemy more CPU than the
database spends running it, and a reused statement object keeps its cache key.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased, joinedload

from caseflow.caseload.queries import target_days
from caseflow.crypto import EncryptedText
from caseflow.extensions import db
from caseflow.hvip.services import follow_up_checks
from caseflow.models import (
    Assessment,
    Case,
    CaseAssignment,
    CaseStatusChange,
    ClosureRequest,
    Contact,
    Goal,
    Injury,
    Outcome,
    Referral,
    Screening,
    ServiceProvider,
    User,
)
from caseflow.models.choices import (
    CLOSURE_REASONS,
    GOAL_DOMAINS,
    OUTCOME_TYPES,
    RISK_LEVELS,
    SERVICE_CATEGORIES,
    ContactLabels,
    GoalLabels,
    ReferralLabels,
    label_of,
)
from caseflow.permissions import case_scope_for
from caseflow.plan.services import AssessmentChange, summarise_assessments
from caseflow.statements import built_once
from caseflow.timezones import to_local

CASE_ID = bindparam("case_id", type_=Integer)


def load_case(user: User, case_id: int) -> Case | None:
    """The case in the user's scope with its person, program and worker, in one statement; None if out of scope."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    stmt = built_once(
        "case_page_case",
        lambda: (
            select(Case)
            .where(Case.id == bindparam("case_id"), case_scope_for(bindparam("user_id")))
            .options(joinedload(Case.participant), joinedload(Case.program), joinedload(Case.assigned_worker))
        ),
    )
    return db.session.execute(stmt, {"case_id": case_id, "user_id": user.id}).scalar_one_or_none()


# --- the timeline ---------------------------------------------------------------------------


@dataclass(slots=True)
class ContactItem(ContactLabels):
    id: int
    occurred_at: datetime
    mode: str
    contact_type: str
    location_area: str
    author_name: str | None
    duration_minutes: int | None
    is_completed: bool
    notes: str


@dataclass(slots=True)
class ReferralItem(ReferralLabels):
    id: int
    referred_on: date
    due_on: date | None
    service_category: str
    provider_name: str | None
    status: str
    is_anonymous: bool


@dataclass(slots=True)
class GoalItem(GoalLabels):
    id: int
    set_on: date
    domain: str
    status: str
    description: str


@dataclass(slots=True)
class OutcomeItem:
    id: int
    occurred_on: date
    outcome_type: str
    details: str

    @property
    def type_label(self) -> str:
        return label_of(OUTCOME_TYPES, self.outcome_type)


@dataclass(slots=True)
class AssessmentItem:
    id: int
    taken_at: datetime
    instrument: str
    risk_level: str | None
    score: int | None

    @property
    def risk_label(self) -> str:
        return label_of(RISK_LEVELS, self.risk_level) if self.risk_level else ""


@dataclass(slots=True)
class ScreeningItem:
    id: int
    screened_on: date
    result: str
    criteria_met: int
    threshold: int


@dataclass(slots=True)
class StatusItem:
    id: int
    changed_at: datetime
    from_status: str | None
    to_status: str
    note: str


@dataclass(slots=True)
class AssignmentItem:
    id: int
    changed_at: datetime
    from_worker_name: str | None
    to_worker_name: str | None
    note: str


@dataclass(slots=True)
class ClosureItem:
    id: int
    requested_at: datetime
    reason: str
    status: str
    decision_note: str

    @property
    def reason_label(self) -> str:
        return label_of(CLOSURE_REASONS, self.reason)


# The union's display columns, each with one type whatever kind of record fills it.
SLOTS = {
    "time": DateTime(),
    "day": Date(),
    "day2": Date(),
    "text1": String(),
    "text2": String(),
    "text3": String(),
    "text4": String(),
    "number1": Integer(),
    "number2": Integer(),
    "flag": Boolean(),
    "secret": EncryptedText(),
}


def _timeline_sources():
    """kind -> (item class, model, the column that dates it, soft-deletable, outer joins, {field: (slot, column)})."""
    author = aliased(User)
    from_worker = aliased(User)
    to_worker = aliased(User)
    return {
        "contact": (
            ContactItem,
            Contact,
            Contact.occurred_at,
            True,
            [(author, author.id == Contact.author_id)],
            {
                "occurred_at": ("time", Contact.occurred_at),
                "mode": ("text1", Contact.mode),
                "contact_type": ("text2", Contact.contact_type),
                "location_area": ("text3", Contact.location_area),
                "author_name": ("text4", author.full_name),
                "duration_minutes": ("number1", Contact.duration_minutes),
                "is_completed": ("flag", Contact.is_completed),
                "notes": ("secret", Contact.notes),
            },
        ),
        "referral": (
            ReferralItem,
            Referral,
            Referral.referred_on,
            True,
            [(ServiceProvider, ServiceProvider.id == Referral.provider_id)],
            {
                "referred_on": ("day", Referral.referred_on),
                "due_on": ("day2", Referral.due_on),
                "service_category": ("text1", Referral.service_category),
                "provider_name": ("text2", ServiceProvider.name),
                "status": ("text3", Referral.status),
                "is_anonymous": ("flag", Referral.is_anonymous),
            },
        ),
        "goal": (
            GoalItem,
            Goal,
            Goal.set_on,
            True,
            [],
            {
                "set_on": ("day", Goal.set_on),
                "domain": ("text1", Goal.domain),
                "status": ("text2", Goal.status),
                "description": ("secret", Goal.description),
            },
        ),
        "outcome": (
            OutcomeItem,
            Outcome,
            Outcome.occurred_on,
            True,
            [],
            {
                "occurred_on": ("day", Outcome.occurred_on),
                "outcome_type": ("text1", Outcome.outcome_type),
                "details": ("secret", Outcome.details),
            },
        ),
        "assessment": (
            AssessmentItem,
            Assessment,
            Assessment.taken_at,
            True,
            [],
            {
                "taken_at": ("time", Assessment.taken_at),
                "instrument": ("text1", Assessment.instrument),
                "risk_level": ("text2", Assessment.risk_level),
                "score": ("number1", Assessment.score),
            },
        ),
        "screening": (
            ScreeningItem,
            Screening,
            Screening.screened_on,
            True,
            [],
            {
                "screened_on": ("day", Screening.screened_on),
                "result": ("text1", Screening.result),
                "criteria_met": ("number1", Screening.criteria_met),
                "threshold": ("number2", Screening.threshold),
            },
        ),
        "status": (
            StatusItem,
            CaseStatusChange,
            CaseStatusChange.changed_at,
            False,
            [],
            {
                "changed_at": ("time", CaseStatusChange.changed_at),
                "from_status": ("text1", CaseStatusChange.from_status),
                "to_status": ("text2", CaseStatusChange.to_status),
                "note": ("secret", CaseStatusChange.note),
            },
        ),
        "assignment": (
            AssignmentItem,
            CaseAssignment,
            CaseAssignment.changed_at,
            False,
            [
                (from_worker, from_worker.id == CaseAssignment.from_worker_id),
                (to_worker, to_worker.id == CaseAssignment.to_worker_id),
            ],
            {
                "changed_at": ("time", CaseAssignment.changed_at),
                "from_worker_name": ("text1", from_worker.full_name),
                "to_worker_name": ("text2", to_worker.full_name),
                "note": ("secret", CaseAssignment.note),
            },
        ),
        "closure": (
            ClosureItem,
            ClosureRequest,
            ClosureRequest.requested_at,
            False,
            [],
            {
                "requested_at": ("time", ClosureRequest.requested_at),
                "reason": ("text1", ClosureRequest.reason),
                "status": ("text2", ClosureRequest.status),
                "decision_note": ("secret", ClosureRequest.decision_note),
            },
        ),
    }


def _slot_columns(filled: dict, slots: dict = SLOTS) -> list:
    """Every slot in order: the given column, or a NULL cast to the slot's type (PostgreSQL types each union column)."""
    return [
        (filled[slot] if slot in filled else cast(null(), slot_type)).label(slot) for slot, slot_type in slots.items()
    ]


@cache
def _timeline_statements():
    """(the page statement, the count statement, {kind: (item class, [(field, slot)])}), built once per process.

    The page is found on a narrow union (kind, id, time) first and only its rows are read in full: sorting
    every entry of a long case with all its display columns (notes included) cost four times as much.
    Both steps are one statement; the page's keys are a CTE that PostgreSQL and SQLite compute once.
    """
    sources = _timeline_sources()
    keys = union_all(
        *[
            _where_live(
                select(literal(kind).label("kind"), model.id.label("id"), when.label("at")).select_from(model),
                model,
                soft,
            )
            for kind, (_item, model, when, soft, _joins, _fields) in sources.items()
        ]
    ).subquery("timeline_keys")
    page_keys = (
        select(keys.c.kind, keys.c.id, keys.c.at, func.count().over().label("total"))
        .order_by(keys.c.at.desc(), keys.c.kind, keys.c.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .cte("timeline_page")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    parts, readers = [], {}
    for kind, (item_class, model, when, _soft, joins, fields) in sources.items():
        stmt = (
            select(
                literal(kind).label("kind"),
                model.id.label("id"),
                when.label("at"),
                page_keys.c.total,
                *_slot_columns({slot: column for slot, column in fields.values()}),
            )
            .select_from(model)
            .join(page_keys, and_(page_keys.c.kind == literal(kind), page_keys.c.id == model.id))
        )
        for target, onclause in joins:
            stmt = stmt.outerjoin(target, onclause)
        parts.append(stmt)
        readers[kind] = (item_class, [(name, slot) for name, (slot, _) in fields.items()])
    everything = union_all(*parts).subquery()
    page = select(
        everything.c.kind,
        everything.c.id,
        # The subquery takes its column types from the first part; say each slot's type so every row decodes.
        *[type_coerce(everything.c[slot], slot_type).label(slot) for slot, slot_type in SLOTS.items()],
        everything.c.total,
    ).order_by(everything.c.at.desc(), everything.c.kind, everything.c.id.desc())
    count = select(func.count()).select_from(keys)
    return page, count, readers


def _where_live(stmt, model, soft: bool):
    """A timeline source's rows for the case, without soft-deleted ones where the model has them."""
    stmt = stmt.where(model.case_id == CASE_ID)
    return stmt.where(model.deleted_at.is_(None)) if soft else stmt


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
    """Newest first across every kind of record, one page with its display columns and the total in one statement."""
    page_stmt, count_stmt, readers = _timeline_statements()
    page = max(page, 1)

    def fetch(number: int) -> list:
        params = {"case_id": case.id, "limit": per_page, "offset": (number - 1) * per_page}
        return db.session.execute(page_stmt, params).all()

    rows = fetch(page)
    if rows:
        total = rows[0].total
    elif page > 1:
        # Past the last page (an old link): count, and show the last page as before.
        total = db.session.execute(count_stmt, {"case_id": case.id}).scalar_one()
        page = max(1, -(-total // per_page))
        rows = fetch(page) if total else []
    else:
        total = 0
    entries = []
    for row in rows:
        item_class, fields = readers[row.kind]
        values = row._mapping
        entries.append(TimelineEntry(row.kind, item_class(id=row.id, **{name: values[slot] for name, slot in fields})))
    return TimelinePage(entries=entries, page=page, pages=max(1, -(-total // per_page)), total=total)


# --- the header -----------------------------------------------------------------------------


@dataclass
class DueItem:
    label: str
    due_on: date
    overdue: bool


@dataclass(slots=True)
class PendingClosure:
    id: int
    reason: str
    requested_by_name: str | None

    @property
    def reason_label(self) -> str:
        return label_of(CLOSURE_REASONS, self.reason)


@dataclass
class CaseHeader:
    last_contact_at: datetime | None
    days_since_contact: int | None
    due: list[DueItem] = field(default_factory=list)
    pending_closure: PendingClosure | None = None
    assessment_changes: list[AssessmentChange] = field(default_factory=list)


@dataclass(slots=True)
class _ScoredAssessment:
    instrument_id: int | None
    instrument: str
    score: int
    taken_at: datetime


HEADER_SLOTS = {
    "time": DateTime(),
    "day": Date(),
    "text1": String(),
    "text2": String(),
    "n1": Integer(),
    "n2": Integer(),
    "n3": Integer(),
}


def _header_part(kind: str, filled: dict, order_id=None):
    """One kind of header row: the kind and every slot, n3 being the record id that keeps rows in order."""
    if order_id is not None:
        filled = dict(filled, n3=order_id)
    return select(literal(kind).label("kind"), *_slot_columns(filled, HEADER_SLOTS))


@cache
def _header_statement(with_follow_ups: bool):
    """The header's figures in one union: last contact, what is due, a pending closure, scored assessments.

    With follow-ups (open HVIP cases), also the latest discharge and the completed contacts since.
    """
    live_contacts = (Contact.case_id == CASE_ID, Contact.deleted_at.is_(None), Contact.is_completed.is_(True))
    requester = aliased(User)
    parts = [
        _header_part("last", {"time": func.max(Contact.occurred_at)}).where(*live_contacts),
        _header_part("referral", {"day": Referral.due_on, "text1": Referral.service_category}, Referral.id).where(
            Referral.case_id == CASE_ID,
            Referral.deleted_at.is_(None),
            Referral.status.in_(("referred", "scheduled")),
            Referral.due_on.is_not(None),
        ),
        _header_part("goal", {"day": Goal.target_on, "text1": Goal.domain}, Goal.id).where(
            Goal.case_id == CASE_ID, Goal.deleted_at.is_(None), Goal.status == "open", Goal.target_on.is_not(None)
        ),
        _header_part(
            "closure",
            {"text1": ClosureRequest.reason, "text2": requester.full_name, "n1": ClosureRequest.requested_by_id},
            ClosureRequest.id,
        )
        .select_from(ClosureRequest)
        .outerjoin(requester, requester.id == ClosureRequest.requested_by_id)
        .where(ClosureRequest.case_id == CASE_ID, ClosureRequest.status == "pending"),
        _header_part(
            "scored",
            {
                "time": Assessment.taken_at,
                "text1": Assessment.instrument,
                "n1": Assessment.score,
                "n2": Assessment.instrument_id,
            },
            Assessment.id,
        ).where(Assessment.case_id == CASE_ID, Assessment.deleted_at.is_(None), Assessment.score.is_not(None)),
    ]
    if with_follow_ups:
        discharged_on = (
            select(Injury.discharged_on)
            .where(Injury.case_id == CASE_ID, Injury.deleted_at.is_(None), Injury.discharged_on.is_not(None))
            .order_by(Injury.injured_at.desc(), Injury.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        parts.append(_header_part("discharge", {"day": discharged_on}))
        # Every completed contact since the discharge; follow_up_checks keeps those that can cover a check.
        parts.append(
            _header_part("followup", {"time": Contact.occurred_at}).where(
                *live_contacts, Contact.occurred_at >= discharged_on
            )
        )
    everything = union_all(*parts).subquery()
    return select(
        everything.c.kind,
        *[type_coerce(everything.c[slot], slot_type).label(slot) for slot, slot_type in HEADER_SLOTS.items()],
    ).order_by(everything.c.kind, everything.c.time, everything.c.n3)


def case_header(case: Case, today: date) -> CaseHeader:
    """Days since the last completed contact, what is due next (soonest first), a pending closure, assessment change."""
    with_follow_ups = case.program.kind == "hvip" and case.is_open
    rows = db.session.execute(_header_statement(with_follow_ups), {"case_id": case.id}).all()
    by_kind: dict[str, list] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    last = by_kind["last"][0].time
    last_local = to_local(last)
    days = (today - last_local.date()).days if last_local else None
    due: list[DueItem] = []
    if case.status in ("active", "inactive"):
        start = last_local.date() if last_local else (case.enrolled_on or case.referred_on)
        # The home page's rule: high risk halves the program's contact frequency.
        contact_due = start + timedelta(days=target_days(case.program.contact_frequency_days, case.risk_level))
        due.append(DueItem("Contact", contact_due, contact_due < today))
    for row in by_kind.get("referral", ()):
        label = label_of(SERVICE_CATEGORIES, row.text1)
        due.append(DueItem(f"{label} referral connection", row.day, row.day < today))
    for row in by_kind.get("goal", ()):
        due.append(DueItem(f"{label_of(GOAL_DOMAINS, row.text1)} goal", row.day, row.day < today))
    discharged_on = by_kind["discharge"][0].day if with_follow_ups else None
    if discharged_on is not None:
        # Post-discharge checks at 30, 90 and 180 days, until a completed contact covers each.
        for check in follow_up_checks(discharged_on, [row.time for row in by_kind.get("followup", ())]):
            if not check.done:
                due.append(DueItem(check.label, check.due_on, check.due_on < today))
    due.sort(key=lambda item: item.due_on)
    closures = by_kind.get("closure")
    pending = PendingClosure(closures[0].n3, closures[0].text1, closures[0].text2) if closures else None
    scored = [_ScoredAssessment(row.n2, row.text1, row.n1, row.time) for row in by_kind.get("scored", ())]
    return CaseHeader(
        last_contact_at=last,
        days_since_contact=days,
        due=due,
        pending_closure=pending,
        assessment_changes=summarise_assessments(scored),
    )
