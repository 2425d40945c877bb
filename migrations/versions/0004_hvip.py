"""Hospital-based violence intervention: injuries with the screening funnel, victim compensation claims.

Revision ID: 0004_hvip
Revises: 0003_incident_register
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_hvip'
down_revision = '0003_incident_register'
branch_labels = None
depends_on = None


def upgrade():
    """Injuries and compensation claims."""
    op.create_table('compensation_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('amount_cents', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('applied', 'approved', 'denied')", name=op.f('ck_compensation_claims_status_allowed')),
    sa.CheckConstraint('amount_cents IS NULL OR amount_cents >= 0', name=op.f('ck_compensation_claims_amount_not_negative')),
    sa.CheckConstraint('decided_on IS NULL OR decided_on >= applied_on', name=op.f('ck_compensation_claims_decided_after_applied')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_compensation_claims_case_id_cases')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_compensation_claims_deleted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compensation_claims'))
    )
    with op.batch_alter_table('compensation_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compensation_claims_case_id'), ['case_id'], unique=False)

    op.create_table('injuries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('injured_at', sa.DateTime(), nullable=False),
    sa.Column('mechanism', sa.String(length=20), nullable=False),
    sa.Column('hospital', sa.String(length=120), nullable=False),
    sa.Column('care_level', sa.String(length=30), nullable=False),
    sa.Column('medical_record_number', sa.String(length=40), nullable=False),
    sa.Column('arrived_at', sa.DateTime(), nullable=False),
    sa.Column('first_bedside_at', sa.DateTime(), nullable=True),
    sa.Column('discharged_on', sa.Date(), nullable=True),
    sa.Column('discharge_plan', sa.Text(), nullable=False),
    sa.Column('funnel_stage', sa.String(length=20), nullable=False),
    sa.Column('funnel_reason', sa.String(length=200), nullable=False),
    sa.Column('is_reinjury', sa.Boolean(), nullable=False),
    sa.Column('patient_age', sa.Integer(), nullable=True),
    sa.Column('patient_gender', sa.String(length=30), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("care_level IN ('emergency_department', 'admitted')", name=op.f('ck_injuries_care_level_allowed')),
    sa.CheckConstraint("funnel_stage IN ('screened', 'ineligible', 'eligible', 'not_approached', 'approached', 'declined', 'enrolled')", name=op.f('ck_injuries_funnel_stage_allowed')),
    sa.CheckConstraint("mechanism IN ('gunshot', 'stabbing', 'blunt_assault', 'other')", name=op.f('ck_injuries_mechanism_allowed')),
    sa.CheckConstraint('first_bedside_at IS NULL OR first_bedside_at >= arrived_at', name=op.f('ck_injuries_bedside_after_arrival')),
    sa.CheckConstraint('patient_age IS NULL OR (patient_age >= 0 AND patient_age <= 120)', name=op.f('ck_injuries_patient_age_range')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_injuries_case_id_cases')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_injuries_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_injuries_incident_id_incidents')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_injuries_participant_id_participants')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_injuries_program_id_programs')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_injuries_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_injuries'))
    )
    with op.batch_alter_table('injuries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_injuries_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_injuries_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index('ix_injuries_program_id_arrived_at', ['program_id', 'arrived_at'], unique=False)



def downgrade():
    """Drop both tables."""
    with op.batch_alter_table('injuries', schema=None) as batch_op:
        batch_op.drop_index('ix_injuries_program_id_arrived_at')
        batch_op.drop_index(batch_op.f('ix_injuries_participant_id'))
        batch_op.drop_index(batch_op.f('ix_injuries_case_id'))

    op.drop_table('injuries')
    with op.batch_alter_table('compensation_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compensation_claims_case_id'))

    op.drop_table('compensation_claims')
