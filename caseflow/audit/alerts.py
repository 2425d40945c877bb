"""Security alerts raised from the audit trail itself, in the same transaction as the event (S22).

record_event calls raise_alerts for every row it writes, so no caller has to remember to. An
alert's detail is built from the event's action, record type, id and counts only, never from
the event's free-text detail (a break-glass reason may name a person): administrators read
alerts and see no case data (S7).
"""

from collections import Counter
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, union

from caseflow.extensions import db
from caseflow.models import AuditEvent, Case, SecurityAlert

VOLUME_WINDOW = timedelta(hours=1)
# Where this transaction's purge alert is kept, so one purge run raises one alert however many rows go.
_PURGE_ALERT_KEY = "caseflow.purge_alert"


def raise_alerts(event: AuditEvent) -> SecurityAlert | None:
    """Add the alert an audit event calls for, if any; most actions leave at the first test."""
    action = event.action
    if action == "view":
        if event.record_type in ("participant", "case") and event.user_id is not None:
            return _check_volume(event)
        return None
    if action == "export" and event.record_type == "report":
        return _add(event, "export", f"funder report run {event.record_id}")
    if action == "break_glass":
        return _add(event, "break_glass", f"{event.record_type} {event.record_id}".strip())
    if action == "lockout":
        locked = event.record_id if event.record_type == "user" else event.user_id
        return _add(event, "lockout", "locked after repeated failed logins", user_id=locked)
    if action == "purge":
        return _purge_alert(event)
    return None


def _add(event: AuditEvent, kind: str, detail: str, user_id: int | None = None) -> SecurityAlert:
    alert = SecurityAlert(
        kind=kind,
        user_id=user_id if user_id is not None else event.user_id,
        detail=detail[:255],
        created_at=event.occurred_at,
    )
    db.session.add(alert)
    db.session.flush()
    return alert


def distinct_participants_viewed(user_id: int, since) -> int:
    """How many different people a user opened since a moment: participant pages, and case pages by their person.

    Only opened records count, not the rows of lists and searches: a caseload list or a search
    shows dozens of names in a normal hour's work, and a list's ids are stored as text that no
    index can count. Opening a record is the act of looking someone up; a case page shows its
    person as plainly as the participant page, and resolving it is one primary-key join.
    One user's events in the hour come from the (user_id, occurred_at) index, so the cost is a
    range scan over that user's last hour of audit rows, whatever the size of the trail.
    """
    recent = (
        AuditEvent.user_id == user_id,
        AuditEvent.action == "view",
        AuditEvent.occurred_at >= since,
    )
    people = select(AuditEvent.record_id.label("participant_id")).where(
        *recent, AuditEvent.record_type == "participant", AuditEvent.record_id.is_not(None)
    )
    case_people = (
        select(Case.participant_id)
        .join(AuditEvent, AuditEvent.record_id == Case.id)
        .where(*recent, AuditEvent.record_type == "case")
    )
    seen = union(people, case_people).subquery()
    return db.session.execute(select(db.func.count()).select_from(seen)).scalar_one()


def _reopened(event: AuditEvent, since) -> bool:
    """Whether the user already opened this same record within the window (one probe of an index)."""
    earlier = db.session.execute(
        select(AuditEvent.id)
        .where(
            AuditEvent.user_id == event.user_id,
            AuditEvent.record_type == event.record_type,
            AuditEvent.record_id == event.record_id,
            AuditEvent.occurred_at >= since,
            AuditEvent.action == "view",
            AuditEvent.id != event.id,
        )
        .limit(1)
    ).first()
    return earlier is not None


def _alerted_between(user_id: int, after, until) -> bool:
    """Whether the user had a volume alert in (after, until]."""
    found = db.session.execute(
        select(SecurityAlert.id)
        .where(
            SecurityAlert.user_id == user_id,
            SecurityAlert.kind == "volume",
            SecurityAlert.created_at > after,
            SecurityAlert.created_at <= until,
        )
        .limit(1)
    ).first()
    return found is not None


def _check_volume(event: AuditEvent) -> SecurityAlert | None:
    """One alert when a user passes the limit of distinct people in an hour, then quiet for an hour.

    Counting a busy user's whole hour on every page cost 10-20 ms once that hour held tens of thousands
    of rows, so a reopened record is not counted again when the count cannot have a new answer. The
    window's people are then a subset of those counted when the user last opened a new record (time t):
    if that count was within the limit, so is this one; if not, a volume alert exists in the hour before
    t, so within two hours of now. Only an alert between two hours and one hour ago could let this view
    raise another (the hourly repeat), so only then is the count run anyway.
    """
    limit = current_app.config.get("ALERT_PARTICIPANTS_PER_HOUR", 50)
    since = event.occurred_at - VOLUME_WINDOW
    if _reopened(event, since) and not _alerted_between(event.user_id, since - VOLUME_WINDOW, since):
        return None
    seen = distinct_participants_viewed(event.user_id, since)
    if seen <= limit:
        return None
    already = db.session.execute(
        select(SecurityAlert.id)
        .where(
            SecurityAlert.user_id == event.user_id,
            SecurityAlert.kind == "volume",
            SecurityAlert.created_at > since,
        )
        .limit(1)
    ).first()
    if already is not None:
        return None
    return _add(event, "volume", f"{seen} distinct participants opened within one hour (limit {limit})")


def _purge_alert(event: AuditEvent) -> SecurityAlert:
    """One alert per purge run (one transaction), its counts kept up to date as the rows go."""
    session = db.session()
    transaction = session.get_transaction()
    cached = session.info.get(_PURGE_ALERT_KEY)
    if cached is not None and cached[0] is transaction and cached[1] == event.user_id:
        _, _, alert, counts, programs = cached
    else:
        alert = _add(event, "purge", "")
        counts, programs = Counter(), []
        session.info[_PURGE_ALERT_KEY] = (transaction, event.user_id, alert, counts, programs)
    if event.record_type == "program":
        programs.append(event.record_id)
    else:
        counts[event.record_type] += 1
    where = f"program {', '.join(str(p) for p in programs)}: " if programs else ""
    rows = ", ".join(
        f"{n} {kind.replace('_', ' ')} record{'' if n == 1 else 's'}" for kind, n in sorted(counts.items())
    )
    alert.detail = (where + (rows or "nothing") + " purged")[:255]
    db.session.flush()
    return alert
