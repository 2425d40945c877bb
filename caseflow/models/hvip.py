"""Hospital-based violence intervention: injuries, the bedside screening funnel, victim compensation."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.crypto import EncryptedText
from caseflow.extensions import db
from caseflow.models.base import RecordMixin, check_in
from caseflow.models.choices import label_of, values

INJURY_MECHANISMS = [
    ("gunshot", "Gunshot"),
    ("stabbing", "Stabbing"),
    ("blunt_assault", "Blunt assault"),
    ("other", "Other"),
]
CARE_LEVELS = [("emergency_department", "Emergency department only"), ("admitted", "Admitted")]
# Every violently injured patient moves down this funnel, enrolled or not.
FUNNEL_STAGES = [
    ("screened", "Screened"),
    ("ineligible", "Not eligible"),
    ("eligible", "Eligible"),
    ("not_approached", "Eligible, not approached"),
    ("approached", "Approached at the bedside"),
    ("declined", "Declined"),
    ("enrolled", "Enrolled"),
]
COMPENSATION_STATUSES = [("applied", "Applied"), ("approved", "Approved"), ("denied", "Denied")]


class Injury(RecordMixin, db.Model):
    """One violent injury seen by the hospital program: the intake and where the patient sits in the funnel.

    Patients who never enrol are recorded minimally (no participant, only age and gender),
    so reach can be reported against everyone eligible.
    """

    __tablename__ = "injuries"
    __table_args__ = (
        check_in("mechanism", values(INJURY_MECHANISMS)),
        check_in("care_level", values(CARE_LEVELS)),
        check_in("funnel_stage", values(FUNNEL_STAGES)),
        CheckConstraint("first_bedside_at IS NULL OR first_bedside_at >= arrived_at", name="bedside_after_arrival"),
        CheckConstraint("patient_age IS NULL OR (patient_age >= 0 AND patient_age <= 120)", name="patient_age_range"),
        Index("ix_injuries_program_id_arrived_at", "program_id", "arrived_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), index=True, default=None)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True, default=None)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), default=None)
    injured_at: Mapped[datetime] = mapped_column()
    mechanism: Mapped[str] = mapped_column(String(20))
    hospital: Mapped[str] = mapped_column(String(120))
    care_level: Mapped[str] = mapped_column(String(30))
    # Sensitive: shown only to the HVIP program's own staff.
    medical_record_number: Mapped[str] = mapped_column(EncryptedText, default="")
    arrived_at: Mapped[datetime] = mapped_column()
    first_bedside_at: Mapped[datetime | None] = mapped_column(default=None)
    discharged_on: Mapped[date | None] = mapped_column(default=None)
    discharge_plan: Mapped[str] = mapped_column(EncryptedText, default="")
    funnel_stage: Mapped[str] = mapped_column(String(20), default="screened")
    funnel_reason: Mapped[str] = mapped_column(String(200), default="")
    # Set automatically when the person already had an earlier injury on record.
    is_reinjury: Mapped[bool] = mapped_column(default=False)
    patient_age: Mapped[int | None] = mapped_column(default=None)
    patient_gender: Mapped[str] = mapped_column(String(30), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    participant: Mapped["Participant | None"] = relationship()  # noqa: F821
    case: Mapped["Case | None"] = relationship()  # noqa: F821

    @property
    def mechanism_label(self) -> str:
        return label_of(INJURY_MECHANISMS, self.mechanism)

    @property
    def care_level_label(self) -> str:
        return label_of(CARE_LEVELS, self.care_level)

    @property
    def funnel_label(self) -> str:
        return label_of(FUNNEL_STAGES, self.funnel_stage)


class CompensationClaim(RecordMixin, db.Model):
    """Help with a victim compensation application, and what became of it."""

    __tablename__ = "compensation_claims"
    __table_args__ = (
        check_in("status", values(COMPENSATION_STATUSES)),
        CheckConstraint("amount_cents IS NULL OR amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint("decided_on IS NULL OR decided_on >= applied_on", name="decided_after_applied"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    applied_on: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="applied")
    decided_on: Mapped[date | None] = mapped_column(default=None)
    amount_cents: Mapped[int | None] = mapped_column(default=None)
    notes: Mapped[str] = mapped_column(EncryptedText, default="")

    @property
    def status_label(self) -> str:
        return label_of(COMPENSATION_STATUSES, self.status)
