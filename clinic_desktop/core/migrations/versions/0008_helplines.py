"""The shipped national helplines with CLINICAL.md §4's corrected facts (issue #15 item 7).

Migration 0004 shipped Poison Help and Crisis Text Line as English only (both answer in English
and Spanish; Poison Help interprets 161 languages; Crisis Text Line takes AYUDA to 741741 and
WhatsApp 442-AYUDAME), Never Use Alone with no hours (24/7), and 988 without its Spanish name.
This corrects those rows so the directory screen is right (the printed plan reads each line's
texts from its catalogue and only the number from here).

A field is corrected only while it still holds what 0004 shipped: a clinic's own edit is kept.
Notes change with the search text they feed (services/directory.py ``_search_fields``: the folded
name, notes and address), and only while the name and address are still the shipped ones.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:55:00
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# (key, column, as 0004 shipped it, as corrected). Frozen here: a migration never imports the
# app's code.
FIELDS: list[tuple[str, str, Any, Any]] = [
    ('poison_control', 'languages', 'en', 'en,es'),
    ('never_use_alone', 'hours', None, '24/7'),
    ('crisis_text_line', 'other_contact', 'text HOME to 741741',
     'text HOME to 741741; in Spanish text AYUDA to 741741 or WhatsApp 442-AYUDAME'),
    ('crisis_text_line', 'languages', 'en', 'en,es'),
]

# (key, shipped name, notes and search_text as 0004 shipped them, then as corrected).
NOTES: list[tuple[str, str, tuple[Any, str], tuple[str, str]]] = [
    ('lifeline_988', '988 Suicide & Crisis Lifeline',
     (None, '988 suicide crisis lifeline'),
     ('In Spanish: 988 Línea de Prevención del Suicidio y Crisis',
      '988 suicide crisis lifeline in spanish 988 linea de prevencion del suicidio y crisis')),
    ('poison_control', 'Poison Help',
     ('24/7, free, interpretation in 161 languages',
      'poison help 24 7 free interpretation in 161 languages'),
     ('24/7, free, English and Spanish, interpretation in 161 languages',
      'poison help 24 7 free english and spanish interpretation in 161 languages')),
    ('never_use_alone', 'Never Use Alone',
     ('Someone stays on the line while a person uses and sends help if they stop responding',
      ('never use alone someone stays on the line while a person uses and sends help if they '
       'stop responding')),
     (('24/7; someone stays on the line while a person uses and sends help if they stop '
       'responding'),
      ('never use alone 24 7 someone stays on the line while a person uses and sends help if '
       'they stop responding'))),
    ('crisis_text_line', 'Crisis Text Line',
     (None, 'crisis text line'),
     ('24/7, English and Spanish (since 2021)',
      'crisis text line 24 7 english and spanish since 2021')),
]


def _set(key: str, column: str, was: Any, now: Any) -> None:
    holds = f"{column} IS NULL" if was is None else f"{column} = :was"
    op.get_bind().execute(
        sa.text(f"UPDATE directory_entries SET {column} = :now WHERE key = :key AND {holds}"),
        {"key": key, "was": was, "now": now})


def _set_notes(key: str, name: str, was: tuple[Any, str], now: tuple[Any, str]) -> None:
    holds = "notes IS NULL" if was[0] is None else "notes = :was"
    op.get_bind().execute(
        sa.text("UPDATE directory_entries SET notes = :notes, search_text = :search "
                f"WHERE key = :key AND name = :name AND address IS NULL AND {holds}"),
        {"key": key, "name": name, "was": was[0], "notes": now[0], "search": now[1]})


def upgrade() -> None:
    for key, column, was, now in FIELDS:
        _set(key, column, was, now)
    for key, name, was, now in NOTES:
        _set_notes(key, name, was, now)


def downgrade() -> None:
    for key, column, was, now in FIELDS:
        _set(key, column, now, was)
    for key, name, was, now in NOTES:
        _set_notes(key, name, now, was)
