"""Changing a program's settings and its eligibility screen; audited like any other change."""

from sqlalchemy import delete, func, select

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import Program, ProgramCriterion, ProgramReferralSource, User


def update_settings(actor: User, program: Program, *, referral_sources: list[str], **settings) -> None:
    """Save the manager's settings, replacing the list of intake referral sources."""
    old_retention = program.retention_years
    for name in (
        "eligibility_threshold",
        "contact_frequency_days",
        "caseload_target",
        "workers_see_own_caseload_only",
        "retention_years",
    ):
        setattr(program, name, settings[name])
    db.session.execute(delete(ProgramReferralSource).where(ProgramReferralSource.program_id == program.id))
    for source in dict.fromkeys(referral_sources):
        db.session.add(ProgramReferralSource(program_id=program.id, source=source))
    db.session.flush()
    detail = "settings"
    if program.retention_years != old_retention:
        # A shorter retention decides what the next purge deletes, so the trail says who set it.
        detail += f", retention {old_retention or 'forever'} -> {program.retention_years or 'forever'} years"
    record_event(actor, "update", "program", program.id, detail=detail)


def add_criterion(actor: User, program: Program, text: str) -> ProgramCriterion:
    """Append a criterion to the end of the program's screen."""
    last = db.session.execute(
        select(func.max(ProgramCriterion.position)).where(ProgramCriterion.program_id == program.id)
    ).scalar_one()
    criterion = ProgramCriterion(program_id=program.id, text=text.strip(), position=(last or 0) + 1)
    db.session.add(criterion)
    db.session.flush()
    record_event(actor, "create", "criterion", criterion.id, detail=f"program {program.id}")
    return criterion


def set_criterion_active(actor: User, criterion: ProgramCriterion, active: bool) -> None:
    """Retire or bring back a criterion; past screens keep their answers either way."""
    criterion.is_active = active
    db.session.flush()
    record_event(actor, "update", "criterion", criterion.id, detail="active" if active else "retired")
