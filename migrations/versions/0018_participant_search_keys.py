"""Participant search keys: a few short keys per person so search ranks the people sharing one, not everyone.

The table is derived data: caseflow/participants/matching.py person_keys() makes the keys (the same
function the app uses when a person is created or edited, so the two cannot drift), and this
migration backfills them for every existing person in chunks with plain Core statements.

Revision ID: 0018_participant_search_keys
Revises: 0017_performance_indexes
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

from caseflow.participants.matching import SEARCH_KEY_LENGTH, person_keys


# revision identifiers, used by Alembic.
revision = '0018_participant_search_keys'
down_revision = '0017_performance_indexes'
branch_labels = None
depends_on = None

CHUNK = 2000  # people read and keyed per round trip

# The columns the backfill reads, as they are at this revision (not the app's models, which may change later).
participants = sa.table(
    'participants',
    sa.column('id', sa.Integer),
    sa.column('first_name', sa.String),
    sa.column('last_name', sa.String),
    sa.column('date_of_birth', sa.Date),
    sa.column('phone', sa.String),
)
aliases = sa.table('participant_aliases', sa.column('participant_id', sa.Integer), sa.column('name', sa.String))
search_keys = sa.table('participant_search_keys', sa.column('participant_id', sa.Integer), sa.column('key', sa.String))


def upgrade():
    """The table, its lookup index, and keys for everyone already recorded."""
    op.create_table('participant_search_keys',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=SEARCH_KEY_LENGTH), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_participant_search_keys_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participant_id', 'key', name=op.f('pk_participant_search_keys'))
    )
    with op.batch_alter_table('participant_search_keys', schema=None) as batch_op:
        batch_op.create_index('ix_participant_search_keys_key_participant_id', ['key', 'participant_id'], unique=False)
    bind = op.get_bind()
    _backfill(bind)
    if bind.dialect.name == 'postgresql':
        # Fresh statistics, or the planner guesses from an empty table and scans all keys on every search.
        op.execute('ANALYZE participant_search_keys')


def _backfill(bind) -> None:
    """Keys for every person, CHUNK people at a time in id order."""
    after = 0
    while True:
        people = bind.execute(
            sa.select(participants).where(participants.c.id > after).order_by(participants.c.id).limit(CHUNK)
        ).all()
        if not people:
            return
        ids = [row.id for row in people]
        names: dict[int, list[str]] = {}
        for participant_id, name in bind.execute(
            sa.select(aliases.c.participant_id, aliases.c.name).where(aliases.c.participant_id.in_(ids))
        ):
            names.setdefault(participant_id, []).append(name)
        rows = [
            {'participant_id': row.id, 'key': key}
            for row in people
            for key in sorted(person_keys(row.first_name, row.last_name, names.get(row.id, ()), row.date_of_birth,
                                          row.phone or ''))
        ]
        if rows:
            bind.execute(sa.insert(search_keys), rows)
        after = ids[-1]


def downgrade():
    """Derived data only: dropping it loses nothing that the next upgrade does not rebuild."""
    with op.batch_alter_table('participant_search_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_participant_search_keys_key_participant_id')

    op.drop_table('participant_search_keys')
