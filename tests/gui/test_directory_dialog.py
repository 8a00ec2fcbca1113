"""Patient/Admin → Referral directory…: staff find a contact; an administrator keeps the list."""

from __future__ import annotations

import datetime as dt
import os
import stat
import sys
import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QTableView,
)

from clinic_desktop.core.services import directory
from clinic_desktop.core.services.directory import EntryInput
from clinic_desktop.gui.directory_dialog import DirectoryDialog, EntryDialog, ImportReportDialog
from clinic_desktop.gui.models.directory_model import STALE, DirectoryModel
from tests.gui.helpers import button, by_name, click, dialog_named, shown_dialog, type_into

NATIONAL_NAMES = ["SAMHSA National Helpline", "988 Suicide & Crisis Lifeline", "Poison Help",
                  "Never Use Alone", "Crisis Text Line"]
LOCAL = ["Clínica Esperanza", "Harbor Counseling", "Riverbend Sober House"]
HEADER = ",".join(directory.CSV_COLUMNS)


def add(db, user, name: str, kind: str = "outpatient_program", phone: str = "(503) 555-0100",
        **more) -> directory.DirectoryEntryView:
    return directory.add_entry(db, user, EntryInput(name=name, kind=kind, phone=phone, **more))


@pytest.fixture
def entries(db, admin):
    add(db, admin, "Clínica Esperanza", phone="(503) 555-0101", languages="es, en", walk_in=True)
    add(db, admin, "Harbor Counseling", kind="counselor", phone="(503) 555-0102")
    add(db, admin, "Riverbend Sober House", kind="sober_living", phone="(503) 555-0103")


def open_dialog(qtbot, db, user) -> DirectoryDialog:
    dialog = DirectoryDialog(db, user)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.fixture
def dialog(qtbot, db, admin, entries):
    return open_dialog(qtbot, db, admin)


def names(dialog) -> list[str]:
    model = by_name(dialog, QTableView, "Directory").model()
    return [model.index(r, DirectoryModel.NAME).data() for r in range(model.rowCount())]


def local_names(dialog) -> list[str]:
    return [n for n in names(dialog) if n not in NATIONAL_NAMES]


def select(qtbot, dialog, name: str) -> None:
    table = by_name(dialog, QTableView, "Directory")
    row = names(dialog).index(name)
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert table.selectionModel().selectedRows()[0].data() == name


def form(qtbot, dialog, name: str) -> EntryDialog:
    """The Add or Edit form (``name``: "Add directory entry", "Edit directory entry")."""
    child = shown_dialog(qtbot, dialog, name)
    assert isinstance(child, EntryDialog)
    return child


def form_or_report(dialog):
    """The form or the import report shown over ``dialog``, or None."""
    return (dialog_named(dialog, "Add directory entry") or dialog_named(dialog, "Edit directory entry")
            or dialog_named(dialog, "Import report"))


def write_csv(path, rows: list[str]) -> str:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def csv_row(name: str, phone: str, kind: str = "counselor") -> str:
    return f"{name},{kind},{phone},,,,en,no,,,"


def check_file(qtbot, dialog, path: str) -> ImportReportDialog:
    """Import CSV… on ``path``: the check runs off the GUI thread, then its report opens."""
    dialog.import_file(path)
    report = shown_dialog(qtbot, dialog, "Import report", timeout=10000)
    assert isinstance(report, ImportReportDialog)
    return report


def export(qtbot, dialog, path: str) -> int | None:
    """Export CSV… to ``path`` (off the GUI thread); how many entries were written."""
    operation = dialog.export_file(path)
    qtbot.waitUntil(lambda: not operation.running if _alive(operation) else True, timeout=10000)
    qtbot.waitUntil(lambda: by_name(dialog, QLabel, "Message").isVisible()
                    or by_name(dialog, QLabel, "Error").isVisible(), timeout=10000)
    return dialog.last_export


def _alive(obj) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)


# --- reading ----------------------------------------------------------------------------------

def test_the_national_helplines_are_listed_first(dialog):
    assert names(dialog)[:5] == NATIONAL_NAMES
    assert local_names(dialog) == LOCAL
    model = by_name(dialog, QTableView, "Directory").model()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles == ["Name", "Kind", "Phone", "Languages", "Walk-in", "Last verified"]
    esperanza = names(dialog).index("Clínica Esperanza")
    assert model.index(esperanza, DirectoryModel.LANGUAGES).data() == "Spanish, English"
    assert model.index(esperanza, DirectoryModel.WALK_IN).data() == "Yes"


def test_search_narrows_as_typed_ignoring_accents(qtbot, dialog):
    search = by_name(dialog, QLineEdit, "Search directory")
    type_into(qtbot, search, "clinica")
    qtbot.waitUntil(lambda: local_names(dialog) == ["Clínica Esperanza"], timeout=2000)
    assert names(dialog)[:5] == NATIONAL_NAMES  # the crisis lines stay, whatever the search
    type_into(qtbot, search, "x", replace=True)
    qtbot.waitUntil(lambda: local_names(dialog) == [], timeout=2000)
    search.clear()
    qtbot.waitUntil(lambda: len(local_names(dialog)) == 3, timeout=2000)


def test_kind_language_and_walk_in_filters(qtbot, dialog):
    kind = by_name(dialog, QComboBox, "Kind")
    assert kind.itemText(0) == "All kinds"
    kind.setCurrentIndex(kind.findData("counselor"))
    assert local_names(dialog) == ["Harbor Counseling"]
    kind.setCurrentIndex(0)
    language = by_name(dialog, QComboBox, "Language")
    listed = [language.itemText(i) for i in range(language.count())]
    assert listed == ["All languages", "English", "Spanish"]  # only the languages present
    language.setCurrentIndex(language.findData("es"))
    assert local_names(dialog) == ["Clínica Esperanza"]
    language.setCurrentIndex(0)
    click(qtbot, by_name(dialog, QCheckBox, "Walk-ins only"))
    assert local_names(dialog) == ["Clínica Esperanza"]


def test_a_nurse_reads_and_exports_but_cannot_change(qtbot, db, nurse, entries, tmp_path):
    dialog = open_dialog(qtbot, db, nurse)
    assert len(local_names(dialog)) == 3
    for text in ("Add…", "Edit…", "Mark verified", "Deactivate", "Import CSV…"):
        assert not button(dialog, text).isVisible(), text
    assert not by_name(dialog, QCheckBox, "Show inactive").isVisible()
    assert button(dialog, "Export CSV…").isVisible()
    select(qtbot, dialog, "Harbor Counseling")
    assert dialog.edit_selected() is None  # a double-click opens nothing either
    assert export(qtbot, dialog, str(tmp_path / "out.csv")) == 8


def test_stale_entry_is_highlighted_with_the_days(dialog, db, admin):
    today = directory.clinic_today()
    add(db, admin, "Old Friends Recovery", phone="(503) 555-0199",
        last_verified=today - dt.timedelta(days=200))
    add(db, admin, "Fresh Start Clinic", phone="(503) 555-0198", last_verified=today)
    dialog.reload()
    model = by_name(dialog, QTableView, "Directory").model()
    old = model.index(names(dialog).index("Old Friends Recovery"), DirectoryModel.VERIFIED)
    assert old.data(Qt.ItemDataRole.BackgroundRole) == STALE
    assert old.data(Qt.ItemDataRole.ToolTipRole) == (
        "Not verified in 200 days (the clinic checks every 180)")
    fresh = model.index(names(dialog).index("Fresh Start Clinic"), DirectoryModel.VERIFIED)
    assert fresh.data(Qt.ItemDataRole.BackgroundRole) is None
    assert fresh.data() == today.isoformat()


# --- changing ---------------------------------------------------------------------------------

def test_admin_adds_an_entry_and_a_bad_phone_is_refused_next_to_it(qtbot, dialog):
    click(qtbot, button(dialog, "Add…"))
    entry = form(qtbot, dialog, "Add directory entry")
    qtbot.waitExposed(entry)
    type_into(qtbot, by_name(entry, QLineEdit, "Name"), "Lakeside Outpatient")
    kind = by_name(entry, QComboBox, "Kind")
    kind.setCurrentIndex(kind.findData("outpatient_program"))
    phone = by_name(entry, QLineEdit, "Phone")
    type_into(qtbot, phone, "12")
    type_into(qtbot, by_name(entry, QLineEdit, "Languages"), "en, Spanish")
    type_into(qtbot, by_name(entry, QPlainTextEdit, "Address"), "12 Lake Rd\nPortland OR")
    click(qtbot, button(entry, "Add entry"))
    assert entry.isVisible()
    error = by_name(entry, QLabel, "Phone error")
    assert error.isVisible() and "number" in error.text()
    assert phone.accessibleDescription() == error.text()
    type_into(qtbot, phone, "(503) 555-0177", replace=True)
    assert not error.isVisible()  # editing the field clears its message
    click(qtbot, button(entry, "Add entry"))
    qtbot.waitUntil(lambda: form_or_report(dialog) is None)
    assert "Lakeside Outpatient" in local_names(dialog)
    assert dialog.selected_entry().name == "Lakeside Outpatient"
    assert dialog.selected_entry().languages == ("en", "es")
    assert by_name(dialog, QLabel, "Message").text() == "Added Lakeside Outpatient."


def test_admin_edits_an_entry(qtbot, dialog, db, admin):
    select(qtbot, dialog, "Harbor Counseling")
    click(qtbot, button(dialog, "Edit…"))
    entry = form(qtbot, dialog, "Edit directory entry")
    name = by_name(entry, QLineEdit, "Name")
    assert name.text() == "Harbor Counseling"
    assert by_name(entry, QLineEdit, "Phone").text() == "(503) 555-0102"
    type_into(qtbot, name, "Harbor Counseling Group", replace=True)
    walk_in = by_name(entry, QCheckBox, "Walk-in")
    walk_in.setFocus()
    qtbot.keyClick(walk_in, Qt.Key.Key_Space)
    assert walk_in.isChecked()
    click(qtbot, button(entry, "Save"))
    qtbot.waitUntil(lambda: form_or_report(dialog) is None)
    assert "Harbor Counseling Group" in local_names(dialog)
    saved = directory.search(db, admin, "harbor", include_national=False)[0]
    assert saved.walk_in and saved.version > 1


def test_a_stale_edit_is_refused_in_the_error_line(qtbot, dialog, db, admin):
    select(qtbot, dialog, "Harbor Counseling")
    click(qtbot, button(dialog, "Edit…"))
    entry = form(qtbot, dialog, "Edit directory entry")
    other = dialog.selected_entry()
    directory.update_entry(db, admin, other.id, other.version,
                           EntryInput(name="Harbor Counseling", kind="counselor",
                                      phone="(503) 555-0111"))
    type_into(qtbot, by_name(entry, QLineEdit, "Hours"), "Mon-Fri")
    click(qtbot, button(entry, "Save"))
    error = by_name(entry, QLabel, "Error")
    assert entry.isVisible() and error.isVisible()
    assert "after you opened it" in error.text()


def test_mark_verified_and_deactivate(qtbot, dialog, db, admin):
    select(qtbot, dialog, "SAMHSA National Helpline")
    assert not button(dialog, "Deactivate").isEnabled()  # the national lines stay
    select(qtbot, dialog, "Riverbend Sober House")
    click(qtbot, button(dialog, "Mark verified"))
    assert dialog.selected_entry().last_verified == directory.clinic_today()
    click(qtbot, button(dialog, "Deactivate"))
    assert "Riverbend Sober House" not in local_names(dialog)
    click(qtbot, by_name(dialog, QCheckBox, "Show inactive"))
    assert "Riverbend Sober House (inactive)" in local_names(dialog)
    select(qtbot, dialog, "Riverbend Sober House (inactive)")
    click(qtbot, button(dialog, "Reactivate"))
    assert "Riverbend Sober House" in local_names(dialog)


# --- CSV --------------------------------------------------------------------------------------

def test_import_with_one_bad_row_shows_the_report_and_imports_nothing(qtbot, dialog, db, admin, tmp_path):
    before = len(directory.search(db, admin, include_national=True))
    path = write_csv(tmp_path / "contacts.csv", [
        csv_row("Alder Counseling", "(503) 555-0201"),
        csv_row("Birch Counseling", "(503) 555-0202", kind="astrologer"),
    ])
    report = check_file(qtbot, dialog, path)
    qtbot.waitExposed(report)
    assert by_name(report, QLabel, "Summary").text() == "1 row can be imported, 1 refused"
    rows = by_name(report, QTableView, "Rows").model()
    assert [rows.index(r, 2).data() for r in range(rows.rowCount())] == ["OK", "Refused"]
    assert not button(report, "Import all").isEnabled()  # all or nothing: nothing, here
    click(qtbot, button(report, "Cancel"))
    qtbot.waitUntil(lambda: form_or_report(dialog) is None)
    assert len(directory.search(db, admin, include_national=True)) == before
    assert "Alder Counseling" not in local_names(dialog)


def test_import_with_a_bad_row_imports_only_the_valid_rows(qtbot, dialog, tmp_path):
    path = write_csv(tmp_path / "contacts.csv", [
        csv_row("Alder Counseling", "(503) 555-0201"),
        csv_row("Birch Counseling", "not a phone"),
        csv_row("Cedar Counseling", "(503) 555-0203"),
    ])
    report = check_file(qtbot, dialog, path)
    qtbot.waitExposed(report)
    assert by_name(report, QLabel, "Summary").text() == "2 rows can be imported, 1 refused"
    rows = by_name(report, QTableView, "Rows").model()
    assert [rows.index(r, 2).data() for r in range(rows.rowCount())] == ["OK", "Refused", "OK"]
    assert "phone" in rows.index(1, 3).data()
    import_all = button(report, "Import all")
    assert not import_all.isEnabled()
    reason = by_name(report, QLabel, "Why Import all is off")
    assert reason.isVisible() and "1 row is refused" in reason.text()
    click(qtbot, button(report, "Import only the valid rows"))
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=10000)  # imported off the GUI thread
    assert form_or_report(dialog) is None
    assert dialog.last_result.imported == 2
    assert "Alder Counseling" in local_names(dialog) and "Cedar Counseling" in local_names(dialog)
    assert "Birch Counseling" not in local_names(dialog)
    assert by_name(dialog, QLabel, "Message").text().startswith("Imported 2 of 3 entries.")


def test_import_all_when_every_row_is_valid(qtbot, dialog, tmp_path):
    path = write_csv(tmp_path / "ok.csv", [csv_row("Alder Counseling", "(503) 555-0201")])
    report = check_file(qtbot, dialog, path)
    assert by_name(report, QLabel, "Summary").text() == "1 row can be imported, 0 refused"
    click(qtbot, button(report, "Import all"))
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=10000)
    assert form_or_report(dialog) is None
    assert "Alder Counseling" in local_names(dialog)


def test_cancel_during_an_import_leaves_nothing_imported(qtbot, dialog, db, admin, tmp_path,
                                                         monkeypatch):
    rows = [csv_row(f"Counselor {n:03d}", f"(503) 555-{n:04d}") for n in range(250)]
    path = write_csv(tmp_path / "big.csv", rows)
    real = directory.import_csv
    reported = threading.Event()

    def import_until_cancelled(db_, user, report, only_valid=False, progress=None, cancelled=None):
        def first_progress(done, total):  # the worker thread: wait for the nurse's Cancel
            progress(done, total)
            reported.set()
            deadline = time.monotonic() + 10
            while not cancelled() and time.monotonic() < deadline:
                time.sleep(0.01)
        return real(db_, user, report, only_valid, first_progress, cancelled)

    report = check_file(qtbot, dialog, path)
    assert by_name(report, QLabel, "Summary").text() == "250 rows can be imported, 0 refused"
    monkeypatch.setattr(directory, "import_csv", import_until_cancelled)
    click(qtbot, button(report, "Import all"))
    qtbot.waitUntil(reported.is_set, timeout=10000)
    bar = dialog_named(dialog, "Importing directory")
    assert isinstance(bar, QProgressDialog)
    assert bar.accessibleName() == "Importing directory"
    assert bar.windowModality() == Qt.WindowModality.WindowModal
    qtbot.waitUntil(lambda: bar.isVisible() and bar.value() == 100, timeout=10000)
    assert bar.labelText() == "Imported 100 of 250 entries…"
    click(qtbot, bar.findChild(QPushButton))  # its Cancel
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=10000)
    assert form_or_report(dialog) is None and dialog.last_result.cancelled
    assert local_names(dialog) == LOCAL
    assert directory.search(db, admin, "counselor", include_national=False) == []
    assert by_name(dialog, QLabel, "Message").text() == "Import cancelled: nothing was imported."
    assert dialog_named(dialog, "Importing directory") is None


def test_an_unreadable_file_is_refused_in_the_error_line(qtbot, dialog, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("name,phone\nA,1\n", encoding="utf-8")
    dialog.import_file(str(path))
    error = by_name(dialog, QLabel, "Error")
    qtbot.waitUntil(error.isVisible, timeout=10000)
    assert "Line 1 must be the header" in error.text() and form_or_report(dialog) is None


def test_a_missing_file_is_refused_in_the_error_line(qtbot, dialog, tmp_path):
    dialog.import_file(str(tmp_path / "gone.csv"))
    error = by_name(dialog, QLabel, "Error")
    qtbot.waitUntil(error.isVisible, timeout=10000)
    assert error.text().startswith("gone.csv could not be read:")


def test_export_writes_the_header_and_every_entry(qtbot, dialog, tmp_path):
    path = tmp_path / "export.csv"
    assert export(qtbot, dialog, str(path)) == 8
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == HEADER
    assert any(line.startswith("Clínica Esperanza,") for line in lines)
    assert by_name(dialog, QLabel, "Message").text() == "Exported 8 entries to export.csv."


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks and modes")
def test_export_refuses_a_symlink_or_a_folder_and_writes_a_private_file(qtbot, dialog, tmp_path):
    out = tmp_path / "exports"  # beside the test database, which stays out of the listing
    out.mkdir()
    precious = out / "precious.csv"
    precious.write_bytes(b"name\r\nkept\r\n")
    link = out / "link.csv"
    link.symlink_to(precious)
    folder = out / "folder.csv"
    folder.mkdir()
    for target, kind in [(link, "a symbolic link"), (folder, "a folder")]:
        assert export(qtbot, dialog, str(target)) is None
        assert by_name(dialog, QLabel, "Error").text() == (
            f"The directory could not be exported: {target} is {kind}, not a regular file: nothing "
            "was written; choose a file name in a folder instead.")
    assert link.is_symlink() and os.readlink(link) == str(precious)
    assert precious.read_bytes() == b"name\r\nkept\r\n" and list(folder.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["folder.csv", "link.csv", "precious.csv"]

    path = out / "export.csv"
    assert export(qtbot, dialog, str(path)) == 8
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_main_window_opens_the_directory_for_a_nurse(qtbot, db, nurse):
    from clinic_desktop.gui.main_window import MainWindow

    w = MainWindow(db, nurse)
    qtbot.addWidget(w)
    w.show()
    w.ui.actionDirectory.trigger()
    dialog = dialog_named(w, "Referral directory")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    model = by_name(dialog, QTableView, "Directory").model()
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert any("988" in n for n in names)
    dialog.reject()
