"""In-app alerts: what needs doing now, each item pointing at its record, in a fixed number of queries.

A worker sees their own cases overdue for contact, overdue referrals on their cases and HVIP follow-up
checks due; a supervisor also sees closures waiting for approval and stale cases per supervised program.
The definitions are the home page's (`open_caseload`) and the referral service's (`referral_overdue`).
Each list shows at most ALERT_LIMIT items; the counts at the top cover everything.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select

from caseflow.caseload.queries import EPOCH, open_caseload
from caseflow.extensions import db
from caseflow.hvip.services import FOLLOW_UP_DAYS
from caseflow.models import Case, ClosureRequest, Participant, Program, Referral, User
from caseflow.models.case import OPEN_STATUSES
from caseflow.models.choices import CLOSURE_REASONS, SERVICE_CATEGORIES, label_of
from caseflow.permissions import case_scope
from caseflow.referrals.services import referral_overdue

# The most items one alert list shows; the count above it is the full number.
ALERT_LIMIT = 50


@dataclass(frozen=True)
class ContactAlert:
    """One of the user's own cases overdue for contact."""

    case_id: int
    name: str
    program_name: str
    overdue_days: int


@dataclass(frozen=True)
class ReferralAlert:
    """A referral on one of the user's cases still waiting past its due date."""

    referral_id: int
    case_id: int
    name: str
    service_label: str
    due_on: date


@dataclass(frozen=True)
class FollowUpAlert:
    """One of the user's HVIP cases with post-discharge checks due."""

    case_id: int
    name: str
    program_name: str
    checks: tuple[str, ...]


@dataclass(frozen=True)
class ClosureAlert:
    """A closure request waiting for this supervisor's decision."""

    case_id: int
    name: str
    program_name: str
    reason_label: str
    requested_at: datetime


@dataclass(frozen=True)
class StaleAlert:
    """How many stale cases a supervised program has."""

    program_id: int
    program_name: str
    count: int


@dataclass(frozen=True)
class Alerts:
    """Everything on the alerts page: full counts and the first ALERT_LIMIT items of each list."""

    overdue_contacts: int
    overdue_referrals: int
    follow_ups_due: int
    closures_waiting: int
    stale_cases: int
    contacts: tuple[ContactAlert, ...]
    referrals: tuple[ReferralAlert, ...]
    follow_ups: tuple[FollowUpAlert, ...]
    closures: tuple[ClosureAlert, ...]
    stale: tuple[StaleAlert, ...]
    is_supervisor: bool

    @property
    def case_ids(self) -> list[int]:
        """The cases whose people the page names, for the audit row."""
        ids = {a.case_id for a in (*self.contacts, *self.referrals, *self.follow_ups, *self.closures)}
        return sorted(ids)


def _follow_up_checks(row) -> tuple[str, ...]:
    return tuple(f"{days}-day check" for days in FOLLOW_UP_DAYS if getattr(row, f"follow_up_{days}_due"))


def alerts_for(user: User, today: date, supervised: list[Program]) -> Alerts:
    """The user's alerts in five queries whatever the caseload size (three for a worker)."""
    caseload = open_caseload(user, today)
    own_overdue = and_(caseload.c.is_own, caseload.c.contact_overdue)
    own_follow_up = and_(caseload.c.is_own, or_(*(caseload.c[f"follow_up_{d}_due"] for d in FOLLOW_UP_DAYS)))
    names = (caseload.c.last_name, caseload.c.first_name, caseload.c.case_id)
    # Window counts are taken before LIMIT, so each list carries its full count in the same query.
    contact_rows = db.session.execute(
        select(caseload, func.count().over().label("total"))
        .where(own_overdue)
        .order_by(caseload.c.due_day, *names)
        .limit(ALERT_LIMIT)
    ).all()
    follow_up_rows = db.session.execute(
        select(caseload, func.count().over().label("total"))
        .where(own_follow_up)
        .order_by(caseload.c.discharged_day, *names)
        .limit(ALERT_LIMIT)
    ).all()
    today_number = (today - EPOCH).days
    contacts = tuple(
        ContactAlert(row.case_id, f"{row.first_name} {row.last_name}", row.program_name, today_number - row.due_day)
        for row in contact_rows
    )
    follow_ups = tuple(
        FollowUpAlert(row.case_id, f"{row.first_name} {row.last_name}", row.program_name, _follow_up_checks(row))
        for row in follow_up_rows
    )

    referral_rows = db.session.execute(
        select(
            Referral.id,
            Referral.case_id,
            Referral.service_category,
            Referral.due_on,
            Participant.first_name,
            Participant.last_name,
            func.count().over().label("total"),
        )
        .join(Case, Case.id == Referral.case_id)
        .join(Participant, Participant.id == Case.participant_id)
        .where(
            case_scope(user),
            Case.assigned_worker_id == user.id,
            Case.status.in_(OPEN_STATUSES),
            Participant.deleted_at.is_(None),
            referral_overdue(today),
        )
        .order_by(Referral.due_on, Referral.id)
        .limit(ALERT_LIMIT)
    ).all()
    referrals = tuple(
        ReferralAlert(
            r.id, r.case_id, f"{r.first_name} {r.last_name}", label_of(SERVICE_CATEGORIES, r.service_category), r.due_on
        )
        for r in referral_rows
    )

    closures: tuple[ClosureAlert, ...] = ()
    stale: tuple[StaleAlert, ...] = ()
    closures_total = 0
    if supervised:
        program_ids = [p.id for p in supervised]
        closure_rows = db.session.execute(
            select(
                ClosureRequest.case_id,
                ClosureRequest.reason,
                ClosureRequest.requested_at,
                Participant.first_name,
                Participant.last_name,
                Program.name.label("program_name"),
                func.count().over().label("total"),
            )
            .join(Case, Case.id == ClosureRequest.case_id)
            .join(Participant, Participant.id == Case.participant_id)
            .join(Program, Program.id == Case.program_id)
            .where(
                ClosureRequest.status == "pending",
                Case.program_id.in_(program_ids),
                case_scope(user),
                Participant.deleted_at.is_(None),
            )
            .order_by(ClosureRequest.requested_at, ClosureRequest.id)
            .limit(ALERT_LIMIT)
        ).all()
        closures = tuple(
            ClosureAlert(
                r.case_id,
                f"{r.first_name} {r.last_name}",
                r.program_name,
                label_of(CLOSURE_REASONS, r.reason),
                r.requested_at,
            )
            for r in closure_rows
        )
        closures_total = closure_rows[0].total if closure_rows else 0
        stale_counts = dict(
            db.session.execute(
                select(caseload.c.program_id, func.count())
                .where(caseload.c.stale, caseload.c.program_id.in_(program_ids))
                .group_by(caseload.c.program_id)
            ).all()
        )
        stale = tuple(StaleAlert(p.id, p.name, int(stale_counts[p.id])) for p in supervised if stale_counts.get(p.id))

    return Alerts(
        overdue_contacts=int(contact_rows[0].total) if contact_rows else 0,
        overdue_referrals=int(referral_rows[0].total) if referral_rows else 0,
        follow_ups_due=int(follow_up_rows[0].total) if follow_up_rows else 0,
        closures_waiting=int(closures_total),
        stale_cases=sum(s.count for s in stale),
        contacts=contacts,
        referrals=referrals,
        follow_ups=follow_ups,
        closures=closures,
        stale=stale,
        is_supervisor=bool(supervised),
    )
