"""Street outreach operations: mediations and their people, shooting responses, community activity.

Services take the acting user, check the domain rules, flush, audit, and never commit.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import (
    Incident,
    Mediation,
    MediationPerson,
    OutreachActivity,
    Participant,
    Program,
    ProgramMembership,
    ShootingResponse,
    User,
)
from caseflow.models.base import utcnow
from caseflow.models.choices import CASEWORK_ROLES
from caseflow.permissions import participant_scope, programs_for, role_in, supervises
from caseflow.softdelete import soft_delete

MEDIATION_FIELDS = (
    "occurred_at",
    "area",
    "identified_by",
    "incident_id",
    "parties_count",
    "groups_involved",
    "weapons_present",
    "imminent_risk",
    "actions_taken",
    "outcome",
)
RESPONSE_FIELDS = ("incident_id", "responder_id", "location", "first_response_at", "retaliation_risk", "notes")
ACTIVITY_FIELDS = ("occurred_on", "kind", "area", "staff_minutes", "people_reached", "description")
# The incident selects offer the register's recent shootings; older ones are rarely what a worker means.
RECENT_INCIDENT_DAYS = 60


class OutreachRuleError(ValueError):
    """A domain rule refused the change; the message is safe to show, next to field when one is named."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def is_outreach_program(program: Program | None) -> bool:
    """Only live street outreach programs hold mediations, responses and activities."""
    return program is not None and program.kind == "street_outreach" and program.deleted_at is None


def _check_member(actor: User, program_id: int) -> None:
    if role_in(actor, program_id) is None:
        raise OutreachRuleError("Only members of this outreach program can record its work.")


def _clean(fields: dict, allowed: tuple[str, ...]) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def _live_incident(incident_id: int | None) -> Incident | None:
    if incident_id is None:
        return None
    incident = db.session.get(Incident, incident_id)
    if incident is None or incident.deleted_at is not None:
        raise OutreachRuleError("Choose an incident from the register.", field="incident_id")
    return incident


# --- mediations ---------------------------------------------------------------------------


def _check_mediation(mediation: Mediation) -> None:
    """The rules the form also checks, repeated so no caller can skip them."""
    if (mediation.parties_count or 0) < 2:
        raise OutreachRuleError("A mediation is between at least 2 parties.", field="parties_count")
    if not mediation.area:
        raise OutreachRuleError("Enter the area.", field="area")
    _live_incident(mediation.incident_id)


def record_mediation(actor: User, program: Program, **fields) -> Mediation:
    """Record a conflict mediation; no enrolled person is needed."""
    if not is_outreach_program(program):
        raise OutreachRuleError("Mediations belong to a street outreach program.")
    _check_member(actor, program.id)
    mediation = Mediation(program_id=program.id, recorded_by_id=actor.id, **_clean(fields, MEDIATION_FIELDS))
    _check_mediation(mediation)
    db.session.add(mediation)
    db.session.flush()
    record_event(actor, "create", "mediation", mediation.id, detail=f"program {program.id}")
    return mediation


def edit_mediation(actor: User, mediation: Mediation, **fields) -> Mediation:
    """Correct a mediation or record how it turned out; the caller has checked the version."""
    _check_member(actor, mediation.program_id)
    for name, value in _clean(fields, MEDIATION_FIELDS).items():
        setattr(mediation, name, value)
    _check_mediation(mediation)
    db.session.flush()
    record_event(actor, "update", "mediation", mediation.id, detail=f"program {mediation.program_id}")
    return mediation


def mediation_people(actor: User, mediation: Mediation) -> tuple[list[MediationPerson], int]:
    """Links to people the actor may see, and how many other links there are (never who)."""
    visible = list(
        db.session.execute(
            select(MediationPerson)
            .join(Participant, Participant.id == MediationPerson.participant_id)
            .where(MediationPerson.mediation_id == mediation.id, participant_scope(actor))
            .order_by(Participant.last_name, Participant.first_name, MediationPerson.id)
        ).scalars()
    )
    total = len(mediation.people)
    return visible, total - len(visible)


def link_mediation_person(actor: User, mediation: Mediation, participant: Participant) -> MediationPerson:
    """Link a person (already checked to be in the actor's scope) to a mediation."""
    _check_member(actor, mediation.program_id)
    exists = db.session.execute(
        select(MediationPerson.id).where(
            MediationPerson.mediation_id == mediation.id, MediationPerson.participant_id == participant.id
        )
    ).first()
    if exists:
        raise OutreachRuleError("This person is already linked to this mediation.")
    link = MediationPerson(mediation_id=mediation.id, participant_id=participant.id, linked_by_id=actor.id)
    db.session.add(link)
    db.session.flush()
    # Ids only: never a name in the audit trail.
    record_event(
        actor, "create", "mediation_person", link.id, record_ids=[participant.id], detail=f"mediation {mediation.id}"
    )
    return link


def unlink_mediation_person(actor: User, link: MediationPerson) -> None:
    """Remove a link; the audit row keeps who, which person id and which mediation."""
    link_id, participant_id, mediation_id = link.id, link.participant_id, link.mediation_id
    db.session.delete(link)
    db.session.flush()
    record_event(
        actor, "delete", "mediation_person", link_id, record_ids=[participant_id], detail=f"mediation {mediation_id}"
    )


# --- shooting responses -------------------------------------------------------------------


def _check_response(response: ShootingResponse) -> None:
    incident = _live_incident(response.incident_id)
    if incident is None:
        raise OutreachRuleError("Choose the incident this response was to.", field="incident_id")
    # Response-time figures are meaningless if a response predates the shooting.
    if response.first_response_at < incident.occurred_at:
        raise OutreachRuleError(
            "The first response cannot be before the incident happened; check the date and time.",
            field="first_response_at",
        )
    responder = db.session.get(User, response.responder_id) if response.responder_id else None
    if responder is None or not responder.is_active or role_in(responder, response.program_id) is None:
        raise OutreachRuleError("Choose a member of this program as the responder.", field="responder_id")


def record_response(actor: User, program: Program, **fields) -> ShootingResponse:
    """Record the program's response to a shooting in the register."""
    if not is_outreach_program(program):
        raise OutreachRuleError("Shooting responses belong to a street outreach program.")
    _check_member(actor, program.id)
    response = ShootingResponse(program_id=program.id, recorded_by_id=actor.id, **_clean(fields, RESPONSE_FIELDS))
    _check_response(response)
    db.session.add(response)
    db.session.flush()
    detail = f"program {program.id} incident {response.incident_id}"
    record_event(actor, "create", "shooting_response", response.id, detail=detail)
    return response


def edit_response(actor: User, response: ShootingResponse, **fields) -> ShootingResponse:
    """Correct a shooting response; the caller has checked the version."""
    _check_member(actor, response.program_id)
    for name, value in _clean(fields, RESPONSE_FIELDS).items():
        setattr(response, name, value)
    _check_response(response)
    db.session.flush()
    record_event(actor, "update", "shooting_response", response.id, detail=f"program {response.program_id}")
    return response


def minutes_to_response(response: ShootingResponse) -> int:
    """Whole minutes from the shooting to the first response."""
    return int((response.first_response_at - response.incident.occurred_at).total_seconds() // 60)


# --- community activity -------------------------------------------------------------------


def _check_activity(activity: OutreachActivity) -> None:
    if activity.staff_minutes < 0 or activity.people_reached < 0:
        raise OutreachRuleError("Hours and people reached cannot be negative.")


def record_activity(actor: User, program: Program, **fields) -> OutreachActivity:
    """Record canvassing, an event or other community work."""
    if not is_outreach_program(program):
        raise OutreachRuleError("Community activity belongs to a street outreach program.")
    _check_member(actor, program.id)
    activity = OutreachActivity(program_id=program.id, recorded_by_id=actor.id, **_clean(fields, ACTIVITY_FIELDS))
    _check_activity(activity)
    db.session.add(activity)
    db.session.flush()
    record_event(actor, "create", "outreach_activity", activity.id, detail=f"program {program.id}")
    return activity


def edit_activity(actor: User, activity: OutreachActivity, **fields) -> OutreachActivity:
    """Correct a community activity; the caller has checked the version."""
    _check_member(actor, activity.program_id)
    for name, value in _clean(fields, ACTIVITY_FIELDS).items():
        setattr(activity, name, value)
    _check_activity(activity)
    db.session.flush()
    record_event(actor, "update", "outreach_activity", activity.id, detail=f"program {activity.program_id}")
    return activity


# --- deleting and choices -------------------------------------------------------------------


def delete_outreach_record(actor: User, record, record_type: str) -> None:
    """Supervisors and managers hide a mistaken record from every page and figure; restorable."""
    if not supervises(actor, record.program_id):
        raise OutreachRuleError("Only a supervisor or manager of the program can delete its records.")
    soft_delete(actor, record, record_type)


def recent_incidents(include_id: int | None = None, days: int = RECENT_INCIDENT_DAYS) -> list[Incident]:
    """Live incidents of the last days (newest first), plus one already chosen even if older."""
    since: datetime = utcnow() - timedelta(days=days)
    incidents = list(
        db.session.execute(
            select(Incident)
            .where(Incident.deleted_at.is_(None), Incident.occurred_at >= since)
            .order_by(Incident.occurred_at.desc(), Incident.id.desc())
        ).scalars()
    )
    if include_id is not None and all(i.id != include_id for i in incidents):
        extra = db.session.get(Incident, include_id)
        if extra is not None and extra.deleted_at is None:
            incidents.append(extra)
    return incidents


def casework_members(program: Program) -> list[User]:
    """The program's active workers, supervisors and managers: who can respond to a shooting."""
    return list(
        db.session.execute(
            select(User)
            .join(ProgramMembership, ProgramMembership.user_id == User.id)
            .where(
                ProgramMembership.program_id == program.id,
                ProgramMembership.role.in_(CASEWORK_ROLES),
                ProgramMembership.deleted_at.is_(None),
                User.is_active.is_(True),
            )
            .order_by(User.full_name, User.id)
        ).scalars()
    )


def outreach_programs_of(actor: User) -> list[Program]:
    """Live street outreach programs where the actor does casework (never as a partner)."""
    return [p for p in programs_for(actor) if p.kind == "street_outreach"]


def incident_responses(actor: User, incident: Incident) -> list[ShootingResponse]:
    """Live responses to an incident by the actor's own outreach programs, earliest first."""
    program_ids = [p.id for p in outreach_programs_of(actor)]
    if not program_ids:
        return []
    return list(
        db.session.execute(
            select(ShootingResponse)
            .where(
                ShootingResponse.incident_id == incident.id,
                ShootingResponse.program_id.in_(program_ids),
                ShootingResponse.deleted_at.is_(None),
            )
            .order_by(ShootingResponse.first_response_at, ShootingResponse.id)
        ).scalars()
    )
