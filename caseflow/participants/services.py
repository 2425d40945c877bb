"""Participant operations: create with aliases and demographics, search within scope."""

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import Participant, ParticipantAlias, ParticipantRaceEthnicity, User
from caseflow.permissions import participant_scope
from caseflow.timezones import local_today

SEARCH_LIMIT = 50


def create_participant(
    actor: User,
    *,
    first_name: str,
    last_name: str,
    aliases: list[str] = (),
    race_ethnicities: list[str] = (),
    date_of_birth: date | None = None,
    estimated_age: int | None = None,
    gender: str = "not_reported",
    preferred_language: str = "",
    phone: str = "",
    area: str = "",
    today: date | None = None,
) -> Participant:
    """Add a person; the caller opens their first case in the same transaction."""
    participant = Participant(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        date_of_birth=date_of_birth,
        estimated_age=None if date_of_birth else estimated_age,
        estimated_age_on=(today or local_today()) if (estimated_age is not None and not date_of_birth) else None,
        gender=gender or "not_reported",
        preferred_language=preferred_language.strip(),
        phone=phone.strip(),
        area=area.strip(),
        created_by_id=actor.id,
        aliases=[ParticipantAlias(name=name) for name in aliases],
        race_ethnicities=[ParticipantRaceEthnicity(category=c) for c in dict.fromkeys(race_ethnicities)],
    )
    db.session.add(participant)
    db.session.flush()
    record_event(actor, "create", "participant", participant.id)
    return participant


def search_participants(actor: User, term: str) -> list[Participant]:
    """People in the actor's scope whose name or alias contains the term; audited with the ids shown."""
    words = [w for w in term.lower().split() if w]
    stmt = select(Participant).where(participant_scope(actor))
    for word in words:
        pattern = f"%{_escape_like(word)}%"
        alias_match = (
            select(ParticipantAlias.id)
            .where(
                ParticipantAlias.participant_id == Participant.id,
                func.lower(ParticipantAlias.name).like(pattern, escape="\\"),
            )
            .exists()
        )
        stmt = stmt.where(
            or_(
                func.lower(Participant.first_name).like(pattern, escape="\\"),
                func.lower(Participant.last_name).like(pattern, escape="\\"),
                alias_match,
            )
        )
    stmt = (
        stmt.order_by(Participant.last_name, Participant.first_name, Participant.id)
        .limit(SEARCH_LIMIT)
        .options(selectinload(Participant.aliases))
    )
    results = list(db.session.execute(stmt).scalars())
    record_event(actor, "search", "participant", record_ids=[p.id for p in results])
    return results


def _escape_like(value: str) -> str:
    """Treat % and _ typed by a user as literal characters."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
