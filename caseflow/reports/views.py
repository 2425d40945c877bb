"""Funder report pages: ask for a report, preview or download it, and the archive of every disclosure.

For supervisors and managers of every program a report covers; anyone else (workers, partners,
administrators without a supervising role) gets 404. Each file sent is archived and audited (S25).
"""

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import selectinload

from caseflow.audit.rendering import render_and_commit
from caseflow.audit.services import record_event
from caseflow.auth.fresh import is_fresh, reauth_redirect
from caseflow.extensions import db
from caseflow.models import Program, ReportRun
from caseflow.permissions import SUPERVISING_ROLES, programs_for
from caseflow.reports.facesheet import TEMPLATE_ID as FACESHEET_TEMPLATE_ID
from caseflow.reports.forms import ReportForm
from caseflow.reports.pdf import chart_image
from caseflow.reports.registry import ReportScope
from caseflow.reports.run import compute_report, generate_report, report_filename
from caseflow.reports.templates import TEMPLATES
from caseflow.submissions import commit_once, new_token
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
    if not is_fresh():
        # An export page: the password is confirmed before anything is typed (S13).
        return reauth_redirect()
    form.year.data = form.year.data or local_today().year  # the likeliest answer, still editable
    return render_template("reports/index.html", form=form, templates=TEMPLATES)


def _valid_request():
    """The validated form, template, period and scope of a posted report request, or the form to re-render."""
    programs = _supervised_or_404()
    supervised = {p.id for p in programs}
    # A program the user does not supervise is not a form error: it is not theirs to name (404).
    asked = request.form.getlist("programs")
    if any(not value.isdigit() or int(value) not in supervised for value in asked):
        abort(404)
    form = _form(programs)
    if not form.validate_on_submit():
        return form, None
    template = TEMPLATES[form.template.data]
    period = form.period()
    scope = ReportScope(tuple(sorted(set(form.programs.data))), period.start, period.end)
    return form, (template, period, scope)


@bp.post("/reports", endpoint="generate")
def generate():
    _supervised_or_404()
    if not is_fresh():
        return reauth_redirect("reports.index")
    form, valid = _valid_request()
    if valid is None:
        return render_template("reports/index.html", form=form, templates=TEMPLATES)
    template, period, scope = valid
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


def _request_fields(form: ReportForm) -> list[tuple[str, str]]:
    """The validated request as (name, value) pairs, for the preview's download forms to post again."""
    fields = [("template", form.template.data)]
    fields += [("programs", str(program_id)) for program_id in form.programs.data]
    fields += [
        ("period_kind", form.period_kind.data),
        ("year", "" if form.year.data is None else str(form.year.data)),
        ("quarter", form.quarter.data),
        ("start", form.start.data.isoformat() if form.start.data else ""),
        ("end", form.end.data.isoformat() if form.end.data else ""),
        ("recipient", form.recipient.data.strip()),
        ("purpose", form.purpose.data.strip()),
    ]
    return fields


@bp.post("/reports/preview", endpoint="preview")
def preview():
    """The report as a web page: the same printed cells as the PDF; not a disclosure, so audited as a view."""
    form, valid = _valid_request()
    if valid is None:
        return render_template("reports/index.html", form=form, templates=TEMPLATES)
    template, period, scope = valid
    data = compute_report(template, scope, period_label=period.label)
    charts = {m.id: chart_image(m) for section in data.sections for m in section.charts}
    record_event(
        current_user,
        "view",
        "report_preview",
        detail=f"preview {template.id} {period.label} programs {' '.join(str(p) for p in scope.program_ids)}",
    )
    return render_and_commit(
        "reports/preview.html",
        report=data,
        charts=charts,
        preview=True,
        fields=_request_fields(form),
        recipient=form.recipient.data.strip(),
        purpose=form.purpose.data.strip(),
        # Each download is its own submission: a PDF then a CSV must archive two disclosures.
        tokens={"pdf": new_token(), "csv": new_token()},
    )


def _visible_runs():
    """Runs the user generated, or whose programs they all supervise now (one SQL condition)."""
    supervised = [p.id for p in _supervised_or_404()]
    # program_ids is "3 7": strip each supervised id from " 3 7 "; nothing left means all are supervised.
    remaining = literal(" ").concat(ReportRun.program_ids).concat(" ")
    for program_id in supervised:
        remaining = func.replace(remaining, f" {program_id} ", " ")
    # Facesheets identify a person: they stay in the archive table but are never served from this page.
    return and_(
        ReportRun.template_id != FACESHEET_TEMPLATE_ID,
        or_(ReportRun.generated_by_id == current_user.id, func.trim(remaining) == ""),
    )


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
