"""Medication orders keep the warnings the prescriber acknowledged at order time: each rule
that fired, its source, the documented reason, who and when (CLINICAL.md §6).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 05:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('medication_orders') as batch:
        batch.add_column(sa.Column('acknowledgements', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('medication_orders') as batch:
        batch.drop_column('acknowledgements')
