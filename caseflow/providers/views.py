"""Provider directory pages: anyone logged in browses; administrators add and edit."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from caseflow.conflicts import EditConflict, check_version, commit_edit, conflict_page
from caseflow.extensions import db
from caseflow.models import ServiceProvider
from caseflow.models.choices import SERVICE_CATEGORIES, label_of, values
from caseflow.permissions import admin_required
from caseflow.providers.forms import ProviderEditForm, ProviderForm
from caseflow.providers.services import (
    ProviderRuleError,
    create_provider,
    directory_query,
    service_labels,
    update_provider,
)
from caseflow.submissions import commit_once

bp = Blueprint("providers", __name__)

NAME_TAKEN = "A provider with that name is already in the directory."


def _fields(form) -> dict:
    return dict(
        name=form.name.data or "",
        categories=form.categories.data or [],
        phone=form.phone.data or "",
        email=form.email.data or "",
        address=form.address.data or "",
        notes=form.notes.data or "",
        is_active=bool(form.is_active.data),
    )


def _provider_or_404(provider_id: int) -> ServiceProvider:
    provider = db.session.get(ServiceProvider, provider_id)
    if provider is None or provider.deleted_at is not None:
        abort(404)
    return provider


@bp.route("/providers")
def index():
    category = request.args.get("category") or None
    if category not in values(SERVICE_CATEGORIES):
        category = None
    providers = db.session.execute(directory_query(include_inactive=current_user.is_admin, category=category)).scalars()
    return render_template(
        "providers/index.html",
        providers=list(providers),
        categories=SERVICE_CATEGORIES,
        category=category,
        category_label=label_of(SERVICE_CATEGORIES, category) if category else "",
        service_labels=service_labels,
    )


@bp.route("/providers/new", methods=["GET", "POST"])
@admin_required
def new():
    form = ProviderForm()
    if form.validate_on_submit():
        try:
            provider_id, created = commit_once(
                current_user,
                form.submission_token.data,
                "provider",
                lambda: create_provider(current_user, **_fields(form)),
            )
        except ProviderRuleError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        except IntegrityError:
            # Two administrators adding the same name at once: the unique index settles it.
            db.session.rollback()
            form.name.errors.append(NAME_TAKEN)
        else:
            flash("Provider added." if created else "This provider was already saved.", "success")
            return redirect(url_for("providers.index"))
    return render_template("providers/new.html", form=form)


def _conflict_fields(form, provider: ServiceProvider) -> list[tuple[str, str, str]]:
    def yes_no(flag) -> str:
        return "Yes" if flag else "No"

    def labels(categories) -> str:
        return ", ".join(label_of(SERVICE_CATEGORIES, c) for c in values(SERVICE_CATEGORIES) if c in set(categories))

    return [
        ("Name", form.name.data or "", provider.name),
        ("Services", labels(form.categories.data or []), labels(c.category for c in provider.categories)),
        ("Phone", form.phone.data or "", provider.phone),
        ("Email", form.email.data or "", provider.email),
        ("Address", form.address.data or "", provider.address),
        ("Notes", form.notes.data or "", provider.notes),
        ("Active", yes_no(form.is_active.data), yes_no(provider.is_active)),
    ]


@bp.route("/providers/<int:provider_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(provider_id: int):
    provider = _provider_or_404(provider_id)
    form = ProviderEditForm(obj=provider if request.method == "GET" else None)
    if request.method == "GET":
        form.categories.data = [c.category for c in provider.categories]
        form.version.data = str(provider.version)
    if form.validate_on_submit():
        try:
            check_version(provider, form.version.data)
            update_provider(current_user, provider, **_fields(form))
            commit_edit()
        except (EditConflict, StaleDataError):
            db.session.rollback()
            provider = _provider_or_404(provider_id)
            return conflict_page(
                form,
                provider,
                _conflict_fields(form, provider),
                form_template="providers/_form.html",
                provider=provider,
            )
        except ProviderRuleError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        except IntegrityError:
            db.session.rollback()
            form.name.errors.append(NAME_TAKEN)
        else:
            flash("Provider saved.", "success")
            return redirect(url_for("providers.index"))
    return render_template("providers/edit.html", form=form, provider=provider)
