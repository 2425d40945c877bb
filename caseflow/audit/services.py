"""Write audit events inside the caller's transaction, so a failed write fails the request."""

from collections.abc import Iterable

from flask import has_request_context, request

from caseflow.extensions import db
from caseflow.models import AuditEvent, User


def record_event(
    actor: User | None,
    action: str,
    record_type: str = "",
    record_id: int | None = None,
    record_ids: Iterable[int] = (),
    detail: str = "",
) -> AuditEvent:
    """Add and flush one audit row; never commits, so it shares the caller's fate."""
    event = AuditEvent(
        user_id=actor.id if actor is not None and getattr(actor, "id", None) else None,
        action=action,
        record_type=record_type,
        record_id=record_id,
        record_ids=" ".join(str(i) for i in record_ids),
        detail=detail[:255],
        ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
    )
    db.session.add(event)
    db.session.flush()
    return event
