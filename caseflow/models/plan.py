"""The case plan and what happened: goals, outcome events and assessments."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.crypto import EncryptedText
from caseflow.extensions import db
from caseflow.models.base import RecordMixin, check_in
from caseflow.models.choices import (
    GOAL_DOMAINS,
    GOAL_STATUSES,
    OUTCOME_TYPES,
    RISK_LEVELS,
    GoalLabels,
    label_of,
    values,
)


class Goal(GoalLabels, RecordMixin, db.Model):
    """One goal of the case plan, by domain."""

    __tablename__ = "goals"
    __table_args__ = (check_in("domain", values(GOAL_DOMAINS)), check_in("status", values(GOAL_STATUSES)))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    domain: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(EncryptedText)
    target_on: Mapped[date | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(20), default="open")
    set_on: Mapped[date] = mapped_column()
    met_on: Mapped[date | None] = mapped_column(default=None)

    case: Mapped["Case"] = relationship()  # noqa: F821


class Outcome(RecordMixin, db.Model):
    """A typed, dated event in the participant's life that funders ask about."""

    __tablename__ = "outcomes"
    __table_args__ = (check_in("outcome_type", values(OUTCOME_TYPES)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    outcome_type: Mapped[str] = mapped_column(String(30))
    occurred_on: Mapped[date] = mapped_column()
    details: Mapped[str] = mapped_column(EncryptedText, default="")

    case: Mapped["Case"] = relationship()  # noqa: F821

    @property
    def type_label(self) -> str:
        return label_of(OUTCOME_TYPES, self.outcome_type)


class Assessment(RecordMixin, db.Model):
    """One administration of a risk/needs instrument; repeatable to show change."""

    __tablename__ = "assessments"
    __table_args__ = (check_in("risk_level", values(RISK_LEVELS)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    instrument: Mapped[str] = mapped_column(String(80))
    instrument_id: Mapped[int | None] = mapped_column(ForeignKey("instruments.id"), default=None)
    score: Mapped[int | None] = mapped_column(default=None)
    risk_level: Mapped[str | None] = mapped_column(String(20), default=None)
    taken_at: Mapped[datetime] = mapped_column()
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped["Case"] = relationship()  # noqa: F821
    answers: Mapped[list["AssessmentAnswer"]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="AssessmentAnswer.id"
    )

    @property
    def risk_label(self) -> str:
        return label_of(RISK_LEVELS, self.risk_level) if self.risk_level else ""


class AssessmentAnswer(db.Model):
    """One item's answer, kept as a row rather than a JSON blob so it can be queried."""

    __tablename__ = "assessment_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(120))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("instrument_items.id"), default=None)
    answer: Mapped[str] = mapped_column(String(255))
    points: Mapped[int] = mapped_column(default=0)

    assessment: Mapped[Assessment] = relationship(back_populates="answers")
