"""Consent pages: a person's consents, recording one, revoking one."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from caseflow.audit.rendering import render_and_commit, render_form_page
from caseflow.audit.services import record_event
from caseflow.consents.forms import ActionForm, ConsentForm
from caseflow.consents.services import (
    ConsentRuleError,
    category_labels,
    consent_programs,
    consent_status,
    consents_for,
    record_consent,
    revoke_consent,
    visible_consent_query,
)
from caseflow.extensions import db
from caseflow.models import Case, Program, ServiceProvider
from caseflow.permissions import case_scope, get_participant_or_404, require_member
from caseflow.providers.services import active_providers
from caseflow.submissions import commit_once
from caseflow.timezones import local_today

bp = Blueprint("consents", __name__)


def _visible_cases(participant_id: int) -> list[Case]:
    return list(
        db.session.execute(
            select(Case)
            .where(Case.participant_id == participant_id, case_scope(current_user))
            .order_by(Case.referred_on.desc())
        ).scalars()
    )


@bp.route("/participants/<int:participant_id>/consents")
def index(participant_id: int):
    participant = get_participant_or_404(current_user, participant_id)
    consents = consents_for(current_user, participant)
    today = local_today()
    member_of = {p.id for p in consent_programs(current_user, participant)}
    record_event(
        current_user, "view", "participant", participant.id, record_ids=[c.id for c in consents], detail="consents"
    )
    return render_and_commit(
        "consents/index.html",
        participant=participant,
        rows=[(c, consent_status(c, today)) for c in consents],
        programs={
            p.id: p.name
            for p in db.session.execute(
                select(Program).where(Program.id.in_({c.program_id for c in consents}))
            ).scalars()
        },
        cases=_visible_cases(participant.id),
        member_of=member_of,
        action_form=ActionForm(),
        category_labels=category_labels,
    )


def _set_choices(form: ConsentForm, participant) -> None:
    form.program_id.choices = [(p.id, p.name) for p in consent_programs(current_user, participant)]
    form.provider_id.choices = [("", "— none —")] + [(p.id, p.name) for p in active_providers()]
    form.recipient_program_id.choices = [("", "— none —")] + [
        (p.id, p.name)
        for p in db.session.execute(
            select(Program).where(Program.deleted_at.is_(None)).order_by(Program.name)
        ).scalars()
    ]


def _prefill_recipient(form: ConsentForm) -> None:
    """?provider_id= or ?recipient_program_id= (from a blocked referral or hand-off) pre-selects the recipient."""
    for field, arg in ((form.provider_id, "provider_id"), (form.recipient_program_id, "recipient_program_id")):
        wanted = request.args.get(arg, type=int)
        if wanted is not None and wanted in {value for value, _ in field.choices}:
            field.data = wanted


def _return_case(participant_id: int) -> Case | None:
    """The case a blocked referral came from (?case_id=), if this user can see it and it is this person's."""
    case_id = request.args.get("case_id", type=int)
    if case_id is None:
        return None
    case = db.session.execute(
        select(Case).where(Case.id == case_id, Case.participant_id == participant_id, case_scope(current_user))
    ).scalar_one_or_none()
    return case


@bp.route("/participants/<int:participant_id>/consents/new", methods=["GET", "POST"])
def new(participant_id: int):
    participant = get_participant_or_404(current_user, participant_id)
    form = ConsentForm()
    _set_choices(form, participant)
    if not form.program_id.choices:
        abort(403)
    if request.method == "GET":
        _prefill_recipient(form)
    return_case = _return_case(participant.id)
    problem = ""
    if form.validate_on_submit():
        program = db.session.get(Program, form.program_id.data)
        require_member(current_user, program.id)
        try:
            _, created = commit_once(
                current_user,
                form.submission_token.data,
                "consent",
                lambda: record_consent(
                    current_user,
                    participant,
                    program,
                    categories=form.categories.data or [],
                    signed_on=form.signed_on.data,
                    expires_on=form.expires_on.data,
                    provider=db.session.get(ServiceProvider, form.provider_id.data) if form.provider_id.data else None,
                    recipient_program=(
                        db.session.get(Program, form.recipient_program_id.data)
                        if form.recipient_program_id.data
                        else None
                    ),
                    recipient=form.recipient.data or "",
                ),
            )
        except ConsentRuleError as exc:
            db.session.rollback()
            problem = str(exc)
        else:
            flash("Consent recorded." if created else "This consent was already saved.", "success")
            if return_case is not None:
                return redirect(url_for("referrals.new", case_id=return_case.id))
            return redirect(url_for("consents.index", participant_id=participant.id))
    return render_form_page(
        "consents/new.html",
        "participant",
        participant.id,
        form=form,
        participant=participant,
        return_case=return_case,
        problem=problem,
    )


@bp.route("/consents/<int:consent_id>/revoke", methods=["POST"])
def revoke(consent_id: int):
    consent = db.session.execute(visible_consent_query(current_user, consent_id)).scalar_one_or_none()
    if consent is None:
        abort(404)
    require_member(current_user, consent.program_id)
    if ActionForm().validate_on_submit():
        try:
            revoke_consent(current_user, consent)
        except ConsentRuleError as exc:
            db.session.rollback()
            flash(str(exc), "warning")
        else:
            db.session.commit()
            flash(f"Consent for {consent.recipient} revoked. It no longer allows sharing.", "success")
    return redirect(url_for("consents.index", participant_id=consent.participant_id))
