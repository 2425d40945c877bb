"""One small world for the security crawls: users in every role, records in and out of their scope.

Every free-text column of a record that some role must not see holds a unique canary string whose
tag says why it is restricted; a crawl then proves no page, file or log line carries a forbidden tag.

  OUT  records of programs none of the crawling roles works in (and their staff-only notes)
  COL  a colleague's case in a program where workers see only their own caseload
  STF  names of staff who work only in those other programs
  INC  the shared incident register (program staff see it; administrators and partners do not)
  DEL  soft-deleted records inside the supervisor's own program (S32)

Records the crawling roles may see hold plain, recognisable values and are registered as IN.
"""

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import CheckConstraint, String, Text, select

from caseflow.extensions import db
from caseflow.models import (
    Assessment,
    AssessmentAnswer,
    CallIn,
    CallInInvitee,
    CallInServiceRequest,
    Case,
    CaseAssignment,
    CaseStatusChange,
    ClosureRequest,
    CompensationClaim,
    Consent,
    ConsentCategory,
    Contact,
    DeterrenceGroup,
    FollowUp,
    Goal,
    GroupAffiliation,
    Incident,
    IncidentPerson,
    Injury,
    Instrument,
    InstrumentItem,
    Mediation,
    MediationPerson,
    MergeRequest,
    Notification,
    Outcome,
    OutreachActivity,
    Participant,
    ParticipantAlias,
    Program,
    ProgramCriterion,
    ProgramMembership,
    ProviderCategory,
    Referral,
    ReferralStatusChange,
    ReportRun,
    Screening,
    ServiceProvider,
    ShootingResponse,
    User,
)
from caseflow.models.base import utcnow
from tests.conftest import PASSWORD_HASH

CANARY = "CNRY"
CANARY_RE = re.compile(r"CNRY(OUT|COL|STF|INC|DEL)\d{4}Z")
# Columns that hold no free text a person typed: identifiers, hashes, codes and shared configuration.
NOT_PLANTED = {
    "users": {"email", "password_hash", "session_token"},
    "report_runs": {"disclosure_id", "template_id", "program_ids", "format", "sha256"},
    "programs": {"name", "organisation"},
    "service_providers": {"name", "phone", "email", "address", "notes"},
}
# The role names the crawls use, and which canary tags each must never see.
FORBIDDEN = {
    "worker_own": {"OUT", "COL", "STF", "DEL"},
    "worker": {"OUT", "COL", "STF", "DEL"},
    "supervisor": {"OUT", "COL", "STF"},  # DEL shows on the Deleted items page, to restore (test_s32)
    "manager_other": {"OUT", "COL", "STF", "DEL"},
    "admin": {"OUT", "COL", "INC", "DEL"},
    "partner": {"OUT", "COL", "STF", "INC", "DEL"},
}
# Where each role's user does casework (worker_own: only their own caseload there).
ROLE_PROGRAMS = {
    "worker_own": ("c",),
    "worker": ("a",),
    "supervisor": ("a",),
    "manager_other": ("m",),
    "admin": (),
    "partner": (),
}
ROLE_USERS = {
    "worker_own": "worker_c",
    "worker": "worker_a",
    "supervisor": "supervisor_a",
    "manager_other": "manager_m",
    "admin": "admin",
    "partner": "partner",
}


def _free_text_columns(table) -> list:
    """String/Text columns that are not enumerations (CHECK ... IN) and not identifiers."""
    checks = " ".join(str(c.sqltext) for c in table.constraints if isinstance(c, CheckConstraint))
    skip = NOT_PLANTED.get(table.name, set())
    return [
        column
        for column in table.columns
        # Encrypted columns (S27) are text under a TypeDecorator: they are the most restricted of all.
        if isinstance(getattr(column.type, "impl", column.type), String | Text)
        and column.name not in skip
        and f"{column.name} IN (" not in checks
        and not column.foreign_keys
    ]


@dataclass
class World:
    """The built world: programs and users by key, and every record by scope tag."""

    programs: dict[str, Program] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    records: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    cases: dict[str, Case] = field(default_factory=dict)
    people: dict[str, Participant] = field(default_factory=dict)
    _serial: itertools.count = field(default_factory=lambda: itertools.count(1))

    # --- canaries ------------------------------------------------------------------------

    def canary(self, tag: str) -> str:
        return f"{CANARY}{tag}{next(self._serial):04d}Z"

    def plant(self, row, tag: str):
        """Fill every free-text column of row with a fresh canary of tag, and register it under tag."""
        for column in _free_text_columns(row.__table__):
            length = getattr(column.type, "length", None)
            value = self.canary(tag)
            if length is None or length >= len(value):
                setattr(row, column.key, value)
        return self.keep(row, tag)

    def keep(self, row, tag: str):
        db.session.add(row)
        db.session.flush()
        self.records[tag].append(row)
        return row

    def ids_tagged(self, model, tag: str) -> list[int]:
        return sorted({row.id for row in self.records[tag] if isinstance(row, model)})

    def user_for(self, role: str) -> User:
        return self.users[ROLE_USERS[role]]

    def rows(self, model) -> list:
        """Every registered record of one model."""
        return [row for rows in self.records.values() for row in rows if isinstance(row, model)]

    def tag_of(self, row) -> str:
        return next(tag for tag, rows in self.records.items() if any(r is row for r in rows))

    def casework_programs(self, role: str) -> set[int]:
        """Programs where the role's user does casework (the expectation, written out, not asked of the app)."""
        return {self.programs[key].id for key in ROLE_PROGRAMS[role]}

    def may_see(self, role: str, row) -> bool:
        """Whether the role may open this record: by the program that owns it, as the access rules say."""
        tag = self.tag_of(row)
        if tag == "DEL" or (tag == "COL" and role == "worker_own"):
            return False
        owners = self.owning_programs(row)
        if owners is None:  # the shared incident register
            return bool(self.casework_programs(role))
        return bool(owners & self.casework_programs(role))

    def restricted_ids(self, role: str, model) -> list[int]:
        """Ids of registered records of model the role must not reach."""
        return sorted({row.id for row in self.rows(model) if not self.may_see(role, row)})

    def visible_ids(self, role: str, model) -> list[int]:
        return sorted({row.id for row in self.rows(model) if self.may_see(role, row)})

    def id_choices(self, role: str, model) -> tuple[list[int], int | None]:
        """(ids of model the role must not reach, one id of model it may reach or None)."""
        actor = self.user_for(role)
        if model is Program:
            mine = self.casework_programs(role)
            member = {m.program_id for m in actor.memberships}
            others = sorted(p.id for p in self.programs.values() if p.id not in member)
            return others, min(mine) if mine else None
        if model in (User, ProgramMembership, ServiceProvider):
            # Account and directory management: only administrators, for every record alike.
            if actor.is_admin:
                return [], None
            if model is User:
                return sorted(u.id for u in self.users.values() if u.id != actor.id), None
            if model is ServiceProvider:
                return sorted(db.session.execute(select(ServiceProvider.id)).scalars()), None
            return sorted(db.session.execute(select(ProgramMembership.id)).scalars()), None
        visible = self.visible_ids(role, model)
        return self.restricted_ids(role, model), visible[0] if visible else None

    def restricted_keys(self, role: str) -> dict[str, set[int]]:
        """table name -> ids of its rows the role must not reach (other programs, their staff, a colleague's)."""
        keys: dict[str, set[int]] = defaultdict(set)
        for rows in self.records.values():
            for row in rows:
                if isinstance(row, User):
                    if self.tag_of(row) == "STF":
                        keys["users"].add(row.id)
                elif not self.may_see(role, row):
                    keys[row.__table__.name].add(row.id)
        keys["programs"] = set(self.id_choices(role, Program)[0])
        return keys

    def restricted_state(self, role: str) -> dict:
        """Every restricted row's full content, to prove nothing outside scope changed."""
        db.session.rollback()
        state = {}
        for table_name, ids in self.restricted_keys(role).items():
            table = db.metadata.tables[table_name]
            for row in db.session.execute(select(table).where(table.c.id.in_(ids))).all():
                state[(table_name, row.id)] = tuple(row)
        db.session.rollback()
        return state

    def references_to_restricted(self, role: str) -> set[tuple]:
        """(table, row, column) of every row pointing at a restricted record, to prove no new link was made."""
        db.session.rollback()
        keys = self.restricted_keys(role)
        found = set()
        for table in db.metadata.sorted_tables:
            if table.name in ("audit_events", "security_alerts"):
                continue
            for column in table.columns:
                for fk in column.foreign_keys:
                    target = fk.column.table.name
                    if not keys.get(target):
                        continue
                    pk = list(table.primary_key.columns)
                    stmt = select(*pk, column).where(column.in_(keys[target]))
                    for row in db.session.execute(stmt).all():
                        found.add((table.name, tuple(row[: len(pk)]), column.name))
        db.session.rollback()
        return found

    def owning_programs(self, row) -> set[int] | None:
        """The programs a record belongs to; None for the shared incident register."""
        if isinstance(row, Incident):
            return None
        if isinstance(row, Participant):
            return {case.program_id for case in self.cases.values() if case.participant_id == row.id}
        if isinstance(row, User):
            return {
                m.program_id
                for m in db.session.execute(
                    select(ProgramMembership).where(ProgramMembership.user_id == row.id)
                ).scalars()
            }
        if isinstance(row, ReportRun):
            return {int(p) for p in row.program_ids.split()}
        if getattr(row, "program_id", None) is not None:
            # Module records, and consents: a consent stays with the program that recorded it.
            return {row.program_id}
        parent = _parent_of(row)
        if parent is None:
            raise AssertionError(f"no owner known for {row!r}")
        return self.owning_programs(parent)


def _parent_of(row):
    """The record a child row hangs off, for working out its program."""
    links = (
        ("case_id", Case),
        ("mediation_id", Mediation),
        ("shooting_response_id", ShootingResponse),
        ("notification_id", Notification),
        ("call_in_id", CallIn),
        ("assessment_id", Assessment),
        ("instrument_id", Instrument),
        ("referral_id", Referral),
        ("participant_id", Participant),
        ("incident_id", Incident),
    )
    for attribute, model in links:
        value = getattr(row, attribute, None)
        if value is not None:
            return db.session.get(model, value)
    return None


def _user(world: World, key: str, roles: dict | None = None, *, tag: str = "IN", **fields) -> User:
    user = User(
        email=f"{key}@sec.example.org",
        full_name=fields.pop("full_name", f"Staff {key.replace('_', ' ').title()}"),
        password_hash=PASSWORD_HASH,
        **fields,
    )
    if tag == "STF":
        world.plant(user, "STF")
    else:
        world.keep(user, tag)
    for program, role in (roles or {}).items():
        db.session.add(ProgramMembership(user_id=user.id, program_id=program.id, role=role))
    db.session.flush()
    world.users[key] = user
    return user


def _program(world: World, key: str, kind: str, name: str, **settings) -> Program:
    program = Program(kind=kind, name=name, **settings)
    db.session.add(program)
    db.session.flush()
    world.programs[key] = program
    return program


def _record(world: World, row, tag: str):
    """A record of a scope: planted with canaries unless it is IN."""
    return world.keep(row, tag) if tag == "IN" else world.plant(row, tag)


def _person(world: World, key: str, tag: str, first: str, last: str) -> Participant:
    person = _record(world, Participant(first_name=first, last_name=last, phone="555-0100", area="Northside"), tag)
    _record(world, ParticipantAlias(participant_id=person.id, name=f"{first}y", kind="street_name"), tag)
    world.people[key] = person
    return person


def _case(world: World, key: str, person: Participant, program: Program, worker: User | None, tag: str) -> Case:
    today = date.today()
    case = world.keep(
        Case(
            participant_id=person.id,
            program_id=program.id,
            status="active",
            referred_on=today - timedelta(days=60),
            enrolled_on=today - timedelta(days=50),
            assigned_worker_id=worker.id if worker else None,
            risk_level="high",
        ),
        tag,
    )
    _record(world, CaseStatusChange(case_id=case.id, from_status=None, to_status="active"), tag)
    world.cases[key] = case
    return case


def _casework(
    world: World,
    case: Case,
    author: User | None,
    tag: str,
    provider: ServiceProvider,
    *,
    config: bool = True,
    history: bool = True,
) -> None:
    """One of every case-owned record, each holding tag's canaries (or plain text when IN).

    config adds the program's own assessment instrument and screening criterion (program settings, not
    case data); history adds the case's assignment and closure rows, which have no soft delete of their own.
    """
    today = date.today()
    now = datetime.now().replace(microsecond=0)
    author_id = author.id if author else None
    _record(
        world,
        Contact(
            case_id=case.id,
            author_id=author_id,
            occurred_at=now - timedelta(days=3),
            mode="in_person",
            contact_type="check_in",
            duration_minutes=30,
            location_area="Corner store",
            notes="Talked about work.",
        ),
        tag,
    )
    consent = _record(
        world,
        Consent(
            participant_id=case.participant_id,
            program_id=case.program_id,
            recipient=provider.name,
            provider_id=provider.id,
            signed_on=today - timedelta(days=20),
            expires_on=today + timedelta(days=200),
            recorded_by_id=author_id,
        ),
        tag,
    )
    db.session.add(ConsentCategory(consent_id=consent.id, category="identity"))
    referral = _record(
        world,
        Referral(
            case_id=case.id,
            provider_id=provider.id,
            service_category="housing",
            status="referred",
            referred_on=today - timedelta(days=10),
            due_on=today - timedelta(days=2),
            consent_id=consent.id,
            notes="Needs a room.",
            created_by_id=author_id,
        ),
        tag,
    )
    world.keep(
        ReferralStatusChange(
            referral_id=referral.id, to_status="referred", changed_on=referral.referred_on, changed_by_id=author_id
        ),
        tag,
    )
    _record(world, Goal(case_id=case.id, domain="housing", description="Find a room.", set_on=today), tag)
    _record(
        world,
        Outcome(case_id=case.id, outcome_type="housing_secured", occurred_on=today - timedelta(days=1), details="Ok."),
        tag,
    )
    instrument = item = None
    if config:
        instrument = _record(world, Instrument(program_id=case.program_id, name="Risk screen"), tag)
        item = _record(world, InstrumentItem(instrument_id=instrument.id, text="Recent threats", max_points=2), tag)
    assessment = _record(
        world,
        Assessment(
            case_id=case.id,
            instrument="Risk screen",
            instrument_id=instrument.id if instrument else None,
            score=2,
            risk_level="high",
            taken_at=now - timedelta(days=5),
            assessed_by_id=author_id,
        ),
        tag,
    )
    _record(
        world,
        AssessmentAnswer(
            assessment_id=assessment.id, item="Recent threats", item_id=item.id if item else None, answer="Y"
        ),
        tag,
    )
    _record(world, Screening(case_id=case.id, screened_on=today - timedelta(days=55), result="eligible"), tag)
    if config:
        _record(world, ProgramCriterion(program_id=case.program_id, text="Recent injury"), tag)
    if not history:
        return
    _record(world, CaseAssignment(case_id=case.id, to_worker_id=author_id, note="Took over."), tag)
    _record(
        world,
        ClosureRequest(case_id=case.id, reason="goals_met", note="Ready to close.", requested_by_id=author_id),
        tag,
    )


def _outreach_module(world: World, program: Program, incident: Incident, staff: User, person, tag: str) -> None:
    now = datetime.now().replace(microsecond=0)
    mediation = _record(
        world,
        Mediation(
            program_id=program.id,
            occurred_at=now - timedelta(days=4),
            area="Park",
            identified_by="tip",
            groups_involved="Two crews",
            actions_taken="Talked it down",
            recorded_by_id=staff.id,
        ),
        tag,
    )
    world.keep(MediationPerson(mediation_id=mediation.id, participant_id=person.id), tag)
    _record(world, FollowUp(mediation_id=mediation.id, due_on=date.today(), note="Check back."), tag)
    response = _record(
        world,
        ShootingResponse(
            program_id=program.id,
            incident_id=incident.id,
            responder_id=staff.id,
            location="scene",
            first_response_at=incident.occurred_at + timedelta(hours=1),
            notes="Calmed the block.",
            recorded_by_id=staff.id,
        ),
        tag,
    )
    _record(world, FollowUp(shooting_response_id=response.id, due_on=date.today(), note="Visit family."), tag)
    _record(
        world,
        OutreachActivity(
            program_id=program.id,
            occurred_on=date.today() - timedelta(days=6),
            kind="canvassing",
            area="Main street",
            staff_minutes=90,
            people_reached=12,
            description="Flyers.",
        ),
        tag,
    )


def _hvip_module(world: World, program: Program, case: Case | None, staff: User, tag: str) -> None:
    arrived = datetime.now().replace(microsecond=0) - timedelta(days=9)
    _record(
        world,
        Injury(
            program_id=program.id,
            participant_id=case.participant_id if case else None,
            case_id=case.id if case else None,
            injured_at=arrived - timedelta(hours=1),
            mechanism="gunshot",
            hospital="County General",
            care_level="admitted",
            medical_record_number="MRN-1",
            arrived_at=arrived,
            first_bedside_at=arrived + timedelta(hours=2),
            discharged_on=date.today() - timedelta(days=5),
            discharge_plan="Home with family.",
            funnel_stage="enrolled" if case else "declined",
            funnel_reason="" if case else "Not ready",
            patient_age=22,
            patient_gender="male",
            recorded_by_id=staff.id,
        ),
        tag,
    )
    if case:
        _record(
            world,
            CompensationClaim(case_id=case.id, applied_on=date.today() - timedelta(days=4), notes="Filed."),
            tag,
        )


def _deterrence_module(world: World, program: Program, case: Case, staff: User, tag: str) -> None:
    today = date.today()
    group = _record(world, DeterrenceGroup(program_id=program.id, name="Crew", area="Eastside"), tag)
    world.keep(GroupAffiliation(case_id=case.id, group_id=group.id, recorded_by_id=staff.id), tag)
    call_in = _record(
        world,
        CallIn(
            program_id=program.id,
            held_at=datetime.now().replace(microsecond=0) - timedelta(days=8),
            venue="Church hall",
            speakers_community=2,
            speakers_services=1,
            speakers_law_enforcement=1,
            notes="Went well.",
            recorded_by_id=staff.id,
        ),
        tag,
    )
    world.keep(
        CallInInvitee(
            call_in_id=call_in.id, participant_id=case.participant_id, attendance="attended", help_accepted=True
        ),
        tag,
    )
    world.keep(CallInServiceRequest(call_in_id=call_in.id, category="employment", people=1), tag)
    notification = _record(
        world,
        Notification(
            program_id=program.id,
            participant_id=case.participant_id,
            notified_on=today - timedelta(days=7),
            trigger="ongoing_dispute",
            delivered=True,
            offer_accepted=True,
            notes="Took the offer.",
            recorded_by_id=staff.id,
        ),
        tag,
    )
    _record(world, FollowUp(notification_id=notification.id, due_on=today, note="Job fair."), tag)


def _report_run(
    world: World, program: Program, user: User, tag: str, *, template: str = "program-summary", content=b""
):
    today = date.today()
    return _record(
        world,
        ReportRun(
            disclosure_id=f"D{next(world._serial):08d}",
            template_id=template,
            program_ids=str(program.id),
            period_start=today - timedelta(days=90),
            period_end=today - timedelta(days=1),
            period_label="Last quarter",
            format="csv",
            recipient="City grants office",
            purpose="Quarterly report",
            generated_by_id=user.id,
            sha256="0" * 64,
            size_bytes=len(content),
            content=content,
        ),
        tag,
    )


def build_world() -> World:
    """Programs, users in every role, and records in and out of each role's scope; committed."""
    w = World()
    provider = ServiceProvider(name="Eastside Housing", categories=[ProviderCategory(category="housing")])
    db.session.add(provider)

    # The programs the crawling roles work in.
    a = _program(w, "a", "street_outreach", "Outreach A")
    c = _program(w, "c", "hvip", "HVIP C", workers_see_own_caseload_only=True)
    m = _program(w, "m", "focused_deterrence", "Deterrence M")
    # Programs none of them works in: everything there is restricted.
    oo = _program(w, "oo", "street_outreach", "Outreach Other")
    oh = _program(w, "oh", "hvip", "HVIP Other")
    of = _program(w, "of", "focused_deterrence", "Deterrence Other")

    worker_a = _user(w, "worker_a", {a: "worker"})
    supervisor_a = _user(w, "supervisor_a", {a: "supervisor"})
    worker_c = _user(w, "worker_c", {c: "worker"})
    worker_c2 = _user(w, "worker_c2", {c: "worker"})
    _user(w, "supervisor_c", {c: "supervisor"})
    manager_m = _user(w, "manager_m", {m: "manager"})
    _user(w, "admin", is_admin=True)
    _user(w, "partner", {of: "partner"})
    staff_oo = _user(w, "staff_oo", {oo: "worker"}, tag="STF")
    _user(w, "sup_oo", {oo: "supervisor"}, tag="STF")
    staff_oh = _user(w, "staff_oh", {oh: "worker"}, tag="STF")
    staff_of = _user(w, "staff_of", {of: "worker"}, tag="STF")

    incident = _record(
        w,
        Incident(
            occurred_at=datetime.now().replace(microsecond=0) - timedelta(days=9),
            area="Eastside",
            source="police",
            source_ref="REF",
            nonfatal_victims=1,
            notes="Two shot",
        ),
        "INC",
    )

    # Xavier is in scope of Outreach A, and also has a case in the other outreach program (its notes stay there).
    xavier = _person(w, "xavier", "IN", "Xavier", "Inscope")
    xa = _case(w, "xa", xavier, a, worker_a, "IN")
    _casework(w, xa, worker_a, "IN", provider)
    _outreach_module(w, a, incident, worker_a, xavier, "IN")
    w.keep(IncidentPerson(incident_id=incident.id, participant_id=xavier.id, role="victim"), "IN")
    xo = _case(w, "xo", xavier, oo, staff_oo, "OUT")
    _casework(w, xo, staff_oo, "OUT", provider)

    # HVIP C limits workers to their own caseload: worker_c2's patient is off limits to worker_c.
    hana = _person(w, "hana", "IN", "Hana", "Ownload")
    hc = _case(w, "hc", hana, c, worker_c, "IN")
    _casework(w, hc, worker_c, "IN", provider)
    _hvip_module(w, c, hc, worker_c, "IN")
    colin = _person(w, "colin", "COL", "Colin", "Colleague")
    cc = _case(w, "cc", colin, c, worker_c2, "COL")
    _casework(w, cc, worker_c2, "COL", provider, config=False)
    _hvip_module(w, c, cc, worker_c2, "COL")

    # Deterrence M: the manager's own, plain program.
    mona = _person(w, "mona", "IN", "Mona", "Managed")
    mm = _case(w, "mm", mona, m, None, "IN")
    _casework(w, mm, manager_m, "IN", provider)
    _deterrence_module(w, m, mm, manager_m, "IN")

    # Yusuf and Zara live only in the other programs: every field of theirs is restricted.
    yusuf = _person(w, "yusuf", "OUT", "Yusuf", "Elsewhere")
    zara = _person(w, "zara", "OUT", "Zara", "Elsewhere")
    yo = _case(w, "yo", yusuf, oo, staff_oo, "OUT")
    _casework(w, yo, staff_oo, "OUT", provider)
    _outreach_module(w, oo, incident, staff_oo, yusuf, "OUT")
    w.keep(IncidentPerson(incident_id=incident.id, participant_id=yusuf.id, role="involved"), "OUT")
    yh = _case(w, "yh", yusuf, oh, staff_oh, "OUT")
    _casework(w, yh, staff_oh, "OUT", provider)
    _hvip_module(w, oh, yh, staff_oh, "OUT")
    _hvip_module(w, oh, None, staff_oh, "OUT")
    yf = _case(w, "yf", yusuf, of, staff_of, "OUT")
    _casework(w, yf, staff_of, "OUT", provider)
    _deterrence_module(w, of, yf, staff_of, "OUT")
    _case(w, "zo", zara, oo, staff_oo, "OUT")
    _record(
        w,
        MergeRequest(participant_id=yusuf.id, other_id=zara.id, reason="Same person", requested_by_id=staff_oo.id),
        "OUT",
    )
    # Reports of the other program, and a facesheet whose archived bytes name Yusuf.
    _report_run(w, oo, w.users["sup_oo"], "OUT")
    _report_run(w, oo, w.users["sup_oo"], "OUT", template="facesheet", content=f"%PDF-1.4 {w.canary('OUT')}".encode())
    _report_run(w, a, supervisor_a, "IN")
    db.session.commit()
    return w


def deleted_in_scope(w: World) -> None:
    """Soft-deleted records in Outreach A, each holding DEL canaries (S32); committed."""
    provider = db.session.execute(select(ServiceProvider)).scalars().first()
    a = w.programs["a"]
    worker = w.users["worker_a"]
    gone = _person(w, "gone", "DEL", "Gone", "Deleted")
    case = _case(w, "gone_case", gone, a, worker, "DEL")
    _casework(w, case, worker, "DEL", provider, config=False)
    # A live case's deleted children, and a deleted program-owned mediation.
    _casework(w, w.cases["xa"], worker, "DEL", provider, config=False, history=False)
    incident = db.session.execute(select(Incident)).scalars().first()
    _outreach_module(w, a, incident, worker, w.people["xavier"], "DEL")
    # Deleted as the app deletes: the records and the case, never the person (who simply has no live case).
    now = utcnow()
    for row in w.records["DEL"]:
        if hasattr(row, "deleted_at") and not isinstance(row, Participant):
            row.deleted_at = now
            row.deleted_by_id = w.users["supervisor_a"].id
    db.session.commit()
