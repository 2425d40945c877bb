"""The shooting incident register: incidents apart from people, linked to participants in scope."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.crypto import EncryptedText
from caseflow.extensions import db
from caseflow.models.base import RecordMixin, check_in
from caseflow.models.choices import label_of, values

INCIDENT_KINDS = [("shooting", "Shooting with injury"), ("shots_fired", "Shots fired, no injury")]
INCIDENT_SOURCES = [("police", "Police"), ("hospital", "Hospital"), ("community", "Community report")]
INCIDENT_STATUSES = [("reported", "Reported"), ("confirmed", "Confirmed"), ("closed", "Closed")]
INCIDENT_ROLES = [("victim", "Victim"), ("involved", "Involved"), ("witness", "Witness"), ("associate", "Associate")]


class Incident(RecordMixin, db.Model):
    """One shooting or shots-fired event; coarse area only, no exact address."""

    __tablename__ = "incidents"
    __table_args__ = (
        check_in("kind", values(INCIDENT_KINDS)),
        check_in("source", values(INCIDENT_SOURCES)),
        check_in("status", values(INCIDENT_STATUSES)),
        CheckConstraint("fatal_victims >= 0 AND nonfatal_victims >= 0", name="victim_counts"),
        # Shots fired with no injury is its own kind, so it carries no victims.
        CheckConstraint(
            "kind <> 'shots_fired' OR (fatal_victims = 0 AND nonfatal_victims = 0)", name="shots_fired_no_victims"
        ),
        # An imported feed row is recognised again by its source id.
        UniqueConstraint("source", "source_ref", name="uq_incidents_source_source_ref"),
        Index("ix_incidents_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column()
    area: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20), default="shooting")
    fatal_victims: Mapped[int] = mapped_column(default=0)
    nonfatal_victims: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str | None] = mapped_column(String(80), default=None)
    status: Mapped[str] = mapped_column(String(20), default="reported")
    notes: Mapped[str] = mapped_column(EncryptedText, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    people: Mapped[list["IncidentPerson"]] = relationship(back_populates="incident", cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        return label_of(INCIDENT_KINDS, self.kind)

    @property
    def source_label(self) -> str:
        return label_of(INCIDENT_SOURCES, self.source)

    @property
    def status_label(self) -> str:
        return label_of(INCIDENT_STATUSES, self.status)


class IncidentPerson(db.Model):
    """A participant linked to an incident, and how."""

    __tablename__ = "incident_people"
    __table_args__ = (
        check_in("role", values(INCIDENT_ROLES)),
        UniqueConstraint("incident_id", "participant_id", name="uq_incident_people_incident_participant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    incident: Mapped[Incident] = relationship(back_populates="people")
    participant: Mapped["Participant"] = relationship()  # noqa: F821

    @property
    def role_label(self) -> str:
        return label_of(INCIDENT_ROLES, self.role)
