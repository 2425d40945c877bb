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

from sqlalchemy import Date, Integer, and_, cast, exists, func, literal, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.sql import ColumnElement

from caseflow.extensions import db
from caseflow.hvip.services import FOLLOW_UP_DAYS, FOLLOW_UP_WINDOW
from caseflow.models import Case, CaseAssignment, Contact, Injury, Participant, Program, Referral, User
from caseflow.models.case import CASE_STATUSES, OPEN_STATUSES
from caseflow.models.choices import RISK_LEVELS, label_of
from caseflow.permissions import case_scope
from caseflow.referrals.services import referral_overdue
from caseflow.timezones import local_date_sql, to_utc

EPOCH = date(2000, 1, 1)
# Risk levels whose contact target is half the program's usual frequency.
HIGH_RISK_LEVELS = ("high", "very_high")
# A case assigned to the worker this recently is "newly assigned" even after a first contact.
NEW_ASSIGNMENT_DAYS = 7
# A follow-up check shows as due this many days before its date (and stays due until a contact covers it).
FOLLOW_UP_NOTICE_DAYS = 7
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


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _day_number(day) -> ColumnElement[int]:
    """A DATE expression as whole days since EPOCH."""
    if _is_postgres():
        return day - literal(EPOCH, Date)
    return cast(func.julianday(day) - func.julianday(EPOCH.isoformat()), Integer)


def _local_day_number(utc_column) -> ColumnElement[int]:
    """The local calendar day of a stored naive-UTC time, as whole days since EPOCH."""
    return _day_number(local_date_sql(utc_column))


def _flag(condition) -> ColumnElement[bool]:
    """A condition as a true/false column (never NULL), so it reads the same on both databases."""
    return sql_case((condition, True), else_=False)


def _caseload(user: User, today: date):
    """The user's open cases in scope, one row each with its urgency figures, as a subquery."""
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
    assigned_since = to_utc(datetime.combine(today - timedelta(days=NEW_ASSIGNMENT_DAYS), time.min))
    assigned_recently = exists().where(
        CaseAssignment.case_id == Case.id,
        CaseAssignment.to_worker_id == user.id,
        CaseAssignment.changed_at >= assigned_since,
    )
    facts = (
        select(
            Case.id.label("case_id"),
            Participant.first_name,
            Participant.last_name,
            Program.name.label("program_name"),
            Case.status,
            Case.risk_level,
            _flag(Case.assigned_worker_id == user.id).label("is_own"),
            contact_target_days(Program.contact_frequency_days, Case.risk_level).label("target_days"),
            func.coalesce(Case.enrolled_on, Case.referred_on).label("started_on"),
            last_contact.label("last_contact_at"),
            func.coalesce(overdue_referrals, 0).label("overdue_referrals"),
            sql_case((Program.kind == "hvip", _day_number(discharged_on))).label("discharged_day"),
            _flag(and_(Case.assigned_worker_id == user.id, assigned_recently)).label("assigned_recently"),
        )
        .join(Participant, Participant.id == Case.participant_id)
        .join(Program, Program.id == Case.program_id)
        .where(case_scope(user), Case.status.in_(OPEN_STATUSES), Participant.deleted_at.is_(None))
        .subquery("caseload_facts")
    )

    today_number = (today - EPOCH).days
    start_day = sql_case(
        (facts.c.last_contact_at.is_(None), _day_number(facts.c.started_on)),
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
    return select(figures, _flag(contact_overdue).label("contact_overdue"), urgency.label("urgency")).subquery(
        "caseload"
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

    @property
    def contact_overdue(self) -> bool:
        return self.contact_overdue_days > 0

    @property
    def contact_due_in_days(self) -> int:
        return -self.contact_overdue_days


@dataclass(frozen=True)
class CaseloadSummary:
    """The totals line at the top of the page, over every case in scope (not just this page)."""

    cases: int = 0
    contact_overdue: int = 0
    referrals_overdue: int = 0


@dataclass(frozen=True)
class CaseloadPage:
    """One page of the caseload with what the pagination links need."""

    items: tuple[CaseloadRow, ...]
    page: int
    per_page: int
    total: int

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


def caseload_summary(user: User, today: date) -> CaseloadSummary:
    """Cases, cases overdue for contact, and overdue referrals over the whole caseload, in one aggregate."""
    caseload = _caseload(user, today)
    cases, overdue, referrals = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(sql_case((caseload.c.contact_overdue, 1), else_=0)), 0),
            func.coalesce(func.sum(caseload.c.overdue_referrals), 0),
        ).select_from(caseload)
    ).one()
    return CaseloadSummary(cases=int(cases), contact_overdue=int(overdue), referrals_overdue=int(referrals))


def my_cases_query(user: User, today: date):
    """The user's open caseload, own cases first, each part most urgent first (a SELECT of figure rows)."""
    caseload = _caseload(user, today)
    return select(caseload).order_by(
        sql_case((caseload.c.is_own, 0), else_=1),
        caseload.c.urgency,
        caseload.c.due_day,
        caseload.c.last_name,
        caseload.c.first_name,
        caseload.c.case_id,
    )


def _follow_ups_due(row) -> tuple[str, ...]:
    """The labels of the row's post-discharge checks that are due and not yet covered by a contact."""
    return tuple(f"{days}-day check" for days in FOLLOW_UP_DAYS if getattr(row, f"follow_up_{days}_due"))


def paginate_caseload(stmt, *, page: int, per_page: int, total: int, today: date) -> CaseloadPage:
    """One page of my_cases_query in one query; the total comes from caseload_summary, not a second count."""
    page = max(page, 1)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
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
        )
        for row in rows
    )
    return CaseloadPage(items=items, page=page, per_page=per_page, total=total)
