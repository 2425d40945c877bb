"""IPV-protected participants, victim-services memberships, and break-glass grants (S24, S8).

Revision ID: 0016_ipv_break_glass
Revises: 0015_retention_alerts
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_ipv_break_glass'
down_revision = '0015_retention_alerts'
branch_labels = None
depends_on = None


def upgrade():
    """Two flags, false for every existing row, and the break_glass_grants table."""
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_ipv_protected', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_participants_ipv_protected', ['id'], unique=False,
                              sqlite_where=sa.text('is_ipv_protected = 1'), postgresql_where=sa.text('is_ipv_protected'))

    with op.batch_alter_table('program_memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_victim_services', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('break_glass_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_break_glass_grants_participant_id_participants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_break_glass_grants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_break_glass_grants'))
    )
    with op.batch_alter_table('break_glass_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_break_glass_grants_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_break_glass_grants_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index('ix_break_glass_grants_user_id_participant_id', ['user_id', 'participant_id'], unique=False)


def downgrade():
    """Refused while anyone is IPV-protected or any grant is kept: dropping them would expose survivors
    (everyone would see them again after the next upgrade) and lose the written reasons for emergency access.
    """
    bind = op.get_bind()
    protected = bind.execute(sa.text('SELECT COUNT(*) FROM participants WHERE is_ipv_protected')).scalar()
    grants = bind.execute(sa.text('SELECT COUNT(*) FROM break_glass_grants')).scalar()
    if protected or grants:
        raise RuntimeError(
            f'Refusing to downgrade: {protected} IPV-protected participants and {grants} break-glass grants '
            'would lose their protection and reasons. Clear them deliberately first.'
        )
    with op.batch_alter_table('break_glass_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_break_glass_grants_user_id_participant_id')
        batch_op.drop_index(batch_op.f('ix_break_glass_grants_participant_id'))
        batch_op.drop_index(batch_op.f('ix_break_glass_grants_expires_at'))

    op.drop_table('break_glass_grants')

    with op.batch_alter_table('program_memberships', schema=None) as batch_op:
        batch_op.drop_column('is_victim_services')

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index('ix_participants_ipv_protected')
        batch_op.drop_column('is_ipv_protected')
