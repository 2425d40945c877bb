"""Forms for managing the service provider directory."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from caseflow.conflicts import VersionMixin
from caseflow.forms_common import MultiCheckboxField
from caseflow.models.choices import SERVICE_CATEGORIES
from caseflow.submissions import SubmissionTokenMixin


class ProviderFields(FlaskForm):
    """What the directory holds about one provider, shared by the new and edit forms."""

    name = StringField("Name", validators=[DataRequired(message="Enter the provider's name."), Length(max=160)])
    categories = MultiCheckboxField("Services offered (choose at least one)", choices=SERVICE_CATEGORIES)
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    email = EmailField("Email", validators=[Optional(), Email(message="Enter a valid email."), Length(max=254)])
    address = StringField("Address", validators=[Optional(), Length(max=255)])
    notes = TextAreaField("Notes (eligibility, hours, who to ask for)", validators=[Optional(), Length(max=5000)])
    is_active = BooleanField("Active (offered for new referrals)", default=True)

    def validate_categories(self, field):
        if not field.data:
            raise ValidationError("Choose at least one service.")

    def validate_phone(self, field):
        if field.data and not all(ch.isdigit() or ch in " +-().x" for ch in field.data):
            raise ValidationError("Use digits, spaces and + - ( ) only.")


class ProviderForm(ProviderFields, SubmissionTokenMixin):
    """Add a provider to the directory; the token makes a double tap save one row."""

    submit = SubmitField("Add provider")


class ProviderEditForm(ProviderFields, VersionMixin):
    """Change a provider; the version refuses to overwrite someone else's newer save."""

    submit = SubmitField("Save changes")
