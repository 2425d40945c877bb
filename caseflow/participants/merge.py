"""Merging two records of one person: everything moves to the kept record, the other retires."""

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import (
    CallInInvitee,
    Case,
    Consent,
    IncidentPerson,
    Injury,
    MediationPerson,
    MergeRequest,
    Notification,
    Participant,
    ParticipantAlias,
    ParticipantMerge,
    ParticipantRaceEthnicity,
    Program,
    User,
)
from caseflow.models.base import utcnow
from caseflow.models.case import OPEN_STATUSES
from caseflow.permissions import SUPERVISING_ROLES, participant_scope, programs_for, role_in
from caseflow.softdelete import soft_delete

# How far a chain of merges (A into B, later B into C) is followed to the surviving record.
MAX_MERGE_HOPS = 10


class MergeRuleError(ValueError):
    """A domain rule refused the merge; the message is shown to the user and nothing changed."""


def can_merge(user: User) -> bool:
    """Supervisors and managers merge; workers ask them to."""
    return bool(programs_for(user, SUPERVISING_ROLES))


def shared_open_programs(first: Participant, second: Participant) -> list[Program]:
    """Programs where both records have a live open case: a merge would give one person two."""
    open_cases = select(Case.program_id).where(Case.status.in_(OPEN_STATUSES), Case.deleted_at.is_(None))
    first_programs = set(db.session.execute(open_cases.where(Case.participant_id == first.id)).scalars())
    second_programs = set(db.session.execute(open_cases.where(Case.participant_id == second.id)).scalars())
    shared = first_programs & second_programs
    if not shared:
        return []
    return list(db.session.execute(select(Program).where(Program.id.in_(shared)).order_by(Program.name)).scalars())


def open_case_clash_message(actor: User, programs) -> str:
    """Tell the user which program to close a case in; programs they do not belong to stay unnamed."""
    names = [p.name if role_in(actor, p.id) else "another program" for p in programs]
    return (
        f"Both records have an open case in {', '.join(dict.fromkeys(names))}. "
        "Close one of those cases first, then merge."
    )


def merge_participants(actor: User, kept: Participant, retired: Participant, note: str = "") -> ParticipantMerge:
    """Move everything of retired onto kept, fill kept's gaps, and retire the other record.

    The view has checked the actor can see both records; this checks the domain rules,
    flushes and audits, and never commits.
    """
    if kept.id == retired.id:
        raise MergeRuleError("A record cannot be merged with itself. Choose a different record.")
    for record in (kept, retired):
        if record.merged_into_id is not None or record.deleted_at is not None:
            raise MergeRuleError(f"Record #{record.id} has already been merged or deleted, so it cannot be merged.")
    if not can_merge(actor):
        raise MergeRuleError("Only supervisors and managers can merge records.")
    clashes = shared_open_programs(kept, retired)
    if clashes:
        raise MergeRuleError(open_case_clash_message(actor, clashes))

    # Cases move whole: contacts, referrals, goals and every other case record come with them.
    # Soft-deleted cases move too, so restoring one brings it back to the right person.
    moved_cases = list(db.session.execute(select(Case).where(Case.participant_id == retired.id)).scalars())
    moved_consents = list(db.session.execute(select(Consent).where(Consent.participant_id == retired.id)).scalars())
    # One flush for all the moves, so each record's version moves once.
    with db.session.no_autoflush:
        for case in moved_cases:
            case.participant = kept
        for consent in moved_consents:
            consent.participant = kept
        # Links to incidents, mediations and call-ins move too; where both records were linked to
        # the same one, kept's link stands (a call-in keeps the furthest attendance of the two).
        _move_links(IncidentPerson, "incident_id", kept, retired)
        _move_links(MediationPerson, "mediation_id", kept, retired)
        _move_links(CallInInvitee, "call_in_id", kept, retired, _combine_invitations)
        # Person-level module records with no uniqueness simply follow the person.
        for model in (Notification, Injury):
            for record in db.session.execute(select(model).where(model.participant_id == retired.id)).scalars():
                record.participant_id = kept.id
        _merge_aliases(kept, retired)
        known = {row.category for row in kept.race_ethnicities}
        for row in retired.race_ethnicities:
            if row.category not in known:
                kept.race_ethnicities.append(ParticipantRaceEthnicity(category=row.category))
                known.add(row.category)
        _fill_gaps(kept, retired)
        # Protection is never lost by a merge: if either record was IPV-protected, the person is (S24).
        kept.is_ipv_protected = kept.is_ipv_protected or retired.is_ipv_protected
        kept.updated_at = utcnow()  # moves the version: an edit form open on the kept record is now stale
    retired.merged_into_id = kept.id
    db.session.flush()
    soft_delete(actor, retired, "participant")
    merge = ParticipantMerge(kept_id=kept.id, retired_id=retired.id, merged_by_id=actor.id, note=note.strip())
    db.session.add(merge)
    db.session.flush()
    record_event(actor, "update", "participant", kept.id, detail=f"merge {merge.id}: record {retired.id} merged in")
    record_event(actor, "update", "participant", retired.id, detail=f"merge {merge.id}: retired into {kept.id}")
    if moved_cases:
        record_event(
            actor, "update", "case", record_ids=[c.id for c in moved_cases], detail=f"moved by merge {merge.id}"
        )
    _settle_requests(actor, kept, retired, merge)
    if moved_consents:
        record_event(
            actor, "update", "consent", record_ids=[c.id for c in moved_consents], detail=f"moved by merge {merge.id}"
        )
    return merge


ATTENDANCE_RANK = {"invited": 0, "absent": 1, "attended": 2}


def _combine_invitations(kept_row: CallInInvitee, retired_row: CallInInvitee) -> None:
    """Both records were invited to one call-in: keep what the person actually did."""
    if ATTENDANCE_RANK[retired_row.attendance] > ATTENDANCE_RANK[kept_row.attendance]:
        kept_row.attendance = retired_row.attendance
    kept_row.help_accepted = kept_row.help_accepted or retired_row.help_accepted


def _move_links(model, parent_column: str, kept: Participant, retired: Participant, combine=None) -> None:
    """Point retired's links of one kind at kept; a link kept already has absorbs the duplicate."""
    kept_rows = {
        getattr(row, parent_column): row
        for row in db.session.execute(select(model).where(model.participant_id == kept.id)).scalars()
    }
    for row in db.session.execute(select(model).where(model.participant_id == retired.id)).scalars().all():
        existing = kept_rows.get(getattr(row, parent_column))
        if existing is None:
            row.participant_id = kept.id
            continue
        if combine is not None:
            combine(existing, row)
        db.session.delete(row)


def _merge_aliases(kept: Participant, retired: Participant) -> None:
    """Aliases move unless kept already has them (compared ignoring case); retired's own name becomes one."""
    known = {alias.name.lower() for alias in kept.aliases}
    for alias in list(retired.aliases):
        if alias.name.lower() not in known:
            known.add(alias.name.lower())
            alias.participant = kept
    retired_name = f"{retired.first_name} {retired.last_name}".strip()[:80]
    if retired_name.lower() != kept.display_name.strip().lower() and retired_name.lower() not in known:
        kept.aliases.append(ParticipantAlias(name=retired_name, kind="alias"))


def _fill_gaps(kept: Participant, retired: Participant) -> None:
    """Kept's empty fields take retired's values; nothing kept already has is overwritten."""
    if kept.date_of_birth is None and retired.date_of_birth is not None:
        # A known birth date replaces an estimate, as on the forms.
        kept.date_of_birth = retired.date_of_birth
        kept.estimated_age, kept.estimated_age_on = None, None
    if kept.date_of_birth is None and kept.estimated_age is None and retired.estimated_age is not None:
        kept.estimated_age, kept.estimated_age_on = retired.estimated_age, retired.estimated_age_on
    for name in ("phone", "area", "preferred_language"):
        if not getattr(kept, name) and getattr(retired, name):
            setattr(kept, name, getattr(retired, name))
    if kept.gender == "not_reported" and retired.gender != "not_reported":
        kept.gender = retired.gender


def merged_into_visible(user: User, participant_id: int) -> int | None:
    """For a merged record, the surviving record's id if the user may see it; otherwise None."""
    current, seen = participant_id, {participant_id}
    for _ in range(MAX_MERGE_HOPS):
        target = db.session.execute(
            select(Participant.merged_into_id).where(Participant.id == current)
        ).scalar_one_or_none()
        if target is None or target in seen:
            break
        current = target
        seen.add(target)
    if current == participant_id:
        return None
    return db.session.execute(
        select(Participant.id).where(Participant.id == current, participant_scope(user))
    ).scalar_one_or_none()


# --- duplicate reports from workers -------------------------------------------------------------


def _pair(first_id: int, second_id: int):
    """Either order of two records, for finding a report about the pair."""
    return or_(
        and_(MergeRequest.participant_id == first_id, MergeRequest.other_id == second_id),
        and_(MergeRequest.participant_id == second_id, MergeRequest.other_id == first_id),
    )


def request_merge(actor: User, participant: Participant, other: Participant, reason: str) -> MergeRequest:
    """A worker reports two records they can see as one person; a supervisor decides."""
    if participant.id == other.id:
        raise MergeRuleError("That is this record. Enter the number of the other one.")
    reason = (reason or "").strip()
    if not reason:
        raise MergeRuleError("Say why you think these records are the same person.")
    pending = db.session.execute(
        select(MergeRequest.id).where(_pair(participant.id, other.id), MergeRequest.status == "pending")
    ).first()
    if pending is not None:
        raise MergeRuleError("These two records are already reported; a supervisor will review them.")
    request = MergeRequest(participant_id=participant.id, other_id=other.id, reason=reason, requested_by_id=actor.id)
    db.session.add(request)
    db.session.flush()
    record_event(
        actor, "create", "merge_request", request.id, record_ids=[participant.id, other.id], detail="duplicate report"
    )
    return request


def _visible_ids(user: User):
    return select(Participant.id).where(participant_scope(user))


def pending_merge_requests(user: User) -> list[MergeRequest]:
    """Reports a supervisor can act on: both records still live and in their sight."""
    if not can_merge(user):
        return []
    visible = _visible_ids(user)
    return list(
        db.session.execute(
            select(MergeRequest)
            .where(
                MergeRequest.status == "pending",
                MergeRequest.participant_id.in_(visible),
                MergeRequest.other_id.in_(visible),
            )
            .options(
                selectinload(MergeRequest.participant),
                selectinload(MergeRequest.other),
                selectinload(MergeRequest.requested_by),
            )
            .order_by(MergeRequest.requested_at)
        ).scalars()
    )


def return_merge_request(actor: User, request: MergeRequest, note: str) -> None:
    """A supervisor decides the records are different people (or need more checking) and says why."""
    note = (note or "").strip()
    if not note:
        raise MergeRuleError("Say why you are returning this report, so the worker knows what to check.")
    if request.status != "pending":
        raise MergeRuleError("This report has already been decided.")
    request.status, request.decision_note = "returned", note
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    db.session.flush()
    record_event(actor, "update", "merge_request", request.id, detail="returned")


def _settle_requests(actor: User, kept: Participant, retired: Participant, merge: ParticipantMerge) -> None:
    """A merge answers any pending report about the same two records."""
    for request in db.session.execute(
        select(MergeRequest).where(_pair(kept.id, retired.id), MergeRequest.status == "pending")
    ).scalars():
        request.status, request.decided_by_id, request.decided_at = "merged", actor.id, utcnow()
        request.merge_id = merge.id
        request.decision_note = f"Merged into record #{kept.id}."
    db.session.flush()


def merge_requests_about(user: User, participant: Participant) -> list[MergeRequest]:
    """Reports naming this record whose other record the user can also see, newest first."""
    visible = _visible_ids(user)
    return list(
        db.session.execute(
            select(MergeRequest)
            .where(
                or_(
                    and_(MergeRequest.participant_id == participant.id, MergeRequest.other_id.in_(visible)),
                    and_(MergeRequest.other_id == participant.id, MergeRequest.participant_id.in_(visible)),
                )
            )
            .options(selectinload(MergeRequest.participant), selectinload(MergeRequest.other))
            .order_by(MergeRequest.requested_at.desc())
        ).scalars()
    )
