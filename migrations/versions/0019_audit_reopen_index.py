"""Index for the volume alert's first question: has this user opened this record within the hour?

The S22 volume check counted one user's distinct people over the last hour on every case or
participant view; with a user's hour of audit rows in the tens of thousands (the benchmark opens
one case a hundred times a second) that count cost 10-20 ms a page. It now asks first whether the
same record was already opened in the window, which this index answers with one probe, and counts
only when the record is new (caseflow/audit/alerts.py).

Revision ID: 0019_audit_reopen_index
Revises: 0018_participant_search_keys
Create Date: 2026-11-29
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019_audit_reopen_index'
down_revision = '0018_participant_search_keys'
branch_labels = None
depends_on = None


def upgrade():
    """One index on (user, record type, record id, time)."""
    op.create_index('ix_audit_events_user_record_occurred_at', 'audit_events',
                    ['user_id', 'record_type', 'record_id', 'occurred_at'], unique=False)


def downgrade():
    """Drop it again."""
    op.drop_index('ix_audit_events_user_record_occurred_at', table_name='audit_events')
