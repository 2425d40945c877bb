"""Merge requests: a worker reports two records of one person; a supervisor merges or returns it.

Revision ID: 0006_merge_requests
Revises: 0005_outreach_deterrence
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_merge_requests'
down_revision = '0005_outreach_deterrence'
branch_labels = None
depends_on = None


def upgrade():
    """The merge_requests table."""
    op.create_table('merge_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('other_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('merge_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'merged', 'returned')", name=op.f('ck_merge_requests_status_allowed')),
    sa.CheckConstraint('participant_id <> other_id', name=op.f('ck_merge_requests_distinct_records')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_merge_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['merge_id'], ['participant_merges.id'], name=op.f('fk_merge_requests_merge_id_participant_merges')),
    sa.ForeignKeyConstraint(['other_id'], ['participants.id'], name=op.f('fk_merge_requests_other_id_participants')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_merge_requests_participant_id_participants')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_merge_requests_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merge_requests'))
    )
    with op.batch_alter_table('merge_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merge_requests_other_id'), ['other_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_merge_requests_participant_id'), ['participant_id'], unique=False)



def downgrade():
    """Drop it."""
    with op.batch_alter_table('merge_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merge_requests_participant_id'))
        batch_op.drop_index(batch_op.f('ix_merge_requests_other_id'))

    op.drop_table('merge_requests')
