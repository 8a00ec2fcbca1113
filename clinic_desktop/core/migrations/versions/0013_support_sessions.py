"""Emotional support during the stay (issue #16): support sessions (individual, group, family,
peer, brief) signed with the password and corrected by addendum, group sessions, consents that
name a person (a family member) instead of a directory entry, and scores the patient reported
themselves (patient check-in mode).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 01:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('support_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('approaches', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('support_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('approaches', sa.JSON(), nullable=False),
    sa.Column('patient_words', sa.Text(), nullable=False),
    sa.Column('agreed', sa.Text(), nullable=False),
    sa.Column('next_step', sa.Text(), nullable=False),
    sa.Column('what_matters', sa.JSON(), nullable=False),
    sa.Column('importance', sa.Integer(), nullable=True),
    sa.Column('confidence', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('family_member', sa.String(length=200), nullable=True),
    sa.Column('consent_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('signed_by', sa.Integer(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consent_id'], ['consents.id'], ),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], ),
    sa.ForeignKeyConstraint(['group_id'], ['support_groups.id'], ),
    sa.ForeignKeyConstraint(['signed_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('support_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_support_sessions_episode_started', ['episode_id', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_sessions_group_id'), ['group_id'], unique=False)
    op.create_table('support_addenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['support_sessions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('support_addenda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_addenda_session_id'), ['session_id'], unique=False)
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_relationship', sa.String(length=100), nullable=True))
        batch_op.alter_column('directory_entry_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('self_reported', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_column('self_reported')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.alter_column('directory_entry_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('recipient_relationship')
    with op.batch_alter_table('support_addenda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_addenda_session_id'))
    op.drop_table('support_addenda')
    with op.batch_alter_table('support_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_sessions_group_id'))
        batch_op.drop_index('ix_support_sessions_episode_started')
    op.drop_table('support_sessions')
    op.drop_table('support_groups')
