"""Two-step login: the TOTP secret, when it was switched on and the last accepted step on users; recovery codes.

Revision ID: 0014_two_factor
Revises: 0013_encrypted_text
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_two_factor'
down_revision = '0013_encrypted_text'
branch_labels = None
depends_on = None


def upgrade():
    """The recovery_codes table and three nullable columns on users (existing accounts start without 2FA)."""
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        # Encrypted at rest like other secrets (S27): a Fernet token, hence Text.
        batch_op.add_column(sa.Column('totp_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))


def downgrade():
    """Everyone's second factor and recovery codes are forgotten; accounts log in with a password alone."""
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')

    # A plain DROP COLUMN, not batch mode: on SQLite (3.35+) batch mode would copy and drop the users
    # table, which every audit row references, and with foreign keys on that DROP TABLE fails.
    for column in ('totp_last_step', 'totp_enabled_at', 'totp_secret'):
        op.drop_column('users', column)
