"""Focused deterrence pages: groups and affiliations, call-ins, custom notifications, figures.

Every page is for casework members of a focused deterrence program; anyone else gets 404. The
one exception is the figures page, which a law-enforcement partner of the program also reaches,
with small counts suppressed. The partner check here does not rely on the app-wide gate.
"""

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from caseflow.audit.rendering import render_and_commit
from caseflow.audit.services import record_event
from caseflow.conflicts import save_edit
from caseflow.deterrence.forms import (
    AffiliationForm,
    AttendanceForm,
    CallInEditForm,
    CallInForm,
    FiguresRangeForm,
    GroupForm,
    NotificationEditForm,
    NotificationForm,
)
from caseflow.deterrence.queries import call_in_counts, notification_counts, offer_pipeline, service_requests
from caseflow.deterrence.services import (
    DeterrenceRuleError,
    add_affiliation,
    add_group,
    case_affiliations,
    edit_call_in,
    edit_notification,
    invitable_people,
    invitee_counts,
    is_fd_program,
    notifiable_people,
    person_invitations,
    person_notifications,
    program_groups,
    record_attendance,
    record_call_in,
    record_notification,
    remove_affiliation,
    visible_participant_ids,
)
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
from caseflow.models import (
    CallIn,
    CallInInvitee,
    Case,
    DeterrenceGroup,
    FollowUp,
    GroupAffiliation,
    Notification,
    Program,
)
from caseflow.models.choices import SERVICE_CATEGORIES, label_of
from caseflow.models.deterrence import NOTIFICATION_TRIGGERS
from caseflow.permissions import (
    get_module_case_or_404,
    get_module_program_or_404,
    get_module_record_or_404,
    get_participant_or_404,
    partner_programs,
    role_in,
    supervises,
)
from caseflow.submissions import commit_once
from caseflow.suppression import breakdown_cells, show_count
from caseflow.timezones import local_today, to_local, to_utc

bp = Blueprint("deterrence", __name__)
KIND = "focused_deterrence"

FIGURES_DAYS = 90


# --- loading with scope -------------------------------------------------------------------


def _program_or_404(program_id: int) -> Program:
    """A live focused deterrence program where the user does casework; partners and others get 404."""
    return get_module_program_or_404(current_user, program_id, KIND)


def _case_or_404(case_id: int) -> Case:
    return get_module_case_or_404(current_user, case_id, KIND)


def _call_in_or_404(call_in_id: int) -> CallIn:
    return get_module_record_or_404(current_user, CallIn, call_in_id, KIND)


def _notification_or_404(notification_id: int) -> Notification:
    """A live notification of the user's program about someone in their scope (its notes are about them)."""
    notification = get_module_record_or_404(current_user, Notification, notification_id, KIND)
    get_participant_or_404(current_user, notification.participant_id)
    return notification


# --- groups ---------------------------------------------------------------------------------


@bp.route("/deterrence/<int:program_id>/groups", methods=["GET", "POST"])
def groups(program_id: int):
    program = _program_or_404(program_id)
    can_add = supervises(current_user, program.id)
    form = GroupForm()
    if request.method == "POST":
        if not can_add:
            abort(403)
        if form.validate_on_submit():
            try:
                _, created = commit_once(
                    current_user,
                    form.submission_token.data,
                    "deterrence_group",
                    lambda: add_group(current_user, program, form.name.data, form.area.data or ""),
                )
            except DeterrenceRuleError as exc:
                db.session.rollback()
                form.name.errors = [*form.name.errors, str(exc)]
            except IntegrityError:
                # A colleague added the same name a moment ago: the unique constraint caught it.
                db.session.rollback()
                form.name.errors = [*form.name.errors, "This program already has a group with that name."]
            else:
                flash("Group added." if created else "That group was already added.", "success")
                return redirect(url_for("deterrence.groups", program_id=program.id))
    return render_template(
        "deterrence/groups.html", program=program, groups=program_groups(program), form=form, can_add=can_add
    )


# --- the case's focused deterrence page and affiliations ------------------------------------------


def _affiliation_form(case: Case) -> AffiliationForm:
    form = AffiliationForm()
    form.group_id.choices = [(0, "— choose —")] + [
        (g.id, f"{g.name} ({g.area})" if g.area else g.name) for g in program_groups(case.program)
    ]
    return form


def _render_case_page(case: Case, form: AffiliationForm):
    record_event(current_user, "view", "case", case.id, detail="focused deterrence")
    return render_and_commit(
        "deterrence/case_deterrence.html",
        case=case,
        affiliations=case_affiliations(case),
        form=form,
        remove_form=ActionForm(),
        notifications=person_notifications(case.program_id, case.participant_id),
        invitations=person_invitations(case.program_id, case.participant_id),
    )


@bp.route("/cases/<int:case_id>/deterrence")
def case_deterrence(case_id: int):
    case = _case_or_404(case_id)
    return _render_case_page(case, _affiliation_form(case))


@bp.route("/cases/<int:case_id>/affiliations", methods=["POST"], endpoint="add_affiliation")
def add_affiliation_view(case_id: int):
    case = _case_or_404(case_id)
    form = _affiliation_form(case)
    if form.validate_on_submit():
        group = db.session.get(DeterrenceGroup, form.group_id.data)
        try:
            _, created = commit_once(
                current_user,
                form.submission_token.data,
                "group_affiliation",
                lambda: add_affiliation(current_user, case, group),
            )
        except DeterrenceRuleError as exc:
            db.session.rollback()
            form.group_id.errors = [*form.group_id.errors, str(exc)]
        else:
            flash("Affiliation added." if created else "That affiliation was already added.", "success")
            return redirect(url_for("deterrence.case_deterrence", case_id=case.id))
    return _render_case_page(case, form)


@bp.route(
    "/cases/<int:case_id>/affiliations/<int:affiliation_id>/remove", methods=["POST"], endpoint="remove_affiliation"
)
def remove_affiliation_view(case_id: int, affiliation_id: int):
    case = _case_or_404(case_id)
    affiliation = db.session.execute(
        select(GroupAffiliation).where(
            GroupAffiliation.id == affiliation_id,
            GroupAffiliation.case_id == case.id,
            GroupAffiliation.deleted_at.is_(None),
        )
    ).scalar_one_or_none()
    if affiliation is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    remove_affiliation(current_user, affiliation)
    db.session.commit()
    flash("Affiliation removed.", "success")
    return redirect(url_for("deterrence.case_deterrence", case_id=case.id))


# --- call-ins -------------------------------------------------------------------------------------


@bp.route("/deterrence/<int:program_id>/call-ins")
def call_ins(program_id: int):
    program = _program_or_404(program_id)
    page = db.paginate(
        select(CallIn)
        .where(CallIn.program_id == program.id, CallIn.deleted_at.is_(None))
        .order_by(CallIn.held_at.desc(), CallIn.id.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    # Counts only: the list names nobody, so it needs no audit row.
    return render_template(
        "deterrence/call_ins.html", program=program, page=page, counts=invitee_counts([c.id for c in page.items])
    )


def _call_in_fields(form) -> dict:
    return dict(
        held_at=to_utc(form.held_at.data),
        venue=form.venue.data or "",
        speakers_community=form.speakers_community.data or 0,
        speakers_services=form.speakers_services.data or 0,
        speakers_law_enforcement=form.speakers_law_enforcement.data or 0,
        notes=form.notes.data or "",
    )


@bp.route("/deterrence/<int:program_id>/call-ins/new", methods=["GET", "POST"])
def new_call_in(program_id: int):
    program = _program_or_404(program_id)
    form = CallInForm()
    people = invitable_people(current_user, program)
    form.invitees.choices = people
    if form.validate_on_submit():
        requested = {value: getattr(form.services.form, value).data or 0 for value, _ in SERVICE_CATEGORIES}
        try:
            call_in_id, created = commit_once(
                current_user,
                form.submission_token.data,
                "call_in",
                lambda: record_call_in(
                    current_user,
                    program,
                    participant_ids=form.invitees.data or [],
                    service_requests=requested,
                    **_call_in_fields(form),
                ),
            )
        except DeterrenceRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash("Call-in saved." if created else "That call-in was already saved.", "success")
            return redirect(url_for("deterrence.call_in", call_in_id=call_in_id))
    # The checkboxes name the people who may be invited: the page view is audited.
    record_event(
        current_user, "list", "participant", record_ids=[pid for pid, _ in people], detail="call-in invitee choices"
    )
    return render_and_commit(
        "deterrence/new_call_in.html",
        form=form,
        program=program,
        action=url_for("deterrence.new_call_in", program_id=program.id),
        cancel=url_for("deterrence.call_ins", program_id=program.id),
    )


def _attendance_rows(call_in: CallIn) -> tuple[list[CallInInvitee], int]:
    """The invitees the user may see by name, and how many others there are."""
    invitees = sorted(call_in.invitees, key=lambda i: (i.participant.last_name, i.participant.first_name, i.id))
    visible = visible_participant_ids(current_user, [i.participant_id for i in invitees])
    shown = [i for i in invitees if i.participant_id in visible]
    return shown, len(invitees) - len(shown)


@bp.route("/call-ins/<int:call_in_id>", methods=["GET", "POST"])
def call_in(call_in_id: int):
    record = _call_in_or_404(call_in_id)
    shown, hidden_count = _attendance_rows(record)
    by_id = {i.id: i for i in shown}
    if request.method == "GET":
        form = AttendanceForm(
            data={
                "rows": [
                    {"invitee_id": str(i.id), "attendance": i.attendance, "help_accepted": i.help_accepted}
                    for i in shown
                ]
            }
        )
    else:
        form = AttendanceForm()
        if form.validate_on_submit():
            rows = {}
            for row in form.rows:
                try:
                    invitee_id = int(row.invitee_id.data)
                except (TypeError, ValueError):
                    abort(404)
                # Only invitees the user may see can be updated; anyone else's id is not found.
                if invitee_id not in by_id:
                    abort(404)
                rows[invitee_id] = (row.attendance.data, bool(row.help_accepted.data))
            try:
                changed = record_attendance(current_user, record, rows)
            except DeterrenceRuleError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                db.session.commit()
                flash(f"Attendance saved ({changed} changed).", "success")
                return redirect(url_for("deterrence.call_in", call_in_id=record.id))
    names = {}
    for row in form.rows:
        try:
            invitee = by_id.get(int(row.invitee_id.data))
        except (TypeError, ValueError):
            invitee = None
        if invitee is None:
            abort(404)
        names[row.invitee_id.data] = invitee.participant.display_name
    record_event(current_user, "view", "call_in", record.id, record_ids=[i.participant_id for i in shown])
    return render_and_commit(
        "deterrence/call_in.html",
        call_in=record,
        program=db.session.get(Program, record.program_id),
        form=form,
        names=names,
        hidden_count=hidden_count,
        invited=len(record.invitees),
        attended=sum(1 for i in record.invitees if i.attendance == "attended"),
        services=sorted(record.service_requests, key=lambda r: r.category_label),
    )


def _local_text(value) -> str:
    return value.strftime("%d %b %Y, %H:%M") if value else ""


def _call_in_conflict_fields(form, call_in: CallIn) -> list[tuple[str, str, str]]:
    return [
        ("Date and time", _local_text(form.held_at.data), _local_text(to_local(call_in.held_at))),
        ("Venue", form.venue.data or "", call_in.venue),
        ("Community speakers", str(form.speakers_community.data or 0), str(call_in.speakers_community)),
        ("Service provider speakers", str(form.speakers_services.data or 0), str(call_in.speakers_services)),
        (
            "Law enforcement speakers",
            str(form.speakers_law_enforcement.data or 0),
            str(call_in.speakers_law_enforcement),
        ),
        ("Notes", form.notes.data or "", call_in.notes),
    ]


@bp.route("/call-ins/<int:call_in_id>/edit", methods=["GET", "POST"], endpoint="edit_call_in")
def edit_call_in_view(call_in_id: int):
    record = _call_in_or_404(call_in_id)
    context = dict(
        call_in=record,
        program=db.session.get(Program, record.program_id),
        action=url_for("deterrence.edit_call_in", call_in_id=record.id),
        cancel=url_for("deterrence.call_in", call_in_id=record.id),
    )
    if request.method == "GET":
        form = CallInEditForm(obj=record, held_at=to_local(record.held_at), version=str(record.version))
        return render_template("deterrence/edit_call_in.html", form=form, **context)
    form = CallInEditForm()
    if form.validate_on_submit():
        try:
            response = save_edit(
                record,
                form,
                lambda: edit_call_in(current_user, record, **_call_in_fields(form)),
                audit_type=None,  # as on the edit form's GET, which audits no view either
                conflict_fields=lambda: _call_in_conflict_fields(form, record),
                form_template="deterrence/_call_in_form.html",
                **context,
            )
        except DeterrenceRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            if response is not None:
                return response
            flash("Call-in updated.", "success")
            return redirect(url_for("deterrence.call_in", call_in_id=record.id))
    return render_template("deterrence/edit_call_in.html", form=form, **context)


# --- notifications ----------------------------------------------------------------------------------


@bp.route("/deterrence/<int:program_id>/notifications")
def notifications(program_id: int):
    program = _program_or_404(program_id)
    page = db.paginate(
        select(Notification)
        .where(Notification.program_id == program.id, Notification.deleted_at.is_(None))
        .options(selectinload(Notification.participant))
        .order_by(Notification.notified_on.desc(), Notification.id.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    visible = visible_participant_ids(current_user, [n.participant_id for n in page.items])
    record_event(
        current_user,
        "list",
        "participant",
        record_ids=sorted(visible),
        detail=f"notifications program {program.id} ({len(page.items)} notifications)",
    )
    return render_and_commit("deterrence/notifications.html", program=program, page=page, visible=visible)


def _notification_fields(form) -> dict:
    return dict(
        notified_on=form.notified_on.data,
        trigger=form.trigger.data,
        delivered=bool(form.delivered.data),
        offer_accepted=bool(form.offer_accepted.data),
        notes=form.notes.data or "",
    )


def _participant_arg(name: str, source) -> int | None:
    raw = (source.get(name) or "").strip()
    if not raw or raw == "0":
        return None
    try:
        return int(raw)
    except ValueError:
        abort(404)


@bp.route("/deterrence/<int:program_id>/notifications/new", methods=["GET", "POST"])
def new_notification(program_id: int):
    program = _program_or_404(program_id)
    people = notifiable_people(current_user, program)
    allowed = {pid for pid, _ in people}
    # A person named in the query string or the form must be someone this user may notify here.
    source = request.form if request.method == "POST" else request.args
    chosen = _participant_arg("participant_id", source)
    if chosen is not None and chosen not in allowed:
        abort(404)
    form = NotificationForm()
    form.participant_id.choices = [(0, "— choose —"), *people]
    if request.method == "GET" and chosen is not None:
        form.participant_id.data = chosen
    if form.validate_on_submit():
        participant = get_participant_or_404(current_user, form.participant_id.data)
        try:
            notification_id, created = commit_once(
                current_user,
                form.submission_token.data,
                "notification",
                lambda: record_notification(current_user, program, participant, **_notification_fields(form)),
            )
        except DeterrenceRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash("Notification saved." if created else "That notification was already saved.", "success")
            return redirect(url_for("deterrence.notification", notification_id=notification_id))
    record_event(current_user, "list", "participant", record_ids=sorted(allowed), detail="notification person choices")
    return render_and_commit(
        "deterrence/new_notification.html",
        form=form,
        program=program,
        action=url_for("deterrence.new_notification", program_id=program.id),
        cancel=url_for("deterrence.notifications", program_id=program.id),
    )


def _render_notification(notification: Notification, add_form: FollowUpForm):
    record_event(current_user, "view", "notification", notification.id)
    return render_and_commit(
        "deterrence/notification.html",
        notification=notification,
        program=db.session.get(Program, notification.program_id),
        follow_ups=notification.follow_ups,
        add_form=add_form,
        add_url=url_for("deterrence.add_notification_follow_up", notification_id=notification.id),
        done_form=FollowUpDoneForm(),
        done_endpoint="deterrence.complete_follow_up",
        today=local_today(),
    )


@bp.route("/notifications/<int:notification_id>")
def notification(notification_id: int):
    record = _notification_or_404(notification_id)
    return _render_notification(record, FollowUpForm())


def _notification_conflict_fields(form, notification: Notification) -> list[tuple[str, str, str]]:
    def yes_no(value) -> str:
        return "Yes" if value else "No"

    return [
        (
            "Date",
            form.notified_on.data.strftime("%d %b %Y") if form.notified_on.data else "",
            notification.notified_on.strftime("%d %b %Y"),
        ),
        ("Trigger", label_of(NOTIFICATION_TRIGGERS, form.trigger.data), notification.trigger_label),
        ("Delivered", yes_no(form.delivered.data), yes_no(notification.delivered)),
        ("Offer of help accepted", yes_no(form.offer_accepted.data), yes_no(notification.offer_accepted)),
        ("Notes", form.notes.data or "", notification.notes),
    ]


@bp.route("/notifications/<int:notification_id>/edit", methods=["GET", "POST"], endpoint="edit_notification")
def edit_notification_view(notification_id: int):
    record = _notification_or_404(notification_id)
    context = dict(
        notification=record,
        program=db.session.get(Program, record.program_id),
        action=url_for("deterrence.edit_notification", notification_id=record.id),
        cancel=url_for("deterrence.notification", notification_id=record.id),
    )
    if request.method == "GET":
        form = NotificationEditForm(obj=record, version=str(record.version))
        record_event(current_user, "view", "notification", record.id)
        return render_and_commit("deterrence/edit_notification.html", form=form, **context)
    form = NotificationEditForm()
    if form.validate_on_submit():
        try:
            response = save_edit(
                record,
                form,
                lambda: edit_notification(current_user, record, **_notification_fields(form)),
                audit_type="notification",
                conflict_fields=lambda: _notification_conflict_fields(form, record),
                form_template="deterrence/_notification_form.html",
                **context,
            )
        except DeterrenceRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            if response is not None:
                return response
            flash("Notification updated.", "success")
            return redirect(url_for("deterrence.notification", notification_id=record.id))
    return render_template("deterrence/edit_notification.html", form=form, **context)


@bp.route("/notifications/<int:notification_id>/follow-ups", methods=["POST"])
def add_notification_follow_up(notification_id: int):
    record = _notification_or_404(notification_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _render_notification(record, form)
    _, created = commit_once(
        current_user,
        form.submission_token.data,
        "follow_up",
        lambda: add_follow_up(current_user, record, form.due_on.data, form.note.data or ""),
    )
    flash(*saved_flash(created))
    return redirect(url_for("deterrence.notification", notification_id=record.id))


@bp.route("/deterrence/follow-ups/<int:follow_up_id>/done", methods=["POST"], endpoint="complete_follow_up")
def complete_follow_up_view(follow_up_id: int):
    follow_up = db.session.get(FollowUp, follow_up_id)
    if follow_up is None or follow_up.deleted_at is not None:
        abort(404)
    parent = parent_of(follow_up)
    # Only follow-ups on notifications live here; mediations and shooting responses have their own pages.
    if not isinstance(parent, Notification):
        abort(404)
    record = _notification_or_404(parent.id)
    form = FollowUpDoneForm()
    if not form.validate_on_submit():
        flash("Give the date the follow-up was done.", "danger")
        return redirect(url_for("deterrence.notification", notification_id=record.id))
    try:
        complete_follow_up(current_user, follow_up, form.done_on.data)
    except FollowUpRuleError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash("Follow-up marked done.", "success")
    return redirect(url_for("deterrence.notification", notification_id=record.id))


# --- figures ----------------------------------------------------------------------------------------


def _suppressor(partner: bool, threshold: int):
    """How a people count prints: exact for members; for partners 1 to threshold-1 is '<threshold'."""

    def show(count: int) -> str:
        return show_count(count, threshold) if partner else str(count)

    return show


@bp.route("/deterrence/<int:program_id>/figures")
def figures(program_id: int):
    program = db.session.get(Program, program_id)
    if not is_fd_program(program):
        abort(404)
    member = role_in(current_user, program.id) is not None
    partner = not member and program.id in {p.id for p in partner_programs(current_user)}
    if not member and not partner:
        abort(404)
    today = local_today()
    form = FiguresRangeForm(request.args)
    start, end = today - timedelta(days=FIGURES_DAYS), today
    if request.args and form.validate():
        start, end = form.start.data, form.end.data
    elif not request.args:
        form.start.data, form.end.data = start, end
    threshold = int(current_app.config.get("SMALL_CELL_THRESHOLD", 5))
    # A partner's figures never count an IPV-protected person (S24); members see every person.
    notes = notification_counts(program.id, start, end, exclude_ipv=partner)
    trigger_counts = [t.notifications for t in notes.by_trigger]
    # The triggers add up to the total shown, so one hidden trigger takes a second with it.
    trigger_cells = breakdown_cells(trigger_counts, threshold) if partner else [str(n) for n in trigger_counts]
    # Aggregates only, never a name, note, group or (for partners) venue; the view itself is audited.
    record_event(current_user, "view", "deterrence_figures", program.id, detail="partner" if partner else "member")
    return render_and_commit(
        "deterrence/figures.html",
        program=program,
        form=form,
        start=start,
        end=end,
        partner=partner,
        show=_suppressor(partner, threshold),
        threshold=threshold,
        call_ins=call_in_counts(program.id, start, end, exclude_ipv=partner),
        services=service_requests(program.id, start, end),
        notifications=notes,
        triggers=list(zip(notes.by_trigger, trigger_cells, strict=True)),
        pipeline=offer_pipeline(program.id, start, end, exclude_ipv=partner),
    )
