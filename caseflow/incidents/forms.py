"""Forms for the incident register: the list filter, create/edit, and linking people."""

from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from caseflow.conflicts import VersionMixin
from caseflow.forms_common import blank_choice
from caseflow.models.incident import INCIDENT_KINDS, INCIDENT_SOURCES, INCIDENT_STATUSES
from caseflow.submissions import SubmissionTokenMixin
from caseflow.timezones import local_now

MAX_VICTIMS = 50


def _now_minute() -> datetime:
    return local_now().replace(second=0, microsecond=0)


class IncidentFilterForm(FlaskForm):
    """List filters travel in the query string: they hold no participant data."""

    class Meta:
        csrf = False

    date_from = DateField("From (date)", validators=[Optional()])
    date_to = DateField("To (date)", validators=[Optional()])
    area = StringField("Area contains", validators=[Optional(), Length(max=80)])
    kind = SelectField("Kind", choices=blank_choice(INCIDENT_KINDS, "Any kind"), validators=[Optional()])
    source = SelectField("Source", choices=blank_choice(INCIDENT_SOURCES, "Any source"), validators=[Optional()])
    status = SelectField("Status", choices=blank_choice(INCIDENT_STATUSES, "Any status"), validators=[Optional()])
    submit = SubmitField("Filter")

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")


def _count_field(label: str) -> IntegerField:
    return IntegerField(
        label,
        default=0,
        validators=[
            InputRequired(message="Enter a number, 0 if none."),
            NumberRange(min=0, max=MAX_VICTIMS, message=f"Enter 0 to {MAX_VICTIMS}."),
        ],
    )


class IncidentFields(FlaskForm):
    """The fields of an incident: coarse area only, never an exact address."""

    occurred_at = DateTimeLocalField(
        "Date and time",
        format="%Y-%m-%dT%H:%M",
        default=_now_minute,
        validators=[InputRequired(message="Enter when it happened.")],
    )
    area = StringField(
        "Area",
        description="A neighbourhood or beat, not an exact address.",
        validators=[DataRequired(message="Enter the area."), Length(max=80)],
    )
    kind = SelectField("Kind", choices=INCIDENT_KINDS, default="shooting")
    fatal_victims = _count_field("Fatal victims")
    nonfatal_victims = _count_field("Non-fatal victims")
    source = SelectField(
        "Source", choices=blank_choice(INCIDENT_SOURCES), validators=[InputRequired(message="Choose a source.")]
    )
    source_ref = StringField(
        "Source reference",
        description="The police or hospital number, if any.",
        validators=[Optional(), Length(max=80)],
    )
    status = SelectField("Status", choices=INCIDENT_STATUSES, default="reported")
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])

    def validate_source(self, field):
        if not field.data:
            raise ValidationError("Choose a source.")

    def validate_occurred_at(self, field):
        # An hour of slack covers phone clocks that run a little fast, as for contacts.
        if field.data and field.data > local_now() + timedelta(hours=1):
            raise ValidationError("An incident cannot be in the future.")

    def validate_kind(self, field):
        # Shots fired with no injury is its own kind: a victim makes it a shooting.
        victims = (self.fatal_victims.data or 0) + (self.nonfatal_victims.data or 0)
        if field.data == "shots_fired" and victims > 0:
            raise ValidationError(
                "Shots fired means no one was hit: set both victim counts to 0, or choose Shooting with injury."
            )


class IncidentForm(IncidentFields, SubmissionTokenMixin):
    """Record an incident; the token makes a double tap save one incident."""

    submit = SubmitField("Save incident")


class IncidentEditForm(IncidentFields, VersionMixin):
    """Correct an incident; the version catches someone else's save in between."""

    submit = SubmitField("Save changes")


class FindPersonForm(FlaskForm):
    """Search terms travel in the POST body so names never reach URLs or logs."""

    q = StringField(
        "Find a participant to link (name, alias, date of birth or phone)",
        validators=[
            DataRequired(message="Type part of a name, a date of birth or a phone number."),
            Length(min=2, max=80, message="Type 2 to 80 characters."),
        ],
    )
    find = SubmitField("Search")
