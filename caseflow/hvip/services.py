"""HVIP operations: record and edit injuries and compensation claims, and the follow-up schedule.

Services take the acting user, check the domain rules, flush, audit, and never commit.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import Case, CompensationClaim, Contact, Injury, Participant, Program, User
from caseflow.permissions import role_in
from caseflow.timezones import to_local

STAGES_NEEDING_REASON = ("ineligible", "not_approached", "declined")
INJURY_FIELDS = (
    "injured_at",
    "arrived_at",
    "first_bedside_at",
    "mechanism",
    "hospital",
    "care_level",
    "medical_record_number",
    "discharged_on",
    "discharge_plan",
    "funnel_stage",
    "funnel_reason",
    "patient_age",
    "patient_gender",
)
CLAIM_FIELDS = ("applied_on", "status", "decided_on", "amount_cents", "notes")
# Post-discharge check-ins the program promises every injured participant.
FOLLOW_UP_DAYS = (30, 90, 180)
# A completed contact this close to a due date counts as the check-in.
FOLLOW_UP_WINDOW = timedelta(days=7)


class HvipRuleError(ValueError):
    """A domain rule refused the change; the message is safe to show the user."""


def is_hvip_program(program: Program | None) -> bool:
    """Only live HVIP programs hold injuries and claims."""
    return program is not None and program.kind == "hvip" and program.deleted_at is None


def dollars_to_cents(amount: Decimal | None) -> int | None:
    """Money is stored in whole cents, never as a float."""
    return None if amount is None else int((amount * 100).quantize(Decimal(1)))


def _check_member(actor: User, program_id: int) -> None:
    if role_in(actor, program_id) is None:
        raise HvipRuleError("Only members of this hospital program can record its injuries.")


def _clean(fields: dict, allowed: tuple[str, ...]) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def _check_injury(injury: Injury) -> None:
    """The rules the form also checks, repeated here so no caller can skip them."""
    if injury.arrived_at < injury.injured_at:
        raise HvipRuleError("Arrival cannot be before the injury.")
    if injury.first_bedside_at is not None and injury.first_bedside_at < injury.arrived_at:
        raise HvipRuleError("Bedside contact cannot be before arrival.")
    if injury.funnel_stage in STAGES_NEEDING_REASON and not injury.funnel_reason:
        raise HvipRuleError("Give a reason for this funnel stage.")


def _has_earlier_injury(participant_id: int, injured_at: datetime, other_than: int | None = None) -> bool:
    """Whether the person has a live injury before this one, in any HVIP program."""
    stmt = (
        select(Injury.id)
        .join(Program, Program.id == Injury.program_id)
        .where(
            Injury.participant_id == participant_id,
            Injury.deleted_at.is_(None),
            Injury.injured_at < injured_at,
            Program.kind == "hvip",
        )
        .limit(1)
    )
    if other_than is not None:
        stmt = stmt.where(Injury.id != other_than)
    return db.session.execute(stmt).first() is not None


def record_injury(
    actor: User, program: Program, *, participant: Participant | None = None, case: Case | None = None, **fields
) -> Injury:
    """Record an injury for a patient, enrolled (case given) or not (only age and gender kept)."""
    if not is_hvip_program(program):
        raise HvipRuleError("Injuries belong to a hospital-based program.")
    _check_member(actor, program.id)
    fields = _clean(fields, INJURY_FIELDS)
    if case is not None:
        if case.program_id != program.id:
            raise HvipRuleError("The case belongs to another program.")
        participant = case.participant
    if participant is not None:
        # The person record holds demographics; the injury keeps none of its own.
        fields.pop("patient_age", None)
        fields.pop("patient_gender", None)
    injury = Injury(
        program_id=program.id,
        participant_id=participant.id if participant is not None else None,
        case_id=case.id if case is not None else None,
        recorded_by_id=actor.id,
        **fields,
    )
    _check_injury(injury)
    # Re-injury is the outcome HVIP exists to prevent: flag it from the record, not from memory.
    injury.is_reinjury = participant is not None and _has_earlier_injury(participant.id, injury.injured_at)
    db.session.add(injury)
    db.session.flush()
    record_event(actor, "create", "injury", injury.id, detail=f"program {program.id}")
    return injury


def edit_injury(actor: User, injury: Injury, **fields) -> Injury:
    """Change an injury's details; the caller has checked the version the user started from."""
    _check_member(actor, injury.program_id)
    fields = _clean(fields, INJURY_FIELDS)
    if injury.participant_id is not None:
        fields.pop("patient_age", None)
        fields.pop("patient_gender", None)
    for name, value in fields.items():
        setattr(injury, name, value)
    _check_injury(injury)
    if injury.participant_id is not None:
        injury.is_reinjury = _has_earlier_injury(injury.participant_id, injury.injured_at, other_than=injury.id)
    db.session.flush()
    record_event(actor, "update", "injury", injury.id, detail=f"program {injury.program_id}")
    return injury


def _check_claim(claim: CompensationClaim) -> None:
    decided = claim.status in ("approved", "denied")
    if decided and claim.decided_on is None:
        raise HvipRuleError("An approved or denied claim needs its decision date.")
    if not decided and claim.decided_on is not None:
        raise HvipRuleError("A claim still waiting has no decision date.")
    if claim.decided_on is not None and claim.decided_on < claim.applied_on:
        raise HvipRuleError("The decision cannot be before the application.")
    # Only an approved claim pays anything.
    if claim.amount_cents is not None and claim.status != "approved":
        raise HvipRuleError("Only an approved claim has an amount.")


def record_claim(actor: User, case: Case, **fields) -> CompensationClaim:
    """Record help with a victim compensation application on an HVIP case."""
    if not is_hvip_program(case.program):
        raise HvipRuleError("Compensation claims belong to hospital-based program cases.")
    _check_member(actor, case.program_id)
    claim = CompensationClaim(case_id=case.id, **_clean(fields, CLAIM_FIELDS))
    _check_claim(claim)
    db.session.add(claim)
    db.session.flush()
    record_event(actor, "create", "compensation_claim", claim.id, detail=f"case {case.id}")
    return claim


def edit_claim(actor: User, claim: CompensationClaim, **fields) -> CompensationClaim:
    """Update a claim (usually its decision); the caller has checked the version."""
    case = db.session.get(Case, claim.case_id)
    _check_member(actor, case.program_id)
    for name, value in _clean(fields, CLAIM_FIELDS).items():
        setattr(claim, name, value)
    _check_claim(claim)
    db.session.flush()
    record_event(actor, "update", "compensation_claim", claim.id, detail=f"case {case.id}")
    return claim


def case_injuries(case: Case) -> list[Injury]:
    """The case's live injuries, newest first."""
    return list(
        db.session.execute(
            select(Injury)
            .where(Injury.case_id == case.id, Injury.deleted_at.is_(None))
            .order_by(Injury.injured_at.desc(), Injury.id.desc())
        ).scalars()
    )


def case_claims(case: Case) -> list[CompensationClaim]:
    """The case's live compensation claims, newest first."""
    return list(
        db.session.execute(
            select(CompensationClaim)
            .where(CompensationClaim.case_id == case.id, CompensationClaim.deleted_at.is_(None))
            .order_by(CompensationClaim.applied_on.desc(), CompensationClaim.id.desc())
        ).scalars()
    )


@dataclass(frozen=True)
class FollowUp:
    """One post-discharge check-in: when it is due and whether a completed contact covered it."""

    label: str
    due_on: date
    done: bool


def follow_up_schedule(case: Case) -> list[FollowUp]:
    """Checks 30, 90 and 180 days after the discharge of the case's latest discharged injury."""
    discharged_on = db.session.execute(
        select(Injury.discharged_on)
        .where(Injury.case_id == case.id, Injury.deleted_at.is_(None), Injury.discharged_on.is_not(None))
        .order_by(Injury.injured_at.desc(), Injury.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if discharged_on is None:
        return []
    completed_at = db.session.execute(
        select(Contact.occurred_at).where(
            Contact.case_id == case.id,
            Contact.deleted_at.is_(None),
            Contact.is_completed.is_(True),
            Contact.occurred_at >= follow_up_contacts_from(discharged_on),
        )
    ).scalars()
    return follow_up_checks(discharged_on, completed_at)


def follow_up_contacts_from(discharged_on: date) -> datetime:
    """The earliest contact time (UTC, a day early for the time zone) that can cover a follow-up check."""
    first_due = discharged_on + timedelta(days=FOLLOW_UP_DAYS[0]) - FOLLOW_UP_WINDOW
    return datetime.combine(first_due - timedelta(days=1), datetime.min.time())


def follow_up_checks(discharged_on: date, completed_at) -> list[FollowUp]:
    """The checks after a discharge, each done when a completed contact (UTC times) falls within its window.

    Apart from the queries so the case page can fetch the dates within its header statement.
    """
    earliest = follow_up_contacts_from(discharged_on)
    # Contacts are stored in UTC; the window is in local days, so compare local dates.
    contact_days = {to_local(occurred_at).date() for occurred_at in completed_at if occurred_at >= earliest}
    schedule = []
    for days in FOLLOW_UP_DAYS:
        due_on = discharged_on + timedelta(days=days)
        done = any(abs(day - due_on) <= FOLLOW_UP_WINDOW for day in contact_days)
        schedule.append(FollowUp(label=f"{days}-day follow-up", due_on=due_on, done=done))
    return schedule
