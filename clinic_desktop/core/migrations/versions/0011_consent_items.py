"""Consents list the information items they cover (keys of core.consent.INFORMATION_ITEMS,
issue #15 item 5, 42 CFR 2.31). Consents recorded before this revision keep ``items`` NULL: they
cover no item, so a letter under one carries only the referral.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 19:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consents') as batch_op:
        batch_op.add_column(sa.Column('items', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('consents') as batch_op:
        batch_op.drop_column('items')
