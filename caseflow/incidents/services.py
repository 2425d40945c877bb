"""Incident register operations: they take the acting user, check the rules, flush, audit, never commit."""

from sqlalchemy import select

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import Participant, User
from caseflow.models.incident import Incident, IncidentPerson
from caseflow.permissions import participant_scope
from caseflow.softdelete import soft_delete


class IncidentRuleError(ValueError):
    """An incident change would break a rule; the message tells the user what to do."""


def _check_source_ref(source: str, source_ref: str | None, other_than: int | None = None) -> None:
    # A feed reference names one incident per source, so a later import can recognise it.
    if not source_ref:
        return
    stmt = select(Incident.id).where(Incident.source == source, Incident.source_ref == source_ref)
    if other_than is not None:
        stmt = stmt.where(Incident.id != other_than)
    if db.session.execute(stmt.limit(1)).first():
        raise IncidentRuleError("Another incident from this source already has that reference.")


def _clean(fields: dict) -> dict:
    fields = dict(fields)
    fields["source_ref"] = (fields.get("source_ref") or "").strip() or None
    fields["area"] = (fields.get("area") or "").strip()
    fields["notes"] = fields.get("notes") or ""
    return fields


def create_incident(actor: User, **fields) -> Incident:
    """Record a new incident."""
    fields = _clean(fields)
    _check_source_ref(fields["source"], fields["source_ref"])
    incident = Incident(created_by_id=actor.id, **fields)
    db.session.add(incident)
    db.session.flush()
    record_event(actor, "create", "incident", incident.id)
    return incident


def update_incident(actor: User, incident: Incident, **fields) -> None:
    """Correct an incident; the version column catches a concurrent save at flush."""
    fields = _clean(fields)
    _check_source_ref(fields["source"], fields["source_ref"], other_than=incident.id)
    for name, value in fields.items():
        setattr(incident, name, value)
    db.session.flush()
    record_event(actor, "update", "incident", incident.id)


def delete_incident(actor: User, incident: Incident) -> None:
    """Hide an incident from the list, the trend and its pages; restorable."""
    soft_delete(actor, incident, "incident")


def linked_people(actor: User, incident: Incident) -> list[IncidentPerson]:
    """Links to people the actor may see; the rest are left out entirely, not even counted."""
    return list(
        db.session.execute(
            select(IncidentPerson)
            .join(Participant, Participant.id == IncidentPerson.participant_id)
            .where(IncidentPerson.incident_id == incident.id, participant_scope(actor))
            .order_by(Participant.last_name, Participant.first_name, IncidentPerson.id)
        ).scalars()
    )


def link_participant(actor: User, incident: Incident, participant: Participant, role: str) -> IncidentPerson:
    """Link a person (already checked to be in the actor's scope) to an incident in a role."""
    exists = db.session.execute(
        select(IncidentPerson.id).where(
            IncidentPerson.incident_id == incident.id, IncidentPerson.participant_id == participant.id
        )
    ).first()
    if exists:
        raise IncidentRuleError("This person is already linked to this incident.")
    link = IncidentPerson(incident_id=incident.id, participant_id=participant.id, role=role, linked_by_id=actor.id)
    db.session.add(link)
    db.session.flush()
    # Ids only: never a name in the audit trail.
    record_event(
        actor, "create", "incident_person", link.id, record_ids=[participant.id], detail=f"incident {incident.id}"
    )
    return link


def unlink_participant(actor: User, link: IncidentPerson) -> None:
    """Remove a link; the audit row keeps who, which person id and which incident."""
    link_id, participant_id, incident_id = link.id, link.participant_id, link.incident_id
    db.session.delete(link)
    db.session.flush()
    record_event(
        actor, "delete", "incident_person", link_id, record_ids=[participant_id], detail=f"incident {incident_id}"
    )
