"""Security alerts for administrators: unusual volume, break-glass, bulk export, lockout, purge (S22)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.models.base import check_in, utcnow
from caseflow.models.choices import label_of, values

ALERT_KINDS = [
    ("volume", "Unusual volume of participant views"),
    ("break_glass", "Break-glass access"),
    ("export", "Bulk export (funder report)"),
    ("lockout", "Account locked out"),
    ("purge", "Retention purge"),
]


class SecurityAlert(db.Model):
    """One alert raised in the same transaction as the audit event behind it.

    The detail holds ids and counts only, never names or free text from the event: the
    administrators who read alerts see no case data (S7).
    """

    __tablename__ = "security_alerts"
    __table_args__ = (
        check_in("kind", values(ALERT_KINDS)),
        # The volume check asks "has this user had one in the last hour?" on every alerting view.
        Index("ix_security_alerts_user_id_kind_created_at", "user_id", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The account the alert is about: who viewed, exported, broke the glass or purged; who got locked out.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    detail: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped["User | None"] = relationship(foreign_keys=[user_id])  # noqa: F821
    acknowledged_by: Mapped["User | None"] = relationship(foreign_keys=[acknowledged_by_id])  # noqa: F821

    @property
    def kind_label(self) -> str:
        return label_of(ALERT_KINDS, self.kind)

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None
