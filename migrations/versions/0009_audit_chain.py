"""Audit chain: prev_hash and row_hash on audit_events, the existing rows chained, and an append-only trigger.

Revision ID: 0009_audit_chain
Revises: 0008_report_mappings
Create Date: 2026-11-28
"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_audit_chain'
down_revision = '0008_report_mappings'
branch_labels = None
depends_on = None

GENESIS = '0' * 64
BATCH = 1000

audit_events = sa.table(
    'audit_events',
    sa.column('id', sa.Integer()),
    sa.column('occurred_at', sa.DateTime()),
    sa.column('user_id', sa.Integer()),
    sa.column('action', sa.String()),
    sa.column('record_type', sa.String()),
    sa.column('record_id', sa.Integer()),
    sa.column('record_ids', sa.Text()),
    sa.column('detail', sa.String()),
    sa.column('ip_address', sa.String()),
    sa.column('prev_hash', sa.String()),
    sa.column('row_hash', sa.String()),
)

# PostgreSQL: no UPDATE, DELETE or TRUNCATE, except a deliberate purge (the demo loader's erase)
# that sets caseflow.allow_audit_purge for its own transaction. UPDATE is never allowed.
PG_FUNCTION = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND current_setting('caseflow.allow_audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit trail is append-only';
END $$ LANGUAGE plpgsql
"""
PG_TRIGGERS = (
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
)
# SQLite has no per-transaction setting to let the demo erase through, so it refuses UPDATE only;
# `flask audit verify` still finds a deleted row.
SQLITE_TRIGGER = (
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END"
)


def _row_hash(row, prev_hash):
    """The same canonical hash as caseflow/audit/chain.py, frozen here as it was at this revision."""
    canonical = json.dumps(
        [
            row.id,
            row.occurred_at.isoformat(timespec='microseconds'),
            row.user_id,
            row.action,
            row.record_type,
            row.record_id,
            row.record_ids,
            row.detail,
            row.ip_address,
            prev_hash,
        ],
        ensure_ascii=True,
        separators=(',', ':'),
    )
    return hashlib.sha256(canonical.encode('ascii')).hexdigest()


def _chain_existing_rows():
    """Chain the rows already there, in id order, a batch at a time, so verify passes after upgrading."""
    conn = op.get_bind()
    c = audit_events.c
    last_id, prev_hash = None, GENESIS
    while True:
        stmt = sa.select(
            c.id, c.occurred_at, c.user_id, c.action, c.record_type, c.record_id, c.record_ids, c.detail,
            c.ip_address,
        ).order_by(c.id).limit(BATCH)
        if last_id is not None:
            stmt = stmt.where(c.id > last_id)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        for row in rows:
            row_hash = _row_hash(row, prev_hash)
            conn.execute(
                audit_events.update().where(c.id == row.id).values(prev_hash=prev_hash, row_hash=row_hash)
            )
            last_id, prev_hash = row.id, row_hash


def upgrade():
    """Add the columns, chain the existing rows, require the hashes, then make the table append-only."""
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))

    _chain_existing_rows()

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('row_hash', existing_type=sa.String(length=64), nullable=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        for trigger in PG_TRIGGERS:
            op.execute(trigger)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade():
    """Drop the trigger, then the columns."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events')
        op.execute('DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events')
        op.execute('DROP FUNCTION IF EXISTS audit_events_append_only()')
    else:
        op.execute('DROP TRIGGER IF EXISTS audit_events_append_only')

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('row_hash')
        batch_op.drop_column('prev_hash')
