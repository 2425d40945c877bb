"""Account forms. None of them names a user: every one acts on the logged-in account only (S3)."""

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from caseflow.auth.passwords import password_problem


class PasswordChangeForm(FlaskForm):
    """The current password, then the new one twice."""

    current_password = PasswordField(
        "Current password", validators=[DataRequired(message="Enter your current password.")]
    )
    new_password = PasswordField(
        "New password (12 to 128 characters)", validators=[DataRequired(message="Enter a new password.")]
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired(message="Repeat the new password."),
            EqualTo("new_password", message="The two new passwords differ."),
        ],
    )
    submit = SubmitField("Change password")

    def validate_new_password(self, field):
        problem = password_problem(field.data or "", current_user.email, current_user.full_name)
        if problem:
            raise ValidationError(problem)


class EnrolmentForm(FlaskForm):
    """The code the authenticator app shows, proving it holds the new secret."""

    code = StringField(
        "6-digit code from your app",
        validators=[DataRequired(message="Enter the 6 digits your app shows."), Length(max=16)],
    )
    submit = SubmitField("Switch on two-step login")
