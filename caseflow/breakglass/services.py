"""Opening records in an emergency: who may, what a grant opens, and the audit row at high severity (S8)."""

from datetime import datetime, timedelta

from sqlalchemy.orm import selectinload

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import BreakGlassGrant, User
from caseflow.models.base import utcnow
from caseflow.participants.services import strong_matches_elsewhere
from caseflow.permissions import SUPERVISING_ROLES, live_grants, programs_for

# One emergency is about one person; a few records may be that person's duplicates. More is a fishing trip.
MAX_PEOPLE = 3


class NoEmergencyMatch(Exception):
    """Nothing (or too much) matched: nothing was opened; the message says what to do."""

    def __init__(self, message: str, too_many: bool = False):
        super().__init__(message)
        self.too_many = too_many


def can_break_glass(user: User) -> bool:
    """Supervisors and managers of any program may; workers, partners and administrators may not."""
    return bool(programs_for(user, SUPERVISING_ROLES))


def open_emergency_access(
    actor: User, term: str, reason: str, *, minutes: int, now: datetime | None = None
) -> list[BreakGlassGrant]:
    """Grant the actor read access for `minutes` to the people outside their scope that strongly match term.

    Exactly the people the search's "possible match in another program" notice is about, and never
    an IPV-protected person (they are no candidate for anyone outside their staff). Each grant writes
    a break_glass audit row; a refusal writes one too, naming no one, and raises NoEmergencyMatch.
    The search terms are never stored or audited (S36); the reason is kept on the grant.
    """
    if not can_break_glass(actor):
        raise PermissionError("Only supervisors and managers can open records in an emergency.")
    matched = strong_matches_elsewhere(actor, term)
    if not matched or len(matched) > MAX_PEOPLE:
        record_event(actor, "break_glass", "participant", detail="refused: no single record matched; nothing opened")
        if matched:
            raise NoEmergencyMatch(
                f"More than {MAX_PEOPLE} records outside your programs match. Add the date of birth or phone "
                "number so that only the person you mean matches. Nothing was opened.",
                too_many=True,
            )
        raise NoEmergencyMatch(
            "No record outside your programs matches these details closely enough. Nothing was opened."
        )
    created_at = now or utcnow()
    grants = [
        BreakGlassGrant(
            user_id=actor.id,
            participant_id=participant_id,
            reason=reason.strip(),
            created_at=created_at,
            expires_at=created_at + timedelta(minutes=minutes),
        )
        for participant_id in matched
    ]
    db.session.add_all(grants)
    db.session.flush()
    for grant in grants:
        record_event(
            actor,
            "break_glass",
            "participant",
            grant.participant_id,
            detail=f"grant {grant.id}: read-only for {minutes} minutes",
        )
    return grants


def my_live_grants(actor: User) -> list[BreakGlassGrant]:
    """The actor's grants that still open a record, ending soonest first."""
    return list(
        db.session.execute(
            live_grants(actor).options(selectinload(BreakGlassGrant.participant)).order_by(BreakGlassGrant.expires_at)
        ).scalars()
    )
