"""Service referrals with a dated status lifecycle, so time to connection can be reported."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.crypto import EncryptedText
from caseflow.extensions import db
from caseflow.models.base import RecordMixin, check_in, utcnow
from caseflow.models.choices import REFERRAL_STATUSES, SERVICE_CATEGORIES, ReferralLabels, values

REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    "referred": frozenset({"scheduled", "connected", "declined", "no_show", "unable_to_reach"}),
    "scheduled": frozenset({"connected", "declined", "no_show", "unable_to_reach"}),
    "connected": frozenset({"completed"}),
    "completed": frozenset(),
    "declined": frozenset({"referred"}),
    "no_show": frozenset({"scheduled", "referred"}),
    "unable_to_reach": frozenset({"referred"}),
}


class Referral(ReferralLabels, RecordMixin, db.Model):
    """A referral from a case to a provider for one category of service."""

    __tablename__ = "referrals"
    __table_args__ = (
        check_in("service_category", values(SERVICE_CATEGORIES)),
        check_in("status", values(REFERRAL_STATUSES)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("service_providers.id"), index=True)
    service_category: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="referred")
    referred_on: Mapped[date] = mapped_column(index=True)
    due_on: Mapped[date | None] = mapped_column(default=None)
    connected_on: Mapped[date | None] = mapped_column(default=None)
    closed_on: Mapped[date | None] = mapped_column(default=None)
    # Anonymous referrals send no identifying data and so need no consent.
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    # The consent that allowed identifying data to go to the provider (the disclosure's basis).
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id"), default=None)
    notes: Mapped[str] = mapped_column(EncryptedText, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped["Case"] = relationship()  # noqa: F821
    provider: Mapped["ServiceProvider | None"] = relationship()  # noqa: F821
    status_changes: Mapped[list["ReferralStatusChange"]] = relationship(
        back_populates="referral", order_by="ReferralStatusChange.changed_at"
    )

    def is_overdue(self, today: date) -> bool:
        """Overdue when the due date passed without a connection."""
        return self.due_on is not None and self.due_on < today and self.status in {"referred", "scheduled"}


class ReferralStatusChange(db.Model):
    """One dated change of a referral's status."""

    __tablename__ = "referral_status_changes"
    __table_args__ = (
        check_in("from_status", values(REFERRAL_STATUSES)),
        check_in("to_status", values(REFERRAL_STATUSES)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_on: Mapped[date] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    referral: Mapped[Referral] = relationship(back_populates="status_changes")
