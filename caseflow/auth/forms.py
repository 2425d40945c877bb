"""Login form. The password field is not length-checked here: the service decides."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(message="Enter your email."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    submit = SubmitField("Log in")


class LogoutForm(FlaskForm):
    """An empty form so logout is a CSRF-protected POST."""

    submit = SubmitField("Log out")


CODE_LABEL = "Code from your authenticator app, or a recovery code"


class LoginCodeForm(FlaskForm):
    """The second step of logging in: a code from the app, or one of the recovery codes."""

    code = StringField(CODE_LABEL, validators=[DataRequired(message="Enter the code from your app."), Length(max=32)])
    submit = SubmitField("Log in")


class ReauthForm(FlaskForm):
    """The current password again (and a code, with two-step login on), before a high-risk action."""

    password = PasswordField("Your password", validators=[DataRequired(message="Enter your password.")])
    # Required by the view only for users with two-step login; others never see it.
    code = StringField(CODE_LABEL, validators=[Length(max=32)])
    submit = SubmitField("Confirm")
