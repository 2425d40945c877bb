"""Referral pages: make one (behind the consent gate), follow it to a close, list the overdue ones."""

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from caseflow.audit.rendering import render_and_commit, render_form_page
from caseflow.audit.services import record_event
from caseflow.conflicts import EditConflict, check_version, commit_edit, conflict_page
from caseflow.extensions import db
from caseflow.forms_common import blank_choice
from caseflow.models import Consent, Referral, ReferralStatusChange, ServiceProvider, User
from caseflow.models.choices import REFERRAL_STATUSES, label_of
from caseflow.permissions import get_case_or_404, get_child_or_404, require_member
from caseflow.providers.services import active_providers, service_labels
from caseflow.referrals.forms import ActionForm, ReferralForm, StatusForm
from caseflow.referrals.services import (
    ConsentRequired,
    ReferralRuleError,
    allowed_statuses,
    change_referral_status,
    days_to_connection,
    last_change_on,
    make_referral,
    overdue_referrals_query,
)
from caseflow.softdelete import soft_delete
from caseflow.submissions import commit_once
from caseflow.timezones import local_today

bp = Blueprint("referrals", __name__)


def _provider_choices(form: ReferralForm) -> None:
    """Active providers, each labelled with the services it offers so the worker can pick a match."""
    form.provider_id.choices = [("", "— choose —")] + [
        (p.id, f"{p.name} ({', '.join(service_labels(p))})") for p in active_providers()
    ]


@bp.route("/cases/<int:case_id>/referrals/new", methods=["GET", "POST"])
def new(case_id: int):
    case = get_case_or_404(current_user, case_id)
    require_member(current_user, case.program_id)
    form = ReferralForm()
    _provider_choices(form)
    blocked = None
    if form.validate_on_submit():
        provider = db.session.get(ServiceProvider, form.provider_id.data)
        try:
            referral_id, created = commit_once(
                current_user,
                form.submission_token.data,
                "referral",
                lambda: make_referral(
                    current_user,
                    case,
                    service_category=form.service_category.data,
                    provider=provider,
                    referred_on=form.referred_on.data,
                    due_on=form.due_on.data,
                    is_anonymous=bool(form.is_anonymous.data),
                    notes=form.notes.data or "",
                ),
            )
        except ConsentRequired as exc:
            # Nothing is saved; the form comes back as typed, with the way forward.
            db.session.rollback()
            blocked = {
                "message": str(exc),
                "consent_url": url_for(
                    "consents.new", participant_id=case.participant_id, provider_id=exc.provider.id, case_id=case.id
                ),
            }
        except ReferralRuleError as exc:
            db.session.rollback()
            form.provider_id.errors.append(str(exc))
        else:
            flash("Referral saved." if created else "This referral was already saved.", "success")
            return redirect(url_for("referrals.show", referral_id=referral_id))
    return render_form_page("referrals/new.html", "case", case.id, form=form, case=case, blocked=blocked)


def _choices(referral: Referral) -> list[tuple[str, str]]:
    """The allowed next steps, after an empty option so a careless tap on a phone records nothing."""
    allowed = allowed_statuses(referral)
    return blank_choice(allowed) if allowed else []


def _status_form(referral: Referral, form: StatusForm | None = None) -> StatusForm:
    form = form or StatusForm()
    form.status.choices = _choices(referral)
    if request.method == "GET":
        form.version.data = str(referral.version)
    return form


def _render_show(referral: Referral, form: StatusForm, status: int = 200):
    """The referral page, audited as a view of the referral."""
    history = list(
        db.session.execute(
            select(ReferralStatusChange, User.full_name)
            .outerjoin(User, User.id == ReferralStatusChange.changed_by_id)
            .where(ReferralStatusChange.referral_id == referral.id)
            .order_by(ReferralStatusChange.changed_on, ReferralStatusChange.id)
        ).all()
    )
    consent = db.session.get(Consent, referral.consent_id) if referral.consent_id else None
    record_event(current_user, "view", "referral", referral.id)
    html = render_and_commit(
        "referrals/show.html",
        referral=referral,
        case=referral.case,
        history=history,
        consent=consent,
        form=form,
        delete_form=ActionForm(),
        statuses=REFERRAL_STATUSES,
        days_to_connection=days_to_connection(referral),
        is_overdue=referral.is_overdue(local_today()),
    )
    return html, status


@bp.route("/referrals/<int:referral_id>")
def show(referral_id: int):
    referral = get_child_or_404(current_user, Referral, referral_id)
    return _render_show(referral, _status_form(referral))


def _conflict_fields(form: StatusForm, referral: Referral) -> list[tuple[str, str, str]]:
    return [
        ("Status", label_of(REFERRAL_STATUSES, form.status.data), referral.status_label),
        ("Date of the change", form.changed_on.data.strftime("%d %b %Y"), f"{last_change_on(referral):%d %b %Y}"),
    ]


@bp.route("/referrals/<int:referral_id>/status", methods=["POST"])
def change_status(referral_id: int):
    referral = get_child_or_404(current_user, Referral, referral_id)
    require_member(current_user, referral.case.program_id)
    form = _status_form(referral)
    if not form.validate_on_submit():
        return _render_show(referral, form)
    try:
        check_version(referral, form.version.data)
        change_referral_status(current_user, referral, form.status.data, on=form.changed_on.data)
        commit_edit()
    except (EditConflict, StaleDataError):
        # Someone moved this referral since the page was loaded: show both, keep what was chosen.
        db.session.rollback()
        db.session.refresh(referral)
        form.status.choices = _choices(referral)
        return conflict_page(
            form,
            referral,
            _conflict_fields(form, referral),
            form_template="referrals/_status_form.html",
            referral=referral,
        )
    except ReferralRuleError as exc:
        db.session.rollback()
        form.status.errors.append(str(exc))
        return _render_show(referral, form)
    flash(f"Referral is now {referral.status_label.lower()}.", "success")
    return redirect(url_for("referrals.show", referral_id=referral.id))


@bp.route("/referrals/<int:referral_id>/delete", methods=["POST"])
def delete(referral_id: int):
    referral = get_child_or_404(current_user, Referral, referral_id)
    case_id = referral.case_id
    require_member(current_user, referral.case.program_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("referrals.show", referral_id=referral.id))
    soft_delete(current_user, referral, "referral")
    db.session.commit()
    flash("Referral deleted. A supervisor can restore it.", "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/referrals/overdue")
def overdue():
    today = local_today()
    page = db.paginate(
        overdue_referrals_query(current_user, today),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    if page.items:
        record_event(
            current_user, "list", "referral", record_ids=[r.id for r in page.items], detail="overdue referrals"
        )
    return render_and_commit("referrals/overdue.html", page=page, today=today)
