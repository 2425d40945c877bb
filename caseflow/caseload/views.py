"""Caseload review pages: the supervisor's per-worker table and its drill-down, bulk reassignment, alerts.

Review, drill-down and bulk reassignment are for supervisors and managers of the program; anyone else gets
404 (a worker of the program gets 403 on bulk reassignment, which they can know exists). Alerts are for any
casework member.
"""

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from caseflow.audit.rendering import render_and_commit
from caseflow.audit.services import record_event
from caseflow.caseload.alerts import alerts_for
from caseflow.caseload.queries import HIGH_RISK_CONTACT_DAYS, REVIEW_CONTACT_DAYS, STALE_DAYS
from caseflow.caseload.review import (
    MEASURE_LABELS,
    UNASSIGNED,
    case_holders,
    caseload_review,
    measure_cases,
    open_cases_of,
    reassign_cases,
)
from caseflow.cases.services import CaseRuleError
from caseflow.extensions import db
from caseflow.forms_common import MultiCheckboxField, optional_int
from caseflow.models import Case, Program, ProgramMembership, User
from caseflow.models.choices import CASEWORK_ROLES
from caseflow.participants.merge import pending_merge_requests
from caseflow.permissions import SUPERVISING_ROLES, programs_for, role_in, supervises
from caseflow.timezones import local_today

bp = Blueprint("caseload", __name__)


class BulkReassignForm(FlaskForm):
    """Move several of one worker's open cases to another member of the program at once."""

    # Choices are the "from" worker's open cases, but not enforced here: the service refuses, all or nothing,
    # any id that is not an open case of the program in scope, with a message that says so.
    case_ids = MultiCheckboxField("Cases to move", coerce=int, validate_choice=False)
    to_worker_id = SelectField("New worker", coerce=optional_int)
    note = StringField("Reason (optional)", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Reassign selected cases")

    def validate_to_worker_id(self, field):
        if field.data is None:
            raise ValidationError("Choose the new worker.")


def _supervised_program_or_404(program_id: int) -> Program:
    """A live program the user supervises or manages; anything else is 404 so nothing leaks."""
    program = db.session.get(Program, program_id)
    if program is None or program.deleted_at is not None or not supervises(current_user, program.id):
        abort(404)
    return program


def _casework_members(program_id: int) -> list[tuple[int, str]]:
    """Active users with a casework role in the program: who may receive its cases."""
    return [
        (row.id, row.full_name)
        for row in db.session.execute(
            select(User.id, User.full_name)
            .join(ProgramMembership, ProgramMembership.user_id == User.id)
            .where(
                ProgramMembership.program_id == program_id,
                ProgramMembership.role.in_(CASEWORK_ROLES),
                ProgramMembership.deleted_at.is_(None),
                User.is_active.is_(True),
            )
            .order_by(User.full_name, User.id)
        )
    ]


@bp.route("/caseload/review")
def review():
    programs = programs_for(current_user, SUPERVISING_ROLES)
    if not programs:
        abort(404)
    program_id = request.args.get("program_id", type=int)
    chosen = programs
    if program_id is not None:
        chosen = [p for p in programs if p.id == program_id]
        if not chosen:
            abort(404)
    # Counts and staff names only, no participant data: nothing to audit.
    return render_and_commit(
        "caseload/review.html",
        reviews=caseload_review(current_user, local_today(), chosen),
        programs=programs,
        program_id=program_id if program_id is not None and len(programs) > 1 else None,
        labels=MEASURE_LABELS,
        contact_days=REVIEW_CONTACT_DAYS,
        high_risk_days=HIGH_RISK_CONTACT_DAYS,
        stale_days=STALE_DAYS,
    )


@bp.route("/caseload/review/<int:program_id>/cases")
def cases(program_id: int):
    program = _supervised_program_or_404(program_id)
    measure = request.args.get("measure", "")
    if measure not in MEASURE_LABELS:
        abort(404)
    worker_arg = request.args.get("worker_id", "")
    worker: int | str | None
    worker_name = "All workers"
    if worker_arg == "":
        worker = None
    elif worker_arg == UNASSIGNED:
        worker, worker_name = UNASSIGNED, "Unassigned"
    elif worker_arg.isdigit():
        worker = int(worker_arg)
        # Only someone who is or was in the program, or holds its cases: the page never names other staff.
        worker_name = db.session.execute(
            select(User.full_name).where(
                User.id == worker,
                or_(
                    User.id.in_(select(ProgramMembership.user_id).where(ProgramMembership.program_id == program.id)),
                    User.id.in_(select(Case.assigned_worker_id).where(Case.program_id == program.id)),
                ),
            )
        ).scalar_one_or_none()
        if worker_name is None:
            abort(404)
    else:
        abort(404)
    page = measure_cases(
        current_user,
        local_today(),
        program.id,
        worker,
        measure,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    if page.items:
        record_event(
            current_user,
            "list",
            "case",
            record_ids=[row.case_id for row in page.items],
            detail=f"caseload review program {program.id}: {measure}",
        )
    return render_and_commit(
        "caseload/cases.html",
        program=program,
        page=page,
        measure=measure,
        measure_label=MEASURE_LABELS[measure],
        worker_arg=worker_arg or None,
        worker_name=worker_name,
    )


@bp.route("/caseload/<int:program_id>/reassign", methods=["GET", "POST"])
def bulk_reassign(program_id: int):
    program = db.session.get(Program, program_id)
    if program is None or program.deleted_at is not None:
        abort(404)
    role = role_in(current_user, program.id)
    if role is None:
        abort(404)
    if role not in SUPERVISING_ROLES:
        abort(403)
    members = _casework_members(program.id)
    from_choices = dict(members) | dict(case_holders(program.id))
    from_arg = request.args.get("from", "")
    from_id: int | None = None
    if from_arg == UNASSIGNED:
        from_name = "Unassigned"
    elif from_arg.isdigit() and int(from_arg) in from_choices:
        from_id = int(from_arg)
        from_name = from_choices[from_id]
    elif from_arg == "":
        from_name = ""
    else:
        abort(404)
    chosen = bool(from_name)
    open_cases = open_cases_of(current_user, program.id, from_id) if chosen else []
    form = BulkReassignForm()
    form.case_ids.choices = [(c.case_id, f"{c.name} · {c.status_label} · risk: {c.risk_label}") for c in open_cases]
    form.to_worker_id.choices = [("", "— choose —")] + [(uid, name) for uid, name in members if uid != from_id]
    if chosen and form.validate_on_submit():
        to_name = dict(members)[form.to_worker_id.data]
        try:
            moved = reassign_cases(
                current_user,
                program,
                form.case_ids.data or [],
                from_id,
                db.session.get(User, form.to_worker_id.data),
                form.note.data or "",
            )
        except CaseRuleError as exc:
            db.session.rollback()
            form.case_ids.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{moved} case{'' if moved == 1 else 's'} reassigned to {to_name}.", "success")
            return redirect(url_for("caseload.review", program_id=program.id))
    if open_cases:
        record_event(
            current_user,
            "list",
            "case",
            record_ids=[c.case_id for c in open_cases],
            detail=f"bulk reassignment program {program.id}",
        )
    return render_and_commit(
        "caseload/bulk_reassign.html",
        program=program,
        form=form,
        from_choices=sorted(from_choices.items(), key=lambda item: (item[1].lower(), item[0])),
        from_arg=from_arg,
        from_name=from_name,
        open_cases=open_cases,
    )


@bp.route("/alerts")
def alerts():
    if not programs_for(current_user):
        abort(404)
    data = alerts_for(current_user, local_today(), programs_for(current_user, SUPERVISING_ROLES))
    if data.case_ids:
        record_event(current_user, "list", "case", record_ids=data.case_ids, detail="alerts")
    # Duplicate reports are approvals too; pending_merge_requests() is empty for non-supervisors.
    duplicate_reports = len(pending_merge_requests(current_user)) if data.is_supervisor else 0
    return render_and_commit(
        "caseload/alerts.html", alerts=data, stale_days=STALE_DAYS, duplicate_reports=duplicate_reports
    )
