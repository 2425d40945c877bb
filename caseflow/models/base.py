"""Column mixins and helpers every model shares: timestamps, versions, soft delete, checks."""

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    """Naive UTC now: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def check_in(column: str, values, name: str | None = None) -> CheckConstraint:
    """A CHECK that keeps an enumeration column to its allowed values."""
    allowed = ", ".join("'" + v + "'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_allowed")


class TimestampMixin:
    """UTC created/updated times, set by the database layer rather than the views."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """Optimistic locking: a stale UPDATE raises StaleDataError instead of overwriting."""

    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version}


class SoftDeleteMixin:
    """Deletes are soft and restorable; who deleted is kept for the audit story."""

    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    @declared_attr
    def deleted_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"), default=None)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class RecordMixin(TimestampMixin, VersionedMixin, SoftDeleteMixin):
    """Everything an editable record carries."""
