"""HVIP module pages: injury intake and the funnel, compensation claims, the case's HVIP summary.

Everything here is for members of an HVIP program; anyone else gets 404, so nothing leaks.
"""

from datetime import date, timedelta
from decimal import Decimal

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from caseflow.audit.rendering import render_and_commit
from caseflow.audit.services import record_event
from caseflow.conflicts import save_edit
from caseflow.extensions import db
from caseflow.hvip.forms import ClaimEditForm, ClaimForm, InjuryEditForm, InjuryForm
from caseflow.hvip.queries import funnel_counts
from caseflow.hvip.services import (
    HvipRuleError,
    case_claims,
    case_injuries,
    dollars_to_cents,
    edit_claim,
    edit_injury,
    follow_up_schedule,
    record_claim,
    record_injury,
)
from caseflow.models import Case, CompensationClaim, Injury, Program
from caseflow.models.choices import GENDERS, label_of
from caseflow.models.hvip import CARE_LEVELS, COMPENSATION_STATUSES, FUNNEL_STAGES, INJURY_MECHANISMS
from caseflow.permissions import (
    case_scope,
    get_case_or_404,
    get_child_or_404,
    get_module_case_or_404,
    get_module_program_or_404,
    get_module_record_or_404,
)
from caseflow.submissions import commit_once
from caseflow.timezones import local_today, to_local, to_utc

bp = Blueprint("hvip", __name__)

FUNNEL_DAYS = 90
HIDDEN = "(hidden)"


# --- loading with scope -------------------------------------------------------------------


def _program_or_404(program_id: int) -> Program:
    return get_module_program_or_404(current_user, program_id, "hvip")


def _case_or_404(case_id: int) -> Case:
    return get_module_case_or_404(current_user, case_id, "hvip")


def _injury_or_404(injury_id: int) -> Injury:
    """A live injury of an HVIP program the user belongs to; a linked case must be in their scope too."""
    injury = get_module_record_or_404(current_user, Injury, injury_id, "hvip")
    if injury.case_id is not None:
        # Caseload-only programs: the linked person is as private as their case.
        get_case_or_404(current_user, injury.case_id)
    return injury


def _claim_or_404(claim_id: int) -> CompensationClaim:
    claim = get_child_or_404(current_user, CompensationClaim, claim_id)
    _case_or_404(claim.case_id)
    return claim


# --- injuries -----------------------------------------------------------------------------


def _date_arg(name: str, default: date) -> date:
    return request.args.get(name, default, type=date.fromisoformat)


@bp.route("/hvip/<int:program_id>/injuries")
def injuries(program_id: int):
    program = _program_or_404(program_id)
    end = _date_arg("end", local_today())
    start = _date_arg("start", end - timedelta(days=FUNNEL_DAYS))
    if start > end:
        start, end = end, start
    stage = request.args.get("stage", "")
    if stage not in dict(FUNNEL_STAGES):
        stage = ""
    stmt = (
        select(Injury)
        .outerjoin(Case, Case.id == Injury.case_id)
        .where(
            Injury.program_id == program.id,
            Injury.deleted_at.is_(None),
            or_(Injury.case_id.is_(None), Case.deleted_at.is_(None)),
        )
        .options(selectinload(Injury.participant))
        .order_by(Injury.arrived_at.desc(), Injury.id.desc())
    )
    if stage:
        stmt = stmt.where(Injury.funnel_stage == stage)
    page = db.paginate(
        stmt, page=request.args.get("page", 1, type=int), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    # Names show only for cases in the user's own scope (caseload-only programs hide the rest).
    case_ids = {i.case_id for i in page.items if i.case_id}
    visible = (
        set(db.session.execute(select(Case.id).where(Case.id.in_(case_ids), case_scope(current_user))).scalars())
        if case_ids
        else set()
    )
    shown = sorted({i.participant_id for i in page.items if i.case_id in visible})
    record_event(
        current_user,
        "list",
        "participant",
        record_ids=shown,
        detail=f"hvip injuries program {program.id} ({len(page.items)} injuries)",
    )
    return render_and_commit(
        "hvip/injuries.html",
        program=program,
        page=page,
        visible_cases=visible,
        funnel=funnel_counts(program.id, start, end),
        start=start,
        end=end,
        stage=stage,
        stages=FUNNEL_STAGES,
    )


def _injury_fields(form) -> dict:
    fields = dict(
        injured_at=to_utc(form.injured_at.data),
        arrived_at=to_utc(form.arrived_at.data),
        first_bedside_at=to_utc(form.first_bedside_at.data) if form.first_bedside_at.data else None,
        mechanism=form.mechanism.data,
        hospital=form.hospital.data or "",
        care_level=form.care_level.data,
        funnel_stage=form.funnel_stage.data,
        funnel_reason=form.funnel_reason.data or "",
        discharged_on=form.discharged_on.data,
        discharge_plan=form.discharge_plan.data or "",
        medical_record_number=form.medical_record_number.data or "",
    )
    if form.patient_age is not None:
        fields.update(patient_age=form.patient_age.data, patient_gender=form.patient_gender.data or "")
    return fields


def _drop_demographics(form) -> None:
    """An enrolled person's demographics live on their record, not on the injury."""
    del form.patient_age
    del form.patient_gender


def _save_new_injury(form, program: Program, case: Case | None):
    """The shared POST half of both intake pages; returns a redirect or None to re-render."""
    try:
        injury_id, created = commit_once(
            current_user,
            form.submission_token.data,
            "injury",
            lambda: record_injury(current_user, program, case=case, **_injury_fields(form)),
        )
    except HvipRuleError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return None
    flash("Injury saved." if created else "That injury was already saved.", "success")
    return redirect(url_for("hvip.injury", injury_id=injury_id))


@bp.route("/hvip/<int:program_id>/injuries/new", methods=["GET", "POST"])
def new_injury(program_id: int):
    program = _program_or_404(program_id)
    form = InjuryForm()
    if request.method == "GET":
        form.hospital.data = program.organisation or program.name
    if form.validate_on_submit():
        response = _save_new_injury(form, program, None)
        if response is not None:
            return response
    return render_template(
        "hvip/new_injury.html",
        form=form,
        program=program,
        case=None,
        action=url_for("hvip.new_injury", program_id=program.id),
        cancel=url_for("hvip.injuries", program_id=program.id),
    )


@bp.route("/cases/<int:case_id>/injuries/new", methods=["GET", "POST"])
def new_case_injury(case_id: int):
    case = _case_or_404(case_id)
    form = InjuryForm()
    _drop_demographics(form)
    if request.method == "GET":
        form.hospital.data = case.program.organisation or case.program.name
        form.funnel_stage.data = "enrolled"
    if form.validate_on_submit():
        response = _save_new_injury(form, case.program, case)
        if response is not None:
            return response
    # The form shows the participant's name: the page view is audited like the case page.
    record_event(current_user, "view", "case", case.id, detail="hvip injury form")
    return render_and_commit(
        "hvip/new_injury.html",
        form=form,
        program=case.program,
        case=case,
        action=url_for("hvip.new_case_injury", case_id=case.id),
        cancel=url_for("hvip.case_hvip", case_id=case.id),
    )


@bp.route("/injuries/<int:injury_id>")
def injury(injury_id: int):
    record = _injury_or_404(injury_id)
    record_event(current_user, "view", "injury", record.id)
    return render_and_commit(
        "hvip/injury.html",
        injury=record,
        program=db.session.get(Program, record.program_id),
        gender_label=label_of(GENDERS, record.patient_gender) if record.patient_gender else "",
    )


def _local_text(value) -> str:
    return value.strftime("%d %b %Y, %H:%M") if value else ""


def _injury_conflict_fields(form, injury: Injury) -> list[tuple[str, str, str]]:
    rows = [
        ("Injured at", _local_text(form.injured_at.data), _local_text(to_local(injury.injured_at))),
        ("Arrived at hospital", _local_text(form.arrived_at.data), _local_text(to_local(injury.arrived_at))),
        (
            "First bedside contact",
            _local_text(form.first_bedside_at.data),
            _local_text(to_local(injury.first_bedside_at)),
        ),
        ("Mechanism", label_of(INJURY_MECHANISMS, form.mechanism.data), injury.mechanism_label),
        ("Hospital", form.hospital.data or "", injury.hospital),
        ("Level of care", label_of(CARE_LEVELS, form.care_level.data), injury.care_level_label),
        ("Funnel stage", label_of(FUNNEL_STAGES, form.funnel_stage.data), injury.funnel_label),
        ("Reason", form.funnel_reason.data or "", injury.funnel_reason),
        (
            "Discharge date",
            form.discharged_on.data.strftime("%d %b %Y") if form.discharged_on.data else "",
            injury.discharged_on.strftime("%d %b %Y") if injury.discharged_on else "",
        ),
        ("Discharge plan", form.discharge_plan.data or "", injury.discharge_plan),
        # The MRN stays in the form but never in the comparison table.
        ("Medical record number", HIDDEN, HIDDEN),
    ]
    if form.patient_age is not None:
        rows += [
            ("Patient age", str(form.patient_age.data or ""), str(injury.patient_age or "")),
            (
                "Patient gender",
                label_of(GENDERS, form.patient_gender.data) if form.patient_gender.data else "",
                label_of(GENDERS, injury.patient_gender) if injury.patient_gender else "",
            ),
        ]
    return rows


@bp.route("/injuries/<int:injury_id>/edit", methods=["GET", "POST"], endpoint="edit_injury")
def edit_injury_view(injury_id: int):
    record = _injury_or_404(injury_id)
    context = dict(
        injury=record,
        program=db.session.get(Program, record.program_id),
        case=record.case,
        action=url_for("hvip.edit_injury", injury_id=record.id),
        cancel=url_for("hvip.injury", injury_id=record.id),
    )
    if request.method == "GET":
        form = InjuryEditForm(
            obj=record,
            injured_at=to_local(record.injured_at),
            arrived_at=to_local(record.arrived_at),
            first_bedside_at=to_local(record.first_bedside_at),
            version=str(record.version),
        )
        if record.participant_id is not None:
            _drop_demographics(form)
        record_event(current_user, "view", "injury", record.id)
        return render_and_commit("hvip/edit_injury.html", form=form, **context)
    form = InjuryEditForm()
    if record.participant_id is not None:
        _drop_demographics(form)
    if form.validate_on_submit():
        try:
            response = save_edit(
                record,
                form,
                lambda: edit_injury(current_user, record, **_injury_fields(form)),
                audit_type="injury",
                conflict_fields=lambda: _injury_conflict_fields(form, record),
                form_template="hvip/_injury_form.html",
                **context,
            )
        except HvipRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            if response is not None:
                return response
            flash("Injury updated.", "success")
            return redirect(url_for("hvip.injury", injury_id=record.id))
    return render_template("hvip/edit_injury.html", form=form, **context)


# --- compensation claims and the case's HVIP page ------------------------------------------


def _claim_fields(form) -> dict:
    return dict(
        applied_on=form.applied_on.data,
        status=form.status.data,
        decided_on=form.decided_on.data,
        amount_cents=dollars_to_cents(form.amount.data),
        notes=form.notes.data or "",
    )


def _money(cents: int | None) -> str:
    return "" if cents is None else f"${cents / 100:,.2f}"


@bp.route("/cases/<int:case_id>/compensation/new", methods=["GET", "POST"])
def new_claim(case_id: int):
    case = _case_or_404(case_id)
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            _, created = commit_once(
                current_user,
                form.submission_token.data,
                "compensation_claim",
                lambda: record_claim(current_user, case, **_claim_fields(form)),
            )
        except HvipRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash("Claim saved." if created else "That claim was already saved.", "success")
            return redirect(url_for("hvip.case_hvip", case_id=case.id))
    record_event(current_user, "view", "case", case.id, detail="hvip claim form")
    return render_and_commit(
        "hvip/new_claim.html",
        form=form,
        case=case,
        action=url_for("hvip.new_claim", case_id=case.id),
        cancel=url_for("hvip.case_hvip", case_id=case.id),
    )


def _claim_conflict_fields(form, claim: CompensationClaim) -> list[tuple[str, str, str]]:
    return [
        (
            "Applied on",
            form.applied_on.data.strftime("%d %b %Y") if form.applied_on.data else "",
            claim.applied_on.strftime("%d %b %Y"),
        ),
        ("Status", label_of(COMPENSATION_STATUSES, form.status.data), claim.status_label),
        (
            "Decided on",
            form.decided_on.data.strftime("%d %b %Y") if form.decided_on.data else "",
            claim.decided_on.strftime("%d %b %Y") if claim.decided_on else "",
        ),
        ("Amount", _money(dollars_to_cents(form.amount.data)), _money(claim.amount_cents)),
        ("Notes", form.notes.data or "", claim.notes),
    ]


@bp.route("/compensation/<int:claim_id>/edit", methods=["GET", "POST"], endpoint="edit_claim")
def edit_claim_view(claim_id: int):
    claim = _claim_or_404(claim_id)
    case = db.session.get(Case, claim.case_id)
    context = dict(
        claim=claim,
        case=case,
        action=url_for("hvip.edit_claim", claim_id=claim.id),
        cancel=url_for("hvip.case_hvip", case_id=case.id),
    )
    if request.method == "GET":
        amount = None if claim.amount_cents is None else Decimal(claim.amount_cents) / 100
        form = ClaimEditForm(obj=claim, amount=amount, version=str(claim.version))
        record_event(current_user, "view", "compensation_claim", claim.id)
        return render_and_commit("hvip/edit_claim.html", form=form, **context)
    form = ClaimEditForm()
    if form.validate_on_submit():
        try:
            response = save_edit(
                claim,
                form,
                lambda: edit_claim(current_user, claim, **_claim_fields(form)),
                audit_type="compensation_claim",
                conflict_fields=lambda: _claim_conflict_fields(form, claim),
                form_template="hvip/_claim_form.html",
                **context,
            )
        except HvipRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            if response is not None:
                return response
            flash("Claim updated.", "success")
            return redirect(url_for("hvip.case_hvip", case_id=case.id))
    return render_template("hvip/edit_claim.html", form=form, **context)


@bp.route("/cases/<int:case_id>/hvip")
def case_hvip(case_id: int):
    case = _case_or_404(case_id)
    injuries_ = case_injuries(case)
    claims = case_claims(case)
    record_event(current_user, "view", "case", case.id, detail="hvip summary")
    return render_and_commit(
        "hvip/case_hvip.html",
        case=case,
        injuries=injuries_,
        claims=[(c, _money(c.amount_cents)) for c in claims],
        follow_ups=follow_up_schedule(case),
        today=local_today(),
    )
