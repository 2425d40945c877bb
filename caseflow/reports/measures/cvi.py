"""Measures for the community violence intervention (CVI) performance report, and its questionnaire mapping.

Each measure is a fixed number of SQL aggregates over the scope. Mediation, shooting response and community
activity figures reuse the street outreach module's queries, summed over the scope's street outreach programs.
"""

import statistics

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy import case as sql_case

from caseflow.dashboard.queries import CONNECTED_STATUSES
from caseflow.extensions import db
from caseflow.models import Case, Goal, Outcome, Participant, Program, Referral
from caseflow.models.choices import SERVICE_CATEGORIES
from caseflow.models.outreach import ACTIVITY_KINDS, MEDIATION_OUTCOMES, MEDIATION_SOURCES
from caseflow.outreach.queries import (
    TIMELY_MINUTES,
    ActivityTotals,
    MediationCounts,
    activity_totals,
    mediation_counts,
    response_minutes,
)
from caseflow.reports.population import (
    active_at_end,
    age_rows,
    count_people,
    gender_rows,
    holder_at_end,
    live_case_in_scope,
    race_rows,
    served_people,
)
from caseflow.reports.registry import MeasureResult, ReportScope, ReportTemplate, Section, measure

# The outcome events the CVI questionnaire asks about, in print order.
VIOLENCE_OUTCOMES = (("re_injured", "Re-injured"), ("arrested", "Arrested"), ("incarcerated", "Incarcerated"))


# --- shared pieces -------------------------------------------------------------------------------------------


def _person_key():
    """The person a participant row counts as: the record it was merged into, if any (as the dashboard does)."""
    return func.coalesce(Participant.merged_into_id, Participant.id)


def _person_counts():
    """A participant row counts if it is live, or retired by a merge (then as the kept record)."""
    return or_(Participant.deleted_at.is_(None), Participant.merged_into_id.is_not(None))


def _outreach_program_ids(scope: ReportScope) -> list[int]:
    """The scope's street outreach programs: only they record mediations, shooting responses and activities."""
    return list(
        db.session.execute(
            select(Program.id)
            .where(Program.id.in_(scope.program_ids), Program.kind == "street_outreach")
            .order_by(Program.id)
        ).scalars()
    )


def _sum_mediations(scope: ReportScope) -> tuple[int, dict[str, int], dict[str, int]]:
    """outreach.queries.mediation_counts for each street outreach program in scope, added up by stored value."""
    by_source = dict.fromkeys((value for value, _ in MEDIATION_SOURCES), 0)
    by_outcome = dict.fromkeys((value for value, _ in MEDIATION_OUTCOMES), 0)
    total = 0
    for program_id in _outreach_program_ids(scope):
        counts: MediationCounts = mediation_counts(program_id, scope.start, scope.end)
        total += counts.total
        for row in counts.by_source:
            by_source[row.value] += row.count
        for row in counts.by_outcome:
            by_outcome[row.value] += row.count
    return total, by_source, by_outcome


def _all_response_minutes(scope: ReportScope) -> list[int]:
    """Minutes to first response of every shooting response in scope (a median cannot be summed per program)."""
    minutes: list[int] = []
    for program_id in _outreach_program_ids(scope):
        minutes.extend(response_minutes(program_id, scope.start, scope.end))
    return sorted(minutes)


def _sum_activities(scope: ReportScope) -> dict[str, tuple[int, int, int]]:
    """Per activity kind: (activities, staff minutes, people reached), summed over street outreach programs."""
    totals = {kind: (0, 0, 0) for kind, _ in ACTIVITY_KINDS}
    for program_id in _outreach_program_ids(scope):
        found: ActivityTotals = activity_totals(program_id, scope.start, scope.end)
        for row in found.by_kind:
            count, minutes, people = totals[row.kind]
            totals[row.kind] = (count + row.count, minutes + row.minutes, people + row.people_reached)
    return totals


# --- enrollment and people served ----------------------------------------------------------------------------


@measure(
    "cvi.newly_enrolled",
    "Newly enrolled participants",
    """People with at least one case in the chosen programs whose enrolled date falls in the period, each
    counted once however many such cases they have (merged records count as one person). Deleted cases and
    deleted people are not counted.""",
)
def newly_enrolled(scope: ReportScope) -> MeasureResult:
    count = db.session.execute(
        select(func.count(func.distinct(_person_key())))
        .select_from(Case)
        .join(Participant, Participant.id == Case.participant_id)
        .where(live_case_in_scope(scope), _person_counts(), Case.enrolled_on.between(scope.start, scope.end))
    ).scalar_one()
    return MeasureResult(int(count))


@measure(
    "cvi.actively_served",
    "Participants actively served",
    """People served in the period, each counted once: at least one completed contact, referral action
    (made, connected or closed), conflict mediation, hospital intake, call-in attendance or delivered custom
    notification dated in the period, on a case of the chosen programs. Attempted contacts alone do not make
    a person served; deleted records never count.""",
)
def actively_served(scope: ReportScope) -> MeasureResult:
    return MeasureResult(count_people(served_people(scope)))


@measure(
    "cvi.service_plan",
    "Participants served with a service plan",
    """People served in the period (as in "Participants actively served") who have at least one goal, not
    deleted, set on or before the last day of the period on a case of the chosen programs, whatever the goal's
    status. Each person counts once.""",
)
def service_plan(scope: ReportScope) -> MeasureResult:
    people = served_people(scope)
    has_goal = exists().where(
        Goal.case_id == Case.id,
        Goal.deleted_at.is_(None),
        Goal.set_on <= scope.end,
        Case.participant_id == people.c.participant_id,
        live_case_in_scope(scope),
    )
    count = db.session.execute(select(func.count()).select_from(people).where(has_goal)).scalar_one()
    return MeasureResult(int(count))


# --- demographics --------------------------------------------------------------------------------------------


@measure(
    "cvi.age",
    "People served by age",
    """People actively served in the period, by age on the first day of the period (from the date of birth,
    or the recorded estimate aged forward), in the bands 0–12, 13–17, 18–24, 25–34, 35–59, 60+ and Not
    reported. The rows add up to the people served.""",
)
def age(scope: ReportScope) -> MeasureResult:
    rows = age_rows(served_people(scope), scope.start)
    return MeasureResult(sum(n for _, n in rows), rows)


@measure(
    "cvi.gender",
    "People served by gender",
    """People actively served in the period, by gender as recorded; none recorded is Not reported. The rows
    add up to the people served.""",
)
def gender(scope: ReportScope) -> MeasureResult:
    rows = gender_rows(served_people(scope))
    return MeasureResult(sum(n for _, n in rows), rows)


@measure(
    "cvi.race",
    "People served by race and ethnicity",
    """People actively served in the period, by the federal minimum race and ethnicity categories. A person
    with more than one category recorded counts once, under "More than one race or ethnicity"; none
    recorded is Not reported. The rows add up to the people served.""",
)
def race(scope: ReportScope) -> MeasureResult:
    rows = race_rows(served_people(scope))
    return MeasureResult(sum(n for _, n in rows), rows)


# --- conflict mediation --------------------------------------------------------------------------------------


@measure(
    "cvi.mediations_by_source",
    "Conflict mediations by how identified",
    """Conflict mediations held in the period by the chosen street outreach programs, by how the conflict
    came to the team's attention (tip, incident, release from custody, social media, other). Each
    mediation counts once, whether or not any participant is linked to it; deleted mediations do not count.""",
)
def mediations_by_source(scope: ReportScope) -> MeasureResult:
    total, by_source, _ = _sum_mediations(scope)
    return MeasureResult(total, tuple((label, by_source[value]) for value, label in MEDIATION_SOURCES))


@measure(
    "cvi.mediations_by_outcome",
    "Conflict mediations by outcome",
    """Conflict mediations held in the period by the chosen street outreach programs, by their recorded
    outcome (resolved, temporarily resolved, ongoing, violence occurred). Each mediation counts once;
    deleted mediations do not count.""",
)
def mediations_by_outcome(scope: ReportScope) -> MeasureResult:
    total, _, by_outcome = _sum_mediations(scope)
    return MeasureResult(total, tuple((label, by_outcome[value]) for value, label in MEDIATION_OUTCOMES))


# --- shooting response ---------------------------------------------------------------------------------------


@measure(
    "cvi.shooting_responses",
    "Shooting responses",
    """Responses by the chosen street outreach programs to shootings in the incident register whose first
    response (at the scene, hospital, family or vigil) falls in the period. Deleted responses, and responses
    to deleted incidents, do not count.""",
)
def shooting_responses(scope: ReportScope) -> MeasureResult:
    return MeasureResult(len(_all_response_minutes(scope)))


@measure(
    "cvi.response_median_minutes",
    "Median minutes from shooting to first response",
    """The median, over the shooting responses counted in "Shooting responses", of the whole minutes from
    the time of the shooting in the incident register to the program's first response. Blank when there
    were no responses.""",
    unit="minutes",
    suppress=False,
)
def response_median_minutes(scope: ReportScope) -> MeasureResult:
    minutes = _all_response_minutes(scope)
    return MeasureResult(statistics.median(minutes) if minutes else None)


@measure(
    "cvi.responses_within_24h",
    "Share of shooting responses within 24 hours",
    """Of the shooting responses counted in "Shooting responses", the share whose first response came no
    more than 24 hours (1,440 minutes) after the shooting. The denominator is all those responses.""",
    unit="rate",
    # A rate is protected by its denominator: under the threshold it prints "n/a (small numbers)".
    suppress=False,
)
def responses_within_24h(scope: ReportScope) -> MeasureResult:
    minutes = _all_response_minutes(scope)
    if not minutes:
        return MeasureResult(None, denominator=0)
    timely = sum(1 for m in minutes if m <= TIMELY_MINUTES)
    return MeasureResult(timely / len(minutes), denominator=len(minutes))


# --- referrals -----------------------------------------------------------------------------------------------


def _referrals_by_category(scope: ReportScope) -> dict[str, tuple[int, int]]:
    """Per service category: (referrals made in the period, of those connected by the period's end). One GROUP BY."""
    connected = and_(
        Referral.status.in_(CONNECTED_STATUSES), Referral.connected_on.is_not(None), Referral.connected_on <= scope.end
    )
    rows = db.session.execute(
        select(
            Referral.service_category,
            func.count(Referral.id),
            func.coalesce(func.sum(sql_case((connected, 1), else_=0)), 0),
        )
        .join(Case, Case.id == Referral.case_id)
        .join(Participant, Participant.id == Case.participant_id)
        .where(
            live_case_in_scope(scope),
            _person_counts(),
            Referral.deleted_at.is_(None),
            Referral.referred_on.between(scope.start, scope.end),
        )
        .group_by(Referral.service_category)
    ).all()
    return {category: (int(made), int(received)) for category, made, received in rows}


@measure(
    "cvi.referrals_made",
    "Referrals made, by service category",
    """Referrals to services made in the period (referral date in the period) on cases of the chosen programs,
    by service category. A person referred twice counts twice; deleted referrals and referrals of deleted
    cases or people do not count.""",
)
def referrals_made(scope: ReportScope) -> MeasureResult:
    found = _referrals_by_category(scope)
    rows = tuple((label, found.get(value, (0, 0))[0]) for value, label in SERVICE_CATEGORIES)
    return MeasureResult(sum(n for _, n in rows), rows)


@measure(
    "cvi.referrals_received",
    "Referrals received (connected), by service category",
    """Of the referrals counted in "Referrals made", those the participant received: marked connected (or
    connected and then completed) with a connection date on or before the last day of the period, by
    service category. Re-running the report later gives the same figure.""",
)
def referrals_received(scope: ReportScope) -> MeasureResult:
    found = _referrals_by_category(scope)
    rows = tuple((label, found.get(value, (0, 0))[1]) for value, label in SERVICE_CATEGORIES)
    return MeasureResult(sum(n for _, n in rows), rows)


# --- re-injury, arrest, incarceration ------------------------------------------------------------------------


def _violence_outcomes(scope: ReportScope):
    """Conditions: live outcome events of the three types, dated in the period, on live cases of counted people."""
    return and_(
        live_case_in_scope(scope),
        _person_counts(),
        Outcome.deleted_at.is_(None),
        Outcome.outcome_type.in_([value for value, _ in VIOLENCE_OUTCOMES]),
        Outcome.occurred_on.between(scope.start, scope.end),
    )


@measure(
    "cvi.violence_events",
    "Re-injury, arrest and incarceration events",
    """Outcome events recorded on cases of the chosen programs with type Re-injured, Arrested or
    Incarcerated and dated in the period, by type. Every event counts, so a person arrested twice counts
    twice; deleted events, cases and people do not count.""",
)
def violence_events(scope: ReportScope) -> MeasureResult:
    found = dict(
        db.session.execute(
            select(Outcome.outcome_type, func.count(Outcome.id))
            .join(Case, Case.id == Outcome.case_id)
            .join(Participant, Participant.id == Case.participant_id)
            .where(_violence_outcomes(scope))
            .group_by(Outcome.outcome_type)
        ).all()
    )
    rows = tuple((label, int(found.get(value, 0))) for value, label in VIOLENCE_OUTCOMES)
    return MeasureResult(sum(n for _, n in rows), rows)


@measure(
    "cvi.violence_people",
    "Participants re-injured, arrested or incarcerated",
    """People with at least one of the events counted in "Re-injury, arrest and incarceration events", each
    counted once (merged records as one person); by type, a person counts once in each type they had, so
    the rows can add up to more than the total.""",
)
def violence_people(scope: ReportScope) -> MeasureResult:
    person = _person_key()

    def people_with(condition):
        return func.count(func.distinct(sql_case((condition, person))))

    row = db.session.execute(
        select(
            func.count(func.distinct(person)),
            *[people_with(Outcome.outcome_type == value) for value, _ in VIOLENCE_OUTCOMES],
        )
        .select_from(Outcome)
        .join(Case, Case.id == Outcome.case_id)
        .join(Participant, Participant.id == Case.participant_id)
        .where(_violence_outcomes(scope))
    ).one()
    rows = tuple((label, int(n)) for (_, label), n in zip(VIOLENCE_OUTCOMES, row[1:], strict=True))
    return MeasureResult(int(row[0]), rows, total_shown=False)


# --- caseload ------------------------------------------------------------------------------------------------


def _caseloads_at_end(scope: ReportScope) -> tuple[int, int, int]:
    """(workers carrying cases, active cases they carry, the largest one caseload) at the end of the period.

    A case is active at the end of the last day as on the dashboard (enrolled on or before it, not closed by
    then). Its worker then is the one it was assigned to at that moment: if it was reassigned later, the
    worker it was taken from at the first later reassignment; otherwise its current worker.
    """
    cases = (
        select(holder_at_end(scope).label("worker_id"))
        .join(Participant, Participant.id == Case.participant_id)
        .where(active_at_end(scope), _person_counts())
        .subquery()
    )
    per_worker = (
        select(func.count().label("n"))
        .select_from(cases)
        .where(cases.c.worker_id.is_not(None))
        .group_by(cases.c.worker_id)
        .subquery()
    )
    workers, carried, largest = db.session.execute(
        select(func.count(), func.coalesce(func.sum(per_worker.c.n), 0), func.coalesce(func.max(per_worker.c.n), 0))
    ).one()
    return int(workers), int(carried), int(largest)


@measure(
    "cvi.caseload_average",
    "Average caseload per worker at period end",
    """Active cases of the chosen programs at the end of the last day of the period (enrolled on or before
    it and not closed by then), divided by the staff members carrying at least one of them; each case counts
    for the worker it was assigned to at that moment, and a worker in several of the programs is one worker.
    Unassigned cases are left out. No staff names are reported.""",
    suppress=False,
)
def caseload_average(scope: ReportScope) -> MeasureResult:
    workers, carried, _ = _caseloads_at_end(scope)
    return MeasureResult(round(carried / workers, 1) if workers else None)


@measure(
    "cvi.caseload_maximum",
    "Largest caseload of one worker at period end",
    """The largest number of active cases (as in "Average caseload per worker at period end") assigned to a
    single staff member at the end of the last day of the period. No staff names are reported.""",
    suppress=False,
)
def caseload_maximum(scope: ReportScope) -> MeasureResult:
    workers, _, largest = _caseloads_at_end(scope)
    return MeasureResult(largest if workers else None)


# --- community activity --------------------------------------------------------------------------------------


@measure(
    "cvi.activities",
    "Community activities",
    """Community activities (canvassing, community events, norm-change activities, other) recorded by the
    chosen street outreach programs on a day in the period, by kind. These are events open to the community,
    not services to a person, so small counts are shown. Deleted activities do not count.""",
    suppress=False,
)
def activities(scope: ReportScope) -> MeasureResult:
    totals = _sum_activities(scope)
    rows = tuple((label, totals[kind][0]) for kind, label in ACTIVITY_KINDS)
    return MeasureResult(sum(n for _, n in rows), rows)


@measure(
    "cvi.activity_hours",
    "Staff hours on community activities",
    """Staff time recorded on the community activities counted in "Community activities", in hours (recorded in
    whole minutes, summed, then divided by 60 and rounded to two decimals), by kind.""",
    unit="hours",
    suppress=False,
)
def activity_hours(scope: ReportScope) -> MeasureResult:
    totals = _sum_activities(scope)
    rows = tuple((label, round(totals[kind][1] / 60, 2)) for kind, label in ACTIVITY_KINDS)
    return MeasureResult(round(sum(t[1] for t in totals.values()) / 60, 2), rows)


@measure(
    "cvi.people_reached",
    "People reached by community activities",
    """The people-reached figures staff recorded on the community activities counted in "Community
    activities", added up, by kind. This is a tally of contacts, not of identified people: the same person
    may be counted at several activities and nobody reached is recorded by name or linked to a participant
    record, so a small number cannot point at anyone and is shown as it is.""",
    suppress=False,
)
def people_reached(scope: ReportScope) -> MeasureResult:
    totals = _sum_activities(scope)
    rows = tuple((label, totals[kind][2]) for kind, label in ACTIVITY_KINDS)
    return MeasureResult(sum(n for _, n in rows), rows)


# --- the federal questionnaire ---------------------------------------------------------------------------------

# The federal CVI performance questionnaire, in its own wording, and the measure that answers each question.
# For grants staff: this wording is drafted from the measures; check every question against the funder's form
# and its reporting guidance before the first submission, and change the text here (not the measures) to match.
QUESTIONNAIRE: tuple[tuple[str, str, str], ...] = (
    (
        "Q1",
        "How many individuals were newly enrolled in the program during the reporting period?",
        "cvi.newly_enrolled",
    ),
    (
        "Q2",
        "How many individuals received services from the program during the reporting period?",
        "cvi.actively_served",
    ),
    ("Q3", "Of the individuals served, how many were in each age group?", "cvi.age"),
    ("Q4", "Of the individuals served, how many identified with each gender?", "cvi.gender"),
    ("Q5", "Of the individuals served, how many identified with each race and ethnicity category?", "cvi.race"),
    ("Q6", "How many individuals served had an individualized service or case plan?", "cvi.service_plan"),
    (
        "Q7",
        "How many conflict mediations did program staff conduct, by how the conflict was identified?",
        "cvi.mediations_by_source",
    ),
    ("Q8", "What was the outcome of the conflict mediations conducted?", "cvi.mediations_by_outcome"),
    ("Q9", "How many shooting incidents did program staff respond to?", "cvi.shooting_responses"),
    (
        "Q10",
        "What was the median time, in minutes, from a shooting to the program's first response?",
        "cvi.response_median_minutes",
    ),
    (
        "Q11",
        "What percentage of shooting responses occurred within 24 hours of the incident?",
        "cvi.responses_within_24h",
    ),
    ("Q12", "How many referrals to services were made, by type of service?", "cvi.referrals_made"),
    ("Q13", "How many of those referrals resulted in the participant receiving the service?", "cvi.referrals_received"),
    (
        "Q14",
        "How many re-injuries, arrests and incarcerations among participants were recorded?",
        "cvi.violence_events",
    ),
    ("Q15", "How many participants were re-injured, arrested or incarcerated?", "cvi.violence_people"),
    ("Q16", "What was the average caseload per case manager or outreach worker?", "cvi.caseload_average"),
    ("Q17", "What was the largest caseload held by a single case manager or outreach worker?", "cvi.caseload_maximum"),
    ("Q18", "How many community engagement activities did the program hold?", "cvi.activities"),
    ("Q19", "How many staff hours were spent on community engagement activities?", "cvi.activity_hours"),
    ("Q20", "How many community members were reached through those activities?", "cvi.people_reached"),
)


TEMPLATE = ReportTemplate(
    questionnaire=QUESTIONNAIRE,
    id="cvi-performance",
    title="Community violence intervention performance report",
    funder="Federal community violence intervention grant",
    description=(
        "Enrollment, people served and their demographics, conflict mediation, shooting response, referrals, "
        "re-injury and justice involvement, caseloads and community activity, for a community violence "
        "intervention grant's performance questionnaire."
    ),
    sections=(
        Section("Enrollment and people served", ("cvi.newly_enrolled", "cvi.actively_served", "cvi.service_plan")),
        Section("Demographics of people served", ("cvi.age", "cvi.gender", "cvi.race"), charts=("cvi.age", "cvi.race")),
        Section(
            "Conflict mediation",
            ("cvi.mediations_by_source", "cvi.mediations_by_outcome"),
            charts=("cvi.mediations_by_source", "cvi.mediations_by_outcome"),
        ),
        Section(
            "Shooting response",
            ("cvi.shooting_responses", "cvi.response_median_minutes", "cvi.responses_within_24h"),
        ),
        Section("Referrals", ("cvi.referrals_made", "cvi.referrals_received"), charts=("cvi.referrals_made",)),
        Section(
            "Re-injury, arrest and incarceration",
            ("cvi.violence_events", "cvi.violence_people"),
            charts=("cvi.violence_events",),
        ),
        Section("Caseloads", ("cvi.caseload_average", "cvi.caseload_maximum")),
        Section(
            "Community activity",
            ("cvi.activities", "cvi.activity_hours", "cvi.people_reached"),
            charts=("cvi.activities",),
        ),
    ),
    program_kinds=(),
    summary=(
        "cvi.newly_enrolled",
        "cvi.actively_served",
        "cvi.mediations_by_source",
        "cvi.shooting_responses",
        "cvi.response_median_minutes",
        "cvi.referrals_received",
        "cvi.violence_people",
    ),
)
