"""A contact with a participant, owned by the case (and so the program) that logged it."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.crypto import EncryptedText
from caseflow.extensions import db
from caseflow.models.base import RecordMixin, check_in
from caseflow.models.choices import CONTACT_MODES, CONTACT_TYPES, ContactLabels, values


class Contact(ContactLabels, RecordMixin, db.Model):
    """A completed or attempted contact; only completed ones make a person 'served'."""

    __tablename__ = "contacts"
    __table_args__ = (
        check_in("mode", values(CONTACT_MODES)),
        check_in("contact_type", values(CONTACT_TYPES)),
        CheckConstraint("duration_minutes IS NULL OR duration_minutes >= 0", name="duration_minutes_range"),
        # On PostgreSQL the columns reports and dashboards count ride along, so those counts are
        # index-only scans of a program's cases rather than reads of the whole table (migration 0017).
        Index(
            "ix_contacts_case_id_occurred_at",
            "case_id",
            "occurred_at",
            postgresql_include=["id", "is_completed", "deleted_at", "mode", "contact_type", "duration_minutes"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column()
    mode: Mapped[str] = mapped_column(String(30))
    contact_type: Mapped[str] = mapped_column(String(30))
    duration_minutes: Mapped[int | None] = mapped_column(default=None)
    is_completed: Mapped[bool] = mapped_column(default=True)
    location_area: Mapped[str] = mapped_column(String(80), default="")
    notes: Mapped[str] = mapped_column(EncryptedText, default="")

    case: Mapped["Case"] = relationship()  # noqa: F821
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])  # noqa: F821
