"""Break-glass grants: a supervisor's time-limited, reasoned, read-only access to one out-of-scope person (S8)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.models.base import utcnow


class BreakGlassGrant(db.Model):
    """One emergency opening of a record: who, whom, why, and until when. Never edited; it simply expires."""

    __tablename__ = "break_glass_grants"
    __table_args__ = (Index("ix_break_glass_grants_user_id_participant_id", "user_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    # The written reason, as the supervisor typed it; reviewers read it next to the audit trail.
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    user: Mapped["User"] = relationship()  # noqa: F821
    participant: Mapped["Participant"] = relationship()  # noqa: F821

    def is_active(self, now: datetime | None = None) -> bool:
        """Whether the grant still opens the record."""
        return (now or utcnow()) < self.expires_at
