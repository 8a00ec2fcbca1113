"""Patient check-in mode (#16 item 7) on the stabilization screen: staff hand the workstation
over, the patient answers one question per page by keyboard or by clicks in their language,
nothing closes the window but a staff password, finishing saves and locks, stepping away locks
and keeps the answers, and the flowsheet marks the entries self-reported."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPushButton, QTableView

from clinic_desktop.core import self_report
from clinic_desktop.core.services import patients, stabilization
from clinic_desktop.gui.patient_mode import TARGET_PX, PatientCheckInWindow
from tests.conftest import STRONG_PASSWORD, make_user
from tests.factories import sign_intake
from tests.gui.conftest import shown_main_window
from tests.gui.helpers import by_name, open_flowsheet, type_into

CHECKIN_PAGES = len(self_report.questions("en", ("checkin",)))


@pytest.fixture
def language():
    return "en"


@pytest.fixture
def patient(db, nurse, language):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="S-1", given_name="Sam", family_name="Steady", date_of_birth=dt.date(1988, 2, 3), sex="unknown",
        preferred_language=language))


def rows(screen) -> list[list[str]]:
    """The flowsheet's self-reported rows (the signed intake put its own scores there too)."""
    model = by_name(screen, QTableView, "Flowsheet entries").model()
    every = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    return [row for row in every if "self-reported" in row[1]]


def hand_over(qtbot, screen, *, ask: tuple[str, ...] = ("phq9", "gad7"), language: str | None = None,
              idle_ms: int | None = None) -> PatientCheckInWindow:
    qtbot.keyClick(screen, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = screen.hand_over_dialog
    assert dialog is not None and dialog.isVisible()
    for section, name in (("phq9", "PHQ-9 (depression)"), ("gad7", "GAD-7 (anxiety)")):
        by_name(dialog, QCheckBox, name).setChecked(section in ask)
    if language is not None:
        combo = by_name(dialog, QComboBox, "Language")
        combo.setCurrentIndex(combo.findData(language))
    by_name(dialog, QPushButton, "Hand to patient").click()
    mode = screen.patient_mode
    assert isinstance(mode, PatientCheckInWindow)
    qtbot.waitExposed(mode)
    if idle_ms is not None:
        mode._idle.setInterval(idle_ms)
        mode._idle.start()
    return mode


def text_of(mode, name: str) -> str:
    return by_name(mode, QLabel, name).text()


def press(qtbot, mode, *keys) -> None:
    for key in keys:
        if isinstance(key, str):
            qtbot.keyClicks(mode, key)
        else:
            qtbot.keyClick(mode, key)


def unlock(qtbot, mode, password: str = STRONG_PASSWORD) -> None:
    type_into(qtbot, by_name(mode, QLineEdit, "Staff password"), password)
    qtbot.keyClick(by_name(mode, QLineEdit, "Staff password"), Qt.Key.Key_Return)


def test_answered_by_keyboard_nothing_closes_it_and_a_password_unlocks(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    assert by_name(screen, QPushButton, "Hand to patient").isEnabled()
    mode = hand_over(qtbot, screen, ask=())
    assert mode.isFullScreen() and mode.windowModality() == Qt.WindowModality.ApplicationModal
    assert mode.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert text_of(mode, "Progress") == f"1 of {CHECKIN_PAGES}"
    assert text_of(mode, "Question") == "How strong is your craving right now?"
    assert text_of(mode, "Low end") == "0 = no craving"
    for name in ("0", "10", "Skip", "Back", "Stop (staff)"):
        assert by_name(mode, QPushButton, name).height() >= 64, name
    assert by_name(mode, QPushButton, "Back").isEnabled() is False

    press(qtbot, mode, Qt.Key.Key_Escape)
    mode.close()  # what Alt+F4 asks
    qtbot.wait(50)
    assert mode.isVisible() and not mode.is_locked()

    press(qtbot, mode, "8", Qt.Key.Key_Return)  # craving 8
    assert text_of(mode, "Progress") == f"2 of {CHECKIN_PAGES}"
    press(qtbot, mode, "1", "0", Qt.Key.Key_Return)  # mood 10 ...
    press(qtbot, mode, Qt.Key.Key_Backspace)  # ... back: it was 3
    assert text_of(mode, "Progress") == f"2 of {CHECKIN_PAGES}"
    assert by_name(mode, QPushButton, "10").isChecked()
    press(qtbot, mode, "3", Qt.Key.Key_Return)
    press(qtbot, mode, "4", Qt.Key.Key_Return)  # anxiety 4
    press(qtbot, mode, Qt.Key.Key_Return)  # pain: nothing picked, Enter does nothing
    assert text_of(mode, "Question") == "How much pain do you have right now?"
    by_name(mode, QPushButton, "Skip").click()
    press(qtbot, mode, "7", Qt.Key.Key_Return)  # slept 7 hours
    press(qtbot, mode, "3", Qt.Key.Key_Return)  # slept badly (the third choice)
    for _ in range(CHECKIN_PAGES - 6):
        by_name(mode, QPushButton, "Skip").click()

    assert mode.is_locked() and mode.isVisible()
    assert text_of(mode, "Message") == "Thank you \u2014 please hand the computer back to the staff."
    mode.close()
    press(qtbot, mode, Qt.Key.Key_Escape)
    assert mode.isVisible()
    unlock(qtbot, mode, "not the password")
    assert mode.isVisible() and by_name(mode, QLabel, "Unlock error").isVisible()
    with qtbot.waitSignal(screen.changed, timeout=3000):
        unlock(qtbot, mode)
    assert screen.patient_mode is None
    [newest] = rows(screen)
    assert newest[1] == "Check-in (self-reported)"
    assert newest[2] == "Craving 8/10 \u00b7 Mood 3/10 \u00b7 Anxiety 4/10 \u00b7 Sleep 7 h (poor)"
    assert newest[4] == nurse.full_name


def test_answered_by_clicks_the_alert_for_staff_only(qtbot, window, db, admin, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    mode = hand_over(qtbot, screen)
    total = CHECKIN_PAGES + 9 + 7
    for _ in range(CHECKIN_PAGES):
        by_name(mode, QPushButton, "Skip").click()
    assert text_of(mode, "Progress") == f"{CHECKIN_PAGES + 1} of {total}"
    assert text_of(mode, "Question") == "Little interest or pleasure in doing things"
    for n in range(9):
        by_name(mode, QPushButton, "Several days" if n in (0, 8) else "Not at all").click()  # 8: self-harm
    assert text_of(mode, "Question") == "Feeling nervous, anxious or on edge"
    for _ in range(7):
        by_name(mode, QPushButton, "Nearly every day").click()
    assert mode.is_locked()
    shown = " ".join(label.text() for label in mode.findChildren(QLabel) if label.isVisible())
    assert "alert" not in shown.lower() and "PHQ" not in shown and "21" not in shown  # no score, no alert
    # Another member of the care team may unlock; a viewer may not.
    viewer = make_user(db, admin, "viewer")
    by_name(mode, QLineEdit, "Staff user name").setText(viewer.username)
    unlock(qtbot, mode)
    assert mode.isVisible() and "care team" in text_of(mode, "Unlock error")
    by_name(mode, QLineEdit, "Staff user name").setText(admin.username)
    with qtbot.waitSignal(screen.changed, timeout=3000):
        unlock(qtbot, mode)
    entries = {r[1]: r for r in rows(screen)}
    assert set(entries) == {"PHQ-9 (self-reported)", "GAD-7 (self-reported)"}
    assert entries["GAD-7 (self-reported)"][2].startswith("21")
    assert all(r[4] == nurse.full_name for r in entries.values())  # saved by who handed over
    assert stabilization.safety_alert_active(db, nurse, screen.episode.id)
    assert by_name(screen, QLabel, "Safety alert").isVisible()


@pytest.mark.parametrize("language", ["es"])
def test_a_spanish_speaker_reads_the_spanish_phq9(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    mode = hand_over(qtbot, screen, ask=("phq9",))  # the language is the patient's: Spanish
    assert text_of(mode, "Question") == "¿Qué tan fuerte es su deseo de consumir ahora mismo?"
    for _ in range(CHECKIN_PAGES):
        by_name(mode, QPushButton, "Saltar").click()
    assert text_of(mode, "Question") == "Poco interés o placer en hacer cosas"
    assert text_of(mode, "Question stem").startswith("Durante las últimas 2 semanas")
    assert text_of(mode, "Progress") == f"{CHECKIN_PAGES + 1} de {CHECKIN_PAGES + 9}"
    by_name(mode, QPushButton, "Ningún día").click()
    by_name(mode, QPushButton, "Atrás").click()
    assert by_name(mode, QPushButton, "Ningún día").isChecked()
    by_name(mode, QPushButton, "Stop (staff)").click()
    assert text_of(mode, "Message") == "Por favor, devuelva la computadora al personal."
    unlock(qtbot, mode)
    box = mode.save_question
    assert box is not None and "PHQ-9" in box.text()
    with qtbot.waitSignal(screen.changed, timeout=3000):
        by_name(box, QPushButton, "Save answers").click()
    [entry] = rows(screen)
    assert entry[1] == "PHQ-9 (self-reported)" and "incomplete" in entry[2]


def test_stepping_away_locks_and_keeps_the_answers(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    mode = hand_over(qtbot, screen, idle_ms=300)
    press(qtbot, mode, "9", Qt.Key.Key_Return)  # craving 9, then the patient walks away
    qtbot.waitUntil(mode.is_locked, timeout=3000)
    assert text_of(mode, "Message") == "Please hand the computer back to the staff."
    by_name(mode, QPushButton, "7").click()  # locked: the question page answers nothing
    assert mode.answers == {"checkin.craving": 9}
    unlock(qtbot, mode)
    box = mode.save_question
    assert box is not None and box.defaultButton() is by_name(box, QPushButton, "Save answers")
    assert box.escapeButton() is by_name(box, QPushButton, "Save answers")  # Escape never discards
    with qtbot.waitSignal(screen.changed, timeout=3000):
        qtbot.keyClick(box, Qt.Key.Key_Return)
    [entry] = rows(screen)
    assert entry[1] == "Check-in (self-reported)" and entry[2] == "Craving 9/10"


def test_staff_may_discard_on_purpose(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    mode = hand_over(qtbot, screen, ask=())
    press(qtbot, mode, "2", Qt.Key.Key_Return)
    by_name(mode, QPushButton, "Stop (staff)").click()
    unlock(qtbot, mode)
    with qtbot.waitSignal(screen.changed, timeout=3000):
        by_name(mode.save_question, QPushButton, "Discard answers").click()
    assert rows(screen) == [] and screen.patient_mode is None


def test_the_buttons_are_large(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    mode = hand_over(qtbot, screen, ask=("gad7",))
    for _ in range(CHECKIN_PAGES):
        by_name(mode, QPushButton, "Skip").click()
    assert all(by_name(mode, QPushButton, words).height() >= TARGET_PX
               for words in ("Not at all", "Several days", "More than half the days", "Nearly every day"))
    by_name(mode, QPushButton, "Stop (staff)").click()
    unlock(qtbot, mode)
    assert screen.patient_mode is None


def test_a_viewer_cannot_hand_over(qtbot, db, admin, nurse, patient):
    sign_intake(db, nurse, patient)
    viewer = make_user(db, admin, "viewer")
    window = shown_main_window(qtbot, db, viewer)
    screen = open_flowsheet(qtbot, window)
    assert not by_name(screen, QPushButton, "Hand to patient").isEnabled()
    qtbot.keyClick(screen, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert screen.hand_over_dialog is None and screen.patient_mode is None


def test_the_main_windows_idle_lock_waits_while_the_patient_answers(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    window.idle_lock.set_interval_ms(150)
    mode = hand_over(qtbot, screen, ask=())
    qtbot.wait(500)  # longer than the main window's lock time: the patient's window locks itself
    assert not window.idle_lock.is_locked() and not mode.is_locked() and mode.isVisible()
    by_name(mode, QPushButton, "Stop (staff)").click()
    unlock(qtbot, mode)
    assert screen.patient_mode is None
    qtbot.waitUntil(window.idle_lock.is_locked, timeout=3000)  # watching again once staff are back
    window.idle_lock.stop()
