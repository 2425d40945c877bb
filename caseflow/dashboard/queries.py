"""Program dashboard figures: plain dataclasses from SQL aggregates over live records of the given programs.

Every function takes (program_ids, start, end): the programs the caller may see (the view decides that) and
local calendar days, inclusive. No names, notes or other identifying data ever reach these figures, and the
number of statements each one runs depends on the period, never on how many cases or contacts there are.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, literal_column, or_, select
from sqlalchemy import case as sql_case

from caseflow.extensions import db
from caseflow.models import Case, Contact, Outcome, Participant, Referral
from caseflow.models.choices import CONTACT_MODES, OUTCOME_TYPES
from caseflow.outreach.queries import LabelledCount
from caseflow.timezones import to_utc

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

    @property
    def mode_totals(self) -> tuple[int, ...]:
        return tuple(sum(w.completed_by_mode[i] for w in self.weeks) for i in range(len(self.modes)))

    @property
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


def _bucket(column, boundaries: Sequence):
    """SQL for the index of the bucket a value falls in, given each later bucket's (ascending) first value.

    The values are compared in SQL and only the index comes back, so the rows fetched are one per bucket.
    The indexes are literals: PostgreSQL must see the same expression in the SELECT as in the GROUP BY.
    """
    if not boundaries:
        return literal_column("0")
    whens = [(column < bound, literal_column(str(i))) for i, bound in enumerate(boundaries)]
    return sql_case(*whens, else_=literal_column(str(len(boundaries))))


def _live_cases(program_ids: Sequence[int]):
    return and_(Case.program_id.in_(list(program_ids)), Case.deleted_at.is_(None))


def _person_key():
    """The person a participant row counts as: the record it was merged into, if any."""
    return func.coalesce(Participant.merged_into_id, Participant.id)


def _person_counts():
    """A participant row counts if it is live, or retired by a merge (then as the kept record)."""
    return or_(Participant.deleted_at.is_(None), Participant.merged_into_id.is_not(None))


# --- the program's charts ------------------------------------------------------------------------------------


def enrollments_by_month(program_ids: Sequence[int], start: date, end: date) -> tuple[MonthCount, ...]:
    """Cases enrolled in the period per calendar month (first and last months only count days in the period)."""
    months = month_starts(start, end)
    inner = (
        select(_bucket(Case.enrolled_on, months[1:]).label("bucket"))
        .where(_live_cases(program_ids), Case.enrolled_on >= start, Case.enrolled_on <= end)
        .subquery()
    )
    rows = db.session.execute(select(inner.c.bucket, func.count()).group_by(inner.c.bucket)).all()
    found = {int(bucket): int(count) for bucket, count in rows}
    return tuple(MonthCount(month, found.get(i, 0)) for i, month in enumerate(months))


def caseload_days(start: date, end: date) -> list[date]:
    """The days the caseload is measured on: the last day of each month in the period, and the period's end."""
    return [min(_next_month(month) - timedelta(days=1), end) for month in month_starts(start, end)]


def active_caseload(program_ids: Sequence[int], start: date, end: date) -> tuple[CaseloadPoint, ...]:
    """Cases active at the end of each month of the period (the last point is the period's last day).

    Active at the end of day D, from the case's dates: enrolled on or before D, and not closed by then
    (no closing date, or closed after D). A case closed on D no longer counts on D. Cases never enrolled
    (still being screened, declined, ineligible) do not count; a reopened case counts from its enrolment.
    One statement with one SUM per measured day.
    """
    days = caseload_days(start, end)
    columns = [
        func.coalesce(
            func.sum(
                sql_case(
                    (and_(Case.enrolled_on <= day, or_(Case.closed_on.is_(None), Case.closed_on > day)), 1), else_=0
                )
            ),
            0,
        )
        for day in days
    ]
    row = db.session.execute(
        select(*columns).where(
            _live_cases(program_ids),
            Case.enrolled_on.is_not(None),
            Case.enrolled_on <= end,
            or_(Case.closed_on.is_(None), Case.closed_on > days[0]),
        )
    ).one()
    return tuple(CaseloadPoint(day, int(count)) for day, count in zip(days, row, strict=True))


def contacts_by_week(program_ids: Sequence[int], start: date, end: date) -> WeeklyContacts:
    """Live contacts on live cases per ISO week, completed ones by mode and attempts, from one GROUP BY.

    A contact belongs to the local day it happened on: each week's first instant is its Monday's local
    midnight converted to UTC, and the stored (UTC) times are bucketed against those in SQL.
    """
    weeks = week_starts(start, end)
    low, high = _utc_bounds(start, end)
    inner = (
        select(
            _bucket(Contact.occurred_at, [_utc_midnight(w) for w in weeks[1:]]).label("bucket"),
            Contact.mode.label("mode"),
            Contact.is_completed.label("is_completed"),
        )
        .join(Case, Case.id == Contact.case_id)
        .where(
            _live_cases(program_ids),
            Contact.deleted_at.is_(None),
            Contact.occurred_at >= low,
            Contact.occurred_at < high,
        )
        .subquery()
    )
    rows = db.session.execute(
        select(inner.c.bucket, inner.c.mode, inner.c.is_completed, func.count()).group_by(
            inner.c.bucket, inner.c.mode, inner.c.is_completed
        )
    ).all()
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


def _referrals_in_period(program_ids: Sequence[int], start: date, end: date):
    return and_(
        _live_cases(program_ids),
        Referral.deleted_at.is_(None),
        Referral.referred_on >= start,
        Referral.referred_on <= end,
    )


def referral_funnel(program_ids: Sequence[int], start: date, end: date) -> ReferralFunnel:
    """Referrals made in the period -> of those, connected -> completed, and days from referral to connection.

    The counts come from one aggregate; the days are fetched only for connected referrals with a
    connection date and subtracted here (SQLite and PostgreSQL disagree on date arithmetic).
    """
    is_connected = Referral.status.in_(CONNECTED_STATUSES)
    referred, connected, completed = db.session.execute(
        select(
            func.count(Referral.id),
            func.coalesce(func.sum(sql_case((is_connected, 1), else_=0)), 0),
            func.coalesce(func.sum(sql_case((Referral.status == "completed", 1), else_=0)), 0),
        )
        .join(Case, Case.id == Referral.case_id)
        .where(_referrals_in_period(program_ids, start, end))
    ).one()
    dates = db.session.execute(
        select(Referral.referred_on, Referral.connected_on)
        .join(Case, Case.id == Referral.case_id)
        .where(_referrals_in_period(program_ids, start, end), is_connected, Referral.connected_on.is_not(None))
    ).all()
    return ReferralFunnel(
        referred=int(referred),
        connected=int(connected),
        completed=int(completed),
        days_to_connection=tuple(sorted((connected_on - referred_on).days for referred_on, connected_on in dates)),
    )


def outcome_counts(program_ids: Sequence[int], start: date, end: date) -> OutcomeCounts:
    """Live outcome events on live cases dated in the period, by type, from one GROUP BY."""
    rows = db.session.execute(
        select(Outcome.outcome_type, func.count(Outcome.id))
        .join(Case, Case.id == Outcome.case_id)
        .where(
            _live_cases(program_ids),
            Outcome.deleted_at.is_(None),
            Outcome.occurred_on >= start,
            Outcome.occurred_on <= end,
        )
        .group_by(Outcome.outcome_type)
    ).all()
    found = {value: int(count) for value, count in rows}
    return OutcomeCounts(by_type=tuple(LabelledCount(v, label, found.get(v, 0)) for v, label in OUTCOME_TYPES))


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
