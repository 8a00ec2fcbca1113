"""Each finalized plan version in every language it was signed in: the patient's language and
English for the record (issue #15). Versions finalized before this revision have their one PDF.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 19:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plan_version_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['plan_versions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'language', name='uq_plan_version_copies_language')
    )


def downgrade() -> None:
    op.drop_table('plan_version_copies')
