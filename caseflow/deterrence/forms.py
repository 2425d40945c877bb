"""Forms for focused deterrence: groups, affiliations, call-ins and attendance, notifications, the figures range."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from caseflow.conflicts import VersionMixin
from caseflow.forms_common import MultiCheckboxField, blank_choice
from caseflow.models.choices import SERVICE_CATEGORIES
from caseflow.models.deterrence import ATTENDANCE, NOTIFICATION_TRIGGERS
from caseflow.submissions import SubmissionTokenMixin
from caseflow.timezones import local_today

# A call-in is a room of people, not a stadium: the bound catches a typo like 1000.
MAX_PEOPLE = 500


def _count_field(label: str) -> IntegerField:
    """A count of people where a blank means none."""
    return IntegerField(
        label,
        default=0,
        validators=[Optional(), NumberRange(min=0, max=MAX_PEOPLE, message=f"Enter a number from 0 to {MAX_PEOPLE}.")],
        render_kw={"inputmode": "numeric"},
    )


class GroupForm(FlaskForm, SubmissionTokenMixin):
    """Add a group the program works with: a name and an area, nothing about its members."""

    name = StringField("Group name", validators=[InputRequired(message="Enter the group's name."), Length(max=120)])
    area = StringField("Area (optional)", validators=[Optional(), Length(max=80)])
    submit = SubmitField("Add group")


class AffiliationForm(FlaskForm, SubmissionTokenMixin):
    """Record that the person is affiliated with one of the program's groups."""

    group_id = SelectField("Group", coerce=int, validators=[InputRequired(message="Choose a group.")])
    submit = SubmitField("Add affiliation")

    def validate_group_id(self, field):
        if not field.data:
            raise ValidationError("Choose a group.")


# People asking for each service category at a call-in: one count per category, blank meaning none.
ServiceCountsForm = type(
    "ServiceCountsForm",
    (Form,),
    {value: _count_field(label) for value, label in SERVICE_CATEGORIES},
)


class CallInFields(FlaskForm):
    """A call-in's own details; speakers are counted by sector and never named."""

    held_at = DateTimeLocalField(
        "Date and time", format="%Y-%m-%dT%H:%M", validators=[InputRequired(message="Enter when the call-in was held.")]
    )
    venue = StringField("Venue", validators=[InputRequired(message="Enter the venue."), Length(max=160)])
    speakers_community = _count_field("Community speakers")
    speakers_services = _count_field("Service provider speakers")
    speakers_law_enforcement = _count_field("Law enforcement speakers")
    notes = TextAreaField("Notes (optional, no names)", validators=[Optional(), Length(max=5000)])


class CallInForm(CallInFields, SubmissionTokenMixin):
    """Record a call-in with its invitees and the services asked for; the token makes a double tap save one."""

    invitees = MultiCheckboxField("Invited participants", coerce=int)
    services = FormField(ServiceCountsForm, label="Services requested (number of people)")
    submit = SubmitField("Save call-in")


class CallInEditForm(CallInFields, VersionMixin):
    """Correct a call-in's details; the version catches a colleague's save in between."""

    submit = SubmitField("Save changes")


class InviteeRowForm(Form):
    """One invitee's attendance; the offer of help is made in the room, so only someone who came can accept it."""

    invitee_id = HiddenField()
    attendance = SelectField("Attendance", choices=ATTENDANCE, default="invited")
    help_accepted = BooleanField("Accepted the offer of help")

    def validate_help_accepted(self, field):
        if field.data and self.attendance.data != "attended":
            raise ValidationError("Only someone who attended can have accepted the offer of help.")


class AttendanceForm(FlaskForm):
    """Attendance for every invitee the user may see, saved together."""

    rows = FieldList(FormField(InviteeRowForm))
    submit = SubmitField("Save attendance")


class NotificationFields(FlaskForm):
    """A custom notification: when, why, whether it reached the person and whether they took the offer of help."""

    notified_on = DateField(
        "Date", default=local_today, validators=[InputRequired(message="Enter the date of the notification.")]
    )
    trigger = SelectField("Trigger", choices=blank_choice(NOTIFICATION_TRIGGERS))
    delivered = BooleanField("Delivered to the person")
    offer_accepted = BooleanField("Accepted the offer of help")
    notes = TextAreaField("Notes (optional)", validators=[Optional(), Length(max=5000)])

    def validate_notified_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("The date cannot be in the future.")

    def validate_trigger(self, field):
        if field.data not in dict(NOTIFICATION_TRIGGERS):
            raise ValidationError("Choose what triggered the notification.")

    def validate_offer_accepted(self, field):
        if field.data and not self.delivered.data:
            raise ValidationError("Only a delivered notification can have its offer of help accepted.")


class NotificationForm(NotificationFields, SubmissionTokenMixin):
    """Record a notification; the token makes a double tap save one."""

    participant_id = SelectField("Person", coerce=int, validators=[InputRequired(message="Choose the person.")])
    submit = SubmitField("Save notification")

    def validate_participant_id(self, field):
        if not field.data:
            raise ValidationError("Choose the person.")


class NotificationEditForm(NotificationFields, VersionMixin):
    """Correct a notification; the person stays the same."""

    submit = SubmitField("Save changes")


class FiguresRangeForm(FlaskForm):
    """The period the figures cover, in local calendar days; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    start = DateField("From", validators=[InputRequired(message="Enter the first day.")])
    end = DateField("To", validators=[InputRequired(message="Enter the last day.")])

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The last day cannot be before the first.")
