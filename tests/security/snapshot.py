"""Per-table checksums of the whole database, to prove a request changed nothing (or only the audit trail)."""

import hashlib

from sqlalchemy import inspect, select

from caseflow.extensions import db

# Tables a read may legitimately write to: the audit trail, and the alerts raised from it (S22).
READ_SIDE_TABLES = frozenset({"audit_events", "security_alerts"})


def table_digests(exclude: frozenset[str] = READ_SIDE_TABLES) -> dict[str, str]:
    """table name -> SHA-256 of all its rows in primary-key order, for every table the models define."""
    db.session.rollback()  # read what is committed, as the next request would
    digests = {}
    existing = set(inspect(db.engine).get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name in exclude or table.name not in existing:
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        rows = db.session.execute(select(table).order_by(*order)).all()
        digests[table.name] = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
    db.session.rollback()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
