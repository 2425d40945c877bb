"""Funder report pages: ask for a report, download it, and the archive of every disclosure.

For supervisors and managers of every program a report covers; anyone else (workers, partners,
administrators without a supervising role) gets 404. Each file sent is archived and audited (S25).
"""

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import selectinload

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import Program, ReportRun
from caseflow.permissions import SUPERVISING_ROLES, programs_for
from caseflow.reports.forms import ReportForm
from caseflow.reports.registry import ReportScope
from caseflow.reports.run import generate_report, report_filename
from caseflow.reports.templates import TEMPLATES
from caseflow.submissions import commit_once
from caseflow.timezones import local_today

bp = Blueprint("reports", __name__)

MIMETYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def _supervised_or_404() -> list[Program]:
    """The live programs the user supervises or manages; nobody else has report pages."""
    programs = programs_for(current_user, SUPERVISING_ROLES)
    if not programs:
        abort(404)
    return programs


def _form(programs: list[Program]) -> ReportForm:
    return ReportForm(programs, TEMPLATES)


def _file_response(run: ReportRun, content: bytes) -> Response:
    """The archived bytes as a download named for the template and period."""
    response = Response(content, mimetype=MIMETYPES[run.format])
    filename = report_filename(run.template_id, run.period_start, run.period_end, run.format)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/reports", endpoint="index")
def index():
    form = _form(_supervised_or_404())
    form.year.data = form.year.data or local_today().year  # the likeliest answer, still editable
    return render_template("reports/index.html", form=form, templates=TEMPLATES)


@bp.post("/reports", endpoint="generate")
def generate():
    programs = _supervised_or_404()
    supervised = {p.id for p in programs}
    # A program the user does not supervise is not a form error: it is not theirs to name (404).
    asked = request.form.getlist("programs")
    if any(not value.isdigit() or int(value) not in supervised for value in asked):
        abort(404)
    form = _form(programs)
    if not form.validate_on_submit():
        return render_template("reports/index.html", form=form, templates=TEMPLATES)
    template = TEMPLATES[form.template.data]
    period = form.period()
    scope = ReportScope(tuple(sorted(set(form.programs.data))), period.start, period.end)
    run_id, created = commit_once(
        current_user,
        form.submission_token.data,
        "report",
        lambda: generate_report(
            current_user,
            template,
            scope,
            period.label,
            form.format.data,
            form.recipient.data.strip(),
            form.purpose.data.strip(),
        ),
    )
    run = db.session.get(ReportRun, run_id)
    content = run.content
    if not created:
        # A repeated submit sends the file already archived, and says so in the audit trail.
        record_event(current_user, "export", "report", run.id, detail=f"repeat submit, disclosure {run.disclosure_id}")
        db.session.commit()
    return _file_response(run, content)


def _visible_runs():
    """Runs the user generated, or whose programs they all supervise now (one SQL condition)."""
    supervised = [p.id for p in _supervised_or_404()]
    # program_ids is "3 7": strip each supervised id from " 3 7 "; nothing left means all are supervised.
    remaining = literal(" ").concat(ReportRun.program_ids).concat(" ")
    for program_id in supervised:
        remaining = func.replace(remaining, f" {program_id} ", " ")
    return or_(ReportRun.generated_by_id == current_user.id, func.trim(remaining) == "")


@bp.get("/reports/archive", endpoint="archive")
def archive():
    visible = _visible_runs()
    page = db.paginate(
        select(ReportRun)
        .where(visible)
        .options(selectinload(ReportRun.generated_by))
        .order_by(ReportRun.generated_at.desc(), ReportRun.id.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    ids = {int(p) for run in page.items for p in run.program_ids.split()}
    names = dict(db.session.execute(select(Program.id, Program.name).where(Program.id.in_(ids))).all()) if ids else {}
    return render_template("reports/archive.html", page=page, program_names=names, templates=TEMPLATES)


@bp.get("/reports/archive/<int:run_id>", endpoint="download")
def download(run_id: int):
    run = db.session.execute(select(ReportRun).where(ReportRun.id == run_id, _visible_runs())).scalar_one_or_none()
    if run is None:
        abort(404)
    content = run.content
    record_event(current_user, "export", "report", run.id, detail=f"archive download, disclosure {run.disclosure_id}")
    db.session.commit()
    return _file_response(run, content)
