"""The home page (the user's caseload, most urgent first) and an unauthenticated health check."""

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import text

from caseflow.audit.rendering import render_and_commit
from caseflow.audit.services import record_event
from caseflow.caseload.queries import my_cases_query, paginate_caseload
from caseflow.extensions import db
from caseflow.permissions import is_partner_only, partner_programs, programs_for
from caseflow.timezones import local_today

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    if is_partner_only(current_user):
        # A law-enforcement partner has no caseload: their home is the program's aggregate figures.
        programs = partner_programs(current_user)
        if not programs:
            abort(404)
        return redirect(url_for("deterrence.figures", program_id=programs[0].id))
    today = local_today()
    page = paginate_caseload(
        my_cases_query(current_user, today),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
        today=today,
    )
    if page.items:
        record_event(
            current_user, "list", "case", record_ids=[row.case_id for row in page.items], detail="home caseload"
        )
    return render_and_commit("main/home.html", page=page, summary=page.summary, programs=programs_for(current_user))


@bp.route("/health")
def health():
    """Liveness and database reachability for load balancers; reveals nothing else."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return {"status": "unavailable"}, 503
    return {"status": "ok"}
