"""Stabilization: flowsheet vitals, struck entries, medication orders and the MAR, safety
assessments, supportive care and complications.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:47:59.524790
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('entry_strikes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_type', sa.String(length=20), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.Column('struck_by', sa.Integer(), nullable=False),
    sa.Column('struck_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['struck_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entry_type', 'entry_id', name='uq_entry_strikes_entry')
    )
    op.create_table('care_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('item', sa.String(length=40), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('care_entries', schema=None) as batch_op:
        batch_op.create_index('ix_care_entries_episode_at', ['episode_id', 'at'], unique=False)

    op.create_table('medication_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('drug_id', sa.String(length=32), nullable=False),
    sa.Column('drug_name', sa.String(length=120), nullable=False),
    sa.Column('dose', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('route', sa.String(length=40), nullable=False),
    sa.Column('times', sa.JSON(), nullable=False),
    sa.Column('min_interval_hours', sa.Float(), nullable=True),
    sa.Column('max_daily_dose', sa.Float(), nullable=True),
    sa.Column('hold_sbp_below', sa.Integer(), nullable=True),
    sa.Column('hold_dbp_below', sa.Integer(), nullable=True),
    sa.Column('hold_hr_below', sa.Integer(), nullable=True),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stop_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('ordered_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], ),
    sa.ForeignKeyConstraint(['ordered_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('medication_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_medication_orders_episode_id'), ['episode_id'], unique=False)

    op.create_table('safety_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('risk', sa.String(length=20), nullable=False),
    sa.Column('actions', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('safety_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_assessments_episode_id'), ['episode_id'], unique=False)

    op.create_table('vital_signs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vital_signs', schema=None) as batch_op:
        batch_op.create_index('ix_vital_signs_episode_taken', ['episode_id', 'taken_at'], unique=False)

    op.create_table('medication_administrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dose', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('scheduled_for', sa.DateTime(timezone=True), nullable=True),
    sa.Column('override_note', sa.Text(), nullable=False),
    sa.Column('override_by', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['medication_orders.id'], ),
    sa.ForeignKeyConstraint(['override_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('medication_administrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_medication_administrations_episode_id'), ['episode_id'], unique=False)
        batch_op.create_index('ix_medication_administrations_order_at', ['order_id', 'at'], unique=False)

    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safety_alert_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_column('reason')

    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.drop_column('safety_alert_at')

    with op.batch_alter_table('medication_administrations', schema=None) as batch_op:
        batch_op.drop_index('ix_medication_administrations_order_at')
        batch_op.drop_index(batch_op.f('ix_medication_administrations_episode_id'))

    op.drop_table('medication_administrations')
    with op.batch_alter_table('vital_signs', schema=None) as batch_op:
        batch_op.drop_index('ix_vital_signs_episode_taken')

    op.drop_table('vital_signs')
    with op.batch_alter_table('safety_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safety_assessments_episode_id'))

    op.drop_table('safety_assessments')
    with op.batch_alter_table('medication_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_medication_orders_episode_id'))

    op.drop_table('medication_orders')
    with op.batch_alter_table('care_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_care_entries_episode_at')

    op.drop_table('care_entries')
    op.drop_table('entry_strikes')
