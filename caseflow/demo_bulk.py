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

from sqlalchemy import func, insert, select, text

from caseflow.crypto import EncryptedText
from caseflow.demo import AREAS, DOMAIN, FEMALE_FIRST, LAST_NAMES, MALE_FIRST, NEUTRAL_FIRST, STREET_NAMES
from caseflow.extensions import db
from caseflow.models import (
    Case,
    CaseStatusChange,
    Contact,
    Goal,
    Incident,
    Injury,
    Outcome,
    Participant,
    ParticipantAlias,
    ParticipantRaceEthnicity,
    ParticipantSearchKey,
    Program,
    ProgramMembership,
    ProviderCategory,
    Referral,
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
from caseflow.timezones import local_today, to_utc

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
    for index, size in enumerate(sizes):
        kind, label = KINDS[index % len(KINDS)]
        area = AREAS[index % len(AREAS)]
        target = 15
        program_rows.add(
            program_id,
            kind,
            f"{area} {label} {index + 1}",
            f"{area} Community Partners {index + 1}",
            7 if kind != "focused_deterrence" else 14,
            target,
            False,
            0,
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
            "notes",
            "created_by_id",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    referral_id = _next_id(Referral)
    categories = [c for c in values(SERVICE_CATEGORIES) if providers.get(c)]
    for (case, _program, _kind, worker, _person, start, end), n in zip(
        enrolled, _spread(rng, referrals, spans), strict=True
    ):
        for _ in range(n):
            on = start + timedelta(days=rng.randint(0, max(1, (end - start).days)))
            category = rng.choice(categories)
            status = rng.choices(["referred", "scheduled", "connected", "completed", "no_show"], [15, 10, 35, 30, 10])
            connected = (
                min(last, on + timedelta(days=rng.randint(2, 30))) if status[0] in ("connected", "completed") else None
            )
            referral_rows.add(
                referral_id,
                case,
                rng.choice(providers[category]),
                category,
                status[0],
                on,
                on + timedelta(days=14),
                connected,
                True,
                "",
                worker,
                _when(rng, on),
                now,
                1,
            )
            referral_id += 1
    referral_rows.flush()

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
    for _ in range(participants * 85 // 300):
        at = _when(rng, last - timedelta(days=rng.randint(0, HISTORY_DAYS)))
        incidents.add(
            incident_id,
            at,
            rng.choice(AREAS),
            "shooting",
            int(rng.random() < 0.15),
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
            mediations.add(
                mediation_id,
                program,
                at,
                rng.choice(AREAS),
                rng.choice(values(MEDIATION_SOURCES)),
                2,
                "",
                False,
                "moderate",
                "Met both sides separately.",
                rng.choice(values(MEDIATION_OUTCOMES)),
                rng.choice(workers),
                at,
                at,
                1,
            )
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
        ]
    )
    return (
        f"Bulk history: {len(programs)} further programs, {users.count:,} staff accounts, {people.count:,} "
        f"participants, {cases.count:,} cases, {contact_rows.count:,} contacts, {referral_rows.count:,} referrals, "
        f"{goals.count:,} goals, {outcomes.count:,} outcomes, {injuries.count:,} injuries, "
        f"{notifications.count:,} notifications, {incidents.count:,} incidents, {mediations.count:,} mediations, "
        f"{activities.count:,} community activities (no audit rows: nobody viewed them)."
    )


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
