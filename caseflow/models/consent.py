"""Consent to share a participant's data with a named recipient, by category."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.models.base import RecordMixin, check_in
from caseflow.models.choices import CONSENT_CATEGORIES, label_of, values


class Consent(RecordMixin, db.Model):
    """A signed consent; valid between signing and expiry unless revoked."""

    __tablename__ = "consents"
    __table_args__ = (CheckConstraint("expires_on >= signed_on", name="expiry_after_signing"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    recipient: Mapped[str] = mapped_column(String(160))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("service_providers.id"), default=None)
    recipient_program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"), default=None)
    signed_on: Mapped[date] = mapped_column()
    expires_on: Mapped[date] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    participant: Mapped["Participant"] = relationship()  # noqa: F821
    categories: Mapped[list["ConsentCategory"]] = relationship(back_populates="consent", cascade="all, delete-orphan")

    def is_valid_on(self, on: date) -> bool:
        """Signed, not yet expired, and not revoked."""
        return self.revoked_at is None and self.deleted_at is None and self.signed_on <= on <= self.expires_on

    @property
    def category_labels(self) -> list[str]:
        return [label_of(CONSENT_CATEGORIES, c.category) for c in self.categories]


class ConsentCategory(db.Model):
    """One data category a consent covers."""

    __tablename__ = "consent_categories"
    __table_args__ = (check_in("category", values(CONSENT_CATEGORIES)),)

    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(30), primary_key=True)

    consent: Mapped[Consent] = relationship(back_populates="categories")
