"""Directory operations. Each takes the acting user, checks the rules, flushes, audits, never commits."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import ProviderCategory, ServiceProvider, User
from caseflow.models.base import utcnow
from caseflow.models.choices import SERVICE_CATEGORIES, label_of, values


class ProviderRuleError(ValueError):
    """A directory rule refused the change; the message is shown to the user."""


def service_labels(provider: ServiceProvider) -> list[str]:
    """The provider's services as labels, in the order of the category list (not the database's)."""
    offered = {c.category for c in provider.categories}
    return [label_of(SERVICE_CATEGORIES, value) for value in values(SERVICE_CATEGORIES) if value in offered]


def directory_query(*, include_inactive: bool = False, category: str | None = None):
    """Providers in name order with their categories; inactive ones only for those who manage the directory."""
    stmt = (
        select(ServiceProvider)
        .where(ServiceProvider.deleted_at.is_(None))
        .options(selectinload(ServiceProvider.categories))
        .order_by(ServiceProvider.name)
    )
    if not include_inactive:
        stmt = stmt.where(ServiceProvider.is_active.is_(True))
    if category:
        stmt = stmt.where(
            ServiceProvider.id.in_(select(ProviderCategory.provider_id).where(ProviderCategory.category == category))
        )
    return stmt


def active_providers() -> list[ServiceProvider]:
    """Providers that take new referrals, for the referral and consent forms."""
    return list(db.session.execute(directory_query()).scalars())


def _check_fields(name: str, categories: list[str], exclude_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ProviderRuleError("Enter the provider's name.")
    if not categories:
        raise ProviderRuleError("Choose at least one service.")
    unknown = set(categories) - set(values(SERVICE_CATEGORIES))
    if unknown:
        raise ProviderRuleError("Choose services from the list.")
    # Names are unique regardless of case, so a referral never has to guess between look-alikes.
    clash = select(ServiceProvider.id).where(func.lower(ServiceProvider.name) == name.lower())
    if exclude_id is not None:
        clash = clash.where(ServiceProvider.id != exclude_id)
    if db.session.execute(clash).first():
        raise ProviderRuleError(f"A provider called {name} is already in the directory.")
    return name


def create_provider(
    actor: User,
    *,
    name: str,
    categories: list[str],
    phone: str = "",
    email: str = "",
    address: str = "",
    notes: str = "",
    is_active: bool = True,
) -> ServiceProvider:
    """Add a provider and the services it offers."""
    name = _check_fields(name, categories)
    provider = ServiceProvider(
        name=name,
        phone=phone.strip(),
        email=email.strip(),
        address=address.strip(),
        notes=notes.strip(),
        is_active=is_active,
        categories=[ProviderCategory(category=c) for c in dict.fromkeys(categories)],
    )
    db.session.add(provider)
    db.session.flush()
    record_event(actor, "create", "provider", provider.id)
    return provider


def update_provider(
    actor: User,
    provider: ServiceProvider,
    *,
    name: str,
    categories: list[str],
    phone: str = "",
    email: str = "",
    address: str = "",
    notes: str = "",
    is_active: bool = True,
) -> ServiceProvider:
    """Change a provider's details and services."""
    name = _check_fields(name, categories, exclude_id=provider.id)
    # One UPDATE per save: no autoflush half-way, or the version would climb twice.
    with db.session.no_autoflush:
        provider.name = name
        provider.phone, provider.email = phone.strip(), email.strip()
        provider.address, provider.notes = address.strip(), notes.strip()
        provider.is_active = is_active
        wanted = set(categories)
        for row in list(provider.categories):
            if row.category not in wanted:
                provider.categories.remove(row)
        have = {row.category for row in provider.categories}
        for category in dict.fromkeys(categories):
            if category not in have:
                provider.categories.append(ProviderCategory(category=category))
        # Always touch the row, so a change to the services alone still bumps the version.
        provider.updated_at = utcnow()
    db.session.flush()
    record_event(actor, "update", "provider", provider.id)
    return provider
