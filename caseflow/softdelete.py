"""Soft delete and restore: records leave every view but stay restorable, children included."""

from sqlalchemy import select

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import Assessment, Case, Contact, Goal, Outcome, Referral, Screening, User
from caseflow.models.base import utcnow

# Records that live on a case and go (and come back) with it.
CASE_CHILDREN = (Contact, Referral, Goal, Outcome, Assessment, Screening)


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
