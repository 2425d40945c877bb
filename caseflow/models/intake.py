"""Per-program intake settings and eligibility screens, kept as rows so managers can edit them."""

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.crypto import EncryptedText
from caseflow.extensions import db
from caseflow.models.base import RecordMixin, check_in
from caseflow.models.choices import REFERRAL_SOURCES, values

SCREENING_RESULTS = [("eligible", "Eligible"), ("ineligible", "Ineligible"), ("declined", "Declined")]


class ProgramCriterion(RecordMixin, db.Model):
    """One risk criterion of a program's eligibility screen (e.g. 'recent gunshot injury')."""

    __tablename__ = "program_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)


class ProgramReferralSource(db.Model):
    """A referral source offered by one program's intake form."""

    __tablename__ = "program_referral_sources"
    __table_args__ = (check_in("source", values(REFERRAL_SOURCES)),)

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(40), primary_key=True)


class Screening(RecordMixin, db.Model):
    """An eligibility screen on a case; ineligible and declined screens are kept for reports."""

    __tablename__ = "screenings"
    __table_args__ = (check_in("result", values(SCREENING_RESULTS)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    screened_on: Mapped[date] = mapped_column()
    screened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    criteria_met: Mapped[int] = mapped_column(default=0)
    threshold: Mapped[int] = mapped_column(default=0)
    result: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(EncryptedText, default="")

    answers: Mapped[list["ScreeningAnswer"]] = relationship(back_populates="screening", cascade="all, delete-orphan")


class ScreeningAnswer(db.Model):
    """Whether one criterion held at a screen."""

    __tablename__ = "screening_answers"

    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id", ondelete="CASCADE"), primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("program_criteria.id"), primary_key=True)
    is_met: Mapped[bool] = mapped_column(default=False)

    screening: Mapped[Screening] = relationship(back_populates="answers")
    criterion: Mapped[ProgramCriterion] = relationship()
