"""Case pages: the case itself, contacts, screening, and moving the case along."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from caseflow import offline, softdelete
from caseflow.audit.rendering import render_and_commit, render_form_page
from caseflow.audit.services import record_event
from caseflow.cases import movement
from caseflow.cases.forms import (
    ClosureDecisionForm,
    ClosureRequestForm,
    ContactEditForm,
    ContactForm,
    HandoffForm,
    ReassignForm,
    ScreeningForm,
    StatusForm,
)
from caseflow.cases.intake import active_criteria, screen_case
from caseflow.cases.services import CaseRuleError, change_case_status, edit_contact, log_contact
from caseflow.cases.timeline import case_header, case_timeline, load_case
from caseflow.conflicts import save_edit
from caseflow.extensions import db
from caseflow.forms_common import ActionForm
from caseflow.models import Case, ClosureRequest, Contact, Program, ProgramMembership, User
from caseflow.models.choices import CONTACT_MODES, CONTACT_TYPES, label_of
from caseflow.permissions import (
    get_case_or_404,
    get_child_or_404,
    readable_case_or_404,
    require_member,
    require_supervisor,
    supervises,
)
from caseflow.softdelete import soft_delete
from caseflow.submissions import commit_once
from caseflow.timezones import local_today, to_local, to_utc

bp = Blueprint("cases", __name__)


def _program_members(program_id: int) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .join(ProgramMembership, ProgramMembership.user_id == User.id)
            .where(
                ProgramMembership.program_id == program_id,
                ProgramMembership.deleted_at.is_(None),
                User.is_active.is_(True),
            )
            .order_by(User.full_name)
        ).scalars()
    )


def page_supervises(user: User, case: Case) -> bool:
    """The case page's one role check (supervisor tools); the place to swap in the request's loaded memberships."""
    return supervises(user, case.program_id)


@bp.route("/cases/<int:case_id>")
def show(case_id: int):
    # The case with its person, program and worker in one statement; otherwise the break-glass path:
    # a grant opens this page read-only (S8), and every action on it still needs the case in scope.
    case, grant = load_case(current_user, case_id), None
    if case is None:
        case, grant = readable_case_or_404(current_user, case_id)
    timeline = case_timeline(case, page=request.args.get("page", 1, type=int))
    header = case_header(case, local_today())
    record_event(current_user, "view", "case", case.id, detail=f"break-glass grant {grant.id}" if grant else "")
    return render_and_commit(
        "cases/show.html",
        case=case,
        header=header,
        assessment_changes=header.assessment_changes,
        timeline=timeline,
        is_supervisor=grant is None and page_supervises(current_user, case),
        status_form=StatusForm(status="inactive" if case.status == "active" else "active"),
        action_form=ActionForm(),
        grant=grant,
    )


# --- contacts ---------------------------------------------------------------------------


def _contact_fields(form) -> dict:
    return dict(
        occurred_at=to_utc(form.occurred_at.data),
        mode=form.mode.data,
        contact_type=form.contact_type.data,
        duration_minutes=form.duration_minutes.data,
        is_completed=form.outcome.data == "completed",
        location_area=form.location_area.data or "",
        notes=form.notes.data or "",
    )


@bp.route("/cases/<int:case_id>/contacts/new", methods=["GET", "POST"])
def new_contact(case_id: int):
    case = get_case_or_404(current_user, case_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            _, created = commit_once(
                current_user,
                form.submission_token.data,
                "contact",
                lambda: log_contact(current_user, case, **_contact_fields(form)),
            )
        except CaseRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            return offline.saved(
                # case_id, not case.id: the commit expired the case, and reading it again costs a query.
                url_for("cases.show", case_id=case_id),
                "Contact saved." if created else "That contact was already saved.",
            )
    if request.method == "POST" and (answer := offline.not_saved(form)):
        return answer
    return render_form_page("cases/new_contact.html", "case", case.id, form=form, case=case)


def _contact_conflict_fields(form, contact: Contact) -> list[tuple[str, str, str]]:
    saved_at = to_local(contact.occurred_at)
    return [
        (
            "Date and time",
            form.occurred_at.data.strftime("%d %b %Y, %H:%M") if form.occurred_at.data else "",
            saved_at.strftime("%d %b %Y, %H:%M"),
        ),
        ("Mode", label_of(CONTACT_MODES, form.mode.data), contact.mode_label),
        ("Type", label_of(CONTACT_TYPES, form.contact_type.data), contact.type_label),
        (
            "Result",
            "Completed" if form.outcome.data == "completed" else "Attempted",
            "Completed" if contact.is_completed else "Attempted",
        ),
        ("Duration (minutes)", str(form.duration_minutes.data or ""), str(contact.duration_minutes or "")),
        ("Location area", form.location_area.data or "", contact.location_area),
        ("Note", form.notes.data or "", contact.notes),
    ]


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
def edit_contact_view(contact_id: int):
    contact = get_child_or_404(current_user, Contact, contact_id)
    require_member(current_user, contact.case.program_id)
    if request.method == "GET":
        form = ContactEditForm(obj=contact, outcome="completed" if contact.is_completed else "attempted")
        # obj= wins over keyword data in WTForms, so the wall-clock time is set after: never show UTC.
        form.occurred_at.data = to_local(contact.occurred_at)
        form.version.data = str(contact.version)
        record_event(current_user, "view", "contact", contact.id)
        return render_and_commit("cases/edit_contact.html", form=form, contact=contact, case=contact.case)
    form = ContactEditForm()
    if form.validate_on_submit():
        response = save_edit(
            contact,
            form,
            lambda: edit_contact(current_user, contact, **_contact_fields(form)),
            # The offline script gets a bare 409 (no saved values shown), so no view is audited for it.
            audit_type=None if offline.is_sync_request() else "contact",
            conflict_fields=lambda: _contact_conflict_fields(form, contact),
            form_template="cases/_contact_form.html",
            case=contact.case,
            contact=contact,
            action=url_for("cases.edit_contact_view", contact_id=contact.id),
        )
        if response is not None:
            return offline.conflict(response)
        return offline.saved(url_for("cases.show", case_id=contact.case_id), "Contact updated.")
    if answer := offline.not_saved(form):
        return answer
    return render_template("cases/edit_contact.html", form=form, contact=contact, case=contact.case)


@bp.route("/contacts/<int:contact_id>/delete", methods=["POST"])
def delete_contact(contact_id: int):
    contact = get_child_or_404(current_user, Contact, contact_id)
    require_member(current_user, contact.case.program_id)
    if ActionForm().validate_on_submit():
        soft_delete(current_user, contact, "contact")
        db.session.commit()
        flash("Contact deleted. A supervisor can restore it.", "success")
    return redirect(url_for("cases.show", case_id=contact.case_id))


# --- intake screen and status -----------------------------------------------------------


@bp.route("/cases/<int:case_id>/screen", methods=["GET", "POST"])
def screen(case_id: int):
    case = get_case_or_404(current_user, case_id)
    require_member(current_user, case.program_id)
    criteria = active_criteria(case.program_id)
    form = ScreeningForm()
    form.criteria.choices = [(c.id, c.text) for c in criteria]
    if form.validate_on_submit():
        try:
            screening = screen_case(
                current_user,
                case,
                met_criterion_ids=set(form.criteria.data or []),
                declined=form.declined.data,
                on=form.screened_on.data,
                notes=form.notes.data or "",
            )
        except CaseRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(
                {
                    "eligible": "Eligible: the case is now active.",
                    "ineligible": "Not eligible: the screen is kept and the case marked ineligible.",
                    "declined": "Declined: the screen is kept and the case marked declined.",
                }[screening.result],
                "success",
            )
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/screen.html", form=form, case=case, criteria=criteria)


@bp.route("/cases/<int:case_id>/status", methods=["POST"])
def change_status(case_id: int):
    case = get_case_or_404(current_user, case_id)
    require_member(current_user, case.program_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            change_case_status(current_user, case, form.status.data, on=local_today())
        except CaseRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"The case is now {case.status_label.lower()}.", "success")
    return redirect(url_for("cases.show", case_id=case.id))


# --- reassign, close, reopen, hand off ----------------------------------------------------


@bp.route("/cases/<int:case_id>/reassign", methods=["GET", "POST"])
def reassign(case_id: int):
    case = get_case_or_404(current_user, case_id)
    require_supervisor(current_user, case.program_id)
    form = ReassignForm()
    members = _program_members(case.program_id)
    form.worker_id.choices = [(u.id, u.full_name) for u in members]
    if request.method == "GET" and case.assigned_worker_id:
        form.worker_id.data = case.assigned_worker_id
    if form.validate_on_submit():
        worker = next(u for u in members if u.id == form.worker_id.data)
        try:
            movement.reassign_case(current_user, case, worker, form.note.data or "")
        except CaseRuleError as exc:
            db.session.rollback()
            form.worker_id.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Case reassigned to {worker.full_name}.", "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_form_page("cases/reassign.html", "case", case.id, form=form, case=case)


@bp.route("/cases/<int:case_id>/closure", methods=["GET", "POST"])
def request_closure(case_id: int):
    case = get_case_or_404(current_user, case_id)
    require_member(current_user, case.program_id)
    form = ClosureRequestForm()
    if form.validate_on_submit():
        try:
            movement.request_closure(
                current_user, case, reason=form.reason.data, note=form.note.data or "", on=local_today()
            )
        except CaseRuleError as exc:
            db.session.rollback()
            form.reason.errors.append(str(exc))
        else:
            db.session.commit()
            if case.status == "closed":
                flash("Case closed.", "success")
            else:
                flash("Closure requested. A supervisor will approve it.", "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template(
        "cases/request_closure.html", form=form, case=case, is_supervisor=supervises(current_user, case.program_id)
    )


@bp.route("/closure-requests")
def closure_requests():
    """Pending closures in the programs this user supervises."""
    from caseflow.permissions import SUPERVISING_ROLES, case_scope

    supervised = select(ProgramMembership.program_id).where(
        ProgramMembership.user_id == current_user.id,
        ProgramMembership.role.in_(SUPERVISING_ROLES),
        ProgramMembership.deleted_at.is_(None),
    )
    pending = list(
        db.session.execute(
            select(ClosureRequest)
            .join(Case, Case.id == ClosureRequest.case_id)
            .where(ClosureRequest.status == "pending", Case.program_id.in_(supervised), case_scope(current_user))
            .order_by(ClosureRequest.requested_at)
        ).scalars()
    )
    if pending:
        record_event(current_user, "list", "case", record_ids=[r.case_id for r in pending], detail="closure requests")
    cases = {
        c.id: c for c in db.session.execute(select(Case).where(Case.id.in_([r.case_id for r in pending]))).scalars()
    }
    return render_and_commit("cases/closure_requests.html", pending=pending, cases=cases, form=ClosureDecisionForm())


@bp.route("/closure-requests/<int:request_id>", methods=["POST"])
def decide_closure(request_id: int):
    closure = db.session.get(ClosureRequest, request_id)
    if closure is None:
        abort(404)
    case = get_case_or_404(current_user, closure.case_id)
    require_supervisor(current_user, case.program_id)
    form = ClosureDecisionForm()
    if form.validate_on_submit():
        try:
            movement.decide_closure(
                current_user,
                closure,
                approve=form.decision.data == "approve",
                on=local_today(),
                note=form.note.data or "",
            )
        except CaseRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(
                "Closure approved: the case is closed."
                if closure.status == "approved"
                else "Closure rejected: the case stays open.",
                "success",
            )
    else:
        flash("Choose approve or keep open.", "danger")
    return redirect(
        request.form.get("next")
        if request.form.get("next") == url_for("cases.closure_requests")
        else url_for("cases.show", case_id=case.id)
    )


@bp.route("/cases/<int:case_id>/reopen", methods=["POST"])
def reopen(case_id: int):
    case = get_case_or_404(current_user, case_id)
    require_member(current_user, case.program_id)
    if ActionForm().validate_on_submit():
        try:
            movement.reopen_case(current_user, case, on=local_today())
        except CaseRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("Case reopened.", "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/cases/<int:case_id>/handoff", methods=["GET", "POST"])
def handoff(case_id: int):
    case = get_case_or_404(current_user, case_id)
    require_member(current_user, case.program_id)
    form = HandoffForm()
    programs = list(
        db.session.execute(
            select(Program).where(Program.id != case.program_id, Program.deleted_at.is_(None)).order_by(Program.name)
        ).scalars()
    )
    form.program_id.choices = [(p.id, p.name) for p in programs]
    if form.validate_on_submit():
        receiving = next(p for p in programs if p.id == form.program_id.data)
        try:
            movement.hand_off_case(current_user, case, receiving, on=local_today(), note=form.note.data or "")
        except CaseRuleError as exc:
            db.session.rollback()
            form.program_id.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Handed off to {receiving.name}: they now have a referred case for this person.", "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_form_page("cases/handoff.html", "case", case.id, form=form, case=case)


# --- delete and restore -------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/delete", methods=["POST"])
def delete_case(case_id: int):
    case = get_case_or_404(current_user, case_id)
    require_supervisor(current_user, case.program_id)
    if ActionForm().validate_on_submit():
        softdelete.delete_case(current_user, case)
        db.session.commit()
        flash("Case deleted with its records. You can restore it from Deleted items.", "success")
        return redirect(url_for("main.home"))
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/deleted")
def deleted():
    """Soft-deleted cases, case records and module records in the programs this user supervises."""
    items = softdelete.deleted_items(current_user)
    case_ids = sorted({i.case.id for i in items if i.case is not None})
    if case_ids:
        record_event(current_user, "list", "case", record_ids=case_ids, detail="deleted items")
    return render_and_commit("cases/deleted.html", items=items, action_form=ActionForm())


@bp.route("/deleted/<kind>/<int:record_id>/restore", methods=["POST"])
def restore(kind: str, record_id: int):
    item = softdelete.find_deleted(current_user, kind, record_id)
    if item is None:
        abort(404)
    if ActionForm().validate_on_submit():
        try:
            softdelete.restore_item(current_user, item)
        except softdelete.RestoreError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("Restored.", "success")
    return redirect(url_for("cases.deleted"))
