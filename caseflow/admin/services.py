"""Account and program administration; every change is audited."""

from sqlalchemy import func, select, update

from caseflow.audit.services import record_event
from caseflow.auth.passwords import hash_password, password_problem
from caseflow.auth.services import find_user_by_email
from caseflow.extensions import db
from caseflow.models import Program, ProgramMembership, SecurityAlert, User
from caseflow.models.base import utcnow
from caseflow.models.user import new_session_token


class AdminRuleError(ValueError):
    """An administration rule refused the change; the message is shown to the user."""


def create_user(actor: User | None, *, email: str, full_name: str, password: str, is_admin: bool = False) -> User:
    """A new account with an argon2id-hashed password."""
    problem = password_problem(password, email, full_name)
    if problem:
        raise AdminRuleError(problem)
    email = email.strip().lower()
    if find_user_by_email(email):
        raise AdminRuleError("An account with that email already exists.")
    user = User(email=email, full_name=full_name.strip(), password_hash=hash_password(password), is_admin=is_admin)
    db.session.add(user)
    db.session.flush()
    record_event(actor, "create", "user", user.id)
    return user


def set_user_active(actor: User, user: User, active: bool) -> None:
    """Deactivate or reactivate; deactivation ends every session of that user."""
    if user.id == actor.id and not active:
        raise AdminRuleError("You cannot deactivate your own account.")
    user.is_active = active
    if not active:
        user.session_token = new_session_token()
    record_event(actor, "update", "user", user.id, detail="activated" if active else "deactivated")


def add_membership(
    actor: User, user: User, program: Program, role: str, is_victim_services: bool = False
) -> ProgramMembership:
    """Give a user a role in a program, or change the role (and victim-services marker) they have."""
    if role == "partner" and program.kind != "focused_deterrence":
        # Partners see call-in and notification figures, which only focused deterrence programs have.
        raise AdminRuleError("The law-enforcement partner role exists only in focused deterrence programs.")
    if role == "partner" and is_victim_services:
        # Victim-services staff see IPV-protected records; a law-enforcement partner sees no record at all.
        raise AdminRuleError("A law-enforcement partner cannot be victim-services staff.")
    membership = db.session.execute(
        select(ProgramMembership).where(
            ProgramMembership.user_id == user.id, ProgramMembership.program_id == program.id
        )
    ).scalar_one_or_none()
    if membership is None:
        membership = ProgramMembership(
            user_id=user.id, program_id=program.id, role=role, is_victim_services=is_victim_services
        )
        db.session.add(membership)
    else:
        membership.role = role
        membership.is_victim_services = is_victim_services
        membership.deleted_at = None
        membership.deleted_by_id = None
    db.session.flush()
    marker = ", victim-services" if is_victim_services else ""
    record_event(actor, "update", "user", user.id, detail=f"role {role}{marker} in program {program.id}")
    return membership


def remove_membership(actor: User, membership: ProgramMembership) -> None:
    """End a membership (soft, so history still names who had access when)."""
    membership.deleted_at = utcnow()
    membership.deleted_by_id = actor.id
    db.session.flush()
    record_event(actor, "update", "user", membership.user_id, detail=f"removed from program {membership.program_id}")


def create_program(actor: User, **fields) -> Program:
    """A new program instance."""
    if db.session.execute(select(Program.id).where(Program.name == fields["name"].strip())).first():
        raise AdminRuleError("A program with that name already exists.")
    program = Program(**{**fields, "name": fields["name"].strip()})
    db.session.add(program)
    db.session.flush()
    record_event(actor, "create", "program", program.id)
    return program


def unacknowledged_alert_count() -> int:
    """Security alerts no administrator has acknowledged yet (S22), for the menu."""
    return db.session.execute(
        select(func.count(SecurityAlert.id)).where(SecurityAlert.acknowledged_at.is_(None))
    ).scalar_one()


def acknowledge_alert(actor: User, alert: SecurityAlert) -> bool:
    """Mark an alert as seen by this administrator; False if someone already had (their name stays)."""
    done = db.session.execute(
        update(SecurityAlert)
        .where(SecurityAlert.id == alert.id, SecurityAlert.acknowledged_at.is_(None))
        .values(acknowledged_by_id=actor.id, acknowledged_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(alert, ["acknowledged_by_id", "acknowledged_at"])
    if not done:
        return False
    record_event(actor, "update", "security_alert", alert.id, detail="acknowledged")
    return True
