"""The append-only audit trail: who did what to which participant data, and when."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.models.base import check_in, utcnow

AUDIT_ACTIONS = [
    "view",
    "list",
    "search",
    "create",
    "update",
    "delete",
    "restore",
    "export",
    "print",
    "login",
    "login_failed",
    "logout",
    "lockout",
    "reauthenticate",
    "second_factor",
    "break_glass",
    "purge",
    "backup",
    "rotate_key",
]
# Actions an alert or a reviewer treats as high severity (S8, S22).
HIGH_SEVERITY_ACTIONS = frozenset({"break_glass", "lockout", "purge", "export"})


class AuditEvent(db.Model):
    """One audited action. Never updated or deleted by the application."""

    __tablename__ = "audit_events"
    __table_args__ = (
        check_in("action", AUDIT_ACTIONS),
        Index("ix_audit_events_record_type_record_id", "record_type", "record_id"),
        # The S22 volume check counts one user's views in the last hour on every participant or case view.
        Index("ix_audit_events_user_id_occurred_at", "user_id", "occurred_at"),
        # ...but only when the view opens a record the user had not opened within the hour: one probe here.
        Index("ix_audit_events_user_record_occurred_at", "user_id", "record_type", "record_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    record_type: Mapped[str] = mapped_column(String(40), default="")
    record_id: Mapped[int | None] = mapped_column(default=None)
    # For lists and searches: the ids shown, space separated, so "who saw X" is answerable.
    record_ids: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(String(255), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    # The hash chain (caseflow/audit/chain.py): a changed or missing row breaks every link after it.
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))

    user: Mapped["User | None"] = relationship()  # noqa: F821
