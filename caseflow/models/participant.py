"""The person: shared by every program; notes and contacts live on the program's case."""

from datetime import date

from sqlalchemy import (
    Connection,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    delete,
    event,
    false,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from caseflow.extensions import db
from caseflow.models.base import RecordMixin, check_in
from caseflow.models.choices import ALIAS_KINDS, GENDERS, RACE_ETHNICITIES, label_of, values
from caseflow.participants.matching import SEARCH_KEY_LENGTH, person_keys


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


class ParticipantSearchKey(db.Model):
    """One key a fuzzy search can find this person by (matching.person_keys): derived from the names, never edited.

    Search selects the people sharing a key with what was typed and ranks only those, instead of everyone.
    """

    __tablename__ = "participant_search_keys"
    __table_args__ = (Index("ix_participant_search_keys_key_participant_id", "key", "participant_id"),)

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(SEARCH_KEY_LENGTH), primary_key=True)


# What the keys are made from: a change to any of these (or to an alias) makes the person's keys anew.
_KEYED_ATTRIBUTES = ("first_name", "last_name", "date_of_birth", "phone", "aliases")


def refresh_search_keys(connection: Connection, participant_ids) -> None:
    """Replace these people's search keys with keys made from their stored names, aliases, birth date and phone."""
    ids = sorted(set(participant_ids))
    if not ids:
        return
    people = Participant.__table__.c
    aliases: dict[int, list[str]] = {}
    alias_rows = ParticipantAlias.__table__.c
    for participant_id, name in connection.execute(
        select(alias_rows.participant_id, alias_rows.name).where(alias_rows.participant_id.in_(ids))
    ):
        aliases.setdefault(participant_id, []).append(name)
    rows = [
        {"participant_id": row.id, "key": key}
        for row in connection.execute(
            select(people.id, people.first_name, people.last_name, people.date_of_birth, people.phone).where(
                people.id.in_(ids)
            )
        )
        for key in sorted(
            person_keys(row.first_name, row.last_name, aliases.get(row.id, ()), row.date_of_birth, row.phone or "")
        )
    ]
    keys = ParticipantSearchKey.__table__
    connection.execute(delete(keys).where(keys.c.participant_id.in_(ids)))
    if rows:
        connection.execute(insert(keys), rows)


@event.listens_for(Session, "after_flush")
def _keep_search_keys(session: Session, _flush_context) -> None:
    """After any flush that created a person or changed a name, alias, birth date or phone, refresh their keys.

    A flush hook rather than a call in each service, so no write path (create, edit, merge, the demo seed,
    test fixtures) can leave a person unfindable. Histories are read without loading anything.
    """
    ids: set[int | None] = set()
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Participant):
            state = inspect(obj)
            if obj in session.new or any(state.attrs[name].history.has_changes() for name in _KEYED_ATTRIBUTES):
                ids.add(obj.id)
        elif isinstance(obj, ParticipantAlias):
            state = inspect(obj)
            ids.add(obj.participant_id)
            ids.update(state.attrs.participant_id.history.sum())
            ids.update(getattr(p, "id", None) for p in state.attrs.participant.history.sum())
    for obj in session.deleted:
        if isinstance(obj, ParticipantAlias):
            ids.add(obj.participant_id)
    ids.discard(None)
    if ids:
        refresh_search_keys(session.connection(), ids)
