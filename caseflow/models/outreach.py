"""Street outreach: conflict mediations, shooting responses and community activity.

None of these needs an enrolled person; links to participants are optional and scoped.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.crypto import EncryptedText
from caseflow.extensions import db
from caseflow.models.base import RecordMixin, check_in, utcnow
from caseflow.models.choices import label_of, values

MEDIATION_SOURCES = [
    ("tip", "Tip"),
    ("incident", "Incident"),
    ("release", "Release from custody"),
    ("social_media", "Social media"),
    ("other", "Other"),
]
MEDIATION_OUTCOMES = [
    ("resolved", "Resolved"),
    ("temporarily_resolved", "Temporarily resolved"),
    ("ongoing", "Ongoing"),
    ("violence_occurred", "Violence occurred"),
]
# Risk of imminent violence at a mediation, or of retaliation after a shooting.
VIOLENCE_RISKS = [("low", "Low"), ("moderate", "Moderate"), ("high", "High")]
RESPONSE_LOCATIONS = [("scene", "Scene"), ("hospital", "Hospital"), ("family", "Family"), ("vigil", "Vigil")]
ACTIVITY_KINDS = [
    ("canvassing", "Canvassing"),
    ("community_event", "Community event"),
    ("norm_change", "Norm-change activity"),
    ("other", "Other"),
]


class Mediation(RecordMixin, db.Model):
    """One conflict mediation by an outreach team; the groups involved are a sensitive field."""

    __tablename__ = "mediations"
    __table_args__ = (
        check_in("identified_by", values(MEDIATION_SOURCES)),
        check_in("imminent_risk", values(VIOLENCE_RISKS)),
        check_in("outcome", values(MEDIATION_OUTCOMES)),
        CheckConstraint("parties_count >= 2", name="parties_count_min"),
        Index("ix_mediations_program_id_occurred_at", "program_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    occurred_at: Mapped[datetime] = mapped_column()
    area: Mapped[str] = mapped_column(String(80))
    identified_by: Mapped[str] = mapped_column(String(20))
    # A mediation prompted by a shooting can point at it in the register.
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True, default=None)
    parties_count: Mapped[int] = mapped_column(default=2)
    # Sensitive: shown only to the outreach program's own staff, never in figures or exports.
    groups_involved: Mapped[str] = mapped_column(EncryptedText, default="")
    weapons_present: Mapped[bool] = mapped_column(default=False)
    imminent_risk: Mapped[str] = mapped_column(String(20), default="moderate")
    actions_taken: Mapped[str] = mapped_column(EncryptedText, default="")
    outcome: Mapped[str] = mapped_column(String(30), default="ongoing")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    people: Mapped[list["MediationPerson"]] = relationship(back_populates="mediation", cascade="all, delete-orphan")
    follow_ups: Mapped[list["FollowUp"]] = relationship(
        primaryjoin="and_(FollowUp.mediation_id == Mediation.id, FollowUp.deleted_at.is_(None))",
        order_by="FollowUp.due_on",
        viewonly=True,
    )

    @property
    def identified_by_label(self) -> str:
        return label_of(MEDIATION_SOURCES, self.identified_by)

    @property
    def outcome_label(self) -> str:
        return label_of(MEDIATION_OUTCOMES, self.outcome)

    @property
    def imminent_risk_label(self) -> str:
        return label_of(VIOLENCE_RISKS, self.imminent_risk)


class MediationPerson(db.Model):
    """An enrolled participant who took part in a mediation (optional)."""

    __tablename__ = "mediation_people"
    __table_args__ = (
        UniqueConstraint("mediation_id", "participant_id", name="uq_mediation_people_mediation_participant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mediation_id: Mapped[int] = mapped_column(ForeignKey("mediations.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)

    mediation: Mapped[Mediation] = relationship(back_populates="people")
    participant: Mapped["Participant"] = relationship()  # noqa: F821


class ShootingResponse(RecordMixin, db.Model):
    """An outreach response to a shooting in the register; its first response time feeds response-time measures."""

    __tablename__ = "shooting_responses"
    __table_args__ = (
        check_in("location", values(RESPONSE_LOCATIONS)),
        check_in("retaliation_risk", values(VIOLENCE_RISKS)),
        Index("ix_shooting_responses_program_id_first_response_at", "program_id", "first_response_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    responder_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    location: Mapped[str] = mapped_column(String(20))
    first_response_at: Mapped[datetime] = mapped_column()
    retaliation_risk: Mapped[str] = mapped_column(String(20), default="moderate")
    notes: Mapped[str] = mapped_column(EncryptedText, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    incident: Mapped["Incident"] = relationship()  # noqa: F821
    responder: Mapped["User"] = relationship(foreign_keys=[responder_id])  # noqa: F821
    follow_ups: Mapped[list["FollowUp"]] = relationship(
        primaryjoin="and_(FollowUp.shooting_response_id == ShootingResponse.id, FollowUp.deleted_at.is_(None))",
        order_by="FollowUp.due_on",
        viewonly=True,
    )

    @property
    def location_label(self) -> str:
        return label_of(RESPONSE_LOCATIONS, self.location)

    @property
    def retaliation_risk_label(self) -> str:
        return label_of(VIOLENCE_RISKS, self.retaliation_risk)


class OutreachActivity(RecordMixin, db.Model):
    """Community work not tied to one participant: canvassing, events, norm change."""

    __tablename__ = "outreach_activities"
    __table_args__ = (
        check_in("kind", values(ACTIVITY_KINDS)),
        CheckConstraint("staff_minutes >= 0 AND people_reached >= 0", name="activity_counts"),
        Index("ix_outreach_activities_program_id_occurred_on", "program_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    occurred_on: Mapped[date] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20))
    area: Mapped[str] = mapped_column(String(80), default="")
    # Staff time in whole minutes, entered as hours; integers add up exactly in reports.
    staff_minutes: Mapped[int] = mapped_column(default=0)
    people_reached: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(EncryptedText, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    @property
    def kind_label(self) -> str:
        return label_of(ACTIVITY_KINDS, self.kind)

    @property
    def hours(self) -> float:
        return round(self.staff_minutes / 60, 2)


class FollowUp(RecordMixin, db.Model):
    """A dated follow-up on a mediation, a shooting response or a custom notification (exactly one)."""

    __tablename__ = "module_follow_ups"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN mediation_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN shooting_response_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN notification_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_parent",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mediation_id: Mapped[int | None] = mapped_column(ForeignKey("mediations.id"), index=True, default=None)
    shooting_response_id: Mapped[int | None] = mapped_column(
        ForeignKey("shooting_responses.id"), index=True, default=None
    )
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"), index=True, default=None)
    due_on: Mapped[date] = mapped_column()
    done_on: Mapped[date | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(EncryptedText, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
