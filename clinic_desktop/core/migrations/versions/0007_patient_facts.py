"""The patient facts the medication rules read (CLINICAL.md §6), one row per episode: weight,
hepatic impairment, renal function and eGFR, the latest QTc and its date, pregnancy status. Copied from the intake
when it is signed, edited later (audited). Episodes signed before this revision have no row: their
facts are read from the intake until someone edits them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 05:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('patient_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('weight_kg', sa.Float(), nullable=True),
    sa.Column('hepatic', sa.String(length=10), nullable=True),
    sa.Column('renal', sa.String(length=10), nullable=True),
    sa.Column('egfr', sa.Float(), nullable=True),
    sa.Column('qtc_ms', sa.Integer(), nullable=True),
    sa.Column('qtc_on', sa.Date(), nullable=True),
    sa.Column('pregnancy', sa.String(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], ),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('episode_id')
    )


def downgrade() -> None:
    op.drop_table('patient_facts')
