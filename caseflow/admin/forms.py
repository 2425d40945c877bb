"""Administration forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, NumberRange, ValidationError

from caseflow.auth.passwords import password_problem
from caseflow.models.choices import PROGRAM_KINDS, ROLES


class NewUserForm(FlaskForm):
    """A new staff account."""

    full_name = StringField("Full name", validators=[DataRequired(message="Enter a name."), Length(max=120)])
    email = EmailField(
        "Email",
        validators=[DataRequired(message="Enter an email."), Email(message="Enter a valid email."), Length(max=254)],
    )
    password = PasswordField("Password (12 to 128 characters)", validators=[DataRequired(message="Enter a password.")])
    confirm = PasswordField("Repeat password", validators=[EqualTo("password", message="The two passwords differ.")])
    is_admin = BooleanField("Administrator (manages accounts; sees no case data)")
    submit = SubmitField("Create account")

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.email.data, self.full_name.data)
        if problem:
            raise ValidationError(problem)


class MembershipForm(FlaskForm):
    """Grant a user a role in a program."""

    program_id = SelectField("Program", coerce=int, validators=[InputRequired(message="Choose a program.")])
    role = SelectField("Role", choices=ROLES, validators=[InputRequired()])
    is_victim_services = BooleanField(
        "Victim-services staff (may see IPV-protected participants)",
        description=(
            "Only victim-services staff see a program's IPV-protected participants: as the assigned worker, "
            "or as a supervisor or manager of the program. Adding an existing program again changes the role "
            "and this setting."
        ),
    )
    submit = SubmitField("Add to program")


class ProgramForm(FlaskForm):
    """A new program."""

    name = StringField("Name", validators=[DataRequired(message="Enter a name."), Length(max=120)])
    kind = SelectField("Kind", choices=PROGRAM_KINDS)
    organisation = StringField("Organisation", validators=[Length(max=160)])
    contact_frequency_days = IntegerField(
        "Contact every (days)", default=7, validators=[InputRequired(), NumberRange(min=1, max=365)]
    )
    caseload_target = IntegerField(
        "Caseload target per worker", default=15, validators=[InputRequired(), NumberRange(min=1, max=500)]
    )
    workers_see_own_caseload_only = BooleanField("Workers see only their own caseload")
    submit = SubmitField("Create program")
