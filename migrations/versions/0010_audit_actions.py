"""Audit actions for re-authentication, second factor, break-glass, purge, backup and key rotation.

Revision ID: 0010_audit_actions
Revises: 0009_audit_chain
Create Date: 2026-11-28
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_audit_actions'
down_revision = '0009_audit_chain'
branch_labels = None
depends_on = None

OLD = ('view', 'list', 'search', 'create', 'update', 'delete', 'restore', 'export', 'print', 'login',
       'login_failed', 'logout', 'lockout')
NEW = OLD + ('reauthenticate', 'second_factor', 'break_glass', 'purge', 'backup', 'rotate_key')
# SQLite rebuilds the table to change a CHECK, which drops its trigger; it is put back afterwards.
SQLITE_TRIGGER = (
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END"
)


def _replace_check(actions):
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.execute('DROP TRIGGER IF EXISTS audit_events_append_only')
    listed = ', '.join(f"'{a}'" for a in actions)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_audit_events_action_allowed'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_audit_events_action_allowed'), f'action IN ({listed})')
    if sqlite:
        op.execute(SQLITE_TRIGGER)


def upgrade():
    _replace_check(NEW)


def downgrade():
    """Refused while rows use the new actions: the append-only trail cannot be rewritten to fit."""
    _replace_check(OLD)
