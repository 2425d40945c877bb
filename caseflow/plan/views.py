"""Case plan pages: goals, outcome events, program instruments and repeatable assessments."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from caseflow.audit.rendering import render_and_commit, render_form_page
from caseflow.audit.services import record_event
from caseflow.cases.services import case_children
from caseflow.conflicts import EditConflict, check_version, commit_edit, conflict_page
from caseflow.extensions import db
from caseflow.forms_common import ActionForm
from caseflow.models import Assessment, Case, Goal, Instrument, Outcome, Program, User
from caseflow.models.choices import GOAL_STATUSES, label_of
from caseflow.permissions import (
    get_case_or_404,
    get_child_or_404,
    require_member,
    require_supervisor,
    role_in,
    supervises,
)
from caseflow.plan.forms import (
    EditGoalForm,
    GoalForm,
    InstrumentForm,
    InstrumentItemForm,
    InstrumentStatusForm,
    OutcomeForm,
    assessment_form,
    item_field_name,
)
from caseflow.plan.services import (
    PlanRuleError,
    add_instrument_item,
    assessment_changes,
    case_assessments,
    create_instrument,
    live_items,
    program_instruments,
    record_assessment,
    record_outcome,
    set_goal,
    set_instrument_active,
    update_goal,
    usable_instruments,
)
from caseflow.softdelete import soft_delete
from caseflow.submissions import commit_once
from caseflow.timezones import local_today, to_utc

bp = Blueprint("plan", __name__)


def _case_for_writing(case_id: int) -> Case:
    """A case the user can see (else 404) and may write on (else 403)."""
    case = get_case_or_404(current_user, case_id)
    require_member(current_user, case.program_id)
    return case


def _saved_flash(created: bool, what: str) -> None:
    if created:
        flash(f"{what} saved.", "success")
    else:
        flash(f"This {what.lower()} was already saved; it was not added twice.", "info")


# --- the case plan page ----------------------------------------------------------------


@bp.route("/cases/<int:case_id>/plan")
def show(case_id: int):
    case = get_case_or_404(current_user, case_id)
    goals = case_children(case, Goal, Goal.set_on.desc())
    outcomes = case_children(case, Outcome, Outcome.occurred_on.desc())
    changes = assessment_changes(case)
    record_event(current_user, "view", "case", case.id, detail="case plan")
    return render_and_commit(
        "plan/show.html",
        case=case,
        goals=goals,
        outcomes=outcomes,
        changes=changes,
        can_write=role_in(current_user, case.program_id) is not None,
        action_form=ActionForm(),
        today=local_today(),
    )


# --- goals -----------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/goals/new", methods=["GET", "POST"])
def new_goal(case_id: int):
    case = _case_for_writing(case_id)
    form = GoalForm()
    if form.validate_on_submit():
        try:
            _, created = commit_once(
                current_user,
                form.submission_token.data,
                "goal",
                lambda: set_goal(
                    current_user,
                    case,
                    domain=form.domain.data,
                    description=form.description.data,
                    target_on=form.target_on.data,
                    set_on=form.set_on.data,
                ),
            )
        except PlanRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            _saved_flash(created, "Goal")
            return redirect(url_for("plan.show", case_id=case_id))
    return render_form_page("plan/new_goal.html", "case", case.id, form=form, case=case)


def _day(value) -> str:
    return value.strftime("%d %b %Y") if value else "—"


def _goal_conflict(form: EditGoalForm, goal: Goal):
    """The 409 page: the user's input beside what is saved now, the form ready to resend."""
    db.session.rollback()
    saved = db.session.get(Goal, goal.id)  # the rollback expired it: this reloads the saved values
    if form.status.data != "met":
        typed_met = "—"
    else:
        typed_met = _day(form.met_on.data) if form.met_on.data else "today"
    fields = [
        ("Goal", form.description.data or "", saved.description),
        ("Target date", _day(form.target_on.data), _day(saved.target_on)),
        ("Status", label_of(GOAL_STATUSES, form.status.data), saved.status_label),
        ("Met on", typed_met, _day(saved.met_on)),
    ]
    record_event(current_user, "view", "goal", saved.id, detail="edit conflict")
    response = conflict_page(form, saved, fields, form_template="plan/_goal_form.html", goal=saved, case=saved.case)
    db.session.commit()
    return response


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
def edit_goal(goal_id: int):
    goal = get_child_or_404(current_user, Goal, goal_id)
    require_member(current_user, goal.case.program_id)
    if request.method == "GET":
        form = EditGoalForm(obj=goal)
        form.version.data = str(goal.version)
        record_event(current_user, "view", "goal", goal.id)
        return render_and_commit("plan/edit_goal.html", form=form, goal=goal, case=goal.case)
    form = EditGoalForm()
    if form.validate_on_submit():
        try:
            check_version(goal, form.version.data)
            update_goal(
                current_user,
                goal,
                description=form.description.data,
                target_on=form.target_on.data,
                status=form.status.data,
                met_on=form.met_on.data,
            )
            commit_edit()
        except (EditConflict, StaleDataError):
            # StaleDataError: someone saved between our read and our flush.
            return _goal_conflict(form, goal)
        except PlanRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash("Goal updated.", "success")
            return redirect(url_for("plan.show", case_id=goal.case_id))
    return render_template("plan/edit_goal.html", form=form, goal=goal, case=goal.case)


@bp.route("/goals/<int:goal_id>/delete", methods=["POST"])
def delete_goal(goal_id: int):
    goal = get_child_or_404(current_user, Goal, goal_id)
    require_member(current_user, goal.case.program_id)
    case_id = goal.case_id
    if ActionForm().validate_on_submit():
        soft_delete(current_user, goal, "goal")
        db.session.commit()
        flash("Goal deleted. A supervisor can restore it.", "success")
    return redirect(url_for("plan.show", case_id=case_id))


# --- outcomes --------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/outcomes/new", methods=["GET", "POST"])
def new_outcome(case_id: int):
    case = _case_for_writing(case_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            _, created = commit_once(
                current_user,
                form.submission_token.data,
                "outcome",
                lambda: record_outcome(
                    current_user,
                    case,
                    outcome_type=form.outcome_type.data,
                    occurred_on=form.occurred_on.data,
                    details=form.details.data or "",
                ),
            )
        except PlanRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            _saved_flash(created, "Outcome")
            return redirect(url_for("plan.show", case_id=case_id))
    return render_form_page("plan/new_outcome.html", "case", case.id, form=form, case=case)


@bp.route("/outcomes/<int:outcome_id>/delete", methods=["POST"])
def delete_outcome(outcome_id: int):
    outcome = get_child_or_404(current_user, Outcome, outcome_id)
    require_member(current_user, outcome.case.program_id)
    case_id = outcome.case_id
    if ActionForm().validate_on_submit():
        soft_delete(current_user, outcome, "outcome")
        db.session.commit()
        flash("Outcome deleted. A supervisor can restore it.", "success")
    return redirect(url_for("plan.show", case_id=case_id))


# --- instruments (program configuration) -----------------------------------------------


def _program_to_configure(program_id: int) -> Program:
    """A program the user belongs to (else 404, so other programs do not show) and supervises (else 403)."""
    program = db.session.get(Program, program_id)
    if program is None or program.deleted_at is not None or role_in(current_user, program_id) is None:
        abort(404)
    require_supervisor(current_user, program_id)
    return program


@bp.route("/programs/<int:program_id>/instruments", methods=["GET", "POST"])
def instruments(program_id: int):
    program = _program_to_configure(program_id)
    form = InstrumentForm()
    if form.validate_on_submit():
        try:
            instrument_id, created = commit_once(
                current_user,
                form.submission_token.data,
                "instrument",
                lambda: create_instrument(current_user, program, name=form.name.data),
            )
        except PlanRuleError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        else:
            _saved_flash(created, "Instrument")
            return redirect(url_for("plan.instrument", instrument_id=instrument_id))
    return render_template(
        "plan/instruments.html",
        form=form,
        program=program,
        instruments=[(i, live_items(i)) for i in program_instruments(program_id)],
    )


@bp.route("/instruments/<int:instrument_id>", methods=["GET", "POST"])
def instrument(instrument_id: int):
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None or instrument.deleted_at is not None:
        abort(404)
    program = _program_to_configure(instrument.program_id)
    item_form = InstrumentItemForm()
    status_form = InstrumentStatusForm()
    if item_form.add_item.data and item_form.validate_on_submit():
        try:
            _, created = commit_once(
                current_user,
                item_form.submission_token.data,
                "instrument_item",
                lambda: add_instrument_item(
                    current_user, instrument, text=item_form.text.data, max_points=item_form.max_points.data
                ),
            )
        except PlanRuleError as exc:
            db.session.rollback()
            item_form.text.errors.append(str(exc))
        else:
            _saved_flash(created, "Question")
            return redirect(url_for("plan.instrument", instrument_id=instrument_id))
    elif (status_form.deactivate.data or status_form.reactivate.data) and status_form.validate_on_submit():
        set_instrument_active(current_user, instrument, bool(status_form.reactivate.data))
        db.session.commit()
        flash("Instrument is in use again." if instrument.is_active else "Instrument deactivated.", "success")
        return redirect(url_for("plan.instrument", instrument_id=instrument_id))
    return render_template(
        "plan/instrument.html",
        instrument=instrument,
        items=live_items(instrument),
        program=program,
        item_form=item_form,
        status_form=status_form,
    )


# --- assessments -----------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/assessments/new", methods=["GET", "POST"])
def new_assessment(case_id: int):
    case = _case_for_writing(case_id)
    usable = usable_instruments(case.program_id)
    chosen_id = request.args.get("instrument_id", type=int)
    instrument = next((i for i in usable if i.id == chosen_id), None)
    if instrument is None and chosen_id is None and len(usable) == 1:
        instrument = usable[0]
    if instrument is None:
        # Unknown, inactive and other programs' instruments all get the same answer: choose again.
        if chosen_id is not None:
            flash("That instrument is not available for this case. Choose one below.", "warning")
        return render_form_page(
            "plan/choose_instrument.html",
            "case",
            case.id,
            case=case,
            instruments=usable,
            can_configure=supervises(current_user, case.program_id),
        )
    items = live_items(instrument)
    form = assessment_form(items)
    if form.validate_on_submit():
        try:
            _, created = commit_once(
                current_user,
                form.submission_token.data,
                "assessment",
                lambda: record_assessment(
                    current_user,
                    case,
                    instrument,
                    points=form.answered_points(items),
                    risk_level=form.risk_level.data or None,
                    taken_at=to_utc(form.taken_at.data),
                ),
            )
        except PlanRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            _saved_flash(created, "Assessment")
            return redirect(url_for("plan.assessments", case_id=case_id))
    return render_form_page(
        "plan/new_assessment.html",
        "case",
        case.id,
        form=form,
        case=case,
        instrument=instrument,
        item_fields=[form[item_field_name(item.id)] for item in items],
    )


@bp.route("/cases/<int:case_id>/assessments")
def assessments(case_id: int):
    case = get_case_or_404(current_user, case_id)
    rows = case_assessments(case)
    record_event(current_user, "list", "assessment", record_ids=[a.id for a in rows], detail=f"case {case.id}")
    return render_and_commit(
        "plan/assessments.html",
        case=case,
        assessments=rows,
        changes=assessment_changes(case),
        can_write=role_in(current_user, case.program_id) is not None,
    )


@bp.route("/assessments/<int:assessment_id>")
def assessment(assessment_id: int):
    assessment = get_child_or_404(current_user, Assessment, assessment_id)
    assessor = db.session.get(User, assessment.assessed_by_id) if assessment.assessed_by_id else None
    record_event(current_user, "view", "assessment", assessment.id)
    return render_and_commit(
        "plan/assessment.html",
        assessment=assessment,
        case=assessment.case,
        assessor=assessor,
        can_write=role_in(current_user, assessment.case.program_id) is not None,
        action_form=ActionForm(),
    )


@bp.route("/assessments/<int:assessment_id>/delete", methods=["POST"])
def delete_assessment(assessment_id: int):
    assessment = get_child_or_404(current_user, Assessment, assessment_id)
    require_member(current_user, assessment.case.program_id)
    case_id = assessment.case_id
    if ActionForm().validate_on_submit():
        soft_delete(current_user, assessment, "assessment")
        db.session.commit()
        flash("Assessment deleted. A supervisor can restore it.", "success")
    return redirect(url_for("plan.assessments", case_id=case_id))
