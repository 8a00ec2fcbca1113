"""The kill test on an encrypted database: a writer recording scores, vitals and doses is killed
with SIGKILL mid-write, round after round; after each, every committed entry is there, SQLCipher's
integrity check passes and the audit chain verifies.

Three rounds in every test run; ``make torture`` runs 200 (CLINIC_TORTURE_ROUNDS)."""

from __future__ import annotations

import os
import sys

import pytest

from clinic_desktop.core import keys
from tests.core.test_storage import (
    STABILIZATION_WRITER,
    TABLES,
    _assert_all_stored_and_intact,
    _dosing_episode,
    _kill_while_writing,
)

ROUNDS = int(os.environ.get("CLINIC_TORTURE_ROUNDS", "3"))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_while_writing_an_encrypted_database_loses_nothing_committed(tmp_path):
    target = str(tmp_path / "clinic.db")
    key = keys.new_data_key()
    # The key file marks the file as encrypted (the writer is given the data key itself).
    keys.KeyFile.new(tmp_path / "clinic.db", key, keys.new_recovery_key()).save()
    nurse, episode, order = _dosing_episode(target, key)
    assert b"Test Nurse" not in (tmp_path / "clinic.db").read_bytes()
    everything: list[tuple[str, int]] = []
    for _ in range(ROUNDS):
        committed = _kill_while_writing(STABILIZATION_WRITER, [target, nurse.id, episode.id, order.id],
                                        at_least=30, key=key)
        assert {kind for kind, _ in committed} == set(TABLES)
        everything += committed
        _assert_all_stored_and_intact(target, everything, key)
