"""The report archive: every generated funder report with its parameters, SHA-256 and bytes.

Revision ID: 0007_report_archive
Revises: 0006_merge_requests
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_report_archive'
down_revision = '0006_merge_requests'
branch_labels = None
depends_on = None


def upgrade():
    """The report_runs table."""
    op.create_table('report_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('disclosure_id', sa.String(length=32), nullable=False),
    sa.Column('template_id', sa.String(length=60), nullable=False),
    sa.Column('program_ids', sa.Text(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('period_label', sa.String(length=120), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('recipient', sa.String(length=160), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('generated_by_id', sa.Integer(), nullable=True),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.CheckConstraint("format IN ('pdf', 'csv')", name=op.f('ck_report_runs_format_allowed')),
    sa.ForeignKeyConstraint(['generated_by_id'], ['users.id'], name=op.f('fk_report_runs_generated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_runs')),
    sa.UniqueConstraint('disclosure_id', name=op.f('uq_report_runs_disclosure_id'))
    )
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_runs_generated_at'), ['generated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_runs_generated_by_id'), ['generated_by_id'], unique=False)



def downgrade():
    """Drop it."""
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_runs_generated_by_id'))
        batch_op.drop_index(batch_op.f('ix_report_runs_generated_at'))

    op.drop_table('report_runs')
