"""The case page and logging a contact."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from caseflow.audit.rendering import render_and_commit
from caseflow.audit.services import record_event
from caseflow.cases.forms import ContactForm
from caseflow.cases.services import CaseRuleError, case_children, log_contact
from caseflow.extensions import db
from caseflow.models import Assessment, Contact, Goal, Outcome, Referral
from caseflow.permissions import get_case_or_404
from caseflow.timezones import to_utc

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.route("/<int:case_id>")
def show(case_id: int):
    case = get_case_or_404(current_user, case_id)
    contacts = case_children(case, Contact, Contact.occurred_at.desc(), selectinload(Contact.author))
    referrals = case_children(case, Referral, Referral.referred_on.desc(), selectinload(Referral.provider))
    goals = case_children(case, Goal, Goal.set_on.desc())
    outcomes = case_children(case, Outcome, Outcome.occurred_on.desc())
    assessments = case_children(case, Assessment, Assessment.taken_at.desc())
    record_event(current_user, "view", "case", case.id)
    return render_and_commit(
        "cases/show.html",
        case=case,
        contacts=contacts,
        referrals=referrals,
        goals=goals,
        outcomes=outcomes,
        assessments=assessments,
    )


@bp.route("/<int:case_id>/contacts/new", methods=["GET", "POST"])
def new_contact(case_id: int):
    case = get_case_or_404(current_user, case_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            log_contact(
                current_user,
                case,
                occurred_at=to_utc(form.occurred_at.data),
                mode=form.mode.data,
                contact_type=form.contact_type.data,
                duration_minutes=form.duration_minutes.data,
                is_completed=form.outcome.data == "completed",
                location_area=form.location_area.data or "",
                notes=form.notes.data or "",
            )
        except CaseRuleError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("Contact saved.", "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/new_contact.html", form=form, case=case)
