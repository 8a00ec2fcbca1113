"""Help → Check installation: the doctor's lines in a dialog, and Copy for support."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QListWidget
from sqlalchemy import text

from clinic_desktop.gui.main_window import MainWindow
from tests.gui.helpers import button, by_name, click, dialog_named


@pytest.fixture
def window(demo_window):
    return demo_window


def open_check(qtbot, window: MainWindow):
    """Help → Check installation…, as chosen from the menu; the dialog once its lines are in."""
    [action] = [a for a in window.ui.menuHelp.actions() if a.text() == "&Check installation…"]
    action.trigger()
    dialog = dialog_named(window, "Check installation")
    assert dialog is not None and dialog.isVisible()
    lines = by_name(dialog, QListWidget, "Installation checks")
    qtbot.waitUntil(lambda: lines.count() > 0 and not dialog.running, timeout=20_000)
    return dialog, [lines.item(i).text() for i in range(lines.count())]


def test_help_check_installation_lists_every_check(qtbot, window, db):
    dialog, lines = open_check(qtbot, window)
    assert [line.split(":")[0] for line in lines] == [
        "✓ Python", "✓ Qt", "✓ Qt platform plugin", "✓ PDF fonts", "✓ Database", "✓ Database schema",
        "✓ Encryption", "✓ Last backup", "✓ Log folder", "✓ Data folder", "✓ Database folder"]
    assert '✓ Qt platform plugin: "offscreen" loaded' in lines[2]
    assert lines[4].startswith(f"✓ Database: {db.sqlite_path} (SQLite, ")
    assert by_name(dialog, QLabel, "Summary").text() == f"All {len(lines)} checks passed."
    with db.read() as s:
        identifiers = [str(v) for row in s.execute(text(
            "SELECT mrn, given_name, family_name, date_of_birth FROM patients")) for v in row]
    assert identifiers and not [i for i in identifiers if any(i in line for line in lines)]


def test_copy_for_support_copies_the_same_text_as_the_command(qtbot, window):
    dialog, lines = open_check(qtbot, window)
    click(qtbot, button(dialog, "Copy for support"))
    copied = QGuiApplication.clipboard().text()
    assert copied.splitlines()[0].startswith("Clinic Desktop ")
    assert copied.splitlines()[1:-1] == lines
    assert copied.splitlines()[-1].startswith("All ")
    assert "Paste it into your message to support" in by_name(dialog, QLabel, "Summary").text()


def test_a_failed_check_is_shown_with_what_to_do(qtbot, window, tmp_path, monkeypatch):
    shared = tmp_path / "shared-data"
    shared.mkdir()
    shared.chmod(0o755)
    monkeypatch.setenv("CLINIC_DESKTOP_DATA_DIR", str(shared))
    dialog, lines = open_check(qtbot, window)
    [failed] = [line for line in lines if line.startswith("✗ ")]
    assert failed == (f"✗ Data folder: {shared} is open to group and others (mode 755); it holds "
                      f"health records → chmod 700 {shared}")
    summary = by_name(dialog, QLabel, "Summary")
    assert summary.text().startswith(f"1 of {len(lines)} checks failed")
    assert summary.property("error") is True
    shared.chmod(0o700)
    click(qtbot, button(dialog, "Check again"))
    qtbot.waitUntil(lambda: not dialog.running and dialog.lines.count() > 0, timeout=20_000)
    assert by_name(dialog, QLabel, "Summary").text() == f"All {len(lines)} checks passed."


def test_the_dialog_closes_and_is_forgotten(qtbot, window):
    dialog, _lines = open_check(qtbot, window)
    click(qtbot, button(dialog, "Close"))
    qtbot.waitUntil(lambda: dialog_named(window, "Check installation") is None)


def test_closing_it_while_it_checks_gives_the_cursor_back(qtbot, window, monkeypatch):
    import threading

    from clinic_desktop import doctor

    release = threading.Event()
    real = doctor.installation_checks

    def held(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(doctor, "installation_checks", held)
    [action] = [a for a in window.ui.menuHelp.actions() if a.text() == "&Check installation…"]
    action.trigger()
    dialog = dialog_named(window, "Check installation")
    assert dialog is not None and dialog.running
    assert QGuiApplication.overrideCursor() is not None  # busy while it checks
    assert not button(dialog, "Copy for support").isEnabled()
    dialog.reject()
    release.set()
    qtbot.waitUntil(lambda: QGuiApplication.overrideCursor() is None, timeout=10_000)
