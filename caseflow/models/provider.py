"""The referral directory: outside organisations and the services they offer."""

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.models.base import RecordMixin, check_in
from caseflow.models.choices import SERVICE_CATEGORIES, label_of, values


class ServiceProvider(RecordMixin, db.Model):
    """An organisation participants are referred to."""

    __tablename__ = "service_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)

    categories: Mapped[list["ProviderCategory"]] = relationship(back_populates="provider", cascade="all, delete-orphan")

    @property
    def category_labels(self) -> list[str]:
        return [label_of(SERVICE_CATEGORIES, c.category) for c in self.categories]


class ProviderCategory(db.Model):
    """One service category a provider offers."""

    __tablename__ = "provider_categories"
    __table_args__ = (check_in("category", values(SERVICE_CATEGORIES)),)

    provider_id: Mapped[int] = mapped_column(ForeignKey("service_providers.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    provider: Mapped[ServiceProvider] = relationship(back_populates="categories")
