"""Every screen and dialog walked by keyboard, as a screen-reader user would: Tab moves the focus
on from every stop and comes back round, and every stop has a name a screen reader says, different
from every other stop's on the same page ("Support person 2: phone", not a second "Phone").

The name is what Qt's accessibility layer reports (QAccessible's Name): an accessible name set in
the code, or a button's or a check box's own text. Screens are walked page by page (each intake and
plan section, each flowsheet tab) in the main window, as they open there: as views in a patient's
tab."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QListWidget, QTabWidget, QWidget

from clinic_desktop.core import protocols
from clinic_desktop.core.services import intake, patients
from clinic_desktop.gui.workspace import PatientTab
from tests.conftest import make_user
from tests.factories import sign_intake
from tests.gui.helpers import button, click, dialog_named, go
from tests.gui.test_tab_walk import tab_round


def spoken_name(widget: QWidget) -> str:
    """What a screen reader says a widget is called. (On Linux Qt reports a combo box's value as
    its name and the name through its label; elsewhere its accessible name: that must be set.)"""
    if isinstance(widget, QComboBox):
        return widget.accessibleName()
    interface = QAccessible.queryAccessibleInterface(widget)
    return (interface.text(QAccessible.Text.Name) if interface is not None else "").strip()


def describe(widget: QWidget) -> str:
    return f"{type(widget).__name__} {widget.objectName()!r}"


def every_stop(window: QWidget) -> list[QWidget]:
    """The widgets of ``window`` that Tab may stop at (shown, enabled, taking Tab focus), in the
    focus chain's order."""
    found = []
    widget = window.nextInFocusChain()
    while widget is not window:
        if (widget.isVisible() and widget.isEnabled() and widget.window() is window
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.focusProxy() is None):
            found.append(widget)
        widget = widget.nextInFocusChain()
    return found


def first_stop(window: QWidget) -> QWidget:
    stops = every_stop(window)
    assert stops, f"nothing in {describe(window)} takes the keyboard"
    return stops[0]


def walk(qtbot, window: QWidget, where: str) -> list[str]:
    """Tab round ``window`` (real key presses); every stop named, no two alike. The names."""
    window = window.window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    start = first_stop(window)
    # Tab moves on from every stop and comes back round (a window of one stop keeps it)
    stops = [start, *tab_round(qtbot, window, start)] if len(every_stop(window)) > 1 else [start]
    names = [spoken_name(w) for w in stops]
    unnamed = [describe(w) for w, name in zip(stops, names, strict=True) if not name]
    assert not unnamed, f"{where}: focus stops without a name: {unnamed}"
    twice = sorted(f"{name} ({', '.join(describe(w) for w in stops if spoken_name(w) == name)})"
                   for name, count in Counter(names).items() if count > 1)
    assert not twice, f"{where}: two focus stops called {twice}"
    return names


def walk_dialog(qtbot, dialog: QDialog, where: str) -> list[str]:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    names = walk(qtbot, dialog, where)
    dialog.done(QDialog.DialogCode.Rejected)
    return names


def current_view(window) -> QWidget:
    tab = window.workspace.tabs.currentWidget()
    assert isinstance(tab, PatientTab)
    view = tab.views.currentWidget()
    assert view is not None
    return view


def walk_sections(qtbot, window, view, where: str) -> None:
    sections = next(w for w in view.findChildren(QListWidget) if w.accessibleName() == "Sections")
    for row in range(sections.count()):
        sections.setCurrentRow(row)
        walk(qtbot, view, f"{where}, {sections.item(row).text().strip()}")


# --- the main window and the screens in its tabs ------------------------------------------------


def test_the_census_and_the_search(qtbot, demo_window):
    names = walk(qtbot, demo_window, "census")
    assert "Search patients" in names and "Census" in names
    demo_window.search_for("a")
    assert "Search results" in walk(qtbot, demo_window, "search results")


def test_every_intake_section(qtbot, db, admin, demo_window):
    nurse = make_user(db, admin, "nurse")
    patient = patients.register(db, nurse, patients.PatientInput(
        mrn="F-1", given_name="Focus", family_name="Walk", date_of_birth=dt.date(1984, 2, 3), sex="unknown"))
    demo_window.user = demo_window.navigator.user = nurse
    demo_window.navigator.assessment(patient.id, lambda: intake.start(db, nurse, patient.id))
    screen = current_view(demo_window)
    go(screen, "Substance use")
    click(qtbot, button(screen, "Add substance"))  # two rows: told apart
    walk_sections(qtbot, demo_window, screen, "intake")


def test_every_flowsheet_tab_and_every_plan_section(qtbot, demo_window):
    row = next(r for r in demo_window.census_model.rows() if r.stage == "transition")
    demo_window.navigator.flowsheet(row.patient_id)
    flowsheet = current_view(demo_window)
    tabs = next(w for w in flowsheet.findChildren(QTabWidget) if w.parentWidget() is not None
                and w.window() is demo_window and w is not demo_window.workspace.tabs
                and not isinstance(w.parentWidget(), PatientTab))
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        walk(qtbot, flowsheet, f"flowsheet, {tabs.tabText(index)}")
    demo_window.navigator.plan(row.patient_id)
    plan = current_view(demo_window)
    go(plan, "Support")  # two rows in each list: told apart
    plan.sections["support"].add_person({"name": "Lee", "phone": "555 0100"})
    plan.sections["support"].add_person({"name": "Sam", "phone": "555 0101"})
    go(plan, "Follow-ups")
    plan.sections["follow_ups"].add({"place": "Clinic"})
    plan.sections["follow_ups"].add({"place": "OTP"})
    walk_sections(qtbot, demo_window, plan, "aftercare plan")
    plan.reject()
    flowsheet.reject()


# --- the dialogs ----------------------------------------------------------------------------------


def _patient(db, user):
    return patients.register(db, user, patients.PatientInput(
        mrn="F-2", given_name="Fern", family_name="Dialog", date_of_birth=dt.date(1979, 11, 30),
        sex="female", phone="555 0111"))


DIALOGS: dict[str, Callable] = {
    "new patient": lambda c: _dialog("patient_dialog", "PatientDialog")(c.db, c.nurse),
    "patient record": lambda c: _dialog("patient_dialog", "PatientDialog")(
        c.db, c.nurse, patient=patients.open_record(c.db, c.nurse, c.patient.id)),
    "record COWS": lambda c: _dialog("entry_dialogs", "ScoreDialog")(c.db, c.nurse, c.episode_id, "cows"),
    "record SOWS": lambda c: _dialog("entry_dialogs", "ScoreDialog")(c.db, c.nurse, c.episode_id, "sows_gossop"),
    "record vitals": lambda c: _dialog("entry_dialogs", "VitalsDialog")(c.db, c.nurse, c.episode_id),
    "patient facts": lambda c: _dialog("patient_facts_dialog", "PatientFactsDialog")(c.db, c.nurse, c.episode_id),
    "safety assessment": lambda c: _dialog("stabilization_screen", "SafetyAssessmentDialog")(
        c.db, c.nurse, c.episode_id),
    "group session": lambda c: _dialog("group_session_dialog", "GroupSessionDialog")(c.db, c.admin),
    "new order": lambda c: _dialog("mar_panel", "OrderDialog")(
        c.db, c.prescriber, c.episode_id, protocols.ProtocolSettings()),
    "addendum": lambda c: _dialog("intake_screen", "AddendumDialog")(),
    "sign": lambda c: _dialog("widgets.sign_dialog", "SignDialog")(),
    "discharge": lambda c: _dialog("plan.discharge_dialog", "DischargeDialog")(),
    "directory picker": lambda c: _dialog("plan.directory_picker", "DirectoryPicker")(c.db, c.nurse, "Add referral"),
    "referral directory": lambda c: _dialog("directory_dialog", "DirectoryDialog")(c.db, c.admin),
    "directory entry": lambda c: _dialog("directory_dialog", "EntryDialog")(c.db, c.admin),
    "users": lambda c: _dialog("users_dialog", "UsersDialog")(c.db, c.admin),
    "change password": lambda c: _dialog("change_password_dialog", "ChangePasswordDialog")(c.db, c.nurse),
    "audit log": lambda c: _dialog("audit_log_dialog", "AuditLogDialog")(c.db, c.admin),
    "clinic settings": lambda c: _dialog("clinic_settings_dialog", "ClinicSettingsDialog")(c.db, c.admin),
    "protocol settings": lambda c: _dialog("protocol_settings_dialog", "ProtocolSettingsDialog")(c.db, c.admin),
    "sign-in": lambda c: _dialog("login_dialog", "LoginDialog")(c.db),
    "about": lambda c: _dialog("about_dialog", "AboutDialog")(c.db),
    "user manual": lambda c: _dialog("manual_dialog", "ManualDialog")(),
    "check installation": lambda c: _dialog("check_installation_dialog", "CheckInstallationDialog")(c.db),
}


def _dialog(module: str, name: str):
    import importlib

    return getattr(importlib.import_module(f"clinic_desktop.gui.{module}"), name)


class Clinic:
    def __init__(self, db, admin) -> None:
        self.db, self.admin = db, admin
        self.nurse = make_user(db, admin, "nurse")
        self.prescriber = make_user(db, admin, "prescriber")
        self.patient = _patient(db, self.nurse)
        self.episode_id = sign_intake(db, self.nurse, self.patient)


@pytest.fixture
def clinic(db, admin):
    return Clinic(db, admin)


@pytest.mark.parametrize("name", list(DIALOGS))
def test_every_dialog(qtbot, clinic, name):
    walk_dialog(qtbot, DIALOGS[name](clinic), name)


def test_the_first_run_dialog(qtbot, db):
    from clinic_desktop.gui.first_run_dialog import FirstRunDialog

    walk_dialog(qtbot, FirstRunDialog(db), "first run")


def test_the_handover_preview(qtbot, demo_window):
    demo_window.show_handover()
    preview = None

    def shown() -> bool:
        nonlocal preview
        preview = dialog_named(demo_window, "Shift handover")
        return preview is not None

    qtbot.waitUntil(shown, timeout=15000)
    assert preview is not None
    walk(qtbot, preview, "handover preview")
    preview.reject()
