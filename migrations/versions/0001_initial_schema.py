"""Initial schema: programs, accounts, participants, cases and their records, audit.

One hand-tidied revision for the shared participant/case model. Constraint names come
from the metadata naming convention, so they match on SQLite and PostgreSQL.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    """Create every table, parents before children."""
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('failed_login_count', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('session_token', name=op.f('uq_users_session_token'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('record_ids', sa.Text(), nullable=False),
    sa.Column('detail', sa.String(length=255), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=False),
    sa.CheckConstraint("action IN ('view', 'list', 'search', 'create', 'update', 'delete', 'restore', 'export', 'print', 'login', 'login_failed', 'logout', 'lockout')", name=op.f('ck_audit_events_action_allowed')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index('ix_audit_events_record_type_record_id', ['record_type', 'record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_user_id'), ['user_id'], unique=False)

    op.create_table('participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=80), nullable=False),
    sa.Column('last_name', sa.String(length=80), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('estimated_age', sa.Integer(), nullable=True),
    sa.Column('estimated_age_on', sa.Date(), nullable=True),
    sa.Column('gender', sa.String(length=30), nullable=False),
    sa.Column('preferred_language', sa.String(length=60), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('area', sa.String(length=80), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("gender IN ('male', 'female', 'transgender_male', 'transgender_female', 'non_binary', 'another', 'not_reported')", name=op.f('ck_participants_gender_allowed')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_participants_created_by_id_users')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_participants_deleted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants'))
    )
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participants_date_of_birth'), ['date_of_birth'], unique=False)
        batch_op.create_index('ix_participants_last_name_first_name', ['last_name', 'first_name'], unique=False)

    op.create_table('programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('organisation', sa.String(length=160), nullable=False),
    sa.Column('contact_frequency_days', sa.Integer(), nullable=False),
    sa.Column('caseload_target', sa.Integer(), nullable=False),
    sa.Column('workers_see_own_caseload_only', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('street_outreach', 'hvip', 'focused_deterrence')", name=op.f('ck_programs_kind_allowed')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_programs_deleted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs')),
    sa.UniqueConstraint('name', name=op.f('uq_programs_name'))
    )
    op.create_table('service_providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_service_providers_deleted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_providers')),
    sa.UniqueConstraint('name', name=op.f('uq_service_providers_name'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('referral_source', sa.String(length=40), nullable=True),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closure_reason', sa.String(length=40), nullable=True),
    sa.Column('assigned_worker_id', sa.Integer(), nullable=True),
    sa.Column('risk_level', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("closure_reason IN ('goals_met', 'lost_contact', 'moved', 'declined_further', 'incarcerated', 'deceased', 'transferred', 'other')", name=op.f('ck_cases_closure_reason_allowed')),
    sa.CheckConstraint("referral_source IN ('emergency_department', 'self', 'family', 'community', 'school', 'probation_court', 'police', 'other_program', 'other')", name=op.f('ck_cases_referral_source_allowed')),
    sa.CheckConstraint("risk_level IN ('low', 'moderate', 'high', 'very_high')", name=op.f('ck_cases_risk_level_allowed')),
    sa.CheckConstraint("status IN ('referred', 'screening', 'active', 'inactive', 'closed', 'declined', 'ineligible')", name=op.f('ck_cases_status_allowed')),
    sa.ForeignKeyConstraint(['assigned_worker_id'], ['users.id'], name=op.f('fk_cases_assigned_worker_id_users')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_cases_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_cases_participant_id_participants')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_cases_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_assigned_worker_id'), ['assigned_worker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index('ix_cases_program_id_status', ['program_id', 'status'], unique=False)
        batch_op.create_index('uq_cases_open_participant_program', ['participant_id', 'program_id'], unique=True, sqlite_where=sa.text("status IN ('referred', 'screening', 'active', 'inactive') AND deleted_at IS NULL"), postgresql_where=sa.text("status IN ('referred', 'screening', 'active', 'inactive') AND deleted_at IS NULL"))

    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=160), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('recipient_program_id', sa.Integer(), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('expires_on >= signed_on', name=op.f('ck_consents_expiry_after_signing')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_consents_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_consents_participant_id_participants')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_consents_program_id_programs')),
    sa.ForeignKeyConstraint(['provider_id'], ['service_providers.id'], name=op.f('fk_consents_provider_id_service_providers')),
    sa.ForeignKeyConstraint(['recipient_program_id'], ['programs.id'], name=op.f('fk_consents_recipient_program_id_programs')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consents_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_participant_id'), ['participant_id'], unique=False)

    op.create_table('participant_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.CheckConstraint("kind IN ('alias', 'street_name', 'nickname')", name=op.f('ck_participant_aliases_kind_allowed')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_participant_aliases_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_aliases')),
    sa.UniqueConstraint('participant_id', 'name', name='uq_participant_aliases_participant_name')
    )
    with op.batch_alter_table('participant_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_aliases_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_participant_aliases_participant_id'), ['participant_id'], unique=False)

    op.create_table('participant_race_ethnicities',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.CheckConstraint("category IN ('american_indian_alaska_native', 'asian', 'black', 'hispanic_latino', 'middle_eastern_north_african', 'native_hawaiian_pacific_islander', 'white')", name=op.f('ck_participant_race_ethnicities_category_allowed')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_participant_race_ethnicities_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participant_id', 'category', name=op.f('pk_participant_race_ethnicities'))
    )
    op.create_table('program_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("role IN ('worker', 'supervisor', 'manager')", name=op.f('ck_program_memberships_role_allowed')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_program_memberships_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_memberships_program_id_programs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_program_memberships_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_memberships')),
    sa.UniqueConstraint('user_id', 'program_id', name=op.f('uq_program_memberships_user_id'))
    )
    with op.batch_alter_table('program_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_memberships_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('provider_categories',
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.CheckConstraint("category IN ('housing', 'employment', 'education', 'mental_health', 'substance_use', 'legal', 'medical', 'relocation', 'victim_compensation', 'basic_needs', 'benefits', 'mentoring')", name=op.f('ck_provider_categories_category_allowed')),
    sa.ForeignKeyConstraint(['provider_id'], ['service_providers.id'], name=op.f('fk_provider_categories_provider_id_service_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('provider_id', 'category', name=op.f('pk_provider_categories'))
    )
    with op.batch_alter_table('provider_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_categories_category'), ['category'], unique=False)

    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('instrument', sa.String(length=80), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('risk_level', sa.String(length=20), nullable=True),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('assessed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("risk_level IN ('low', 'moderate', 'high', 'very_high')", name=op.f('ck_assessments_risk_level_allowed')),
    sa.ForeignKeyConstraint(['assessed_by_id'], ['users.id'], name=op.f('fk_assessments_assessed_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_assessments_case_id_cases')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_assessments_deleted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_case_id'), ['case_id'], unique=False)

    op.create_table('case_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("from_status IN ('referred', 'screening', 'active', 'inactive', 'closed', 'declined', 'ineligible')", name=op.f('ck_case_status_changes_from_status_allowed')),
    sa.CheckConstraint("to_status IN ('referred', 'screening', 'active', 'inactive', 'closed', 'declined', 'ineligible')", name=op.f('ck_case_status_changes_to_status_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_status_changes_case_id_cases')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_case_status_changes_changed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_status_changes'))
    )
    with op.batch_alter_table('case_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_status_changes_case_id'), ['case_id'], unique=False)

    op.create_table('consent_categories',
    sa.Column('consent_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.CheckConstraint("category IN ('identity', 'case_summary', 'health', 'justice', 'narratives')", name=op.f('ck_consent_categories_category_allowed')),
    sa.ForeignKeyConstraint(['consent_id'], ['consents.id'], name=op.f('fk_consent_categories_consent_id_consents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consent_id', 'category', name=op.f('pk_consent_categories'))
    )
    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('mode', sa.String(length=30), nullable=False),
    sa.Column('contact_type', sa.String(length=30), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('is_completed', sa.Boolean(), nullable=False),
    sa.Column('location_area', sa.String(length=80), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("contact_type IN ('check_in', 'crisis_response', 'conflict_related', 'service_navigation', 'family_support')", name=op.f('ck_contacts_contact_type_allowed')),
    sa.CheckConstraint("mode IN ('in_person', 'phone', 'text', 'video', 'home_visit', 'hospital_bedside', 'court', 'other')", name=op.f('ck_contacts_mode_allowed')),
    sa.CheckConstraint('duration_minutes IS NULL OR duration_minutes >= 0', name=op.f('ck_contacts_duration_minutes_range')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_contacts_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_contacts_case_id_cases')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_contacts_deleted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index('ix_contacts_case_id_occurred_at', ['case_id', 'occurred_at'], unique=False)

    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('target_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('set_on', sa.Date(), nullable=False),
    sa.Column('met_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("domain IN ('safety', 'housing', 'employment', 'education', 'health', 'legal', 'family')", name=op.f('ck_goals_domain_allowed')),
    sa.CheckConstraint("status IN ('open', 'met', 'not_met', 'dropped')", name=op.f('ck_goals_status_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_goals_case_id_cases')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_goals_deleted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goals_case_id'), ['case_id'], unique=False)

    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('outcome_type', sa.String(length=30), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome_type IN ('employment_started', 'school_enrolled', 'housing_secured', 're_injured', 'arrested', 'incarcerated', 'victimized', 'deceased', 'program_completed')", name=op.f('ck_outcomes_outcome_type_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outcomes_case_id_cases')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_outcomes_deleted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes'))
    )
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcomes_case_id'), ['case_id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('service_category', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('connected_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('is_anonymous', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("service_category IN ('housing', 'employment', 'education', 'mental_health', 'substance_use', 'legal', 'medical', 'relocation', 'victim_compensation', 'basic_needs', 'benefits', 'mentoring')", name=op.f('ck_referrals_service_category_allowed')),
    sa.CheckConstraint("status IN ('referred', 'scheduled', 'connected', 'completed', 'declined', 'no_show', 'unable_to_reach')", name=op.f('ck_referrals_status_allowed')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_referrals_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_referrals_created_by_id_users')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_referrals_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['provider_id'], ['service_providers.id'], name=op.f('fk_referrals_provider_id_service_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_referred_on'), ['referred_on'], unique=False)

    op.create_table('assessment_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=120), nullable=False),
    sa.Column('answer', sa.String(length=255), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_answers_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_answers'))
    )
    with op.batch_alter_table('assessment_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_answers_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('referral_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("from_status IN ('referred', 'scheduled', 'connected', 'completed', 'declined', 'no_show', 'unable_to_reach')", name=op.f('ck_referral_status_changes_from_status_allowed')),
    sa.CheckConstraint("to_status IN ('referred', 'scheduled', 'connected', 'completed', 'declined', 'no_show', 'unable_to_reach')", name=op.f('ck_referral_status_changes_to_status_allowed')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_referral_status_changes_changed_by_id_users')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_status_changes_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_status_changes'))
    )
    with op.batch_alter_table('referral_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_status_changes_referral_id'), ['referral_id'], unique=False)



def downgrade():
    """Drop every table, children before parents."""
    with op.batch_alter_table('referral_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_status_changes_referral_id'))

    op.drop_table('referral_status_changes')
    with op.batch_alter_table('assessment_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_answers_assessment_id'))

    op.drop_table('assessment_answers')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_referred_on'))
        batch_op.drop_index(batch_op.f('ix_referrals_provider_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_case_id'))

    op.drop_table('referrals')
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_case_id'))

    op.drop_table('outcomes')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_case_id'))

    op.drop_table('goals')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_case_id_occurred_at')

    op.drop_table('contacts')
    op.drop_table('consent_categories')
    with op.batch_alter_table('case_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_status_changes_case_id'))

    op.drop_table('case_status_changes')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_case_id'))

    op.drop_table('assessments')
    with op.batch_alter_table('provider_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_categories_category'))

    op.drop_table('provider_categories')
    with op.batch_alter_table('program_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_memberships_user_id'))
        batch_op.drop_index(batch_op.f('ix_program_memberships_program_id'))

    op.drop_table('program_memberships')
    op.drop_table('participant_race_ethnicities')
    with op.batch_alter_table('participant_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_aliases_participant_id'))
        batch_op.drop_index(batch_op.f('ix_participant_aliases_name'))

    op.drop_table('participant_aliases')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_participant_id'))

    op.drop_table('consents')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('uq_cases_open_participant_program', sqlite_where=sa.text("status IN ('referred', 'screening', 'active', 'inactive') AND deleted_at IS NULL"), postgresql_where=sa.text("status IN ('referred', 'screening', 'active', 'inactive') AND deleted_at IS NULL"))
        batch_op.drop_index('ix_cases_program_id_status')
        batch_op.drop_index(batch_op.f('ix_cases_participant_id'))
        batch_op.drop_index(batch_op.f('ix_cases_assigned_worker_id'))

    op.drop_table('cases')
    op.drop_table('service_providers')
    op.drop_table('programs')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index('ix_participants_last_name_first_name')
        batch_op.drop_index(batch_op.f('ix_participants_date_of_birth'))

    op.drop_table('participants')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_user_id'))
        batch_op.drop_index('ix_audit_events_record_type_record_id')
        batch_op.drop_index(batch_op.f('ix_audit_events_occurred_at'))

    op.drop_table('audit_events')
    op.drop_table('users')
