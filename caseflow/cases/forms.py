"""Forms for work on a case."""

from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from caseflow.forms_common import blank_choice
from caseflow.models.choices import CONTACT_MODES, CONTACT_TYPES
from caseflow.timezones import local_now


def _now_minute() -> datetime:
    return local_now().replace(second=0, microsecond=0)


class ContactForm(FlaskForm):
    """Log a contact in one short screen: three required fields, the rest optional."""

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
    submit = SubmitField("Save contact")

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
