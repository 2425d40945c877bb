"""Case operations. Each takes the acting user, checks the rules, flushes, audits, never commits."""

from datetime import date, datetime

from sqlalchemy import select

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import (
    Case,
    CaseStatusChange,
    Contact,
    Participant,
    Program,
    ProgramReferralSource,
    User,
    can_transition,
)
from caseflow.models.case import OPEN_STATUSES
from caseflow.permissions import role_in


class CaseRuleError(ValueError):
    """A domain rule refused the operation; the message is shown to the user."""


def open_case(
    actor: User,
    participant: Participant,
    program: Program,
    *,
    status: str = "referred",
    referral_source: str | None = None,
    referred_on: date,
    enrolled_on: date | None = None,
    risk_level: str | None = None,
    assigned_worker: User | None = None,
) -> Case:
    """Open a case for a person in a program the actor belongs to."""
    if role_in(actor, program.id) is None:
        raise CaseRuleError("You can only open cases in your own programs.")
    if status not in ("referred", "screening", "active"):
        raise CaseRuleError("A new case starts as referred, screening or active.")
    if has_open_case(participant.id, program.id):
        raise CaseRuleError(f"{participant.display_name} already has an open case in {program.name}.")
    allowed_sources = program_referral_sources(program)
    if referral_source and allowed_sources and referral_source not in allowed_sources:
        raise CaseRuleError(f"{program.name} does not take referrals from that source.")
    if assigned_worker is not None and role_in(assigned_worker, program.id) is None:
        raise CaseRuleError("The assigned worker must be a member of the program.")
    if status == "active" and enrolled_on is None:
        enrolled_on = referred_on
    case = Case(
        participant=participant,
        program=program,
        status=status,
        referral_source=referral_source,
        referred_on=referred_on,
        enrolled_on=enrolled_on if status == "active" else None,
        risk_level=risk_level,
        assigned_worker=assigned_worker or actor,
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(CaseStatusChange(case_id=case.id, from_status=None, to_status=status, changed_by_id=actor.id))
    db.session.flush()
    record_event(actor, "create", "case", case.id)
    return case


def has_open_case(participant_id: int, program_id: int, *, other_than: int | None = None) -> bool:
    """Whether the person already has a live open case in the program (at most one is allowed)."""
    stmt = select(Case.id).where(
        Case.participant_id == participant_id,
        Case.program_id == program_id,
        Case.status.in_(OPEN_STATUSES),
        Case.deleted_at.is_(None),
    )
    if other_than is not None:
        stmt = stmt.where(Case.id != other_than)
    return db.session.execute(stmt.limit(1)).first() is not None


def program_referral_sources(program: Program) -> list[str]:
    """The referral sources a program's intake offers; empty means every source."""
    return list(
        db.session.execute(
            select(ProgramReferralSource.source).where(ProgramReferralSource.program_id == program.id)
        ).scalars()
    )


def change_case_status(actor: User, case: Case, new_status: str, *, on: date, reason: str | None = None) -> Case:
    """Move a case through the state machine; anything the table forbids is refused."""
    if not can_transition(case.status, new_status):
        raise CaseRuleError(f"A {case.status_label.lower()} case cannot become {new_status}.")
    old = case.status
    case.status = new_status
    if new_status == "active" and case.enrolled_on is None:
        case.enrolled_on = on
    if new_status == "closed":
        case.closed_on = on
        case.closure_reason = reason
    if old == "closed" and new_status == "active":
        case.closed_on = None
        case.closure_reason = None
    db.session.add(CaseStatusChange(case=case, from_status=old, to_status=new_status, changed_by_id=actor.id))
    db.session.flush()
    record_event(actor, "update", "case", case.id, detail=f"status {old} -> {new_status}")
    return case


def log_contact(
    actor: User,
    case: Case,
    *,
    occurred_at: datetime,
    mode: str,
    contact_type: str,
    duration_minutes: int | None = None,
    is_completed: bool = True,
    location_area: str = "",
    notes: str = "",
) -> Contact:
    """Record a contact on a case the actor can see (the view has checked scope)."""
    if role_in(actor, case.program_id) is None:
        raise CaseRuleError("Only members of this program can log contacts on its cases.")
    contact = Contact(
        case=case,
        author_id=actor.id,
        occurred_at=occurred_at,
        mode=mode,
        contact_type=contact_type,
        duration_minutes=duration_minutes,
        is_completed=is_completed,
        location_area=location_area.strip(),
        notes=notes.strip(),
    )
    db.session.add(contact)
    db.session.flush()
    record_event(actor, "create", "contact", contact.id, detail=f"case {case.id}")
    return contact


def edit_contact(actor: User, contact: Contact, **fields) -> Contact:
    """Change a contact's details; the caller has checked the version the user started from."""
    for name in ("occurred_at", "mode", "contact_type", "duration_minutes", "is_completed", "location_area", "notes"):
        if name in fields:
            value = fields[name]
            setattr(contact, name, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    record_event(actor, "update", "contact", contact.id, detail=f"case {contact.case_id}")
    return contact


def case_children(case: Case, model, order_by, *load_options):
    """A case's live (not soft-deleted) child records of one kind, with what the page shows loaded."""
    stmt = select(model).where(model.case_id == case.id, model.deleted_at.is_(None)).order_by(order_by)
    return list(db.session.execute(stmt.options(*load_options)).scalars())
