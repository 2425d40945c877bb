"""Incident register pages: list, record, correct, link people in scope, delete, and the monthly trend."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from caseflow.audit.rendering import render_and_commit
from caseflow.audit.services import record_event
from caseflow.conflicts import save_edit
from caseflow.extensions import db
from caseflow.forms_common import ActionForm
from caseflow.incidents.forms import FindPersonForm, IncidentEditForm, IncidentFilterForm, IncidentForm
from caseflow.incidents.queries import IncidentFilters, incident_list_query, monthly_shootings, months_back
from caseflow.incidents.services import (
    IncidentRuleError,
    create_incident,
    delete_incident,
    link_participant,
    linked_people,
    unlink_participant,
    update_incident,
)
from caseflow.models import Participant
from caseflow.models.base import utcnow
from caseflow.models.choices import label_of
from caseflow.models.incident import (
    INCIDENT_KINDS,
    INCIDENT_ROLES,
    INCIDENT_SOURCES,
    INCIDENT_STATUSES,
    Incident,
    IncidentPerson,
)
from caseflow.outreach.services import incident_responses, outreach_programs_of
from caseflow.participants.services import search_participants
from caseflow.permissions import SUPERVISING_ROLES, get_participant_or_404, participant_scope, programs_for
from caseflow.submissions import commit_once
from caseflow.timezones import to_local, to_utc

bp = Blueprint("incidents", __name__)

DEFAULT_MONTHS = 12
MAX_MONTHS = 36


@bp.before_request
def require_program_staff():
    """Only program staff use the register; administrators without a membership get 403 everywhere."""
    if not programs_for(current_user):
        abort(403)


def _get_incident_or_404(incident_id: int) -> Incident:
    incident = db.session.execute(
        select(Incident).where(Incident.id == incident_id, Incident.deleted_at.is_(None))
    ).scalar_one_or_none()
    if incident is None:
        abort(404)
    return incident


def _may_delete(user) -> bool:
    return bool(programs_for(user, SUPERVISING_ROLES))


# --- list and trend ---------------------------------------------------------------------


@bp.route("/incidents")
def index():
    form = IncidentFilterForm(request.args)
    filters = IncidentFilters()
    if form.validate():
        filters = IncidentFilters(
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            area=form.area.data or "",
            kind=form.kind.data or "",
            source=form.source.data or "",
            status=form.status.data or "",
        )
        # Only a valid filter narrows the list; a bad one shows its message and the whole list.
    page = db.paginate(
        incident_list_query(filters),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config.get("PAGE_SIZE", 25),
        error_out=False,
    )
    # Paging links carry the filters the user typed.
    args = {k: v for k, v in request.args.items() if k != "page" and k != "submit" and v}
    return render_template("incidents/index.html", form=form, page=page, args=args)


@bp.route("/incidents/trend")
def trend():
    months = min(max(request.args.get("months", DEFAULT_MONTHS, type=int) or DEFAULT_MONTHS, 1), MAX_MONTHS)
    # The trend groups by UTC month, so its window ends on today's UTC date.
    end = utcnow().date()
    rows = monthly_shootings(months_back(end, months), end)
    scale = max([max(r.incidents, r.shots_fired, r.fatal + r.nonfatal) for r in rows] + [1])
    return render_template("incidents/trend.html", rows=rows, months=months, scale=scale, month_choices=(6, 12, 24, 36))


# --- create and edit --------------------------------------------------------------------


def _incident_fields(form) -> dict:
    return dict(
        occurred_at=to_utc(form.occurred_at.data),
        area=form.area.data,
        kind=form.kind.data,
        fatal_victims=form.fatal_victims.data,
        nonfatal_victims=form.nonfatal_victims.data,
        source=form.source.data,
        source_ref=form.source_ref.data,
        status=form.status.data,
        notes=form.notes.data,
    )


@bp.route("/incidents/new", methods=["GET", "POST"])
def new():
    form = IncidentForm()
    if form.validate_on_submit():
        try:
            incident_id, created = commit_once(
                current_user,
                form.submission_token.data,
                "incident",
                lambda: create_incident(current_user, **_incident_fields(form)),
            )
        except IncidentRuleError as exc:
            db.session.rollback()
            form.source_ref.errors.append(str(exc))
        except IntegrityError:
            # Someone saved the same source reference at the same moment.
            db.session.rollback()
            form.source_ref.errors.append("Another incident from this source already has that reference.")
        else:
            flash("Incident saved." if created else "That incident was already saved.", "success")
            return redirect(url_for("incidents.show", incident_id=incident_id))
    return render_template("incidents/new.html", form=form)


def _conflict_fields(form, incident: Incident) -> list[tuple[str, str, str]]:
    typed_at = form.occurred_at.data.strftime("%d %b %Y, %H:%M") if form.occurred_at.data else ""
    return [
        ("Date and time", typed_at, to_local(incident.occurred_at).strftime("%d %b %Y, %H:%M")),
        ("Area", form.area.data or "", incident.area),
        ("Kind", label_of(INCIDENT_KINDS, form.kind.data), incident.kind_label),
        ("Fatal victims", str(form.fatal_victims.data), str(incident.fatal_victims)),
        ("Non-fatal victims", str(form.nonfatal_victims.data), str(incident.nonfatal_victims)),
        ("Source", label_of(INCIDENT_SOURCES, form.source.data), incident.source_label),
        ("Source reference", form.source_ref.data or "", incident.source_ref or ""),
        ("Status", label_of(INCIDENT_STATUSES, form.status.data), incident.status_label),
        ("Notes", form.notes.data or "", incident.notes),
    ]


@bp.route("/incidents/<int:incident_id>/edit", methods=["GET", "POST"])
def edit(incident_id: int):
    incident = _get_incident_or_404(incident_id)
    if request.method == "GET":
        form = IncidentEditForm(obj=incident)
        # obj wins over keyword data in WTForms, so the local time and version are set after.
        form.occurred_at.data = to_local(incident.occurred_at)
        form.version.data = str(incident.version)
        return render_template("incidents/edit.html", form=form, incident=incident)
    form = IncidentEditForm()
    if form.validate_on_submit():
        try:
            response = save_edit(
                incident,
                form,
                lambda: update_incident(current_user, incident, **_incident_fields(form)),
                audit_type=None,  # as on the edit form's GET, which audits no view either
                conflict_fields=lambda: _conflict_fields(form, incident),
                form_template="incidents/_form.html",
                incident=incident,
                action=url_for("incidents.edit", incident_id=incident.id),
            )
        except IncidentRuleError as exc:
            db.session.rollback()
            form.source_ref.errors.append(str(exc))
        except IntegrityError:
            # Someone gave another incident the same source reference at the same moment.
            db.session.rollback()
            form.source_ref.errors.append("Another incident from this source already has that reference.")
        else:
            if response is not None:
                return response
            flash("Incident updated.", "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    return render_template("incidents/edit.html", form=form, incident=incident)


# --- the incident page and linked people ------------------------------------------------


@bp.route("/incidents/<int:incident_id>", methods=["GET", "POST"])
def show(incident_id: int):
    """The incident; a POST here only searches for people to link (terms stay out of the URL)."""
    incident = _get_incident_or_404(incident_id)
    find_form = FindPersonForm()
    outcome = None
    if request.method == "POST" and find_form.validate_on_submit():
        outcome = search_participants(current_user, find_form.q.data)
    links = linked_people(current_user, incident)
    record_event(current_user, "view", "incident", incident.id, record_ids=[link.participant_id for link in links])
    linked_ids = {link.participant_id for link in links}
    return render_and_commit(
        "incidents/show.html",
        incident=incident,
        links=links,
        linked_ids=linked_ids,
        find_form=find_form,
        outcome=outcome,
        roles=INCIDENT_ROLES,
        action_form=ActionForm(),
        may_delete=_may_delete(current_user),
        outreach_programs=outreach_programs_of(current_user),
        responses=incident_responses(current_user, incident),
    )


@bp.route("/incidents/<int:incident_id>/people", methods=["POST"])
def link(incident_id: int):
    incident = _get_incident_or_404(incident_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    participant_id = request.form.get("participant_id", "")
    if not participant_id.isdigit():
        abort(404)
    # Out of scope answers 404, so a guessed id learns nothing.
    participant = get_participant_or_404(current_user, int(participant_id))
    role = request.form.get("role", "")
    if role not in dict(INCIDENT_ROLES):
        flash("Choose the person's role in the incident.", "danger")
        return redirect(url_for("incidents.show", incident_id=incident.id))
    try:
        link_participant(current_user, incident, participant, role)
        db.session.commit()
    except IncidentRuleError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    except IntegrityError:
        # The same link saved by a simultaneous request.
        db.session.rollback()
        flash("This person is already linked to this incident.", "warning")
    else:
        flash("Person linked.", "success")
    return redirect(url_for("incidents.show", incident_id=incident.id))


@bp.route("/incidents/<int:incident_id>/people/<int:link_id>/delete", methods=["POST"])
def unlink(incident_id: int, link_id: int):
    incident = _get_incident_or_404(incident_id)
    link = db.session.execute(
        select(IncidentPerson)
        .join(Participant, Participant.id == IncidentPerson.participant_id)
        .where(IncidentPerson.id == link_id, IncidentPerson.incident_id == incident.id, participant_scope(current_user))
    ).scalar_one_or_none()
    if link is None:
        abort(404)
    if ActionForm().validate_on_submit():
        unlink_participant(current_user, link)
        db.session.commit()
        flash("Person unlinked.", "success")
    return redirect(url_for("incidents.show", incident_id=incident.id))


@bp.route("/incidents/<int:incident_id>/delete", methods=["POST"])
def delete(incident_id: int):
    incident = _get_incident_or_404(incident_id)
    if not _may_delete(current_user):
        abort(403)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("incidents.show", incident_id=incident.id))
    delete_incident(current_user, incident)
    db.session.commit()
    flash("Incident deleted. It can be restored.", "success")
    return redirect(url_for("incidents.index"))
