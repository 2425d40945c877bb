"""Pages that show participant data: render, then commit the audit row, then send."""

from flask import render_template

from caseflow.extensions import db


def render_and_commit(template: str, **context) -> str:
    """Render first, then commit, so the page never goes out without its audit row.

    Rendering before the commit also keeps the loaded rows fresh: a commit expires them,
    and the template would then reload every row one query at a time.
    """
    html = render_template(template, **context)
    db.session.commit()
    return html
