"""Encrypt narrative and health/IPV free text at rest (S27): existing values become Fernet tokens.

The key is the first of the app's ENCRYPTION_KEYS (CASEFLOW_ENCRYPTION_KEYS, or the development
key when that is unset). Values that already look like Fernet tokens are left alone, so a rerun
after a failure is safe; downgrade decrypts with any configured key and refuses when none opens
a value. Only injuries.medical_record_number changes type (to Text, room for the token); every
other column was Text already.

Revision ID: 0013_encrypted_text
Revises: 0010_audit_actions
Create Date: 2026-11-29
"""
from alembic import op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_encrypted_text'
down_revision = '0010_audit_actions'
branch_labels = None
depends_on = None

BATCH = 500
# Every Fernet token starts so (version byte 0x80, then a timestamp's high bytes, zero until 2106).
PREFIX = 'gAAAAA'
# The encrypted columns as of this revision, frozen here: later models may add more.
ENCRYPTED = {
    'case_status_changes': ('note',),
    'case_assignments': ('note',),
    'closure_requests': ('note', 'decision_note'),
    'participant_merges': ('note',),
    'merge_requests': ('reason', 'decision_note'),
    'contacts': ('notes',),
    'referrals': ('notes',),
    'goals': ('description',),
    'outcomes': ('details',),
    'screenings': ('notes',),
    'incidents': ('notes',),
    'injuries': ('medical_record_number', 'discharge_plan'),
    'compensation_claims': ('notes',),
    'mediations': ('groups_involved', 'actions_taken'),
    'shooting_responses': ('notes',),
    'outreach_activities': ('description',),
    'module_follow_ups': ('note',),
    'call_ins': ('notes',),
    'notifications': ('notes',),
}


def _fernet():
    keys = current_app.config['ENCRYPTION_KEYS']
    keys = keys.split(',') if isinstance(keys, str) else keys
    return MultiFernet([Fernet(key.strip()) for key in keys if key.strip()])


def _convert(convert):
    """Apply convert(where, id, value) -> new value, or None to leave it, to every non-empty value.

    Rows are read BATCH at a time so memory stays flat on a large database. On PostgreSQL the
    whole upgrade is one transaction, so a failure leaves every value as it was; on SQLite a rerun
    finishes the job, since values already encrypted are skipped.
    """
    conn = op.get_bind()
    for name, columns in ENCRYPTED.items():
        table = sa.table(name, sa.column('id', sa.Integer()), *(sa.column(c, sa.Text()) for c in columns))
        last = 0
        while True:
            rows = conn.execute(
                sa.select(table.c.id, *(table.c[c] for c in columns))
                .where(table.c.id > last)
                .order_by(table.c.id)
                .limit(BATCH)
            ).all()
            if not rows:
                break
            last = rows[-1].id
            for column in columns:
                changes = []
                for row in rows:
                    value = row._mapping[column]
                    new = convert(f'{name}.{column}', row.id, value) if value else None
                    if new is not None:
                        changes.append({'_id': row.id, '_value': new})
                if changes:
                    # A plain UPDATE through sa.table: no ORM onupdate, so updated_at and version stay as they were.
                    conn.execute(
                        sa.update(table).where(table.c.id == sa.bindparam('_id')).values({column: sa.bindparam('_value')}),
                        changes,
                    )

def upgrade():
    fernet = _fernet()
    with op.batch_alter_table('injuries', schema=None) as batch_op:
        batch_op.alter_column(
            'medical_record_number', existing_type=sa.String(length=40), type_=sa.Text(), existing_nullable=False
        )

    def encrypt(_where, _id, value):
        if value.startswith(PREFIX):
            return None
        return fernet.encrypt(value.encode('utf-8')).decode('ascii')

    _convert(encrypt)


def downgrade():
    fernet = _fernet()

    def decrypt(where, row_id, value):
        if not value.startswith(PREFIX):
            return None
        try:
            return fernet.decrypt(value.encode('ascii')).decode('utf-8')
        except (InvalidToken, UnicodeError):
            raise RuntimeError(
                f'{where} of row {row_id} cannot be decrypted with any key in CASEFLOW_ENCRYPTION_KEYS; '
                'nothing was downgraded'
            ) from None

    _convert(decrypt)
    with op.batch_alter_table('injuries', schema=None) as batch_op:
        batch_op.alter_column(
            'medical_record_number', existing_type=sa.Text(), type_=sa.String(length=40), existing_nullable=False
        )
