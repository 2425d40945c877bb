"""Participant pages: search, create (after a duplicate check), the person page, edit, merge, open a case."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseflow.audit.rendering import render_and_commit, render_form_page
from caseflow.audit.services import record_event
from caseflow.breakglass.services import can_break_glass
from caseflow.cases.services import CaseRuleError, open_case
from caseflow.conflicts import EditConflict, check_version, commit_edit, conflict_page
from caseflow.extensions import db
from caseflow.models import Case, Participant, Program, ProgramMembership, User
from caseflow.models.choices import GENDERS, RACE_ETHNICITIES, label_of
from caseflow.participants.forms import (
    MergeFindForm,
    MergeForm,
    OpenCaseForm,
    ParticipantEditForm,
    ParticipantForm,
    ReportDuplicateForm,
    ReturnMergeRequestForm,
    SearchForm,
)
from caseflow.participants.merge import (
    MergeRuleError,
    can_merge,
    merge_participants,
    merge_requests_about,
    merged_into_visible,
    open_case_clash_message,
    pending_merge_requests,
    request_merge,
    return_merge_request,
    shared_open_programs,
)
from caseflow.participants.services import (
    PossibleDuplicates,
    case_after_resubmit,
    create_participant,
    duplicates_of,
    find_possible_duplicates,
    search_participants,
    update_participant,
)
from caseflow.permissions import (
    active_grant,
    case_scope,
    get_participant_or_404,
    may_set_ipv_protection,
    participant_scope,
    programs_for,
    role_in,
    visible_participants,
)
from caseflow.submissions import commit_once

bp = Blueprint("participants", __name__, url_prefix="/participants")

# Typed into the merge page's search box, a short number is a record number, not a phone.
MAX_RECORD_NUMBER_DIGITS = 6


def _program_choices(form) -> None:
    """The user's programs, and the colleagues in them who can take the case (default: the user)."""
    programs = programs_for(current_user)
    form.program_id.choices = [(p.id, p.name) for p in programs]
    colleagues = db.session.execute(
        select(User.id, User.full_name, Program.name)
        .join(ProgramMembership, ProgramMembership.user_id == User.id)
        .join(Program, Program.id == ProgramMembership.program_id)
        .where(
            ProgramMembership.program_id.in_([p.id for p in programs]),
            ProgramMembership.deleted_at.is_(None),
            User.is_active.is_(True),
            User.id != current_user.id,
        )
        .order_by(User.full_name, Program.name)
    ).all()
    form.assigned_worker_id.choices = [("", "Me")] + [(uid, f"{name} ({program})") for uid, name, program in colleagues]


def _case_fields(form) -> dict:
    return dict(
        status=form.start_status.data,
        referral_source=form.referral_source.data or None,
        referred_on=form.referred_on.data,
        risk_level=form.risk_level.data or None,
        assigned_worker=db.session.get(User, form.assigned_worker_id.data) if form.assigned_worker_id.data else None,
    )


def _chosen_program(form) -> Program:
    program = db.session.get(Program, form.program_id.data)
    if program is None:
        abort(404)
    return program


def _visible_cases(participant: Participant) -> list[Case]:
    """Only the cases of programs this user may see: other programs' work stays with them."""
    return list(
        db.session.execute(
            select(Case)
            .where(Case.participant_id == participant.id, case_scope(current_user))
            .options(selectinload(Case.program))
            .order_by(Case.referred_on.desc())
        ).scalars()
    )


@bp.route("/search", methods=["GET", "POST"])
def search():
    form = SearchForm()
    outcome = None
    if form.validate_on_submit():
        outcome = search_participants(current_user, form.q.data)
    return render_and_commit(
        "participants/search.html", form=form, outcome=outcome, may_break_glass=can_break_glass(current_user)
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = ParticipantForm()
    _program_choices(form)
    if not form.program_id.choices:
        flash("You are not a member of any program, so you cannot open cases.", "warning")
        return redirect(url_for("main.home"))
    if form.validate_on_submit():
        identity = form.identity_key()
        opened: list[Case] = []

        def create() -> Participant:
            # commit_once skips this for a token already used, so a resent form neither
            # checks again nor creates again: it lands on what the first one made.
            if form.confirmed.data != identity:
                person = form.person_fields()
                outcome = find_possible_duplicates(
                    current_user,
                    first_name=person["first_name"],
                    last_name=person["last_name"],
                    aliases=person["aliases"],
                    date_of_birth=person["date_of_birth"],
                    phone=person["phone"],
                )
                if outcome:
                    raise PossibleDuplicates(outcome)
            participant = create_participant(current_user, **form.person_fields())
            opened.append(open_case(current_user, participant, _chosen_program(form), **_case_fields(form)))
            return participant

        try:
            participant_id, created = commit_once(current_user, form.submission_token.data, "participant", create)
        except PossibleDuplicates as found:
            form.confirmed.data = identity
            return render_and_commit("participants/new.html", form=form, duplicates=found.outcome)
        except CaseRuleError as exc:
            db.session.rollback()
            form.program_id.errors.append(str(exc))
        else:
            if created:
                flash("Participant added and a case opened.", "success")
                return redirect(url_for("cases.show", case_id=opened[0].id))
            flash("This form was already saved; here is what it created.", "info")
            case_id = case_after_resubmit(current_user, participant_id, form.program_id.data)
            if case_id is not None:
                return redirect(url_for("cases.show", case_id=case_id))
            return redirect(url_for("participants.show", participant_id=participant_id))
    return render_template("participants/new.html", form=form, duplicates=None)


def _visible_or_merged(participant_id: int):
    """(participant, None) if visible; (None, redirect) for a merged record whose survivor is visible; else 404."""
    participant = db.session.execute(
        visible_participants(current_user).where(Participant.id == participant_id)
    ).scalar_one_or_none()
    if participant is not None:
        return participant, None
    return None, _merged_redirect(participant_id)


def _merged_redirect(participant_id: int):
    """A redirect from a merged record to its visible survivor; anything else is 404."""
    # An old link to a merged record leads to the record it was merged into, if visible.
    kept_id = merged_into_visible(current_user, participant_id)
    if kept_id is None:
        abort(404)
    flash(f"Record #{participant_id} was merged into this record.", "info")
    return redirect(url_for("participants.show", participant_id=kept_id))


def _emergency_page(participant: Participant, grant):
    """The person read-only under a break-glass grant (S8): every live case listed, no actions, a banner."""
    cases = list(
        db.session.execute(
            select(Case)
            .where(Case.participant_id == participant.id, Case.deleted_at.is_(None))
            .options(selectinload(Case.program))
            .order_by(Case.referred_on.desc())
        ).scalars()
    )
    record_event(current_user, "view", "participant", participant.id, detail=f"break-glass grant {grant.id}")
    return render_and_commit(
        "participants/show.html",
        participant=participant,
        cases=cases,
        can_merge=False,
        duplicate_reports=[],
        grant=grant,
    )


@bp.route("/<int:participant_id>")
def show(participant_id: int):
    participant = db.session.execute(
        visible_participants(current_user).where(Participant.id == participant_id)
    ).scalar_one_or_none()
    if participant is None:
        grant = active_grant(current_user, participant_id)
        if grant is not None:
            return _emergency_page(grant.participant, grant)
        return _merged_redirect(participant_id)
    cases = _visible_cases(participant)
    reports = merge_requests_about(current_user, participant)
    others = sorted({r.other_id if r.participant_id == participant.id else r.participant_id for r in reports})
    record_event(current_user, "view", "participant", participant.id, record_ids=others)
    return render_and_commit(
        "participants/show.html",
        participant=participant,
        cases=cases,
        can_merge=can_merge(current_user),
        duplicate_reports=reports,
        grant=None,
    )


# --- edit -------------------------------------------------------------------------------------


def _require_case_member(participant: Participant) -> None:
    """403 unless the user is a member of a program holding one of this person's visible cases."""
    program_ids = set(
        db.session.execute(
            select(Case.program_id).where(Case.participant_id == participant.id, case_scope(current_user))
        ).scalars()
    )
    if not any(role_in(current_user, program_id) for program_id in program_ids):
        abort(403)


def _edit_form_for(participant: Participant) -> ParticipantEditForm:
    """The edit form filled from the saved record, at its current version."""
    return ParticipantEditForm(
        data=dict(
            is_ipv_protected=participant.is_ipv_protected,
            first_name=participant.first_name,
            last_name=participant.last_name,
            aliases=", ".join(a.name for a in participant.aliases),
            date_of_birth=participant.date_of_birth,
            estimated_age=participant.estimated_age,
            gender=participant.gender,
            race_ethnicity=[r.category for r in participant.race_ethnicities],
            preferred_language=participant.preferred_language,
            phone=participant.phone,
            area=participant.area,
            version=str(participant.version),
        )
    )


def _comparison(form: ParticipantEditForm, participant: Participant) -> list[tuple[str, str, str]]:
    """(field, what the user typed, what is saved now) for the conflict page."""

    def day(value) -> str:
        return value.strftime("%d %b %Y") if value else ""

    def races(categories) -> str:
        return ", ".join(label_of(RACE_ETHNICITIES, c) for c in sorted(categories)) or "Not reported"

    return [
        ("First name", form.first_name.data or "", participant.first_name),
        ("Last name", form.last_name.data or "", participant.last_name),
        ("Aliases", ", ".join(form.alias_names()), ", ".join(a.name for a in participant.aliases)),
        ("Date of birth", day(form.date_of_birth.data), day(participant.date_of_birth)),
        (
            "Estimated age",
            "" if form.estimated_age.data is None else str(form.estimated_age.data),
            "" if participant.estimated_age is None else str(participant.estimated_age),
        ),
        ("Gender", label_of(GENDERS, form.gender.data), participant.gender_label),
        (
            "Race and ethnicity",
            races(form.race_ethnicity.data or []),
            races(r.category for r in participant.race_ethnicities),
        ),
        ("Preferred language", (form.preferred_language.data or "").strip(), participant.preferred_language),
        ("Phone", (form.phone.data or "").strip(), participant.phone),
        ("Area", (form.area.data or "").strip(), participant.area),
    ] + (
        [("IPV-protected", _yes_no(form.is_ipv_protected.data), _yes_no(participant.is_ipv_protected))]
        if form.is_ipv_protected is not None
        else []
    )


def _yes_no(value) -> str:
    return "Yes" if value else "No"


@bp.route("/<int:participant_id>/edit", methods=["GET", "POST"])
def edit(participant_id: int):
    participant = get_participant_or_404(current_user, participant_id)
    _require_case_member(participant)
    form = ParticipantEditForm() if request.method == "POST" else _edit_form_for(participant)
    if not may_set_ipv_protection(current_user, participant):
        # Not declared, so a posted value is ignored (S6): only those allowed can set or clear it.
        del form.is_ipv_protected
    if form.validate_on_submit():
        protect = form.is_ipv_protected.data if form.is_ipv_protected is not None else None
        try:
            check_version(participant, form.version.data)
            update_participant(current_user, participant, **form.person_fields(), is_ipv_protected=protect)
            commit_edit()
        except EditConflict:
            db.session.rollback()
            record_event(current_user, "view", "participant", participant.id, detail="edit conflict")
            html, status = conflict_page(
                form,
                participant,
                _comparison(form, participant),
                form_template="participants/_edit_form.html",
                participant=participant,
            )
            db.session.commit()
            return html, status
        still_visible = db.session.execute(
            select(Participant.id).where(Participant.id == participant.id, participant_scope(current_user))
        ).first()
        if still_visible is None:
            # The user protected someone they are not victim-services staff for: the record has left their reach.
            flash("Saved. This person is now IPV-protected: only their victim-services staff see the record.", "info")
            return redirect(url_for("main.home"))
        flash("Changes saved.", "success")
        return redirect(url_for("participants.show", participant_id=participant.id))
    record_event(current_user, "view", "participant", participant.id, detail="edit form")
    return render_and_commit("participants/edit.html", form=form, participant=participant)


# --- merge ------------------------------------------------------------------------------------


def _other_or_redirect(participant: Participant, other_id: int):
    """The other record if visible; a redirect if it was already merged into this one; else 404."""
    other = db.session.execute(
        visible_participants(current_user).where(Participant.id == other_id)
    ).scalar_one_or_none()
    if other is not None:
        return other, None
    if merged_into_visible(current_user, other_id) == participant.id:
        flash(f"Record #{other_id} is already merged into this record.", "info")
        return None, redirect(url_for("participants.show", participant_id=participant.id))
    abort(404)


def _merge_form(participant: Participant, other: Participant, formdata=True) -> MergeForm:
    form = MergeForm() if formdata else MergeForm(formdata=None, other_id=str(other.id), keep_id=participant.id)
    form.keep_id.choices = [
        (participant.id, f"Keep #{participant.id} ({participant.display_name})"),
        (other.id, f"Keep #{other.id} ({other.display_name})"),
    ]
    return form


def _merge_page(participant, *, find_form, other=None, merge_form=None, candidates=None, error=None):
    """Render the merge page; every participant shown is named in one audit row."""
    shown = [participant.id]
    if other is not None:
        shown.append(other.id)
    if candidates is not None:
        shown.extend(m.participant.id for m in candidates if m.participant.id not in shown)
    record_event(current_user, "view", "participant", record_ids=shown, detail="merge page")
    clash = None
    if other is not None and other.id != participant.id:
        programs = shared_open_programs(participant, other)
        clash = open_case_clash_message(current_user, programs) if programs else None
    return render_and_commit(
        "participants/merge.html",
        participant=participant,
        other=other,
        find_form=find_form,
        merge_form=merge_form,
        candidates=candidates,
        cases={p.id: _visible_cases(p) for p in (participant, other) if p is not None},
        clash=clash,
        error=error,
    )


@bp.route("/<int:participant_id>/merge", methods=["GET", "POST"])
def merge(participant_id: int):
    # The role check comes first and does not depend on the record, so a 403 leaks nothing.
    if not can_merge(current_user):
        abort(403)
    participant, merged = _visible_or_merged(participant_id)
    if merged is not None:
        return merged
    find_form = MergeFindForm(formdata=request.form if "find" in request.form else None)

    if request.method == "POST" and "find" in request.form:
        if not find_form.validate_on_submit():
            return _merge_page(participant, find_form=find_form)
        term = find_form.q.data.strip().lstrip("#")
        if term.isdigit() and len(term) <= MAX_RECORD_NUMBER_DIGITS:
            other = db.session.execute(
                visible_participants(current_user).where(Participant.id == int(term))
            ).scalar_one_or_none()
            if other is None:
                find_form.q.errors.append("No record with that number in your programs.")
                return _merge_page(participant, find_form=find_form)
            if other.id == participant.id:
                find_form.q.errors.append("That is this record. Enter the number of the other one.")
                return _merge_page(participant, find_form=find_form)
            return redirect(url_for("participants.merge", participant_id=participant.id, other=other.id))
        outcome = search_participants(current_user, term)
        candidates = [m for m in outcome.matches if m.participant.id != participant.id]
        return _merge_page(participant, find_form=find_form, candidates=candidates)

    if request.method == "POST":
        other_id = request.form.get("other_id", "")
        if not other_id.isdigit():
            abort(404)
        other, done = _other_or_redirect(participant, int(other_id))
        if done is not None:
            return done
        merge_form = _merge_form(participant, other)
        if not merge_form.validate_on_submit():
            return _merge_page(participant, find_form=find_form, other=other, merge_form=merge_form)
        kept, retired = (participant, other) if merge_form.keep_id.data == participant.id else (other, participant)
        try:
            merge_participants(current_user, kept, retired, note=merge_form.note.data)
            commit_edit()
        except MergeRuleError as exc:
            db.session.rollback()
            return _merge_page(participant, find_form=find_form, other=other, merge_form=merge_form, error=str(exc))
        except EditConflict:
            flash("One of these records changed while you were merging. Check them again.", "warning")
            return redirect(url_for("participants.merge", participant_id=participant.id, other=other.id))
        flash(f"Records merged. Record #{retired.id} now leads here.", "success")
        return redirect(url_for("participants.show", participant_id=kept.id))

    other_id = request.args.get("other", type=int)
    if other_id is not None:
        other, done = _other_or_redirect(participant, other_id)
        if done is not None:
            return done
        return _merge_page(
            participant, find_form=find_form, other=other, merge_form=_merge_form(participant, other, formdata=False)
        )
    return _merge_page(participant, find_form=find_form, candidates=duplicates_of(current_user, participant).matches)


@bp.route("/<int:participant_id>/duplicate", methods=["GET", "POST"])
def report_duplicate(participant_id: int):
    """Workers cannot merge; they report the pair and a supervisor merges or returns it."""
    participant = get_participant_or_404(current_user, participant_id)
    form = ReportDuplicateForm()
    if form.validate_on_submit():
        other = db.session.execute(
            visible_participants(current_user).where(Participant.id == form.other_id.data)
        ).scalar_one_or_none()
        if other is None:
            form.other_id.errors.append("No record with that number in your programs.")
        else:
            try:
                request_merge(current_user, participant, other, form.reason.data)
            except MergeRuleError as exc:
                db.session.rollback()
                form.other_id.errors.append(str(exc))
            else:
                db.session.commit()
                flash("Sent to a supervisor, who will merge the records or tell you why not.", "success")
                return redirect(url_for("participants.show", participant_id=participant.id))
    record_event(current_user, "view", "participant", participant.id, detail="duplicate report form")
    return render_and_commit("participants/report_duplicate.html", participant=participant, form=form)


@bp.route("/merge-requests")
def merge_requests():
    """Duplicate reports waiting for a supervisor: review opens the merge page for the pair."""
    if not can_merge(current_user):
        abort(404)
    requests = pending_merge_requests(current_user)
    shown = sorted({pid for r in requests for pid in (r.participant_id, r.other_id)})
    if shown:
        record_event(current_user, "list", "participant", record_ids=shown, detail="merge requests")
    return render_and_commit("participants/merge_requests.html", requests=requests, form=ReturnMergeRequestForm())


@bp.route("/merge-requests/<int:request_id>/return", methods=["POST"])
def return_merge_request_view(request_id: int):
    pending = {r.id: r for r in pending_merge_requests(current_user)}
    merge_request = pending.get(request_id) or abort(404)
    form = ReturnMergeRequestForm()
    if form.validate_on_submit():
        return_merge_request(current_user, merge_request, form.note.data)
        db.session.commit()
        flash("Report returned to the worker with your note.", "success")
        return redirect(url_for("participants.merge_requests"))
    shown = sorted({pid for r in pending.values() for pid in (r.participant_id, r.other_id)})
    record_event(current_user, "list", "participant", record_ids=shown, detail="merge requests")
    return render_and_commit(
        "participants/merge_requests.html", requests=list(pending.values()), form=form, failed_id=request_id
    )


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
    return render_form_page(
        "participants/open_case.html", "participant", participant.id, form=form, participant=participant
    )
