"""Focused deterrence: groups (name and area only), call-ins, custom notifications and the offer of help.

A participant's group affiliation is sensitive; no police rosters are kept here.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.crypto import EncryptedText
from caseflow.extensions import db
from caseflow.models.base import RecordMixin, TimestampMixin, check_in
from caseflow.models.choices import SERVICE_CATEGORIES, label_of, values

ATTENDANCE = [("invited", "Invited"), ("attended", "Attended"), ("absent", "Did not attend")]
NOTIFICATION_TRIGGERS = [
    ("incident", "Incident"),
    ("ongoing_dispute", "Ongoing dispute"),
    ("release", "Release from custody"),
    ("other", "Other"),
]
SPEAKER_SECTORS = [
    ("community", "Community"),
    ("services", "Services"),
    ("law_enforcement", "Law enforcement"),
]


class DeterrenceGroup(RecordMixin, db.Model):
    """A group or crew the program works with: a name and an area, nothing more."""

    __tablename__ = "deterrence_groups"
    __table_args__ = (UniqueConstraint("program_id", "name", name="uq_deterrence_groups_program_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    area: Mapped[str] = mapped_column(String(80), default="")


class GroupAffiliation(RecordMixin, db.Model):
    """A participant's group affiliation, held on their focused deterrence case; sensitive."""

    __tablename__ = "group_affiliations"
    __table_args__ = (UniqueConstraint("case_id", "group_id", name="uq_group_affiliations_case_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("deterrence_groups.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    group: Mapped[DeterrenceGroup] = relationship()


class CallIn(RecordMixin, db.Model):
    """A call-in meeting: who was invited and came, who spoke (counted by sector, never named)."""

    __tablename__ = "call_ins"
    __table_args__ = (
        CheckConstraint(
            "speakers_community >= 0 AND speakers_services >= 0 AND speakers_law_enforcement >= 0",
            name="speaker_counts",
        ),
        Index("ix_call_ins_program_id_held_at", "program_id", "held_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    held_at: Mapped[datetime] = mapped_column()
    venue: Mapped[str] = mapped_column(String(160))
    speakers_community: Mapped[int] = mapped_column(default=0)
    speakers_services: Mapped[int] = mapped_column(default=0)
    speakers_law_enforcement: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(EncryptedText, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    invitees: Mapped[list["CallInInvitee"]] = relationship(back_populates="call_in", cascade="all, delete-orphan")
    service_requests: Mapped[list["CallInServiceRequest"]] = relationship(
        back_populates="call_in", cascade="all, delete-orphan"
    )


class CallInInvitee(TimestampMixin, db.Model):
    """A participant invited to a call-in, whether they came, and whether they took the offer of help."""

    __tablename__ = "call_in_invitees"
    __table_args__ = (
        check_in("attendance", values(ATTENDANCE)),
        UniqueConstraint("call_in_id", "participant_id", name="uq_call_in_invitees_call_in_participant"),
        # Help is offered at the meeting, so only someone who came can have accepted it.
        CheckConstraint("help_accepted = false OR attendance = 'attended'", name="accepted_needs_attendance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_in_id: Mapped[int] = mapped_column(ForeignKey("call_ins.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    attendance: Mapped[str] = mapped_column(String(20), default="invited")
    help_accepted: Mapped[bool] = mapped_column(default=False)

    call_in: Mapped[CallIn] = relationship(back_populates="invitees")
    participant: Mapped["Participant"] = relationship()  # noqa: F821

    @property
    def attendance_label(self) -> str:
        return label_of(ATTENDANCE, self.attendance)


class CallInServiceRequest(db.Model):
    """How many people asked for a service category at a call-in: a count, not a list of names."""

    __tablename__ = "call_in_service_requests"
    __table_args__ = (
        check_in("category", values(SERVICE_CATEGORIES)),
        CheckConstraint("people > 0", name="people_positive"),
        UniqueConstraint("call_in_id", "category", name="uq_call_in_service_requests_call_in_category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_in_id: Mapped[int] = mapped_column(ForeignKey("call_ins.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    people: Mapped[int] = mapped_column()

    call_in: Mapped[CallIn] = relationship(back_populates="service_requests")

    @property
    def category_label(self) -> str:
        return label_of(SERVICE_CATEGORIES, self.category)


class Notification(RecordMixin, db.Model):
    """A custom notification delivered to one person, and whether they took the offer of help."""

    __tablename__ = "notifications"
    __table_args__ = (
        check_in("trigger", values(NOTIFICATION_TRIGGERS)),
        CheckConstraint("offer_accepted = false OR delivered = true", name="accepted_needs_delivery"),
        Index("ix_notifications_program_id_notified_on", "program_id", "notified_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    notified_on: Mapped[date] = mapped_column()
    trigger: Mapped[str] = mapped_column(String(20))
    delivered: Mapped[bool] = mapped_column(default=False)
    offer_accepted: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(EncryptedText, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    participant: Mapped["Participant"] = relationship()  # noqa: F821
    follow_ups: Mapped[list["FollowUp"]] = relationship(  # noqa: F821
        primaryjoin="and_(FollowUp.notification_id == Notification.id, FollowUp.deleted_at.is_(None))",
        order_by="FollowUp.due_on",
        viewonly=True,
    )

    @property
    def trigger_label(self) -> str:
        return label_of(NOTIFICATION_TRIGGERS, self.trigger)
