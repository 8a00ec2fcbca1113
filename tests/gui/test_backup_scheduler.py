"""The backups that run themselves while someone is signed in, and the status bar's backup age
(issue #17, item 4)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from clinic_desktop.core import clock
from clinic_desktop.core import db as dbmod
from clinic_desktop.core.services import backup, settings
from clinic_desktop.gui import backup_scheduler
from tests.gui.conftest import shown_main_window
from tests.gui.helpers import named


def backups_in(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if backup.FOLDER_BACKUP.fullmatch(p.name))


@pytest.fixture
def fast(monkeypatch):
    """The scheduler looks every 50 ms instead of every minute."""
    monkeypatch.setattr(backup_scheduler, "CHECK_MS", 50)


def test_with_a_folder_set_and_a_backup_due_it_backs_up_in_the_background(
        qtbot, db, admin, tmp_path, fast, caplog):
    folder = tmp_path / "usb"
    folder.mkdir()
    settings.update(db, admin, {"backup.folder": str(folder), "backup.keep": 2})
    caplog.set_level(logging.INFO)
    window = shown_main_window(qtbot, db, admin)
    label = named(window, QLabel, "Backup status")
    with qtbot.waitSignal(window.backups.backup_succeeded, timeout=20_000) as done:
        pass
    made = done.args[0]
    assert backups_in(folder) == [made.path.name]
    qtbot.waitUntil(lambda: label.text() == "Backup: just now", timeout=5000)
    assert label.property("level") == "ok" and label.isVisible()
    assert str(folder) in label.toolTip() and "Last verified backup" in label.toolTip()
    # Not due again for 24 hours: the timer keeps looking, nothing more is written.
    qtbot.wait(300)
    assert backups_in(folder) == [made.path.name] and not window.backups.running
    # The app's own lines (alembic's name the migrations, whose docstrings say "Admin → Users",
    # when this test is the first of its process to build the expected schema of a backup).
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("clinic_desktop"))
    assert ours and "Ada" not in ours and "Admin" not in ours


def test_the_age_shown_turns_amber_then_red_as_time_passes(qtbot, db, admin, monkeypatch, fast):
    url = dbmod.resolve_target(str(db.sqlite_path))
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    backup._note_backup(url, db.sqlite_path.parent / "clinic-x.db", verified=True, when=start)
    now = {"at": start + dt.timedelta(hours=3)}
    monkeypatch.setattr(clock, "now", lambda: now["at"])
    window = shown_main_window(qtbot, db, admin)  # no folder set: nothing runs, the age is shown
    label = named(window, QLabel, "Backup status")
    qtbot.waitUntil(lambda: label.text() == "Backup: 3 h ago")
    assert label.property("level") == "ok"
    now["at"] = start + dt.timedelta(hours=24, seconds=1)
    qtbot.waitUntil(lambda: label.property("level") == "amber")
    assert label.text() == "Backup: 24 h ago"
    now["at"] = start + dt.timedelta(hours=72, seconds=1)
    qtbot.waitUntil(lambda: label.property("level") == "red")
    assert label.text() == "Backup: 3 days ago" and not window.backups.running


def test_a_failed_backup_turns_the_label_red_without_a_message_box_and_is_not_retried_at_once(
        qtbot, db, admin, tmp_path, fast, caplog):
    unplugged = tmp_path / "unplugged"
    settings.update(db, admin, {"backup.folder": str(unplugged)})
    window = shown_main_window(qtbot, db, admin)
    label = named(window, QLabel, "Backup status")
    with qtbot.waitSignal(window.backups.backup_failed, timeout=20_000) as failed:
        pass
    assert "is not there" in failed.args[0]
    qtbot.waitUntil(lambda: label.text() == "Backup failed")
    assert label.property("level") == "red" and "is not there" in label.toolTip()
    assert QApplication.activeModalWidget() is None
    with qtbot.assertNotEmitted(window.backups.backup_failed, wait=400):  # waits RETRY_AFTER first
        pass
    assert not unplugged.exists()
    assert caplog.text.count("scheduled backup failed") == 1


def test_saving_a_backup_folder_backs_up_at_once_and_never_two_at_a_time(qtbot, db, admin, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    window = shown_main_window(qtbot, db, admin)  # the timer at its minute: only the save starts one
    label = named(window, QLabel, "Backup status")
    qtbot.waitUntil(lambda: label.text() == "Backup: none yet")
    assert label.property("level") == "red"
    values = settings.update(db, admin, {"backup.folder": str(folder)})
    with qtbot.waitSignal(window.backups.backup_succeeded, timeout=20_000):
        window.navigator.settings_saved.emit(values)
        assert window.backups.running
        window.backups.check()  # a second look while it runs starts nothing
        assert window.backups.run_now(str(folder), 14) is None
    assert len(backups_in(folder)) == 1
