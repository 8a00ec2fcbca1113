"""Admin → Audit log… (#18 item 6): filters, the events newest first with their changes, CSV
and PDF exports, a patient's accounting of disclosures; driven as an administrator would."""

from __future__ import annotations

import csv
import io

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
)

from clinic_desktop.core.services import plans
from clinic_desktop.gui.pdf_preview import PdfPreview
from tests.gui.conftest import shown_main_window
from tests.gui.helpers import button, by_name, click, shown_dialog, type_into


@pytest.fixture
def ready(db, admin, counselor):
    from tests.factories import plan_with_consent

    made = plan_with_consent(db, admin, counselor)
    plans.referral_letter(db, counselor, made["plan_id"], made["consent"].id, ["medication"])
    return made


@pytest.fixture
def dialog(qtbot, db, admin, ready):
    window = shown_main_window(qtbot, db, admin)
    window.actionAuditLog.trigger()
    return shown_dialog(qtbot, window, "Audit log")


def search(qtbot, dialog) -> QTableWidget:
    click(qtbot, button(dialog, "Search"))
    qtbot.waitUntil(lambda: dialog.operation is None and dialog.last_result is not None, timeout=10000)
    return by_name(dialog, QTableWidget, "Audit events")


def test_a_patients_events_newest_first_with_their_changes(qtbot, dialog, ready):
    type_into(qtbot, by_name(dialog, QLineEdit, "Patient (MRN or name)"), ready["patient"].mrn)
    table = search(qtbot, dialog)
    assert table.rowCount() == len(dialog.last_result.entries) > 3
    patient = f"{ready['patient'].mrn} — {ready['patient'].family_name}, {ready['patient'].given_name}"
    assert {table.item(r, 3).text() for r in range(table.rowCount())} == {patient}
    assert table.item(0, 2).text() == "Referral letter made"  # the newest
    assert f"{table.rowCount()} events, newest first." == by_name(dialog, QLabel, "Events found").text()
    registered = next(r for r in range(table.rowCount()) if table.item(r, 2).text() == "Patient registered")
    table.selectRow(registered)
    assert f"mrn: (empty) → {ready['patient'].mrn}" in by_name(dialog, QPlainTextEdit, "Event details").toPlainText()


def test_a_kind_and_a_staff_member_narrow_it(qtbot, dialog):
    by_name(dialog, QComboBox, "Kind of event").setCurrentText("Disclosures: letters, prints, exports")
    type_into(qtbot, by_name(dialog, QLineEdit, "Staff member"), "counselor1")
    table = search(qtbot, dialog)
    assert [table.item(r, 2).text() for r in range(table.rowCount())] == ["Referral letter made"]


def test_a_day_that_is_not_one_is_said_next_to_its_field(qtbot, dialog):
    type_into(qtbot, by_name(dialog, QLineEdit, "First day"), "31/12/2026")
    click(qtbot, button(dialog, "Search"))
    assert dialog.operation is None and dialog.last_result is None
    labels = [w.text() for w in dialog.findChildren(QLabel) if w.isVisible()]
    assert any("is not a day written YYYY-MM-DD" in text for text in labels)


def test_the_events_shown_export_to_csv(qtbot, dialog, tmp_path):
    table = search(qtbot, dialog)
    out = tmp_path / "audit.csv"
    dialog.export_csv(str(out))
    qtbot.waitUntil(lambda: dialog.operation is None, timeout=10000)
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert len(rows) == table.rowCount() + 1 and oct(out.stat().st_mode & 0o777) == "0o600"
    assert by_name(dialog, QLabel, "Events found").text() == f"Exported {table.rowCount()} events to audit.csv."


def test_the_accounting_of_disclosures_opens_as_a_document(qtbot, dialog, ready):
    assert not button(dialog, "Accounting of disclosures").isEnabled()  # no patient in the filter yet
    type_into(qtbot, by_name(dialog, QLineEdit, "Patient (MRN or name)"), ready["patient"].mrn)
    click(qtbot, button(dialog, "Accounting of disclosures"))
    qtbot.waitUntil(lambda: any(p.isVisible() for p in dialog.findChildren(PdfPreview)), timeout=15000)
    preview = next(p for p in dialog.findChildren(PdfPreview) if p.isVisible())
    assert preview.pdf.startswith(b"%PDF") and preview.suggested_name.startswith(f"disclosures-{ready['patient'].mrn}-")
    preview.reject()


def test_an_unknown_mrn_for_the_accounting_is_said_next_to_the_patient(qtbot, dialog):
    type_into(qtbot, by_name(dialog, QLineEdit, "Patient (MRN or name)"), "NOPE-404")
    click(qtbot, button(dialog, "Accounting of disclosures"))
    qtbot.waitUntil(lambda: any("No patient has the MRN NOPE-404" in w.text()
                                for w in dialog.findChildren(QLabel) if w.isVisible()), timeout=10000)
    assert not [box for box in QApplication.topLevelWidgets() if isinstance(box, QMessageBox) and box.isVisible()]


def test_only_who_may_read_the_trail_sees_it_in_the_menu(qtbot, db, admin, nurse):
    assert shown_main_window(qtbot, db, admin).actionAuditLog.isVisible()
    nurse_window = shown_main_window(qtbot, db, nurse)
    assert not nurse_window.actionAuditLog.isVisible()
    assert not nurse_window.ui.menuAdmin.menuAction().isVisible()


def test_the_filters_are_reached_by_keyboard(qtbot, dialog):
    patient = by_name(dialog, QLineEdit, "Patient (MRN or name)")
    assert patient.hasFocus() or dialog.focusWidget() is patient
    qtbot.keyClick(patient, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is by_name(dialog, QLineEdit, "Staff member")


def test_an_auditors_window_is_the_audit_log_and_nothing_clinical(qtbot, db, admin, ready):
    from tests.conftest import make_user

    auditor = make_user(db, admin, "auditor", "privacy", "Pat Privacy")
    window = shown_main_window(qtbot, db, auditor)
    view = window.audit_view
    assert view is not None and view.isVisible() and not view.isWindow()
    tabs = window.ui.workspaceTabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Audit log"]
    assert not window.ui.searchEdit.isVisible() and not window.ui.censusTable.isVisible()
    visible_menus = [a.text().replace("&", "") for a in window.menuBar().actions() if a.isVisible()]
    assert visible_menus == ["File", "Help"]
    assert not window.ui.toolBar.isVisible()
    assert not [b for b in view.findChildren(QPushButton) if b.text() == "Close" and b.isVisible()]
    assert "Pat Privacy (Auditor (audit trail only))" in window.user_label.text()
    # The shortcuts of what is gone do nothing (and ask for nothing the role may not read).
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.census_model.rowCount() == 0
    # The log works as the administrator's does.
    type_into(qtbot, by_name(view, QLineEdit, "Patient (MRN or name)"), ready["patient"].mrn)
    table = search(qtbot, view)
    assert table.rowCount() > 3 and table.item(0, 2).text() == "Referral letter made"


def test_every_kind_of_event_is_in_a_family_of_the_kind_filter():
    """A new kind of event is found by choosing its family, not only under All kinds."""
    from clinic_desktop.core.services import audit_log
    from clinic_desktop.gui.audit_log_dialog import KIND_CHOICES

    def in_family(action: str) -> bool:
        return any(action == kind or (kind.endswith(".") and action.startswith(kind))
                   for _label, kinds in KIND_CHOICES[1:] for kind in kinds)

    assert [action for action in audit_log.KINDS if not in_family(action)] == []
