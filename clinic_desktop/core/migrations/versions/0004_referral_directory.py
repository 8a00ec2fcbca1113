"""Referral directory: the clinic's contacts, seeded with the national helplines of CLINICAL.md §4.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:41:51.526052
"""

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The day the numbers below were checked against CLINICAL.md §4 for this release: they are
# flagged for re-verification once the clinic's `directory_stale_days` have passed since.
REFERENCE_CHECKED = dt.date(2026, 11, 23)

# The shipped national contacts, exactly as CLINICAL.md §4 gives them. Frozen here (a migration
# never imports the app's code): search_name / search_text are text.fold() of the name, and of
# the name, notes and address, as services/directory.py computes them (a test checks they agree).
NATIONAL_CONTACTS: list[dict[str, Any]] = [
    {'key': 'samhsa_helpline', 'name': 'SAMHSA National Helpline',
     'phone': '+18006624357', 'phone_display': '1-800-662-HELP (4357)',
     'other_contact': 'TTY 1-800-487-4889; text your ZIP code to 435748 (HELP4U, English only); '
                      'findtreatment.gov',
     'hours': '24/7/365', 'languages': 'en,es', 'payment': 'Free',
     'notes': 'Free, confidential, 24/7/365 treatment referral and information, in English and '
              'Spanish (no counseling)',
     'search_name': 'samhsa national helpline',
     'search_text': 'samhsa national helpline free confidential 24 7 365 treatment referral and '
                    'information in english and spanish no counseling'},
    {'key': 'lifeline_988', 'name': '988 Suicide & Crisis Lifeline',
     'phone': '988', 'phone_display': '988',
     'other_contact': 'call or text 988 (press 2 or text AYUDA for Spanish); chat 988lifeline.org',
     'hours': '24/7', 'languages': 'en,es', 'payment': None, 'notes': None,
     'search_name': '988 suicide crisis lifeline', 'search_text': '988 suicide crisis lifeline'},
    {'key': 'poison_control', 'name': 'Poison Help',
     'phone': '+18002221222', 'phone_display': '1-800-222-1222', 'other_contact': None,
     'hours': '24/7', 'languages': 'en', 'payment': 'Free',
     'notes': '24/7, free, interpretation in 161 languages',
     'search_name': 'poison help',
     'search_text': 'poison help 24 7 free interpretation in 161 languages'},
    {'key': 'never_use_alone', 'name': 'Never Use Alone',
     'phone': '+18004843731', 'phone_display': '1-800-484-3731', 'other_contact': None,
     'hours': None, 'languages': 'en', 'payment': None,
     'notes': 'Someone stays on the line while a person uses and sends help if they stop '
              'responding',
     'search_name': 'never use alone',
     'search_text': 'never use alone someone stays on the line while a person uses and sends help '
                    'if they stop responding'},
    {'key': 'crisis_text_line', 'name': 'Crisis Text Line',
     'phone': None, 'phone_display': None, 'other_contact': 'text HOME to 741741',
     'hours': '24/7', 'languages': 'en', 'payment': None, 'notes': None,
     'search_name': 'crisis text line', 'search_text': 'crisis text line'},
]


def upgrade() -> None:
    directory_entries = op.create_table('directory_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('phone_display', sa.String(length=60), nullable=True),
    sa.Column('other_contact', sa.String(length=300), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('hours', sa.String(length=200), nullable=True),
    sa.Column('languages', sa.String(length=200), nullable=True),
    sa.Column('walk_in', sa.Boolean(), nullable=False),
    sa.Column('payment', sa.String(length=300), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('last_verified', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('search_name', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('directory_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_entries_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_entries_search_name'), ['search_name'], unique=False)

    # Every database gets the national contacts, shipped (created_by NULL) and active.
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(directory_entries, [
        {**contact, 'kind': 'national_helpline', 'address': None, 'walk_in': False,
         'last_verified': REFERENCE_CHECKED, 'active': True, 'created_at': now,
         'created_by': None, 'updated_at': None, 'updated_by': None, 'version': 1}
        for contact in NATIONAL_CONTACTS
    ])


def downgrade() -> None:
    with op.batch_alter_table('directory_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_entries_search_name'))
        batch_op.drop_index(batch_op.f('ix_directory_entries_kind'))

    op.drop_table('directory_entries')
