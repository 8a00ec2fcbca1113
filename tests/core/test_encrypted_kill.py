"""The kill test on an encrypted database: a writer recording scores, vitals and doses is killed
with SIGKILL mid-write, round after round; after each, every committed entry is there, SQLCipher's
integrity check passes and the audit chain verifies.

Three rounds in every test run; ``make torture`` runs 200 (CLINIC_TORTURE_ROUNDS)."""

from __future__ import annotations

import os
import sys

import pytest

from clinic_desktop.core import keys
from clinic_desktop.core.db import open_database
from clinic_desktop.core.services import mar
from tests.core.test_storage import (
    STABILIZATION_WRITER,
    TABLES,
    _assert_all_stored_and_intact,
    _kill_while_writing,
    _staffed_episode,
)
from tests.factories import make_user

ROUNDS = int(os.environ.get("CLINIC_TORTURE_ROUNDS", "3"))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_while_writing_an_encrypted_database_loses_nothing_committed(tmp_path):
    target = str(tmp_path / "clinic.db")
    key = keys.new_data_key()
    # The key file marks the file as encrypted (the writer is given the data key itself).
    keys.KeyFile.new(tmp_path / "clinic.db", key, keys.new_recovery_key()).save()
    admin, nurse, episode = _staffed_episode(target, key)
    db = open_database(target, key=key)
    try:
        prescriber = make_user(db, admin, "prescriber")
        order = mar.create_order(db, prescriber, episode.id, mar.OrderInput(
            drug_id="other", drug_name="Multivitamin", dose=1, unit="tablet", route="oral",
            min_interval_hours=1e-6))
    finally:
        db.dispose()
    assert b"Test Nurse" not in (tmp_path / "clinic.db").read_bytes()
    everything: list[tuple[str, int]] = []
    for _ in range(ROUNDS):
        committed = _kill_while_writing(STABILIZATION_WRITER, [target, nurse.id, episode.id, order.id],
                                        at_least=30, key=key)
        assert {kind for kind, _ in committed} == set(TABLES)
        everything += committed
        _assert_all_stored_and_intact(target, everything, key)
