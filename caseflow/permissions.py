"""The one place that decides what a user may see, expressed as SQL filters."""

from functools import wraps

from flask import abort, has_request_context, request
from flask_login import current_user
from sqlalchemy import and_, bindparam, event, exists, false, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from caseflow.extensions import db
from caseflow.models import BreakGlassGrant, Case, Participant, Program, ProgramMembership, User
from caseflow.models.base import utcnow
from caseflow.models.choices import CASEWORK_ROLES
from caseflow.statements import built_once

SUPERVISING_ROLES = ("supervisor", "manager")


def _logged_in(user: User) -> bool:
    """Only an authenticated, active user has a scope at all."""
    return user is not None and user.is_authenticated and user.is_active


def scope_user_id(user: User) -> int | None:
    """The id to bind as `user_id` in a statement built with case_scope_for: None (no memberships) if not logged in."""
    return user.id if _logged_in(user) else None


def ipv_protected_ids():
    """SELECT of the ids of IPV-protected people, uncorrelated so it can sit inside any query."""
    # The bare column (not IS TRUE) so both databases use the partial index ix_participants_ipv_protected.
    return select(Participant.id).where(Participant.is_ipv_protected).correlate(None)


def ipv_case_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause on Case: true unless the case's person is IPV-protected and the user is not their staff.

    An IPV-protected person's case is for victim-services staff only (S24): its assigned worker
    when that worker's membership in the case's program is victim-services, and the program's
    victim-services supervisors and managers. Nobody else, whatever their role, sees it.
    """
    return _ipv_case_clause_for(user.id)


def _ipv_case_clause_for(user_id) -> ColumnElement[bool]:
    """ipv_case_clause for a user id, or a bound parameter standing for one (a statement built once)."""
    victim_services = (
        select(ProgramMembership.program_id)
        .where(
            ProgramMembership.user_id == user_id,
            ProgramMembership.is_victim_services.is_(True),
            ProgramMembership.deleted_at.is_(None),
        )
        .correlate(None)
    )
    supervising_vs = victim_services.where(ProgramMembership.role.in_(SUPERVISING_ROLES))
    assigned_vs = victim_services.where(ProgramMembership.role.in_(CASEWORK_ROLES))
    return or_(
        Case.participant_id.not_in(ipv_protected_ids()),
        Case.program_id.in_(supervising_vs),
        and_(Case.assigned_worker_id == user_id, Case.program_id.in_(assigned_vs)),
    )


def case_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause true for the cases this user may see.

    Workers see their programs' cases (only their own caseload where the program says
    so); supervisors and managers see every case of their programs; nobody else sees any.
    Administrators get nothing from the flag alone. An IPV-protected person's cases are
    further limited to their victim-services staff (ipv_case_clause), so every page, list,
    search and export that goes through this scope hides them from everyone else.
    """
    if not _logged_in(user):
        return false()
    return case_scope_for(user.id)


# The scope's EXISTS reads memberships under its own names, so it correlates to the outer query's case and
# nothing else, whatever that query joins. Made once: aliasing a mapped class costs more than the rest of the scope.
_HELD = aliased(ProgramMembership, name="held_membership")
_HELD_PROGRAM = aliased(Program, name="held_program")


def case_scope_for(user_id) -> ColumnElement[bool]:
    """case_scope for an authenticated, active user's id, or a bound parameter standing for one.

    Pages that run the same large statement on every request build it once with `bindparam("user_id")`
    here and pass the id when they execute it; the caller has already checked the user is logged in.
    """
    # Shaped for PostgreSQL's planner (docs/PERFORMANCE.md): an OR of IN-subqueries became filters it could
    # not estimate (thousands of cases guessed for a worker with 59), so it read every case. Now the plain
    # `program_id IN (the user's live memberships)` leads it to the cases by ix_cases_program_id_status, and
    # one EXISTS over the same membership decides by role; the IN is implied by the EXISTS, never wider.
    held, program = _HELD, _HELD_PROGRAM
    membership = (
        select(held.id)
        .join(program, program.id == held.program_id)
        .where(
            held.program_id == Case.program_id,
            held.user_id == user_id,
            held.deleted_at.is_(None),
            or_(
                held.role.in_(SUPERVISING_ROLES),
                and_(
                    held.role == "worker",
                    or_(program.workers_see_own_caseload_only.is_(False), Case.assigned_worker_id == user_id),
                ),
            ),
        )
    )
    member_of = select(ProgramMembership.program_id).where(
        ProgramMembership.user_id == user_id, ProgramMembership.deleted_at.is_(None)
    )
    return and_(
        Case.deleted_at.is_(None),
        Case.program_id.in_(member_of),
        membership.exists(),
        _ipv_case_clause_for(user_id),
    )


def visible_cases(user: User):
    """SELECT of the cases in the user's scope."""
    return select(Case).where(case_scope(user))


def participant_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause true for people with at least one case the user may see."""
    if not _logged_in(user):
        return false()
    return participant_scope_for(user.id)


def participant_scope_for(user_id) -> ColumnElement[bool]:
    """participant_scope for a logged-in user's id, or a bound parameter standing for one (see case_scope_for)."""
    return and_(
        Participant.deleted_at.is_(None),
        exists().where(Case.participant_id == Participant.id, case_scope_for(user_id)),
    )


def visible_participants(user: User):
    """SELECT of the participants in the user's scope."""
    return select(Participant).where(participant_scope(user))


def get_case_or_404(user: User, case_id: int) -> Case:
    """Load a case the user may see; anything else is 404 so its existence does not leak."""
    if not _logged_in(user):
        abort(404)
    stmt = built_once(
        "visible_case",
        lambda: select(Case).where(case_scope_for(bindparam("user_id")), Case.id == bindparam("record_id")),
    )
    case = db.session.execute(stmt, {"user_id": user.id, "record_id": case_id}).scalar_one_or_none()
    if case is None:
        abort(404)
    return case


def get_participant_or_404(user: User, participant_id: int) -> Participant:
    """Load a participant the user may see, or 404."""
    if not _logged_in(user):
        abort(404)
    stmt = built_once(
        "visible_participant",
        lambda: select(Participant).where(
            participant_scope_for(bindparam("user_id")), Participant.id == bindparam("record_id")
        ),
    )
    participant = db.session.execute(stmt, {"user_id": user.id, "record_id": participant_id}).scalar_one_or_none()
    if participant is None:
        abort(404)
    return participant


def may_set_ipv_protection(user: User, participant: Participant) -> bool:
    """Who may set or clear the IPV flag (S24).

    A supervisor or manager of a program holding one of the person's cases they can see, or
    victim-services staff who can see them. Once set, only the latter still can.
    """
    program_ids = set(
        db.session.execute(
            select(Case.program_id).where(Case.participant_id == participant.id, case_scope(user))
        ).scalars()
    )
    if not program_ids:
        return False
    rows = db.session.execute(
        select(ProgramMembership.role, ProgramMembership.is_victim_services).where(
            ProgramMembership.user_id == user.id,
            ProgramMembership.program_id.in_(program_ids),
            ProgramMembership.role.in_(CASEWORK_ROLES),
            ProgramMembership.deleted_at.is_(None),
        )
    ).all()
    return any(role in SUPERVISING_ROLES or is_victim_services for role, is_victim_services in rows)


# --- break-glass (S8) ------------------------------------------------------------------------


def live_grants(user: User):
    """SELECT of the user's break-glass grants that still open a record.

    Checked on every page a grant opens, not only when it was made: an expired grant, a person
    deleted or IPV-protected since, or a user who no longer supervises anything opens nothing.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return select(BreakGlassGrant).where(false())
    still_supervises = exists().where(
        ProgramMembership.user_id == user.id,
        ProgramMembership.role.in_(SUPERVISING_ROLES),
        ProgramMembership.deleted_at.is_(None),
    )
    return (
        select(BreakGlassGrant)
        .join(Participant, Participant.id == BreakGlassGrant.participant_id)
        .where(
            BreakGlassGrant.user_id == user.id,
            BreakGlassGrant.expires_at > utcnow(),
            Participant.deleted_at.is_(None),
            Participant.is_ipv_protected.is_(False),
            still_supervises,
        )
    )


def active_grant(user: User, participant_id: int) -> BreakGlassGrant | None:
    """The user's live break-glass grant to read this person (the one lasting longest), or None."""
    return db.session.execute(
        live_grants(user)
        .where(BreakGlassGrant.participant_id == participant_id)
        .order_by(BreakGlassGrant.expires_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def readable_case_or_404(user: User, case_id: int) -> tuple[Case, BreakGlassGrant | None]:
    """A case to show read-only: in the user's scope (grant None), or a live case of a person they broke glass for.

    Only the case and person pages use this; every write keeps using get_case_or_404.
    """
    case = db.session.execute(visible_cases(user).where(Case.id == case_id)).scalar_one_or_none()
    if case is not None:
        return case, None
    case = db.session.get(Case, case_id)
    grant = active_grant(user, case.participant_id) if case is not None and case.deleted_at is None else None
    if grant is None:
        abort(404)
    return case, grant


def get_child_or_404(user: User, model, record_id: int):
    """Load a case-owned record (contact, referral, goal, ...) whose case the user may see."""
    record = db.session.execute(
        select(model)
        .join(Case, Case.id == model.case_id)
        .where(model.id == record_id, model.deleted_at.is_(None), case_scope(user))
    ).scalar_one_or_none()
    if record is None:
        abort(404)
    return record


def memberships(user: User) -> list[tuple[Program, str]]:
    """The user's live memberships as (program, role), programs by name: one query per request, not one per check.

    Every page asks what the user holds (partner-only gate, program menu, role checks); asking the database
    each time cost three or four statements a page. The rows are kept on the request (never across requests,
    unlike `g`, which a test's app context can share) and dropped when a flush changes any membership or program.
    Deleted programs are included (with their deleted_at), so each caller filters as its query used to.
    """
    cache = getattr(request, "_caseflow_memberships", None) if has_request_context() else None
    if cache is not None and user.id in cache:
        return cache[user.id]
    rows = [
        (program, role)
        for program, role in db.session.execute(
            select(Program, ProgramMembership.role)
            .join(ProgramMembership, ProgramMembership.program_id == Program.id)
            .where(ProgramMembership.user_id == user.id, ProgramMembership.deleted_at.is_(None))
            .order_by(Program.name, Program.id)
        ).all()
    ]
    if has_request_context():
        if cache is None:
            cache = request._caseflow_memberships = {}
        cache[user.id] = rows
    return rows


@event.listens_for(Session, "after_flush")
def _forget_memberships(session, _context) -> None:
    """A flushed change to a membership or a program makes the request's cached memberships stale."""
    if not has_request_context() or getattr(request, "_caseflow_memberships", None) is None:
        return
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, (ProgramMembership, Program)) for obj in changed):
        request._caseflow_memberships = None


def programs_for(user: User, roles: tuple[str, ...] = CASEWORK_ROLES) -> list[Program]:
    """Programs where the user holds one of roles (by default any casework role, never partner)."""
    return [program for program, role in memberships(user) if role in roles and program.deleted_at is None]


def role_in(user: User, program_id: int) -> str | None:
    """The user's casework role in a program, or None; a partner membership grants no casework."""
    for program, role in memberships(user):
        if program.id == program_id and role in CASEWORK_ROLES:
            return role
    return None


def partner_programs(user: User) -> list[Program]:
    """Live focused deterrence programs where the user is a law-enforcement partner."""
    return [p for p in programs_for(user, ("partner",)) if p.kind == "focused_deterrence"]


def is_partner_only(user: User) -> bool:
    """A partner with no casework role anywhere: limited to the partner pages."""
    if user is None or not user.is_authenticated or user.is_admin:
        return False
    roles = {role for _program, role in memberships(user)}
    return "partner" in roles and not roles & set(CASEWORK_ROLES)


def admin_required(view):
    """Administration pages: administrators only; others get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def supervises(user: User, program_id: int) -> bool:
    """Supervisors and managers of a program approve closures, reassign, restore and merge."""
    return role_in(user, program_id) in SUPERVISING_ROLES


def require_supervisor(user: User, program_id: int) -> None:
    """403 unless the user supervises or manages the program (the record itself is in scope)."""
    if not supervises(user, program_id):
        abort(403)


def require_member(user: User, program_id: int) -> None:
    """403 unless the user holds any role in the program; guards every write on a case."""
    if role_in(user, program_id) is None:
        abort(403)


def get_module_program_or_404(user: User, program_id: int, kind: str) -> Program:
    """A live program of one module kind where the user does casework; anything else is 404."""
    program = db.session.get(Program, program_id)
    if program is None or program.deleted_at is not None or program.kind != kind or role_in(user, program.id) is None:
        abort(404)
    return program


def get_module_case_or_404(user: User, case_id: int, kind: str) -> Case:
    """A case in the user's scope whose program is of one module kind (and where they do casework)."""
    case = get_case_or_404(user, case_id)
    get_module_program_or_404(user, case.program_id, kind)
    return case


def get_module_record_or_404(user: User, model, record_id: int, kind: str):
    """A live program-owned module record (mediation, call-in, injury, ...) of a program the user works in."""
    record = db.session.get(model, record_id)
    if record is None or record.deleted_at is not None:
        abort(404)
    get_module_program_or_404(user, record.program_id, kind)
    return record
