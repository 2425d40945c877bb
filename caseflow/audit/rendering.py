"""Pages that show participant data: render, then commit the audit row, then send."""

from flask import render_template
from flask_login import current_user

from caseflow.audit.services import record_event
from caseflow.extensions import db


def render_and_commit(template: str, **context) -> str:
    """Render first, then commit, so the page never goes out without its audit row.

    Rendering before the commit also keeps the loaded rows fresh: a commit expires them,
    and the template would then reload every row one query at a time.
    """
    html = render_template(template, **context)
    db.session.commit()
    return html


def render_form_page(template: str, record_type: str, record_id: int, **context) -> str:
    """A form page headed with a participant's name: seeing the name is a read, so it is audited too (S20)."""
    record_event(current_user, "view", record_type, record_id, detail="form page")
    return render_and_commit(template, **context)
