"""Forms for the case plan: goals, outcomes, instruments and assessments."""

from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from caseflow.conflicts import VersionMixin
from caseflow.forms_common import blank_choice
from caseflow.models.choices import GOAL_DOMAINS, GOAL_STATUSES, OUTCOME_TYPES, RISK_LEVELS
from caseflow.plan.services import MAX_ITEM_POINTS, answer_label
from caseflow.submissions import SubmissionTokenMixin
from caseflow.timezones import local_now, local_today

# Column limits the forms must respect: an assessment copies the instrument's name into a
# String(80) and each item's text into a String(120), so longer values could not be saved.
INSTRUMENT_NAME_MAX = 80
ITEM_TEXT_MAX = 120


def _now_minute() -> datetime:
    return local_now().replace(second=0, microsecond=0)


def _not_future(message: str):
    """A date validator refusing days after today where the program works."""

    def check(_form, field):
        if field.data and field.data > local_today():
            raise ValidationError(message)

    return check


class GoalForm(SubmissionTokenMixin, FlaskForm):
    """Set one goal of the case plan."""

    domain = SelectField("Domain", choices=blank_choice(GOAL_DOMAINS), validators=[InputRequired("Choose a domain.")])
    description = TextAreaField(
        "Goal",
        validators=[DataRequired("Describe the goal."), Length(max=2000, message="Keep it under 2000 characters.")],
    )
    set_on = DateField(
        "Set on",
        default=local_today,
        validators=[
            InputRequired("Enter the date the goal was set."),
            _not_future("A goal cannot be set in the future."),
        ],
    )
    target_on = DateField("Target date (optional)", validators=[Optional()])
    submit = SubmitField("Save goal")

    def validate_target_on(self, field):
        # Past targets are allowed (plans typed up after the fact); only the order matters.
        if field.data and self.set_on.data and field.data < self.set_on.data:
            raise ValidationError("The target date cannot be before the date the goal was set.")


class EditGoalForm(VersionMixin, FlaskForm):
    """Change a goal's wording, target or status; the version guards against lost updates."""

    description = TextAreaField(
        "Goal",
        validators=[DataRequired("Describe the goal."), Length(max=2000, message="Keep it under 2000 characters.")],
    )
    target_on = DateField("Target date (optional)", validators=[Optional()])
    status = SelectField("Status", choices=GOAL_STATUSES)
    met_on = DateField(
        "Met on (when the status is Met; blank means today)",
        validators=[Optional(), _not_future("A goal cannot be met in the future.")],
    )
    submit = SubmitField("Save changes")


class OutcomeForm(SubmissionTokenMixin, FlaskForm):
    """Record a typed, dated event in the participant's life."""

    outcome_type = SelectField(
        "Outcome", choices=blank_choice(OUTCOME_TYPES), validators=[InputRequired("Choose an outcome.")]
    )
    occurred_on = DateField(
        "Date",
        default=local_today,
        validators=[
            InputRequired("Enter the date it happened."),
            _not_future("An outcome cannot be in the future."),
        ],
    )
    details = TextAreaField("Details (optional)", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save outcome")


class InstrumentForm(SubmissionTokenMixin, FlaskForm):
    """Create an assessment instrument for a program; items are added on its own page."""

    name = StringField(
        "Instrument name",
        validators=[
            DataRequired("Enter a name."),
            Length(max=INSTRUMENT_NAME_MAX, message=f"Keep the name under {INSTRUMENT_NAME_MAX} characters."),
        ],
    )
    submit = SubmitField("Create instrument")


class InstrumentItemForm(SubmissionTokenMixin, FlaskForm):
    """Add one scored question to an instrument."""

    text = StringField(
        "Question",
        validators=[
            DataRequired("Enter the question."),
            Length(max=ITEM_TEXT_MAX, message=f"Keep the question under {ITEM_TEXT_MAX} characters."),
        ],
    )
    max_points = IntegerField(
        "Maximum points (1 means a yes/no question)",
        default=1,
        validators=[
            InputRequired("Enter the maximum points."),
            NumberRange(min=1, max=MAX_ITEM_POINTS, message=f"Enter 1 to {MAX_ITEM_POINTS} points."),
        ],
    )
    add_item = SubmitField("Add question")


class InstrumentStatusForm(FlaskForm):
    """Take an instrument out of use, or back into use; past assessments keep their answers."""

    deactivate = SubmitField("Deactivate instrument")
    reactivate = SubmitField("Reactivate instrument")


def answer_choices(max_points: int) -> list[tuple[str, str]]:
    """What an item offers: yes/no for a one-point item, else 0..max_points, labelled as stored."""
    order = (1, 0) if max_points == 1 else range(max_points + 1)
    return blank_choice([(str(n), answer_label(max_points, n)) for n in order])


def item_field_name(item_id: int) -> str:
    """The form field that carries one item's answer."""
    return f"item_{item_id}"


class AssessmentForm(SubmissionTokenMixin, FlaskForm):
    """Fields every assessment has; assessment_form() adds one select per instrument item."""

    taken_at = DateTimeLocalField(
        "Taken at",
        format="%Y-%m-%dT%H:%M",
        default=_now_minute,
        validators=[InputRequired("Enter when the assessment was taken.")],
    )
    risk_level = SelectField(
        "Risk level (optional)", choices=blank_choice(RISK_LEVELS, "Not set"), validators=[Optional()]
    )
    submit = SubmitField("Save assessment")

    def validate_taken_at(self, field):
        # An hour of slack covers phone clocks that run a little fast, as for contacts.
        if field.data and field.data > local_now() + timedelta(hours=1):
            raise ValidationError("An assessment cannot be in the future.")

    def answered_points(self, items) -> dict[int, int]:
        """Item id -> points chosen, for validated data."""
        return {item.id: int(self[item_field_name(item.id)].data) for item in items}


def assessment_form(items, **kwargs) -> AssessmentForm:
    """An assessment form with one required select per item of the instrument."""

    class _InstrumentAssessmentForm(AssessmentForm):
        pass

    for item in items:
        setattr(
            _InstrumentAssessmentForm,
            item_field_name(item.id),
            SelectField(
                item.text, choices=answer_choices(item.max_points), validators=[InputRequired("Answer this question.")]
            ),
        )
    return _InstrumentAssessmentForm(**kwargs)
