"""Login form. The password field is not length-checked here: the service decides."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(message="Enter your email."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    submit = SubmitField("Log in")


class LogoutForm(FlaskForm):
    """An empty form so logout is a CSRF-protected POST."""

    submit = SubmitField("Log out")


class ReauthForm(FlaskForm):
    """The current password again, before a high-risk action."""

    password = PasswordField("Your password", validators=[DataRequired(message="Enter your password.")])
    submit = SubmitField("Confirm")
