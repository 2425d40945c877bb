"""Report mappings: which stored values count as which VOCA victimization type or service category.

Revision ID: 0008_report_mappings
Revises: 0007_report_archive
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_report_mappings'
down_revision = '0007_report_archive'
branch_labels = None
depends_on = None


def upgrade():
    """The report_mappings table; empty, so the measure module's defaults apply until a manager saves."""
    op.create_table('report_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mapping', sa.String(length=40), nullable=False),
    sa.Column('source_kind', sa.String(length=40), nullable=False),
    sa.Column('source_value', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=80), nullable=True),
    sa.Column('target_minor', sa.String(length=80), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("mapping = 'voca_victimization' OR target_minor IS NULL", name=op.f('ck_report_mappings_minor_for_victimization')),
    sa.CheckConstraint("mapping IN ('voca_victimization', 'voca_service')", name=op.f('ck_report_mappings_mapping_allowed')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_report_mappings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_mappings')),
    sa.UniqueConstraint('mapping', 'source_kind', 'source_value', name='uq_report_mappings_mapping_source')
    )
    with op.batch_alter_table('report_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_mappings_updated_by_id'), ['updated_by_id'], unique=False)


def downgrade():
    """Drop it (the defaults apply again)."""
    with op.batch_alter_table('report_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_mappings_updated_by_id'))

    op.drop_table('report_mappings')
