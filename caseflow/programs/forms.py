"""Program settings forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from caseflow.conflicts import VersionMixin
from caseflow.forms_common import MultiCheckboxField
from caseflow.models.choices import REFERRAL_SOURCES
from caseflow.submissions import SubmissionTokenMixin


class ProgramSettingsForm(FlaskForm, VersionMixin):
    """The settings a manager tunes; the version catches a colleague's save in between."""

    eligibility_threshold = IntegerField(
        "Criteria that must hold to enrol",
        validators=[InputRequired(message="Enter a number."), NumberRange(min=0, max=50, message="Enter 0 to 50.")],
    )
    contact_frequency_days = IntegerField(
        "Contact every (days)",
        validators=[InputRequired(message="Enter a number."), NumberRange(min=1, max=365, message="Enter 1 to 365.")],
    )
    caseload_target = IntegerField(
        "Caseload target per worker",
        validators=[InputRequired(message="Enter a number."), NumberRange(min=1, max=500, message="Enter 1 to 500.")],
    )
    workers_see_own_caseload_only = BooleanField("Workers see only their own caseload")
    retention_years = IntegerField(
        "Keep ended cases and deleted records for (years; empty keeps them forever)",
        validators=[
            Optional(),
            NumberRange(min=1, max=99, message="Enter 1 to 99 years, or leave it empty to keep records forever."),
        ],
    )
    referral_sources = MultiCheckboxField(
        "Referral sources offered at intake (none ticked offers all)", choices=REFERRAL_SOURCES
    )
    submit = SubmitField("Save settings")


class CriterionForm(FlaskForm, SubmissionTokenMixin):
    """Add one criterion to the eligibility screen; the token makes a double submit add it once (S30)."""

    text = StringField("New criterion", validators=[DataRequired(message="Describe the criterion."), Length(max=200)])
    submit = SubmitField("Add criterion")


class PurgeForm(FlaskForm):
    """Confirm a retention purge: the program's name typed out, and the counts the page showed."""

    confirm_name = StringField(
        "Type the program's name to confirm",
        validators=[DataRequired(message="Type the program's name to confirm.")],
    )
    expected = HiddenField()
    submit = SubmitField("Delete these records for good")
