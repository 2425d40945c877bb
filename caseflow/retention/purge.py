"""Retention purge (S26): hard-delete what a program has kept longer than its retention period.

A purge removes, for one program:
- its cases that ended (closed, declined or ineligible) more than `retention_years` ago,
- its records soft-deleted more than `retention_years` ago (cases, case records, module records),
- with every row that belongs to them, then the people left with nothing that still needs them.

What belongs to a record is read from the schema's foreign keys. Every foreign key that points
into a table a purge can delete from is classified once in FK_POLICY; a purge refuses to run
while one is not (and tests/security/test_s26_retention.py fails), so a new child table cannot
be left behind holding a purged id. Services flush and audit; the caller commits, then calls
scrub_freed_space().
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import Column, ForeignKey, Table, and_, or_, select, update

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import (
    Assessment,
    AuditEvent,
    CallIn,
    Case,
    CaseStatusChange,
    CompensationClaim,
    Consent,
    Contact,
    FollowUp,
    Goal,
    GroupAffiliation,
    Injury,
    Mediation,
    Notification,
    Outcome,
    OutreachActivity,
    Program,
    Referral,
    ReportRun,
    Screening,
    ShootingResponse,
    User,
)
from caseflow.reports.facesheet import TEMPLATE_ID as FACESHEET_TEMPLATE_ID
from caseflow.timezones import local_today

CASCADE = "cascade"  # the referencing row is part of the record and goes with it
NULLIFY = "nullify"  # the referencing row belongs to someone else and only loses the pointer
KEEP = "keep"  # the referencing row, unless purged too, keeps the record it names

# "table.column" of every foreign key into a purgeable table -> what a purge does about it.
FK_POLICY: dict[str, str] = {
    # A case's own records.
    "assessments.case_id": CASCADE,
    "case_assignments.case_id": CASCADE,
    "case_status_changes.case_id": CASCADE,
    "closure_requests.case_id": CASCADE,
    "compensation_claims.case_id": CASCADE,
    "contacts.case_id": CASCADE,
    "goals.case_id": CASCADE,
    "group_affiliations.case_id": CASCADE,
    "injuries.case_id": CASCADE,
    "outcomes.case_id": CASCADE,
    "referrals.case_id": CASCADE,
    "screenings.case_id": CASCADE,
    "assessment_answers.assessment_id": CASCADE,
    "referral_status_changes.referral_id": CASCADE,
    "screening_answers.screening_id": CASCADE,
    # A case another program opened by hand-off stays; it only forgets which case it came from.
    "cases.handed_off_from_id": NULLIFY,
    # The person's own rows, which go when the person goes.
    "participant_aliases.participant_id": CASCADE,
    "participant_race_ethnicities.participant_id": CASCADE,
    "participant_search_keys.participant_id": CASCADE,  # derived from the person's names
    "consents.participant_id": CASCADE,
    "consent_categories.consent_id": CASCADE,
    "incident_people.participant_id": CASCADE,  # the link only: the shooting stays in the register
    "participant_merges.kept_id": CASCADE,
    "participant_merges.retired_id": CASCADE,
    "participants.merged_into_id": CASCADE,  # a retired duplicate record is the same person
    "merge_requests.participant_id": CASCADE,
    "merge_requests.other_id": CASCADE,
    "merge_requests.merge_id": NULLIFY,
    # An emergency grant names the person; the break_glass audit row keeps the event by id.
    "break_glass_grants.participant_id": CASCADE,
    # Rows that keep what they name: a person with a case (in any program) or a program's module
    # record about them stays; a consent that a referral was made under stays with its disclosure.
    "cases.participant_id": KEEP,
    "notifications.participant_id": KEEP,
    "call_in_invitees.participant_id": KEEP,
    "mediation_people.participant_id": KEEP,
    "injuries.participant_id": KEEP,
    "referrals.consent_id": KEEP,
    # Module records, purged when soft-deleted long enough, with their own rows.
    "module_follow_ups.mediation_id": CASCADE,
    "module_follow_ups.shooting_response_id": CASCADE,
    "module_follow_ups.notification_id": CASCADE,
    "mediation_people.mediation_id": CASCADE,
    "call_in_invitees.call_in_id": CASCADE,
    "call_in_service_requests.call_in_id": CASCADE,
}

# A case that left the state machine by one of these exits is over; its end date starts the retention clock.
ENDED_STATUSES = ("closed", "declined", "ineligible")

# Soft-deleted records a purge removes once deleted longer ago than the retention: audit kind -> model.
SOFT_DELETED_KINDS = {
    "case": Case,
    "contact": Contact,
    "referral": Referral,
    "goal": Goal,
    "outcome": Outcome,
    "assessment": Assessment,
    "screening": Screening,
    "injury": Injury,
    "compensation_claim": CompensationClaim,
    "group_affiliation": GroupAffiliation,
    "consent": Consent,
    "mediation": Mediation,
    "shooting_response": ShootingResponse,
    "outreach_activity": OutreachActivity,
    "call_in": CallIn,
    "notification": Notification,
    "follow_up": FollowUp,
}
# Soft-deletable tables a purge leaves alone: program set-up, shared registers, accounts, and people
# (a person goes when nothing needs them any more, not by their own deletion date).
SOFT_DELETES_KEPT = frozenset(
    {
        "programs",
        "program_memberships",
        "program_criteria",
        "instruments",
        "instrument_items",
        "deterrence_groups",
        "service_providers",
        "incidents",
        "participants",
    }
)

ROOT_TABLES = ("cases", "participants", *(model.__tablename__ for model in SOFT_DELETED_KINDS.values()))
CHUNK = 500


class PurgeError(ValueError):
    """A purge cannot run as asked; the message says why."""


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    items = sorted(ids)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _policy_key(fk: ForeignKey) -> str:
    return f"{fk.parent.table.name}.{fk.parent.name}"


def _referencing() -> dict[str, tuple[ForeignKey, ...]]:
    """Parent table name -> the foreign keys pointing at it, from the models' metadata as it is now."""
    return _referencing_tables(tuple(db.metadata.tables))


@cache
def _referencing_tables(_names: tuple[str, ...]) -> dict[str, tuple[ForeignKey, ...]]:
    found: dict[str, list[ForeignKey]] = defaultdict(list)
    for table in db.metadata.tables.values():
        for fk in table.foreign_keys:
            found[fk.column.table.name].append(fk)
    return {name: tuple(fks) for name, fks in found.items()}


def _pk(table: Table) -> Column | None:
    """The single-column primary key, or None for link tables keyed by their foreign keys."""
    columns = list(table.primary_key.columns)
    return columns[0] if len(columns) == 1 else None


def purgeable_tables() -> set[str]:
    """Tables a purge may delete rows from: the roots and everything reachable by CASCADE keys."""
    reached, frontier = set(ROOT_TABLES), list(ROOT_TABLES)
    while frontier:
        for fk in _referencing().get(frontier.pop(), ()):
            child = fk.parent.table.name
            if FK_POLICY.get(_policy_key(fk)) == CASCADE and child not in reached:
                reached.add(child)
                frontier.append(child)
    return reached


def unclassified_foreign_keys() -> list[str]:
    """Foreign keys into purgeable tables that FK_POLICY does not classify; a purge needs none."""
    return sorted(
        _policy_key(fk)
        for name in purgeable_tables()
        for fk in _referencing().get(name, ())
        if _policy_key(fk) not in FK_POLICY
    )


def retention_cutoff(years: int, today: date | None = None) -> date:
    """The day `years` years before today (28 February for a 29 February); older than this is purged."""
    today = today or local_today()
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


@dataclass
class PurgePlan:
    """What a purge of one program would remove, as ids; counts only ever leave this object."""

    program_id: int
    retention_years: int
    cutoff: date
    ended_cases: list[int] = field(default_factory=list)
    deleted_records: dict[str, list[int]] = field(default_factory=dict)
    participants: list[int] = field(default_factory=list)
    facesheets: list[int] = field(default_factory=list)
    rows: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    link_rows: int = 0
    kept_records: int = 0
    kept_people: int = 0

    @property
    def deleted_count(self) -> int:
        return sum(len(ids) for ids in self.deleted_records.values())

    @property
    def total_rows(self) -> int:
        return sum(len(ids) for ids in self.rows.values()) + self.link_rows

    @property
    def is_empty(self) -> bool:
        return not self.total_rows

    def summary(self) -> str:
        """The counts, for the confirm form to check nothing changed between page and POST."""
        counts = (len(self.ended_cases), self.deleted_count, len(self.participants), len(self.facesheets))
        return "/".join(str(n) for n in counts) + f"/{self.total_rows}"


def _ids_where(pk: Column, column: Column, ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(db.session.execute(select(pk).where(column.in_(chunk))).scalars())
    return found


def _closure(start: dict[str, set[int]], planned: dict[str, set[int]]) -> dict[str, set[int]]:
    """The start rows and every row that goes with them by CASCADE keys, leaving out rows already planned."""
    added: dict[str, set[int]] = defaultdict(set)
    frontier = []
    for name, ids in start.items():
        fresh = set(ids) - planned.get(name, set())
        if fresh:
            added[name] |= fresh
            frontier.append((name, fresh))
    while frontier:
        name, ids = frontier.pop()
        for fk in _referencing().get(name, ()):
            if FK_POLICY[_policy_key(fk)] != CASCADE:
                continue
            child = fk.parent.table
            pk = _pk(child)
            if pk is None:
                continue  # link tables are deleted by their foreign key when the purge runs
            found = _ids_where(pk, fk.parent, ids) - planned.get(child.name, set()) - added[child.name]
            if found:
                added[child.name] |= found
                frontier.append((child.name, found))
    return added


def _kept_by_others(rows: dict[str, set[int]], planned: dict[str, set[int]]) -> bool:
    """Whether a row outside the plan still needs one of these rows through a KEEP key."""
    for name, ids in rows.items():
        for fk in _referencing().get(name, ()):
            if FK_POLICY[_policy_key(fk)] != KEEP:
                continue
            child = fk.parent.table
            pk = _pk(child)
            if pk is None:  # a link table is never planned on its own: any row of it keeps the record
                if _ids_where(fk.parent, fk.parent, ids):
                    return True
                continue
            going = planned.get(child.name, set()) | rows.get(child.name, set())
            if _ids_where(pk, fk.parent, ids) - going:
                return True
    return False


def _take(plan: PurgePlan, roots: dict[str, set[int]]) -> bool:
    """Add roots and what goes with them to the plan, unless something staying still needs them."""
    rows = _closure(roots, plan.rows)
    if _kept_by_others(rows, plan.rows):
        return False
    for name, ids in rows.items():
        if ids:
            plan.rows[name] |= ids
    return True


def _take_each(plan: PurgePlan, table: str, ids: set[int]) -> set[int]:
    """Add roots together when nothing stops them (the usual case), else one by one; the ids taken."""
    if not ids:
        return set()
    if _take(plan, {table: ids}):
        return ids
    return {one for one in sorted(ids) if _take(plan, {table: {one}})}


def _in_program(model, program_id: int):
    """SQL: the model's row belongs to the program, directly, by its case, or by its parent record."""
    columns = model.__table__.c
    if "program_id" in columns:
        return model.program_id == program_id
    if "case_id" in columns:
        return model.case_id.in_(select(Case.id).where(Case.program_id == program_id))
    if model is FollowUp:
        return or_(
            FollowUp.mediation_id.in_(select(Mediation.id).where(Mediation.program_id == program_id)),
            FollowUp.shooting_response_id.in_(
                select(ShootingResponse.id).where(ShootingResponse.program_id == program_id)
            ),
            FollowUp.notification_id.in_(select(Notification.id).where(Notification.program_id == program_id)),
        )
    raise PurgeError(f"No way to tell which program a {model.__tablename__} row belongs to.")


def _ended_cases(program_id: int, cutoff: date, cutoff_at: datetime) -> set[int]:
    """Live cases of the program that ended before the cutoff.

    A closed case carries its closing date; a declined or ineligible one ended when it last
    entered that status, from the status history. A case with neither is kept.
    """
    entered_status = (
        select(db.func.max(CaseStatusChange.changed_at))
        .where(CaseStatusChange.case_id == Case.id, CaseStatusChange.to_status == Case.status)
        .correlate(Case)
        .scalar_subquery()
    )
    stmt = select(Case.id).where(
        Case.program_id == program_id,
        Case.deleted_at.is_(None),
        Case.status.in_(ENDED_STATUSES),
        or_(
            and_(Case.closed_on.is_not(None), Case.closed_on < cutoff),
            and_(Case.closed_on.is_(None), entered_status < cutoff_at),
        ),
    )
    return set(db.session.execute(stmt).scalars())


def _facesheets_of(case_ids: set[int]) -> set[int]:
    """Archived facesheet PDFs of these cases: they print the person, so they go with the case.

    A ReportRun has no case column; the facesheet's export audit row names the case and the run
    (caseflow/reports/facesheet.py), so that is where the link is read.
    """
    run_ids: set[int] = set()
    for chunk in _chunks(case_ids):
        for listed in db.session.execute(
            select(AuditEvent.record_ids).where(
                AuditEvent.record_type == "case", AuditEvent.record_id.in_(chunk), AuditEvent.action == "export"
            )
        ).scalars():
            run_ids.update(int(value) for value in listed.split() if value.isdigit())
    found: set[int] = set()
    for chunk in _chunks(run_ids):
        found.update(
            db.session.execute(
                select(ReportRun.id).where(ReportRun.id.in_(chunk), ReportRun.template_id == FACESHEET_TEMPLATE_ID)
            ).scalars()
        )
    return found


def _people_named(rows: dict[str, set[int]]) -> set[int]:
    """Participants that planned rows point at: the people a purge may leave with nothing."""
    people: set[int] = set()
    for name, ids in list(rows.items()):
        table = db.metadata.tables[name]
        for fk in table.foreign_keys:
            if fk.column.table.name == "participants" and name != "participants":
                for chunk in _chunks(ids):
                    people.update(
                        p for p in db.session.execute(select(fk.parent).where(_pk(table).in_(chunk))).scalars() if p
                    )
    return people - rows.get("participants", set())


def plan_purge(program: Program, today: date | None = None) -> PurgePlan:
    """Work out, without changing anything, what a purge of this program would remove."""
    problems = unclassified_foreign_keys()
    if problems:
        raise PurgeError(f"Purge is disabled: foreign keys without a purge policy: {', '.join(problems)}.")
    if program.retention_years is None:
        raise PurgeError("This program keeps its records forever: set a retention period first.")
    cutoff = retention_cutoff(program.retention_years, today)
    # Soft-delete stamps are UTC; the wall-clock midnight is close enough at a resolution of years.
    cutoff_at = datetime.combine(cutoff, datetime.min.time())
    plan = PurgePlan(program.id, program.retention_years, cutoff)

    ended = _ended_cases(program.id, cutoff, cutoff_at)
    plan.ended_cases = sorted(_take_each(plan, "cases", ended))
    for kind, model in SOFT_DELETED_KINDS.items():
        ids = set(
            db.session.execute(
                select(model.id).where(
                    model.deleted_at.is_not(None), model.deleted_at < cutoff_at, _in_program(model, program.id)
                )
            ).scalars()
        )
        wanted = ids - plan.rows.get(model.__tablename__, set())
        taken = _take_each(plan, model.__tablename__, wanted)
        plan.kept_records += len(wanted) - len(taken)
        if taken:
            plan.deleted_records[kind] = sorted(taken)

    plan.facesheets = sorted(_facesheets_of(plan.rows.get("cases", set())))
    if plan.facesheets:
        plan.rows["report_runs"] |= set(plan.facesheets)

    # People of the purged records who have no case left anywhere, and nothing else that needs them.
    candidates = _people_named(plan.rows)
    planned_cases = plan.rows.get("cases", set())
    with_cases = {
        participant_id
        for chunk in _chunks(candidates)
        for case_id, participant_id in db.session.execute(
            select(Case.id, Case.participant_id).where(Case.participant_id.in_(chunk))
        ).all()
        if case_id not in planned_cases
    }
    before = set(plan.rows.get("participants", set()))
    _take_each(plan, "participants", candidates - with_cases)
    plan.participants = sorted(plan.rows.get("participants", set()) - before)
    plan.kept_people = len(candidates - set(plan.participants))
    plan.link_rows = _count_link_rows(plan.rows)
    return plan


def _link_deletes(rows: dict[str, set[int]]) -> Iterator[tuple[Table, Column, str]]:
    """(link table, its foreign key column, parent table) for link rows that go with planned rows."""
    for name in rows:
        for fk in _referencing().get(name, ()):
            if FK_POLICY[_policy_key(fk)] == CASCADE and _pk(fk.parent.table) is None:
                yield fk.parent.table, fk.parent, name


def _count_link_rows(rows: dict[str, set[int]]) -> int:
    total = 0
    for _table, column, parent in _link_deletes(rows):
        for chunk in _chunks(rows[parent]):
            total += db.session.execute(select(db.func.count()).where(column.in_(chunk))).scalar_one()
    return total


def execute_purge(actor: User, program: Program, plan: PurgePlan) -> None:
    """Delete the planned rows, children first, and audit each purged record by id; never commits."""
    if plan.program_id != program.id:
        raise PurgeError("That plan is for another program.")
    if plan.is_empty:
        return
    db.session.flush()
    record_event(
        actor,
        "purge",
        "program",
        program.id,
        detail=f"retention {plan.retention_years} years, ended or deleted before {plan.cutoff.isoformat()}: "
        f"{len(plan.ended_cases)} ended cases, {plan.deleted_count} deleted records, "
        f"{len(plan.participants)} participants, {len(plan.facesheets)} facesheets, {plan.total_rows} rows",
    )
    rows = plan.rows
    for name, ids in rows.items():
        for fk in _referencing().get(name, ()):
            if FK_POLICY[_policy_key(fk)] == NULLIFY:
                column = fk.parent
                for chunk in _chunks(ids):
                    db.session.execute(update(column.table).where(column.in_(chunk)).values({column.name: None}))
        # A pointer between two rows of one table (a retired duplicate to its kept record) is cleared
        # on the rows going, so the chunked deletes below never depend on which of them goes first.
        table = db.metadata.tables[name]
        for fk in table.foreign_keys:
            if fk.column.table is table and fk.parent.nullable:
                for chunk in _chunks(ids):
                    db.session.execute(update(table).where(_pk(table).in_(chunk)).values({fk.parent.name: None}))
    for table, column, parent in _link_deletes(rows):
        for chunk in _chunks(rows[parent]):
            db.session.execute(table.delete().where(column.in_(chunk)))
    for table in reversed(db.metadata.sorted_tables):
        ids = rows.get(table.name)
        if ids:
            for chunk in _chunks(ids):
                db.session.execute(table.delete().where(_pk(table).in_(chunk)))
    # Objects loaded earlier in this session may name rows that are gone.
    db.session.expire_all()
    for case_id in plan.ended_cases:
        record_event(actor, "purge", "case", case_id)
    for kind, ids in plan.deleted_records.items():
        for record_id in ids:
            record_event(actor, "purge", kind, record_id)
    for run_id in plan.facesheets:
        record_event(actor, "purge", "report", run_id, detail="facesheet archive")
    for participant_id in plan.participants:
        record_event(actor, "purge", "participant", participant_id)


def scrub_freed_space() -> None:
    """After the purge commits: on SQLite, fold the write-ahead log back and truncate it.

    secure_delete (set on every connection) zeroes deleted content in the database pages, but
    the WAL file still holds copies of the old pages until a checkpoint overwrites them; a
    TRUNCATE checkpoint empties it. PostgreSQL keeps dead rows until VACUUM reclaims them.
    """
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def last_purge_at(program: Program) -> datetime | None:
    """When the program was last purged, from the audit trail."""
    return db.session.execute(
        select(db.func.max(AuditEvent.occurred_at)).where(
            AuditEvent.action == "purge", AuditEvent.record_type == "program", AuditEvent.record_id == program.id
        )
    ).scalar_one()
