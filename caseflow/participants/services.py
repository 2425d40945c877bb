"""Participant operations: create, update, and fuzzy search / duplicate checks within scope."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Boolean, Integer, String, and_, bindparam, or_, select
from sqlalchemy.orm import joinedload

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import (
    Case,
    Participant,
    ParticipantAlias,
    ParticipantRaceEthnicity,
    ParticipantSearchKey,
    Program,
    User,
)
from caseflow.models.base import utcnow
from caseflow.participants.matching import (
    Candidate,
    Probe,
    Score,
    can_be_strong,
    parse_search,
    phone_digits,
    probe_keys,
    rank,
)
from caseflow.permissions import case_scope, case_scope_for, programs_for, scope_user_id
from caseflow.statements import bound_list, built_once
from caseflow.timezones import local_today

SEARCH_LIMIT = 25
DUPLICATE_LIMIT = 10


@dataclass
class Match:
    """One person shown to the user, with the reasons they matched."""

    participant: Participant
    reasons: tuple[str, ...]
    strong: bool


@dataclass
class MatchOutcome:
    """People the user may see, and where a strong match they may not see lives (names only of programs)."""

    matches: list[Match] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.matches or self.elsewhere)


class PossibleDuplicates(Exception):
    """Raised before creating a person when likely matches must be shown first."""

    def __init__(self, outcome: MatchOutcome):
        super().__init__("possible duplicates")
        self.outcome = outcome


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


def update_participant(
    actor: User,
    participant: Participant,
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
    is_ipv_protected: bool | None = None,
) -> Participant:
    """Correct who the person is; the caller has checked the version and commits with commit_edit().

    is_ipv_protected None leaves the flag alone: only callers that checked may_set_ipv_protection pass it.
    """
    protection_changed = is_ipv_protected is not None and is_ipv_protected != participant.is_ipv_protected
    # One flush for columns and collections together, so the version moves exactly once.
    with db.session.no_autoflush:
        if protection_changed:
            participant.is_ipv_protected = is_ipv_protected
        participant.first_name = first_name.strip()
        participant.last_name = last_name.strip()
        participant.gender = gender or "not_reported"
        participant.preferred_language = preferred_language.strip()
        participant.phone = phone.strip()
        participant.area = area.strip()
        # A known birth date replaces any estimate; a new or changed estimate is dated today.
        participant.date_of_birth = date_of_birth
        if date_of_birth or estimated_age is None:
            participant.estimated_age, participant.estimated_age_on = None, None
        elif estimated_age != participant.estimated_age or participant.estimated_age_on is None:
            participant.estimated_age, participant.estimated_age_on = estimated_age, today or local_today()
        _replace_aliases(participant, aliases)
        _replace_race_ethnicities(participant, race_ethnicities)
        # Touch the row even when only aliases or categories changed, so the version moves and
        # a concurrent edit of those is caught as a conflict too.
        participant.updated_at = utcnow()
    db.session.flush()
    record_event(actor, "update", "participant", participant.id)
    if protection_changed:
        # Its own row, so reviewers can find who protected or unprotected a person (S24).
        record_event(
            actor,
            "update",
            "participant",
            participant.id,
            detail="IPV protection set" if is_ipv_protected else "IPV protection cleared",
        )
    return participant


def _replace_aliases(participant: Participant, names: list[str]) -> None:
    """Make the aliases exactly names, keeping rows that stay (no delete+insert of the same name)."""
    wanted = {name.lower(): name for name in names}
    for alias in list(participant.aliases):
        if alias.name.lower() in wanted:
            alias.name = wanted.pop(alias.name.lower())
        else:
            participant.aliases.remove(alias)
    for name in names:
        if name.lower() in wanted:
            participant.aliases.append(ParticipantAlias(name=wanted.pop(name.lower())))


def _replace_race_ethnicities(participant: Participant, categories: list[str]) -> None:
    """Make the categories exactly these, keeping rows that stay (they are keyed by category)."""
    wanted = list(dict.fromkeys(categories))
    for row in list(participant.race_ethnicities):
        if row.category in wanted:
            wanted.remove(row.category)
        else:
            participant.race_ethnicities.remove(row)
    participant.race_ethnicities.extend(ParticipantRaceEthnicity(category=c) for c in wanted)


# --- finding people ---------------------------------------------------------------------


# Above this many people sharing a key, the second statement selects them again by key instead of by id.
MAX_LISTED_CANDIDATES = 5000


def _sharing_statement():
    """The ids of the people sharing one of the bound `keys` (an index range read)."""
    key = ParticipantSearchKey.__table__.c
    return select(key.participant_id).where(bound_list(key.key, "keys", String)).distinct()


def _found_statement(by_id: bool):
    """The candidates' columns, aliases and scope (see _candidates), built once per kind of list.

    by_id: the candidates are the bound `ids`; otherwise they are selected again by the bound `keys`.
    """
    # Table columns, not ORM attributes: plain tuples come back without the ORM's per-row work.
    person, alias = Participant.__table__.c, ParticipantAlias.__table__.c
    # The candidates' rows in each table are picked by the list itself, so every read is by index and a
    # search's cost follows the candidates, not the deployment's size (aliases were read in full).
    if by_id:
        listed, case_ids_of, aliases_of = (
            bound_list(column, "ids", Integer) for column in (person.id, Case.participant_id, alias.participant_id)
        )
    else:
        listed, case_ids_of, aliases_of = (
            column.in_(_sharing_statement()) for column in (person.id, Case.participant_id, alias.participant_id)
        )
    # Whether each is in scope is computed once per person (MATERIALIZED: PostgreSQL would otherwise
    # evaluate the scope once for each of the three places that use it).
    found = (
        select(
            person.id,
            person.first_name,
            person.last_name,
            person.date_of_birth,
            person.phone,
            # The candidates' own cases (by ix_cases_participant_id), then the scope: not every case in scope.
            person.id.in_(select(Case.participant_id).where(case_ids_of, case_scope_for(bindparam("user_id")))).label(
                "in_scope"
            ),
            person.is_ipv_protected,
        )
        .where(listed, person.deleted_at.is_(None), person.merged_into_id.is_(None))
        .cte("found")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    in_scope = found.c.in_scope.is_(True)
    return (
        select(
            found.c.id,
            found.c.first_name,
            found.c.last_name,
            found.c.date_of_birth,
            found.c.phone,
            found.c.in_scope,
            alias.name,
        )
        .select_from(found.outerjoin(ParticipantAlias.__table__, and_(alias.participant_id == found.c.id, aliases_of)))
        .where(
            # An IPV-protected person the actor may not see is no candidate at all: never matched, hinted at
            # or counted, so neither search nor the duplicate check can tell that they exist (S24).
            or_(found.c.is_ipv_protected.is_(False), in_scope),
            # People outside the scope only ever count as strong matches (the hint): when none can be strong
            # (`any_strength` false), only the actor's own people are candidates.
            or_(bindparam("any_strength", type_=Boolean), in_scope),
        )
        .order_by(found.c.id, alias.id)
    )


def _candidates(actor: User, probe: Probe) -> tuple[list[Candidate], set[int]]:
    """The live, unmerged people sharing a search key with the probe, as plain columns, and which the actor may see.

    Ranking needs only ids, names, birth date, phone and aliases, so no ORM rows are built, and only
    for the people the key prefilter admits (matching.probe_keys: never fewer than rank() would list)
    rather than for everyone in the deployment. A second statement brings their columns, aliases and
    whether each person is in the actor's case scope. Both are built once (caseflow/statements.py):
    building the scope's subqueries for every search cost more than running them.
    """
    keys = sorted(probe_keys(probe))
    if not keys:
        return [], set()
    # First the ids of the people sharing a key, so the second statement works on a known list: given a
    # subquery instead, PostgreSQL misjudged its size and scanned every participant.
    ids = db.session.execute(built_once("search_sharing", _sharing_statement), {"keys": keys}).scalars().all()
    if not ids:
        return [], set()
    # A very common key in a very large deployment: keep the statement's parameters few (drivers cap them).
    by_id = len(ids) <= MAX_LISTED_CANDIDATES
    found = built_once(f"search_found_by_{'id' if by_id else 'key'}", lambda: _found_statement(by_id))
    values = {"user_id": scope_user_id(actor), "any_strength": can_be_strong(probe)}
    values.update({"ids": list(ids)} if by_id else {"keys": keys})
    rows = db.session.execute(found, values).all()
    people: dict[int, tuple] = {}
    aliases: dict[int, list[str]] = {}
    for row in rows:
        if row[0] not in people:
            people[row[0]] = row
        if row[6] is not None:
            aliases.setdefault(row[0], []).append(row[6])
    visible = {pid for pid, row in people.items() if row[5]}
    return [
        Candidate(pid, first, last, born, phone or "", tuple(aliases.get(pid, ())))
        for pid, (_, first, last, born, phone, _, _) in people.items()
    ], visible


def _scored(actor: User, probe: Probe) -> tuple[list[Score], set[int]]:
    """Everyone rank() lists for the probe, best first, and which of them are in the actor's scope."""
    candidates, visible = _candidates(actor, probe)
    return rank(probe, candidates), visible


def _load(scores: list[Score]) -> list[Match]:
    """Full rows (with aliases) for the matches to show, in rank order."""
    if not scores:
        return []
    by_id = {
        p.id: p
        for p in db.session.execute(
            select(Participant)
            .where(Participant.id.in_([s.candidate.id for s in scores]))
            .options(joinedload(Participant.aliases))  # one statement for the people and their aliases
        )
        .unique()
        .scalars()
    }
    return [Match(by_id[s.candidate.id], s.reasons, s.strong) for s in scores if s.candidate.id in by_id]


def _programs_of(participant_ids: list[int]) -> list[str]:
    """Names of the programs holding a live case for any of these people."""
    if not participant_ids:
        return []
    return list(
        db.session.execute(
            select(Program.name)
            .join(Case, Case.program_id == Program.id)
            .where(
                Case.participant_id.in_(participant_ids),
                Case.deleted_at.is_(None),
                Program.deleted_at.is_(None),
            )
            .distinct()
            .order_by(Program.name)
        ).scalars()
    )


def _match(
    actor: User,
    probe: Probe,
    *,
    likely_only: bool,
    limit: int,
    exclude_id: int | None = None,
    hint_elsewhere: bool = True,
) -> MatchOutcome:
    """Rank the candidates against the probe; show the actor's own people, only hint at the rest."""
    scored, visible = _scored(actor, probe)
    scores = [s for s in scored if s.candidate.id != exclude_id]
    shown = [s for s in scores if s.candidate.id in visible and (s.likely or not likely_only)][:limit]
    # Out of scope, only a strong match counts, and only program names ever leave this
    # function: never a name, a date, a count or an id. Users without any program (such as
    # administrators) get no hint at all, so the notice cannot be used to probe the records.
    elsewhere: list[str] = []
    strong_elsewhere = [s.candidate.id for s in scores if s.candidate.id not in visible and s.strong]
    if hint_elsewhere and strong_elsewhere and programs_for(actor):
        elsewhere = _programs_of(strong_elsewhere)
    return MatchOutcome(matches=_load(shown), elsewhere=elsewhere)


def strong_matches_elsewhere(actor: User, term: str) -> list[int]:
    """Ids of the people outside the actor's scope that strongly match the terms: whom the hint is about.

    Only break-glass asks for these ids, and IPV-protected people are never among them. Nothing is audited
    here: the caller records what it opens.
    """
    scores, visible = _scored(actor, parse_search(term))
    return [s.candidate.id for s in scores if s.candidate.id not in visible and s.strong]


def search_participants(actor: User, term: str) -> MatchOutcome:
    """People in scope matching a name, alias, date of birth or phone; audited with the ids shown, never the terms."""
    outcome = _match(actor, parse_search(term), likely_only=False, limit=SEARCH_LIMIT)
    record_event(
        actor,
        "search",
        "participant",
        record_ids=[m.participant.id for m in outcome.matches],
        detail="possible match in another program" if outcome.elsewhere else "",
    )
    return outcome


def find_possible_duplicates(
    actor: User,
    *,
    first_name: str,
    last_name: str,
    aliases: list[str] = (),
    date_of_birth: date | None = None,
    phone: str = "",
    exclude_id: int | None = None,
    hint_elsewhere: bool = True,
) -> MatchOutcome:
    """Likely matches for a person about to be created (or for an existing one, excluding itself).

    Audited as a search with the ids shown when there is anything to show.
    """
    probe = Probe(
        names=(f"{first_name} {last_name}",),
        aliases=tuple(aliases),
        date_of_birth=date_of_birth,
        phone=phone_digits(phone),
    )
    outcome = _match(
        actor, probe, likely_only=True, limit=DUPLICATE_LIMIT, exclude_id=exclude_id, hint_elsewhere=hint_elsewhere
    )
    if outcome:
        record_event(
            actor,
            "search",
            "participant",
            record_ids=[m.participant.id for m in outcome.matches],
            detail="duplicate check" + ("; possible match in another program" if outcome.elsewhere else ""),
        )
    return outcome


def duplicates_of(actor: User, participant: Participant) -> MatchOutcome:
    """Other records in the actor's scope that look like this person (the merge page's list)."""
    return find_possible_duplicates(
        actor,
        first_name=participant.first_name,
        last_name=participant.last_name,
        aliases=[a.name for a in participant.aliases],
        date_of_birth=participant.date_of_birth,
        phone=participant.phone,
        exclude_id=participant.id,
        hint_elsewhere=False,
    )


def case_after_resubmit(actor: User, participant_id: int, program_id: int) -> int | None:
    """The case a repeated 'new participant' submission already opened, if the actor may see it."""
    return db.session.execute(
        select(Case.id)
        .where(Case.participant_id == participant_id, Case.program_id == program_id, case_scope(actor))
        .order_by(Case.id.desc())
        .limit(1)
    ).scalar_one_or_none()
