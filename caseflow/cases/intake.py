"""Eligibility screening against the program's own criteria; every result is kept for reports."""

from datetime import date

from sqlalchemy import select

from caseflow.audit.services import record_event
from caseflow.cases.services import CaseRuleError, change_case_status
from caseflow.extensions import db
from caseflow.models import Case, ProgramCriterion, Screening, ScreeningAnswer, User


def active_criteria(program_id: int) -> list[ProgramCriterion]:
    """The program's current screen, in the order its manager set."""
    return list(
        db.session.execute(
            select(ProgramCriterion)
            .where(
                ProgramCriterion.program_id == program_id,
                ProgramCriterion.is_active.is_(True),
                ProgramCriterion.deleted_at.is_(None),
            )
            .order_by(ProgramCriterion.position, ProgramCriterion.id)
        ).scalars()
    )


def screen_case(
    actor: User, case: Case, *, met_criterion_ids: set[int], declined: bool, on: date, notes: str = ""
) -> Screening:
    """Record a screen and move the case: eligible enrols it, otherwise it exits as ineligible or declined.

    The program enrols when at least its threshold of criteria hold (street outreach, say,
    4 of 7). A person who declines is recorded as declined whatever the criteria say.
    """
    if case.status not in ("referred", "screening"):
        raise CaseRuleError("Only a referred case or one in screening can be screened.")
    criteria = active_criteria(case.program_id)
    known = {c.id for c in criteria}
    if not met_criterion_ids <= known:
        raise CaseRuleError("Those criteria are not part of this program's screen.")
    threshold = case.program.eligibility_threshold
    met = len(met_criterion_ids)
    if declined:
        result = "declined"
    else:
        result = "eligible" if met >= threshold else "ineligible"
    screening = Screening(
        case_id=case.id,
        screened_on=on,
        screened_by_id=actor.id,
        criteria_met=met,
        threshold=threshold,
        result=result,
        notes=notes.strip(),
        answers=[ScreeningAnswer(criterion_id=c.id, is_met=c.id in met_criterion_ids) for c in criteria],
    )
    db.session.add(screening)
    db.session.flush()
    record_event(actor, "create", "screening", screening.id, detail=f"case {case.id}: {result}")
    if case.status == "referred":
        change_case_status(actor, case, "screening", on=on)
    change_case_status(
        actor, case, {"eligible": "active", "ineligible": "ineligible", "declined": "declined"}[result], on=on
    )
    return screening
