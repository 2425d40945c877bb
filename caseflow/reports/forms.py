"""The report request form: template, programs, period, format, and who the disclosure is for."""

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from caseflow.forms_common import MultiCheckboxField, blank_choice
from caseflow.models import REPORT_FORMATS, Program
from caseflow.reports import periods
from caseflow.reports.registry import ReportTemplate
from caseflow.submissions import SubmissionTokenMixin

PERIOD_KINDS = [
    ("quarter", "Calendar quarter"),
    ("federal_fy", "Federal fiscal year (October to September)"),
    ("state_fy", "State fiscal year"),
    ("custom", "Custom dates"),
]
QUARTERS = [
    ("1", "Q1 (January to March)"),
    ("2", "Q2 (April to June)"),
    ("3", "Q3 (July to September)"),
    ("4", "Q4 (October to December)"),
]
# A custom range longer than this is almost certainly a typo in the year.
MAX_CUSTOM_DAYS = 5 * 366


class ReportForm(FlaskForm, SubmissionTokenMixin):
    """Ask for one report; the token makes a double submit archive one disclosure, not two."""

    template = SelectField("Funder template", validators=[InputRequired(message="Choose a template.")])
    programs = MultiCheckboxField("Programs", coerce=int)
    period_kind = SelectField("Kind of period", choices=PERIOD_KINDS, default="quarter")
    year = IntegerField(
        "Year (a fiscal year is named for the year it ends)",
        validators=[Optional(), NumberRange(min=2000, max=2100, message="Enter a year from 2000 to 2100.")],
    )
    quarter = SelectField("Quarter (for a calendar quarter)", choices=QUARTERS, default="1")
    start = DateField("First day (for custom dates)", validators=[Optional()])
    end = DateField("Last day (for custom dates)", validators=[Optional()])
    format = RadioField("Format", choices=REPORT_FORMATS, default="pdf")
    recipient = StringField(
        "Recipient (who will receive this report)",
        validators=[InputRequired(message="Say who will receive this report."), Length(max=160)],
    )
    purpose = StringField(
        "Purpose (why it is being sent)",
        validators=[InputRequired(message="Say why this report is being sent."), Length(max=200)],
    )
    submit = SubmitField("Generate report")

    def __init__(self, programs: list[Program], templates: dict[str, ReportTemplate], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._programs = {p.id: p for p in programs}
        self._templates = templates
        self.template.choices = blank_choice([(t.id, f"{t.title} ({t.funder})") for t in templates.values()])
        self.programs.choices = [(p.id, p.name) for p in programs]

    def validate_template(self, field):
        if field.data not in self._templates:
            raise ValidationError("Choose a template.")

    def validate_programs(self, field):
        if not field.data:
            raise ValidationError("Choose at least one program.")
        template = self._templates.get(self.template.data)
        if template is not None and template.program_kinds:
            wrong = [self._programs[p].name for p in field.data if self._programs[p].kind not in template.program_kinds]
            if wrong:
                raise ValidationError(f"This template is not for {', '.join(wrong)}.")

    def validate_year(self, field):
        if self.period_kind.data != "custom" and field.data is None:
            raise ValidationError("Enter the year, for example 2026.")

    def validate_start(self, field):
        if self.period_kind.data == "custom" and field.data is None:
            raise ValidationError("Enter the first day, for example 2026-01-01.")

    def validate_end(self, field):
        if self.period_kind.data != "custom":
            return
        if field.data is None:
            raise ValidationError("Enter the last day, for example 2026-03-31.")
        if self.start.data and field.data < self.start.data:
            raise ValidationError("The last day cannot be before the first. Swap the two dates.")
        if self.start.data and (field.data - self.start.data).days > MAX_CUSTOM_DAYS:
            raise ValidationError("Choose a period of five years or less.")

    def period(self) -> periods.Period:
        """The validated period."""
        kind = self.period_kind.data
        if kind == "quarter":
            return periods.quarter(self.year.data, int(self.quarter.data))
        if kind == "federal_fy":
            return periods.federal_fiscal_year(self.year.data)
        if kind == "state_fy":
            return periods.state_fiscal_year(self.year.data)
        return periods.custom(self.start.data, self.end.data)
