"""Measures for the victim-services (VOCA-style) quarterly template: victims served, new victims, their services.

Every figure is a fixed number of SQL aggregates over the scope's live records. "New" is meant in the VOCA sense:
the first period of the federal fiscal year (1 October – 30 September) in which the person was served.

The victimization types and the service categories are mapped from program and case data. VICTIMIZATION_MAP and
SERVICE_MAP here are the defaults; a manager may replace either on the report mappings page (the report_mappings
table, deployment-wide). Each measure call loads the mapping in force once (one small query) and builds its CASE
clauses from it, and definition_for() prints the definition that mapping gives.
"""

from dataclasses import replace
from datetime import date, timedelta
from functools import partial

from sqlalchemy import and_, exists, func, literal, null, or_, select, union, union_all
from sqlalchemy import case as sql_case

from caseflow.extensions import db
from caseflow.hvip.queries import compensation_counts
from caseflow.models import (
    Case,
    CompensationClaim,
    Contact,
    Incident,
    IncidentPerson,
    Injury,
    Mediation,
    MediationPerson,
    Outcome,
    Participant,
    Program,
    Referral,
    ReportMapping,
)
from caseflow.models.choices import CONTACT_MODES, CONTACT_TYPES, OUTCOME_TYPES, SERVICE_CATEGORIES
from caseflow.models.hvip import INJURY_MECHANISMS
from caseflow.models.incident import INCIDENT_ROLES
from caseflow.reports.population import (
    VOCA_AGE_BANDS,
    age_rows,
    count_people,
    gender_rows,
    live_case_in_scope,
    race_rows,
    served_people,
    utc_bounds,
)
from caseflow.reports.registry import MEASURES, MeasureResult, ReportScope, ReportTemplate, Section, measure
from caseflow.timezones import day_number_sql, local_date_sql

SOURCE = "REPORTS.md: victim-services (VOCA-style quarterly)"
NEW, CONTINUING = "New this period", "Continuing (served earlier in the fiscal year)"
FISCAL_YEAR_START_MONTH = 10  # the federal fiscal year starts on 1 October
ADULT_AGE = 18

# --- victimization types (editable list, in REPORTS.md's order) ----------------------------------------------

ADULT_ASSAULT = "Adult physical assault"
OTHER = "Other"
VICTIMIZATION_TYPES = (
    ADULT_ASSAULT,
    "Survivors of homicide victims",
    "Domestic and/or family violence",
    "Stalking/harassment",
    "Child physical abuse or neglect",
    "Teen dating victimization",
    "Bullying",
    "Hate crime",
    "Human trafficking",
    "Robbery",
    OTHER,
)

# Where a victimization type comes from: record kind -> stored value -> (type when 18 or older on the day it
# happened, type when under 18 or age unknown). Only records the case data can prove are mapped; a person with
# none of them is counted under Other. Injuries are in no way a sign of child abuse, so minors go to Other.
VICTIMIZATION_MAP: dict[str, dict[str, tuple[str, str]]] = {
    "injury_mechanism": {
        "gunshot": (ADULT_ASSAULT, OTHER),  # a shooting injury seen by a hospital program is an assault
        "stabbing": (ADULT_ASSAULT, OTHER),  # likewise a stabbing
        "blunt_assault": (ADULT_ASSAULT, OTHER),  # likewise a beating
        "other": (OTHER, OTHER),  # a violent injury of unrecorded kind: no more precise type is defensible
    },
    "incident_role": {
        "victim": (ADULT_ASSAULT, OTHER),  # linked to a shooting in the incident register as its victim
    },
    "outcome_type": {
        "victimized": (OTHER, OTHER),  # a "victimized" outcome event does not say how
    },
}

# --- services (the five VOCA categories) ---------------------------------------------------------------------

INFORMATION_REFERRAL = "Information and referral"
ADVOCACY = "Personal advocacy and accompaniment"
EMOTIONAL_SAFETY = "Emotional support or safety services"
SHELTER_HOUSING = "Shelter and housing services"
JUSTICE = "Criminal and civil justice system assistance"
VOCA_SERVICE_CATEGORIES = (INFORMATION_REFERRAL, ADVOCACY, EMOTIONAL_SAFETY, SHELTER_HOUSING, JUSTICE)

# Where each service category comes from: record kind -> stored value -> category. Values not listed give no
# VOCA service on their own (a routine check-in, a family support contact, an employment referral beyond the
# information and referral every referral counts as).
SERVICE_MAP: dict[str, dict[str, str]] = {
    "contact_type": {
        "crisis_response": EMOTIONAL_SAFETY,  # crisis intervention and safety planning
        "conflict_related": EMOTIONAL_SAFETY,  # working a dispute before it turns violent is a safety service
        "service_navigation": ADVOCACY,  # helping the person secure services from other providers
    },
    "contact_mode": {
        "hospital_bedside": ADVOCACY,  # advocacy and accompaniment at emergency medical care
        "court": JUSTICE,  # criminal or civil court advocacy and accompaniment
    },
    "referral_category": {
        "housing": SHELTER_HOUSING,  # housing help
        "relocation": SHELTER_HOUSING,  # relocation assistance
        "legal": JUSTICE,  # civil legal assistance, protection orders, other legal advice
        "mental_health": EMOTIONAL_SAFETY,  # counselling and therapy
        "victim_compensation": ADVOCACY,  # help applying for victim compensation
    },
    "module": {
        "mediation": EMOTIONAL_SAFETY,  # linked to a conflict mediation: a safety service
        "bedside_contact": ADVOCACY,  # the hospital program's first bedside contact after an injury
        "compensation_claim": ADVOCACY,  # a victim compensation application the program helped with
    },
}
# Every referral to another service is also information and referral, whatever its category.
EVERY_REFERRAL = INFORMATION_REFERRAL

# The values the maps use must exist, so an edit with a typo fails at start-up, not in a funder's report.
_KNOWN_VALUES = {
    "injury_mechanism": {v for v, _ in INJURY_MECHANISMS},
    "incident_role": {v for v, _ in INCIDENT_ROLES},
    "outcome_type": {v for v, _ in OUTCOME_TYPES},
    "contact_type": {v for v, _ in CONTACT_TYPES},
    "contact_mode": {v for v, _ in CONTACT_MODES},
    "referral_category": {v for v, _ in SERVICE_CATEGORIES},
    "module": {"mediation", "bedside_contact", "compensation_claim"},
}


def check_maps() -> None:
    """Every mapped value is a stored value and every target a listed type or category."""
    for maps, targets in ((VICTIMIZATION_MAP, VICTIMIZATION_TYPES), (SERVICE_MAP, VOCA_SERVICE_CATEGORIES)):
        for kind, mapping in maps.items():
            unknown = set(mapping) - _KNOWN_VALUES[kind]
            wrong = {t for v in mapping.values() for t in (v if isinstance(v, tuple) else (v,))} - set(targets)
            if unknown or wrong:
                raise ValueError(f"{kind}: unknown values {sorted(unknown)}, unknown targets {sorted(wrong)}")
    if EVERY_REFERRAL not in VOCA_SERVICE_CATEGORIES:
        raise ValueError(f"unknown service category {EVERY_REFERRAL}")


check_maps()


# How each record kind and module value reads in a printed definition.
_LABELS = {
    "injury_mechanism": dict(INJURY_MECHANISMS),
    "incident_role": dict(INCIDENT_ROLES),
    "outcome_type": dict(OUTCOME_TYPES),
    "contact_type": dict(CONTACT_TYPES),
    "contact_mode": dict(CONTACT_MODES),
    "referral_category": dict(SERVICE_CATEGORIES),
    "module": {
        "mediation": "linked to a conflict mediation held in the period",
        "bedside_contact": "first bedside contact after an injury",
        "compensation_claim": "victim compensation application helped with",
    },
}


NOT_COUNTED = "not counted"


def _describe(kind: str, mapping: dict) -> str:
    """A mapping as plain words for a printed definition."""
    words = []
    for value, target in mapping.items():
        label = _LABELS[kind].get(value, value)
        if isinstance(target, tuple):
            adult, minor = (t or NOT_COUNTED for t in target)
            target = adult if adult == minor else f"{adult} if 18 or older on the day, otherwise {minor}"
        words.append(f"{label} → {target}")
    return "; ".join(words) or "none counted"


# --- the mapping in force: saved by a manager, else the defaults above ---------------------------------------

VICTIMIZATION, SERVICE = "voca_victimization", "voca_service"
DEFAULTS = {VICTIMIZATION: VICTIMIZATION_MAP, SERVICE: SERVICE_MAP}
TARGETS = {VICTIMIZATION: VICTIMIZATION_TYPES, SERVICE: VOCA_SERVICE_CATEGORIES}
MODULE_RECORDS = [
    ("mediation", "Linked to a conflict mediation held in the period"),
    ("bedside_contact", "First bedside contact after an injury"),
    ("compensation_claim", "Victim compensation application helped with"),
]
# What the mapping page lists: (record kind, heading, (stored value, label) in display order) per mapping.
SOURCES = {
    VICTIMIZATION: (
        ("injury_mechanism", "Injuries recorded by the programs, by mechanism", INJURY_MECHANISMS),
        ("incident_role", "Links to a shooting in the incident register, by role", INCIDENT_ROLES),
        ("outcome_type", "Outcome events on cases", OUTCOME_TYPES),
    ),
    SERVICE: (
        ("contact_type", "Completed contacts, by type", CONTACT_TYPES),
        ("contact_mode", "Completed contacts, by mode", CONTACT_MODES),
        ("referral_category", "Referrals made or connected in the period, by category", SERVICE_CATEGORIES),
        ("module", "Module records", MODULE_RECORDS),
    ),
}


def effective_map(mapping: str) -> dict:
    """The mapping in force, shaped like its default: the saved rows when there are any, else the default.

    One small query. Saved values or targets the code no longer knows are left out rather than guessed at;
    a value saved as not counted is left out too, as the defaults leave out what they do not count.
    """
    rows = db.session.execute(
        select(
            ReportMapping.source_kind, ReportMapping.source_value, ReportMapping.target, ReportMapping.target_minor
        ).where(ReportMapping.mapping == mapping)
    ).all()
    if not rows:
        return DEFAULTS[mapping]
    targets = set(TARGETS[mapping])
    saved: dict[str, dict] = {kind: {} for kind, _, _ in SOURCES[mapping]}
    for kind, value, target, minor in rows:
        if kind not in saved or value not in _KNOWN_VALUES[kind]:
            continue
        target = target if target in targets else None
        if mapping == VICTIMIZATION:
            minor = minor if minor in targets else None
            if target or minor:
                saved[kind][value] = (target, minor)
        elif target:
            saved[kind][value] = target
    return saved


# --- new and continuing --------------------------------------------------------------------------------------


def fiscal_year_start(day: date) -> date:
    """The first day (1 October) of the federal fiscal year the day falls in."""
    year = day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1
    return date(year, FISCAL_YEAR_START_MONTH, 1)


def new_victims(scope: ReportScope):
    """Subquery (participant_id) of people served in the period and not served earlier in its fiscal year.

    An anti-join of the period's served people against those served from 1 October to the day before the period;
    a period starting on 1 October has no earlier part, so everyone served is new.
    """
    served = served_people(scope)
    year_start = fiscal_year_start(scope.start)
    if scope.start <= year_start:
        return select(served.c.participant_id).subquery("new_victims")
    earlier = served_people(ReportScope(scope.program_ids, year_start, scope.start - timedelta(days=1))).alias(
        "served_earlier"
    )
    return (
        select(served.c.participant_id)
        .outerjoin(earlier, earlier.c.participant_id == served.c.participant_id)
        .where(earlier.c.participant_id.is_(None))
        .subquery("new_victims")
    )


def _breakdown(rows: tuple[tuple[str, int], ...]) -> MeasureResult:
    return MeasureResult(value=sum(count for _, count in rows), rows=rows)


@measure(
    "voca.victims_served",
    "Total victims served",
    """People with at least one completed contact, referral action (made, connected or closed), mediation link,
    bedside injury intake, call-in attendance or delivered notification dated in the period, on a case of the
    chosen programs. Each person counts once, however many cases or services they had; merged records count once;
    attempted contacts alone and deleted records do not count. New: not served between 1 October (the start of
    the federal fiscal year) and the day before the period. Continuing: served earlier in the same fiscal year.""",
    source=SOURCE,
)
def victims_served(scope: ReportScope) -> MeasureResult:
    total = count_people(served_people(scope))
    new = count_people(new_victims(scope))
    return MeasureResult(value=total, rows=((NEW, new), (CONTINUING, total - new)))


@measure(
    "voca.new_victims",
    "New victims this period",
    """Victims served in the period (as counted above) who were not served on any day from 1 October, the start
    of the federal fiscal year the period begins in, to the day before the period. In a period starting on
    1 October everyone served is new. A person served again in a later period of the same fiscal year is
    continuing, even with a new victimization; the count starts afresh each 1 October.""",
    source=SOURCE,
)
def new_victims_count(scope: ReportScope) -> MeasureResult:
    return MeasureResult(value=count_people(new_victims(scope)))


# --- demographics of new victims -----------------------------------------------------------------------------


@measure(
    "voca.new_age",
    "New victims by age",
    """The new victims (as counted above) by age on the first day of the period, from the date of birth or, when
    only an estimated age was recorded, that estimate aged by the time since it was made. VOCA bands 0–12, 13–17,
    18–24, 25–59, 60+; no birth date or estimate is not reported. The rows add up to the new victims.""",
    source=SOURCE,
)
def new_age(scope: ReportScope) -> MeasureResult:
    return _breakdown(age_rows(new_victims(scope), scope.start, VOCA_AGE_BANDS))


@measure(
    "voca.new_gender",
    "New victims by gender",
    """The new victims (as counted above) by gender as recorded; none recorded is not reported. The rows add up
    to the new victims.""",
    source=SOURCE,
)
def new_gender(scope: ReportScope) -> MeasureResult:
    return _breakdown(gender_rows(new_victims(scope)))


@measure(
    "voca.new_race",
    "New victims by race and ethnicity",
    """The new victims (as counted above) by the federal minimum race and ethnicity categories. A person with one
    category recorded counts in it; with more than one, in "more than one"; with none, in not reported. Each
    person counts in exactly one row, so the rows add up to the new victims.""",
    source=SOURCE,
)
def new_race(scope: ReportScope) -> MeasureResult:
    return _breakdown(race_rows(new_victims(scope)))


# --- victimization types -------------------------------------------------------------------------------------


def _yyyymmdd(day):
    """A date (or local-date expression) as the integer YYYYMMDD, for exact ages on both databases."""
    return func.extract("year", day) * 10000 + func.extract("month", day) * 100 + func.extract("day", day)


def _adult_on(day):
    """SQL: the person was 18 or older on a local day (birth date, else the dated estimate; unknown is not)."""
    estimated_age = (
        Participant.estimated_age + (day_number_sql(day) - day_number_sql(Participant.estimated_age_on)) / 365
    )
    return or_(
        and_(
            Participant.date_of_birth.is_not(None),
            _yyyymmdd(day) - _yyyymmdd(Participant.date_of_birth) >= ADULT_AGE * 10000,
        ),
        and_(
            Participant.date_of_birth.is_(None),
            Participant.estimated_age.is_not(None),
            Participant.estimated_age_on.is_not(None),
            estimated_age >= ADULT_AGE,
        ),
    )


def _typed(column, mapping: dict[str, tuple[str | None, str | None]], adult):
    """SQL CASE: the victimization type a stored value maps to, by age; NULL when the value is not mapped."""
    whens = []
    for value, (adult_type, minor_type) in mapping.items():
        if adult_type is None and minor_type is None:
            continue
        whens.append((and_(column == value, adult), adult_type if adult_type is not None else null()))
        whens.append((column == value, minor_type if minor_type is not None else null()))
    return sql_case(*whens, else_=None) if whens else literal(None)


def _live_injury(scope: ReportScope):
    """Conditions on Injury: live, recorded by a chosen program, and not on a deleted case."""
    deleted_case = exists().where(Case.id == Injury.case_id, Case.deleted_at.is_not(None))
    return and_(Injury.deleted_at.is_(None), Injury.program_id.in_(scope.program_ids), ~deleted_case)


def _case_in(program_column, participant_column):
    """The person has a live case in that program: module records count only for the program's own people."""
    return exists().where(
        Case.participant_id == participant_column, Case.program_id == program_column, Case.deleted_at.is_(None)
    )


def _victimization_rows(scope: ReportScope, served, vmap: dict):
    """Select of (participant_id, vtype) for the served people's recorded victimizations up to the period's end."""
    _, high = utc_bounds(scope)
    injury_day = local_date_sql(Injury.injured_at)
    injuries = (
        select(
            Injury.participant_id.label("participant_id"),
            _typed(Injury.mechanism, vmap["injury_mechanism"], _adult_on(injury_day)).label("vtype"),
        )
        .join(served, served.c.participant_id == Injury.participant_id)
        .join(Participant, Participant.id == Injury.participant_id)
        .where(_live_injury(scope), Injury.injured_at < high)
    )
    incident_day = local_date_sql(Incident.occurred_at)
    incidents = (
        select(
            IncidentPerson.participant_id.label("participant_id"),
            _typed(IncidentPerson.role, vmap["incident_role"], _adult_on(incident_day)).label("vtype"),
        )
        .join(served, served.c.participant_id == IncidentPerson.participant_id)
        .join(Incident, Incident.id == IncidentPerson.incident_id)
        .join(Participant, Participant.id == IncidentPerson.participant_id)
        .where(Incident.deleted_at.is_(None), Incident.occurred_at < high)
    )
    outcomes = (
        select(
            Case.participant_id.label("participant_id"),
            _typed(Outcome.outcome_type, vmap["outcome_type"], _adult_on(Outcome.occurred_on)).label("vtype"),
        )
        .join(Case, Case.id == Outcome.case_id)
        .join(served, served.c.participant_id == Case.participant_id)
        .join(Participant, Participant.id == Case.participant_id)
        .where(live_case_in_scope(scope), Outcome.deleted_at.is_(None), Outcome.occurred_on <= scope.end)
    )
    everything = union_all(injuries, incidents, outcomes).subquery("victimizations")
    return select(everything.c.participant_id, everything.c.vtype).where(everything.c.vtype.is_not(None))


def _victimization_definition(vmap: dict) -> str:
    """The victimization types measure's definition under a mapping."""
    return f"""The victims served in the period (as counted above) by the types of victimization their records show,
    dated on or before the last day of the period. Injuries recorded by the chosen programs, by mechanism:
    {_describe("injury_mechanism", vmap.get("injury_mechanism", {}))}. Links to a shooting in the incident
    register, by role: {_describe("incident_role", vmap.get("incident_role", {}))}. Outcome events on cases of
    the chosen programs: {_describe("outcome_type", vmap.get("outcome_type", {}))}. Age on the day comes from
    the date of birth or, failing that, the dated estimate; a person whose age is unknown is not counted as 18 or
    older. A victim with none of these records counts
    under {OTHER}. A person can have more than one type and counts once in each, so the rows need not add up to
    the victims served. Deleted records do not count."""


@measure(
    "voca.victimization_types",
    "Victims served, by victimization type",
    _victimization_definition(VICTIMIZATION_MAP),
    source=SOURCE,
)
def victimization_types(scope: ReportScope) -> MeasureResult:
    served = served_people(scope)
    typed = _victimization_rows(scope, served, effective_map(VICTIMIZATION)).subquery("typed")
    found = dict(
        db.session.execute(
            select(typed.c.vtype, func.count(func.distinct(typed.c.participant_id))).group_by(typed.c.vtype)
        ).all()
    )
    # The victims no mapped record speaks for are Other too (counted once, even if they also have an Other row).
    any_type = exists().where(typed.c.participant_id == served.c.participant_id)
    total, untyped = db.session.execute(
        select(func.count(), func.coalesce(func.sum(sql_case((~any_type, 1), else_=0)), 0)).select_from(served)
    ).one()
    found[OTHER] = int(found.get(OTHER, 0)) + int(untyped)
    rows = tuple((label, int(found.get(label, 0))) for label in VICTIMIZATION_TYPES)
    return MeasureResult(value=int(total), rows=rows, total_shown=False)


# --- services ------------------------------------------------------------------------------------------------


def _mapped(column, mapping: dict[str, str]):
    """SQL CASE: the service category a stored value maps to; NULL when the value is not mapped."""
    if not mapping:
        return literal(None)
    return sql_case(*[(column == value, category) for value, category in mapping.items()], else_=None)


def _service_rows(scope: ReportScope, smap: dict):
    """Select of (participant_id, category): each VOCA service a person received in the period, from any source."""
    low, high = utc_bounds(scope)
    in_scope = live_case_in_scope(scope)
    contacts_in_period = and_(
        in_scope,
        Contact.deleted_at.is_(None),
        Contact.is_completed.is_(True),
        Contact.occurred_at >= low,
        Contact.occurred_at < high,
    )
    by_contact_type = (
        select(Case.participant_id, _mapped(Contact.contact_type, smap["contact_type"]).label("category"))
        .join(Contact, Contact.case_id == Case.id)
        .where(contacts_in_period)
    )
    by_contact_mode = (
        select(Case.participant_id, _mapped(Contact.mode, smap["contact_mode"]).label("category"))
        .join(Contact, Contact.case_id == Case.id)
        .where(contacts_in_period)
    )
    live_referral = and_(in_scope, Referral.deleted_at.is_(None))
    referrals_made = (
        select(Case.participant_id, literal(EVERY_REFERRAL).label("category"))
        .join(Referral, Referral.case_id == Case.id)
        .where(live_referral, Referral.referred_on.between(scope.start, scope.end))
    )
    referrals_by_category = (
        select(Case.participant_id, _mapped(Referral.service_category, smap["referral_category"]).label("category"))
        .join(Referral, Referral.case_id == Case.id)
        .where(
            live_referral,
            or_(
                Referral.referred_on.between(scope.start, scope.end),
                Referral.connected_on.between(scope.start, scope.end),
            ),
        )
    )
    module = smap["module"]
    mediations = (
        select(MediationPerson.participant_id, literal(module.get("mediation")).label("category"))
        .join(Mediation, Mediation.id == MediationPerson.mediation_id)
        .where(
            Mediation.deleted_at.is_(None),
            Mediation.program_id.in_(scope.program_ids),
            Mediation.occurred_at >= low,
            Mediation.occurred_at < high,
            _case_in(Mediation.program_id, MediationPerson.participant_id),
        )
    )
    bedside = select(Injury.participant_id, literal(module.get("bedside_contact")).label("category")).where(
        Injury.participant_id.is_not(None),
        _live_injury(scope),
        _case_in(Injury.program_id, Injury.participant_id),
        Injury.first_bedside_at >= low,
        Injury.first_bedside_at < high,
    )
    claims = (
        select(Case.participant_id, literal(module.get("compensation_claim")).label("category"))
        .join(CompensationClaim, CompensationClaim.case_id == Case.id)
        .where(
            in_scope,
            CompensationClaim.deleted_at.is_(None),
            CompensationClaim.applied_on.between(scope.start, scope.end),
        )
    )
    return union(
        by_contact_type, by_contact_mode, referrals_made, referrals_by_category, mediations, bedside, claims
    ).subquery("services")


def _service_sources(smap: dict) -> str:
    """The service mapping as plain words for the printed definition."""
    parts = [
        f"every referral made in the period → {EVERY_REFERRAL}",
        f"completed contacts by type: {_describe('contact_type', smap.get('contact_type', {}))}",
        f"completed contacts by mode: {_describe('contact_mode', smap.get('contact_mode', {}))}",
        "referrals made or connected in the period, by category: "
        + _describe("referral_category", smap.get("referral_category", {})),
        f"module records: {_describe('module', smap.get('module', {}))}",
    ]
    return "; ".join(parts)


def _services_definition(smap: dict) -> str:
    """The service categories measure's definition under a mapping."""
    return f"""The victims served in the period (as counted above) who received each of the five VOCA service
    categories in the period, on cases of the chosen programs, mapped from what was recorded:
    {_service_sources(smap)}. Other contact types, modes, referral categories and module records give no category
    beyond that. A person counts once in each category they received however often, and can count in several, so
    the rows need not add up to the victims served. Attempted contacts and deleted records do not count."""


@measure(
    "voca.services",
    "Victims served, by VOCA service category",
    _services_definition(SERVICE_MAP),
    source=SOURCE,
)
def services(scope: ReportScope) -> MeasureResult:
    served = served_people(scope)
    received = _service_rows(scope, effective_map(SERVICE))
    found = dict(
        db.session.execute(
            select(received.c.category, func.count(func.distinct(received.c.participant_id)))
            .join(served, served.c.participant_id == received.c.participant_id)
            .where(received.c.category.is_not(None))
            .group_by(received.c.category)
        ).all()
    )
    rows = tuple((label, int(found.get(label, 0))) for label in VOCA_SERVICE_CATEGORIES)
    return MeasureResult(value=count_people(served), rows=rows, total_shown=False)


# Measures whose printed definition depends on an editable mapping: measure id -> (mapping, definition builder).
_MAPPED_DEFINITIONS = {
    "voca.victimization_types": (VICTIMIZATION, _victimization_definition),
    "voca.services": (SERVICE, _services_definition),
}


def definition_for(measure_id: str) -> str:
    """Any registered measure's definition as printed now: the registry's text was written from the defaults."""
    if measure_id not in _MAPPED_DEFINITIONS:
        return MEASURES[measure_id].definition
    mapping, build = _MAPPED_DEFINITIONS[measure_id]
    return " ".join(build(effective_map(mapping)).split())


# The report prints each mapped measure's definition as the mapping in force describes it.
for _mid in _MAPPED_DEFINITIONS:
    MEASURES[_mid] = replace(MEASURES[_mid], describe=partial(definition_for, _mid))


# --- victim compensation -------------------------------------------------------------------------------------

APPROVED, DENIED, WAITING = "Approved", "Denied", "Awaiting a decision"


@measure(
    "voca.compensation",
    "Victim compensation applications assisted",
    """Victim compensation applications the chosen hospital programs helped with, by application date in the
    period, on their live cases; and of those, how many are now approved, denied or still awaiting a decision
    (the status recorded when the report is run). Each application counts, so one person can count more than
    once. Deleted applications and applications on deleted cases do not count.""",
    source=SOURCE,
)
def compensation(scope: ReportScope) -> MeasureResult:
    hvip_ids = db.session.execute(
        select(Program.id).where(Program.id.in_(scope.program_ids), Program.kind == "hvip")
    ).scalars()
    applied = approved = denied = 0
    for program_id in hvip_ids:
        counts = compensation_counts(program_id, scope.start, scope.end)
        applied, approved, denied = applied + counts.applied, approved + counts.approved, denied + counts.denied
    return MeasureResult(
        value=applied, rows=((APPROVED, approved), (DENIED, denied), (WAITING, applied - approved - denied))
    )


TEMPLATE = ReportTemplate(
    id="victim-services",
    title="Victim services quarterly report",
    funder="VOCA victim assistance (state administering agency)",
    description=(
        "Victims served and new victims in the federal fiscal year's sense, the demographics of new victims, "
        "victimization types, people receiving each of the five VOCA service categories, and victim compensation "
        "applications, for a state administering agency's quarterly VOCA victim assistance report."
    ),
    sections=(
        Section("Victims served", ("voca.victims_served", "voca.new_victims")),
        Section(
            "Demographics of new victims",
            ("voca.new_age", "voca.new_gender", "voca.new_race"),
            charts=("voca.new_age", "voca.new_race"),
        ),
        Section("Victimization types", ("voca.victimization_types",), charts=("voca.victimization_types",)),
        Section("Services provided", ("voca.services",), charts=("voca.services",)),
        Section("Victim compensation", ("voca.compensation",)),
    ),
    summary=(
        "voca.victims_served",
        "voca.new_victims",
        "voca.services",
        "voca.compensation",
    ),
)
