"""Forms for finding and creating participants."""

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from caseflow.forms_common import MultiCheckboxField, blank_choice
from caseflow.models.choices import GENDERS, RACE_ETHNICITIES, REFERRAL_SOURCES, RISK_LEVELS
from caseflow.timezones import local_today

START_STATUSES = [("referred", "Referred"), ("screening", "Screening"), ("active", "Active (enrolled)")]


class SearchForm(FlaskForm):
    """Search terms travel in the POST body so names never reach URLs or logs."""

    q = StringField(
        "Name, alias or street name",
        validators=[
            DataRequired(message="Type part of a name."),
            Length(min=2, max=80, message="Type 2 to 80 characters."),
        ],
    )
    submit = SubmitField("Search")


class CaseOpeningFields:
    """Fields to open a case, shared by 'new participant' and 'open another case'."""

    program_id = SelectField("Program", coerce=int, validators=[InputRequired(message="Choose a program.")])
    start_status = SelectField("Case status", choices=START_STATUSES, default="active")
    referral_source = SelectField("Referral source", choices=blank_choice(REFERRAL_SOURCES), validators=[Optional()])
    referred_on = DateField(
        "Referred on", default=local_today, validators=[InputRequired(message="Enter the referral date.")]
    )
    risk_level = SelectField("Risk level", choices=blank_choice(RISK_LEVELS, "Not assessed"), validators=[Optional()])

    def validate_referred_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("The referral date cannot be in the future.")


class ParticipantForm(FlaskForm, CaseOpeningFields):
    """A new person and their first case."""

    first_name = StringField("First name", validators=[DataRequired(message="Enter a first name."), Length(max=80)])
    last_name = StringField("Last name", validators=[DataRequired(message="Enter a last name."), Length(max=80)])
    aliases = StringField(
        "Aliases and street names",
        description="Separate several with commas.",
        validators=[Optional(), Length(max=400)],
    )
    date_of_birth = DateField("Date of birth", validators=[Optional()])
    estimated_age = IntegerField(
        "Estimated age (if date of birth unknown)",
        validators=[Optional(), NumberRange(min=0, max=120, message="Enter an age from 0 to 120.")],
    )
    gender = SelectField("Gender", choices=GENDERS, default="not_reported")
    race_ethnicity = MultiCheckboxField("Race and ethnicity (choose any)", choices=RACE_ETHNICITIES)
    preferred_language = StringField("Preferred language", validators=[Optional(), Length(max=60)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    area = StringField("Neighbourhood or area", validators=[Optional(), Length(max=80)])
    submit = SubmitField("Create participant and open case")

    def validate_date_of_birth(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("The date of birth cannot be in the future.")
        if field.data and field.data.year < 1900:
            raise ValidationError("Enter a date of birth after 1900.")

    def validate_phone(self, field):
        if field.data and not all(ch.isdigit() or ch in " +-().x" for ch in field.data):
            raise ValidationError("Use digits, spaces and + - ( ) only.")

    def alias_names(self) -> list[str]:
        """The aliases typed, split on commas, blanks and repeats removed."""
        seen: list[str] = []
        for raw in (self.aliases.data or "").split(","):
            name = raw.strip()
            if name and name.lower() not in {s.lower() for s in seen}:
                seen.append(name[:80])
        return seen


class OpenCaseForm(FlaskForm, CaseOpeningFields):
    """Open a case for an existing person in another program."""

    submit = SubmitField("Open case")
