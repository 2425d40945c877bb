"""Case plan operations. Each takes the acting user, checks the rules, flushes, audits, never commits."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import Assessment, AssessmentAnswer, Case, Goal, Instrument, InstrumentItem, Outcome, Program, User
from caseflow.models.base import utcnow
from caseflow.models.choices import GOAL_DOMAINS, GOAL_STATUSES, OUTCOME_TYPES, RISK_LEVELS, values
from caseflow.permissions import role_in, supervises
from caseflow.timezones import local_today

MAX_ITEM_POINTS = 10
# Phone clocks run a little fast; an hour of slack, as for contacts, before "in the future".
_CLOCK_SLACK = timedelta(hours=1)


class PlanRuleError(ValueError):
    """A domain rule refused the operation; the message is shown to the user."""


def _require_member(actor: User, case: Case) -> None:
    if role_in(actor, case.program_id) is None:
        raise PlanRuleError("Only members of this program can change its case plans.")


# --- goals ---------------------------------------------------------------------------


def set_goal(actor: User, case: Case, *, domain: str, description: str, target_on: date | None, set_on: date) -> Goal:
    """Add a goal to a case plan; it starts open."""
    _require_member(actor, case)
    if domain not in values(GOAL_DOMAINS):
        raise PlanRuleError("Choose a domain from the list.")
    description = (description or "").strip()
    if not description:
        raise PlanRuleError("Describe the goal.")
    if set_on > local_today():
        raise PlanRuleError("A goal cannot be set in the future.")
    if target_on is not None and target_on < set_on:
        raise PlanRuleError("The target date cannot be before the date the goal was set.")
    goal = Goal(case_id=case.id, domain=domain, description=description, target_on=target_on, set_on=set_on)
    db.session.add(goal)
    db.session.flush()
    record_event(actor, "create", "goal", goal.id, detail=f"case {case.id}")
    return goal


def update_goal(
    actor: User, goal: Goal, *, description: str, target_on: date | None, status: str, met_on: date | None
) -> Goal:
    """Change a goal; reaching 'met' stamps the day it was met, leaving 'met' clears it."""
    _require_member(actor, goal.case)
    if status not in values(GOAL_STATUSES):
        raise PlanRuleError("Choose a status from the list.")
    description = (description or "").strip()
    if not description:
        raise PlanRuleError("Describe the goal.")
    if target_on is not None and target_on < goal.set_on:
        raise PlanRuleError("The target date cannot be before the date the goal was set.")
    if status == "met":
        met_on = met_on or local_today()
        if met_on > local_today():
            raise PlanRuleError("A goal cannot be met in the future.")
        if met_on < goal.set_on:
            raise PlanRuleError("A goal cannot be met before the date it was set.")
    else:
        # Only a met goal has a date it was met; a reopened goal loses it.
        met_on = None
    old_status = goal.status
    goal.description = description
    goal.target_on = target_on
    goal.status = status
    goal.met_on = met_on
    db.session.flush()
    detail = f"status {old_status} -> {status}" if old_status != status else ""
    record_event(actor, "update", "goal", goal.id, detail=detail)
    return goal


# --- outcomes ------------------------------------------------------------------------


def record_outcome(actor: User, case: Case, *, outcome_type: str, occurred_on: date, details: str = "") -> Outcome:
    """Record a dated life event on a case; it must already have happened."""
    _require_member(actor, case)
    if outcome_type not in values(OUTCOME_TYPES):
        raise PlanRuleError("Choose an outcome from the list.")
    if occurred_on > local_today():
        raise PlanRuleError("An outcome cannot be in the future.")
    outcome = Outcome(
        case_id=case.id, outcome_type=outcome_type, occurred_on=occurred_on, details=(details or "").strip()
    )
    db.session.add(outcome)
    db.session.flush()
    record_event(actor, "create", "outcome", outcome.id, detail=f"case {case.id}")
    return outcome


# --- instruments ---------------------------------------------------------------------


def live_items(instrument: Instrument) -> list[InstrumentItem]:
    """An instrument's questions in the order they are asked, soft-deleted ones left out."""
    return sorted((i for i in instrument.items if i.deleted_at is None), key=lambda i: (i.position, i.id))


def program_instruments(program_id: int) -> list[Instrument]:
    """All of a program's instruments (active first), with their items loaded."""
    stmt = (
        select(Instrument)
        .where(Instrument.program_id == program_id, Instrument.deleted_at.is_(None))
        .options(selectinload(Instrument.items))
        .order_by(Instrument.is_active.desc(), Instrument.name, Instrument.id)
    )
    return list(db.session.execute(stmt).scalars())


def usable_instruments(program_id: int) -> list[Instrument]:
    """Instruments a worker can take an assessment with: active and with at least one question."""
    return [i for i in program_instruments(program_id) if i.is_active and live_items(i)]


def _require_supervisor(actor: User, program_id: int) -> None:
    if not supervises(actor, program_id):
        raise PlanRuleError("Only supervisors and managers of this program can configure its instruments.")


def create_instrument(actor: User, program: Program, *, name: str) -> Instrument:
    """Add an instrument to a program; names are unique within the program so results stay distinguishable."""
    _require_supervisor(actor, program.id)
    name = (name or "").strip()
    if not name:
        raise PlanRuleError("Enter a name.")
    taken = db.session.execute(
        select(Instrument.id).where(
            Instrument.program_id == program.id,
            Instrument.deleted_at.is_(None),
            func.lower(Instrument.name) == name.lower(),
        )
    ).first()
    if taken:
        raise PlanRuleError("This program already has an instrument with that name.")
    instrument = Instrument(program_id=program.id, name=name, is_active=True)
    db.session.add(instrument)
    db.session.flush()
    record_event(actor, "create", "instrument", instrument.id, detail=f"program {program.id}")
    return instrument


def add_instrument_item(actor: User, instrument: Instrument, *, text: str, max_points: int) -> InstrumentItem:
    """Append a question, scored 0 to max_points, to the end of an instrument."""
    _require_supervisor(actor, instrument.program_id)
    text = (text or "").strip()
    if not text:
        raise PlanRuleError("Enter the question.")
    if not 1 <= max_points <= MAX_ITEM_POINTS:
        raise PlanRuleError(f"Enter 1 to {MAX_ITEM_POINTS} points.")
    last = db.session.execute(
        select(func.max(InstrumentItem.position)).where(InstrumentItem.instrument_id == instrument.id)
    ).scalar_one_or_none()
    item = InstrumentItem(instrument_id=instrument.id, position=(last or 0) + 1, text=text, max_points=max_points)
    db.session.add(item)
    db.session.flush()
    record_event(actor, "update", "instrument", instrument.id, detail=f"item {item.id} added")
    return item


def set_instrument_active(actor: User, instrument: Instrument, is_active: bool) -> Instrument:
    """Take an instrument out of use (or back); assessments already taken keep their answers."""
    _require_supervisor(actor, instrument.program_id)
    instrument.is_active = is_active
    db.session.flush()
    record_event(actor, "update", "instrument", instrument.id, detail="activated" if is_active else "deactivated")
    return instrument


# --- assessments ---------------------------------------------------------------------


def answer_label(max_points: int, points: int) -> str:
    """How an answer reads: Yes/No for a one-point question, else the points."""
    if max_points == 1:
        return "Yes" if points else "No"
    return str(points)


def record_assessment(
    actor: User,
    case: Case,
    instrument: Instrument,
    *,
    points: dict[int, int],
    risk_level: str | None,
    taken_at: datetime,
) -> Assessment:
    """Score one administration of the program's instrument: every question answered, score = sum of points.

    taken_at is naive UTC. The item text and instrument name are copied onto the answers so a
    later change to the instrument never rewrites what was asked.
    """
    _require_member(actor, case)
    if instrument.program_id != case.program_id or instrument.deleted_at is not None:
        raise PlanRuleError("That instrument does not belong to this program.")
    if not instrument.is_active:
        raise PlanRuleError("That instrument is no longer in use.")
    if risk_level is not None and risk_level not in values(RISK_LEVELS):
        raise PlanRuleError("Choose a risk level from the list.")
    if taken_at > utcnow() + _CLOCK_SLACK:
        raise PlanRuleError("An assessment cannot be in the future.")
    items = live_items(instrument)
    if not items:
        raise PlanRuleError("That instrument has no questions yet.")
    answers = []
    for item in items:
        given = points.get(item.id)
        if given is None or not 0 <= given <= item.max_points:
            raise PlanRuleError("Answer every question.")
        answers.append(
            AssessmentAnswer(item=item.text, item_id=item.id, answer=answer_label(item.max_points, given), points=given)
        )
    assessment = Assessment(
        case_id=case.id,
        instrument=instrument.name,
        instrument_id=instrument.id,
        score=sum(a.points for a in answers),
        risk_level=risk_level,
        taken_at=taken_at,
        assessed_by_id=actor.id,
        answers=answers,
    )
    db.session.add(assessment)
    db.session.flush()
    record_event(actor, "create", "assessment", assessment.id, detail=f"case {case.id}")
    return assessment


def case_assessments(case: Case) -> list[Assessment]:
    """A case's live assessments, newest first."""
    stmt = (
        select(Assessment)
        .where(Assessment.case_id == case.id, Assessment.deleted_at.is_(None))
        .order_by(Assessment.taken_at.desc(), Assessment.id.desc())
    )
    return list(db.session.execute(stmt).scalars())


@dataclass(frozen=True)
class AssessmentChange:
    """First and latest score of one instrument on a case: the change over time funders ask for."""

    instrument_name: str
    first_score: int
    first_taken_at: datetime
    latest_score: int
    latest_taken_at: datetime
    change: int
    count: int

    @property
    def change_text(self) -> str:
        """The change with its sign, as pages show it: +3, -2 or no change."""
        if self.change == 0:
            return "no change"
        return f"{self.change:+d}"


def assessment_changes(case: Case) -> list[AssessmentChange]:
    """Per instrument, the first and latest scored live assessment of a case, sorted by instrument name."""
    stmt = (
        select(Assessment.instrument_id, Assessment.instrument, Assessment.score, Assessment.taken_at)
        .where(Assessment.case_id == case.id, Assessment.deleted_at.is_(None), Assessment.score.is_not(None))
        .order_by(Assessment.taken_at, Assessment.id)
    )
    return summarise_assessments(db.session.execute(stmt))


def summarise_assessments(rows) -> list[AssessmentChange]:
    """Assessment changes from scored rows (instrument_id, instrument, score, taken_at) in the order taken.

    Assessments are grouped by instrument id, or by name for those recorded without one
    (older data); unscored assessments cannot show change and are left out. Apart from the
    query so the case page can fetch the rows within its header statement.
    """
    groups: dict[tuple, list] = {}
    for row in rows:
        key = ("id", row.instrument_id) if row.instrument_id is not None else ("name", row.instrument)
        groups.setdefault(key, []).append(row)
    changes = [
        AssessmentChange(
            instrument_name=rows[-1].instrument,
            first_score=rows[0].score,
            first_taken_at=rows[0].taken_at,
            latest_score=rows[-1].score,
            latest_taken_at=rows[-1].taken_at,
            change=rows[-1].score - rows[0].score,
            count=len(rows),
        )
        for rows in groups.values()
    ]
    return sorted(changes, key=lambda c: (c.instrument_name.lower(), c.first_taken_at))
