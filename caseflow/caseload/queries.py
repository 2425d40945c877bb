"""A worker's open caseload sorted by urgency, with every figure computed in SQL.

One SELECT returns a page of cases with their figures and one aggregate returns the totals, so the
number of queries per page never grows with the number of cases, contacts or referrals. Everything is
scoped by `case_scope`. Days are local calendar days: a case's clock starts on the local day of its
last completed contact (or on its enrolment, else referral, date when there has been none).

Dates become whole day numbers (days since EPOCH) so the arithmetic is plain integer arithmetic on
SQLite and PostgreSQL alike; only turning a stored UTC time into a local day differs by database.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import ceil
from typing import Any

from sqlalchemy import Date, DateTime, Integer, and_, bindparam, exists, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.sql import ColumnElement

from caseflow.extensions import db
from caseflow.hvip.services import FOLLOW_UP_DAYS, FOLLOW_UP_WINDOW
from caseflow.models import (
    Case,
    CaseAssignment,
    CaseStatusChange,
    ClosureRequest,
    Contact,
    Injury,
    Participant,
    Program,
    Referral,
    User,
)
from caseflow.models.case import CASE_STATUSES, OPEN_STATUSES
from caseflow.models.choices import RISK_LEVELS, label_of
from caseflow.permissions import case_scope, case_scope_for
from caseflow.referrals.services import referral_overdue
from caseflow.statements import built_once
from caseflow.timezones import EPOCH, day_number_sql, local_date_sql, to_utc

# Risk levels whose contact target is half the program's usual frequency.
HIGH_RISK_LEVELS = ("high", "very_high")
# A case assigned to the worker this recently is "newly assigned" even after a first contact.
NEW_ASSIGNMENT_DAYS = 7
# A follow-up check shows as due this many days before its date (and stays due until a contact covers it).
FOLLOW_UP_NOTICE_DAYS = 7
# An open case with no status change and no completed contact for more than this many local days is stale.
STALE_DAYS = 14
# SQLite has no zone database: the zone's offsets over this much history are written into the SQL.

# Urgency ranks, most urgent first; a case takes the first that applies.
CONTACT_OVERDUE, REFERRALS_OVERDUE, FOLLOW_UP_DUE, NEWLY_ASSIGNED, ON_TRACK = range(5)


def target_days(frequency: int, risk_level: str | None) -> int:
    """The same rule in Python, for pages about one case (the case header)."""
    target = (frequency + 1) // 2 if risk_level in HIGH_RISK_LEVELS else frequency
    return max(target, 1)


def contact_target_days(frequency, risk_level) -> ColumnElement[int]:
    """SQL for the days allowed between completed contacts: the program's frequency, or half of it for high risk."""
    # High and very high risk need closer contact: half the frequency, rounded up, never under one day.
    halved = (frequency + 1) // 2
    target = sql_case((risk_level.in_(HIGH_RISK_LEVELS), halved), else_=frequency)
    return sql_case((target < 1, 1), else_=target)


def _local_day_number(utc_column) -> ColumnElement[int]:
    """The local calendar day of a stored naive-UTC time, as whole days since EPOCH."""
    return day_number_sql(local_date_sql(utc_column))


def _flag(condition) -> ColumnElement[bool]:
    """A condition as a true/false column (never NULL), so it reads the same on both databases."""
    return sql_case((condition, True), else_=False)


@dataclass(frozen=True)
class _Inputs:
    """What the caseload statement depends on: plain values, or bound parameters for a statement built once."""

    user_id: Any
    today: Any
    today_number: Any
    assigned_since: Any
    quiet_since: Any


def _values(user: User, today: date) -> dict[str, Any]:
    """The inputs' values for a user on a local day (the parameters of the statements built once)."""
    return {
        "user_id": user.id,
        "today": today,
        "today_number": (today - EPOCH).days,
        "assigned_since": to_utc(datetime.combine(today - timedelta(days=NEW_ASSIGNMENT_DAYS), time.min)),
        "quiet_since": to_utc(datetime.combine(today - timedelta(days=STALE_DAYS), time.min)),
    }


def _bound() -> _Inputs:
    """The inputs as bound parameters named as in `_values`."""
    return _Inputs(
        user_id=bindparam("user_id", type_=Integer),
        today=bindparam("today", type_=Date),
        today_number=bindparam("today_number", type_=Integer),
        assigned_since=bindparam("assigned_since", type_=DateTime),
        quiet_since=bindparam("quiet_since", type_=DateTime),
    )


def _caseload(user: User, today: date):
    """The user's open cases in scope, one row each with its urgency figures, as a subquery."""
    return _caseload_for(_Inputs(**_values(user, today)))


def _caseload_for(inputs: _Inputs):
    """_caseload over plain values or bound parameters; the scope's login check is the caller's."""
    user_id, today = inputs.user_id, inputs.today
    completed_contact = and_(Contact.case_id == Case.id, Contact.deleted_at.is_(None), Contact.is_completed.is_(True))
    last_contact = select(func.max(Contact.occurred_at)).where(completed_contact).correlate(Case).scalar_subquery()
    overdue_referrals = (
        select(func.count(Referral.id))
        .where(Referral.case_id == Case.id, referral_overdue(today))
        .correlate(Case)
        .scalar_subquery()
    )
    # The follow-up schedule runs from the discharge of the case's latest discharged injury (as in hvip.services).
    discharged_on = (
        select(Injury.discharged_on)
        .where(Injury.case_id == Case.id, Injury.deleted_at.is_(None), Injury.discharged_on.is_not(None))
        .order_by(Injury.injured_at.desc(), Injury.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    last_status_change = (
        select(func.max(CaseStatusChange.changed_at))
        .where(CaseStatusChange.case_id == Case.id)
        .correlate(Case)
        .scalar_subquery()
    )
    assigned_recently = exists().where(
        CaseAssignment.case_id == Case.id,
        CaseAssignment.to_worker_id == user_id,
        CaseAssignment.changed_at >= inputs.assigned_since,
    )
    facts = (
        select(
            Case.id.label("case_id"),
            Participant.first_name,
            Participant.last_name,
            Program.name.label("program_name"),
            Case.status,
            Case.risk_level,
            _flag(Case.assigned_worker_id == user_id).label("is_own"),
            contact_target_days(Program.contact_frequency_days, Case.risk_level).label("target_days"),
            func.coalesce(Case.enrolled_on, Case.referred_on).label("started_on"),
            last_contact.label("last_contact_at"),
            func.coalesce(overdue_referrals, 0).label("overdue_referrals"),
            sql_case((Program.kind == "hvip", day_number_sql(discharged_on))).label("discharged_day"),
            _flag(and_(Case.assigned_worker_id == user_id, assigned_recently)).label("assigned_recently"),
            Case.program_id,
            Case.assigned_worker_id,
            func.coalesce(last_status_change, Case.created_at).label("last_status_change_at"),
        )
        .join(Participant, Participant.id == Case.participant_id)
        .join(Program, Program.id == Case.program_id)
        .where(case_scope_for(user_id), Case.status.in_(OPEN_STATUSES), Participant.deleted_at.is_(None))
        .cte("caseload_facts")
        # PostgreSQL would otherwise inline it and evaluate each correlated subquery once per reference.
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )

    today_number = inputs.today_number
    start_day = sql_case(
        (facts.c.last_contact_at.is_(None), day_number_sql(facts.c.started_on)),
        else_=_local_day_number(facts.c.last_contact_at),
    )
    window = FOLLOW_UP_WINDOW.days
    follow_ups = []
    for days in FOLLOW_UP_DAYS:
        check_day = facts.c.discharged_day + days
        covered = exists().where(
            Contact.case_id == facts.c.case_id,
            Contact.deleted_at.is_(None),
            Contact.is_completed.is_(True),
            _local_day_number(Contact.occurred_at).between(check_day - window, check_day + window),
        )
        due = and_(facts.c.discharged_day.is_not(None), check_day <= today_number + FOLLOW_UP_NOTICE_DAYS, ~covered)
        follow_ups.append(_flag(due).label(f"follow_up_{days}_due"))
    figures = select(
        facts,
        (start_day + facts.c.target_days).label("due_day"),
        _flag(and_(facts.c.is_own, or_(facts.c.assigned_recently, facts.c.last_contact_at.is_(None)))).label(
            "newly_assigned"
        ),
        *follow_ups,
    ).subquery("caseload_figures")

    contact_overdue = figures.c.due_day < today_number
    any_follow_up = or_(*(figures.c[f"follow_up_{days}_due"] for days in FOLLOW_UP_DAYS))
    urgency = sql_case(
        (contact_overdue, CONTACT_OVERDUE),
        (figures.c.overdue_referrals > 0, REFERRALS_OVERDUE),
        (any_follow_up, FOLLOW_UP_DUE),
        (figures.c.newly_assigned, NEWLY_ASSIGNED),
        else_=ON_TRACK,
    )
    return select(
        figures,
        _flag(contact_overdue).label("contact_overdue"),
        urgency.label("urgency"),
        _flag(_is_stale(figures.c.last_status_change_at, figures.c.last_contact_at, inputs.quiet_since)).label("stale"),
    ).subquery("caseload")


def _is_stale(last_status_change_at, last_contact_at, quiet_since) -> ColumnElement[bool]:
    """The one definition of a stale case: no status change and no completed contact for over STALE_DAYS.

    "More than 14 days" counts local days: activity on the local day 14 days ago is not yet stale. Comparing
    with the UTC start of that local day (`quiet_since`, from `_values`) is the same test as comparing local
    days, without a per-row conversion.
    """
    return and_(
        last_status_change_at < quiet_since,
        or_(last_contact_at.is_(None), last_contact_at < quiet_since),
    )


@dataclass(frozen=True)
class CaseloadRow:
    """One case on the home page: who, where it stands, and why it is (or is not) urgent."""

    case_id: int
    name: str
    program_name: str
    status_label: str
    risk_label: str
    is_own: bool
    last_contact_at: datetime | None
    contact_due_on: date
    contact_overdue_days: int
    overdue_referrals: int
    follow_ups_due: tuple[str, ...]
    newly_assigned: bool
    urgency: int
    stale: bool = False

    @property
    def contact_overdue(self) -> bool:
        return self.contact_overdue_days > 0

    @property
    def contact_due_in_days(self) -> int:
        return -self.contact_overdue_days

    @property
    def stale_days(self) -> int:
        """The stale rule's number of days, for the badge's words."""
        return STALE_DAYS


@dataclass(frozen=True)
class CaseloadSummary:
    """The totals line at the top of the page, over every case in scope (not just this page)."""

    cases: int = 0
    contact_overdue: int = 0
    referrals_overdue: int = 0


@dataclass(frozen=True)
class CaseloadPage:
    """One page of the caseload with what the pagination links need, and the whole caseload's totals."""

    items: tuple[CaseloadRow, ...]
    page: int
    per_page: int
    total: int
    summary: CaseloadSummary = CaseloadSummary()

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page)) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _summary(query: "CaseloadQuery") -> CaseloadSummary:
    """Cases, cases overdue for contact, and overdue referrals over the whole caseload, in one aggregate."""
    cases, overdue, referrals = db.session.execute(_statements().summary, query.params).one()
    return CaseloadSummary(cases=int(cases), contact_overdue=int(overdue), referrals_overdue=int(referrals))


@dataclass(frozen=True)
class CaseloadQuery:
    """The home page's caseload statement (built once per process) with this user's parameters."""

    statement: Any
    params: dict[str, Any]


def my_cases_query(user: User, today: date) -> CaseloadQuery:
    """The user's open caseload, own cases first, each part most urgent first; the user must be logged in."""
    return CaseloadQuery(_statements().page, _values(user, today))


@dataclass(frozen=True)
class _Statements:
    summary: Any
    page: Any


def _statements() -> _Statements:
    """The home page's two statements, built once (caseflow/statements.py) and run with each user's parameters.

    Building them (dozens of correlated subqueries) took about half of the home page's time on every request.
    """
    return built_once("caseload", _build_statements)


def _build_statements() -> _Statements:
    caseload = _caseload_for(_bound())
    summary = select(
        func.count(),
        func.coalesce(func.sum(sql_case((caseload.c.contact_overdue, 1), else_=0)), 0),
        func.coalesce(func.sum(caseload.c.overdue_referrals), 0),
    ).select_from(caseload)
    # The totals ride along on every row as window aggregates (computed before LIMIT), so a page that has
    # rows needs no second pass over the caseload; only an empty page runs `summary`.
    page = (
        select(
            caseload,
            func.count().over().label("total_cases"),
            func.sum(sql_case((caseload.c.contact_overdue, 1), else_=0)).over().label("total_contact_overdue"),
            func.sum(caseload.c.overdue_referrals).over().label("total_overdue_referrals"),
        )
        .order_by(
            sql_case((caseload.c.is_own, 0), else_=1),
            caseload.c.urgency,
            caseload.c.due_day,
            caseload.c.last_name,
            caseload.c.first_name,
            caseload.c.case_id,
        )
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    return _Statements(summary=summary, page=page)


def _follow_ups_due(row) -> tuple[str, ...]:
    """The labels of the row's post-discharge checks that are due and not yet covered by a contact."""
    return tuple(f"{days}-day check" for days in FOLLOW_UP_DAYS if getattr(row, f"follow_up_{days}_due"))


def paginate_caseload(query: CaseloadQuery, *, page: int, per_page: int, today: date) -> CaseloadPage:
    """One page of my_cases_query with the whole caseload's totals, in one query (two for a page past the end)."""
    page = max(page, 1)
    window = {"limit": per_page, "offset": (page - 1) * per_page}
    rows = db.session.execute(query.statement, {**query.params, **window}).all()
    if rows:
        first = rows[0]
        summary = CaseloadSummary(
            cases=int(first.total_cases),
            contact_overdue=int(first.total_contact_overdue),
            referrals_overdue=int(first.total_overdue_referrals),
        )
    else:
        summary = _summary(query)
    today_number = (today - EPOCH).days
    items = tuple(
        CaseloadRow(
            case_id=row.case_id,
            name=f"{row.first_name} {row.last_name}",
            program_name=row.program_name,
            status_label=label_of(CASE_STATUSES, row.status),
            risk_label=label_of(RISK_LEVELS, row.risk_level) if row.risk_level else "Not assessed",
            is_own=bool(row.is_own),
            last_contact_at=row.last_contact_at,
            contact_due_on=EPOCH + timedelta(days=row.due_day),
            contact_overdue_days=today_number - row.due_day,
            overdue_referrals=int(row.overdue_referrals),
            follow_ups_due=_follow_ups_due(row),
            newly_assigned=bool(row.newly_assigned),
            urgency=int(row.urgency),
            stale=bool(row.stale),
        )
        for row in rows
    )
    return CaseloadPage(items=items, page=page, per_page=per_page, total=summary.cases, summary=summary)


# --- supervisor review: the same figures per case, for every case of the supervised programs ---------------

# The review counts completed contacts over this many local days, today included.
REVIEW_CONTACT_DAYS = 30
# A high-risk person should have had a completed contact within this many local days, today included.
HIGH_RISK_CONTACT_DAYS = 7


def _local_midnight(day: date) -> datetime:
    """The start of a local calendar day as naive UTC: `occurred_at >= it` means "on that local day or later"."""
    return to_utc(datetime.combine(day, time.min))


def review_facts(user: User, today: date, program_ids):
    """Every live case of the given programs in the user's scope, one row each with the review's facts.

    Open cases take their figures (contact overdue, overdue referrals, stale) from `_caseload`, so the review
    and a worker's home page never disagree; other cases count only towards recent contacts. Every figure is
    a 0/1 or a count, so the review can SUM them in one GROUP BY and the drill-down can filter on them.
    """
    caseload = _caseload(user, today)
    completed_contact = and_(Contact.case_id == Case.id, Contact.deleted_at.is_(None), Contact.is_completed.is_(True))
    last_contact = select(func.max(Contact.occurred_at)).where(completed_contact).correlate(Case).scalar_subquery()
    recent_contacts = (
        select(func.count(Contact.id))
        .where(
            completed_contact, Contact.occurred_at >= _local_midnight(today - timedelta(days=REVIEW_CONTACT_DAYS - 1))
        )
        .correlate(Case)
        .scalar_subquery()
    )
    pending_closure = exists().where(ClosureRequest.case_id == Case.id, ClosureRequest.status == "pending")
    is_open = caseload.c.case_id.is_not(None)
    high_risk_since = _local_midnight(today - timedelta(days=HIGH_RISK_CONTACT_DAYS - 1))
    high_risk_no_contact = and_(
        is_open,
        Case.risk_level.in_(HIGH_RISK_LEVELS),
        or_(caseload.c.last_contact_at.is_(None), caseload.c.last_contact_at < high_risk_since),
    )

    def one_if(condition):
        return sql_case((condition, 1), else_=0)

    return (
        select(
            Case.id.label("case_id"),
            Case.program_id,
            Case.assigned_worker_id,
            Case.status,
            Case.risk_level,
            Participant.first_name,
            Participant.last_name,
            last_contact.label("last_contact_at"),
            func.coalesce(recent_contacts, 0).label("recent_contacts"),
            one_if(is_open).label("is_open"),
            one_if(caseload.c.contact_overdue).label("contact_overdue"),
            func.coalesce(caseload.c.overdue_referrals, 0).label("overdue_referrals"),
            one_if(high_risk_no_contact).label("high_risk_no_contact"),
            one_if(pending_closure).label("pending_closure"),
            one_if(caseload.c.stale).label("stale"),
        )
        .join(Participant, Participant.id == Case.participant_id)
        .outerjoin(caseload, caseload.c.case_id == Case.id)
        .where(case_scope(user), Case.program_id.in_(program_ids), Participant.deleted_at.is_(None))
        .subquery("review_facts")
    )


def review_measures(facts) -> dict[str, ColumnElement[bool]]:
    """The cases behind each review figure, as conditions on `review_facts`: the drill-down filters on these."""
    return {
        "active": facts.c.status == "active",
        "contacted": facts.c.recent_contacts > 0,
        "within_target": and_(facts.c.is_open == 1, facts.c.contact_overdue == 0),
        "overdue_contact": facts.c.contact_overdue == 1,
        "overdue_referrals": facts.c.overdue_referrals > 0,
        "high_risk_no_contact": facts.c.high_risk_no_contact == 1,
        "pending_closure": facts.c.pending_closure == 1,
        "stale": facts.c.stale == 1,
    }


def open_caseload(user: User, today: date):
    """The user's open caseload in scope, one row per case with its urgency figures and stale flag (a subquery)."""
    return _caseload(user, today)
