"""Report periods: calendar quarters, federal and state fiscal years, and custom ranges.

Each returns a Period (start, end, label): a closed range of local calendar days and the words
the report prints for it, so every format names the period the same way.
"""

from datetime import date, timedelta
from typing import NamedTuple

from flask import current_app, has_app_context

DEFAULT_STATE_FISCAL_START_MONTH = 7


class Period(NamedTuple):
    """A closed range of local calendar days and how the report names it."""

    start: date
    end: date
    label: str


def _day(value: date) -> str:
    return value.strftime("%d %b %Y")


def _month_before(year: int, month: int) -> date:
    """The last day of the month before (year, month)."""
    return date(year, month, 1) - timedelta(days=1)


def quarter(year: int, q: int) -> Period:
    """A calendar quarter: Q1 is January to March."""
    if q not in (1, 2, 3, 4):
        raise ValueError("A quarter is 1, 2, 3 or 4.")
    start = date(year, 3 * q - 2, 1)
    end = _month_before(year + 1, 1) if q == 4 else _month_before(year, 3 * q + 1)
    return Period(start, end, f"Q{q} {year} ({_day(start)} to {_day(end)})")


def federal_fiscal_year(fy: int) -> Period:
    """The federal fiscal year named for the year it ends: FY2026 is 1 October 2025 to 30 September 2026."""
    start, end = date(fy - 1, 10, 1), date(fy, 9, 30)
    return Period(start, end, f"Federal fiscal year {fy} ({_day(start)} to {_day(end)})")


def state_fiscal_year(fy: int, start_month: int | None = None) -> Period:
    """A state fiscal year named for the year it ends; it starts on the deployment's configured month.

    With the default July start, FY2026 is 1 July 2025 to 30 June 2026; a January start is the calendar year.
    """
    if start_month is None:
        configured = current_app.config.get("STATE_FISCAL_YEAR_START_MONTH") if has_app_context() else None
        start_month = int(configured or DEFAULT_STATE_FISCAL_START_MONTH)
    if not 1 <= start_month <= 12:
        raise ValueError("The state fiscal year's first month is 1 to 12.")
    if start_month == 1:
        start, end = date(fy, 1, 1), date(fy, 12, 31)
    else:
        start, end = date(fy - 1, start_month, 1), _month_before(fy, start_month)
    return Period(start, end, f"State fiscal year {fy} ({_day(start)} to {_day(end)})")


def custom(start: date, end: date) -> Period:
    """Any closed range of days, first day not after the last."""
    if end < start:
        raise ValueError("The last day cannot be before the first.")
    return Period(start, end, f"{_day(start)} to {_day(end)}")
