"""The report archive: every generated funder report, its parameters and the exact bytes sent (S25)."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.models.base import check_in, utcnow

REPORT_FORMATS = [("pdf", "PDF"), ("csv", "CSV")]


class ReportRun(db.Model):
    """One disclosure: a funder report or a case facesheet, who made it, for whom and why, and the file itself.

    Funder reports are aggregate only. A facesheet (template_id "facesheet") does identify a
    participant, so the reports archive never lists or serves one. The content is the archived
    file, so a re-download is byte-for-byte what was sent and matches its SHA-256.
    """

    __tablename__ = "report_runs"
    __table_args__ = (check_in("format", [value for value, _ in REPORT_FORMATS]),)

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[str] = mapped_column(String(32), unique=True)
    template_id: Mapped[str] = mapped_column(String(60))
    # The programs covered, as space-separated ids ("3 7"), sorted.
    program_ids: Mapped[str] = mapped_column(Text)
    period_start: Mapped[date]
    period_end: Mapped[date]
    period_label: Mapped[str] = mapped_column(String(120))
    format: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(160))
    purpose: Mapped[str] = mapped_column(String(200))
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    generated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    # Deferred: lists of runs never load the files.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    generated_by: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def program_id_list(self) -> list[int]:
        return [int(p) for p in self.program_ids.split()]

    def __repr__(self) -> str:
        return f"<ReportRun {self.id} {self.template_id} {self.disclosure_id}>"
