"""Moving a case: reassignment, closure with supervisor approval, reopening, warm hand-off."""

from datetime import date

from sqlalchemy import select

from caseflow.audit.services import record_event
from caseflow.cases.services import CaseRuleError, change_case_status, has_open_case
from caseflow.consents.services import find_valid_consent
from caseflow.extensions import db
from caseflow.models import Case, CaseAssignment, CaseStatusChange, ClosureRequest, Program, User
from caseflow.models.base import utcnow
from caseflow.permissions import role_in, supervises


def reassign_case(actor: User, case: Case, worker: User | None, note: str = "") -> CaseAssignment:
    """Give the case to another member of its program; the history keeps who had it before."""
    if not supervises(actor, case.program_id):
        raise CaseRuleError("Only a supervisor or manager of this program can reassign its cases.")
    if worker is not None and role_in(worker, case.program_id) is None:
        raise CaseRuleError("The new worker must be a member of this program.")
    if (worker.id if worker else None) == case.assigned_worker_id:
        raise CaseRuleError("The case is already assigned to that worker.")
    change = CaseAssignment(
        case_id=case.id,
        from_worker_id=case.assigned_worker_id,
        to_worker_id=worker.id if worker else None,
        changed_by_id=actor.id,
        note=note.strip(),
    )
    case.assigned_worker_id = worker.id if worker else None
    db.session.add(change)
    db.session.flush()
    record_event(actor, "update", "case", case.id, detail="reassigned")
    return change


def pending_closure(case: Case) -> ClosureRequest | None:
    """The closure request waiting for a decision, if any."""
    return db.session.execute(
        select(ClosureRequest).where(ClosureRequest.case_id == case.id, ClosureRequest.status == "pending")
    ).scalar_one_or_none()


def request_closure(actor: User, case: Case, *, reason: str, note: str = "", on: date) -> ClosureRequest:
    """Ask to close a case. A supervisor's own request is approved at once; a worker's waits."""
    if role_in(actor, case.program_id) is None:
        raise CaseRuleError("Only members of this program can close its cases.")
    if case.status not in ("active", "inactive"):
        raise CaseRuleError("Only an active or inactive case can be closed.")
    if pending_closure(case):
        raise CaseRuleError("A closure request for this case is already waiting for approval.")
    request_ = ClosureRequest(case_id=case.id, reason=reason, note=note.strip(), requested_by_id=actor.id)
    db.session.add(request_)
    db.session.flush()
    record_event(actor, "create", "closure_request", request_.id, detail=f"case {case.id}")
    if supervises(actor, case.program_id):
        decide_closure(actor, request_, approve=True, on=on)
    return request_


def decide_closure(actor: User, request_: ClosureRequest, *, approve: bool, on: date, note: str = "") -> None:
    """A supervisor approves (the case closes with the requested reason) or rejects (it stays open)."""
    case = db.session.get(Case, request_.case_id)
    if not supervises(actor, case.program_id):
        raise CaseRuleError("Only a supervisor or manager of this program can decide on closures.")
    if request_.status != "pending":
        raise CaseRuleError("This closure request has already been decided.")
    request_.status = "approved" if approve else "rejected"
    request_.decided_by_id = actor.id
    request_.decided_at = utcnow()
    request_.decision_note = note.strip()
    db.session.flush()
    record_event(actor, "update", "closure_request", request_.id, detail=request_.status)
    if approve:
        change_case_status(actor, case, "closed", on=on, reason=request_.reason)


def reopen_case(actor: User, case: Case, *, on: date) -> Case:
    """Reopen a closed case, unless the person already has another open case in the program."""
    if role_in(actor, case.program_id) is None:
        raise CaseRuleError("Only members of this program can reopen its cases.")
    if has_open_case(case.participant_id, case.program_id, other_than=case.id):
        raise CaseRuleError("This person already has another open case in this program.")
    return change_case_status(actor, case, "active", on=on)


def hand_off_case(actor: User, case: Case, receiving: Program, *, on: date, note: str = "") -> Case:
    """Warm hand-off: a referred case in the receiving program, allowed only with consent to share.

    The receiving program sees the person and its new case, never the sending program's
    notes and contacts, which stay on the sending case.
    """
    if role_in(actor, case.program_id) is None:
        raise CaseRuleError("Only members of this program can hand its cases off.")
    if receiving.id == case.program_id:
        raise CaseRuleError("Choose a different program to hand off to.")
    if not case.is_open:
        raise CaseRuleError("Only an open case can be handed off.")
    # The sending program must hold the consent itself (S23).
    consent = find_valid_consent(
        case.participant_id, on, recipient_program_id=receiving.id, disclosing_program_id=case.program_id
    )
    if consent is None:
        raise CaseRuleError(
            f"There is no valid consent to share {case.participant.first_name}'s identity with "
            f"{receiving.name}. Record a consent first."
        )
    if has_open_case(case.participant_id, receiving.id):
        raise CaseRuleError(f"{case.participant.first_name} already has an open case in {receiving.name}.")
    new_case = Case(
        participant_id=case.participant_id,
        program_id=receiving.id,
        status="referred",
        referral_source="other_program",
        referred_on=on,
        risk_level=case.risk_level,
        handed_off_from_id=case.id,
    )
    db.session.add(new_case)
    db.session.flush()
    db.session.add(
        CaseStatusChange(
            case_id=new_case.id, from_status=None, to_status="referred", changed_by_id=actor.id, note=note.strip()
        )
    )
    db.session.flush()
    record_event(actor, "create", "case", new_case.id, detail=f"hand-off from case {case.id}")
    record_event(
        actor,
        "export",
        "participant",
        case.participant_id,
        detail=f"hand-off to program {receiving.id} under consent {consent.id}",
    )
    return new_case
