"""An account can be asked to choose a new password at its next sign-in (issue #18 item 2):
``users.must_change_password``, set when an administrator sets someone else's password, when an
account is reactivated, or by Admin → Users → Require new password; cleared when the person
chooses their own. Accounts that exist before this revision are not asked (false).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN, not a batch: on SQLite a batch would copy ``users`` to a new table and
    # drop the old one, which every other table's foreign key refers to.
    op.add_column('users', sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                     nullable=False))


def downgrade() -> None:
    op.drop_column('users', 'must_change_password')  # SQLite 3.35+ drops a column in place
