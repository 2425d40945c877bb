"""Case workflow: intake screens, instruments, reassignment, closure approval, merges, hand-offs.

Adds program criteria and referral sources, screenings, assessment instruments, case
assignment history, closure requests, participant merges, one-time form tokens, and
links for hand-offs, merged records and the consent behind a referral.

Revision ID: 0002_case_workflow
Revises: 0001_initial
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_case_workflow'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    """New tables first, then the new columns that point at them."""
    op.create_table('form_submissions',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_submissions_user_id_users')),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_submissions'))
    )
    op.create_table('instruments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_instruments_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_instruments_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instruments'))
    )
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instruments_program_id'), ['program_id'], unique=False)

    op.create_table('participant_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kept_id', sa.Integer(), nullable=False),
    sa.Column('retired_id', sa.Integer(), nullable=False),
    sa.Column('merged_by_id', sa.Integer(), nullable=True),
    sa.Column('merged_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint('kept_id <> retired_id', name=op.f('ck_participant_merges_distinct_records')),
    sa.ForeignKeyConstraint(['kept_id'], ['participants.id'], name=op.f('fk_participant_merges_kept_id_participants')),
    sa.ForeignKeyConstraint(['merged_by_id'], ['users.id'], name=op.f('fk_participant_merges_merged_by_id_users')),
    sa.ForeignKeyConstraint(['retired_id'], ['participants.id'], name=op.f('fk_participant_merges_retired_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_merges')),
    sa.UniqueConstraint('retired_id', name=op.f('uq_participant_merges_retired_id'))
    )
    with op.batch_alter_table('participant_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_merges_kept_id'), ['kept_id'], unique=False)

    op.create_table('program_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_program_criteria_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_criteria_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_criteria'))
    )
    with op.batch_alter_table('program_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_criteria_program_id'), ['program_id'], unique=False)

    op.create_table('program_referral_sources',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.CheckConstraint("source IN ('emergency_department', 'self', 'family', 'community', 'school', 'probation_court', 'police', 'other_program', 'other')", name=op.f('ck_program_referral_sources_source_allowed')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_referral_sources_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('program_id', 'source', name=op.f('pk_program_referral_sources'))
    )
    op.create_table('case_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('from_worker_id', sa.Integer(), nullable=True),
    sa.Column('to_worker_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_assignments_case_id_cases')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_case_assignments_changed_by_id_users')),
    sa.ForeignKeyConstraint(['from_worker_id'], ['users.id'], name=op.f('fk_case_assignments_from_worker_id_users')),
    sa.ForeignKeyConstraint(['to_worker_id'], ['users.id'], name=op.f('fk_case_assignments_to_worker_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_assignments'))
    )
    with op.batch_alter_table('case_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_assignments_case_id'), ['case_id'], unique=False)

    op.create_table('closure_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.CheckConstraint("reason IN ('goals_met', 'lost_contact', 'moved', 'declined_further', 'incarcerated', 'deceased', 'transferred', 'other')", name=op.f('ck_closure_requests_reason_allowed')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_closure_requests_status_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_closure_requests_case_id_cases')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_closure_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_closure_requests_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closure_requests'))
    )
    with op.batch_alter_table('closure_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closure_requests_case_id'), ['case_id'], unique=False)

    op.create_table('instrument_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('max_points', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_instrument_items_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_instrument_items_instrument_id_instruments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instrument_items'))
    )
    with op.batch_alter_table('instrument_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instrument_items_instrument_id'), ['instrument_id'], unique=False)

    op.create_table('screenings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('screened_on', sa.Date(), nullable=False),
    sa.Column('screened_by_id', sa.Integer(), nullable=True),
    sa.Column('criteria_met', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("result IN ('eligible', 'ineligible', 'declined')", name=op.f('ck_screenings_result_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_screenings_case_id_cases')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_screenings_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['screened_by_id'], ['users.id'], name=op.f('fk_screenings_screened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screenings'))
    )
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screenings_case_id'), ['case_id'], unique=False)

    op.create_table('screening_answers',
    sa.Column('screening_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('is_met', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['program_criteria.id'], name=op.f('fk_screening_answers_criterion_id_program_criteria')),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], name=op.f('fk_screening_answers_screening_id_screenings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('screening_id', 'criterion_id', name=op.f('pk_screening_answers'))
    )
    with op.batch_alter_table('assessment_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assessment_answers_item_id_instrument_items'), 'instrument_items', ['item_id'], ['id'])

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instrument_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assessments_instrument_id_instruments'), 'instruments', ['instrument_id'], ['id'])

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handed_off_from_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_cases_handed_off_from_id_cases'), 'cases', ['handed_off_from_id'], ['id'])

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_participants_merged_into_id_participants'), 'participants', ['merged_into_id'], ['id'])

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eligibility_threshold', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_referrals_consent_id_consents'), 'consents', ['consent_id'], ['id'])



def downgrade():
    """Drop the new columns, then the new tables."""
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_referrals_consent_id_consents'), type_='foreignkey')
        batch_op.drop_column('consent_id')

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('eligibility_threshold')

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_participants_merged_into_id_participants'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_handed_off_from_id_cases'), type_='foreignkey')
        batch_op.drop_column('handed_off_from_id')

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assessments_instrument_id_instruments'), type_='foreignkey')
        batch_op.drop_column('instrument_id')

    with op.batch_alter_table('assessment_answers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assessment_answers_item_id_instrument_items'), type_='foreignkey')
        batch_op.drop_column('item_id')

    op.drop_table('screening_answers')
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screenings_case_id'))

    op.drop_table('screenings')
    with op.batch_alter_table('instrument_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instrument_items_instrument_id'))

    op.drop_table('instrument_items')
    with op.batch_alter_table('closure_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closure_requests_case_id'))

    op.drop_table('closure_requests')
    with op.batch_alter_table('case_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_assignments_case_id'))

    op.drop_table('case_assignments')
    op.drop_table('program_referral_sources')
    with op.batch_alter_table('program_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_criteria_program_id'))

    op.drop_table('program_criteria')
    with op.batch_alter_table('participant_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_merges_kept_id'))

    op.drop_table('participant_merges')
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instruments_program_id'))

    op.drop_table('instruments')
    op.drop_table('form_submissions')
