"""Moving a case: reassignment history, closure approvals, and participant merges."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.crypto import EncryptedText
from caseflow.extensions import db
from caseflow.models.base import check_in, utcnow
from caseflow.models.choices import CLOSURE_REASONS, label_of, values

CLOSURE_REQUEST_STATUSES = [("pending", "Pending"), ("approved", "Approved"), ("rejected", "Rejected")]
MERGE_REQUEST_STATUSES = [("pending", "Waiting for a supervisor"), ("merged", "Merged"), ("returned", "Returned")]


class CaseAssignment(db.Model):
    """One change of a case's assigned worker; the history supervisors review."""

    __tablename__ = "case_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    from_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(EncryptedText, default="")

    from_worker: Mapped["User | None"] = relationship(foreign_keys=[from_worker_id])  # noqa: F821
    to_worker: Mapped["User | None"] = relationship(foreign_keys=[to_worker_id])  # noqa: F821


class ClosureRequest(db.Model):
    """A worker's request to close a case, which a supervisor approves or rejects."""

    __tablename__ = "closure_requests"
    __table_args__ = (
        check_in("reason", values(CLOSURE_REASONS)),
        check_in("status", values(CLOSURE_REQUEST_STATUSES)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(EncryptedText, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decision_note: Mapped[str] = mapped_column(EncryptedText, default="")

    requested_by: Mapped["User | None"] = relationship(foreign_keys=[requested_by_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821

    @property
    def reason_label(self) -> str:
        return label_of(CLOSURE_REASONS, self.reason)


class ParticipantMerge(db.Model):
    """A record that two participant records were one person; the retired one points at the kept one."""

    __tablename__ = "participant_merges"
    __table_args__ = (CheckConstraint("kept_id <> retired_id", name="distinct_records"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    retired_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), unique=True)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(EncryptedText, default="")


class MergeRequest(db.Model):
    """A worker's report that two records are one person, which a supervisor merges or returns."""

    __tablename__ = "merge_requests"
    __table_args__ = (
        check_in("status", values(MERGE_REQUEST_STATUSES)),
        CheckConstraint("participant_id <> other_id", name="distinct_records"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    reason: Mapped[str] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decision_note: Mapped[str] = mapped_column(EncryptedText, default="")
    merge_id: Mapped[int | None] = mapped_column(ForeignKey("participant_merges.id"), default=None)

    participant: Mapped["Participant"] = relationship(foreign_keys=[participant_id])  # noqa: F821
    other: Mapped["Participant"] = relationship(foreign_keys=[other_id])  # noqa: F821
    requested_by: Mapped["User | None"] = relationship(foreign_keys=[requested_by_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821

    @property
    def status_label(self) -> str:
        return label_of(MERGE_REQUEST_STATUSES, self.status)


class FormSubmission(db.Model):
    """A create form's one-time token, so a double tap or a resent form makes one record."""

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
