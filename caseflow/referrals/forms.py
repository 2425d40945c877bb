"""Forms for making a referral and moving it along its lifecycle."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from caseflow.conflicts import VersionMixin
from caseflow.forms_common import blank_choice, optional_int
from caseflow.models.choices import REFERRAL_STATUSES, SERVICE_CATEGORIES, label_of, values
from caseflow.referrals.services import DEFAULT_DUE_DAYS
from caseflow.submissions import SubmissionTokenMixin
from caseflow.timezones import local_today


def _due_hint() -> str:
    by_days: dict[int, list[str]] = {}
    for category, days in DEFAULT_DUE_DAYS.items():
        by_days.setdefault(days, []).append(label_of(SERVICE_CATEGORIES, category).lower())
    usual = max(by_days, key=lambda d: len(by_days[d]))
    special = "; ".join(
        f"{days} days for {', '.join(names)}" for days, names in sorted(by_days.items()) if days != usual
    )
    return f"Leave blank for the usual: {usual} days after the referral ({special})."


class ReferralForm(FlaskForm, SubmissionTokenMixin):
    """Refer a case to a provider; the token makes a double tap save one referral."""

    service_category = SelectField(
        "Service needed",
        choices=blank_choice(SERVICE_CATEGORIES),
        validators=[InputRequired(message="Choose the service needed.")],
    )
    provider_id = SelectField("Provider", coerce=optional_int, validators=[InputRequired(message="Choose a provider.")])
    referred_on = DateField(
        "Referred on", default=local_today, validators=[InputRequired(message="Enter the referral date.")]
    )
    due_on = DateField("Connection due by", description=_due_hint(), validators=[Optional()])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
    is_anonymous = BooleanField("Send without identifying information (anonymous referral)")
    submit = SubmitField("Make referral")

    def validate_referred_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("The referral date cannot be in the future.")

    def validate_due_on(self, field):
        if field.data and self.referred_on.data and field.data < self.referred_on.data:
            raise ValidationError("The due date cannot be before the referral date.")


class StatusForm(FlaskForm, VersionMixin):
    """Record the next step of a referral on the day it happened."""

    # The choices shown are the allowed next steps; a posted status outside them reaches the
    # service, which refuses it with a message rather than a bare "Not a valid choice".
    status = SelectField("New status", validate_choice=False, validators=[InputRequired(message="Choose a status.")])
    changed_on = DateField(
        "Date of the change", default=local_today, validators=[InputRequired(message="Enter the date.")]
    )
    submit = SubmitField("Update status")

    def validate_status(self, field):
        if field.data not in values(REFERRAL_STATUSES):
            raise ValidationError("Choose a status from the list.")

    def validate_changed_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("The date of the change cannot be in the future.")


class ActionForm(FlaskForm):
    """An empty CSRF-protected form for one-button POST actions such as deleting."""

    submit = SubmitField("Confirm")
