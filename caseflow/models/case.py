"""A participant's episode in one program, with its explicit status state machine."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.crypto import EncryptedText
from caseflow.extensions import db
from caseflow.models.base import RecordMixin, check_in, utcnow
from caseflow.models.choices import CLOSURE_REASONS, REFERRAL_SOURCES, RISK_LEVELS, label_of, values

CASE_STATUSES = [
    ("referred", "Referred"),
    ("screening", "Screening"),
    ("active", "Active"),
    ("inactive", "Inactive"),
    ("closed", "Closed"),
    ("declined", "Declined"),
    ("ineligible", "Ineligible"),
]

# The only moves a case may make; services refuse anything else.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    "referred": frozenset({"screening", "declined", "ineligible"}),
    "screening": frozenset({"active", "declined", "ineligible"}),
    "active": frozenset({"inactive", "closed"}),
    "inactive": frozenset({"active", "closed"}),
    "closed": frozenset({"active"}),  # reopening
    "declined": frozenset({"screening"}),
    "ineligible": frozenset({"screening"}),
}

OPEN_STATUSES = frozenset({"referred", "screening", "active", "inactive"})


def can_transition(current: str, new: str) -> bool:
    """Whether the state machine allows a case to move from current to new."""
    return new in CASE_TRANSITIONS.get(current, frozenset())


class Case(RecordMixin, db.Model):
    """Participant × program: status, dates, assigned worker and risk."""

    __tablename__ = "cases"
    __table_args__ = (
        check_in("status", values(CASE_STATUSES)),
        check_in("referral_source", values(REFERRAL_SOURCES)),
        check_in("risk_level", values(RISK_LEVELS)),
        check_in("closure_reason", values(CLOSURE_REASONS)),
        # At most one open case per person per program.
        Index(
            "uq_cases_open_participant_program",
            "participant_id",
            "program_id",
            unique=True,
            sqlite_where=text("status IN ('referred', 'screening', 'active', 'inactive') AND deleted_at IS NULL"),
            postgresql_where=text("status IN ('referred', 'screening', 'active', 'inactive') AND deleted_at IS NULL"),
        ),
        Index("ix_cases_program_id_status", "program_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    status: Mapped[str] = mapped_column(String(20), default="referred")
    referral_source: Mapped[str | None] = mapped_column(String(40), default=None)
    referred_on: Mapped[date] = mapped_column()
    enrolled_on: Mapped[date | None] = mapped_column(default=None)
    closed_on: Mapped[date | None] = mapped_column(default=None)
    closure_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    assigned_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True, default=None)
    risk_level: Mapped[str | None] = mapped_column(String(20), default=None)
    # A warm hand-off from another program's case (an HVIP patient going home to outreach).
    handed_off_from_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)

    participant: Mapped["Participant"] = relationship(back_populates="cases")  # noqa: F821
    program: Mapped["Program"] = relationship()  # noqa: F821
    assigned_worker: Mapped["User | None"] = relationship(foreign_keys=[assigned_worker_id])  # noqa: F821
    handed_off_from: Mapped["Case | None"] = relationship(remote_side=[id])
    status_changes: Mapped[list["CaseStatusChange"]] = relationship(
        back_populates="case", order_by="CaseStatusChange.changed_at"
    )

    @property
    def status_label(self) -> str:
        return label_of(CASE_STATUSES, self.status)

    @property
    def risk_label(self) -> str:
        return label_of(RISK_LEVELS, self.risk_level) if self.risk_level else "Not assessed"

    @property
    def referral_source_label(self) -> str:
        return label_of(REFERRAL_SOURCES, self.referral_source) if self.referral_source else ""

    @property
    def closure_reason_label(self) -> str:
        return label_of(CLOSURE_REASONS, self.closure_reason) if self.closure_reason else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.status}>"


class CaseStatusChange(db.Model):
    """One dated move through the state machine; the history reports count from."""

    __tablename__ = "case_status_changes"
    __table_args__ = (
        check_in("from_status", values(CASE_STATUSES)),
        check_in("to_status", values(CASE_STATUSES)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(EncryptedText, default="")

    case: Mapped[Case] = relationship(back_populates="status_changes")
