"""Street outreach and focused deterrence: mediations, shooting responses, activities, call-ins, notifications.

Also lets a focused deterrence program grant the law-enforcement partner role.

Revision ID: 0005_outreach_deterrence
Revises: 0004_hvip
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_outreach_deterrence'
down_revision = '0004_hvip'
branch_labels = None
depends_on = None


OLD_ROLES = "role IN ('worker', 'supervisor', 'manager')"
NEW_ROLES = "role IN ('worker', 'supervisor', 'manager', 'partner')"


def _role_check(condition):
    with op.batch_alter_table('program_memberships', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_program_memberships_role_allowed'), type_='check')
        batch_op.create_check_constraint('role_allowed', condition)


def upgrade():
    """Module tables, and the partner role."""
    op.create_table('call_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('held_at', sa.DateTime(), nullable=False),
    sa.Column('venue', sa.String(length=160), nullable=False),
    sa.Column('speakers_community', sa.Integer(), nullable=False),
    sa.Column('speakers_services', sa.Integer(), nullable=False),
    sa.Column('speakers_law_enforcement', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('speakers_community >= 0 AND speakers_services >= 0 AND speakers_law_enforcement >= 0', name=op.f('ck_call_ins_speaker_counts')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_call_ins_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_call_ins_program_id_programs')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_call_ins_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_ins'))
    )
    with op.batch_alter_table('call_ins', schema=None) as batch_op:
        batch_op.create_index('ix_call_ins_program_id_held_at', ['program_id', 'held_at'], unique=False)

    op.create_table('deterrence_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('area', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_deterrence_groups_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_deterrence_groups_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deterrence_groups')),
    sa.UniqueConstraint('program_id', 'name', name='uq_deterrence_groups_program_name')
    )
    with op.batch_alter_table('deterrence_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deterrence_groups_program_id'), ['program_id'], unique=False)

    op.create_table('mediations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('area', sa.String(length=80), nullable=False),
    sa.Column('identified_by', sa.String(length=20), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('parties_count', sa.Integer(), nullable=False),
    sa.Column('groups_involved', sa.Text(), nullable=False),
    sa.Column('weapons_present', sa.Boolean(), nullable=False),
    sa.Column('imminent_risk', sa.String(length=20), nullable=False),
    sa.Column('actions_taken', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("identified_by IN ('tip', 'incident', 'release', 'social_media', 'other')", name=op.f('ck_mediations_identified_by_allowed')),
    sa.CheckConstraint("imminent_risk IN ('low', 'moderate', 'high')", name=op.f('ck_mediations_imminent_risk_allowed')),
    sa.CheckConstraint("outcome IN ('resolved', 'temporarily_resolved', 'ongoing', 'violence_occurred')", name=op.f('ck_mediations_outcome_allowed')),
    sa.CheckConstraint('parties_count >= 2', name=op.f('ck_mediations_parties_count_min')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_mediations_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_mediations_incident_id_incidents')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_mediations_program_id_programs')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_mediations_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediations'))
    )
    with op.batch_alter_table('mediations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediations_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index('ix_mediations_program_id_occurred_at', ['program_id', 'occurred_at'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('notified_on', sa.Date(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('delivered', sa.Boolean(), nullable=False),
    sa.Column('offer_accepted', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("trigger IN ('incident', 'ongoing_dispute', 'release', 'other')", name=op.f('ck_notifications_trigger_allowed')),
    sa.CheckConstraint('offer_accepted = false OR delivered = true', name=op.f('ck_notifications_accepted_needs_delivery')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_notifications_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_notifications_participant_id_participants')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_notifications_program_id_programs')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_notifications_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index('ix_notifications_program_id_notified_on', ['program_id', 'notified_on'], unique=False)

    op.create_table('outreach_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('area', sa.String(length=80), nullable=False),
    sa.Column('staff_minutes', sa.Integer(), nullable=False),
    sa.Column('people_reached', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('canvassing', 'community_event', 'norm_change', 'other')", name=op.f('ck_outreach_activities_kind_allowed')),
    sa.CheckConstraint('staff_minutes >= 0 AND people_reached >= 0', name=op.f('ck_outreach_activities_activity_counts')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_outreach_activities_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_outreach_activities_program_id_programs')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_outreach_activities_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_activities'))
    )
    with op.batch_alter_table('outreach_activities', schema=None) as batch_op:
        batch_op.create_index('ix_outreach_activities_program_id_occurred_on', ['program_id', 'occurred_on'], unique=False)

    op.create_table('shooting_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('responder_id', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=20), nullable=False),
    sa.Column('first_response_at', sa.DateTime(), nullable=False),
    sa.Column('retaliation_risk', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("location IN ('scene', 'hospital', 'family', 'vigil')", name=op.f('ck_shooting_responses_location_allowed')),
    sa.CheckConstraint("retaliation_risk IN ('low', 'moderate', 'high')", name=op.f('ck_shooting_responses_retaliation_risk_allowed')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_shooting_responses_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_shooting_responses_incident_id_incidents')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_shooting_responses_program_id_programs')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_shooting_responses_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['responder_id'], ['users.id'], name=op.f('fk_shooting_responses_responder_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shooting_responses'))
    )
    with op.batch_alter_table('shooting_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shooting_responses_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index('ix_shooting_responses_program_id_first_response_at', ['program_id', 'first_response_at'], unique=False)

    op.create_table('call_in_invitees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_in_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('attendance', sa.String(length=20), nullable=False),
    sa.Column('help_accepted', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("attendance IN ('invited', 'attended', 'absent')", name=op.f('ck_call_in_invitees_attendance_allowed')),
    sa.CheckConstraint("help_accepted = false OR attendance = 'attended'", name=op.f('ck_call_in_invitees_accepted_needs_attendance')),
    sa.ForeignKeyConstraint(['call_in_id'], ['call_ins.id'], name=op.f('fk_call_in_invitees_call_in_id_call_ins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_call_in_invitees_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_in_invitees')),
    sa.UniqueConstraint('call_in_id', 'participant_id', name='uq_call_in_invitees_call_in_participant')
    )
    with op.batch_alter_table('call_in_invitees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_in_invitees_call_in_id'), ['call_in_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_in_invitees_participant_id'), ['participant_id'], unique=False)

    op.create_table('call_in_service_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_in_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.CheckConstraint("category IN ('housing', 'employment', 'education', 'mental_health', 'substance_use', 'legal', 'medical', 'relocation', 'victim_compensation', 'basic_needs', 'benefits', 'mentoring')", name=op.f('ck_call_in_service_requests_category_allowed')),
    sa.CheckConstraint('people > 0', name=op.f('ck_call_in_service_requests_people_positive')),
    sa.ForeignKeyConstraint(['call_in_id'], ['call_ins.id'], name=op.f('fk_call_in_service_requests_call_in_id_call_ins'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_in_service_requests')),
    sa.UniqueConstraint('call_in_id', 'category', name='uq_call_in_service_requests_call_in_category')
    )
    with op.batch_alter_table('call_in_service_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_in_service_requests_call_in_id'), ['call_in_id'], unique=False)

    op.create_table('group_affiliations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_group_affiliations_case_id_cases')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_group_affiliations_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['group_id'], ['deterrence_groups.id'], name=op.f('fk_group_affiliations_group_id_deterrence_groups')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_group_affiliations_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_affiliations')),
    sa.UniqueConstraint('case_id', 'group_id', name='uq_group_affiliations_case_group')
    )
    with op.batch_alter_table('group_affiliations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_affiliations_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_affiliations_group_id'), ['group_id'], unique=False)

    op.create_table('mediation_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mediation_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('linked_by_id', sa.Integer(), nullable=True),
    sa.Column('linked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['linked_by_id'], ['users.id'], name=op.f('fk_mediation_people_linked_by_id_users')),
    sa.ForeignKeyConstraint(['mediation_id'], ['mediations.id'], name=op.f('fk_mediation_people_mediation_id_mediations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_mediation_people_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_people')),
    sa.UniqueConstraint('mediation_id', 'participant_id', name='uq_mediation_people_mediation_participant')
    )
    with op.batch_alter_table('mediation_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_people_mediation_id'), ['mediation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mediation_people_participant_id'), ['participant_id'], unique=False)

    op.create_table('module_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mediation_id', sa.Integer(), nullable=True),
    sa.Column('shooting_response_id', sa.Integer(), nullable=True),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(CASE WHEN mediation_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN shooting_response_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN notification_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_module_follow_ups_one_parent')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_module_follow_ups_created_by_id_users')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_module_follow_ups_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['mediation_id'], ['mediations.id'], name=op.f('fk_module_follow_ups_mediation_id_mediations')),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_module_follow_ups_notification_id_notifications')),
    sa.ForeignKeyConstraint(['shooting_response_id'], ['shooting_responses.id'], name=op.f('fk_module_follow_ups_shooting_response_id_shooting_responses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_follow_ups'))
    )
    with op.batch_alter_table('module_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_follow_ups_mediation_id'), ['mediation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_module_follow_ups_notification_id'), ['notification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_module_follow_ups_shooting_response_id'), ['shooting_response_id'], unique=False)


    _role_check(NEW_ROLES)

def downgrade():
    """Drop the module tables; partner memberships go, since the old schema cannot hold them."""
    op.execute("DELETE FROM program_memberships WHERE role = 'partner'")
    _role_check(OLD_ROLES)
    with op.batch_alter_table('module_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_follow_ups_shooting_response_id'))
        batch_op.drop_index(batch_op.f('ix_module_follow_ups_notification_id'))
        batch_op.drop_index(batch_op.f('ix_module_follow_ups_mediation_id'))

    op.drop_table('module_follow_ups')
    with op.batch_alter_table('mediation_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_people_participant_id'))
        batch_op.drop_index(batch_op.f('ix_mediation_people_mediation_id'))

    op.drop_table('mediation_people')
    with op.batch_alter_table('group_affiliations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_affiliations_group_id'))
        batch_op.drop_index(batch_op.f('ix_group_affiliations_case_id'))

    op.drop_table('group_affiliations')
    with op.batch_alter_table('call_in_service_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_in_service_requests_call_in_id'))

    op.drop_table('call_in_service_requests')
    with op.batch_alter_table('call_in_invitees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_in_invitees_participant_id'))
        batch_op.drop_index(batch_op.f('ix_call_in_invitees_call_in_id'))

    op.drop_table('call_in_invitees')
    with op.batch_alter_table('shooting_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_shooting_responses_program_id_first_response_at')
        batch_op.drop_index(batch_op.f('ix_shooting_responses_incident_id'))

    op.drop_table('shooting_responses')
    with op.batch_alter_table('outreach_activities', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_activities_program_id_occurred_on')

    op.drop_table('outreach_activities')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_program_id_notified_on')
        batch_op.drop_index(batch_op.f('ix_notifications_participant_id'))

    op.drop_table('notifications')
    with op.batch_alter_table('mediations', schema=None) as batch_op:
        batch_op.drop_index('ix_mediations_program_id_occurred_at')
        batch_op.drop_index(batch_op.f('ix_mediations_incident_id'))

    op.drop_table('mediations')
    with op.batch_alter_table('deterrence_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deterrence_groups_program_id'))

    op.drop_table('deterrence_groups')
    with op.batch_alter_table('call_ins', schema=None) as batch_op:
        batch_op.drop_index('ix_call_ins_program_id_held_at')

    op.drop_table('call_ins')
