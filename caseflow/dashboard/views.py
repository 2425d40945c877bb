"""Dashboard pages: one program's figures for a period as SVG charts with tables, and the cross-program view.

For supervisors and managers of the program; anyone else gets 404. Every figure is an SQL aggregate
over the program's live records, so the pages run the same number of statements however big it grows.
"""

from dataclasses import fields
from datetime import date

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_login import current_user

from caseflow.audit.rendering import render_and_commit
from caseflow.audit.services import record_event
from caseflow.dashboard import charts
from caseflow.dashboard.forms import DashboardRangeForm
from caseflow.dashboard.queries import (
    active_caseload,
    contacts_by_week,
    enrollments_by_month,
    outcome_counts,
    program_figures,
    program_headlines,
    referral_funnel,
)
from caseflow.models import Program
from caseflow.permissions import SUPERVISING_ROLES, memberships, programs_for
from caseflow.timezones import local_today

bp = Blueprint("dashboard", __name__)

DEFAULT_MONTHS = 12

# name in the URL -> (query, chart); the same pairs the PDF reports draw.
CHARTS = {
    "enrollments": (enrollments_by_month, charts.enrollments_chart),
    "caseload": (active_caseload, charts.caseload_chart),
    "contacts": (contacts_by_week, charts.contacts_chart),
    "referrals": (referral_funnel, charts.referral_funnel_chart),
    "outcomes": (outcome_counts, charts.outcomes_chart),
}

# An SVG image may style itself inline and do nothing else: no script, no fetch, no frame.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _default_period(today: date) -> tuple[date, date]:
    """The last 12 calendar months, the current (partial) month included, ending today."""
    index = today.year * 12 + (today.month - 1) - (DEFAULT_MONTHS - 1)
    return date(index // 12, index % 12 + 1, 1), today


def _period() -> tuple[DashboardRangeForm, date | None, date | None]:
    """The period asked for in the query string, or the default; (form, None, None) when the input is bad."""
    form = DashboardRangeForm(request.args)
    if "start" not in request.args and "end" not in request.args:
        start, end = _default_period(local_today())
        form.start.data, form.end.data = start, end
        return form, start, end
    if form.validate():
        return form, form.start.data, form.end.data
    return form, None, None


def _program_or_404(program_id: int) -> Program:
    """A live program the user supervises or manages; anyone else (workers, partners, admins) gets 404.

    Read from the memberships the request has already loaded (the menu needs them), so it costs no statement.
    """
    for program, role in memberships(current_user):
        if program.id == program_id and role in SUPERVISING_ROLES and program.deleted_at is None:
            return program
    abort(404)


@bp.route("/programs/<int:program_id>/dashboard", endpoint="program")
def program_dashboard(program_id: int):
    program = _program_or_404(program_id)
    form, start, end = _period()
    figures = {}
    if start is not None:
        found = program_figures(program.id, program.kind, start, end)
        figures = {field.name: getattr(found, field.name) for field in fields(found)}
    # Aggregates only, no names; the view itself is audited.
    record_event(current_user, "view", "dashboard", program.id)
    return render_and_commit("dashboard/program.html", program=program, form=form, start=start, end=end, **figures)


@bp.route("/programs/<int:program_id>/dashboard/<name>.svg")
def chart(program_id: int, name: str):
    program = _program_or_404(program_id)
    if name not in CHARTS:
        abort(404)
    _form, start, end = _period()
    if start is None:
        abort(400)
    query, draw = CHARTS[name]
    response = Response(draw(query([program.id], start, end)), mimetype="image/svg+xml")
    # pygal styles the image with an inline <style>; the app-wide CSP would blank it (security_headers keeps this).
    response.headers["Content-Security-Policy"] = CHART_CSP
    return response


@bp.route("/dashboard")
def overview():
    programs = programs_for(current_user, SUPERVISING_ROLES)
    if not programs:
        abort(404)
    if len(programs) == 1:
        args = {k: v for k, v in request.args.items() if k in ("start", "end")}
        return redirect(url_for("dashboard.program", program_id=programs[0].id, **args))
    form, start, end = _period()
    headlines = program_headlines([p.id for p in programs], start, end) if start is not None else {}
    record_event(
        current_user, "view", "dashboard", detail="overview of programs " + " ".join(str(p.id) for p in programs)
    )
    return render_and_commit(
        "dashboard/overview.html", programs=programs, headlines=headlines, form=form, start=start, end=end
    )
