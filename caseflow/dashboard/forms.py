"""The dashboard's period form."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired, ValidationError

# Long enough for a three-year comparison; longer periods make unreadable weekly charts.
MAX_DAYS = 3 * 366


class DashboardRangeForm(FlaskForm):
    """The period the dashboard covers, in local calendar days; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    start = DateField("From", validators=[InputRequired(message="Enter the first day, for example 2026-01-31.")])
    end = DateField("To", validators=[InputRequired(message="Enter the last day, for example 2026-12-31.")])

    def validate_end(self, field):
        start: date | None = self.start.data
        if field.data and start:
            if field.data < start:
                raise ValidationError("The last day cannot be before the first. Swap the two dates.")
            if (field.data - start).days >= MAX_DAYS:
                raise ValidationError("Choose a period of three years or less.")
