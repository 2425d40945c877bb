"""The case facesheet page: choose recipient, purpose and sections, download the PDF (a disclosure, S23/S25).

For members of the case's program with the case in their scope; anyone else gets 404 (out of scope)
or 403 (in scope without a casework role). A consent problem re-renders the form, nothing is archived.
"""

from flask import Blueprint, Response
from flask_login import current_user

from caseflow.audit.rendering import render_and_commit
from caseflow.audit.services import record_event
from caseflow.consents.services import category_labels, consent_status, consents_for
from caseflow.extensions import db
from caseflow.models import ReportRun
from caseflow.permissions import get_case_or_404, require_member
from caseflow.reports.facesheet import FacesheetRefused, facesheet_filename, generate_facesheet
from caseflow.reports.facesheet_forms import FacesheetForm
from caseflow.submissions import commit_once
from caseflow.timezones import local_today

bp = Blueprint("facesheet", __name__)


def _pdf_response(run: ReportRun, content: bytes, filename: str) -> Response:
    """The archived bytes as a download; the name carries the case id, never the person's name."""
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/cases/<int:case_id>/facesheet", methods=["GET", "POST"], endpoint="new")
def new(case_id: int):
    case = get_case_or_404(current_user, case_id)
    require_member(current_user, case.program_id)
    form = FacesheetForm()
    refused = None
    if form.validate_on_submit():
        try:
            run_id, created = commit_once(
                current_user,
                form.submission_token.data,
                "facesheet",
                lambda: generate_facesheet(
                    current_user,
                    case,
                    form.recipient.data or "",
                    form.purpose.data or "",
                    form.categories.data,
                    form.internal.data,
                ),
            )
        except FacesheetRefused as exc:
            db.session.rollback()
            refused = str(exc)
        else:
            run = db.session.get(ReportRun, run_id)
            content = run.content
            if not created:
                # A repeated submit sends the file already archived, and says so in the audit trail.
                record_event(
                    current_user, "export", "case", case.id, detail=f"facesheet repeat, disclosure {run.disclosure_id}"
                )
                db.session.commit()
            return _pdf_response(run, content, facesheet_filename(case))
    today = local_today()
    consents = [c for c in consents_for(current_user, case.participant) if consent_status(c, today) == "valid"]
    record_event(
        current_user,
        "view",
        "case",
        case.id,
        record_ids=[c.id for c in consents],
        detail="facesheet form" + (" (refused: no matching consent)" if refused else ""),
    )
    return render_and_commit(
        "facesheet/new.html",
        case=case,
        form=form,
        refused=refused,
        consents=consents,
        category_labels=category_labels,
    )
