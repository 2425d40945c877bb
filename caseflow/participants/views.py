"""Participant pages: search, create (with a first case), the person page, open another case."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseflow.audit.rendering import render_and_commit
from caseflow.audit.services import record_event
from caseflow.cases.services import CaseRuleError, open_case
from caseflow.extensions import db
from caseflow.models import Case, Program
from caseflow.participants.forms import OpenCaseForm, ParticipantForm, SearchForm
from caseflow.participants.services import create_participant, search_participants
from caseflow.permissions import case_scope, get_participant_or_404, programs_for

bp = Blueprint("participants", __name__, url_prefix="/participants")


def _program_choices(form) -> None:
    form.program_id.choices = [(p.id, p.name) for p in programs_for(current_user)]


def _case_fields(form) -> dict:
    return dict(
        status=form.start_status.data,
        referral_source=form.referral_source.data or None,
        referred_on=form.referred_on.data,
        risk_level=form.risk_level.data or None,
    )


def _chosen_program(form) -> Program:
    program = db.session.get(Program, form.program_id.data)
    if program is None:
        abort(404)
    return program


@bp.route("/search", methods=["GET", "POST"])
def search():
    form = SearchForm()
    results = None
    if form.validate_on_submit():
        results = search_participants(current_user, form.q.data)
    return render_and_commit("participants/search.html", form=form, results=results)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = ParticipantForm()
    _program_choices(form)
    if not form.program_id.choices:
        flash("You are not a member of any program, so you cannot open cases.", "warning")
        return redirect(url_for("main.home"))
    if form.validate_on_submit():
        try:
            participant = create_participant(
                current_user,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                aliases=form.alias_names(),
                race_ethnicities=form.race_ethnicity.data or [],
                date_of_birth=form.date_of_birth.data,
                estimated_age=form.estimated_age.data,
                gender=form.gender.data,
                preferred_language=form.preferred_language.data or "",
                phone=form.phone.data or "",
                area=form.area.data or "",
            )
            case = open_case(current_user, participant, _chosen_program(form), **_case_fields(form))
        except CaseRuleError as exc:
            db.session.rollback()
            form.program_id.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{participant.display_name} was added and a case opened.", "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template("participants/new.html", form=form)


@bp.route("/<int:participant_id>")
def show(participant_id: int):
    participant = get_participant_or_404(current_user, participant_id)
    # Only the cases of programs this user may see: other programs' work stays with them.
    cases = list(
        db.session.execute(
            select(Case)
            .where(Case.participant_id == participant.id, case_scope(current_user))
            .options(selectinload(Case.program))
            .order_by(Case.referred_on.desc())
        ).scalars()
    )
    record_event(current_user, "view", "participant", participant.id)
    return render_and_commit("participants/show.html", participant=participant, cases=cases)


@bp.route("/<int:participant_id>/cases/new", methods=["GET", "POST"])
def open_case_view(participant_id: int):
    participant = get_participant_or_404(current_user, participant_id)
    form = OpenCaseForm()
    _program_choices(form)
    if form.validate_on_submit():
        try:
            case = open_case(current_user, participant, _chosen_program(form), **_case_fields(form))
        except CaseRuleError as exc:
            db.session.rollback()
            form.program_id.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Case opened.", "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template("participants/open_case.html", form=form, participant=participant)
