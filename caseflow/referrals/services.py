"""Referral operations: the consent gate, the status lifecycle, overdue lists. Flush and audit, never commit."""

from datetime import date, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.sql import ColumnElement

from caseflow.audit.services import record_event
from caseflow.consents.services import find_valid_consent
from caseflow.extensions import db
from caseflow.models import (
    REFERRAL_TRANSITIONS,
    Case,
    Participant,
    Referral,
    ReferralStatusChange,
    ServiceProvider,
    User,
)
from caseflow.models.choices import REFERRAL_STATUSES, SERVICE_CATEGORIES, label_of, values
from caseflow.permissions import case_scope, role_in
from caseflow.timezones import local_today

# Days from the referral to when a connection is expected, per service. Urgent needs get a week,
# school and work a month (terms and hiring take longer), everything else two weeks.
DEFAULT_DUE_DAYS: dict[str, int] = {category: 14 for category in values(SERVICE_CATEGORIES)} | {
    "relocation": 7,
    "basic_needs": 7,
    "mental_health": 7,
    "education": 30,
    "employment": 30,
}

# Statuses that end the loop: the referral is closed on the day it reaches one.
TERMINAL_STATUSES = frozenset({"completed", "declined", "no_show", "unable_to_reach"})
# Statuses that mean the referral is still waiting for a connection, so it can be overdue.
WAITING_STATUSES = ("referred", "scheduled")


class ReferralRuleError(ValueError):
    """A referral rule refused the operation; the message is shown to the user."""


class ConsentRequired(ReferralRuleError):
    """S23: identifying data may not go to this provider without a valid consent."""

    def __init__(self, message: str, provider: ServiceProvider):
        super().__init__(message)
        self.provider = provider


def default_due_on(service_category: str, referred_on: date) -> date:
    """When a referral of this kind should have connected, counted from the referral date."""
    return referred_on + timedelta(days=DEFAULT_DUE_DAYS.get(service_category, 14))


def days_to_connection(referral: Referral) -> int | None:
    """Days from referral to connection, for time-to-connection reports; None until connected."""
    if referral.connected_on is None:
        return None
    return (referral.connected_on - referral.referred_on).days


def make_referral(
    actor: User,
    case: Case,
    *,
    service_category: str,
    provider: ServiceProvider,
    referred_on: date,
    due_on: date | None = None,
    is_anonymous: bool = False,
    notes: str = "",
) -> Referral:
    """Refer a case to a provider; identifying referrals need the participant's consent first."""
    if role_in(actor, case.program_id) is None:
        raise ReferralRuleError("Only members of this program can make referrals on its cases.")
    if service_category not in values(SERVICE_CATEGORIES):
        raise ReferralRuleError("Choose a service from the list.")
    if provider is None or provider.deleted_at is not None or not provider.is_active:
        raise ReferralRuleError("That provider is not taking referrals; choose another.")
    category_label = label_of(SERVICE_CATEGORIES, service_category)
    if service_category not in {c.category for c in provider.categories}:
        raise ReferralRuleError(
            f"{provider.name} does not offer {category_label.lower()}. Choose a provider that does, or another service."
        )
    if referred_on > local_today():
        raise ReferralRuleError("The referral date cannot be in the future.")
    due_on = due_on or default_due_on(service_category, referred_on)
    if due_on < referred_on:
        raise ReferralRuleError("The due date cannot be before the referral date.")

    consent = None
    if not is_anonymous:
        # S23: sharing who the person is with an outside provider needs their consent, valid that day.
        # Only a consent this program recorded counts; another program's is not ours to use.
        consent = find_valid_consent(
            case.participant_id, referred_on, provider_id=provider.id, disclosing_program_id=case.program_id
        )
        if consent is None:
            raise ConsentRequired(
                f"No valid consent lets us share {case.participant.first_name}'s identity with {provider.name}."
                " Record a consent first, or send an anonymous referral.",
                provider,
            )

    referral = Referral(
        case_id=case.id,
        provider_id=provider.id,
        service_category=service_category,
        status="referred",
        referred_on=referred_on,
        due_on=due_on,
        is_anonymous=is_anonymous,
        consent_id=consent.id if consent else None,
        notes=notes.strip(),
        created_by_id=actor.id,
    )
    db.session.add(referral)
    db.session.flush()
    db.session.add(
        ReferralStatusChange(
            referral_id=referral.id,
            from_status=None,
            to_status="referred",
            changed_on=referred_on,
            changed_by_id=actor.id,
        )
    )
    db.session.flush()
    record_event(actor, "create", "referral", referral.id, detail=f"case {case.id}")
    if consent is not None:
        # S25: an identifying referral is a disclosure; record recipient and its legal basis.
        record_event(
            actor,
            "export",
            "referral",
            referral.id,
            detail=f"disclosed to provider {provider.id} under consent {consent.id}",
        )
    return referral


def allowed_statuses(referral: Referral) -> list[tuple[str, str]]:
    """The (value, label) statuses this referral may move to next, in lifecycle order."""
    allowed = REFERRAL_TRANSITIONS.get(referral.status, frozenset())
    return [(value, label) for value, label in REFERRAL_STATUSES if value in allowed]


def last_change_on(referral: Referral) -> date:
    """The date of the latest recorded status change (the referral date if none)."""
    latest = db.session.execute(
        select(ReferralStatusChange.changed_on)
        .where(ReferralStatusChange.referral_id == referral.id)
        .order_by(ReferralStatusChange.changed_on.desc())
        .limit(1)
    ).scalar_one_or_none()
    return latest or referral.referred_on


def change_referral_status(actor: User, referral: Referral, new_status: str, *, on: date) -> Referral:
    """Move a referral along its lifecycle on a date; anything REFERRAL_TRANSITIONS forbids is refused."""
    case = db.session.get(Case, referral.case_id)
    if role_in(actor, case.program_id) is None:
        raise ReferralRuleError("Only members of this program can update its referrals.")
    old = referral.status
    if new_status not in REFERRAL_TRANSITIONS.get(old, frozenset()):
        raise ReferralRuleError(
            f"A referral that is {referral.status_label.lower()} cannot become "
            f"{label_of(REFERRAL_STATUSES, new_status).lower()}."
        )
    if on > local_today():
        raise ReferralRuleError("The date of the change cannot be in the future.")
    if on < referral.referred_on:
        raise ReferralRuleError(
            f"The date of the change cannot be before the referral ({referral.referred_on:%d %b %Y})."
        )
    previous = last_change_on(referral)
    if on < previous:
        # The history must read in order, or time-to-connection figures go negative.
        raise ReferralRuleError(f"The date of the change cannot be before the last change ({previous:%d %b %Y}).")
    referral.status = new_status
    if new_status == "connected":
        referral.connected_on = on
    if new_status in TERMINAL_STATUSES:
        referral.closed_on = on
    else:
        # referred, scheduled, connected: the loop is open again (or still).
        referral.closed_on = None
    db.session.add(
        ReferralStatusChange(
            referral_id=referral.id, from_status=old, to_status=new_status, changed_on=on, changed_by_id=actor.id
        )
    )
    db.session.flush()
    record_event(actor, "update", "referral", referral.id, detail=f"status {old} -> {new_status}")
    return referral


def referral_overdue(today: date) -> ColumnElement[bool]:
    """The one SQL definition of an overdue referral: live, still waiting, and past its due date."""
    return and_(
        Referral.deleted_at.is_(None),
        Referral.due_on.is_not(None),
        Referral.due_on < today,
        Referral.status.in_(WAITING_STATUSES),
    )


def overdue_referrals_query(user: User, today: date):
    """Referrals in the user's scope still waiting past their due date, oldest due first."""
    return (
        select(Referral)
        .join(Case, Case.id == Referral.case_id)
        .join(Participant, Participant.id == Case.participant_id)
        .where(case_scope(user), Participant.deleted_at.is_(None), referral_overdue(today))
        .options(
            contains_eager(Referral.case).contains_eager(Case.participant),
            contains_eager(Referral.case).selectinload(Case.program),
            selectinload(Referral.provider),
        )
        .order_by(Referral.due_on, Referral.id)
    )
