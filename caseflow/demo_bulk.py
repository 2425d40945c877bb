"""Bulk history on top of the demo data, so performance can be measured against years of records.

`flask seed-demo --scale large` loads the ordinary demo (its accounts, programs and every feature
in use) and then this: dozens of further programs, as a state grant administrator would run, each
with its own staff and a caseload of the program's target per worker, plus years of contacts,
referrals, goals, outcomes and module records. Rows go in with Core executemany on SQLite and
COPY on PostgreSQL, never through the ORM one object at a time; encrypted columns are encrypted
the same way the EncryptedText type does it. No audit rows are written for this bulk history
(nobody viewed it), so the audit hash chain stays as the demo left it and `flask audit verify` passes.
"""

import math
import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select, text, update

from caseflow.consents.services import default_expiry
from caseflow.crypto import EncryptedText
from caseflow.demo import (
    AREAS,
    CRITERIA,
    DOMAIN,
    FEMALE_FIRST,
    INSTRUMENTS,
    LAST_NAMES,
    MALE_FIRST,
    NEUTRAL_FIRST,
    PROGRAM_SOURCES,
    REFERRAL_CATEGORY_WEIGHTS,
    STREET_NAMES,
    _pick,
    drift_answers,
)
from caseflow.demo_modules import (
    CALL_IN_NOTES,
    CALL_IN_VENUES,
    FOLLOW_UP_NOTES,
    FOLLOW_UP_PARENTS,
    RESPONSE_NOTES,
    requested_services,
)
from caseflow.extensions import db
from caseflow.models import (
    Assessment,
    AssessmentAnswer,
    CallIn,
    CallInInvitee,
    CallInServiceRequest,
    Case,
    CaseStatusChange,
    Consent,
    ConsentCategory,
    Contact,
    FollowUp,
    Goal,
    Incident,
    Injury,
    Instrument,
    InstrumentItem,
    Outcome,
    Participant,
    ParticipantAlias,
    ParticipantRaceEthnicity,
    ParticipantSearchKey,
    Program,
    ProgramCriterion,
    ProgramMembership,
    ProgramReferralSource,
    ProviderCategory,
    Referral,
    Screening,
    ScreeningAnswer,
    ServiceProvider,
    ShootingResponse,
    User,
)
from caseflow.models.base import utcnow
from caseflow.models.choices import (
    CONTACT_MODES,
    CONTACT_TYPES,
    GOAL_DOMAINS,
    OUTCOME_TYPES,
    RACE_ETHNICITIES,
    SERVICE_CATEGORIES,
    values,
)
from caseflow.models.deterrence import NOTIFICATION_TRIGGERS, Notification
from caseflow.models.hvip import INJURY_MECHANISMS
from caseflow.models.outreach import ACTIVITY_KINDS, MEDIATION_OUTCOMES, MEDIATION_SOURCES, Mediation, OutreachActivity
from caseflow.participants.matching import person_keys
from caseflow.plan.services import answer_label
from caseflow.timezones import local_today, to_local, to_utc

# (participants, contacts, referrals) for each named scale; "demo" is the ordinary demo alone.
SCALES = {"demo": None, "large": (20_000, 1_000_000, 100_000)}
HISTORY_DAYS = 4 * 365  # a large deployment has years of records
PARTICIPANTS_PER_PROGRAM = 500
CHUNK = 20_000  # rows held in memory per insert
LONG_CASE_CONTACTS = 500
KINDS = [
    ("street_outreach", "Street Outreach"),
    ("hvip", "Hospital Violence Intervention"),
    ("focused_deterrence", "Focused Deterrence"),
]
# The demo program whose screen, instrument and intake sources each kind of bulk program copies.
DEMO_KEYS = {"street_outreach": "outreach", "hvip": "hvip", "focused_deterrence": "fd"}
NOTES = [
    "Checked in; doing alright, wants help with a job application.",
    "Talked through the conflict on the block; agreed to stay away from the corner this week.",
    "Mother says he has been home at night. Follow up on the school meeting.",
    "Drove to the clinic appointment; waiting on the housing voucher.",
    "No answer; left a message with his cousin.",
]


class _Writer:
    """Inserts rows into one table in chunks: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, model, columns: list[str], parents: tuple = ()):
        self.table = model.__table__
        self.parents = parents  # writers whose rows these point at, flushed first for the foreign keys
        # COPY knows only the database's defaults: the model's own constant defaults are added to every row here.
        self.defaults = tuple(
            (column.name, column.default.arg)
            for column in self.table.columns
            if column.name not in columns and column.default is not None and column.default.is_scalar
        )
        columns = columns + [name for name, _ in self.defaults]
        self.columns = columns
        self.rows: list[tuple] = []
        self.count = 0
        self.is_postgres = db.engine.dialect.name == "postgresql"
        # COPY bypasses the column types, so encrypt here exactly as EncryptedText.process_bind_param does.
        self.encrypted = [i for i, name in enumerate(columns) if isinstance(self.table.c[name].type, EncryptedText)]
        self.encrypt = EncryptedText().process_bind_param

    def add(self, *row) -> None:
        self.rows.append(row + tuple(value for _, value in self.defaults))
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        for parent in self.parents:
            parent.flush()
        if not self.rows:
            return
        connection = db.session.connection()
        if self.is_postgres:
            raw = connection.connection.driver_connection
            sql = f"COPY {self.table.name} ({', '.join(self.columns)}) FROM STDIN"  # noqa: S608 - our own names
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                for row in self.rows:
                    if self.encrypted:
                        row = list(row)
                        for i in self.encrypted:
                            row[i] = self.encrypt(row[i], None)
                    copy.write_row(row)
        else:
            connection.execute(insert(self.table), [dict(zip(self.columns, row, strict=True)) for row in self.rows])
        self.count += len(self.rows)
        self.rows.clear()


def _next_id(model) -> int:
    return (db.session.execute(select(func.max(model.id))).scalar() or 0) + 1


# The contact columns both the bulk history and the 500-contact benchmark case write.
CONTACT_COLUMNS = [
    "id",
    "case_id",
    "author_id",
    "occurred_at",
    "mode",
    "contact_type",
    "duration_minutes",
    "is_completed",
    "location_area",
    "notes",
    "created_at",
    "updated_at",
    "version",
]


def _reset_sequences(models) -> None:
    """After explicit ids, move PostgreSQL's id sequences past them so the app's inserts do not collide."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__table__
        # Built with SQLAlchemy, the table name a bound parameter: no SQL text from strings (S16).
        highest = select(func.max(table.c.id)).scalar_subquery()
        db.session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), highest)))


def _when(rng: random.Random, on: date) -> datetime:
    return to_utc(datetime.combine(on, time(rng.randint(8, 21), rng.randint(0, 59))))


def _spread(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split a total over items in proportion to their weights, with a little noise, summing exactly."""
    scale = total / (sum(weights) or 1)
    shares = [w * scale * rng.uniform(0.6, 1.4) for w in weights]
    factor = total / (sum(shares) or 1)
    counts = [int(s * factor) for s in shares]
    for i in rng.sample(range(len(counts)), min(len(counts), total - sum(counts))):
        counts[i] += 1
    return counts


def seed_bulk(seed: int, participants: int, contacts: int, referrals: int, today: date) -> str:
    """Add bulk programs, staff and history (flushes, never commits) and say what was added."""
    rng = random.Random(f"{seed}-bulk")
    last = today - timedelta(days=1)
    now = utcnow()
    pw_hash = db.session.execute(select(User.password_hash).order_by(User.id).limit(1)).scalar_one()
    providers: dict[str, list[int]] = {}
    for provider_id, category in db.session.execute(select(ProviderCategory.provider_id, ProviderCategory.category)):
        providers.setdefault(category, []).append(provider_id)

    # Programs and their staff: a manager, a supervisor and enough workers for the program's caseload target.
    n_programs = max(1, math.ceil(participants / PARTICIPANTS_PER_PROGRAM))
    programs = []  # (program id, kind, [worker ids], supervisor id)
    user_id, program_id, membership_id = _next_id(User), _next_id(Program), _next_id(ProgramMembership)
    users = _Writer(
        User,
        [
            "id",
            "email",
            "full_name",
            "password_hash",
            "is_admin",
            "is_active",
            "failed_login_count",
            "session_token",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    program_rows = _Writer(
        Program,
        [
            "id",
            "kind",
            "name",
            "organisation",
            "contact_frequency_days",
            "caseload_target",
            "workers_see_own_caseload_only",
            "eligibility_threshold",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    memberships = _Writer(
        ProgramMembership,
        ["id", "user_id", "program_id", "role", "is_victim_services", "created_at", "updated_at", "version"],
    )
    sizes = _spread(rng, participants, [1.0 / (1 + i * 0.15) for i in range(n_programs)])
    program_areas: dict[int, str] = {}  # where each program works: outreach responds to shootings there
    for index, size in enumerate(sizes):
        kind, label = KINDS[index % len(KINDS)]
        area = AREAS[index % len(AREAS)]
        program_areas[program_id] = area
        target = 15
        program_rows.add(
            program_id,
            kind,
            f"{area} {label} {index + 1}",
            f"{area} Community Partners {index + 1}",
            7 if kind != "focused_deterrence" else 14,
            target,
            False,
            CRITERIA[DEMO_KEYS[kind]][0],
            now,
            now,
            1,
        )
        n_workers = max(2, math.ceil(size * 0.3 / target))
        staff = []
        for role_index, role in enumerate(["manager", "supervisor"] + ["worker"] * n_workers):
            email = f"bulk{index + 1}.{role}{role_index}@{DOMAIN}"
            users.add(
                user_id,
                email,
                f"{rng.choice(MALE_FIRST + FEMALE_FIRST)} {rng.choice(LAST_NAMES)}",
                pw_hash,
                False,
                True,
                0,
                f"bulk-{user_id:08d}-{rng.getrandbits(64):016x}",
                now,
                now,
                1,
            )
            memberships.add(membership_id, user_id, program_id, role, kind == "hvip" and role != "worker", now, now, 1)
            staff.append(user_id)
            user_id += 1
            membership_id += 1
        programs.append((program_id, kind, staff[2:], staff[1], size))
        program_id += 1
    for writer in (users, program_rows, memberships):
        writer.flush()
    settings = _intake_settings(programs, now)

    # People and their cases; 30% of cases open, spread over the program's workers.
    person_id, case_id, alias_id = _next_id(Participant), _next_id(Case), _next_id(ParticipantAlias)
    change_id = _next_id(CaseStatusChange)
    people = _Writer(
        Participant,
        [
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "gender",
            "preferred_language",
            "phone",
            "area",
            "created_by_id",
            "is_ipv_protected",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    races = _Writer(ParticipantRaceEthnicity, ["participant_id", "category"], (people,))
    aliases = _Writer(ParticipantAlias, ["id", "participant_id", "name", "kind"], (people,))
    search_keys = _Writer(ParticipantSearchKey, ["participant_id", "key"], (people,))
    cases = _Writer(
        Case,
        [
            "id",
            "participant_id",
            "program_id",
            "status",
            "referral_source",
            "referred_on",
            "enrolled_on",
            "closed_on",
            "closure_reason",
            "assigned_worker_id",
            "risk_level",
            "created_at",
            "updated_at",
            "version",
        ],
        (people,),
    )
    changes = _Writer(
        CaseStatusChange, ["id", "case_id", "from_status", "to_status", "changed_at", "changed_by_id", "note"], (cases,)
    )
    enrolled = []  # (case id, program id, kind, worker, person id, enrolled_on, end)
    race_values = values(RACE_ETHNICITIES)
    for program, kind, workers, _supervisor, size in programs:
        source = {"hvip": "emergency_department", "focused_deterrence": "probation_court"}.get(kind, "community")
        for _ in range(size):
            gender = rng.choices(["male", "female", "non_binary"], weights=[75, 23, 2])[0]
            first = rng.choice(
                MALE_FIRST if gender == "male" else FEMALE_FIRST if gender == "female" else NEUTRAL_FIRST
            )
            born = today - timedelta(days=rng.randint(15 * 365, 40 * 365))
            worker = rng.choice(workers)
            last_name = rng.choice(LAST_NAMES)
            phone = f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
            people.add(
                person_id,
                first,
                last_name,
                born,
                gender,
                "English",
                phone,
                rng.choice(AREAS),
                worker,
                False,
                now,
                now,
                1,
            )
            races.add(person_id, rng.choice(race_values))
            street_names = [rng.choice(STREET_NAMES)] if rng.random() < 0.3 else []
            for name in street_names:
                aliases.add(alias_id, person_id, name, "street_name")
                alias_id += 1
            for key in sorted(person_keys(first, last_name, street_names, born, phone)):
                search_keys.add(person_id, key)
            referred = last - timedelta(days=int(HISTORY_DAYS * rng.random() ** 1.2))
            roll = rng.random()
            path = ["referred"]
            enrolled_on = closed_on = reason = None
            if roll < 0.08:
                path += ["declined"]
            elif roll < 0.12:
                path += ["screening"]
            else:
                enrolled_on = min(last, referred + timedelta(days=rng.randint(1, 10)))
                path += ["screening", "active"]
                if rng.random() < 0.65 and (last - enrolled_on).days > 60:
                    closed_on = min(last, enrolled_on + timedelta(days=rng.randint(60, 400)))
                    reason = rng.choices(["goals_met", "lost_contact", "moved", "incarcerated"], [60, 25, 10, 5])[0]
                    path += ["closed"]
            cases.add(
                case_id,
                person_id,
                program,
                path[-1],
                source,
                referred,
                enrolled_on,
                closed_on,
                reason,
                worker,
                rng.choice(["moderate", "high", "very_high"]),
                _when(rng, referred),
                now,
                1,
            )
            steps = [referred, referred, enrolled_on, closed_on]
            for i, (old, new) in enumerate(zip([None] + path[:-1], path, strict=True)):
                changes.add(change_id, case_id, old, new, _when(rng, steps[i] or referred), worker, "")
                change_id += 1
            if enrolled_on is not None:
                enrolled.append((case_id, program, kind, worker, person_id, enrolled_on, closed_on or last))
            person_id += 1
            case_id += 1
    for writer in (people, races, aliases, search_keys, cases, changes):
        writer.flush()
    screenings, assessments = _screens_and_assessments(seed, enrolled, programs, settings, last, now)

    # Contacts and referrals in proportion to how long each case has been open.
    spans = [max(1, (end - start).days) for *_, start, end in enrolled]
    contact_rows = _Writer(
        Contact,
        CONTACT_COLUMNS,
    )
    contact_id = _next_id(Contact)
    modes, types = values(CONTACT_MODES), values(CONTACT_TYPES)
    for (case, _program, _kind, worker, _person, start, end), n in zip(
        enrolled, _spread(rng, contacts, spans), strict=True
    ):
        span = max(1, (end - start).days)
        for _ in range(n):
            at = _when(rng, start + timedelta(days=rng.randint(0, span)))
            note = rng.choice(NOTES) if rng.random() < 0.4 else ""
            contact_rows.add(
                contact_id,
                case,
                worker,
                at,
                rng.choice(modes),
                rng.choice(types),
                rng.randint(5, 90),
                rng.random() < 0.85,
                rng.choice(AREAS),
                note,
                at,
                at,
                1,
            )
            contact_id += 1
    contact_rows.flush()
    # Releases (consents) are signed at the first referral to a provider, on their own random stream so the
    # referrals stay as they were; a referral under a valid release carries identifying data, others go anonymous.
    consent_rng = random.Random(f"{seed}-bulk-consents")
    consents = _Writer(
        Consent,
        [
            "id",
            "participant_id",
            "program_id",
            "recipient",
            "provider_id",
            "recipient_program_id",
            "signed_on",
            "expires_on",
            "revoked_at",
            "recorded_by_id",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    consent_categories = _Writer(ConsentCategory, ["consent_id", "category"], (consents,))
    referral_rows = _Writer(
        Referral,
        [
            "id",
            "case_id",
            "provider_id",
            "service_category",
            "status",
            "referred_on",
            "due_on",
            "connected_on",
            "is_anonymous",
            "consent_id",
            "notes",
            "created_by_id",
            "created_at",
            "updated_at",
            "version",
        ],
        (consents,),
    )
    referral_id, consent_id = _next_id(Referral), _next_id(Consent)
    provider_names = dict(db.session.execute(select(ServiceProvider.id, ServiceProvider.name)).tuples().all())
    medical = set(providers.get("medical", []))
    people_with_consent = 0
    categories = [c for c in values(SERVICE_CATEGORIES) if providers.get(c)]
    for (case, program, kind, worker, person, start, end), n in zip(
        enrolled, _spread(rng, referrals, spans), strict=True
    ):
        rows = []
        for _ in range(n):
            on = start + timedelta(days=rng.randint(0, max(1, (end - start).days)))
            category = rng.choice(categories)
            status = rng.choices(["referred", "scheduled", "connected", "completed", "no_show"], [15, 10, 35, 30, 10])
            connected = (
                min(last, on + timedelta(days=rng.randint(2, 30))) if status[0] in ("connected", "completed") else None
            )
            rows.append(
                [
                    referral_id,
                    case,
                    rng.choice(providers[category]),
                    category,
                    status[0],
                    on,
                    on + timedelta(days=14),
                    connected,
                    True,
                    None,
                    "",
                    worker,
                    _when(rng, on),
                    now,
                    1,
                ]
            )
            referral_id += 1
        first_referred: dict[int, date] = {}
        for row in sorted(rows, key=lambda row: row[5]):
            first_referred.setdefault(row[2], row[5])
        releases = _releases(consent_rng, kind, start, last, first_referred, providers, medical)
        people_with_consent += bool(releases)
        valid = []  # (consent id, provider, signed on, expires on, revoked on)
        for provider, signed_on, expires_on, revoked_at, covered in releases:
            consents.add(
                consent_id,
                person,
                program,
                provider_names[provider],
                provider,
                None,
                signed_on,
                expires_on,
                revoked_at,
                worker,
                _when(consent_rng, signed_on),
                now,
                1,
            )
            for category in covered:
                consent_categories.add(consent_id, category)
            valid.append((consent_id, provider, signed_on, expires_on, revoked_at.date() if revoked_at else None))
            consent_id += 1
        for row in rows:
            # Identifying data goes only under a release to that provider, valid on the referral's date (S23).
            for release, provider, signed_on, expires_on, revoked_on in valid:
                if (
                    provider == row[2]
                    and signed_on <= row[5] <= expires_on
                    and (revoked_on is None or row[5] < revoked_on)
                ):
                    row[8], row[9] = False, release
                    break
            referral_rows.add(*row)
    for writer in (consents, consent_categories, referral_rows):
        writer.flush()

    # Goals, outcomes and module records in the demo's proportions.
    goals = _Writer(
        Goal,
        [
            "id",
            "case_id",
            "domain",
            "description",
            "target_on",
            "status",
            "set_on",
            "met_on",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    outcomes = _Writer(
        Outcome, ["id", "case_id", "outcome_type", "occurred_on", "details", "created_at", "updated_at", "version"]
    )
    injuries = _Writer(
        Injury,
        [
            "id",
            "program_id",
            "participant_id",
            "case_id",
            "injured_at",
            "mechanism",
            "hospital",
            "care_level",
            "medical_record_number",
            "arrived_at",
            "first_bedside_at",
            "funnel_stage",
            "funnel_reason",
            "is_reinjury",
            "patient_age",
            "patient_gender",
            "recorded_by_id",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    notifications = _Writer(
        Notification,
        [
            "id",
            "program_id",
            "participant_id",
            "notified_on",
            "trigger",
            "delivered",
            "offer_accepted",
            "notes",
            "recorded_by_id",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    goal_id, outcome_id, injury_id = _next_id(Goal), _next_id(Outcome), _next_id(Injury)
    notification_id = _next_id(Notification)
    domains, outcome_types = values(GOAL_DOMAINS), values(OUTCOME_TYPES)
    followed: dict[str, list[tuple[int, date, int]]] = {"mediation": [], "response": [], "notification": []}
    for case, program, kind, worker, person, start, end in enrolled:
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            goals.add(
                goal_id,
                case,
                rng.choice(domains),
                "Steady work or school by the end of the year.",
                start + timedelta(days=120),
                rng.choice(["open", "met", "not_met"]),
                start,
                None,
                now,
                now,
                1,
            )
            goal_id += 1
        if rng.random() < 0.6:
            outcomes.add(outcome_id, case, rng.choice(outcome_types), end, "", now, now, 1)
            outcome_id += 1
        if kind == "hvip":
            at = _when(rng, start - timedelta(days=rng.randint(1, 5)))
            injuries.add(
                injury_id,
                program,
                person,
                case,
                at,
                rng.choice(values(INJURY_MECHANISMS)),
                "Regional Medical Center",
                "admitted",
                "MRN-" + str(100000 + injury_id),
                at,
                at + timedelta(hours=6),
                "enrolled",
                "",
                False,
                rng.randint(15, 40),
                "male",
                worker,
                at,
                at,
                1,
            )
            injury_id += 1
        elif kind == "focused_deterrence" and rng.random() < 0.5:
            delivered = rng.random() < 0.85
            notifications.add(
                notification_id,
                program,
                person,
                start,
                rng.choice(values(NOTIFICATION_TRIGGERS)),
                delivered,
                delivered and rng.random() < 0.5,
                "",
                worker,
                now,
                now,
                1,
            )
            if delivered:
                followed["notification"].append((notification_id, start, worker))
            notification_id += 1
    for writer in (goals, outcomes, injuries, notifications):
        writer.flush()

    # Shared incident register and outreach module records, a few per outreach program each month.
    incidents = _Writer(
        Incident,
        [
            "id",
            "occurred_at",
            "area",
            "kind",
            "fatal_victims",
            "nonfatal_victims",
            "source",
            "status",
            "notes",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    mediations = _Writer(
        Mediation,
        [
            "id",
            "program_id",
            "occurred_at",
            "area",
            "identified_by",
            "parties_count",
            "groups_involved",
            "weapons_present",
            "imminent_risk",
            "actions_taken",
            "outcome",
            "recorded_by_id",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    activities = _Writer(
        OutreachActivity,
        [
            "id",
            "program_id",
            "occurred_on",
            "kind",
            "area",
            "staff_minutes",
            "people_reached",
            "description",
            "recorded_by_id",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    incident_id, mediation_id, activity_id = _next_id(Incident), _next_id(Mediation), _next_id(OutreachActivity)
    shootings: dict[str, list[tuple[int, datetime, bool]]] = {}  # area -> (incident id, when, fatal)
    for _ in range(participants * 85 // 300):
        at = _when(rng, last - timedelta(days=rng.randint(0, HISTORY_DAYS)))
        area, fatal = rng.choice(AREAS), rng.random() < 0.15
        shootings.setdefault(area, []).append((incident_id, at, fatal))
        incidents.add(
            incident_id,
            at,
            area,
            "shooting",
            int(fatal),
            1,
            "police",
            "confirmed",
            "",
            at,
            at,
            1,
        )
        incident_id += 1
    for program, kind, workers, _supervisor, size in programs:
        if kind != "street_outreach":
            continue
        for _ in range(size * 70 // 300):
            at = _when(rng, last - timedelta(days=rng.randint(0, HISTORY_DAYS)))
            # Drawn in the order the values are written, so the mediations stay as they were.
            area, source = rng.choice(AREAS), rng.choice(values(MEDIATION_SOURCES))
            outcome = rng.choice(values(MEDIATION_OUTCOMES))
            by = rng.choice(workers)
            mediations.add(
                mediation_id,
                program,
                at,
                area,
                source,
                2,
                "",
                False,
                "moderate",
                "Met both sides separately.",
                outcome,
                by,
                at,
                at,
                1,
            )
            followed["mediation"].append((mediation_id, to_local(at).date(), by))
            mediation_id += 1
        for _ in range(size * 86 // 300):
            on = last - timedelta(days=rng.randint(0, HISTORY_DAYS))
            activities.add(
                activity_id,
                program,
                on,
                rng.choice(values(ACTIVITY_KINDS)),
                rng.choice(AREAS),
                120,
                rng.randint(5, 80),
                "",
                rng.choice(workers),
                now,
                now,
                1,
            )
            activity_id += 1
    for writer in (incidents, mediations, activities):
        writer.flush()
    responses = _responses(seed, programs, program_areas, shootings, last, followed["response"])
    call_ins = _call_ins(seed, programs, enrolled, last)
    follow_ups = _follow_ups(seed, followed, last, now)

    _reset_sequences(
        [
            User,
            Program,
            ProgramMembership,
            Participant,
            ParticipantAlias,
            Case,
            CaseStatusChange,
            Contact,
            Referral,
            Goal,
            Outcome,
            Injury,
            Notification,
            Incident,
            Mediation,
            OutreachActivity,
            ProgramCriterion,
            Instrument,
            InstrumentItem,
            Screening,
            Assessment,
            AssessmentAnswer,
            Consent,
            ShootingResponse,
            CallIn,
            CallInInvitee,
            CallInServiceRequest,
            FollowUp,
        ]
    )
    return (
        f"Bulk history: {len(programs)} further programs, {users.count:,} staff accounts, {people.count:,} "
        f"participants, {cases.count:,} cases, {contact_rows.count:,} contacts, {referral_rows.count:,} referrals, "
        f"{goals.count:,} goals, {outcomes.count:,} outcomes, {injuries.count:,} injuries, "
        f"{notifications.count:,} notifications, {incidents.count:,} incidents, {mediations.count:,} mediations, "
        f"{activities.count:,} community activities, {screenings:,} screenings, {assessments:,} assessments, "
        f"{consents.count:,} consents ({people_with_consent:,} people with releases), {responses:,} shooting "
        f"responses, {call_ins[0]:,} call-ins ({call_ins[1]:,} invited), {follow_ups:,} follow-ups "
        "(no audit rows: nobody viewed them)."
    )


def _intake_settings(programs, now) -> dict[int, tuple[list[int], int, list[tuple[int, str, int]]]]:
    """Each bulk program's intake sources, eligibility screen and instrument, copied from the demo program of its kind.

    Returns, per program, its criterion ids, its instrument's id and the instrument's items (id, text, max points).
    """
    sources = _Writer(ProgramReferralSource, ["program_id", "source"])
    criteria = _Writer(
        ProgramCriterion, ["id", "program_id", "position", "text", "created_at", "updated_at", "version"]
    )
    instruments = _Writer(Instrument, ["id", "program_id", "name", "created_at", "updated_at", "version"])
    items = _Writer(
        InstrumentItem,
        ["id", "instrument_id", "position", "text", "max_points", "created_at", "updated_at", "version"],
        (instruments,),
    )
    criterion_id, instrument_id, item_id = _next_id(ProgramCriterion), _next_id(Instrument), _next_id(InstrumentItem)
    settings = {}
    for program, kind, *_ in programs:
        key = DEMO_KEYS[kind]
        for source in PROGRAM_SOURCES[key]:
            sources.add(program, source)
        criterion_ids = []
        for position, (wording, _share) in enumerate(CRITERIA[key][1], start=1):
            criteria.add(criterion_id, program, position, wording, now, now, 1)
            criterion_ids.append(criterion_id)
            criterion_id += 1
        name, specs, _cut_offs = INSTRUMENTS[key]
        instruments.add(instrument_id, program, name, now, now, 1)
        questions = []
        for position, (wording, top, _weights, _fixed) in enumerate(specs, start=1):
            items.add(item_id, instrument_id, position, wording, top, now, now, 1)
            questions.append((item_id, wording, top))
            item_id += 1
        settings[program] = (criterion_ids, instrument_id, questions)
        instrument_id += 1
    for writer in (sources, criteria, instruments, items):
        writer.flush()
    return settings


def _screens_and_assessments(seed: int, enrolled: list, programs: list, settings: dict, last: date, now) -> tuple:
    """The screen that enrolled each case, and the program's instrument then and every few months, as in the demo.

    Cases still in screening have their first assessment but no screen yet. Each case's risk level becomes its
    latest assessment's, as recording an assessment does. Returns the numbers of screenings and assessments.
    """
    rng = random.Random(f"{seed}-bulk-assessments")  # its own stream: the other bulk records stay as they were
    kinds = {program: kind for program, kind, *_ in programs}
    screenings = _Writer(
        Screening,
        [
            "id",
            "case_id",
            "screened_on",
            "screened_by_id",
            "criteria_met",
            "threshold",
            "result",
            "notes",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    screening_answers = _Writer(ScreeningAnswer, ["screening_id", "criterion_id", "is_met"], (screenings,))
    assessments = _Writer(
        Assessment,
        [
            "id",
            "case_id",
            "instrument",
            "instrument_id",
            "score",
            "risk_level",
            "taken_at",
            "assessed_by_id",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    answers = _Writer(AssessmentAnswer, ["id", "assessment_id", "item", "item_id", "answer", "points"], (assessments,))
    screening_id, assessment_id, answer_id = _next_id(Screening), _next_id(Assessment), _next_id(AssessmentAnswer)

    def assess(case: int, program: int, worker: int, on: date, end: date) -> None:
        """Up to three rounds from `on` while the case is open; engaged people's scores mostly fall."""
        nonlocal assessment_id, answer_id
        name, specs, cut_offs = INSTRUMENTS[DEMO_KEYS[kinds[program]]]
        _criteria, instrument_id, questions = settings[program]
        drop, rise = (0.4, 0.05) if rng.random() < 0.6 else (0.15, 0.2)
        points = [rng.choices(range(top + 1), weights=weights)[0] for _, top, weights, _ in specs]
        for round_no in range(3):
            if round_no:
                if on > end:
                    break
                drift_answers(rng, points, specs, drop, rise)
            score = sum(points)
            risk = next(level for top, level in cut_offs if score <= top)
            at = _when(rng, on)
            assessments.add(assessment_id, case, name, instrument_id, score, risk, at, worker, at, at, 1)
            for (item_id, wording, top), p in zip(questions, points, strict=True):
                answers.add(answer_id, assessment_id, wording, item_id, answer_label(top, p), p)
                answer_id += 1
            assessment_id += 1
            on += timedelta(days=rng.randint(80, 150))

    for case, program, kind, worker, _person, start, end in enrolled:
        # Bulk cases leave screening on their enrolment day; the screen agrees with the result.
        criterion_ids = settings[program][0]
        threshold, shares = CRITERIA[DEMO_KEYS[kind]]
        met = [rng.random() < share for _, share in shares]
        while sum(met) < threshold:
            met[rng.choice([k for k, m in enumerate(met) if not m])] = True
        at = _when(rng, start)
        screenings.add(screening_id, case, start, worker, sum(met), threshold, "eligible", "", at, at, 1)
        for criterion, is_met in zip(criterion_ids, met, strict=True):
            screening_answers.add(screening_id, criterion, is_met)
        screening_id += 1
        assess(case, program, worker, start, end)
    cases = Case.__table__
    waiting = select(cases.c.id, cases.c.program_id, cases.c.assigned_worker_id, cases.c.referred_on).where(
        cases.c.status == "screening", cases.c.program_id.in_(list(kinds))
    )
    for case, program, worker, referred_on in db.session.execute(waiting.order_by(cases.c.id)).all():
        assess(case, program, worker, referred_on, referred_on)
    for writer in (screenings, screening_answers, assessments, answers):
        writer.flush()
    table = Assessment.__table__
    latest = (
        select(table.c.risk_level)
        .where(table.c.case_id == cases.c.id)
        .order_by(table.c.taken_at.desc(), table.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    db.session.execute(
        update(cases)
        .where(cases.c.program_id.in_(list(kinds)), cases.c.id.in_(select(table.c.case_id)))
        .values(risk_level=latest)
    )
    return screenings.count, assessments.count


def _releases(
    rng: random.Random, kind: str, start: date, last: date, first_referred: dict, providers: dict, medical: set
) -> list[tuple[int, date, date, datetime | None, list[str]]]:
    """Releases one person signs, as in the demo: half of those referred on sign one or two, at the first referral
    to that provider; a few never referred sign one ahead of need. (provider, signed, expires, revoked, categories)
    """
    if rng.random() >= (0.5 if first_referred else 0.05):
        return []
    chosen = list(first_referred.items())[: rng.choice((1, 1, 2))]
    if not chosen:
        category = _pick(rng, REFERRAL_CATEGORY_WEIGHTS[DEMO_KEYS[kind]])
        signed_on = start + timedelta(days=rng.randint(0, max(0, min(30, (last - start).days))))
        chosen = [(rng.choice(providers[category]), signed_on)]
    rows = []
    for provider, signed_on in chosen:
        categories = ["identity", "case_summary"]
        if kind == "hvip" or provider in medical:
            categories.append("health")
        if kind == "focused_deterrence" or rng.random() < 0.2:
            categories.append("justice")
        if rng.random() < 0.15:
            categories.append("narratives")
        revoked_at = None
        if rng.random() < 0.08 and signed_on < last:
            revoked_at = _when(rng, signed_on + timedelta(days=rng.randint(1, (last - signed_on).days)))
        rows.append((provider, signed_on, default_expiry(signed_on), revoked_at, categories))
    return rows


def _responses(seed: int, programs: list, areas: dict, shootings: dict, last: date, responded: list) -> int:
    """Each street outreach program responds to shootings in its own area, in the demo's number per mediation.

    Appends (response id, local day, responder) to `responded` for the follow-ups; returns how many were made.
    """
    rng = random.Random(f"{seed}-bulk-responses")
    writer = _Writer(
        ShootingResponse,
        [
            "id",
            "program_id",
            "incident_id",
            "responder_id",
            "location",
            "first_response_at",
            "retaliation_risk",
            "notes",
            "recorded_by_id",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    response_id = _next_id(ShootingResponse)
    latest = to_utc(datetime.combine(last, time(23, 59)))  # nothing is recorded later than yesterday
    for program, kind, workers, _supervisor, size in programs:
        if kind != "street_outreach":
            continue
        nearby = shootings.get(areas[program], [])
        answered = rng.sample(nearby, min(len(nearby), size * 46 // 300))
        for incident, occurred_at, fatal in sorted(answered, key=lambda shooting: shooting[1]):
            window = int((latest - occurred_at).total_seconds() // 60)
            if window < 20:
                continue
            low, high = _pick(rng, [((20, 180), 45), ((180, 24 * 60), 33), ((24 * 60, 72 * 60), 22)])
            high = min(high, window)  # a shooting late yesterday got its response by midnight
            at = occurred_at + timedelta(minutes=rng.randint(low if low <= high else 20, high))
            location = _pick(rng, [("scene", 40), ("hospital", 25), ("family", 20), ("vigil", 20 if fatal else 5)])
            risk = _pick(
                rng,
                [("low", 10), ("moderate", 40), ("high", 50)]
                if fatal
                else [("low", 25), ("moderate", 45), ("high", 30)],
            )
            responder = rng.choice(workers)
            notes = rng.choice(RESPONSE_NOTES[location])
            writer.add(response_id, program, incident, responder, location, at, risk, notes, responder, at, at, 1)
            responded.append((response_id, to_local(at).date(), responder))
            response_id += 1
    writer.flush()
    return writer.count


def _call_ins(seed: int, programs: list, enrolled: list, last: date) -> tuple[int, int]:
    """Call-ins every quarter or so in each focused deterrence program, as in the demo, over the whole history.

    Invitees are people with a case open that evening (a third to a half of them, at most 40 a meeting); only
    those who came can take the offer of help, and someone who came always does. Returns (call-ins, invitees).
    """
    rng = random.Random(f"{seed}-bulk-call-ins")
    call_ins = _Writer(
        CallIn,
        [
            "id",
            "program_id",
            "held_at",
            "venue",
            "speakers_community",
            "speakers_services",
            "speakers_law_enforcement",
            "notes",
            "recorded_by_id",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    invitees = _Writer(
        CallInInvitee,
        ["id", "call_in_id", "participant_id", "attendance", "help_accepted", "created_at", "updated_at"],
        (call_ins,),
    )
    requests = _Writer(CallInServiceRequest, ["id", "call_in_id", "category", "people"], (call_ins,))
    caseloads: dict[int, list[tuple[int, date, date]]] = {}
    for _case, program, kind, _worker, person, start, end in enrolled:
        if kind == "focused_deterrence":
            caseloads.setdefault(program, []).append((person, start, end))
    call_in_id, invitee_id, request_id = _next_id(CallIn), _next_id(CallInInvitee), _next_id(CallInServiceRequest)
    first = last - timedelta(days=HISTORY_DAYS)
    for program, kind, _workers, supervisor, _size in programs:
        if kind != "focused_deterrence":
            continue
        for k in range(HISTORY_DAYS // 85 + 1):
            on = first + timedelta(days=115 + 85 * k + rng.randint(-7, 7))
            if on > last:
                break
            on -= timedelta(days=(on.weekday() - 2) % 7 + rng.choice((0, 1)))  # back to a Wednesday or Tuesday
            held_at = to_utc(datetime.combine(on, time(18, rng.choice((0, 30)))))
            call_ins.add(
                call_in_id,
                program,
                held_at,
                rng.choice(CALL_IN_VENUES),
                rng.randint(2, 4),
                rng.randint(2, 3),
                rng.randint(1, 2),
                rng.choice(CALL_IN_NOTES),
                supervisor,
                held_at,
                held_at,
                1,
            )
            open_then = [person for person, start, end in caseloads.get(program, []) if start <= on <= end]
            wanted = min(len(open_then), 40, max(8, round(len(open_then) * rng.uniform(0.3, 0.5))))
            came = []  # [person, accepted] for those who attended
            absent = []
            for person in rng.sample(open_then, wanted):
                if rng.random() < 0.6:
                    came.append([person, rng.random() < 0.45])
                else:
                    absent.append(person)
            if came and not any(accepted for _, accepted in came):
                rng.choice(came)[1] = True  # someone always stays to talk to the service tables
            for person, accepted in came:
                invitees.add(invitee_id, call_in_id, person, "attended", accepted, held_at, held_at)
                invitee_id += 1
            for person in absent:
                invitees.add(invitee_id, call_in_id, person, "absent", False, held_at, held_at)
                invitee_id += 1
            asking = sum(accepted for _, accepted in came)
            categories = requested_services(rng, asking)
            for category in categories:
                requests.add(request_id, call_in_id, category, rng.randint(1, max(1, (asking + 1) // 2)))
                request_id += 1
            call_in_id += 1
    for writer in (call_ins, invitees, requests):
        writer.flush()
    return call_ins.count, invitees.count


def _follow_ups(seed: int, followed: dict, last: date, now) -> int:
    """Follow-ups as the demo makes them: on some mediations, responses and delivered notifications, and on every
    recent one; old ones done, a few recent ones overdue, the newest due from today on. Returns how many.
    """
    rng = random.Random(f"{seed}-bulk-follow-ups")
    parents = list(FOLLOW_UP_PARENTS.values())  # one column per kind of parent record
    writer = _Writer(
        FollowUp,
        ["id", *parents, "due_on", "done_on", "note", "created_by_id", "created_at", "updated_at", "version"],
    )
    follow_up_id = _next_id(FollowUp)
    chances = {"mediation": 0.6, "response": 0.4, "notification": 0.4}
    for kind, records in followed.items():
        for parent, after, by in records:
            recent = (last - after).days < 30
            if not recent and rng.random() >= chances[kind]:
                continue
            ids = [parent if column == FOLLOW_UP_PARENTS[kind] else None for column in parents]
            due_on = after
            for _ in range(rng.choice((1, 2)) if recent else 1):
                due_on += timedelta(days=rng.choice((2, 3, 7, 7, 14, 14, 30)))
                done_on = None
                # Overdue ones are recent misses; older follow-ups were all done by now.
                if due_on <= last and (due_on < last - timedelta(days=45) or rng.random() < 0.6):
                    done_on = min(last, max(after, due_on + timedelta(days=rng.randint(-2, 3))))
                note = rng.choice(FOLLOW_UP_NOTES[kind])
                writer.add(follow_up_id, *ids, due_on, done_on, note, by, _when(rng, after), now, 1)
                follow_up_id += 1
    writer.flush()
    return writer.count


def vacuum_analyze() -> None:
    """PostgreSQL, after the bulk load is committed: what autovacuum would do a while later.

    Fresh statistics give plans that fit the data, and the visibility map lets index-only scans skip the table.
    """
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def add_long_case(seed: int = 2026, contacts: int = LONG_CASE_CONTACTS) -> int:
    """Give the outreach demo login's busiest open case years of contacts (up to `contacts`); return its id."""
    rng = random.Random(f"{seed}-long-case")
    worker = db.session.execute(select(User).where(User.email == f"outreach@{DOMAIN}")).scalar_one()
    counts = (
        select(Case.id, Case.enrolled_on, func.count(Contact.id).label("n"))
        .join(Contact, Contact.case_id == Case.id, isouter=True)
        .where(Case.assigned_worker_id == worker.id, Case.status == "active", Case.deleted_at.is_(None))
        .group_by(Case.id, Case.enrolled_on)
        .order_by(func.count(Contact.id).desc(), Case.id)
        .limit(1)
    )
    case_id, enrolled_on, existing = db.session.execute(counts).one()
    writer = _Writer(
        Contact,
        CONTACT_COLUMNS,
    )
    next_id = _next_id(Contact)
    last = local_today() - timedelta(days=1)
    start = min(enrolled_on, last - timedelta(days=3 * 365))
    for offset in range(max(0, contacts - existing)):
        at = _when(rng, start + timedelta(days=rng.randint(0, (last - start).days)))
        writer.add(
            next_id + offset,
            case_id,
            worker.id,
            at,
            "in_person",
            "check_in",
            30,
            True,
            "Riverside",
            rng.choice(NOTES),
            at,
            at,
            1,
        )
    writer.flush()
    if writer.count:
        # The case's own enrolment date moves back so its history is consistent with the contacts.
        db.session.execute(
            Case.__table__.update()
            .where(Case.id == case_id)
            .values(enrolled_on=start, referred_on=start - timedelta(days=2))
        )
        _reset_sequences([Contact])
    return case_id
