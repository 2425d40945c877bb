"""Security alerts (S22), the audit index the volume alert counts with, and a retention period per program (S26).

Revision ID: 0015_retention_alerts
Revises: 0014_two_factor
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_retention_alerts'
down_revision = '0014_two_factor'
branch_labels = None
depends_on = None

RETENTION_CHECK = 'retention_years IS NULL OR retention_years BETWEEN 1 AND 99'


def upgrade():
    op.create_table('security_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('volume', 'break_glass', 'export', 'lockout', 'purge')", name=op.f('ck_security_alerts_kind_allowed')),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_security_alerts_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_security_alerts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_alerts'))
    )
    op.create_index(op.f('ix_security_alerts_created_at'), 'security_alerts', ['created_at'], unique=False)
    op.create_index('ix_security_alerts_user_id_kind_created_at', 'security_alerts', ['user_id', 'kind', 'created_at'], unique=False)

    # A plain CREATE INDEX: a batch rebuild of audit_events on SQLite would drop its append-only trigger.
    op.create_index('ix_audit_events_user_id_occurred_at', 'audit_events', ['user_id', 'occurred_at'], unique=False)

    if op.get_bind().dialect.name == 'sqlite':
        # ADD COLUMN with its CHECK, rather than a batch rebuild of a table every case points at.
        op.execute(
            'ALTER TABLE programs ADD COLUMN retention_years INTEGER '
            f'CONSTRAINT ck_programs_retention_years_range CHECK ({RETENTION_CHECK})'
        )
    else:
        op.add_column('programs', sa.Column('retention_years', sa.Integer(), nullable=True))
        op.create_check_constraint(op.f('ck_programs_retention_years_range'), 'programs', RETENTION_CHECK)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE programs DROP COLUMN retention_years')
    else:
        op.drop_constraint(op.f('ck_programs_retention_years_range'), 'programs', type_='check')
        op.drop_column('programs', 'retention_years')

    op.drop_index('ix_audit_events_user_id_occurred_at', table_name='audit_events')

    op.drop_index('ix_security_alerts_user_id_kind_created_at', table_name='security_alerts')
    op.drop_index(op.f('ix_security_alerts_created_at'), table_name='security_alerts')
    op.drop_table('security_alerts')
