"""Forms for work on a case."""

from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from caseflow.conflicts import VersionMixin
from caseflow.forms_common import MultiCheckboxField, blank_choice
from caseflow.models.choices import CLOSURE_REASONS, CONTACT_MODES, CONTACT_TYPES
from caseflow.submissions import SubmissionTokenMixin
from caseflow.timezones import local_now, local_today


def _now_minute() -> datetime:
    return local_now().replace(second=0, microsecond=0)


class ContactFields(FlaskForm):
    """The fields of a contact: three required, the rest optional, so it fits one phone screen."""

    occurred_at = DateTimeLocalField(
        "Date and time",
        format="%Y-%m-%dT%H:%M",
        default=_now_minute,
        validators=[InputRequired(message="Enter when the contact happened.")],
    )
    mode = SelectField(
        "Mode", choices=blank_choice(CONTACT_MODES), validators=[InputRequired(message="Choose a mode.")]
    )
    contact_type = SelectField(
        "Type", choices=blank_choice(CONTACT_TYPES), validators=[InputRequired(message="Choose a type.")]
    )
    outcome = RadioField(
        "Result", choices=[("completed", "Completed"), ("attempted", "Attempted, not reached")], default="completed"
    )
    duration_minutes = IntegerField(
        "Duration (minutes)",
        validators=[Optional(), NumberRange(min=0, max=1440, message="Enter 0 to 1440 minutes.")],
    )
    location_area = StringField("Location area", validators=[Optional(), Length(max=80)])
    notes = TextAreaField("Note", validators=[Optional(), Length(max=5000)])

    def validate_mode(self, field):
        if not field.data:
            raise ValidationError("Choose a mode.")

    def validate_contact_type(self, field):
        if not field.data:
            raise ValidationError("Choose a type.")

    def validate_occurred_at(self, field):
        # An hour of slack covers phone clocks that run a little fast.
        if field.data and field.data > local_now() + timedelta(hours=1):
            raise ValidationError("A contact cannot be in the future.")


class ContactForm(ContactFields, SubmissionTokenMixin):
    """Log a contact; the token makes a double tap save one contact."""

    submit = SubmitField("Save contact")


class ContactEditForm(ContactFields, VersionMixin):
    """Correct a contact; the version catches someone else's save in between."""

    submit = SubmitField("Save changes")


class ScreeningForm(FlaskForm):
    """An eligibility screen: which of the program's criteria hold, or the person declined."""

    criteria = MultiCheckboxField("Criteria that hold", coerce=int)
    declined = BooleanField("The person declined the program")
    screened_on = DateField("Screened on", default=local_today, validators=[InputRequired(message="Enter a date.")])
    notes = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save screen")

    def validate_screened_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("The screening date cannot be in the future.")


class ReassignForm(FlaskForm):
    """Give the case to another member of the program."""

    worker_id = SelectField("New worker", coerce=int, validators=[InputRequired(message="Choose a worker.")])
    note = StringField("Reason (optional)", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Reassign")


class ClosureRequestForm(FlaskForm):
    """Ask to close the case; a supervisor approves."""

    reason = SelectField("Closure reason", choices=blank_choice(CLOSURE_REASONS))
    note = TextAreaField("Note for the supervisor (optional)", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Request closure")

    def validate_reason(self, field):
        if not field.data:
            raise ValidationError("Choose a closure reason.")


class ClosureDecisionForm(FlaskForm):
    """Approve or reject a closure request."""

    decision = RadioField("Decision", choices=[("approve", "Approve closure"), ("reject", "Keep the case open")])
    note = StringField("Note (optional)", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Save decision")

    def validate_decision(self, field):
        if field.data not in ("approve", "reject"):
            raise ValidationError("Choose approve or keep open.")


class StatusForm(FlaskForm):
    """Mark an open case active or inactive."""

    status = SelectField("Status", choices=[("active", "Active"), ("inactive", "Inactive")])
    submit = SubmitField("Change status")


class HandoffForm(FlaskForm):
    """Warm hand-off to another program."""

    program_id = SelectField("Receiving program", coerce=int, validators=[InputRequired(message="Choose a program.")])
    note = TextAreaField("Note for the receiving program (no case details)", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Hand off")
