"""Who looked at this record: the audit rows naming one participant or case, for its supervisors."""

from flask import Blueprint, abort, current_app, request
from flask_login import current_user
from sqlalchemy import literal, or_, select
from sqlalchemy.orm import selectinload

from caseflow.audit.rendering import render_and_commit
from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import AuditEvent, Case, Participant
from caseflow.permissions import case_scope, get_case_or_404, get_participant_or_404, supervises

bp = Blueprint("audit", __name__)

RECORD_TYPES = ("participant", "case")


def supervises_participant(user, participant: Participant) -> bool:
    """True when the user supervises a program holding one of this person's cases they can see."""
    program_ids = db.session.execute(
        select(Case.program_id).where(Case.participant_id == participant.id, case_scope(user)).distinct()
    ).scalars()
    return any(supervises(user, program_id) for program_id in program_ids)


@bp.app_template_global()
def can_see_viewers(record_type: str, record) -> bool:
    """Whether to offer the 'Who looked at this' link; the page itself checks again."""
    if record_type == "case":
        return supervises(current_user, record.program_id)
    return record_type == "participant" and supervises_participant(current_user, record)


def _record_or_404(record_type: str, record_id: int) -> tuple[str, Case | Participant]:
    """The record and its heading, if the user may see it and supervises its program; else 404."""
    if record_type == "case":
        case = get_case_or_404(current_user, record_id)
        if not supervises(current_user, case.program_id):
            abort(404)
        return f"{case.participant.display_name}, {case.program.name} case {case.id}", case
    if record_type == "participant":
        participant = get_participant_or_404(current_user, record_id)
        if not supervises_participant(current_user, participant):
            abort(404)
        return f"{participant.display_name} #{participant.id}", participant
    abort(404)


def events_naming(record_type: str, record_id: int):
    """Audit rows about the record, or listing it among others (record_ids is space separated)."""
    padded = literal(" ") + AuditEvent.record_ids + literal(" ")
    return (
        select(AuditEvent)
        .where(
            AuditEvent.record_type == record_type,
            or_(AuditEvent.record_id == record_id, padded.like(f"% {int(record_id)} %")),
        )
        .options(selectinload(AuditEvent.user))
        .order_by(AuditEvent.id.desc())
    )


@bp.route("/audit/records/<record_type>/<int:record_id>")
def record_viewers(record_type: str, record_id: int):
    heading, record = _record_or_404(record_type, record_id)
    page = db.paginate(
        events_naming(record_type, record_id),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config.get("PAGE_SIZE", 25),
        error_out=False,
    )
    # Looking at who looked is itself a look at the record; it is recorded after the list is read.
    record_event(current_user, "view", record_type, record_id, detail="who looked at this record")
    return render_and_commit(
        "audit/record_viewers.html",
        record_type=record_type,
        record=record,
        heading=heading,
        page=page,
    )
