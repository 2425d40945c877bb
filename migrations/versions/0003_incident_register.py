"""Shooting incident register: incidents and the participants linked to them.

Revision ID: 0003_incident_register
Revises: 0002_case_workflow
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_incident_register'
down_revision = '0002_case_workflow'
branch_labels = None
depends_on = None


def upgrade():
    """Incidents, then the links to participants."""
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('area', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('fatal_victims', sa.Integer(), nullable=False),
    sa.Column('nonfatal_victims', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_ref', sa.String(length=80), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind <> 'shots_fired' OR (fatal_victims = 0 AND nonfatal_victims = 0)", name=op.f('ck_incidents_shots_fired_no_victims')),
    sa.CheckConstraint("kind IN ('shooting', 'shots_fired')", name=op.f('ck_incidents_kind_allowed')),
    sa.CheckConstraint("source IN ('police', 'hospital', 'community')", name=op.f('ck_incidents_source_allowed')),
    sa.CheckConstraint("status IN ('reported', 'confirmed', 'closed')", name=op.f('ck_incidents_status_allowed')),
    sa.CheckConstraint('fatal_victims >= 0 AND nonfatal_victims >= 0', name=op.f('ck_incidents_victim_counts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_incidents_created_by_id_users')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_incidents_deleted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    sa.UniqueConstraint('source', 'source_ref', name='uq_incidents_source_source_ref')
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_occurred_at', ['occurred_at'], unique=False)

    op.create_table('incident_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('linked_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("role IN ('victim', 'involved', 'witness', 'associate')", name=op.f('ck_incident_people_role_allowed')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_people_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['linked_by_id'], ['users.id'], name=op.f('fk_incident_people_linked_by_id_users')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_incident_people_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_people')),
    sa.UniqueConstraint('incident_id', 'participant_id', name='uq_incident_people_incident_participant')
    )
    with op.batch_alter_table('incident_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_people_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_people_participant_id'), ['participant_id'], unique=False)



def downgrade():
    """Links first, then incidents."""
    with op.batch_alter_table('incident_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_people_participant_id'))
        batch_op.drop_index(batch_op.f('ix_incident_people_incident_id'))

    op.drop_table('incident_people')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_occurred_at')

    op.drop_table('incidents')
