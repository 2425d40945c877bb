"""Focused deterrence figures: plain dataclasses from SQL aggregates, counting only live records.

Every function takes (program_id, start, end): local calendar days, inclusive. Call-ins count by
when they were held, notifications by their date. People are counted once each, a merged record
counting as the record it was merged into.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, func, or_, select, union_all
from sqlalchemy import case as sql_case

from caseflow.extensions import db
from caseflow.models import CallIn, CallInInvitee, CallInServiceRequest, Case, Notification, Participant, Referral
from caseflow.models.choices import SERVICE_CATEGORIES
from caseflow.models.deterrence import NOTIFICATION_TRIGGERS
from caseflow.permissions import ipv_protected_ids
from caseflow.timezones import local_date_sql, to_utc

CONNECTED_STATUSES = ("connected", "completed")


@dataclass(frozen=True)
class CallInCounts:
    """Call-ins held, the people invited, who came and took the offer of help, and speakers by sector."""

    held: int = 0
    invited: int = 0
    attended: int = 0
    accepted: int = 0
    speakers_community: int = 0
    speakers_services: int = 0
    speakers_law_enforcement: int = 0


@dataclass(frozen=True)
class CategoryCount:
    category: str
    label: str
    people: int


@dataclass(frozen=True)
class ServiceRequests:
    """People asking for each service category at call-ins, in the category list's order."""

    categories: tuple[CategoryCount, ...] = ()

    @property
    def total(self) -> int:
        return sum(c.people for c in self.categories)


@dataclass(frozen=True)
class TriggerCount:
    trigger: str
    label: str
    notifications: int


@dataclass(frozen=True)
class NotificationCounts:
    """Custom notifications made, by trigger, delivered, and with the offer of help accepted."""

    total: int = 0
    by_trigger: tuple[TriggerCount, ...] = ()
    delivered: int = 0
    accepted: int = 0


@dataclass(frozen=True)
class OfferPipeline:
    """Unduplicated people at each step from the offer of help to services."""

    offered: int = 0
    accepted: int = 0
    case_opened: int = 0
    services_connected: int = 0


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local days start..end as a half-open UTC interval."""
    return to_utc(datetime.combine(start, time.min)), to_utc(datetime.combine(end + timedelta(days=1), time.min))


def _person_key():
    """The person a participant row counts as: the record it was merged into, if any."""
    return func.coalesce(Participant.merged_into_id, Participant.id)


def _person_counts():
    """A participant row counts if it is live, or retired by a merge (then as the kept record)."""
    return or_(Participant.deleted_at.is_(None), Participant.merged_into_id.is_not(None))


def _counted(exclude_ipv: bool):
    """Which participant rows count; for partners, never an IPV-protected person (S24), merged or not."""
    if not exclude_ipv:
        return _person_counts()
    return and_(
        _person_counts(),
        Participant.is_ipv_protected.is_(False),
        or_(Participant.merged_into_id.is_(None), Participant.merged_into_id.not_in(ipv_protected_ids())),
    )


def _live_call_ins(program_id: int, start: date, end: date):
    return _live_call_ins_between(program_id, *_utc_bounds(start, end))


def _live_call_ins_between(program_id, low, high):
    """A program's live call-ins held in [low, high), UTC (values or bound parameters)."""
    return and_(
        CallIn.program_id == program_id, CallIn.deleted_at.is_(None), CallIn.held_at >= low, CallIn.held_at < high
    )


def call_in_figures(program_id, low, high, *, exclude_ipv: bool = False) -> tuple[list[Select], Callable]:
    """The two one-row aggregates of call_in_counts (values or bound parameters), and the reader of both rows.

    Call-ins and speakers are sums over call-ins, invitees distinct people over another join, so they
    stay two aggregates; the dashboard joins them to its other one-row figures.
    """
    held = select(
        func.count(CallIn.id),
        func.coalesce(func.sum(CallIn.speakers_community), 0),
        func.coalesce(func.sum(CallIn.speakers_services), 0),
        func.coalesce(func.sum(CallIn.speakers_law_enforcement), 0),
    ).where(_live_call_ins_between(program_id, low, high))
    person = _person_key()
    people = (
        select(
            func.count(func.distinct(person)),
            func.count(func.distinct(sql_case((CallInInvitee.attendance == "attended", person)))),
            func.count(func.distinct(sql_case((CallInInvitee.help_accepted.is_(True), person)))),
        )
        .select_from(CallInInvitee)
        .join(CallIn, CallIn.id == CallInInvitee.call_in_id)
        .join(Participant, Participant.id == CallInInvitee.participant_id)
        .where(_live_call_ins_between(program_id, low, high), _counted(exclude_ipv))
    )

    def read(held_row: Sequence, people_row: Sequence) -> CallInCounts:
        count, community, services, law = held_row
        invited, attended, accepted = people_row
        return CallInCounts(
            held=int(count),
            invited=int(invited),
            attended=int(attended),
            accepted=int(accepted),
            speakers_community=int(community),
            speakers_services=int(services),
            speakers_law_enforcement=int(law),
        )

    return [held, people], read


def call_in_counts(program_id: int, start: date, end: date, *, exclude_ipv: bool = False) -> CallInCounts:
    """Call-ins held and speakers (sums), then invitees as distinct people, in two aggregates.

    exclude_ipv leaves IPV-protected people out of the people counts, as the partner's view must.
    """
    statements, read = call_in_figures(program_id, *_utc_bounds(start, end), exclude_ipv=exclude_ipv)
    return read(*(db.session.execute(stmt).one() for stmt in statements))


def service_requests(program_id: int, start: date, end: date) -> ServiceRequests:
    """People asking for each service category at the period's call-ins (one GROUP BY)."""
    rows = db.session.execute(
        select(CallInServiceRequest.category, func.sum(CallInServiceRequest.people))
        .join(CallIn, CallIn.id == CallInServiceRequest.call_in_id)
        .where(_live_call_ins(program_id, start, end))
        .group_by(CallInServiceRequest.category)
    ).all()
    people = {category: int(total or 0) for category, total in rows}
    return ServiceRequests(
        categories=tuple(CategoryCount(value, label, people.get(value, 0)) for value, label in SERVICE_CATEGORIES)
    )


def _live_notifications(program_id, start, end, exclude_ipv: bool = False):
    return and_(
        Notification.program_id == program_id,
        Notification.deleted_at.is_(None),
        Notification.notified_on >= start,
        Notification.notified_on <= end,
        _counted(exclude_ipv),
    )


def _count_if(condition):
    return func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0)


def notification_figure(program_id, start, end, *, exclude_ipv: bool = False) -> tuple[Select, Callable]:
    """One-row aggregate of the notifications on days start..end (values or bound parameters), and its reader.

    One conditional count per trigger (the check constraint keeps triggers to NOTIFICATION_TRIGGERS).
    """
    stmt = (
        select(
            func.count(Notification.id),
            _count_if(Notification.delivered.is_(True)),
            _count_if(Notification.offer_accepted.is_(True)),
            *(_count_if(Notification.trigger == value) for value, _label in NOTIFICATION_TRIGGERS),
        )
        .join(Participant, Participant.id == Notification.participant_id)
        .where(_live_notifications(program_id, start, end, exclude_ipv))
    )

    def read(row: Sequence) -> NotificationCounts:
        total, delivered, accepted, *triggers = row
        return NotificationCounts(
            total=int(total),
            by_trigger=tuple(
                TriggerCount(value, label, int(n))
                for (value, label), n in zip(NOTIFICATION_TRIGGERS, triggers, strict=True)
            ),
            delivered=int(delivered),
            accepted=int(accepted),
        )

    return stmt, read


def notification_counts(program_id: int, start: date, end: date, *, exclude_ipv: bool = False) -> NotificationCounts:
    """Notifications in the period: totals and one count per trigger from one aggregate (exclude_ipv: as above)."""
    stmt, read = notification_figure(program_id, start, end, exclude_ipv=exclude_ipv)
    return read(db.session.execute(stmt).one())


def offer_pipeline(program_id: int, start: date, end: date, *, exclude_ipv: bool = False) -> OfferPipeline:
    """Offered -> accepted -> case opened -> services connected, as unduplicated people, in one statement.

    Offered: a delivered notification dated in the period, or attendance at a call-in held in it.
    Accepted: any of those offers taken. Case opened: a live case of this program enrolled on or
    after the person's first offer in the period. Services connected: such a case has a live
    referral that connected or completed. exclude_ipv leaves IPV-protected people out (partners).
    """
    low, high = _utc_bounds(start, end)
    stmt, read = pipeline_figure(program_id, start, end, low, high, exclude_ipv=exclude_ipv)
    return read(db.session.execute(stmt).one())


def pipeline_figure(program_id, start, end, low, high, *, exclude_ipv: bool = False) -> tuple[Select, Callable]:
    """One-row aggregate of offer_pipeline, and its reader: days start..end, UTC [low, high) (values or parameters)."""
    person = _person_key()
    notified = (
        select(
            person.label("person_id"),
            Notification.notified_on.label("offered_on"),
            Notification.offer_accepted.label("accepted"),
        )
        .join(Participant, Participant.id == Notification.participant_id)
        .where(_live_notifications(program_id, start, end, exclude_ipv), Notification.delivered.is_(True))
    )
    attended = (
        select(
            person.label("person_id"),
            local_date_sql(CallIn.held_at).label("offered_on"),
            CallInInvitee.help_accepted.label("accepted"),
        )
        .select_from(CallInInvitee)
        .join(CallIn, CallIn.id == CallInInvitee.call_in_id)
        .join(Participant, Participant.id == CallInInvitee.participant_id)
        .where(
            _live_call_ins_between(program_id, low, high), CallInInvitee.attendance == "attended", _counted(exclude_ipv)
        )
    )
    offers = union_all(notified, attended).subquery("offers")
    people = (
        select(
            offers.c.person_id,
            func.min(offers.c.offered_on).label("first_offer"),
            func.max(sql_case((offers.c.accepted.is_(True), 1), else_=0)).label("accepted"),
        )
        .group_by(offers.c.person_id)
        .subquery("people")
    )
    enrolled_after_offer = and_(
        Case.participant_id == people.c.person_id,
        Case.program_id == program_id,
        Case.deleted_at.is_(None),
        Case.enrolled_on.is_not(None),
        Case.enrolled_on >= people.c.first_offer,
    )
    case_opened = select(Case.id).where(enrolled_after_offer).exists()
    connected = (
        select(Referral.id)
        .join(Case, Case.id == Referral.case_id)
        .where(enrolled_after_offer, Referral.deleted_at.is_(None), Referral.status.in_(CONNECTED_STATUSES))
        .exists()
    )
    stmt = select(
        func.count(people.c.person_id),
        func.coalesce(func.sum(people.c.accepted), 0),
        func.coalesce(func.sum(sql_case((case_opened, 1), else_=0)), 0),
        func.coalesce(func.sum(sql_case((connected, 1), else_=0)), 0),
    ).select_from(people)

    def read(row: Sequence) -> OfferPipeline:
        offered, accepted, opened, served = row
        return OfferPipeline(
            offered=int(offered), accepted=int(accepted), case_opened=int(opened), services_connected=int(served)
        )

    return stmt, read
