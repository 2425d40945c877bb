"""Forms for the hospital program: injury intake and edits, victim compensation claims."""

from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from caseflow.conflicts import VersionMixin
from caseflow.forms_common import blank_choice
from caseflow.models.choices import GENDERS
from caseflow.models.hvip import CARE_LEVELS, COMPENSATION_STATUSES, FUNNEL_STAGES, INJURY_MECHANISMS
from caseflow.submissions import SubmissionTokenMixin
from caseflow.timezones import local_now, local_today

# Stages that end the funnel early must say why, so the program can report its reach honestly.
STAGES_NEEDING_REASON = ("ineligible", "not_approached", "declined")
# Phone clocks run a little fast; an hour of slack keeps a bedside entry from bouncing.
CLOCK_SLACK = timedelta(hours=1)


def _now_minute() -> datetime:
    return local_now().replace(second=0, microsecond=0)


def _not_future(field) -> None:
    if field.data and field.data > local_now() + CLOCK_SLACK:
        raise ValidationError("This time cannot be in the future.")


class InjuryFields(FlaskForm):
    """The intake of one violent injury; times are the local wall clock."""

    injured_at = DateTimeLocalField(
        "Injured at", format="%Y-%m-%dT%H:%M", validators=[InputRequired(message="Enter when the injury happened.")]
    )
    arrived_at = DateTimeLocalField(
        "Arrived at hospital",
        format="%Y-%m-%dT%H:%M",
        default=_now_minute,
        validators=[InputRequired(message="Enter when the patient arrived.")],
    )
    first_bedside_at = DateTimeLocalField(
        "First bedside contact (optional)", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    mechanism = SelectField("Mechanism", choices=blank_choice(INJURY_MECHANISMS))
    hospital = StringField("Hospital", validators=[InputRequired(message="Enter the hospital."), Length(max=120)])
    care_level = SelectField("Level of care", choices=blank_choice(CARE_LEVELS))
    funnel_stage = SelectField("Funnel stage", choices=FUNNEL_STAGES, default="screened")
    funnel_reason = StringField(
        "Reason (needed for not eligible, not approached, declined)", validators=[Length(max=200)]
    )
    patient_age = IntegerField(
        "Patient age (optional)", validators=[Optional(), NumberRange(min=0, max=120, message="Enter 0 to 120.")]
    )
    patient_gender = SelectField("Patient gender (optional)", choices=blank_choice(GENDERS, "— not recorded —"))
    discharged_on = DateField("Discharge date (optional)", validators=[Optional()])
    discharge_plan = TextAreaField("Discharge plan (optional)", validators=[Optional(), Length(max=5000)])
    medical_record_number = StringField(
        "Medical record number (optional)", validators=[Optional(), Length(max=40)], render_kw={"autocomplete": "off"}
    )

    def validate_mechanism(self, field):
        if field.data not in dict(INJURY_MECHANISMS):
            raise ValidationError("Choose a mechanism.")

    def validate_care_level(self, field):
        if field.data not in dict(CARE_LEVELS):
            raise ValidationError("Choose a level of care.")

    def validate_injured_at(self, field):
        _not_future(field)

    def validate_arrived_at(self, field):
        _not_future(field)
        if field.data and self.injured_at.data and field.data < self.injured_at.data:
            raise ValidationError("Arrival cannot be before the injury.")

    def validate_first_bedside_at(self, field):
        _not_future(field)
        if field.data and self.arrived_at.data and field.data < self.arrived_at.data:
            raise ValidationError("Bedside contact cannot be before arrival.")

    def validate_funnel_reason(self, field):
        if self.funnel_stage.data in STAGES_NEEDING_REASON and not (field.data or "").strip():
            raise ValidationError("Give a reason for this stage.")

    def validate_discharged_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("The discharge date cannot be in the future.")
        if field.data and self.arrived_at.data and field.data < self.arrived_at.data.date():
            raise ValidationError("Discharge cannot be before arrival.")


class InjuryForm(InjuryFields, SubmissionTokenMixin):
    """Record an injury; the token makes a double tap save one injury."""

    submit = SubmitField("Save injury")


class InjuryEditForm(InjuryFields, VersionMixin):
    """Move a patient along the funnel or correct the intake; the version catches a concurrent save."""

    submit = SubmitField("Save changes")


class ClaimFields(FlaskForm):
    """A victim compensation application and its decision."""

    applied_on = DateField(
        "Applied on", default=local_today, validators=[InputRequired(message="Enter the application date.")]
    )
    status = SelectField("Status", choices=COMPENSATION_STATUSES, default="applied")
    decided_on = DateField("Decided on (approved or denied)", validators=[Optional()])
    amount = DecimalField(
        "Amount awarded in dollars (approved only)",
        places=2,
        validators=[Optional(), NumberRange(min=0, max=10_000_000, message="Enter an amount of 0 or more.")],
    )
    notes = TextAreaField("Notes (optional)", validators=[Optional(), Length(max=5000)])

    def validate_applied_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("The application date cannot be in the future.")

    def validate(self, extra_validators=None):
        """An empty date field stops its own validators, so the 'decision needs a date' rule lives here."""
        valid = super().validate(extra_validators)
        if self.status.data in ("approved", "denied") and not self.decided_on.data and not self.decided_on.errors:
            self.decided_on.errors = [*self.decided_on.errors, "Enter when the claim was decided."]
            valid = False
        return valid

    def validate_decided_on(self, field):
        decided = self.status.data in ("approved", "denied")
        if not decided and field.data:
            raise ValidationError("Leave empty until the claim is approved or denied.")
        if field.data and field.data > local_today():
            raise ValidationError("The decision date cannot be in the future.")
        if field.data and self.applied_on.data and field.data < self.applied_on.data:
            raise ValidationError("The decision cannot be before the application.")

    def validate_amount(self, field):
        if field.data is not None and self.status.data != "approved":
            raise ValidationError("Enter an amount only for an approved claim.")


class ClaimForm(ClaimFields, SubmissionTokenMixin):
    """Record a compensation claim; the token makes a double tap save one claim."""

    submit = SubmitField("Save claim")


class ClaimEditForm(ClaimFields, VersionMixin):
    """Update a claim, usually with its decision."""

    submit = SubmitField("Save changes")
