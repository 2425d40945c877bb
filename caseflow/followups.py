"""Dated follow-ups shared by mediations, shooting responses and custom notifications.

Services take the acting user, flush, audit, and never commit; callers check access to the parent first.
"""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import FollowUp, Mediation, Notification, ShootingResponse, User
from caseflow.submissions import SubmissionTokenMixin

PARENT_COLUMNS = {Mediation: "mediation_id", ShootingResponse: "shooting_response_id", Notification: "notification_id"}


class FollowUpRuleError(ValueError):
    """A follow-up rule refused the change; the message is safe to show."""


class FollowUpForm(FlaskForm, SubmissionTokenMixin):
    """Schedule a follow-up: when it is due and what it is for; the token makes a double tap add one (S30)."""

    due_on = DateField("Follow-up due", validators=[InputRequired(message="Give the date the follow-up is due.")])
    note = TextAreaField("What to follow up", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Add follow-up")


class FollowUpDoneForm(FlaskForm):
    """Mark a follow-up done on a date (today by default)."""

    done_on = DateField("Done on", validators=[InputRequired(message="Give the date it was done.")])
    submit = SubmitField("Mark done")


def saved_flash(created: bool) -> tuple[str, str]:
    """What to tell the user after a follow-up form was sent (a resent form saves nothing new)."""
    return ("Follow-up added.", "success") if created else ("That follow-up was already added.", "info")


def add_follow_up(actor: User, parent, due_on: date, note: str = "") -> FollowUp:
    """Schedule a follow-up on a mediation, shooting response or notification."""
    column = PARENT_COLUMNS.get(type(parent))
    if column is None:
        raise TypeError(f"follow-ups do not attach to {type(parent).__name__}")
    follow_up = FollowUp(due_on=due_on, note=(note or "").strip(), created_by_id=actor.id, **{column: parent.id})
    db.session.add(follow_up)
    db.session.flush()
    record_event(actor, "create", "follow_up", follow_up.id, detail=f"{column.removesuffix('_id')} {parent.id}")
    return follow_up


def complete_follow_up(actor: User, follow_up: FollowUp, done_on: date) -> None:
    """Record when a follow-up was done; a done follow-up stays done."""
    if follow_up.done_on is not None:
        raise FollowUpRuleError("That follow-up is already marked done.")
    follow_up.done_on = done_on
    db.session.flush()
    record_event(actor, "update", "follow_up", follow_up.id, detail="done")


def parent_of(follow_up: FollowUp):
    """The record a follow-up belongs to, so the caller can check access to it."""
    for model, column in PARENT_COLUMNS.items():
        parent_id = getattr(follow_up, column)
        if parent_id is not None:
            return db.session.get(model, parent_id)
    return None
