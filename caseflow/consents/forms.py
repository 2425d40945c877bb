"""Forms for recording and revoking consent to share."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from caseflow.consents.services import default_expiry, one_year_after
from caseflow.forms_common import MultiCheckboxField, optional_int
from caseflow.models.choices import CONSENT_CATEGORIES
from caseflow.submissions import SubmissionTokenMixin
from caseflow.timezones import local_today


def _default_expiry():
    return default_expiry(local_today())


class ConsentForm(FlaskForm, SubmissionTokenMixin):
    """A signed consent: who obtained it, who may receive what, and for how long."""

    program_id = SelectField(
        "Recorded by program", coerce=int, validators=[InputRequired(message="Choose the program.")]
    )
    provider_id = SelectField("A provider from the directory", coerce=optional_int, validators=[Optional()])
    recipient_program_id = SelectField("Another program (for a hand-off)", coerce=optional_int, validators=[Optional()])
    # No Optional() here: it would stop the chain and skip the "name one recipient" check below.
    recipient = StringField("Another organisation (type its name)", validators=[Length(max=160)])
    categories = MultiCheckboxField("Information that may be shared (choose at least one)", choices=CONSENT_CATEGORIES)
    signed_on = DateField(
        "Signed on", default=local_today, validators=[InputRequired(message="Enter the date it was signed.")]
    )
    expires_on = DateField(
        "Expires on",
        default=_default_expiry,
        description="At most one year after signing.",
        validators=[InputRequired(message="Enter the expiry date.")],
    )
    submit = SubmitField("Record consent")

    def validate_categories(self, field):
        if not field.data:
            raise ValidationError("Choose at least one kind of information.")

    def validate_signed_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("The signing date cannot be in the future.")

    def validate_expires_on(self, field):
        signed = self.signed_on.data
        if not (field.data and signed):
            return
        if field.data < signed:
            raise ValidationError("The consent cannot expire before it was signed.")
        latest = one_year_after(signed)
        if field.data > latest:
            raise ValidationError(
                f"A consent lasts at most one year: choose {latest:%d %b %Y} or earlier,"
                " and ask the participant to sign again after that."
            )

    def validate_recipient(self, field):
        named = [v for v in (self.provider_id.data, self.recipient_program_id.data, (field.data or "").strip()) if v]
        if not named:
            raise ValidationError("Choose a provider or a program, or type the organisation's name.")
        if len(named) > 1:
            raise ValidationError("Name one recipient per consent: a provider, a program or an organisation.")


class ActionForm(FlaskForm):
    """An empty CSRF-protected form for one-button POST actions such as revoking."""

    submit = SubmitField("Confirm")
