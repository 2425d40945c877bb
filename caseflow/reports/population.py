"""Who a report is about: the people served in a period, counted once, and their demographics.

Every query here is one SQL aggregate over a scope; no participant rows come back to Python.
"""

from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, func, literal, or_, select, union
from sqlalchemy import case as sql_case

from caseflow.extensions import db
from caseflow.models import (
    CallIn,
    CallInInvitee,
    Case,
    CaseAssignment,
    Contact,
    Injury,
    Mediation,
    MediationPerson,
    Notification,
    Participant,
    ParticipantRaceEthnicity,
    Referral,
)
from caseflow.models.choices import GENDERS, RACE_ETHNICITIES, label_of
from caseflow.reports.registry import ReportScope
from caseflow.timezones import EPOCH, day_number_sql, to_utc

NOT_REPORTED = "Not reported"
MORE_THAN_ONE = "More than one race or ethnicity"
# (label, lowest age, highest age); None is open-ended.
DEFAULT_AGE_BANDS = (
    ("0–12", 0, 12),
    ("13–17", 13, 17),
    ("18–24", 18, 24),
    ("25–34", 25, 34),
    ("35–59", 35, 59),
    ("60+", 60, None),
)
VOCA_AGE_BANDS = (("0–12", 0, 12), ("13–17", 13, 17), ("18–24", 18, 24), ("25–59", 25, 59), ("60+", 60, None))


def utc_bounds(scope: ReportScope) -> tuple[datetime, datetime]:
    """The scope's local days as a half-open naive-UTC interval, for timestamp columns."""
    return (
        to_utc(datetime.combine(scope.start, time.min)),
        to_utc(datetime.combine(scope.end + timedelta(days=1), time.min)),
    )


def live_case_in_scope(scope: ReportScope):
    """Conditions on Case: live, in one of the scope's programs, with a live participant."""
    return and_(Case.deleted_at.is_(None), Case.program_id.in_(scope.program_ids))


def _has_case_in(program_column, participant_column):
    """The person has a live case in that program: module records count only for the program's own people."""
    return exists().where(
        Case.participant_id == participant_column, Case.program_id == program_column, Case.deleted_at.is_(None)
    )


def served_people(scope: ReportScope):
    """Subquery (participant_id) of people served in the period, each once.

    Served (REPORTS.md): at least one completed contact, referral action (made, connected or
    closed), mediation link, bedside injury intake, call-in attendance or delivered notification
    dated in the period, on a case of the chosen programs. Attempted contacts alone do not count;
    soft-deleted records and deleted people never count.
    """
    low, high = utc_bounds(scope)
    in_scope = live_case_in_scope(scope)
    contacts = (
        select(Case.participant_id.label("participant_id"))
        .join(Contact, Contact.case_id == Case.id)
        .where(
            in_scope,
            Contact.deleted_at.is_(None),
            Contact.is_completed.is_(True),
            Contact.occurred_at >= low,
            Contact.occurred_at < high,
        )
    )
    referral_dates = [Referral.referred_on, Referral.connected_on, Referral.closed_on]
    referrals = (
        select(Case.participant_id.label("participant_id"))
        .join(Referral, Referral.case_id == Case.id)
        .where(
            in_scope,
            Referral.deleted_at.is_(None),
            func.coalesce(*[sql_case((d.between(scope.start, scope.end), 1)) for d in referral_dates]) == 1,
        )
    )
    mediations = (
        select(MediationPerson.participant_id.label("participant_id"))
        .join(Mediation, Mediation.id == MediationPerson.mediation_id)
        .where(
            Mediation.deleted_at.is_(None),
            Mediation.program_id.in_(scope.program_ids),
            Mediation.occurred_at >= low,
            Mediation.occurred_at < high,
            _has_case_in(Mediation.program_id, MediationPerson.participant_id),
        )
    )
    injuries = select(Injury.participant_id.label("participant_id")).where(
        Injury.participant_id.is_not(None),
        Injury.deleted_at.is_(None),
        Injury.program_id.in_(scope.program_ids),
        Injury.arrived_at >= low,
        Injury.arrived_at < high,
        _has_case_in(Injury.program_id, Injury.participant_id),
    )
    call_ins = (
        select(CallInInvitee.participant_id.label("participant_id"))
        .join(CallIn, CallIn.id == CallInInvitee.call_in_id)
        .where(
            CallIn.deleted_at.is_(None),
            CallIn.program_id.in_(scope.program_ids),
            CallInInvitee.attendance == "attended",
            CallIn.held_at >= low,
            CallIn.held_at < high,
            _has_case_in(CallIn.program_id, CallInInvitee.participant_id),
        )
    )
    notifications = select(Notification.participant_id.label("participant_id")).where(
        Notification.deleted_at.is_(None),
        Notification.program_id.in_(scope.program_ids),
        Notification.delivered.is_(True),
        Notification.notified_on.between(scope.start, scope.end),
        _has_case_in(Notification.program_id, Notification.participant_id),
    )
    everyone = union(contacts, referrals, mediations, injuries, call_ins, notifications).subquery()
    return (
        select(everyone.c.participant_id)
        .join(Participant, Participant.id == everyone.c.participant_id)
        .where(Participant.deleted_at.is_(None))
        .distinct()
        .subquery("served")
    )


def count_people(people) -> int:
    """How many people a (participant_id) subquery holds."""
    return int(db.session.execute(select(func.count()).select_from(people)).scalar_one())


def _years_before(day: date, years: int) -> date:
    """The same calendar day some years earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_band_expr(on: date, bands=DEFAULT_AGE_BANDS):
    """SQL for a person's age band on a date, from the birth date or the dated estimate; else Not reported.

    Birth dates compare against cut-off dates (portable); an estimate ages one year per 365 days.
    """
    estimated_age = Participant.estimated_age + (
        (literal(day_number_sql_value(on)) - day_number_sql(Participant.estimated_age_on)) / 365
    )
    whens = []
    for label, low, high in bands:
        born_by = _years_before(on, low)  # at least `low` years old on the day
        condition = Participant.date_of_birth <= born_by
        if high is not None:
            condition = and_(condition, Participant.date_of_birth > _years_before(on, high + 1))
        whens.append((and_(Participant.date_of_birth.is_not(None), condition), label))
    for label, low, high in bands:
        estimate = and_(
            Participant.date_of_birth.is_(None),
            Participant.estimated_age.is_not(None),
            Participant.estimated_age_on.is_not(None),
            estimated_age >= low,
        )
        if high is not None:
            estimate = and_(estimate, estimated_age <= high)
        whens.append((estimate, label))
    return sql_case(*whens, else_=NOT_REPORTED)


def day_number_sql_value(day: date) -> int:
    """A Python date as the same day number day_number_sql gives in SQL."""
    return (day - EPOCH).days


def _ordered(rows: dict[str, int], labels: list[str]) -> tuple[tuple[str, int], ...]:
    """Rows in the given label order, zeros included, so every report prints the same table."""
    return tuple((label, int(rows.get(label, 0))) for label in labels)


def age_rows(people, on: date, bands=DEFAULT_AGE_BANDS) -> tuple[tuple[str, int], ...]:
    """People by age band on a date (one GROUP BY); the rows add up to the people."""
    band = age_band_expr(on, bands).label("band")
    rows = db.session.execute(
        select(band, func.count())
        .select_from(people)
        .join(Participant, Participant.id == people.c.participant_id)
        .group_by(band)
    ).all()
    return _ordered(dict(rows), [label for label, _, _ in bands] + [NOT_REPORTED])


def gender_rows(people) -> tuple[tuple[str, int], ...]:
    """People by gender as recorded; an empty or not-reported value is Not reported."""
    rows = db.session.execute(
        select(Participant.gender, func.count())
        .select_from(people)
        .join(Participant, Participant.id == people.c.participant_id)
        .group_by(Participant.gender)
    ).all()
    counts: dict[str, int] = {}
    for gender, n in rows:
        label = NOT_REPORTED if gender in (None, "", "not_reported") else label_of(GENDERS, gender)
        counts[label] = counts.get(label, 0) + n
    labels = [label for value, label in GENDERS if value != "not_reported"] + [NOT_REPORTED]
    return _ordered(counts, labels)


def race_rows(people) -> tuple[tuple[str, int], ...]:
    """People by race and ethnicity: one category, More than one, or Not reported; rows add up to the people."""
    per_person = (
        select(
            people.c.participant_id.label("pid"),
            func.count(ParticipantRaceEthnicity.category).label("n"),
            func.min(ParticipantRaceEthnicity.category).label("only"),
        )
        .select_from(people)
        .outerjoin(ParticipantRaceEthnicity, ParticipantRaceEthnicity.participant_id == people.c.participant_id)
        .group_by(people.c.participant_id)
        .subquery()
    )
    bucket = sql_case(
        (per_person.c.n == 0, NOT_REPORTED), (per_person.c.n > 1, MORE_THAN_ONE), else_=per_person.c.only
    ).label("bucket")
    rows = dict(db.session.execute(select(bucket, func.count()).group_by(bucket)).all())
    counts = {k if k in (NOT_REPORTED, MORE_THAN_ONE) else label_of(RACE_ETHNICITIES, k): v for k, v in rows.items()}
    labels = [label for _, label in RACE_ETHNICITIES] + [MORE_THAN_ONE, NOT_REPORTED]
    return _ordered(counts, labels)


def active_at_end(scope: ReportScope):
    """Conditions on Case: active at the end of the period's last day (enrolled by then and not closed by then)."""
    return and_(
        live_case_in_scope(scope),
        Case.enrolled_on.is_not(None),
        Case.enrolled_on <= scope.end,
        or_(Case.closed_on.is_(None), Case.closed_on > scope.end),
    )


def holder_at_end(scope: ReportScope):
    """SQL for the worker holding a case at the end of the period, whatever happened to it since.

    If the case was reassigned later, the holder is the worker the first later reassignment moved it
    from; otherwise its current worker. Correlated to Case.
    """
    _, end_of_period = utc_bounds(scope)
    later = and_(CaseAssignment.case_id == Case.id, CaseAssignment.changed_at >= end_of_period)
    first_later = (
        select(CaseAssignment.from_worker_id)
        .where(later)
        .order_by(CaseAssignment.changed_at, CaseAssignment.id)
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    return sql_case((exists().where(later), first_later), else_=Case.assigned_worker_id)
