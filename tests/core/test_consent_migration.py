"""Migration 0011: consents list their items. A consent recorded before it keeps ``items``
NULL and covers no item (a letter under it carries only the referral); new ones keep theirs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from clinic_desktop.core import consent as consent_rules
from clinic_desktop.core import db as dbmod
from clinic_desktop.core.db import open_database
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.services import plans
from tests.conftest import database_at, user_on_old_schema
from tests.factories import admit_without_intake, local_entry


def test_a_0010_consent_upgrades_covering_no_item(any_db_target):
    url, engine = database_at(any_db_target, "0010")
    old = dbmod._database(url, engine, None)
    # Users as 0010 stored them (today's account service writes columns it does not have).
    admin = user_on_old_schema(old, "admin", "admin", "Ada Admin")
    counselor = user_on_old_schema(old, "counselor")
    # No signed intake: it would write today's observation columns into 0010's table.
    episode_id = admit_without_intake(old, admin).id
    entry = local_entry(old, admin)
    today = dt.date.today()
    with old.write() as s:  # as 0010 recorded it: free text, no items
        s.execute(text(
            "INSERT INTO consents (episode_id, directory_entry_id, recipient_name, purpose, information, "
            "expires_on, signed_on, created_at, created_by, version) VALUES (:e, :d, 'Northside IOP', "
            "'Referral', 'Current medication and dose, follow-up visits', :x, :s, :c, :u, 1)"),
            {"e": episode_id, "d": entry.id, "x": today + dt.timedelta(days=30), "s": today,
             "c": dt.datetime.now(dt.UTC).replace(tzinfo=None), "u": counselor.id})
    old.dispose()

    db = open_database(any_db_target)
    try:
        with db.read() as s:
            assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == dbmod.SCHEMA_HEAD
        [legacy] = plans.consents(db, counselor, episode_id)
        assert legacy.items is None and not legacy.itemized and legacy.active(today)
        assert consent_rules.covered(legacy) == ()
        consent_rules.check_covered(legacy, [])  # the referral alone
        with pytest.raises(ValidationError, match="before itemized consents"):
            consent_rules.check_covered(legacy, ["medication"])
        new = plans.record_consent(db, counselor, episode_id, plans.ConsentInput(
            entry.id, "Referral", ("follow_ups",), today + dt.timedelta(days=30), today), today=today)
        assert [c.items for c in plans.consents(db, counselor, episode_id)] == [None, ("follow_ups",)]
        assert new.item_labels == ("Follow-up appointments",)
    finally:
        db.dispose()
