"""The person: shared by every program; notes and contacts live on the program's case."""

from datetime import date

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.models.base import RecordMixin, check_in
from caseflow.models.choices import ALIAS_KINDS, GENDERS, RACE_ETHNICITIES, label_of, values


class Participant(RecordMixin, db.Model):
    """One person, whatever programs they are in. There is deliberately no SSN field."""

    __tablename__ = "participants"
    __table_args__ = (
        check_in("gender", values(GENDERS)),
        Index("ix_participants_last_name_first_name", "last_name", "first_name"),
        # Every scoped query asks "who is IPV-protected?"; a partial index holds just those few rows.
        Index(
            "ix_participants_ipv_protected",
            "id",
            sqlite_where=text("is_ipv_protected = 1"),
            postgresql_where=text("is_ipv_protected"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    date_of_birth: Mapped[date | None] = mapped_column(default=None, index=True)
    # When the date of birth is unknown: an estimated age, and when it was estimated.
    estimated_age: Mapped[int | None] = mapped_column(default=None)
    estimated_age_on: Mapped[date | None] = mapped_column(default=None)
    gender: Mapped[str] = mapped_column(String(30), default="not_reported")
    preferred_language: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    area: Mapped[str] = mapped_column(String(80), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    # Set when this record was merged into another; reports count the kept record.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), default=None)
    # A survivor of intimate partner violence whose record only assigned victim-services staff may see (S24):
    # permissions.case_scope hides the person, their cases and everything under them from everyone else.
    is_ipv_protected: Mapped[bool] = mapped_column(default=False, server_default=false())

    aliases: Mapped[list["ParticipantAlias"]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", order_by="ParticipantAlias.id"
    )
    race_ethnicities: Mapped[list["ParticipantRaceEthnicity"]] = relationship(
        back_populates="participant", cascade="all, delete-orphan"
    )
    cases: Mapped[list["Case"]] = relationship(back_populates="participant")  # noqa: F821

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def gender_label(self) -> str:
        return label_of(GENDERS, self.gender)

    @property
    def race_ethnicity_labels(self) -> list[str]:
        labels = [label_of(RACE_ETHNICITIES, r.category) for r in self.race_ethnicities]
        return labels or ["Not reported"]

    def age_on(self, on: date) -> int | None:
        """Age in whole years on a date, from the birth date or the estimate."""
        if self.date_of_birth:
            dob = self.date_of_birth
            return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
        if self.estimated_age is not None and self.estimated_age_on:
            return self.estimated_age + (on - self.estimated_age_on).days // 365
        return None

    def __repr__(self) -> str:
        return f"<Participant {self.id}>"


class ParticipantAlias(db.Model):
    """An alias, street name or nickname; several per person, all searchable."""

    __tablename__ = "participant_aliases"
    __table_args__ = (
        check_in("kind", values(ALIAS_KINDS)),
        UniqueConstraint("participant_id", "name", name="uq_participant_aliases_participant_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="alias")

    participant: Mapped[Participant] = relationship(back_populates="aliases")


class ParticipantRaceEthnicity(db.Model):
    """One race/ethnicity category a person identifies with; several allowed."""

    __tablename__ = "participant_race_ethnicities"
    __table_args__ = (check_in("category", values(RACE_ETHNICITIES)),)

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)

    participant: Mapped[Participant] = relationship(back_populates="race_ethnicities")
