"""Program settings pages, for the program's managers."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from caseflow.auth.fresh import is_fresh, reauth_redirect
from caseflow.cases.intake import active_criteria
from caseflow.cases.services import program_referral_sources
from caseflow.conflicts import save_edit
from caseflow.extensions import db
from caseflow.forms_common import ActionForm
from caseflow.models import Program, ProgramCriterion
from caseflow.models.choices import REFERRAL_SOURCES, label_of
from caseflow.permissions import role_in
from caseflow.programs.forms import CriterionForm, ProgramSettingsForm, PurgeForm
from caseflow.programs.services import add_criterion, set_criterion_active, update_settings
from caseflow.retention.purge import (
    PurgeError,
    execute_purge,
    last_purge_at,
    plan_purge,
    scrub_freed_space,
)
from caseflow.submissions import commit_once

bp = Blueprint("programs", __name__, url_prefix="/programs")


def _managed_program_or_404(program_id: int) -> Program:
    """Managers only; everyone else gets 404, so the page does not confirm what it configures."""
    program = db.session.get(Program, program_id)
    if program is None or program.deleted_at is not None or role_in(current_user, program_id) != "manager":
        abort(404)
    return program


def _all_criteria(program: Program) -> list[ProgramCriterion]:
    return list(
        db.session.execute(
            select(ProgramCriterion)
            .where(ProgramCriterion.program_id == program.id, ProgramCriterion.deleted_at.is_(None))
            .order_by(ProgramCriterion.position, ProgramCriterion.id)
        ).scalars()
    )


def _render(program, form, criterion_form, status=200):
    return (
        render_template(
            "programs/settings.html",
            program=program,
            form=form,
            criterion_form=criterion_form,
            criteria=_all_criteria(program),
            active_count=len(active_criteria(program.id)),
            action_form=ActionForm(),
        ),
        status,
    )


def _shown(value) -> str:
    """A setting as the conflict page shows it; an empty retention (keep forever) shows empty."""
    return "" if value is None else str(value)


def _settings_conflict_fields(form, program, fields: dict) -> list[tuple[str, str, str]]:
    current_sources = ", ".join(label_of(REFERRAL_SOURCES, s) for s in program_referral_sources(program))
    typed_sources = ", ".join(label_of(REFERRAL_SOURCES, s) for s in form.referral_sources.data or [])
    rows = [(form[name].label.text, _shown(value), _shown(getattr(program, name))) for name, value in fields.items()]
    return [*rows, ("Referral sources", typed_sources, current_sources)]


@bp.route("/<int:program_id>/settings", methods=["GET", "POST"])
def settings(program_id: int):
    program = _managed_program_or_404(program_id)
    if request.method == "GET":
        form = ProgramSettingsForm(
            obj=program, version=str(program.version), referral_sources=program_referral_sources(program)
        )
        return _render(program, form, CriterionForm(formdata=None))
    form = ProgramSettingsForm()
    if form.validate_on_submit():
        fields = {
            "eligibility_threshold": form.eligibility_threshold.data,
            "contact_frequency_days": form.contact_frequency_days.data,
            "caseload_target": form.caseload_target.data,
            "workers_see_own_caseload_only": form.workers_see_own_caseload_only.data,
            "retention_years": form.retention_years.data,
        }
        response = save_edit(
            program,
            form,
            lambda: update_settings(current_user, program, referral_sources=form.referral_sources.data or [], **fields),
            audit_type=None,  # program settings hold no participant data
            conflict_fields=lambda: _settings_conflict_fields(form, program, fields),
            form_template="programs/_settings_form.html",
            program=program,
            action=url_for("programs.settings", program_id=program.id),
        )
        if response is not None:
            return response
        flash("Settings saved.", "success")
        return redirect(url_for("programs.settings", program_id=program.id))
    return _render(program, form, CriterionForm(formdata=None))


@bp.route("/<int:program_id>/criteria", methods=["POST"])
def add_criterion_view(program_id: int):
    program = _managed_program_or_404(program_id)
    criterion_form = CriterionForm()
    if criterion_form.validate_on_submit():
        _, created = commit_once(
            current_user,
            criterion_form.submission_token.data,
            "criterion",
            lambda: add_criterion(current_user, program, criterion_form.text.data),
        )
        flash("Criterion added." if created else "That criterion was already added.", "success")
        return redirect(url_for("programs.settings", program_id=program.id))
    form = ProgramSettingsForm(
        formdata=None, obj=program, version=str(program.version), referral_sources=program_referral_sources(program)
    )
    return _render(program, form, criterion_form)


@bp.route("/criteria/<int:criterion_id>/active", methods=["POST"])
def toggle_criterion(criterion_id: int):
    criterion = db.session.get(ProgramCriterion, criterion_id)
    if criterion is None:
        abort(404)
    program = _managed_program_or_404(criterion.program_id)
    if ActionForm().validate_on_submit():
        set_criterion_active(current_user, criterion, not criterion.is_active)
        db.session.commit()
        flash("Criterion updated.", "success")
    return redirect(url_for("programs.settings", program_id=program.id))


@bp.route("/<int:program_id>/purge", methods=["GET", "POST"])
def purge(program_id: int):
    """Retention purge (S26): counts only, a typed confirmation, and a recent password (S13)."""
    program = _managed_program_or_404(program_id)
    if not is_fresh():
        # Checked after the 404, so the prompt never confirms the program to a non-manager.
        return reauth_redirect("programs.purge", program_id=program.id)
    context = {"program": program, "last_purge_at": last_purge_at(program)}
    if program.retention_years is None:
        return render_template("programs/purge.html", plan=None, form=None, problem=None, **context)
    try:
        plan = plan_purge(program)
    except PurgeError as exc:
        return render_template("programs/purge.html", plan=None, form=None, problem=str(exc), **context)
    form = PurgeForm()
    if request.method == "GET":
        form.expected.data = plan.summary()
    elif form.validate_on_submit():
        if form.confirm_name.data.strip() != program.name:
            form.confirm_name.errors.append("That is not this program's name; type it exactly as shown above.")
        elif form.expected.data != plan.summary():
            # Something ended or was deleted (or restored) since the page was read: confirm the new counts.
            form.expected.data = plan.summary()
            flash("The counts changed since the page was loaded. Nothing was deleted; check them and confirm again.")
        elif plan.is_empty:
            flash("There is nothing to purge.", "info")
            return redirect(url_for("programs.purge", program_id=program.id))
        else:
            execute_purge(current_user, program, plan)
            db.session.commit()
            scrub_freed_space()
            flash(
                f"Purged {len(plan.ended_cases)} ended case(s), {plan.deleted_count} deleted record(s) and "
                f"{len(plan.participants)} person record(s): {plan.total_rows} rows in all.",
                "success",
            )
            return redirect(url_for("programs.purge", program_id=program.id))
    return render_template("programs/purge.html", plan=plan, form=form, problem=None, **context)
