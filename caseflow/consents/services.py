"""Consent operations and the check every disclosure makes. Services flush and audit, never commit."""

from datetime import date, timedelta

from sqlalchemy import and_, exists, or_, select, true
from sqlalchemy.orm import selectinload

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import Case, Consent, ConsentCategory, Participant, Program, ServiceProvider, User
from caseflow.models.base import utcnow
from caseflow.models.choices import CONSENT_CATEGORIES, label_of, values
from caseflow.permissions import case_scope, role_in
from caseflow.timezones import local_today

# S23: a consent lasts a year by default, and never longer than a year from signing.
DEFAULT_CONSENT_DAYS = 365


class ConsentRuleError(ValueError):
    """A consent rule refused the operation; the message is shown to the user."""


def one_year_after(signed_on: date) -> date:
    """The last day a consent signed on signed_on may run to (29 February falls back to the 28th)."""
    try:
        return signed_on.replace(year=signed_on.year + 1)
    except ValueError:
        return signed_on.replace(year=signed_on.year + 1, day=28)


def default_expiry(signed_on: date) -> date:
    """The expiry a new consent gets unless the participant chose a shorter one."""
    return min(signed_on + timedelta(days=DEFAULT_CONSENT_DAYS), one_year_after(signed_on))


def same_name(a: str, b: str) -> bool:
    """Recipient names compare ignoring case and surrounding spaces, the same on every database."""
    return a.strip().casefold() == b.strip().casefold()


def find_valid_consent(
    participant_id: int,
    on: date,
    *,
    provider_id: int | None = None,
    recipient_program_id: int | None = None,
    recipient_name: str | None = None,
    categories: frozenset[str] = frozenset({"identity"}),
    disclosing_program_id: int | None = None,
) -> Consent | None:
    """The consent that lets this person's data in every one of categories go to one recipient on a date.

    The recipient matches by id, or (for a consent typed as free text) by name, ignoring case;
    recipient_name matches typed consents only (a court, a lawyer), never one naming a provider or program.
    Valid means signed on or before the date, expiring on or after it, not revoked, not deleted.
    Without a recipient nothing can match, so the caller's disclosure stays blocked.
    disclosing_program_id limits the match to consents that program recorded: a consent lets the program
    that took it share, not every program that happens to hold a case for the same person (S23).
    """
    by_id = []
    names: list[str] = []
    if provider_id is not None:
        by_id.append(Consent.provider_id == provider_id)
        name = db.session.execute(
            select(ServiceProvider.name).where(ServiceProvider.id == provider_id)
        ).scalar_one_or_none()
        names += [name] if name else []
    if recipient_program_id is not None:
        by_id.append(Consent.recipient_program_id == recipient_program_id)
        name = db.session.execute(select(Program.name).where(Program.id == recipient_program_id)).scalar_one_or_none()
        names += [name] if name else []
    if recipient_name and recipient_name.strip():
        names.append(recipient_name)
    if not by_id and not names:
        return None
    typed_only = and_(Consent.provider_id.is_(None), Consent.recipient_program_id.is_(None))
    stmt = (
        select(Consent)
        .where(
            Consent.participant_id == participant_id,
            Consent.deleted_at.is_(None),
            Consent.revoked_at.is_(None),
            Consent.signed_on <= on,
            Consent.expires_on >= on,
            true() if disclosing_program_id is None else Consent.program_id == disclosing_program_id,
            or_(*by_id, typed_only) if names else or_(*by_id),
            *[
                exists().where(ConsentCategory.consent_id == Consent.id, ConsentCategory.category == category)
                for category in sorted(categories)
            ],
        )
        .order_by(Consent.expires_on.desc(), Consent.id.desc())
    )
    # Free-text names are compared in Python: casefold() agrees on every database, SQL lower() does not.
    for consent in db.session.execute(stmt).scalars():
        if consent.provider_id is not None or consent.recipient_program_id is not None:
            return consent
        if any(same_name(consent.recipient, name) for name in names):
            return consent
    return None


def category_labels(consent: Consent) -> list[str]:
    """The consent's categories as labels, in the order of the category list (not the database's)."""
    covered = {c.category for c in consent.categories}
    return [label_of(CONSENT_CATEGORIES, value) for value in values(CONSENT_CATEGORIES) if value in covered]


def consent_status(consent: Consent, today: date) -> str:
    """One word for the badge: valid, expired, revoked or pending (signed date still ahead)."""
    if consent.revoked_at is not None:
        return "revoked"
    if consent.expires_on < today:
        return "expired"
    if consent.signed_on > today:
        return "pending"
    return "valid"


def consent_programs(user: User, participant: Participant) -> list[Program]:
    """Programs the user may record consents under: theirs, where this person has a case they can see."""
    return list(
        db.session.execute(
            select(Program)
            .where(
                Program.deleted_at.is_(None),
                Program.id.in_(select(Case.program_id).where(Case.participant_id == participant.id, case_scope(user))),
            )
            .order_by(Program.name)
        ).scalars()
    )


def consents_for(user: User, participant: Participant) -> list[Consent]:
    """A person's live consents recorded by programs whose case the user can see, newest first.

    Another program's consents stay with it: listing them would reveal where else the person is served.
    """
    visible_programs = select(Case.program_id).where(Case.participant_id == participant.id, case_scope(user))
    return list(
        db.session.execute(
            select(Consent)
            .where(
                Consent.participant_id == participant.id,
                Consent.deleted_at.is_(None),
                Consent.program_id.in_(visible_programs),
            )
            .options(selectinload(Consent.categories))
            .order_by(Consent.signed_on.desc(), Consent.id.desc())
        ).scalars()
    )


def visible_consent_query(user: User, consent_id: int):
    """SELECT of one live consent the user can see (its program holds a case of theirs for the person)."""
    return select(Consent).where(
        Consent.id == consent_id,
        Consent.deleted_at.is_(None),
        exists().where(
            Case.participant_id == Consent.participant_id, Case.program_id == Consent.program_id, case_scope(user)
        ),
    )


def record_consent(
    actor: User,
    participant: Participant,
    program: Program,
    *,
    categories: list[str],
    signed_on: date,
    expires_on: date | None = None,
    provider: ServiceProvider | None = None,
    recipient_program: Program | None = None,
    recipient: str = "",
) -> Consent:
    """Record a signed consent naming one recipient: a directory provider, another program, or an organisation."""
    if role_in(actor, program.id) is None:
        raise ConsentRuleError("Only members of a program can record consents under it.")
    recipient = recipient.strip()
    named = [r for r in (provider, recipient_program, recipient) if r]
    if not named:
        raise ConsentRuleError("Name who may receive the information: a provider, a program or an organisation.")
    if len(named) > 1:
        raise ConsentRuleError("Name one recipient per consent: a provider, a program or an organisation.")
    if recipient_program is not None and recipient_program.id == program.id:
        raise ConsentRuleError("A program needs no consent to share with itself; choose the receiving program.")
    if not categories or set(categories) - set(values(CONSENT_CATEGORIES)):
        raise ConsentRuleError("Choose at least one kind of information from the list.")
    if signed_on > local_today():
        raise ConsentRuleError("The signing date cannot be in the future.")
    expires_on = expires_on or default_expiry(signed_on)
    if expires_on < signed_on:
        raise ConsentRuleError("The consent cannot expire before it was signed.")
    if expires_on > one_year_after(signed_on):
        raise ConsentRuleError(
            f"A consent lasts at most one year: choose {one_year_after(signed_on):%d %b %Y} or earlier,"
            " and ask the participant to sign again after that."
        )
    consent = Consent(
        participant_id=participant.id,
        program_id=program.id,
        recipient=(provider.name if provider else recipient_program.name if recipient_program else recipient)[:160],
        provider_id=provider.id if provider else None,
        recipient_program_id=recipient_program.id if recipient_program else None,
        signed_on=signed_on,
        expires_on=expires_on,
        recorded_by_id=actor.id,
        categories=[ConsentCategory(category=c) for c in dict.fromkeys(categories)],
    )
    db.session.add(consent)
    db.session.flush()
    record_event(actor, "create", "consent", consent.id, detail=f"participant {participant.id}")
    return consent


def revoke_consent(actor: User, consent: Consent) -> Consent:
    """Withdraw a consent from now on; disclosures already made under it stay on record."""
    if role_in(actor, consent.program_id) is None:
        raise ConsentRuleError("Only members of the program that recorded this consent can revoke it.")
    if consent.revoked_at is not None:
        raise ConsentRuleError("This consent was already revoked.")
    consent.revoked_at = utcnow()
    db.session.flush()
    record_event(actor, "update", "consent", consent.id, detail="revoked")
    return consent
