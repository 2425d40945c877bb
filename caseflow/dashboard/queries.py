"""Program dashboard figures: plain dataclasses from SQL aggregates over live records of the given programs.

Every chart function takes (program_ids, start, end): the programs the caller may see (the view decides that)
and local calendar days, inclusive; program_figures computes one program's whole page in a few statements.
No names, notes or other identifying data ever reach these figures, and the number of statements each one
runs depends on the program's kind, never on the period's length or how many cases or contacts there are.
"""

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache

from sqlalchemy import Date, DateTime, Integer, and_, bindparam, func, literal_column, or_, select, true
from sqlalchemy import case as sql_case

from caseflow.deterrence.queries import call_in_figures, notification_figure, pipeline_figure
from caseflow.extensions import db
from caseflow.hvip.queries import bedside_response_minutes, compensation_figure, injury_figure
from caseflow.models import Case, Contact, Outcome, Participant, Referral
from caseflow.models.choices import CONTACT_MODES, OUTCOME_TYPES
from caseflow.outreach.queries import LabelledCount, activity_figure, mediation_figure, response_summary
from caseflow.timezones import day_number_sql, to_utc, zone_name

# A referral counts as connected once the person reached the service; completing it means it connected first.
CONNECTED_STATUSES = ("connected", "completed")


@dataclass(frozen=True)
class MonthCount:
    """One calendar month (its first day) and a count."""

    month: date
    count: int


@dataclass(frozen=True)
class CaseloadPoint:
    """Cases active at the end of one day."""

    as_of: date
    active: int


@dataclass(frozen=True)
class WeekContacts:
    """Contacts in one ISO week (starting Monday): completed ones per mode, in CONTACT_MODES order, and attempts."""

    week_start: date
    completed_by_mode: tuple[int, ...]
    attempted: int

    @property
    def completed(self) -> int:
        return sum(self.completed_by_mode)

    @property
    def total(self) -> int:
        return self.completed + self.attempted


@dataclass(frozen=True)
class WeeklyContacts:
    """Contacts per week over a period; the first and last weeks may be cut short by the period."""

    weeks: tuple[WeekContacts, ...] = ()
    modes: tuple[tuple[str, str], ...] = tuple(CONTACT_MODES)

    @cached_property
    def mode_totals(self) -> tuple[int, ...]:
        return tuple(sum(w.completed_by_mode[i] for w in self.weeks) for i in range(len(self.modes)))

    @cached_property
    def modes_used(self) -> tuple[int, ...]:
        """Indexes of the modes with any completed contact, so charts and tables skip empty columns."""
        return tuple(i for i, total in enumerate(self.mode_totals) if total)

    @property
    def completed(self) -> int:
        return sum(w.completed for w in self.weeks)

    @property
    def attempted(self) -> int:
        return sum(w.attempted for w in self.weeks)


@dataclass(frozen=True)
class ReferralFunnel:
    """Referrals made in the period, how many of those connected and completed, and the days each took to connect."""

    referred: int = 0
    connected: int = 0
    completed: int = 0
    days_to_connection: tuple[int, ...] = ()

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_connection) if self.days_to_connection else None


@dataclass(frozen=True)
class OutcomeCounts:
    """Outcome events dated in the period, by type (every type listed, zeros included)."""

    by_type: tuple[LabelledCount, ...] = ()

    @property
    def total(self) -> int:
        return sum(o.count for o in self.by_type)


@dataclass(frozen=True)
class ProgramHeadline:
    """One program's headline figures for a period (the cross-program view's row)."""

    program_id: int
    people_served: int = 0
    enrollments: int = 0
    active_at_end: int = 0
    contacts_completed: int = 0
    contacts_attempted: int = 0
    referrals_made: int = 0
    referrals_connected: int = 0
    median_days_to_connection: float | None = None


# --- periods and buckets -------------------------------------------------------------------------------------


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local days start..end as a half-open UTC interval."""
    return _utc_midnight(start), _utc_midnight(end + timedelta(days=1))


def _utc_midnight(day: date) -> datetime:
    """The UTC instant a local day starts (so weeks across a clock change still start at local midnight)."""
    return to_utc(datetime.combine(day, time.min))


def _next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def month_starts(start: date, end: date) -> list[date]:
    """The first day of every calendar month from start's month to end's month."""
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = _next_month(current)
    return months


def week_starts(start: date, end: date) -> list[date]:
    """The Monday of every ISO week touching start..end."""
    current = start - timedelta(days=start.weekday())
    weeks = []
    while current <= end:
        weeks.append(current)
        current += timedelta(days=7)
    return weeks


def _bucket(column, boundaries: Sequence, first: int = 0):
    """SQL for the index of the bucket a value falls in, given each later bucket's (ascending) first value.

    The values are compared in SQL and only the index comes back, so the rows fetched are one per bucket.
    The CASE is a balanced tree (about log2(buckets) comparisons a row, not one per bucket), and its
    indexes are literals: PostgreSQL must see the same expression in the SELECT as in the GROUP BY.
    """
    if not boundaries:
        return literal_column(str(first))
    mid = len(boundaries) // 2
    return sql_case(
        (column < boundaries[mid], _bucket(column, boundaries[:mid], first)),
        else_=_bucket(column, boundaries[mid + 1 :], first + mid + 1),
    )


def _live_cases(program_ids: Sequence[int]):
    return and_(Case.program_id.in_(list(program_ids)), Case.deleted_at.is_(None))


def _person_key():
    """The person a participant row counts as: the record it was merged into, if any."""
    return func.coalesce(Participant.merged_into_id, Participant.id)


def _person_counts():
    """A participant row counts if it is live, or retired by a merge (then as the kept record)."""
    return or_(Participant.deleted_at.is_(None), Participant.merged_into_id.is_not(None))


# --- statements built once per process ----------------------------------------------------------------------
#
# The page's statements are big (one column per month, one CASE branch per week), and building them is most of
# the page's CPU; so each is built once per shape (number of months or weeks, program kind, dialect, time zone)
# with bound parameters for the program and the dates, and SQLAlchemy reuses its cache key and compiled form.

PROGRAM_IDS = bindparam("program_ids", expanding=True)
PROGRAM_ID = bindparam("program_id", type_=Integer)
START = bindparam("start", type_=Date)
END = bindparam("end", type_=Date)
LOW = bindparam("low", type_=DateTime)
HIGH = bindparam("high", type_=DateTime)


def _dates(prefix: str, count: int, type_=Date) -> list:
    """Bound parameters prefix0..prefix(count-1), for the period's month or week boundaries."""
    return [bindparam(f"{prefix}{i}", type_=type_) for i in range(count)]


def _period_values(start: date, end: date) -> dict:
    """The parameter values every statement here shares: the period's days and its UTC bounds."""
    low, high = _utc_bounds(start, end)
    return {"start": start, "end": end, "low": low, "high": high}


def _month_values(start: date, end: date) -> dict:
    """Month bounds m0..mn (the period's first day, each later month's first day, the day after the period)
    and the caseload days d0..d(n-1)."""
    months = month_starts(start, end)
    bounds = [start, *months[1:], end + timedelta(days=1)]
    values = {f"m{i}": bound for i, bound in enumerate(bounds)}
    values.update({f"d{i}": day for i, day in enumerate(caseload_days(start, end))})
    return values


def _count_if(condition, value=1):
    """SUM of value over the rows where condition holds, 0 when none do."""
    return func.coalesce(func.sum(sql_case((condition, value), else_=0)), 0)


@lru_cache(maxsize=64)
def _case_statement(n_months: int):
    """One row: cases enrolled in each month of the period, then cases active at the end of each caseload day.

    Enrolled in month i: enrolled on m_i or later and before m_(i+1) (first and last months cut by the period).
    Active at the end of day D: enrolled on or before D and not closed by then (no closing date, or closed after
    D); a case closed on D no longer counts on D. Cases never enrolled do not count.
    """
    bounds, days = _dates("m", n_months + 1), _dates("d", n_months)
    enrolled = [
        _count_if(and_(Case.enrolled_on >= bounds[i], Case.enrolled_on < bounds[i + 1])) for i in range(n_months)
    ]
    active = [
        _count_if(and_(Case.enrolled_on <= day, or_(Case.closed_on.is_(None), Case.closed_on > day))) for day in days
    ]
    return select(*enrolled, *active).where(
        Case.program_id.in_(PROGRAM_IDS),
        Case.deleted_at.is_(None),
        Case.enrolled_on.is_not(None),
        Case.enrolled_on <= END,
    )


def _case_figures(row: Sequence, start: date, end: date) -> tuple[tuple[MonthCount, ...], tuple[CaseloadPoint, ...]]:
    """The enrollments per month and the caseload points from _case_statement's row."""
    months, days = month_starts(start, end), caseload_days(start, end)
    n = len(months)
    return (
        tuple(MonthCount(month, int(count)) for month, count in zip(months, row[:n], strict=True)),
        tuple(CaseloadPoint(day, int(count)) for day, count in zip(days, row[n:], strict=True)),
    )


def _cases(program_ids: Sequence[int], start: date, end: date):
    """Enrollments per month and active caseload for the programs, from _case_statement alone."""
    values = dict(_period_values(start, end), **_month_values(start, end), program_ids=list(program_ids))
    row = db.session.execute(_case_statement(len(month_starts(start, end))), values).one()
    return _case_figures(row, start, end)


@lru_cache(maxsize=1)
def _contact_statement():
    """One row: people served (completed contact, merged people once), completed contacts, attempts.

    Only contacts of people who count (live, or merged into another record), as the cross-program headline.
    """
    person = _person_key()
    return (
        select(
            func.count(func.distinct(sql_case((Contact.is_completed.is_(True), person)))),
            _count_if(Contact.is_completed.is_(True)),
            _count_if(Contact.is_completed.is_(False)),
        )
        .select_from(Contact)
        .join(Case, Case.id == Contact.case_id)
        .join(Participant, Participant.id == Case.participant_id)
        .where(
            Case.program_id.in_(PROGRAM_IDS),
            Case.deleted_at.is_(None),
            _person_counts(),
            Contact.deleted_at.is_(None),
            Contact.occurred_at >= LOW,
            Contact.occurred_at < HIGH,
        )
    )


def _referrals_between(start, end):
    """Live referrals on live cases of the programs, made on days start..end (values or parameters)."""
    return and_(
        Case.program_id.in_(PROGRAM_IDS),
        Case.deleted_at.is_(None),
        Referral.deleted_at.is_(None),
        Referral.referred_on >= start,
        Referral.referred_on <= end,
    )


@lru_cache(maxsize=1)
def _referral_statement():
    """One row: referrals made in the period, of those connected, and completed."""
    return (
        select(
            func.count(Referral.id),
            _count_if(Referral.status.in_(CONNECTED_STATUSES)),
            _count_if(Referral.status == "completed"),
        )
        .join(Case, Case.id == Referral.case_id)
        .where(_referrals_between(START, END))
    )


@lru_cache(maxsize=4)
def _referral_days_statement(dialect: str):
    """(days from referral to connection, how many) for the period's connected referrals, one row per distinct days.

    Day numbers make the subtraction the same on both databases (dialect keys the cache: day_number_sql
    differs); the GROUP BY reads the inner column so PostgreSQL sees one expression.
    """
    inner = (
        select((day_number_sql(Referral.connected_on) - day_number_sql(Referral.referred_on)).label("days"))
        .join(Case, Case.id == Referral.case_id)
        .where(
            _referrals_between(START, END),
            Referral.status.in_(CONNECTED_STATUSES),
            Referral.connected_on.is_not(None),
        )
        .subquery()
    )
    return select(inner.c.days, func.count()).group_by(inner.c.days)


def _funnel(counts: Sequence, day_rows) -> ReferralFunnel:
    """The funnel from _referral_statement's row and the (days, how many) rows of the days to connection."""
    referred, connected, completed = counts
    days = sorted(int(d) for d, n in day_rows for _ in range(int(n)))
    return ReferralFunnel(
        referred=int(referred), connected=int(connected), completed=int(completed), days_to_connection=tuple(days)
    )


@lru_cache(maxsize=1)
def _outcome_statement():
    """One row: live outcome events on live cases dated in the period, one count per type (the check
    constraint keeps types to OUTCOME_TYPES)."""
    return (
        select(*(_count_if(Outcome.outcome_type == value) for value, _label in OUTCOME_TYPES))
        .join(Case, Case.id == Outcome.case_id)
        .where(
            Case.program_id.in_(PROGRAM_IDS),
            Case.deleted_at.is_(None),
            Outcome.deleted_at.is_(None),
            Outcome.occurred_on >= START,
            Outcome.occurred_on <= END,
        )
    )


def _outcomes(row: Sequence) -> OutcomeCounts:
    """Every outcome type in its usual order, zeros included, from _outcome_statement's row."""
    return OutcomeCounts(
        by_type=tuple(LabelledCount(v, label, int(n)) for (v, label), n in zip(OUTCOME_TYPES, row, strict=True))
    )


@lru_cache(maxsize=16)
def _weekly_statement(n_weeks: int):
    """Live contacts on live cases per (week, mode, completed): week i starts at parameter w_i (UTC)."""
    inner = (
        select(
            _bucket(Contact.occurred_at, _dates("w", n_weeks, DateTime)[1:]).label("bucket"),
            Contact.mode.label("mode"),
            Contact.is_completed.label("is_completed"),
        )
        .join(Case, Case.id == Contact.case_id)
        .where(
            Case.program_id.in_(PROGRAM_IDS),
            Case.deleted_at.is_(None),
            Contact.deleted_at.is_(None),
            Contact.occurred_at >= LOW,
            Contact.occurred_at < HIGH,
        )
        .subquery()
    )
    return select(inner.c.bucket, inner.c.mode, inner.c.is_completed, func.count()).group_by(
        inner.c.bucket, inner.c.mode, inner.c.is_completed
    )


# --- the program's charts (also the PDF reports' figures) ---------------------------------------------------


def enrollments_by_month(program_ids: Sequence[int], start: date, end: date) -> tuple[MonthCount, ...]:
    """Cases enrolled in the period per calendar month (first and last months only count days in the period)."""
    return _cases(program_ids, start, end)[0]


def caseload_days(start: date, end: date) -> list[date]:
    """The days the caseload is measured on: the last day of each month in the period, and the period's end."""
    return [min(_next_month(month) - timedelta(days=1), end) for month in month_starts(start, end)]


def active_caseload(program_ids: Sequence[int], start: date, end: date) -> tuple[CaseloadPoint, ...]:
    """Cases active at the end of each month of the period (the last point is the period's last day).

    Active at the end of day D, from the case's dates: enrolled on or before D, and not closed by then
    (no closing date, or closed after D). A case closed on D no longer counts on D. Cases never enrolled
    (still being screened, declined, ineligible) do not count; a reopened case counts from its enrolment.
    """
    return _cases(program_ids, start, end)[1]


def contacts_by_week(program_ids: Sequence[int], start: date, end: date) -> WeeklyContacts:
    """Live contacts on live cases per ISO week, completed ones by mode and attempts, from one GROUP BY.

    A contact belongs to the local day it happened on: each week's first instant is its Monday's local
    midnight converted to UTC, and the stored (UTC) times are bucketed against those in SQL.
    """
    weeks = week_starts(start, end)
    values = dict(_period_values(start, end), program_ids=list(program_ids))
    values.update({f"w{i}": _utc_midnight(week) for i, week in enumerate(weeks)})
    rows = db.session.execute(_weekly_statement(len(weeks)), values).all()
    mode_index = {value: i for i, (value, _label) in enumerate(CONTACT_MODES)}
    completed = [[0] * len(CONTACT_MODES) for _ in weeks]
    attempted = [0] * len(weeks)
    for bucket, mode, is_completed, count in rows:
        if is_completed:
            completed[int(bucket)][mode_index[mode]] += int(count)
        else:
            attempted[int(bucket)] += int(count)
    return WeeklyContacts(
        weeks=tuple(WeekContacts(week, tuple(completed[i]), attempted[i]) for i, week in enumerate(weeks)),
    )


def _referral_days(values: dict):
    """The (days, how many) rows for the period's connected referrals."""
    dialect = db.session.get_bind().dialect.name
    return db.session.execute(_referral_days_statement(dialect), values).all()


def referral_funnel(program_ids: Sequence[int], start: date, end: date) -> ReferralFunnel:
    """Referrals made in the period -> of those, connected -> completed, and days from referral to connection.

    The counts come from one aggregate, the days from one GROUP BY over the days each connection took.
    """
    values = {"start": start, "end": end, "program_ids": list(program_ids)}
    counts = db.session.execute(_referral_statement(), values).one()
    return _funnel(counts, _referral_days(values))


def outcome_counts(program_ids: Sequence[int], start: date, end: date) -> OutcomeCounts:
    """Live outcome events on live cases dated in the period, by type, from one aggregate."""
    values = {"start": start, "end": end, "program_ids": list(program_ids)}
    return _outcomes(db.session.execute(_outcome_statement(), values).one())


# --- one program's whole page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramFigures:
    """Everything one program's dashboard shows for a period."""

    headline: ProgramHeadline
    enrollments: tuple[MonthCount, ...]
    caseload: tuple[CaseloadPoint, ...]
    contacts: WeeklyContacts
    referrals: ReferralFunnel
    outcomes: OutcomeCounts
    module: dict


def _module_parts(kind: str) -> list[tuple[list, Callable]]:
    """The one-row figures of a program kind's module: (statements, reader of their rows) each."""
    if kind == "street_outreach":
        mediations, read_mediations = mediation_figure(PROGRAM_ID, LOW, HIGH)
        activities, read_activities = activity_figure(PROGRAM_ID, START, END)
        return [([mediations], read_mediations), ([activities], read_activities)]
    if kind == "hvip":
        injuries, read_injuries = injury_figure(PROGRAM_ID, LOW, HIGH)
        claims, read_claims = compensation_figure(PROGRAM_ID, START, END)
        return [([injuries], read_injuries), ([claims], read_claims)]
    if kind == "focused_deterrence":
        call_ins, read_call_ins = call_in_figures(PROGRAM_ID, LOW, HIGH)
        notifications, read_notifications = notification_figure(PROGRAM_ID, START, END)
        pipeline, read_pipeline = pipeline_figure(PROGRAM_ID, START, END, LOW, HIGH)
        return [(call_ins, read_call_ins), ([notifications], read_notifications), ([pipeline], read_pipeline)]
    return []


@lru_cache(maxsize=64)
def _page_statement(kind: str, n_months: int, dialect: str, zone: str):
    """The page's one-row figures as one statement: each one-row aggregate a derived table, joined ON true.

    Returns the statement and, per part, (first column, column count, reader). dialect and zone key the
    cache only: some module parts (local dates) compile differently per database and time zone.
    """
    parts = [
        ([_case_statement(n_months)], None),
        ([_contact_statement()], None),
        ([_referral_statement()], None),
        ([_outcome_statement()], None),
        *_module_parts(kind),
    ]
    tables, layout, columns = [], [], []
    for statements, read in parts:
        first = len(columns)
        for stmt in statements:
            table = stmt.subquery(f"f{len(tables)}")
            tables.append(table)
            columns += [column.label(f"f{len(tables) - 1}_{j}") for j, column in enumerate(table.c)]
        layout.append((first, [len(stmt.selected_columns) for stmt in statements], read))
    joined = tables[0]
    for table in tables[1:]:
        joined = joined.join(table, true())
    return select(*columns).select_from(joined), tuple(layout)


def program_figures(program_id: int, kind: str, start: date, end: date) -> ProgramFigures:
    """One program's dashboard for a period: one statement for every one-row figure, the weekly contacts, the
    days to connection, and the module's time lists (shooting responses, bedside contacts)."""
    months = month_starts(start, end)
    values = dict(_period_values(start, end), **_month_values(start, end))
    values.update(program_ids=[program_id], program_id=program_id)
    stmt, layout = _page_statement(kind, len(months), db.session.get_bind().dialect.name, zone_name())
    row = db.session.execute(stmt, values).one()
    rows = []
    for first, widths, read in layout:
        at, block = first, []
        for width in widths:
            block.append(row[at : at + width])
            at += width
        rows.append((block, read))
    enrollments, caseload = _case_figures(rows[0][0][0], start, end)
    people, done, tried = rows[1][0][0]
    funnel = _funnel(rows[2][0][0], _referral_days(values))
    outcomes = _outcomes(rows[3][0][0])
    module = [read(*block) for block, read in rows[4:]]
    headline = ProgramHeadline(
        program_id=program_id,
        people_served=int(people),
        enrollments=sum(m.count for m in enrollments),
        active_at_end=caseload[-1].active,
        contacts_completed=int(done),
        contacts_attempted=int(tried),
        referrals_made=funnel.referred,
        referrals_connected=funnel.connected,
        median_days_to_connection=funnel.median_days,
    )
    return ProgramFigures(
        headline=headline,
        enrollments=enrollments,
        caseload=caseload,
        contacts=contacts_by_week([program_id], start, end),
        referrals=funnel,
        outcomes=outcomes,
        module=_module_figures(kind, module, program_id, start, end),
    )


def _module_figures(kind: str, parts: list, program_id: int, start: date, end: date) -> dict:
    """The module's figures by the names its template uses; the time lists come from the module's own queries."""
    if kind == "street_outreach":
        mediations, activities = parts
        return {
            "mediations": mediations,
            "responses": response_summary(program_id, start, end),
            "activities": activities,
        }
    if kind == "hvip":
        (funnel, reinjuries), compensation = parts
        minutes = bedside_response_minutes(program_id, start, end)
        return {
            "funnel": funnel,
            "bedside_count": len(minutes),
            "bedside_median": statistics.median(minutes) if minutes else None,
            "reinjuries": reinjuries,
            "compensation": compensation,
        }
    if kind == "focused_deterrence":
        call_ins, notifications, pipeline = parts
        return {"call_ins": call_ins, "notifications": notifications, "pipeline": pipeline}
    return {}


def _referrals_in_period(program_ids: Sequence[int], start: date, end: date):
    return and_(
        _live_cases(program_ids),
        Referral.deleted_at.is_(None),
        Referral.referred_on >= start,
        Referral.referred_on <= end,
    )


# --- headline figures per program ----------------------------------------------------------------------------


def program_headlines(program_ids: Sequence[int], start: date, end: date) -> dict[int, ProgramHeadline]:
    """Headline figures for each program, from four statements grouped by program, however many programs.

    People served: unduplicated people (a merged record counting as the one it was merged into) with a
    completed contact in the period on the program's live cases. Enrollments: cases enrolled in the period.
    Active at end: as active_caseload, on the period's last day. Referrals: made in the period, and of those
    connected, with the median days to connection.
    """
    ids = list(program_ids)
    low, high = _utc_bounds(start, end)
    person = _person_key()
    contact_rows = db.session.execute(
        select(
            Case.program_id,
            func.count(func.distinct(sql_case((Contact.is_completed.is_(True), person)))),
            func.coalesce(func.sum(sql_case((Contact.is_completed.is_(True), 1), else_=0)), 0),
            func.coalesce(func.sum(sql_case((Contact.is_completed.is_(False), 1), else_=0)), 0),
        )
        .select_from(Contact)
        .join(Case, Case.id == Contact.case_id)
        .join(Participant, Participant.id == Case.participant_id)
        .where(
            _live_cases(ids),
            _person_counts(),
            Contact.deleted_at.is_(None),
            Contact.occurred_at >= low,
            Contact.occurred_at < high,
        )
        .group_by(Case.program_id)
    ).all()
    case_rows = db.session.execute(
        select(
            Case.program_id,
            func.coalesce(func.sum(sql_case((Case.enrolled_on >= start, 1), else_=0)), 0),
            func.coalesce(func.sum(sql_case((or_(Case.closed_on.is_(None), Case.closed_on > end), 1), else_=0)), 0),
        )
        .where(_live_cases(ids), Case.enrolled_on.is_not(None), Case.enrolled_on <= end)
        .group_by(Case.program_id)
    ).all()
    is_connected = Referral.status.in_(CONNECTED_STATUSES)
    referral_rows = db.session.execute(
        select(
            Case.program_id, func.count(Referral.id), func.coalesce(func.sum(sql_case((is_connected, 1), else_=0)), 0)
        )
        .join(Case, Case.id == Referral.case_id)
        .where(_referrals_in_period(ids, start, end))
        .group_by(Case.program_id)
    ).all()
    day_rows = db.session.execute(
        select(Case.program_id, Referral.referred_on, Referral.connected_on)
        .join(Case, Case.id == Referral.case_id)
        .where(_referrals_in_period(ids, start, end), is_connected, Referral.connected_on.is_not(None))
    ).all()
    days: dict[int, list[int]] = {}
    for program_id, referred_on, connected_on in day_rows:
        days.setdefault(program_id, []).append((connected_on - referred_on).days)
    contacts = {pid: (int(people), int(done), int(tried)) for pid, people, done, tried in contact_rows}
    cases = {pid: (int(enrolled), int(active)) for pid, enrolled, active in case_rows}
    referrals = {pid: (int(made), int(connected)) for pid, made, connected in referral_rows}
    headlines = {}
    for pid in ids:
        people, done, tried = contacts.get(pid, (0, 0, 0))
        enrolled, active = cases.get(pid, (0, 0))
        made, connected = referrals.get(pid, (0, 0))
        headlines[pid] = ProgramHeadline(
            program_id=pid,
            people_served=people,
            enrollments=enrolled,
            active_at_end=active,
            contacts_completed=done,
            contacts_attempted=tried,
            referrals_made=made,
            referrals_connected=connected,
            median_days_to_connection=statistics.median(days[pid]) if pid in days else None,
        )
    return headlines
