"""Covering index for contact aggregates on PostgreSQL (docs/PERFORMANCE.md has the EXPLAIN behind it).

Funder reports and dashboards count a program's contacts in a period by type, mode, completion and
minutes. On the large data set (1,000,000 contacts) PostgreSQL read the whole contacts table for each
of those counts (a parallel sequential scan, about 250 ms each); with these columns carried in the
(case_id, occurred_at) index the same counts are index-only scans of the program's cases (70-90 ms).
SQLite has no INCLUDE: its index stays as it was.

Revision ID: 0017_performance_indexes
Revises: 0016_ipv_break_glass
Create Date: 2026-11-29
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017_performance_indexes'
down_revision = '0016_ipv_break_glass'
branch_labels = None
depends_on = None

INCLUDED = ['id', 'is_completed', 'deleted_at', 'mode', 'contact_type', 'duration_minutes']


def upgrade():
    """Rebuild ix_contacts_case_id_occurred_at with the counted columns included (PostgreSQL only)."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_contacts_case_id_occurred_at', table_name='contacts')
    op.create_index('ix_contacts_case_id_occurred_at', 'contacts', ['case_id', 'occurred_at'], unique=False,
                    postgresql_include=INCLUDED)


def downgrade():
    """Back to the plain two-column index."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_contacts_case_id_occurred_at', table_name='contacts')
    op.create_index('ix_contacts_case_id_occurred_at', 'contacts', ['case_id', 'occurred_at'], unique=False)
