"""Measures for the hvip-annual template: the bedside funnel, services, retention and re-injury of a hospital program.

Each measure is a fixed number of SQL aggregates over the scope's hospital (HVIP) programs; programs of other kinds
in the scope add nothing. The funnel, bedside response and compensation figures reuse caseflow.hvip.queries, summed
over those programs, so the report and the HVIP pages agree.
"""

import statistics
from dataclasses import fields
from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy import case as sql_case

from caseflow.dashboard.queries import CONNECTED_STATUSES
from caseflow.extensions import db
from caseflow.hvip.queries import (
    CompensationCounts,
    FunnelCounts,
    bedside_response_minutes,
    compensation_counts,
    funnel_counts,
)
from caseflow.hvip.services import FOLLOW_UP_DAYS
from caseflow.models import Case, Contact, Injury, Participant, Program, Referral
from caseflow.models.choices import SERVICE_CATEGORIES, label_of
from caseflow.reports.population import day_number_sql_value, live_case_in_scope, utc_bounds
from caseflow.reports.registry import MeasureResult, ReportScope, ReportTemplate, Section, measure
from caseflow.timezones import day_number_sql, local_date_sql, to_utc

SOURCE = "REPORTS.md: hvip-annual"

# The service domains HVIP funders ask about, in print order, and the referral service categories that count
# toward each. A program whose funder groups services differently changes this table, not the query.
# Education counts toward employment (both are about work and income); relocation is a safety service.
REFERRAL_DOMAINS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Safety", ("relocation",)),
    ("Mental health", ("mental_health", "substance_use")),
    ("Housing", ("housing",)),
    ("Employment", ("employment", "education")),
    ("Legal", ("legal",)),
    ("Medical follow-up", ("medical",)),
)
OTHER_SERVICES = "Other services"
_MAPPED = {category for _, categories in REFERRAL_DOMAINS for category in categories}
# Service categories in no domain above; they count in the "Other services" row.
UNMAPPED_CATEGORIES = tuple(value for value, _ in SERVICE_CATEGORIES if value not in _MAPPED)

# Funnel rows: each injury counted once, at the furthest stage it reached (FUNNEL_STAGES order).
SCREENED_ONLY = "Screened, eligibility not recorded"
NOT_ELIGIBLE = "Not eligible"
ELIGIBLE_WAITING = "Eligible, approach not recorded yet"
NOT_APPROACHED = "Eligible, not approached"
APPROACHED_WAITING = "Approached, decision not recorded yet"
DECLINED = "Declined"
ENROLLED = "Enrolled"

# Reasons for not enrolling are typed freely: the commonest are printed as typed, the rest added up.
TOP_REASONS = 10
OTHER_REASONS = "Other reasons"
REASON_NOT_RECORDED = "Reason not recorded"
DEFAULT_THRESHOLD = 5

# A completed contact this many days before a retention mark (or on it) shows the person was still engaged.
RETENTION_CONTACT_DAYS = 30
REINJURY_DAYS = 365


# --- shared pieces -------------------------------------------------------------------------------------------


def _hvip_program_ids(scope: ReportScope) -> list[int]:
    """The scope's hospital programs: only they record injuries, claims and the bedside funnel."""
    return list(
        db.session.execute(
            select(Program.id).where(Program.id.in_(scope.program_ids), Program.kind == "hvip").order_by(Program.id)
        ).scalars()
    )


def _hvip_scope(scope: ReportScope) -> ReportScope:
    """The same period over the scope's hospital programs only."""
    return ReportScope(tuple(_hvip_program_ids(scope)), scope.start, scope.end)


def _threshold() -> int:
    """The deployment's small-cell threshold k, as the report pipeline reads it."""
    return int(current_app.config.get("SMALL_CELL_THRESHOLD") or DEFAULT_THRESHOLD)


def _funnel(scope: ReportScope) -> FunnelCounts:
    """hvip.queries.funnel_counts for each hospital program in scope, added up level by level."""
    totals = dict.fromkeys((f.name for f in fields(FunnelCounts)), 0)
    for program_id in _hvip_program_ids(scope):
        counts = funnel_counts(program_id, scope.start, scope.end)
        for name in totals:
            totals[name] += getattr(counts, name)
    return FunnelCounts(**totals)


def _live_injuries(scope: ReportScope):
    """Live injuries of the scope's hospital programs that arrived in the period (a deleted case hides its injuries).

    The same filter as hvip.queries, for a list of programs; use with an outer join to Case.
    """
    low, high = utc_bounds(scope)
    return and_(
        Injury.program_id.in_(_hvip_program_ids(scope)),
        Injury.deleted_at.is_(None),
        Injury.arrived_at >= low,
        Injury.arrived_at < high,
        or_(Injury.case_id.is_(None), Case.deleted_at.is_(None)),
    )


def _local_day_number(utc_column):
    """The local calendar day of a stored naive-UTC time, as whole days since EPOCH."""
    return day_number_sql(local_date_sql(utc_column))


# --- the bedside funnel --------------------------------------------------------------------------------------


@measure(
    "hvip.screened",
    "Violently injured patients screened",
    """Violent injuries recorded by the chosen hospital programs with a hospital arrival in the period (local
    time): each arrival of a violently injured patient the program screened, whether or not the patient enrolled.
    A patient who arrives twice counts twice (patients who never enrol have no person record to count once).
    The rows place each injury at the furthest funnel stage recorded for it, so they add up to the total.
    Deleted injuries, and injuries on deleted cases, do not count.""",
    source=SOURCE,
)
def screened(scope: ReportScope) -> MeasureResult:
    f = _funnel(scope)
    rows = (
        (SCREENED_ONLY, f.screened - f.eligible - f.ineligible),
        (NOT_ELIGIBLE, f.ineligible),
        (ELIGIBLE_WAITING, f.eligible - f.not_approached - f.approached),
        (NOT_APPROACHED, f.not_approached),
        (APPROACHED_WAITING, f.approached - f.declined - f.enrolled),
        (DECLINED, f.declined),
        (ENROLLED, f.enrolled),
    )
    return MeasureResult(value=f.screened, rows=rows)


@measure(
    "hvip.eligible",
    "Patients eligible",
    """Of the injuries counted in "patients screened", those found eligible for the program: marked eligible,
    not approached, approached, declined or enrolled.""",
    source=SOURCE,
)
def eligible(scope: ReportScope) -> MeasureResult:
    return MeasureResult(value=_funnel(scope).eligible)


@measure(
    "hvip.approached",
    "Patients approached at the bedside",
    """Of the eligible injuries, those where staff approached the patient at the bedside: marked approached,
    declined or enrolled.""",
    source=SOURCE,
)
def approached(scope: ReportScope) -> MeasureResult:
    return MeasureResult(value=_funnel(scope).approached)


@measure(
    "hvip.enrolled",
    "Patients enrolled",
    """Of the injuries counted in "patients screened", those whose patient enrolled in the program (funnel stage
    enrolled).""",
    source=SOURCE,
)
def enrolled(scope: ReportScope) -> MeasureResult:
    return MeasureResult(value=_funnel(scope).enrolled)


@measure(
    "hvip.reach",
    "Reach (enrolled of eligible)",
    """Patients enrolled divided by patients eligible, both as counted above for the period. The denominator is
    the eligible patients; with none eligible there is no figure.""",
    unit="rate",
    suppress=False,
    source=SOURCE,
)
def reach(scope: ReportScope) -> MeasureResult:
    f = _funnel(scope)
    share = f.enrolled / f.eligible if f.eligible else None
    return MeasureResult(value=share, total_shown=False, denominator=f.eligible)


@measure(
    "hvip.not_enrolled_reasons",
    "Eligible patients declined or not approached, by reason",
    f"""Injuries counted in "patients screened" whose funnel stage is declined or not approached, by the reason
    staff recorded. Reasons are free text and are grouped by their exact wording (spaces at either end ignored).
    The {TOP_REASONS} most frequent reasons are listed (most frequent first, ties alphabetically); to keep a
    one-off description out of the report, a wording is listed only when at least as many injuries share it as
    the small-numbers threshold. Every other reason is added up in "{OTHER_REASONS}"; an empty reason is
    "{REASON_NOT_RECORDED}". The rows add up to the total.""",
    source=SOURCE,
)
def not_enrolled_reasons(scope: ReportScope) -> MeasureResult:
    reason = func.trim(Injury.funnel_reason)
    count = func.count(Injury.id)

    def injuries(*columns):
        return (
            select(*columns)
            .select_from(Injury)
            .outerjoin(Case, Case.id == Injury.case_id)
            .where(_live_injuries(scope), Injury.funnel_stage.in_(("declined", "not_approached")))
        )

    total, not_recorded = db.session.execute(
        injuries(count, func.coalesce(func.sum(sql_case((reason == "", 1), else_=0)), 0))
    ).one()
    total, not_recorded = int(total), int(not_recorded)
    top = db.session.execute(
        injuries(reason, count)
        .where(reason != "")
        .group_by(reason)
        .having(count >= _threshold())
        .order_by(count.desc(), reason)
        .limit(TOP_REASONS)
    ).all()
    rows = tuple((str(text), int(n)) for text, n in top)
    other = total - not_recorded - sum(n for _, n in rows)
    return MeasureResult(value=total, rows=rows + ((OTHER_REASONS, other), (REASON_NOT_RECORDED, not_recorded)))


# --- bedside response ----------------------------------------------------------------------------------------


@measure(
    "hvip.bedside_median_hours",
    "Median hours from hospital arrival to first bedside contact",
    """For the injuries counted in "patients screened" that had a bedside contact recorded, the median time from
    the patient's arrival at the hospital to the program's first contact at the bedside, in hours (one decimal).
    Injuries with no bedside contact recorded are left out; with none there is no figure.""",
    unit="hours",
    suppress=False,
    source=SOURCE,
)
def bedside_median_hours(scope: ReportScope) -> MeasureResult:
    minutes: list[int] = []
    for program_id in _hvip_program_ids(scope):
        # A median cannot be added up per program: pool every injury's minutes first.
        minutes += bedside_response_minutes(program_id, scope.start, scope.end)
    value = round(statistics.median(minutes) / 60, 1) if minutes else None
    return MeasureResult(value=value, total_shown=False, denominator=len(minutes))


# --- referrals -----------------------------------------------------------------------------------------------


def _domain_of(category_column):
    """SQL: the funder's domain for a referral's service category (OTHER_SERVICES when in none)."""
    return sql_case(
        *[(category_column.in_(categories), label) for label, categories in REFERRAL_DOMAINS], else_=OTHER_SERVICES
    )


def _describe_domains() -> str:
    def names(categories) -> str:
        return ", ".join(label_of(SERVICE_CATEGORIES, c).lower() for c in categories)

    mapped = "; ".join(f"{label}: {names(categories)}" for label, categories in REFERRAL_DOMAINS)
    return f"{mapped}; {OTHER_SERVICES}: {names(UNMAPPED_CATEGORIES)}"


@measure(
    "hvip.referrals_connected",
    "People with a referral connected, by domain",
    f"""People with at least one referral, from a case of the chosen hospital programs, that connected in the
    period: marked connected (or connected and then completed) with a connection date in the period. Each person
    counts once in the total and once in each domain they were connected in, so the rows can add up to more than
    the total. Domains are mapped from the referral's service category ({_describe_domains()}). Deleted
    referrals, cases and people do not count.""",
    source=SOURCE,
)
def referrals_connected(scope: ReportScope) -> MeasureResult:
    domain = _domain_of(Referral.service_category).label("domain")
    connected = (
        select(Case.participant_id.label("participant_id"), domain)
        .join(Referral, Referral.case_id == Case.id)
        .join(Participant, Participant.id == Case.participant_id)
        .where(
            live_case_in_scope(_hvip_scope(scope)),
            Participant.deleted_at.is_(None),
            Referral.deleted_at.is_(None),
            Referral.status.in_(CONNECTED_STATUSES),
            Referral.connected_on.between(scope.start, scope.end),
        )
        .subquery()
    )
    people = db.session.execute(select(func.count(func.distinct(connected.c.participant_id)))).scalar_one()
    found = dict(
        db.session.execute(
            select(connected.c.domain, func.count(func.distinct(connected.c.participant_id))).group_by(
                connected.c.domain
            )
        ).all()
    )
    labels = [label for label, _ in REFERRAL_DOMAINS] + [OTHER_SERVICES]
    rows = tuple((label, int(found.get(label, 0))) for label in labels)
    return MeasureResult(value=int(people), rows=rows, total_shown=False)


# --- retention -----------------------------------------------------------------------------------------------


def _retention(scope: ReportScope, days: int) -> tuple[int, int]:
    """(people retained at the mark, people whose mark fell in the period): one aggregate.

    A case's mark is `days` after the earliest discharge among its live injuries. A person counts once, retained
    when any of their cases with a mark in the period was retained.
    """
    hvip = _hvip_scope(scope)
    discharges = (
        select(
            Case.id.label("case_id"),
            Case.participant_id.label("participant_id"),
            Case.enrolled_on.label("enrolled_on"),
            Case.closed_on.label("closed_on"),
            (func.min(day_number_sql(Injury.discharged_on)) + days).label("mark"),
        )
        .join(Injury, Injury.case_id == Case.id)
        .join(Participant, Participant.id == Case.participant_id)
        .where(
            live_case_in_scope(hvip),
            Participant.deleted_at.is_(None),
            Case.enrolled_on.is_not(None),
            Injury.deleted_at.is_(None),
            Injury.discharged_on.is_not(None),
            Injury.program_id == Case.program_id,
        )
        .group_by(Case.id, Case.participant_id, Case.enrolled_on, Case.closed_on)
        .subquery()
    )
    mark = discharges.c.mark
    closed = discharges.c.closed_on
    still_open = or_(closed.is_(None), day_number_sql(closed) > mark)
    recent_contact = exists().where(
        Contact.case_id == discharges.c.case_id,
        Contact.deleted_at.is_(None),
        Contact.is_completed.is_(True),
        _local_day_number(Contact.occurred_at).between(mark - RETENTION_CONTACT_DAYS, mark),
    )
    retained = sql_case((and_(still_open, recent_contact), discharges.c.participant_id))
    total, kept = db.session.execute(
        select(func.count(func.distinct(discharges.c.participant_id)), func.count(func.distinct(retained))).where(
            mark.between(literal(day_number_sql_value(scope.start)), literal(day_number_sql_value(scope.end))),
            day_number_sql(discharges.c.enrolled_on) <= mark,
        )
    ).one()
    return int(kept), int(total)


def _retention_measure(days: int):
    def compute(scope: ReportScope) -> MeasureResult:
        kept, total = _retention(scope, days)
        return MeasureResult(value=kept / total if total else None, total_shown=False, denominator=total)

    compute.__name__ = f"retention_{days}"
    return compute


for _days in FOLLOW_UP_DAYS:
    measure(
        f"hvip.retention_{_days}",
        f"Retention {_days} days after discharge",
        f"""Of the people enrolled in the chosen hospital programs whose {_days}-day mark fell in the period, the
        share still engaged at the mark. The mark is {_days} days after the patient's discharge (the earliest
        discharge date recorded on the case's injuries); only cases enrolled by the mark count. Engaged: the case
        was still open on the mark (not closed, or closed after it) and had a completed contact on the mark day
        or in the {RETENTION_CONTACT_DAYS} days before it (local dates). The denominator is the people whose mark
        fell in the period, each counted once; a person with two such cases counts as retained if either was.
        Attempted contacts and deleted records do not count.""",
        unit="rate",
        suppress=False,
        source=SOURCE,
    )(_retention_measure(_days))


# --- re-injury -----------------------------------------------------------------------------------------------


def _year_before(day: date) -> date:
    """The same calendar day a year earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _reinjury(scope: ReportScope) -> tuple[int, int]:
    """(people re-injured within a year of their index injury, people with an index injury in the cohort)."""
    ids = _hvip_program_ids(scope)
    low = to_utc(datetime.combine(_year_before(scope.start), time.min))
    high = to_utc(datetime.combine(scope.start, time.min))  # the start of the period's first day

    def live(model):
        return and_(
            model.program_id.in_(ids),
            model.deleted_at.is_(None),
            model.participant_id.is_not(None),
            or_(model.case_id.is_(None), exists().where(Case.id == model.case_id, Case.deleted_at.is_(None))),
        )

    first = (
        select(Injury.participant_id.label("participant_id"), func.min(Injury.injured_at).label("first_at"))
        .join(Participant, Participant.id == Injury.participant_id)
        .where(live(Injury), Participant.deleted_at.is_(None))
        .group_by(Injury.participant_id)
        .subquery()
    )
    later = Injury.__table__.alias("later")
    again = exists().where(
        live(later.c),
        later.c.participant_id == first.c.participant_id,
        later.c.injured_at > first.c.first_at,
        _local_day_number(later.c.injured_at) - _local_day_number(first.c.first_at) <= REINJURY_DAYS,
    )
    cohort, reinjured = db.session.execute(
        select(func.count(), func.coalesce(func.sum(sql_case((again, 1), else_=0)), 0)).where(
            first.c.first_at >= low, first.c.first_at < high
        )
    ).one()
    return int(reinjured), int(cohort)


REINJURY_DEFINITION = f"""The index injury is a person's earliest live injury recorded by the chosen hospital
    programs (by the time of injury). The people counted are those whose index injury happened in the year before
    the period (from the same day a year before the period's first day up to the day before it), so each has had
    the full year of follow-up the measure needs. Re-injured: the person has another injury recorded by the chosen
    programs after the index injury and at most {REINJURY_DAYS} days after it (local dates). Patients who never
    enrolled without a person record cannot be followed and are left out; deleted injuries, cases and people do not
    count."""


@measure(
    "hvip.reinjured",
    "People violently re-injured within 12 months of the index injury",
    f"""{REINJURY_DEFINITION} The figure is the number of people re-injured.""",
    source=SOURCE,
)
def reinjured(scope: ReportScope) -> MeasureResult:
    count, _ = _reinjury(scope)
    return MeasureResult(value=count)


@measure(
    "hvip.reinjury_rate",
    "Re-injury rate within 12 months of the index injury",
    f"""{REINJURY_DEFINITION} The figure is the people re-injured divided by the people whose index injury fell
    in the year before the period (the denominator).""",
    unit="rate",
    suppress=False,
    source=SOURCE,
)
def reinjury_rate(scope: ReportScope) -> MeasureResult:
    count, cohort = _reinjury(scope)
    return MeasureResult(value=count / cohort if cohort else None, total_shown=False, denominator=cohort)


# --- victim compensation -------------------------------------------------------------------------------------

APPROVED, DENIED, WAITING = "Approved", "Denied", "Awaiting a decision"


@measure(
    "hvip.compensation",
    "Victim compensation applications",
    """Victim compensation applications the chosen hospital programs helped with, made in the period (by the date
    applied), on live cases. The rows give what has become of them so far: approved, denied, or still awaiting a
    decision; they add up to the applications. Deleted claims and claims on deleted cases do not count.""",
    source=SOURCE,
)
def compensation(scope: ReportScope) -> MeasureResult:
    applied = approved = denied = 0
    for program_id in _hvip_program_ids(scope):
        counts: CompensationCounts = compensation_counts(program_id, scope.start, scope.end)
        applied, approved, denied = applied + counts.applied, approved + counts.approved, denied + counts.denied
    rows = ((APPROVED, approved), (DENIED, denied), (WAITING, applied - approved - denied))
    return MeasureResult(value=applied, rows=rows)


TEMPLATE = ReportTemplate(
    id="hvip-annual",
    title="HVIP annual report",
    funder="Hospital-based violence intervention funders",
    description=(
        "What the hospital-based program did in the year: the bedside funnel from screening to enrolment and its "
        "reach, how fast staff reached the bedside, services connected, retention after discharge, violent "
        "re-injury, and victim compensation applications."
    ),
    sections=(
        Section(
            "Bedside funnel",
            (
                "hvip.screened",
                "hvip.eligible",
                "hvip.approached",
                "hvip.enrolled",
                "hvip.reach",
                "hvip.not_enrolled_reasons",
            ),
            charts=("hvip.screened",),
        ),
        Section("Bedside response", ("hvip.bedside_median_hours",)),
        Section("Services connected", ("hvip.referrals_connected",), charts=("hvip.referrals_connected",)),
        Section("Retention after discharge", tuple(f"hvip.retention_{days}" for days in FOLLOW_UP_DAYS)),
        Section("Violent re-injury", ("hvip.reinjured", "hvip.reinjury_rate")),
        Section("Victim compensation", ("hvip.compensation",)),
    ),
    program_kinds=("hvip",),
    summary=(
        "hvip.screened",
        "hvip.eligible",
        "hvip.enrolled",
        "hvip.reach",
        "hvip.bedside_median_hours",
        "hvip.retention_90",
        "hvip.reinjury_rate",
        "hvip.compensation",
    ),
)
