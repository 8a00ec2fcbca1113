"""A shared workstation (#18 item 1): File → Sign out, Sign out and Switch user on the lock screen,
who is signed in always on the status bar. Driven through the real windows, invented people only."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget
from shiboken6 import isValid
from sqlalchemy import select

from clinic_desktop.core.errors import ClinicError
from clinic_desktop.core.models import AuditEvent
from clinic_desktop.core.services import accounts, episodes, intake, patients, vault
from clinic_desktop.gui.intake_screen import IntakeScreen
from clinic_desktop.gui.login_dialog import LoginDialog
from clinic_desktop.gui.main_window import MainWindow
from clinic_desktop.gui.workstation import Workstation
from tests.conftest import encrypted_clinic, make_user
from tests.gui.helpers import (
    STRONG_PASSWORD,
    button,
    by_name,
    click,
    dialog_named,
    go,
    named,
    saved_data,
    shown_dialog,
    start_assessment,
    type_into,
)


@pytest.fixture
def prescriber(db, admin):
    return make_user(db, admin, "prescriber")


@pytest.fixture
def two_patients(db, admin) -> dict[str, int]:
    """Two registered patients: their ids by MRN."""
    return {mrn: patients.register(db, admin, patients.PatientInput(
        mrn=mrn, given_name=given, family_name="Workstation", date_of_birth=dt.date(1990, 4, 5),
        sex="unknown")).id for mrn, given in (("W-1", "Rowan"), ("W-2", "Sasha"))}


def allergies_saved(db, user, patient_id: int) -> str:
    """The Allergies of the patient's assessment draft, as the database holds it."""
    episode = episodes.current_episode(db, user, patient_id)
    assert episode is not None
    view = intake.assessment_for_episode(db, user, episode.id)
    assert view is not None
    return view.data.get("medical", {}).get("allergies", "")


@pytest.fixture
def workstation(qtbot, db):
    """The workstation on ``db``; everything it opened is closed afterwards."""
    made = Workstation(db)
    yield made
    close_everything()


def close_everything() -> None:
    """Hide every window left and delete the main windows (with their dialogs)."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.idle_lock.stop()
            widget.backups.stop()
        if widget.isVisible():
            widget.blockSignals(True)
            widget.hide()
        if isinstance(widget, (MainWindow, LoginDialog)):
            widget.deleteLater()
    flush_deletes()


def flush_deletes() -> None:
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def open_for(qtbot, workstation: Workstation, user) -> MainWindow:
    window = workstation.open_for(user)
    qtbot.waitExposed(window)
    return window


def audit(db) -> list[tuple[str, str | None, dict | None]]:
    with db.read() as session:
        return [(e.action, e.username, e.detail)
                for e in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()]


def signed_in_text(window: MainWindow) -> str:
    found = [label.text() for label in window.statusBar().findChildren(QLabel)
             if label.text().startswith("Signed in as ") and label.isVisible()]
    assert len(found) == 1, found
    return found[0]


def sign_in_on(qtbot, dialog: LoginDialog, username: str, password: str) -> None:
    type_into(qtbot, by_name(dialog, QLineEdit, "User name"), username, replace=True)
    password_edit = by_name(dialog, QLineEdit, "Password")
    type_into(qtbot, password_edit, password, replace=True)
    qtbot.keyClick(password_edit, Qt.Key.Key_Return)  # the default button: Sign in or Switch user


def lock(qtbot, window: MainWindow) -> LoginDialog:
    with qtbot.waitSignal(window.idle_lock.locked, timeout=2000):
        window.ui.actionLockScreen.trigger()
    dialog = dialog_named(window, "Screen locked")
    assert isinstance(dialog, LoginDialog)
    return dialog


def switch_user(qtbot, workstation: Workstation, window: MainWindow, username: str) -> MainWindow:
    """Lock ``window`` and sign in as ``username`` on the lock: the new person's window."""
    dialog = lock(qtbot, window)
    with qtbot.waitSignal(workstation.window_opened, timeout=10000) as opened:
        sign_in_on(qtbot, dialog, username, STRONG_PASSWORD)
    new = opened.args[0]
    assert isinstance(new, MainWindow)
    qtbot.waitExposed(new)
    return new


def others_open(current: QWidget) -> list[QWidget]:
    """Windows shown that are neither ``current`` nor one of its own."""
    found = []
    for widget in QApplication.topLevelWidgets():
        if not widget.isVisible() or widget is current:
            continue
        parent = widget.parentWidget()
        while parent is not None and parent is not current:
            parent = parent.parentWidget()
        if parent is not current:
            found.append(widget)
    return found


def type_in_the_draft(qtbot, window: MainWindow, mrn: str, text: str) -> IntakeScreen:
    """Start (or continue) the assessment of ``mrn`` and type ``text`` at the end of its Allergies
    field, a field of the autosaved draft."""
    screen = start_assessment(qtbot, window, mrn)
    go(screen, "Medical and psychiatric")
    field = by_name(screen, QLineEdit, "Allergies")
    field.setFocus()
    field.end(False)
    qtbot.keyClicks(field, text)
    return screen


# --- File → Sign out ----------------------------------------------------------------------------


def test_file_sign_out_saves_the_draft_closes_everything_and_shows_the_sign_in(
        qtbot, db, admin, nurse, two_patients, workstation):
    window = open_for(qtbot, workstation, nurse)
    assert window.ui.actionSignOut in window.ui.menuFile.actions()
    assert window.ui.actionSignOut.shortcut() == QKeySequence("Ctrl+Shift+L")
    screen = type_in_the_draft(qtbot, window, "W-1", "latex")  # not autosaved yet: typed just now
    window.ui.actionNewPatient.trigger()  # a dialog with nothing typed closes too
    assert dialog_named(window, "Patient registration") is not None

    with qtbot.waitSignal(workstation.sign_in_shown, timeout=5000) as shown:
        window.ui.actionSignOut.trigger()
    dialog = shown.args[0]
    assert isinstance(dialog, LoginDialog) and dialog.isVisible() and dialog.locked_user is None
    assert dialog.windowTitle() == "Sign in — Clinic Desktop"
    assert saved_data(db, nurse, screen)["medical"]["allergies"] == "latex"  # saved on the way out
    assert not window.isVisible() and workstation.window is None
    assert others_open(dialog) == []  # only the sign-in window is left
    assert audit(db)[-1] == ("sign_out", nurse.username, {"how": "menu"})

    with qtbot.waitSignal(workstation.window_opened, timeout=10000) as opened:  # anyone may sign in
        sign_in_on(qtbot, dialog, admin.username, STRONG_PASSWORD)
    new = opened.args[0]
    assert new.user.id == admin.id and workstation.window is new
    assert signed_in_text(new) == "Signed in as Ada Admin (Administrator)"
    qtbot.waitUntil(lambda: not isValid(window))  # the nurse's window is gone, not hidden
    assert audit(db)[-1][:2] == ("sign_in.succeeded", admin.username)


def test_cancel_on_the_sign_in_window_after_a_sign_out_quits(qtbot, db, nurse, workstation):
    window = open_for(qtbot, workstation, nurse)
    with qtbot.waitSignal(workstation.sign_in_shown, timeout=5000) as shown:
        window.ui.actionSignOut.trigger()
    with qtbot.waitSignal(workstation.closed, timeout=1000):
        shown.args[0].reject()


def test_a_draft_that_cannot_be_saved_keeps_the_person_signed_in_and_says_why(
        qtbot, db, nurse, two_patients, workstation, warnings, monkeypatch):
    window = open_for(qtbot, workstation, nurse)
    screen = type_in_the_draft(qtbot, window, "W-1", "latex")

    def refused(*_args, **_kwargs):
        raise ClinicError("The database could not be written: the disk is full.")

    monkeypatch.setattr(intake, "save_draft", refused)
    with qtbot.assertNotEmitted(window.signed_out):
        window.ui.actionSignOut.trigger()
    assert [title for title, _text in warnings] == ["Not signed out"]
    assert "draft of the assessment could not be saved" in warnings[0][1]
    assert "the disk is full" in warnings[0][1]
    assert window.isVisible() and workstation.window is window and screen.isVisible()
    assert by_name(screen, QLineEdit, "Allergies").text() == "latex"  # nothing typed is lost
    assert "sign_out" not in [action for action, _who, _detail in audit(db)]


def test_a_form_with_changes_and_no_draft_keeps_the_person_signed_in(qtbot, db, nurse, workstation, warnings):
    window = open_for(qtbot, workstation, nurse)
    window.ui.actionNewPatient.trigger()
    dialog = dialog_named(window, "Patient registration")
    assert dialog is not None
    type_into(qtbot, named(dialog, QLineEdit, "Given name"), "Tobias")
    with qtbot.assertNotEmitted(window.signed_out):
        window.ui.actionSignOut.trigger()
    assert warnings and "has changes" in warnings[0][1] and "Tobias" not in warnings[0][1]
    assert dialog.isVisible() and named(dialog, QLineEdit, "Given name").text() == "Tobias"


def test_ctrl_shift_l_is_sign_out_alone_with_the_screens_open(qtbot, db, admin, two_patients, workstation):
    from clinic_desktop.gui.shortcuts_dialog import all_shortcuts

    window = open_for(qtbot, workstation, admin)
    start_assessment(qtbot, window, "W-1")
    keys = QKeySequence("Ctrl+Shift+L").toString(QKeySequence.SequenceFormat.NativeText)
    assert [(s.action, s.where) for s in all_shortcuts(window) if s.keys == keys] == [("Sign out", "Main window")]
    all_keys = [(s.keys, s.where) for s in all_shortcuts(window)]
    assert len(all_keys) == len(set(all_keys))


def test_the_status_bar_always_names_who_is_signed_in(qtbot, db, prescriber, workstation):
    window = open_for(qtbot, workstation, prescriber)
    assert signed_in_text(window) == "Signed in as Test Prescriber (Prescriber)"
    window.statusBar().showMessage("Episode opened in Assessment.", 8000)  # a passing message
    assert signed_in_text(window) == "Signed in as Test Prescriber (Prescriber)"


# --- the lock screen ----------------------------------------------------------------------------


def test_sign_out_on_the_lock_screen_lands_on_the_sign_in_window(qtbot, db, nurse, two_patients, workstation):
    window = open_for(qtbot, workstation, nurse)
    screen = type_in_the_draft(qtbot, window, "W-1", "codeine")
    dialog = lock(qtbot, window)
    with qtbot.waitSignal(workstation.sign_in_shown, timeout=5000) as shown:
        qtbot.mouseClick(button(dialog, "Sign out"), Qt.MouseButton.LeftButton)
    sign_in = shown.args[0]
    assert sign_in.locked_user is None and sign_in.isVisible()
    assert saved_data(db, nurse, screen)["medical"]["allergies"] == "codeine"
    assert others_open(sign_in) == [], [(type(w).__name__, w.windowTitle(), w.isModal()) for w in others_open(sign_in)]
    assert audit(db)[-1] == ("sign_out", nurse.username, {"how": "lock screen"})


def test_a_wrong_password_at_switch_user_is_refused_counted_and_leaves_the_work_locked(
        qtbot, db, admin, nurse, prescriber, two_patients, workstation):
    window = open_for(qtbot, workstation, nurse)
    screen = type_in_the_draft(qtbot, window, "W-1", "sulfa")
    dialog = lock(qtbot, window)
    with qtbot.assertNotEmitted(workstation.window_opened):
        sign_in_on(qtbot, dialog, prescriber.username, "not the password at all")
        qtbot.waitUntil(lambda: named(dialog, QLabel, "Sign-in error").isVisible(), timeout=5000)
    assert named(dialog, QLabel, "Sign-in error").text() == accounts.WRONG_CREDENTIALS
    assert audit(db)[-1] == ("sign_in.failed", prescriber.username, {"reason": "wrong password", "attempt": 1})
    assert window.idle_lock.is_locked() and workstation.window is window
    assert screen.isVisible() and by_name(screen, QLineEdit, "Allergies").text() == "sulfa"
    assert "sign_out" not in [action for action, _who, _detail in audit(db)]

    with qtbot.waitSignal(window.idle_lock.unlocked, timeout=5000):  # the nurse comes back
        sign_in_on(qtbot, dialog, nurse.username, STRONG_PASSWORD)
    assert by_name(screen, QLineEdit, "Allergies").text() == "sulfa"


def test_switching_in_with_a_new_password_required_asks_for_it_first(
        qtbot, db, admin, nurse, prescriber, two_patients, workstation):
    """The person switching in at the lock chooses the password an administrator asked for before
    their window opens; the lock's own person is never asked (they are signed in already)."""
    accounts.require_password_change(db, admin, prescriber.id)
    window = open_for(qtbot, workstation, nurse)
    type_in_the_draft(qtbot, window, "W-1", "latex")
    dialog = lock(qtbot, window)
    with qtbot.assertNotEmitted(workstation.window_opened):
        sign_in_on(qtbot, dialog, prescriber.username, STRONG_PASSWORD)
        prompt = shown_dialog(qtbot, dialog, "Choose a new password", timeout=10000)
    type_into(qtbot, by_name(prompt, QLineEdit, "New password"), "quiet lantern orchard 58")
    type_into(qtbot, by_name(prompt, QLineEdit, "Repeat password"), "quiet lantern orchard 58")
    with qtbot.waitSignal(workstation.window_opened, timeout=10000) as opened:
        click(qtbot, button(prompt, "Change password"))
    assert opened.args[0].user.id == prescriber.id and not opened.args[0].user.must_change_password
    assert allergies_saved(db, nurse, two_patients["W-1"]) == "latex"
    assert accounts.authenticate(db, prescriber.username, "quiet lantern orchard 58").id == prescriber.id


def test_switch_user_is_refused_before_any_password_when_a_draft_cannot_be_saved(
        qtbot, db, nurse, prescriber, two_patients, workstation, monkeypatch):
    window = open_for(qtbot, workstation, nurse)
    screen = type_in_the_draft(qtbot, window, "W-1", "iodine")
    monkeypatch.setattr(intake, "save_draft", lambda *a, **k: (_ for _ in ()).throw(
        ClinicError("The database could not be written: the disk is full.")))
    dialog = lock(qtbot, window)
    with qtbot.assertNotEmitted(workstation.window_opened):
        sign_in_on(qtbot, dialog, prescriber.username, STRONG_PASSWORD)
    error = named(dialog, QLabel, "Sign-in error")
    assert error.isVisible() and "Not signed out" in error.text() and "Test Nurse must sign in" in error.text()
    assert "Rowan" not in error.text()  # shown to the next person: no patient named
    assert window.idle_lock.is_locked() and by_name(screen, QLineEdit, "Allergies").text() == "iodine"
    assert ("sign_in.succeeded", prescriber.username) not in [(a, w) for a, w, _d in audit(db)]


def test_twenty_switches_lose_no_draft_and_leave_no_window_of_the_previous_person(
        qtbot, db, nurse, prescriber, two_patients, workstation):
    people = [(nurse, "W-1"), (prescriber, "W-2")]  # nurse → prescriber → nurse …
    typed: dict[int, str] = {nurse.id: "", prescriber.id: ""}
    window = open_for(qtbot, workstation, nurse)
    for turn in range(20):
        user, mrn = people[turn % 2]
        following, _ = people[(turn + 1) % 2]
        assert window.user.id == user.id
        # Everything this person typed before is there (their draft, saved at each switch) ...
        screen = type_in_the_draft(qtbot, window, mrn, f"x{turn}")
        typed[user.id] += f"x{turn}"
        assert by_name(screen, QLineEdit, "Allergies").text() == typed[user.id]
        # ... and what they typed just now, not yet autosaved, is kept by the switch.
        window = switch_user(qtbot, workstation, window, following.username)
        assert allergies_saved(db, user, two_patients[mrn]) == typed[user.id]
        assert window.user.id == following.id and workstation.window is window
        assert signed_in_text(window).startswith(f"Signed in as {following.full_name} (")
        assert not window.idle_lock.is_locked()
        flush_deletes()
        assert others_open(window) == [], [w.windowTitle() for w in others_open(window)]
        assert [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)] == [window]
    for user, mrn in people:
        assert allergies_saved(db, user, two_patients[mrn]) == typed[user.id]
    switches = [d for a, _w, d in audit(db) if a == "sign_out"]
    assert switches == [{"how": "switch user"}] * 20


# --- an encrypted database ----------------------------------------------------------------------


@pytest.mark.usefixtures("quick_kdf")
def test_an_encrypted_database_stays_open_across_a_sign_out(qtbot, tmp_path):
    path = tmp_path / "encrypted.db"
    encrypted_clinic(path, ("admin", "Avery Admin", "admin", STRONG_PASSWORD),
                     ("nurse1", "Nico Nurse", "nurse", STRONG_PASSWORD))
    db, admin = vault.unlock(str(path), "admin", STRONG_PASSWORD)
    workstation = Workstation(db)
    try:
        window = open_for(qtbot, workstation, admin)
        with qtbot.waitSignal(workstation.sign_in_shown, timeout=5000) as shown:
            window.ui.actionSignOut.trigger()
        dialog = shown.args[0]
        with qtbot.assertNotEmitted(workstation.window_opened):  # checked as any sign-in
            sign_in_on(qtbot, dialog, "nurse1", "not the password at all")
            qtbot.waitUntil(lambda: named(dialog, QLabel, "Sign-in error").isVisible(), timeout=5000)
        with qtbot.waitSignal(workstation.window_opened, timeout=10000) as opened:
            sign_in_on(qtbot, dialog, "nurse1", STRONG_PASSWORD)
        nurse_window = opened.args[0]
        assert nurse_window.db is db and db.encrypted  # the same open database, its key in memory
        assert nurse_window.census_model.rowCount() == 0  # and it reads
        actions = [(a, w) for a, w, _d in audit(db)]
        assert actions[-3:] == [("sign_out", "admin"), ("sign_in.failed", "nurse1"),
                                ("sign_in.succeeded", "nurse1")]
    finally:
        close_everything()
        db.dispose()
