"""Focused deterrence operations: groups, affiliations, call-ins and attendance, custom notifications.

Services take the acting user, check the domain rules, flush, audit, and never commit.
"""

from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import (
    ATTENDANCE,
    NOTIFICATION_TRIGGERS,
    CallIn,
    CallInInvitee,
    CallInServiceRequest,
    Case,
    DeterrenceGroup,
    GroupAffiliation,
    Notification,
    Participant,
    Program,
    User,
)
from caseflow.models.case import OPEN_STATUSES
from caseflow.models.choices import SERVICE_CATEGORIES
from caseflow.permissions import SUPERVISING_ROLES, case_scope, participant_scope, role_in
from caseflow.softdelete import soft_delete

CALL_IN_FIELDS = ("held_at", "venue", "speakers_community", "speakers_services", "speakers_law_enforcement", "notes")
NOTIFICATION_FIELDS = ("notified_on", "trigger", "delivered", "offer_accepted", "notes")


class DeterrenceRuleError(ValueError):
    """A domain rule refused the change; the message is safe to show the user."""


def is_fd_program(program: Program | None) -> bool:
    """Only live focused deterrence programs hold groups, call-ins and notifications."""
    return program is not None and program.kind == "focused_deterrence" and program.deleted_at is None


def _check_member(actor: User, program_id: int) -> None:
    if role_in(actor, program_id) is None:
        raise DeterrenceRuleError("Only members of this focused deterrence program can record this.")


def _clean(fields: dict, allowed: tuple[str, ...]) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


# --- groups and affiliations ------------------------------------------------------------------


def program_groups(program: Program) -> list[DeterrenceGroup]:
    """The program's live groups by name."""
    return list(
        db.session.execute(
            select(DeterrenceGroup)
            .where(DeterrenceGroup.program_id == program.id, DeterrenceGroup.deleted_at.is_(None))
            .order_by(DeterrenceGroup.name)
        ).scalars()
    )


def add_group(actor: User, program: Program, name: str, area: str = "") -> DeterrenceGroup:
    """Add a group by name and area; names are unique in a program, whatever their capitals."""
    if role_in(actor, program.id) not in SUPERVISING_ROLES:
        raise DeterrenceRuleError("Only supervisors and managers can add groups.")
    name, area = (name or "").strip(), (area or "").strip()
    if not name:
        raise DeterrenceRuleError("Enter the group's name.")
    clash = db.session.execute(
        select(DeterrenceGroup.id).where(
            DeterrenceGroup.program_id == program.id, func.lower(DeterrenceGroup.name) == name.lower()
        )
    ).first()
    if clash is not None:
        raise DeterrenceRuleError(f"This program already has a group called “{name}”.")
    group = DeterrenceGroup(program_id=program.id, name=name, area=area)
    db.session.add(group)
    db.session.flush()
    record_event(actor, "create", "deterrence_group", group.id, detail=f"program {program.id}")
    return group


def case_affiliations(case: Case) -> list[GroupAffiliation]:
    """The case's live group affiliations, by group name."""
    return list(
        db.session.execute(
            select(GroupAffiliation)
            .join(DeterrenceGroup, DeterrenceGroup.id == GroupAffiliation.group_id)
            .where(GroupAffiliation.case_id == case.id, GroupAffiliation.deleted_at.is_(None))
            .order_by(DeterrenceGroup.name)
        ).scalars()
    )


def add_affiliation(actor: User, case: Case, group: DeterrenceGroup) -> GroupAffiliation:
    """Record a group affiliation on the case; a removed one for the same group comes back."""
    _check_member(actor, case.program_id)
    if group.program_id != case.program_id or group.deleted_at is not None:
        raise DeterrenceRuleError("Choose one of this program's groups.")
    existing = db.session.execute(
        select(GroupAffiliation).where(GroupAffiliation.case_id == case.id, GroupAffiliation.group_id == group.id)
    ).scalar_one_or_none()
    if existing is not None and existing.deleted_at is None:
        raise DeterrenceRuleError(f"The affiliation with {group.name} is already recorded.")
    if existing is not None:
        # One row per case and group: a removed affiliation is restored rather than duplicated.
        existing.deleted_at, existing.deleted_by_id, existing.recorded_by_id = None, None, actor.id
        affiliation = existing
    else:
        affiliation = GroupAffiliation(case_id=case.id, group_id=group.id, recorded_by_id=actor.id)
        db.session.add(affiliation)
    db.session.flush()
    record_event(actor, "create", "group_affiliation", affiliation.id, detail=f"case {case.id}")
    return affiliation


def remove_affiliation(actor: User, affiliation: GroupAffiliation) -> None:
    """Remove an affiliation (soft, so the audit trail keeps its story)."""
    case = db.session.get(Case, affiliation.case_id)
    _check_member(actor, case.program_id)
    soft_delete(actor, affiliation, "group_affiliation")


# --- who can be invited or notified --------------------------------------------------------------


def invitable_people(actor: User, program: Program) -> list[tuple[int, str]]:
    """(id, name) of people with an open case of this program in the actor's scope."""
    rows = db.session.execute(
        select(Participant.id, Participant.first_name, Participant.last_name)
        .join(Case, Case.participant_id == Participant.id)
        .where(
            Case.program_id == program.id,
            Case.status.in_(OPEN_STATUSES),
            case_scope(actor),
            Participant.deleted_at.is_(None),
        )
        .distinct()
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
    ).all()
    return [(pid, f"{first} {last}") for pid, first, last in rows]


def notifiable_people(actor: User, program: Program) -> list[tuple[int, str]]:
    """(id, name) of people with any live case of this program in the actor's scope."""
    rows = db.session.execute(
        select(Participant.id, Participant.first_name, Participant.last_name)
        .join(Case, Case.participant_id == Participant.id)
        .where(Case.program_id == program.id, case_scope(actor), Participant.deleted_at.is_(None))
        .distinct()
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
    ).all()
    return [(pid, f"{first} {last}") for pid, first, last in rows]


def visible_participant_ids(actor: User, participant_ids) -> set[int]:
    """Which of these people the actor may see by name."""
    ids = {i for i in participant_ids if i is not None}
    if not ids:
        return set()
    return set(
        db.session.execute(select(Participant.id).where(Participant.id.in_(ids), participant_scope(actor))).scalars()
    )


# --- call-ins -------------------------------------------------------------------------------------


def _check_call_in(call_in: CallIn) -> None:
    if not call_in.venue:
        raise DeterrenceRuleError("Enter the venue.")
    for sector in ("speakers_community", "speakers_services", "speakers_law_enforcement"):
        if (getattr(call_in, sector) or 0) < 0:
            raise DeterrenceRuleError("Speaker counts cannot be negative.")


def record_call_in(
    actor: User,
    program: Program,
    *,
    participant_ids: list[int] = (),
    service_requests: dict[str, int] | None = None,
    **fields,
) -> CallIn:
    """Record a call-in, its invitees (people with an open case in the actor's scope) and services asked for."""
    if not is_fd_program(program):
        raise DeterrenceRuleError("Call-ins belong to a focused deterrence program.")
    _check_member(actor, program.id)
    call_in = CallIn(program_id=program.id, recorded_by_id=actor.id, **_clean(fields, CALL_IN_FIELDS))
    _check_call_in(call_in)
    allowed = {pid for pid, _ in invitable_people(actor, program)}
    wanted = list(dict.fromkeys(participant_ids))
    if set(wanted) - allowed:
        raise DeterrenceRuleError("Invite only people with an open case in this program.")
    for pid in wanted:
        call_in.invitees.append(CallInInvitee(participant_id=pid))
    for category, people in (service_requests or {}).items():
        if category not in dict(SERVICE_CATEGORIES):
            raise DeterrenceRuleError("Unknown service category.")
        if people:
            if people < 0:
                raise DeterrenceRuleError("The number of people cannot be negative.")
            call_in.service_requests.append(CallInServiceRequest(category=category, people=people))
    db.session.add(call_in)
    db.session.flush()
    record_event(
        actor, "create", "call_in", call_in.id, record_ids=wanted, detail=f"program {program.id}, {len(wanted)} invited"
    )
    return call_in


def edit_call_in(actor: User, call_in: CallIn, **fields) -> CallIn:
    """Correct a call-in's own details; the caller has checked the version the user started from."""
    _check_member(actor, call_in.program_id)
    for name, value in _clean(fields, CALL_IN_FIELDS).items():
        setattr(call_in, name, value)
    _check_call_in(call_in)
    db.session.flush()
    record_event(actor, "update", "call_in", call_in.id, detail=f"program {call_in.program_id}")
    return call_in


def record_attendance(actor: User, call_in: CallIn, rows: dict[int, tuple[str, bool]]) -> int:
    """Set attendance and acceptance for invitees (by invitee id); returns how many changed."""
    _check_member(actor, call_in.program_id)
    by_id = {invitee.id: invitee for invitee in call_in.invitees}
    changed = []
    for invitee_id, (attendance, accepted) in rows.items():
        invitee = by_id.get(invitee_id)
        if invitee is None:
            raise DeterrenceRuleError("That person was not invited to this call-in.")
        if attendance not in dict(ATTENDANCE):
            raise DeterrenceRuleError("Choose invited, attended or did not attend.")
        # Help is offered in the room: only someone who came can have taken it.
        if accepted and attendance != "attended":
            raise DeterrenceRuleError("Only someone who attended can have accepted the offer of help.")
        if (invitee.attendance, invitee.help_accepted) != (attendance, bool(accepted)):
            invitee.attendance, invitee.help_accepted = attendance, bool(accepted)
            changed.append(invitee.participant_id)
    db.session.flush()
    record_event(actor, "update", "call_in", call_in.id, record_ids=changed, detail="attendance")
    return len(changed)


def invitee_counts(call_in_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(invited, attended) per call-in, from one GROUP BY."""
    if not call_in_ids:
        return {}
    rows = db.session.execute(
        select(
            CallInInvitee.call_in_id,
            func.count(CallInInvitee.id),
            func.coalesce(func.sum(sql_case((CallInInvitee.attendance == "attended", 1), else_=0)), 0),
        )
        .join(Participant, Participant.id == CallInInvitee.participant_id)
        .where(
            CallInInvitee.call_in_id.in_(call_in_ids),
            (Participant.deleted_at.is_(None)) | (Participant.merged_into_id.is_not(None)),
        )
        .group_by(CallInInvitee.call_in_id)
    ).all()
    return {call_in_id: (int(invited), int(attended)) for call_in_id, invited, attended in rows}


# --- notifications ----------------------------------------------------------------------------------


def _check_notification(notification: Notification) -> None:
    if notification.trigger not in dict(NOTIFICATION_TRIGGERS):
        raise DeterrenceRuleError("Choose what triggered the notification.")
    # The offer of help is part of the notification: it cannot be taken if the notification never arrived.
    if notification.offer_accepted and not notification.delivered:
        raise DeterrenceRuleError("Only a delivered notification can have its offer of help accepted.")


def record_notification(actor: User, program: Program, participant: Participant, **fields) -> Notification:
    """Record a custom notification to a person with a case of this program in the actor's scope."""
    if not is_fd_program(program):
        raise DeterrenceRuleError("Notifications belong to a focused deterrence program.")
    _check_member(actor, program.id)
    if participant.id not in {pid for pid, _ in notifiable_people(actor, program)}:
        raise DeterrenceRuleError("Choose a person with a case in this program.")
    notification = Notification(
        program_id=program.id,
        participant_id=participant.id,
        recorded_by_id=actor.id,
        **_clean(fields, NOTIFICATION_FIELDS),
    )
    _check_notification(notification)
    db.session.add(notification)
    db.session.flush()
    record_event(actor, "create", "notification", notification.id, detail=f"program {program.id}")
    return notification


def edit_notification(actor: User, notification: Notification, **fields) -> Notification:
    """Correct a notification; the caller has checked the version."""
    _check_member(actor, notification.program_id)
    for name, value in _clean(fields, NOTIFICATION_FIELDS).items():
        setattr(notification, name, value)
    _check_notification(notification)
    db.session.flush()
    record_event(actor, "update", "notification", notification.id, detail=f"program {notification.program_id}")
    return notification


def person_notifications(program_id: int, participant_id: int) -> list[Notification]:
    """A person's live notifications in a program, newest first."""
    return list(
        db.session.execute(
            select(Notification)
            .where(
                Notification.program_id == program_id,
                Notification.participant_id == participant_id,
                Notification.deleted_at.is_(None),
            )
            .order_by(Notification.notified_on.desc(), Notification.id.desc())
        ).scalars()
    )


def person_invitations(program_id: int, participant_id: int) -> list[CallInInvitee]:
    """A person's invitations to the program's live call-ins, newest first."""
    return list(
        db.session.execute(
            select(CallInInvitee)
            .join(CallIn, CallIn.id == CallInInvitee.call_in_id)
            .where(
                CallIn.program_id == program_id,
                CallIn.deleted_at.is_(None),
                CallInInvitee.participant_id == participant_id,
            )
            .order_by(CallIn.held_at.desc(), CallIn.id.desc())
        ).scalars()
    )
