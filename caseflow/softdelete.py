"""Soft delete and restore: records leave every view but stay restorable, children included."""

from dataclasses import dataclass

from sqlalchemy import null, select

from caseflow.audit.services import record_event
from caseflow.cases.services import has_open_case
from caseflow.extensions import db
from caseflow.models import (
    Assessment,
    Case,
    CompensationClaim,
    Contact,
    Goal,
    Injury,
    Mediation,
    Outcome,
    OutreachActivity,
    Program,
    ProgramMembership,
    Referral,
    Screening,
    ShootingResponse,
    User,
)
from caseflow.models.base import utcnow
from caseflow.permissions import SUPERVISING_ROLES, ipv_case_clause

# Records that live on a case and go (and come back) with it.
# kind (as named in the audit trail and restore URLs) -> model
CHILD_KINDS = {
    "contact": Contact,
    "referral": Referral,
    "goal": Goal,
    "outcome": Outcome,
    "assessment": Assessment,
    "screening": Screening,
    "injury": Injury,
    "compensation_claim": CompensationClaim,
}
CASE_CHILDREN = tuple(CHILD_KINDS.values())


def soft_delete(actor: User, record, record_type: str) -> None:
    """Hide one record from every view, search, count and report."""
    record.deleted_at = utcnow()
    record.deleted_by_id = actor.id
    db.session.flush()
    record_event(actor, "delete", record_type, record.id)


def restore(actor: User, record, record_type: str) -> None:
    """Bring one soft-deleted record back."""
    record.deleted_at = None
    record.deleted_by_id = None
    db.session.flush()
    record_event(actor, "restore", record_type, record.id)


def delete_case(actor: User, case: Case) -> None:
    """Soft-delete a case and its live children, stamped with the same moment so restore finds them."""
    now = utcnow()
    for model in CASE_CHILDREN:
        for child in db.session.execute(
            select(model).where(model.case_id == case.id, model.deleted_at.is_(None))
        ).scalars():
            child.deleted_at, child.deleted_by_id = now, actor.id
    case.deleted_at, case.deleted_by_id = now, actor.id
    db.session.flush()
    record_event(actor, "delete", "case", case.id)


def restore_case(actor: User, case: Case) -> None:
    """Restore a case and exactly the children that were deleted with it."""
    stamp = case.deleted_at
    for model in CASE_CHILDREN:
        for child in db.session.execute(
            select(model).where(model.case_id == case.id, model.deleted_at == stamp)
        ).scalars():
            child.deleted_at, child.deleted_by_id = None, None
    case.deleted_at, case.deleted_by_id = None, None
    db.session.flush()
    record_event(actor, "restore", "case", case.id)


class RestoreError(ValueError):
    """A restore would break a rule; the message says what to do first."""


# Module records owned by a program rather than a case; each comes back on its own.
PROGRAM_KINDS = {
    "mediation": Mediation,
    "shooting_response": ShootingResponse,
    "outreach_activity": OutreachActivity,
}
KINDS = {"case": Case, **CHILD_KINDS, **PROGRAM_KINDS}


@dataclass
class DeletedItem:
    kind: str
    record: object
    case: Case | None
    deleted_by: User | None
    program: object = None

    @property
    def label(self) -> str:
        """What the restore list says about the record: a person for case records, the program otherwise."""
        if self.case is not None:
            return f"{self.case.participant.display_name} · {self.case.program.name}"
        return self.program.name if self.program is not None else ""


def _supervised_programs(user: User):
    return select(ProgramMembership.program_id).where(
        ProgramMembership.user_id == user.id,
        ProgramMembership.role.in_(SUPERVISING_ROLES),
        ProgramMembership.deleted_at.is_(None),
    )


def _deleted_stmt(model, user: User):
    """Deleted records of one kind in the programs the user supervises, with their case (None for module records)."""
    if model is Case:
        stmt = select(Case, Case)
        program_id = Case.program_id
    elif model in PROGRAM_KINDS.values():
        stmt = select(model, null())
        program_id = model.program_id
    else:
        stmt = select(model, Case).join(Case, Case.id == model.case_id)
        program_id = Case.program_id
    stmt = stmt.where(model.deleted_at.is_not(None), program_id.in_(_supervised_programs(user)))
    if model not in PROGRAM_KINDS.values():
        # A deleted record of an IPV-protected person is theirs alone too: listed and restored by their staff (S24).
        stmt = stmt.where(ipv_case_clause(user))
    return stmt


def deleted_items(user: User, limit: int = 200) -> list[DeletedItem]:
    """What supervisors may restore: deleted cases, case records and module records in programs they supervise."""
    items: list[DeletedItem] = []
    for kind, model in KINDS.items():
        stmt = _deleted_stmt(model, user).order_by(model.deleted_at.desc()).limit(limit)
        for record, case in db.session.execute(stmt).all():
            deleted_by = db.session.get(User, record.deleted_by_id) if record.deleted_by_id else None
            program = db.session.get(Program, record.program_id) if case is None else None
            items.append(DeletedItem(kind, record, case, deleted_by, program))
    items.sort(key=lambda item: item.record.deleted_at, reverse=True)
    return items[:limit]


def find_deleted(user: User, kind: str, record_id: int) -> DeletedItem | None:
    """One deleted record the user may restore, or None (the caller answers 404)."""
    model = KINDS.get(kind)
    if model is None:
        return None
    row = db.session.execute(_deleted_stmt(model, user).where(model.id == record_id)).first()
    return DeletedItem(kind, row[0], row[1], None) if row else None


def restore_item(actor: User, item: DeletedItem) -> None:
    """Restore a case (with its children) or one record whose case is live."""
    if item.kind == "case":
        clash = has_open_case(item.case.participant_id, item.case.program_id, other_than=item.case.id)
        if clash and item.case.is_open:
            raise RestoreError("This person has another open case in the program now; close it before restoring.")
        restore_case(actor, item.case)
        return
    if item.case is not None and item.case.deleted_at is not None:
        raise RestoreError("Its case is deleted: restore the case first, which brings this back with it.")
    restore(actor, item.record, item.kind)
