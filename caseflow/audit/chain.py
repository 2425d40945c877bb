"""The audit hash chain: each row's hash covers its content and the previous row's hash."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import AuditEvent

GENESIS = "0" * 64
# Any fixed number; every audit write takes this transaction-level lock on PostgreSQL.
CHAIN_LOCK_KEY = 7_316_400_021
# The columns the hash covers, in order; changing this list breaks every existing chain.
HASHED_COLUMNS = (
    AuditEvent.id,
    AuditEvent.occurred_at,
    AuditEvent.user_id,
    AuditEvent.action,
    AuditEvent.record_type,
    AuditEvent.record_id,
    AuditEvent.record_ids,
    AuditEvent.detail,
    AuditEvent.ip_address,
    AuditEvent.prev_hash,
)


def compute_row_hash(
    id: int,  # noqa: A002 - the column's name
    occurred_at: datetime,
    user_id: int | None,
    action: str,
    record_type: str,
    record_id: int | None,
    record_ids: str,
    detail: str,
    ip_address: str,
    prev_hash: str,
) -> str:
    """SHA-256 of a canonical JSON list, so the same row hashes the same on SQLite and PostgreSQL."""
    canonical = json.dumps(
        [
            id,
            occurred_at.isoformat(timespec="microseconds"),
            user_id,
            action,
            record_type,
            record_id,
            record_ids,
            detail,
            ip_address,
            prev_hash,
        ],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def claim_next_link() -> tuple[int, str]:
    """The id for a new row and the hash it chains onto; call inside the writing transaction.

    On PostgreSQL an advisory lock held to commit makes concurrent writers chain one after
    another, and the id is drawn after the lock, so id order is chain order. The id is known
    before the INSERT because the append-only trigger refuses the UPDATE a later hash would need.
    SQLite lets one writer at a time commit, and _sqlite_write_lock makes sure this one is it before reading.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_LOCK)
        # One statement after the lock (its snapshot is taken after the lock, so it sees the latest head).
        new_id, prev = db.session.execute(_NEXT_ID_AND_HEAD).one()
    else:
        _sqlite_write_lock()
        head = db.session.execute(_HEAD).first()
        new_id, prev = (head.id + 1, head.row_hash) if head is not None else (1, None)
    return new_id, prev or GENESIS


# Built once: every audited request runs these, and building a statement costs more than running it here.
_LOCK = select(func.pg_advisory_xact_lock(CHAIN_LOCK_KEY))
_HEAD = select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
_NEXT_ID_AND_HEAD = select(
    func.nextval(func.pg_get_serial_sequence("audit_events", "id")),
    select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1).scalar_subquery(),
)


def _sqlite_write_lock() -> None:
    """SQLite: hold the database's write lock before reading where the chain ends.

    Python's sqlite3 opens a transaction only at the first INSERT, UPDATE or DELETE, so a page that has
    only read so far would read the last row unlocked: two gunicorn workers then claimed the same id and
    one request failed (the benchmark found it). BEGIN IMMEDIATE waits out the busy timeout for the lock
    and holds it to commit; a transaction already writing holds it already.
    """
    connection = db.session.connection().connection.driver_connection
    if not connection.in_transaction:
        connection.execute("BEGIN IMMEDIATE")


@dataclass(frozen=True)
class ChainReport:
    events: int
    problem: str | None  # None when the whole chain checks out


def verify_chain(batch_size: int = 1000) -> ChainReport:
    """Walk the trail in id order, a batch at a time, and name the first row that breaks the chain."""
    count, last_id, last_hash = 0, None, None
    while True:
        stmt = select(*HASHED_COLUMNS, AuditEvent.row_hash).order_by(AuditEvent.id).limit(batch_size)
        if last_id is not None:
            stmt = stmt.where(AuditEvent.id > last_id)
        rows = db.session.execute(stmt).all()
        if not rows:
            return ChainReport(count, None)
        for row in rows:
            *hashed, stored = row
            if compute_row_hash(*hashed) != stored:
                return ChainReport(count, f"row {row.id} changed")
            if last_id is None:
                if row.prev_hash != GENESIS:
                    return ChainReport(count, f"rows missing before {row.id}")
            elif row.prev_hash != last_hash:
                # Ids may skip after a rolled-back write, but a skip with a broken link is a deletion.
                if row.id == last_id + 1:
                    return ChainReport(count, f"row {row.id} does not follow row {last_id}")
                return ChainReport(count, f"rows missing before {row.id}")
            count, last_id, last_hash = count + 1, row.id, stored
