"""Forms for street outreach: mediations, shooting responses, community activity and the list filter."""

from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from caseflow.conflicts import VersionMixin
from caseflow.forms_common import blank_choice, optional_int
from caseflow.models.outreach import (
    ACTIVITY_KINDS,
    MEDIATION_OUTCOMES,
    MEDIATION_SOURCES,
    RESPONSE_LOCATIONS,
    VIOLENCE_RISKS,
)
from caseflow.submissions import SubmissionTokenMixin
from caseflow.timezones import local_now, local_today

# Phone clocks run a little fast; an hour of slack keeps a street entry from bouncing.
CLOCK_SLACK = timedelta(hours=1)
MAX_PARTIES = 100
MAX_HOURS = 1000


def _now_minute() -> datetime:
    return local_now().replace(second=0, microsecond=0)


def _not_future(field) -> None:
    if field.data and field.data > local_now() + CLOCK_SLACK:
        raise ValidationError("This time cannot be in the future.")


def _chosen(field, choices, message: str) -> None:
    if field.data not in dict(choices):
        raise ValidationError(message)


class MediationFilterForm(FlaskForm):
    """List filters travel in the query string: they hold no participant data and no groups."""

    class Meta:
        csrf = False

    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    outcome = SelectField("Outcome", choices=blank_choice(MEDIATION_OUTCOMES, "Any outcome"), validators=[Optional()])
    identified_by = SelectField(
        "How identified", choices=blank_choice(MEDIATION_SOURCES, "Any source"), validators=[Optional()]
    )
    submit = SubmitField("Show")

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end date is before the start date.")


class MediationFields(FlaskForm):
    """One conflict mediation; the area is coarse, never an exact address."""

    occurred_at = DateTimeLocalField(
        "Date and time",
        format="%Y-%m-%dT%H:%M",
        default=_now_minute,
        validators=[InputRequired(message="Enter when the mediation happened.")],
    )
    area = StringField(
        "Area",
        description="A neighbourhood or block, not an exact address.",
        validators=[DataRequired(message="Enter the area."), Length(max=80)],
    )
    identified_by = SelectField("How the conflict was identified", choices=blank_choice(MEDIATION_SOURCES))
    incident_id = SelectField("Related incident (optional)", coerce=optional_int, validators=[Optional()])
    parties_count = IntegerField(
        "Number of parties",
        default=2,
        validators=[
            InputRequired(message="Enter how many parties, at least 2."),
            NumberRange(min=2, max=MAX_PARTIES, message=f"Enter 2 to {MAX_PARTIES}."),
        ],
    )
    groups_involved = TextAreaField(
        "Groups involved (sensitive: seen only by this program's staff)",
        validators=[Optional(), Length(max=2000)],
        render_kw={"autocomplete": "off"},
    )
    weapons_present = BooleanField("Weapons were present")
    imminent_risk = SelectField("Risk of imminent violence", choices=VIOLENCE_RISKS, default="moderate")
    actions_taken = TextAreaField("Actions taken", validators=[Optional(), Length(max=5000)])
    outcome = SelectField("Outcome", choices=MEDIATION_OUTCOMES, default="ongoing")

    def validate_occurred_at(self, field):
        _not_future(field)

    def validate_identified_by(self, field):
        _chosen(field, MEDIATION_SOURCES, "Choose how the conflict was identified.")


class MediationForm(MediationFields, SubmissionTokenMixin):
    """Record a mediation; the token makes a double tap save one mediation."""

    submit = SubmitField("Save mediation")


class MediationEditForm(MediationFields, VersionMixin):
    """Correct a mediation or record its outcome; the version catches a concurrent save."""

    submit = SubmitField("Save changes")


class ResponseFields(FlaskForm):
    """The program's response to one shooting in the register; times are the local wall clock."""

    incident_id = SelectField(
        "Incident", coerce=optional_int, validators=[InputRequired(message="Choose the incident.")]
    )
    responder_id = SelectField("Who responded", coerce=optional_int)
    location = SelectField("Where", choices=blank_choice(RESPONSE_LOCATIONS))
    first_response_at = DateTimeLocalField(
        "Time of first response",
        format="%Y-%m-%dT%H:%M",
        default=_now_minute,
        validators=[InputRequired(message="Enter when the team first responded.")],
    )
    retaliation_risk = SelectField("Risk of retaliation", choices=VIOLENCE_RISKS, default="moderate")
    notes = TextAreaField("Notes (optional)", validators=[Optional(), Length(max=5000)])

    def validate_incident_id(self, field):
        if field.data is None:
            raise ValidationError("Choose the incident.")

    def validate_responder_id(self, field):
        if field.data is None:
            raise ValidationError("Choose who responded.")

    def validate_location(self, field):
        _chosen(field, RESPONSE_LOCATIONS, "Choose where the response happened.")

    def validate_first_response_at(self, field):
        _not_future(field)


class ResponseForm(ResponseFields, SubmissionTokenMixin):
    """Record a shooting response; the token makes a double tap save one response."""

    submit = SubmitField("Save response")


class ResponseEditForm(ResponseFields, VersionMixin):
    """Correct a shooting response; the version catches a concurrent save."""

    submit = SubmitField("Save changes")


class ActivityFields(FlaskForm):
    """Community work: staff time is typed in hours and kept in whole minutes."""

    occurred_on = DateField("Date", default=local_today, validators=[InputRequired(message="Enter the date.")])
    kind = SelectField("Kind of activity", choices=blank_choice(ACTIVITY_KINDS))
    area = StringField("Area (optional)", validators=[Optional(), Length(max=80)])
    staff_hours = DecimalField(
        "Staff hours (all staff together, e.g. 2.5)",
        places=2,
        validators=[
            InputRequired(message="Enter the staff hours, 0 if none."),
            NumberRange(min=0, max=MAX_HOURS, message=f"Enter 0 to {MAX_HOURS} hours."),
        ],
    )
    people_reached = IntegerField(
        "People reached",
        default=0,
        validators=[
            InputRequired(message="Enter how many people were reached, 0 if none."),
            NumberRange(min=0, max=100_000, message="Enter 0 or more."),
        ],
    )
    description = TextAreaField("Description (optional)", validators=[Optional(), Length(max=5000)])

    def validate_occurred_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("The date cannot be in the future.")

    def validate_kind(self, field):
        _chosen(field, ACTIVITY_KINDS, "Choose the kind of activity.")


class ActivityForm(ActivityFields, SubmissionTokenMixin):
    """Record an activity; the token makes a double tap save one activity."""

    submit = SubmitField("Save activity")


class ActivityEditForm(ActivityFields, VersionMixin):
    """Correct an activity; the version catches a concurrent save."""

    submit = SubmitField("Save changes")
