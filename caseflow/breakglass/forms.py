"""The emergency access form: who, found the way the search found them, and a written reason."""

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

MIN_REASON = 20


class BreakGlassForm(FlaskForm):
    """Who to open and why; the terms travel in the POST body, never the URL (S36)."""

    q = StringField(
        "Who: name, alias, date of birth or phone",
        description="The same details you searched with. Only a strong match outside your programs is opened.",
        validators=[
            DataRequired(message="Type the name, date of birth or phone you searched with."),
            Length(min=2, max=80, message="Type 2 to 80 characters."),
        ],
    )
    reason = TextAreaField(
        "Reason for emergency access",
        description=(
            f"At least {MIN_REASON} characters: what the emergency is and why it cannot wait for the other "
            "program's supervisor. It is recorded with your name and every page you open."
        ),
        validators=[
            DataRequired(message="Write the reason for opening this record."),
            Length(max=1000, message="Keep the reason under 1000 characters."),
        ],
    )
    submit = SubmitField("Open the record read-only")

    def validate_reason(self, field):
        # Spaces do not make a reason: count the words' characters, keep what was typed untouched.
        if len(" ".join((field.data or "").split())) < MIN_REASON:
            raise ValidationError(f"Write at least {MIN_REASON} characters: say what the emergency is.")
