"""Forms for finding, creating, editing and merging participants."""

import hashlib

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from caseflow.conflicts import VersionMixin
from caseflow.forms_common import MultiCheckboxField, blank_choice, optional_int
from caseflow.models.choices import GENDERS, RACE_ETHNICITIES, REFERRAL_SOURCES, RISK_LEVELS
from caseflow.participants.matching import phone_digits
from caseflow.submissions import SubmissionTokenMixin
from caseflow.timezones import local_today

START_STATUSES = [("referred", "Referred"), ("screening", "Screening"), ("active", "Active (enrolled)")]
# Typed by hand (no date picker) a US date is month first; the browser's date input sends ISO.
DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y"]


class SearchForm(FlaskForm):
    """Search terms travel in the POST body so names never reach URLs or logs."""

    q = StringField(
        "Name, alias, date of birth or phone",
        description="A date of birth can be 2004-03-09 or 03/09/2004.",
        validators=[
            DataRequired(message="Type part of a name, a date of birth or a phone number."),
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
    assigned_worker_id = SelectField("Assigned worker", coerce=optional_int, validators=[Optional()])

    def validate_referred_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("The referral date cannot be in the future.")


class PersonFields:
    """Who the person is: shared by the create and edit forms."""

    first_name = StringField("First name", validators=[DataRequired(message="Enter a first name."), Length(max=80)])
    last_name = StringField("Last name", validators=[DataRequired(message="Enter a last name."), Length(max=80)])
    aliases = StringField(
        "Aliases and street names",
        description="Separate several with commas.",
        validators=[Optional(), Length(max=400)],
    )
    date_of_birth = DateField(
        "Date of birth",
        format=DATE_FORMATS,
        validators=[Optional()],
        description="If unknown, leave blank and give an estimated age.",
    )
    estimated_age = IntegerField(
        "Estimated age (if date of birth unknown)",
        validators=[Optional(), NumberRange(min=0, max=120, message="Enter an age from 0 to 120.")],
    )
    gender = SelectField("Gender", choices=GENDERS, default="not_reported")
    race_ethnicity = MultiCheckboxField("Race and ethnicity (choose any)", choices=RACE_ETHNICITIES)
    preferred_language = StringField("Preferred language", validators=[Optional(), Length(max=60)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    area = StringField("Neighbourhood or area", validators=[Optional(), Length(max=80)])

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

    def person_fields(self) -> dict:
        """The person as keyword arguments for create_participant / update_participant."""
        return dict(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            aliases=self.alias_names(),
            race_ethnicities=self.race_ethnicity.data or [],
            date_of_birth=self.date_of_birth.data,
            estimated_age=self.estimated_age.data,
            gender=self.gender.data,
            preferred_language=self.preferred_language.data or "",
            phone=self.phone.data or "",
            area=self.area.data or "",
        )


class ParticipantForm(FlaskForm, SubmissionTokenMixin, PersonFields, CaseOpeningFields):
    """A new person and their first case."""

    # Set to identity_key() when possible matches were shown, so resubmitting the same
    # person creates them; changing the name, aliases, birth date or phone checks again.
    confirmed = HiddenField()
    submit = SubmitField("Create participant and open case")

    def identity_key(self) -> str:
        """A short fingerprint of what the duplicate check compared."""
        parts = [
            (self.first_name.data or "").strip().lower(),
            (self.last_name.data or "").strip().lower(),
            self.date_of_birth.data.isoformat() if self.date_of_birth.data else "",
            phone_digits(self.phone.data or ""),
            ",".join(sorted(a.lower() for a in self.alias_names())),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


class ParticipantEditForm(FlaskForm, VersionMixin, PersonFields):
    """Correct who the person is; the version catches someone else's save in between.

    The view removes is_ipv_protected for users who may not set it, so for them it is never bound.
    """

    is_ipv_protected = BooleanField(
        "IPV-protected (survivor of intimate partner violence)",
        description=(
            "Only victim-services staff on this person's cases will see this record, its cases and everything "
            "in them. Everyone else, you included unless you are victim-services staff here, will get "
            "'not found': it leaves search, lists, duplicate checks and partner figures, and no one "
            "can open it by emergency access."
        ),
    )
    submit = SubmitField("Save changes")


class OpenCaseForm(FlaskForm, CaseOpeningFields):
    """Open a case for an existing person in another program."""

    submit = SubmitField("Open case")


class MergeFindForm(FlaskForm):
    """Find the other record to merge: a record number, or a name searched in the POST body."""

    q = StringField(
        "Record number or name",
        validators=[
            DataRequired(message="Type a record number or part of a name."),
            Length(min=1, max=80, message="Type up to 80 characters."),
        ],
    )
    find = SubmitField("Find")


class MergeForm(FlaskForm):
    """Confirm that two records are one person, which one to keep, and why."""

    other_id = HiddenField(validators=[InputRequired()])
    keep_id = RadioField("Keep which record?", coerce=int, validators=[InputRequired(message="Choose a record.")])
    note = TextAreaField(
        "Why are these the same person?",
        description="For example: same date of birth and phone; confirmed with the participant.",
        validators=[
            DataRequired(message="Say why these records are the same person."),
            Length(max=1000, message="Keep the note under 1000 characters."),
        ],
    )
    merge = SubmitField("Merge these records")

    def validate_other_id(self, field):
        if not str(field.data or "").isdigit():
            raise ValidationError("Choose the other record again.")


class ReportDuplicateForm(FlaskForm):
    """A worker's report that another record is the same person, for a supervisor to merge."""

    other_id = IntegerField(
        "Record number of the other record",
        description="The number after # on the other person's page.",
        validators=[InputRequired(message="Enter the other record's number."), NumberRange(min=1)],
    )
    reason = TextAreaField(
        "Why are these the same person?",
        description="For example: same date of birth and phone; the participant confirmed the street name.",
        validators=[
            DataRequired(message="Say why you think these records are the same person."),
            Length(max=1000, message="Keep the reason under 1000 characters."),
        ],
    )
    submit = SubmitField("Send to a supervisor")


class ReturnMergeRequestForm(FlaskForm):
    """A supervisor returns a duplicate report with what the worker should check."""

    note = TextAreaField(
        "Why return it?",
        validators=[
            DataRequired(message="Say why you are returning this report."),
            Length(max=1000, message="Keep the note under 1000 characters."),
        ],
    )
    submit = SubmitField("Return to the worker")
