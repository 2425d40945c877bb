"""Street outreach pages: mediations, shooting responses, community activity and the module's figures.

Everything here is for members of a street outreach program; anyone else gets 404, so nothing leaks.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from caseflow import offline
from caseflow.audit.rendering import render_and_commit
from caseflow.audit.services import record_event
from caseflow.conflicts import save_edit
from caseflow.extensions import db
from caseflow.followups import (
    FollowUpDoneForm,
    FollowUpForm,
    FollowUpRuleError,
    add_follow_up,
    complete_follow_up,
    parent_of,
    saved_flash,
)
from caseflow.forms_common import ActionForm
from caseflow.incidents.forms import FindPersonForm
from caseflow.models import (
    FollowUp,
    Incident,
    Mediation,
    MediationPerson,
    OutreachActivity,
    Participant,
    Program,
    ShootingResponse,
    User,
)
from caseflow.models.choices import label_of
from caseflow.models.outreach import (
    ACTIVITY_KINDS,
    MEDIATION_OUTCOMES,
    MEDIATION_SOURCES,
    RESPONSE_LOCATIONS,
    VIOLENCE_RISKS,
)
from caseflow.outreach.forms import (
    ActivityEditForm,
    ActivityForm,
    MediationEditForm,
    MediationFilterForm,
    MediationForm,
    ResponseEditForm,
    ResponseForm,
)
from caseflow.outreach.queries import activity_totals, mediation_counts, response_summary
from caseflow.outreach.services import (
    OutreachRuleError,
    casework_members,
    delete_outreach_record,
    edit_activity,
    edit_mediation,
    edit_response,
    link_mediation_person,
    mediation_people,
    minutes_to_response,
    recent_incidents,
    record_activity,
    record_mediation,
    record_response,
    unlink_mediation_person,
)
from caseflow.participants.services import search_participants
from caseflow.permissions import (
    get_module_program_or_404,
    get_module_record_or_404,
    get_participant_or_404,
    participant_scope,
    supervises,
)
from caseflow.submissions import commit_once
from caseflow.timezones import local_today, to_local, to_utc

bp = Blueprint("outreach", __name__)
KIND = "street_outreach"

DEFAULT_DAYS = 90
TIME_FORMAT = "%d %b %Y, %H:%M"
DAY_FORMAT = "%d %b %Y"


# --- loading with scope -------------------------------------------------------------------


def _program_or_404(program_id: int) -> Program:
    return get_module_program_or_404(current_user, program_id, KIND)


def _mediation_or_404(mediation_id: int) -> Mediation:
    return get_module_record_or_404(current_user, Mediation, mediation_id, KIND)


def _response_or_404(response_id: int) -> ShootingResponse:
    """A live response of the user's program; a deleted incident takes its responses out of view."""
    response = get_module_record_or_404(current_user, ShootingResponse, response_id, KIND)
    if response.incident.deleted_at is not None:
        abort(404)
    return response


def _activity_or_404(activity_id: int) -> OutreachActivity:
    return get_module_record_or_404(current_user, OutreachActivity, activity_id, KIND)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _date_arg(name: str, default: date) -> date:
    return request.args.get(name, default, type=date.fromisoformat)


def _period() -> tuple[date, date]:
    """The start and end days in the query string, by default the last 90 days."""
    end = _date_arg("end", local_today())
    start = _date_arg("start", end - timedelta(days=DEFAULT_DAYS))
    return (end, start) if start > end else (start, end)


def _local_text(value) -> str:
    return value.strftime(TIME_FORMAT) if value else ""


def _incident_label(incident: Incident) -> str:
    return f"{to_local(incident.occurred_at).strftime(TIME_FORMAT)} · {incident.area} · {incident.kind_label}"


def _incident_choices(form, include_id: int | None, blank: str) -> None:
    form.incident_id.choices = [("", blank)] + [(i.id, _incident_label(i)) for i in recent_incidents(include_id)]


def _page_number() -> int:
    return request.args.get("page", 1, type=int)


def _delete(record, record_type: str, back: str, done: str):
    """Shared POST half of the delete buttons: supervisors only, confirmed by the CSRF-checked form."""
    if not supervises(current_user, record.program_id):
        abort(403)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    try:
        delete_outreach_record(current_user, record, record_type)
    except OutreachRuleError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(back)
    db.session.commit()
    flash("Deleted. A supervisor can ask for it to be restored.", "success")
    return redirect(done)


# --- mediations ---------------------------------------------------------------------------


@bp.route("/outreach/<int:program_id>/mediations")
def mediations(program_id: int):
    program = _program_or_404(program_id)
    form = MediationFilterForm(request.args)
    end, start = local_today(), local_today() - timedelta(days=DEFAULT_DAYS)
    outcome = identified_by = ""
    if form.validate():
        start = form.start.data or start
        end = form.end.data or end
        outcome = form.outcome.data or ""
        identified_by = form.identified_by.data or ""
        if start > end:
            start, end = end, start
        # The form shows the period in force, the default one included.
        form.start.data, form.end.data = start, end
    # Only a valid filter narrows the list; a bad one shows its message and the default period.
    low, high = to_utc(_day_start(start)), to_utc(_day_start(end + timedelta(days=1)))
    stmt = (
        select(Mediation)
        .where(
            Mediation.program_id == program.id,
            Mediation.deleted_at.is_(None),
            Mediation.occurred_at >= low,
            Mediation.occurred_at < high,
        )
        .order_by(Mediation.occurred_at.desc(), Mediation.id.desc())
    )
    if outcome:
        stmt = stmt.where(Mediation.outcome == outcome)
    if identified_by:
        stmt = stmt.where(Mediation.identified_by == identified_by)
    page = db.paginate(stmt, page=_page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    args = {"start": start.isoformat(), "end": end.isoformat(), "outcome": outcome, "identified_by": identified_by}
    return render_template(
        "outreach/mediations.html",
        program=program,
        form=form,
        page=page,
        start=start,
        end=end,
        args={k: v for k, v in args.items() if v},
        counts=mediation_counts(program.id, start, end),
    )


def _mediation_fields(form) -> dict:
    return dict(
        occurred_at=to_utc(form.occurred_at.data),
        area=form.area.data or "",
        identified_by=form.identified_by.data,
        incident_id=form.incident_id.data,
        parties_count=form.parties_count.data,
        groups_involved=form.groups_involved.data or "",
        weapons_present=bool(form.weapons_present.data),
        imminent_risk=form.imminent_risk.data,
        actions_taken=form.actions_taken.data or "",
        outcome=form.outcome.data,
    )


def _field_error(form, exc: OutreachRuleError) -> None:
    """Put a rule's message next to its field, or at the top when it names none."""
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, str(exc)]
    else:
        flash(str(exc), "danger")


@bp.route("/outreach/<int:program_id>/mediations/new", methods=["GET", "POST"])
def new_mediation(program_id: int):
    program = _program_or_404(program_id)
    form = MediationForm()
    _incident_choices(form, None, "— none —")
    if form.validate_on_submit():
        try:
            mediation_id, created = commit_once(
                current_user,
                form.submission_token.data,
                "mediation",
                lambda: record_mediation(current_user, program, **_mediation_fields(form)),
            )
        except OutreachRuleError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            return offline.saved(
                url_for("outreach.mediation", mediation_id=mediation_id),
                "Mediation saved." if created else "That mediation was already saved.",
            )
    if request.method == "POST" and (answer := offline.not_saved(form)):
        return answer
    return render_template(
        "outreach/new_mediation.html",
        form=form,
        program=program,
        action=url_for("outreach.new_mediation", program_id=program.id),
        cancel=url_for("outreach.mediations", program_id=program.id),
    )


def _follow_up_context(record, add_url: str, add_form=None) -> dict:
    return dict(
        follow_ups=record.follow_ups,
        add_form=add_form or FollowUpForm(formdata=None),
        add_url=add_url,
        done_form=FollowUpDoneForm(formdata=None),
        done_endpoint="outreach.complete_follow_up",
        today=local_today(),
    )


def _render_mediation(mediation: Mediation, *, find_form=None, outcome=None, add_form=None):
    """The mediation page; the audit row names the linked people whose names are shown."""
    links, others = mediation_people(current_user, mediation)
    record_event(current_user, "view", "mediation", mediation.id, record_ids=[link.participant_id for link in links])
    return render_and_commit(
        "outreach/mediation.html",
        mediation=mediation,
        program=db.session.get(Program, mediation.program_id),
        incident=mediation.incident_id and db.session.get(Incident, mediation.incident_id),
        links=links,
        others=others,
        linked_ids={link.participant_id for link in links},
        find_form=find_form or FindPersonForm(formdata=None),
        outcome=outcome,
        action_form=ActionForm(formdata=None),
        may_delete=supervises(current_user, mediation.program_id),
        **_follow_up_context(
            mediation, url_for("outreach.add_mediation_follow_up", mediation_id=mediation.id), add_form
        ),
    )


@bp.route("/mediations/<int:mediation_id>", methods=["GET", "POST"])
def mediation(mediation_id: int):
    """The mediation; a POST here only searches for people to link (terms stay out of the URL)."""
    record = _mediation_or_404(mediation_id)
    find_form = FindPersonForm()
    outcome = None
    if request.method == "POST" and find_form.validate_on_submit():
        outcome = search_participants(current_user, find_form.q.data)
    return _render_mediation(record, find_form=find_form, outcome=outcome)


def _mediation_conflict_fields(form, mediation: Mediation) -> list[tuple[str, str, str]]:
    incident = db.session.get(Incident, mediation.incident_id) if mediation.incident_id else None
    typed_incident = db.session.get(Incident, form.incident_id.data) if form.incident_id.data else None
    return [
        ("Date and time", _local_text(form.occurred_at.data), _local_text(to_local(mediation.occurred_at))),
        ("Area", form.area.data or "", mediation.area),
        ("How identified", label_of(MEDIATION_SOURCES, form.identified_by.data), mediation.identified_by_label),
        (
            "Related incident",
            _incident_label(typed_incident) if typed_incident else "",
            _incident_label(incident) if incident else "",
        ),
        ("Number of parties", str(form.parties_count.data or ""), str(mediation.parties_count)),
        # The program's own staff only reach this page, so the sensitive field may be compared.
        ("Groups involved", form.groups_involved.data or "", mediation.groups_involved),
        ("Weapons present", "Yes" if form.weapons_present.data else "No", "Yes" if mediation.weapons_present else "No"),
        ("Risk of imminent violence", label_of(VIOLENCE_RISKS, form.imminent_risk.data), mediation.imminent_risk_label),
        ("Actions taken", form.actions_taken.data or "", mediation.actions_taken),
        ("Outcome", label_of(MEDIATION_OUTCOMES, form.outcome.data), mediation.outcome_label),
    ]


@bp.route("/mediations/<int:mediation_id>/edit", methods=["GET", "POST"], endpoint="edit_mediation")
def edit_mediation_view(mediation_id: int):
    record = _mediation_or_404(mediation_id)
    context = dict(
        mediation=record,
        program=db.session.get(Program, record.program_id),
        action=url_for("outreach.edit_mediation", mediation_id=record.id),
        cancel=url_for("outreach.mediation", mediation_id=record.id),
    )
    if request.method == "GET":
        form = MediationEditForm(obj=record)
        # obj wins over keyword data in WTForms, so the local time and version are set after.
        form.occurred_at.data = to_local(record.occurred_at)
        form.version.data = str(record.version)
        _incident_choices(form, record.incident_id, "— none —")
        record_event(current_user, "view", "mediation", record.id, detail="edit form")
        return render_and_commit("outreach/edit_mediation.html", form=form, **context)
    form = MediationEditForm()
    _incident_choices(form, record.incident_id, "— none —")
    if form.validate_on_submit():
        try:
            response = save_edit(
                record,
                form,
                lambda: edit_mediation(current_user, record, **_mediation_fields(form)),
                # The offline script gets a bare 409 (no saved values shown), so no view is audited for it.
                audit_type=None if offline.is_sync_request() else "mediation",
                conflict_fields=lambda: _mediation_conflict_fields(form, record),
                form_template="outreach/_mediation_form.html",
                **context,
            )
        except OutreachRuleError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            if response is not None:
                return offline.conflict(response)
            return offline.saved(url_for("outreach.mediation", mediation_id=record.id), "Mediation updated.")
    if answer := offline.not_saved(form):
        return answer
    return render_template("outreach/edit_mediation.html", form=form, **context)


@bp.route("/mediations/<int:mediation_id>/people", methods=["POST"], endpoint="link_mediation_person")
def link_mediation_person_view(mediation_id: int):
    record = _mediation_or_404(mediation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    participant_id = request.form.get("participant_id", "")
    if not participant_id.isdigit():
        abort(404)
    # Out of scope answers 404, so a guessed id learns nothing.
    participant = get_participant_or_404(current_user, int(participant_id))
    try:
        link_mediation_person(current_user, record, participant)
        db.session.commit()
    except OutreachRuleError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    except IntegrityError:
        # The same link saved by a simultaneous request.
        db.session.rollback()
        flash("This person is already linked to this mediation.", "warning")
    else:
        flash("Person linked.", "success")
    return redirect(url_for("outreach.mediation", mediation_id=record.id))


@bp.route(
    "/mediations/<int:mediation_id>/people/<int:link_id>/remove", methods=["POST"], endpoint="unlink_mediation_person"
)
def unlink_mediation_person_view(mediation_id: int, link_id: int):
    record = _mediation_or_404(mediation_id)
    link = db.session.execute(
        select(MediationPerson)
        .join(Participant, Participant.id == MediationPerson.participant_id)
        .where(
            MediationPerson.id == link_id,
            MediationPerson.mediation_id == record.id,
            participant_scope(current_user),
        )
    ).scalar_one_or_none()
    if link is None:
        abort(404)
    if ActionForm().validate_on_submit():
        unlink_mediation_person(current_user, link)
        db.session.commit()
        flash("Person unlinked.", "success")
    return redirect(url_for("outreach.mediation", mediation_id=record.id))


@bp.route("/mediations/<int:mediation_id>/delete", methods=["POST"])
def delete_mediation(mediation_id: int):
    record = _mediation_or_404(mediation_id)
    return _delete(
        record,
        "mediation",
        url_for("outreach.mediation", mediation_id=record.id),
        url_for("outreach.mediations", program_id=record.program_id),
    )


# --- follow-ups -----------------------------------------------------------------------------


@bp.route("/mediations/<int:mediation_id>/follow-ups", methods=["POST"])
def add_mediation_follow_up(mediation_id: int):
    record = _mediation_or_404(mediation_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _render_mediation(record, add_form=form)
    _, created = commit_once(
        current_user,
        form.submission_token.data,
        "follow_up",
        lambda: add_follow_up(current_user, record, form.due_on.data, form.note.data or ""),
    )
    flash(*saved_flash(created))
    return redirect(url_for("outreach.mediation", mediation_id=record.id))


@bp.route("/responses/<int:response_id>/follow-ups", methods=["POST"])
def add_response_follow_up(response_id: int):
    record = _response_or_404(response_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _render_response(record, add_form=form)
    _, created = commit_once(
        current_user,
        form.submission_token.data,
        "follow_up",
        lambda: add_follow_up(current_user, record, form.due_on.data, form.note.data or ""),
    )
    flash(*saved_flash(created))
    return redirect(url_for("outreach.response", response_id=record.id))


@bp.route("/outreach/follow-ups/<int:follow_up_id>/done", methods=["POST"], endpoint="complete_follow_up")
def complete_follow_up_view(follow_up_id: int):
    follow_up = db.session.get(FollowUp, follow_up_id)
    if follow_up is None or follow_up.deleted_at is not None:
        abort(404)
    parent = parent_of(follow_up)
    # A deterrence notification's follow-up is not this module's: 404, as for anything out of reach.
    if isinstance(parent, Mediation):
        _mediation_or_404(parent.id)
        back = url_for("outreach.mediation", mediation_id=parent.id)
    elif isinstance(parent, ShootingResponse):
        _response_or_404(parent.id)
        back = url_for("outreach.response", response_id=parent.id)
    else:
        abort(404)
    form = FollowUpDoneForm()
    if form.validate_on_submit():
        try:
            complete_follow_up(current_user, follow_up, form.done_on.data)
            db.session.commit()
        except FollowUpRuleError as exc:
            db.session.rollback()
            flash(str(exc), "warning")
        else:
            flash("Follow-up marked done.", "success")
    else:
        flash("Give the date the follow-up was done.", "danger")
    return redirect(back)


# --- shooting responses ---------------------------------------------------------------------


@bp.route("/outreach/<int:program_id>/responses")
def responses(program_id: int):
    program = _program_or_404(program_id)
    stmt = (
        select(ShootingResponse)
        .join(Incident, Incident.id == ShootingResponse.incident_id)
        .where(
            ShootingResponse.program_id == program.id,
            ShootingResponse.deleted_at.is_(None),
            Incident.deleted_at.is_(None),
        )
        .options(selectinload(ShootingResponse.incident), selectinload(ShootingResponse.responder))
        .order_by(ShootingResponse.first_response_at.desc(), ShootingResponse.id.desc())
    )
    page = db.paginate(stmt, page=_page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    rows = [(r, minutes_to_response(r)) for r in page.items]
    return render_template("outreach/responses.html", program=program, page=page, rows=rows)


def _responder_choices(form, program: Program, include: int | None = None) -> None:
    members = casework_members(program)
    if include is not None and all(u.id != include for u in members):
        extra = db.session.get(User, include)
        if extra is not None:
            members.append(extra)
    form.responder_id.choices = [("", "— choose —")] + [(u.id, u.full_name) for u in members]


def _response_fields(form) -> dict:
    return dict(
        incident_id=form.incident_id.data,
        responder_id=form.responder_id.data,
        location=form.location.data,
        first_response_at=to_utc(form.first_response_at.data),
        retaliation_risk=form.retaliation_risk.data,
        notes=form.notes.data or "",
    )


@bp.route("/outreach/<int:program_id>/responses/new", methods=["GET", "POST"])
def new_response(program_id: int):
    program = _program_or_404(program_id)
    preselect = request.args.get("incident_id", None, type=int)
    if preselect is not None:
        incident = db.session.get(Incident, preselect)
        preselect = incident.id if incident is not None and incident.deleted_at is None else None
    form = ResponseForm()
    _incident_choices(form, preselect, "— choose —")
    _responder_choices(form, program)
    if request.method == "GET":
        form.incident_id.data = preselect
        form.responder_id.data = current_user.id
    if form.validate_on_submit():
        try:
            response_id, created = commit_once(
                current_user,
                form.submission_token.data,
                "shooting_response",
                lambda: record_response(current_user, program, **_response_fields(form)),
            )
        except OutreachRuleError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            flash("Response saved." if created else "That response was already saved.", "success")
            return redirect(url_for("outreach.response", response_id=response_id))
    return render_template(
        "outreach/new_response.html",
        form=form,
        program=program,
        action=url_for("outreach.new_response", program_id=program.id, incident_id=preselect),
        cancel=url_for("outreach.responses", program_id=program.id),
    )


def _render_response(response: ShootingResponse, *, add_form=None):
    record_event(current_user, "view", "shooting_response", response.id)
    return render_and_commit(
        "outreach/response.html",
        response=response,
        program=db.session.get(Program, response.program_id),
        minutes=minutes_to_response(response),
        action_form=ActionForm(formdata=None),
        may_delete=supervises(current_user, response.program_id),
        **_follow_up_context(response, url_for("outreach.add_response_follow_up", response_id=response.id), add_form),
    )


@bp.route("/responses/<int:response_id>")
def response(response_id: int):
    return _render_response(_response_or_404(response_id))


def _response_conflict_fields(form, response: ShootingResponse) -> list[tuple[str, str, str]]:
    typed_incident = db.session.get(Incident, form.incident_id.data) if form.incident_id.data else None
    typed_responder = db.session.get(User, form.responder_id.data) if form.responder_id.data else None
    return [
        ("Incident", _incident_label(typed_incident) if typed_incident else "", _incident_label(response.incident)),
        ("Who responded", typed_responder.full_name if typed_responder else "", response.responder.full_name),
        ("Where", label_of(RESPONSE_LOCATIONS, form.location.data), response.location_label),
        (
            "Time of first response",
            _local_text(form.first_response_at.data),
            _local_text(to_local(response.first_response_at)),
        ),
        ("Risk of retaliation", label_of(VIOLENCE_RISKS, form.retaliation_risk.data), response.retaliation_risk_label),
        ("Notes", form.notes.data or "", response.notes),
    ]


@bp.route("/responses/<int:response_id>/edit", methods=["GET", "POST"], endpoint="edit_response")
def edit_response_view(response_id: int):
    record = _response_or_404(response_id)
    program = db.session.get(Program, record.program_id)
    context = dict(
        response=record,
        program=program,
        action=url_for("outreach.edit_response", response_id=record.id),
        cancel=url_for("outreach.response", response_id=record.id),
    )
    if request.method == "GET":
        form = ResponseEditForm(obj=record)
        form.first_response_at.data = to_local(record.first_response_at)
        form.version.data = str(record.version)
        _incident_choices(form, record.incident_id, "— choose —")
        _responder_choices(form, program, record.responder_id)
        record_event(current_user, "view", "shooting_response", record.id, detail="edit form")
        return render_and_commit("outreach/edit_response.html", form=form, **context)
    form = ResponseEditForm()
    _incident_choices(form, record.incident_id, "— choose —")
    _responder_choices(form, program, record.responder_id)
    if form.validate_on_submit():
        try:
            page = save_edit(
                record,
                form,
                lambda: edit_response(current_user, record, **_response_fields(form)),
                audit_type="shooting_response",
                conflict_fields=lambda: _response_conflict_fields(form, record),
                form_template="outreach/_response_form.html",
                **context,
            )
        except OutreachRuleError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            if page is not None:
                return page
            flash("Response updated.", "success")
            return redirect(url_for("outreach.response", response_id=record.id))
    return render_template("outreach/edit_response.html", form=form, **context)


@bp.route("/responses/<int:response_id>/delete", methods=["POST"])
def delete_response(response_id: int):
    record = _response_or_404(response_id)
    return _delete(
        record,
        "shooting_response",
        url_for("outreach.response", response_id=record.id),
        url_for("outreach.responses", program_id=record.program_id),
    )


# --- community activity ---------------------------------------------------------------------


@bp.route("/outreach/<int:program_id>/activities")
def activities(program_id: int):
    program = _program_or_404(program_id)
    stmt = (
        select(OutreachActivity)
        .where(OutreachActivity.program_id == program.id, OutreachActivity.deleted_at.is_(None))
        .order_by(OutreachActivity.occurred_on.desc(), OutreachActivity.id.desc())
    )
    page = db.paginate(stmt, page=_page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template(
        "outreach/activities.html",
        program=program,
        page=page,
        action_form=ActionForm(formdata=None),
        may_delete=supervises(current_user, program.id),
    )


def _activity_fields(form) -> dict:
    # Hours are typed (2.5); whole minutes are stored so report totals add up exactly.
    minutes = int((form.staff_hours.data * 60).quantize(Decimal(1)))
    return dict(
        occurred_on=form.occurred_on.data,
        kind=form.kind.data,
        area=form.area.data or "",
        staff_minutes=minutes,
        people_reached=form.people_reached.data,
        description=form.description.data or "",
    )


@bp.route("/outreach/<int:program_id>/activities/new", methods=["GET", "POST"])
def new_activity(program_id: int):
    program = _program_or_404(program_id)
    form = ActivityForm()
    if form.validate_on_submit():
        try:
            _, created = commit_once(
                current_user,
                form.submission_token.data,
                "outreach_activity",
                lambda: record_activity(current_user, program, **_activity_fields(form)),
            )
        except OutreachRuleError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            flash("Activity saved." if created else "That activity was already saved.", "success")
            return redirect(url_for("outreach.activities", program_id=program.id))
    return render_template(
        "outreach/new_activity.html",
        form=form,
        program=program,
        action=url_for("outreach.new_activity", program_id=program.id),
        cancel=url_for("outreach.activities", program_id=program.id),
    )


def _hours_text(minutes: int | None) -> str:
    return "" if minutes is None else f"{minutes / 60:g}"


def _activity_conflict_fields(form, activity: OutreachActivity) -> list[tuple[str, str, str]]:
    typed_hours = form.staff_hours.data
    return [
        (
            "Date",
            form.occurred_on.data.strftime(DAY_FORMAT) if form.occurred_on.data else "",
            activity.occurred_on.strftime(DAY_FORMAT),
        ),
        ("Kind of activity", label_of(ACTIVITY_KINDS, form.kind.data), activity.kind_label),
        ("Area", form.area.data or "", activity.area),
        (
            "Staff hours",
            "" if typed_hours is None else _hours_text(int((typed_hours * 60).quantize(Decimal(1)))),
            _hours_text(activity.staff_minutes),
        ),
        ("People reached", str(form.people_reached.data or 0), str(activity.people_reached)),
        ("Description", form.description.data or "", activity.description),
    ]


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"], endpoint="edit_activity")
def edit_activity_view(activity_id: int):
    record = _activity_or_404(activity_id)
    context = dict(
        activity=record,
        program=db.session.get(Program, record.program_id),
        action=url_for("outreach.edit_activity", activity_id=record.id),
        cancel=url_for("outreach.activities", program_id=record.program_id),
    )
    if request.method == "GET":
        form = ActivityEditForm(obj=record)
        form.staff_hours.data = Decimal(record.staff_minutes) / 60
        form.version.data = str(record.version)
        return render_template("outreach/edit_activity.html", form=form, **context)
    form = ActivityEditForm()
    if form.validate_on_submit():
        try:
            response = save_edit(
                record,
                form,
                lambda: edit_activity(current_user, record, **_activity_fields(form)),
                audit_type=None,  # as on the edit form's GET, which audits no view either
                conflict_fields=lambda: _activity_conflict_fields(form, record),
                form_template="outreach/_activity_form.html",
                **context,
            )
        except OutreachRuleError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            if response is not None:
                return response
            flash("Activity updated.", "success")
            return redirect(url_for("outreach.activities", program_id=record.program_id))
    return render_template("outreach/edit_activity.html", form=form, **context)


@bp.route("/activities/<int:activity_id>/delete", methods=["POST"])
def delete_activity(activity_id: int):
    record = _activity_or_404(activity_id)
    back = url_for("outreach.activities", program_id=record.program_id)
    return _delete(record, "outreach_activity", back, back)


# --- figures --------------------------------------------------------------------------------


@bp.route("/outreach/<int:program_id>/figures")
def figures(program_id: int):
    """Aggregates only: no names, no groups, no notes."""
    program = _program_or_404(program_id)
    start, end = _period()
    return render_template(
        "outreach/figures.html",
        program=program,
        start=start,
        end=end,
        mediations=mediation_counts(program.id, start, end),
        responses=response_summary(program.id, start, end),
        activities=activity_totals(program.id, start, end),
    )
