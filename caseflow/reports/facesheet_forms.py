"""The facesheet request form: who it is for, why, whether it leaves the program, and which sections print."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import Length, ValidationError

from caseflow.forms_common import MultiCheckboxField
from caseflow.models.choices import CONSENT_CATEGORIES
from caseflow.reports.facesheet import DEFAULT_CATEGORIES
from caseflow.submissions import SubmissionTokenMixin


class FacesheetForm(FlaskForm, SubmissionTokenMixin):
    """Ask for one facesheet; the token makes a double submit archive one disclosure, not two."""

    recipient = StringField(
        "Recipient (the person or organisation receiving it, as named on the consent)",
        validators=[Length(max=160, message="Keep the recipient under 160 characters.")],
    )
    purpose = StringField(
        "Purpose (why it is being shared)",
        validators=[Length(max=200, message="Keep the purpose under 200 characters.")],
    )
    internal = BooleanField("For this program's own file (it will not leave the program; leave the recipient empty)")
    # Redacted by default (S5): health, justice and case notes are unticked until someone chooses them.
    categories = MultiCheckboxField(
        'Sections to include (unticked sections print as "Withheld")',
        choices=CONSENT_CATEGORIES,
        default=list(DEFAULT_CATEGORIES),
    )
    submit = SubmitField("Download facesheet PDF")

    def validate_recipient(self, field):
        if not self.internal.data and not (field.data or "").strip():
            raise ValidationError('Say who will receive the facesheet, or tick "for this program\'s own file".')

    def validate_purpose(self, field):
        if not (field.data or "").strip():
            raise ValidationError('Say why the facesheet is being shared, for example "court letter".')

    def validate_categories(self, field):
        if not field.data:
            raise ValidationError("Choose at least one section.")
