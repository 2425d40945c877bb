"""Funder report mappings a manager may edit: which stored values count as which reported category.

Deployment-wide, not per program: one funder's categories are read the same way for every program of the
deployment. With no rows for a mapping, the defaults in the measure module apply.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.models.base import check_in, utcnow

REPORT_MAPPINGS = [
    ("voca_victimization", "VOCA victimization types"),
    ("voca_service", "VOCA service categories"),
]


class ReportMapping(db.Model):
    """One stored value of one record kind and the reported category it counts as.

    target is the category (for victimization: the type when 18 or older on the day), target_minor the
    victimization type when under 18 or of unknown age. NULL means the value is deliberately not counted,
    so a saved mapping keeps its rows even when a manager maps everything away.
    """

    __tablename__ = "report_mappings"
    __table_args__ = (
        UniqueConstraint("mapping", "source_kind", "source_value", name="uq_report_mappings_mapping_source"),
        check_in("mapping", [value for value, _ in REPORT_MAPPINGS]),
        CheckConstraint("mapping = 'voca_victimization' OR target_minor IS NULL", name="minor_for_victimization"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mapping: Mapped[str] = mapped_column(String(40))
    source_kind: Mapped[str] = mapped_column(String(40))
    source_value: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(80))
    target_minor: Mapped[str | None] = mapped_column(String(80))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    updated_by: Mapped["User | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<ReportMapping {self.mapping} {self.source_kind}={self.source_value} -> {self.target}>"
