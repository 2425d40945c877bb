"""Measures for the program-summary template: what any program did in a period, in figures an auditor can retrace.

Each measure is a fixed number of SQL aggregates over the scope's live records; breakdowns list every category
in the vocabulary's order, zeros included. The dashboard's queries are reused where they already count the
same thing (enrolments, contacts by mode, the referral funnel, outcomes), so the report and the dashboard agree.
"""

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy import case as sql_case

from caseflow.dashboard.queries import (
    CONNECTED_STATUSES,
    contacts_by_week,
    enrollments_by_month,
    outcome_counts,
    referral_funnel,
)
from caseflow.extensions import db
from caseflow.models import Case, Contact, Goal, Participant, Program, Referral, ReferralStatusChange
from caseflow.models.choices import CLOSURE_REASONS, CONTACT_TYPES, GOAL_DOMAINS, SERVICE_CATEGORIES
from caseflow.referrals.services import WAITING_STATUSES, referral_overdue
from caseflow.reports.population import (
    active_at_end,
    age_rows,
    gender_rows,
    holder_at_end,
    live_case_in_scope,
    race_rows,
    served_people,
    utc_bounds,
)
from caseflow.reports.registry import MeasureResult, ReportScope, ReportTemplate, Section, measure

NOT_RECORDED = "Reason not recorded"
NEW, CONTINUING = "New (enrolled in the period)", "Continuing (enrolled before the period)"
COMPLETED, ATTEMPTED = "Completed", "Attempted"
SOURCE = "REPORTS.md: program-summary"


def _ordered(found: dict, choices, extra: tuple[str, ...] = ()) -> tuple[tuple[str, int], ...]:
    """Every category of a vocabulary by label, in its order, zeros included (plus fixed extra rows)."""
    rows = [(label, int(found.get(value, 0))) for value, label in choices]
    rows += [(label, int(found.get(label, 0))) for label in extra]
    return tuple(rows)


def _breakdown(rows: tuple[tuple[str, int], ...]) -> MeasureResult:
    return MeasureResult(value=sum(count for _, count in rows), rows=rows)


# --- people served -------------------------------------------------------------------------------------------


@measure(
    "summary.people_served",
    "People served",
    """People with at least one completed contact, referral action (made, connected or closed), mediation link,
    bedside injury intake, call-in attendance or delivered notification dated in the period, on a case of the
    chosen programs. Each person counts once, however many cases or services they had; merged records count once;
    attempted contacts alone and deleted records do not count. New: the person has a case in the chosen programs
    enrolled in the period. Continuing: everyone else served.""",
    source=SOURCE,
)
def people_served(scope: ReportScope) -> MeasureResult:
    served = served_people(scope)
    enrolled_in_period = exists().where(
        Case.participant_id == served.c.participant_id,
        live_case_in_scope(scope),
        Case.enrolled_on.between(scope.start, scope.end),
    )
    total, new = db.session.execute(
        select(func.count(), func.coalesce(func.sum(sql_case((enrolled_in_period, 1), else_=0)), 0)).select_from(served)
    ).one()
    total, new = int(total), int(new)
    return MeasureResult(value=total, rows=((NEW, new), (CONTINUING, total - new)))


@measure(
    "summary.newly_enrolled",
    "Cases newly enrolled",
    """Cases in the chosen programs whose enrolment date falls in the period. A person enrolled in two programs
    counts as two cases. Deleted cases do not count.""",
    source=SOURCE,
)
def newly_enrolled(scope: ReportScope) -> MeasureResult:
    months = enrollments_by_month(scope.program_ids, scope.start, scope.end)
    return MeasureResult(value=sum(m.count for m in months))


@measure(
    "summary.newly_enrolled_people",
    "People newly enrolled",
    """People with at least one case in the chosen programs whose enrolment date falls in the period, each counted
    once however many such cases they have. Deleted cases and deleted records do not count.""",
    source=SOURCE,
)
def newly_enrolled_people(scope: ReportScope) -> MeasureResult:
    people = db.session.execute(
        # A merge moves cases to the kept record and retires (deletes) the other, so nobody counts twice.
        select(func.count(func.distinct(Case.participant_id)))
        .join(Participant, Participant.id == Case.participant_id)
        .where(
            live_case_in_scope(scope),
            Case.enrolled_on.between(scope.start, scope.end),
            Participant.deleted_at.is_(None),
        )
    ).scalar_one()
    return MeasureResult(value=int(people))


@measure(
    "summary.cases_closed",
    "Cases closed, by reason",
    """Cases in the chosen programs whose closing date falls in the period, by the closure reason recorded
    (a closed case without a reason is listed as reason not recorded). A case reopened since no longer has a
    closing date and does not count. Deleted cases do not count.""",
    source=SOURCE,
)
def cases_closed(scope: ReportScope) -> MeasureResult:
    found = dict(
        db.session.execute(
            select(Case.closure_reason, func.count(Case.id))
            .where(live_case_in_scope(scope), Case.closed_on.between(scope.start, scope.end))
            .group_by(Case.closure_reason)
        ).all()
    )
    known = {value for value, _ in CLOSURE_REASONS}
    found[NOT_RECORDED] = sum(n for reason, n in found.items() if reason not in known)
    return _breakdown(_ordered(found, CLOSURE_REASONS, (NOT_RECORDED,)))


# --- demographics --------------------------------------------------------------------------------------------


@measure(
    "summary.age",
    "People served by age",
    """The people served (as counted above) by age on the first day of the period, from the date of birth or,
    when only an estimated age was recorded, that estimate aged by the time since it was made. Bands 0–12, 13–17,
    18–24, 25–34, 35–59, 60+; no birth date or estimate is not reported. The rows add up to the people served.""",
    source=SOURCE,
)
def age(scope: ReportScope) -> MeasureResult:
    return _breakdown(age_rows(served_people(scope), scope.start))


@measure(
    "summary.gender",
    "People served by gender",
    """The people served (as counted above) by gender as recorded; none recorded is not reported. The rows add up
    to the people served.""",
    source=SOURCE,
)
def gender(scope: ReportScope) -> MeasureResult:
    return _breakdown(gender_rows(served_people(scope)))


@measure(
    "summary.race",
    "People served by race and ethnicity",
    """The people served (as counted above) by the federal minimum race and ethnicity categories. A person with
    one category recorded counts in it; with more than one, in "more than one"; with none, in not reported. Each
    person counts in exactly one row, so the rows add up to the people served.""",
    source=SOURCE,
)
def race(scope: ReportScope) -> MeasureResult:
    return _breakdown(race_rows(served_people(scope)))


# --- contacts ------------------------------------------------------------------------------------------------


def _contacts_in_period(scope: ReportScope):
    low, high = utc_bounds(scope)
    return and_(
        live_case_in_scope(scope),
        Contact.deleted_at.is_(None),
        Contact.occurred_at >= low,
        Contact.occurred_at < high,
    )


@measure(
    "summary.contacts_by_mode",
    "Completed contacts, by mode",
    """Completed contacts with participants on cases of the chosen programs that happened in the period (local
    time), by mode (in person, phone, text, ...). Attempted contacts and deleted contacts do not count.""",
    source=SOURCE,
)
def contacts_by_mode(scope: ReportScope) -> MeasureResult:
    weekly = contacts_by_week(scope.program_ids, scope.start, scope.end)
    return _breakdown(tuple((label, total) for (_, label), total in zip(weekly.modes, weekly.mode_totals, strict=True)))


@measure(
    "summary.contacts_by_type",
    "Completed contacts, by type",
    """Completed contacts with participants on cases of the chosen programs that happened in the period (local
    time), by type (check-in, crisis response, ...). Attempted contacts and deleted contacts do not count.""",
    source=SOURCE,
)
def contacts_by_type(scope: ReportScope) -> MeasureResult:
    found = dict(
        db.session.execute(
            select(Contact.contact_type, func.count(Contact.id))
            .join(Case, Case.id == Contact.case_id)
            .where(_contacts_in_period(scope), Contact.is_completed.is_(True))
            .group_by(Contact.contact_type)
        ).all()
    )
    return _breakdown(_ordered(found, CONTACT_TYPES))


@measure(
    "summary.contacts",
    "Contacts, completed and attempted",
    """Contacts logged on cases of the chosen programs that happened in the period (local time): completed (the
    worker reached the person) and attempted (tried and did not reach them). Deleted contacts do not count.""",
    source=SOURCE,
)
def contacts(scope: ReportScope) -> MeasureResult:
    weekly = contacts_by_week(scope.program_ids, scope.start, scope.end)
    return _breakdown(((COMPLETED, weekly.completed), (ATTEMPTED, weekly.attempted)))


@measure(
    "summary.contact_hours",
    "Hours of completed contact",
    """The recorded durations of the completed contacts counted above, added up and shown in hours (one decimal).
    A contact with no duration recorded adds nothing; attempted and deleted contacts add nothing.""",
    unit="hours",
    suppress=False,
    source=SOURCE,
)
def contact_hours(scope: ReportScope) -> MeasureResult:
    minutes = db.session.execute(
        select(func.coalesce(func.sum(Contact.duration_minutes), 0))
        .join(Case, Case.id == Contact.case_id)
        .where(_contacts_in_period(scope), Contact.is_completed.is_(True))
    ).scalar_one()
    return MeasureResult(value=round(int(minutes) / 60, 1))


# --- referrals -----------------------------------------------------------------------------------------------


@measure(
    "summary.referrals_made",
    "Referrals made, by service category",
    """Referrals to services made from cases of the chosen programs with a referral date in the period, by service
    category. Every referral counts, whatever happened to it since; deleted referrals do not count.""",
    source=SOURCE,
)
def referrals_made(scope: ReportScope) -> MeasureResult:
    found = dict(
        db.session.execute(
            select(Referral.service_category, func.count(Referral.id))
            .join(Case, Case.id == Referral.case_id)
            .where(
                live_case_in_scope(scope),
                Referral.deleted_at.is_(None),
                Referral.referred_on.between(scope.start, scope.end),
            )
            .group_by(Referral.service_category)
        ).all()
    )
    return _breakdown(_ordered(found, SERVICE_CATEGORIES))


@measure(
    "summary.referrals_connected_share",
    "Share of referrals connected",
    f"""Of the referrals made in the period (as counted above), the share whose status is now connected or
    completed ({", ".join(CONNECTED_STATUSES)}): the person reached the service. The denominator is the referrals
    made.""",
    unit="rate",
    suppress=False,
    source=SOURCE,
)
def referrals_connected_share(scope: ReportScope) -> MeasureResult:
    funnel = referral_funnel(scope.program_ids, scope.start, scope.end)
    share = funnel.connected / funnel.referred if funnel.referred else None
    return MeasureResult(value=share, total_shown=False, denominator=funnel.referred)


@measure(
    "summary.median_days_to_connection",
    "Median days from referral to connection",
    """For the referrals made in the period that have connected, the median number of days from the referral date
    to the connection date. Referrals not (yet) connected are left out; none connected prints no figure.""",
    unit="days",
    suppress=False,
    source=SOURCE,
)
def median_days_to_connection(scope: ReportScope) -> MeasureResult:
    funnel = referral_funnel(scope.program_ids, scope.start, scope.end)
    return MeasureResult(value=funnel.median_days, total_shown=False)


def _status_at_end(scope: ReportScope):
    """(changed since the period ended, the status before its first later change): the status on the last day."""
    later = (
        select(ReferralStatusChange.from_status)
        .where(ReferralStatusChange.referral_id == Referral.id, ReferralStatusChange.changed_on > scope.end)
        .order_by(ReferralStatusChange.changed_on, ReferralStatusChange.id)
        .limit(1)
        .correlate(Referral)
        .scalar_subquery()
    )
    changed_since = exists().where(
        ReferralStatusChange.referral_id == Referral.id, ReferralStatusChange.changed_on > scope.end
    )
    return changed_since, later


@measure(
    "summary.referrals_overdue",
    "Referrals overdue at period end",
    f"""Referrals from cases of the chosen programs that, on the last day of the period, were still waiting for a
    connection (status {" or ".join(WAITING_STATUSES)}) and past their due date — the same rule as the overdue
    lists, applied to the status each referral had that day (a referral connected after the period still counts
    as overdue at its end). Referrals made before the period count; deleted referrals do not.""",
    source=SOURCE,
)
def referrals_overdue(scope: ReportScope) -> MeasureResult:
    changed_since, status_then = _status_at_end(scope)
    overdue = or_(
        # No change since the period ended: the status now is the status then, so the shared rule applies as is.
        and_(~changed_since, referral_overdue(scope.end)),
        # Changed since: the same rule, on the status it had before its first later change.
        and_(
            changed_since,
            Referral.deleted_at.is_(None),
            Referral.due_on.is_not(None),
            Referral.due_on < scope.end,
            status_then.in_(WAITING_STATUSES),
        ),
    )
    count = db.session.execute(
        select(func.count(Referral.id))
        .join(Case, Case.id == Referral.case_id)
        .where(live_case_in_scope(scope), Referral.referred_on <= scope.end, overdue)
    ).scalar_one()
    return MeasureResult(value=int(count))


# --- goals and outcomes --------------------------------------------------------------------------------------


def _goals_by_domain(scope: ReportScope, *conditions) -> MeasureResult:
    found = dict(
        db.session.execute(
            select(Goal.domain, func.count(Goal.id))
            .join(Case, Case.id == Goal.case_id)
            .where(live_case_in_scope(scope), Goal.deleted_at.is_(None), *conditions)
            .group_by(Goal.domain)
        ).all()
    )
    return _breakdown(_ordered(found, GOAL_DOMAINS))


@measure(
    "summary.goals_set",
    "Goals set, by domain",
    """Case-plan goals on cases of the chosen programs set in the period (by the date set), by domain. Deleted
    goals do not count.""",
    source=SOURCE,
)
def goals_set(scope: ReportScope) -> MeasureResult:
    return _goals_by_domain(scope, Goal.set_on.between(scope.start, scope.end))


@measure(
    "summary.goals_met",
    "Goals met, by domain",
    """Case-plan goals on cases of the chosen programs marked met with a date met in the period, by domain,
    whenever they were set. Deleted goals, and goals no longer marked met, do not count.""",
    source=SOURCE,
)
def goals_met(scope: ReportScope) -> MeasureResult:
    return _goals_by_domain(scope, Goal.status == "met", Goal.met_on.between(scope.start, scope.end))


@measure(
    "summary.outcomes",
    "Outcome events, by type",
    """Outcome events (employment started, re-injury, arrest, ...) recorded on cases of the chosen programs and
    dated in the period, by type. Each event counts, so one person can count more than once. Deleted events do not
    count.""",
    source=SOURCE,
)
def outcomes(scope: ReportScope) -> MeasureResult:
    counts = outcome_counts(scope.program_ids, scope.start, scope.end)
    return _breakdown(tuple((row.label, row.count) for row in counts.by_type))


# --- caseload ------------------------------------------------------------------------------------------------


def _worker_caseloads(scope: ReportScope) -> list[tuple[int, int, int]]:
    """(cases, program's target, worker id) per program and worker holding active cases at the period's end.

    Active at the end of the last day as the dashboard counts it (enrolled by then, not closed by then). The
    holder is the worker the case was assigned to that day: the one a later reassignment moved it from, or the
    current worker when it has not moved since. One GROUP BY.
    """
    active = (
        select(Case.program_id.label("program_id"), holder_at_end(scope).label("holder"))
        .where(active_at_end(scope))
        .subquery()
    )
    rows = db.session.execute(
        select(func.count(), Program.caseload_target, active.c.holder)
        .select_from(active)
        .join(Program, Program.id == active.c.program_id)
        .where(active.c.holder.is_not(None))
        .group_by(active.c.program_id, Program.caseload_target, active.c.holder)
    ).all()
    # Largest caseload first; ties by the worker's id only so the order is stable (the label carries no identity).
    return sorted(((int(n), int(target), int(worker)) for n, target, worker in rows), key=lambda r: (-r[0], r[2]))


@measure(
    "summary.caseload_per_worker",
    "Average caseload per worker at period end",
    """Active cases (enrolled by the last day of the period and not closed by then) per worker holding at least
    one, on the last day of the period, in each chosen program. The figure is the average over those workers;
    the rows give each worker's caseload, largest first, labelled by number only. Cases nobody held are left
    out. Deleted cases do not count.""",
    suppress=False,
    source=SOURCE,
)
def caseload_per_worker(scope: ReportScope) -> MeasureResult:
    loads = _worker_caseloads(scope)
    average = round(sum(n for n, _, _ in loads) / len(loads), 1) if loads else None
    rows = tuple((f"Worker {i}", n) for i, (n, _, _) in enumerate(loads, start=1))
    return MeasureResult(value=average, rows=rows, total_shown=False)


@measure(
    "summary.caseload_target",
    "Caseload target per worker",
    """The most active cases one worker should hold, as set in each chosen program's settings. With several
    programs the figure is the average of their targets and the rows give each program's.""",
    suppress=False,
    source=SOURCE,
)
def caseload_target(scope: ReportScope) -> MeasureResult:
    rows = db.session.execute(
        select(Program.name, Program.caseload_target).where(Program.id.in_(scope.program_ids)).order_by(Program.name)
    ).all()
    targets = tuple((name, int(target)) for name, target in rows)
    if not targets:
        return MeasureResult(value=None, total_shown=False)
    value = targets[0][1] if len(targets) == 1 else round(sum(t for _, t in targets) / len(targets), 1)
    return MeasureResult(value=value, rows=targets if len(targets) > 1 else (), total_shown=False)


@measure(
    "summary.workers_over_target",
    "Workers over the caseload target at period end",
    """Workers whose active caseload on the last day of the period (as counted above) was larger than their
    program's caseload target.""",
    suppress=False,
    source=SOURCE,
)
def workers_over_target(scope: ReportScope) -> MeasureResult:
    return MeasureResult(value=sum(1 for n, target, _ in _worker_caseloads(scope) if n > target))


TEMPLATE = ReportTemplate(
    id="program-summary",
    title="Program summary",
    funder="Any funder",
    description=(
        "What the chosen programs did in the period: people served, enrolments and closures, who was served, "
        "contacts, referrals, goals and outcomes, and caseloads against the program's target."
    ),
    sections=(
        Section(
            "People served",
            (
                "summary.people_served",
                "summary.newly_enrolled",
                "summary.newly_enrolled_people",
                "summary.cases_closed",
            ),
        ),
        Section("Demographics", ("summary.age", "summary.gender", "summary.race")),
        Section(
            "Contacts",
            ("summary.contacts", "summary.contacts_by_mode", "summary.contacts_by_type", "summary.contact_hours"),
            charts=("summary.contacts_by_mode",),
        ),
        Section(
            "Referrals",
            (
                "summary.referrals_made",
                "summary.referrals_connected_share",
                "summary.median_days_to_connection",
                "summary.referrals_overdue",
            ),
            charts=("summary.referrals_made",),
        ),
        Section(
            "Goals and outcomes",
            ("summary.goals_set", "summary.goals_met", "summary.outcomes"),
            charts=("summary.outcomes",),
        ),
        Section(
            "Caseload",
            ("summary.caseload_per_worker", "summary.caseload_target", "summary.workers_over_target"),
        ),
    ),
    summary=(
        "summary.people_served",
        "summary.newly_enrolled",
        "summary.contacts",
        "summary.referrals_made",
        "summary.referrals_connected_share",
        "summary.caseload_per_worker",
    ),
)
