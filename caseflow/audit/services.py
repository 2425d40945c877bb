"""Write audit events inside the caller's transaction, so a failed write fails the request."""

from collections.abc import Iterable

from flask import has_request_context, request

from caseflow.audit.alerts import raise_alerts
from caseflow.audit.chain import claim_next_link, compute_row_hash
from caseflow.extensions import db
from caseflow.models import AuditEvent, User
from caseflow.models.base import utcnow


def record_event(
    actor: User | None,
    action: str,
    record_type: str = "",
    record_id: int | None = None,
    record_ids: Iterable[int] = (),
    detail: str = "",
) -> AuditEvent:
    """Add and flush one chained audit row, and any security alert it calls for (S22); never commits."""
    new_id, prev_hash = claim_next_link()
    fields = dict(
        id=new_id,
        occurred_at=utcnow(),
        user_id=actor.id if actor is not None and getattr(actor, "id", None) else None,
        action=action,
        record_type=record_type,
        record_id=record_id,
        record_ids=" ".join(str(i) for i in record_ids),
        detail=detail[:255],
        ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
        prev_hash=prev_hash,
    )
    event = AuditEvent(**fields, row_hash=compute_row_hash(**fields))
    db.session.add(event)
    db.session.flush()
    # In the same transaction: an alert cannot be lost while its event is kept, nor raised for a rolled-back one.
    raise_alerts(event)
    return event
