"""The intake (assessment) screen, driven from the main window the way a nurse would: Start
assessment, type, let it autosave, sign with the password."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QTextBrowser,
)

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import clock, units
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import accounts, episodes, intake, patients
from clinic_desktop.gui.intake import SubstanceRow
from clinic_desktop.gui.intake_screen import IntakeScreen
from clinic_desktop.gui.main_window import MainWindow
from clinic_desktop.gui.widgets.instrument_entry import InstrumentEntry
from tests.factories import complete_draft, use_vitals_units
from tests.gui import helpers
from tests.gui.helpers import (
    STRONG_PASSWORD,
    button,
    by_name,
    dialog_named,
    go,
    saved_data,
    shown_dialog,
    shown_error,
    type_date,
    type_into,
    wait_answered,
)

COWS_DIGITS = "21122121110"  # total 14 (moderate): every digit allowed for its item
PHQ9_DIGITS = "111111110"  # item 9 (self-harm) 0
GAD7_DIGITS = "1111111"


@pytest.fixture
def patient(db, nurse):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="I-1", given_name="Rowan", family_name="Intake", date_of_birth=dt.date(1990, 4, 5),
        sex="unknown"))


def start_assessment(qtbot, window: MainWindow) -> IntakeScreen:
    return helpers.start_assessment(qtbot, window, "I-1")


def type_digits(qtbot, digits: str) -> None:
    """Type digits wherever the focus is (an instrument moves it to the next item)."""
    for digit in digits:
        qtbot.keyClick(QApplication.focusWidget(), digit)


def test_start_assessment_autosaves_and_reopening_offers_the_draft(qtbot, window, db, nurse, patient):
    assert window.ui.actionStartAssessment.isVisible()
    screen = start_assessment(qtbot, window)
    assert episodes.current_episode(db, nurse, patient.id).stage == "assessment"
    go(screen, "Medical and psychiatric")
    type_into(qtbot, by_name(screen, QLineEdit, "Allergies"), "penicillin")
    qtbot.waitUntil(lambda: saved_data(db, nurse, screen).get("medical", {}).get("allergies") == "penicillin",
                    timeout=3000)
    assert by_name(screen, QLabel, "Draft status").text().startswith("Draft saved ")
    assert by_name(screen, QLabel, "Record state").text() == "DRAFT"  # the chip beside it
    assert "penicillin" in by_name(screen, QLabel, "Allergies").text()  # in the banner at once

    screen.reject()
    qtbot.waitUntil(lambda: dialog_named(window, "Assessment") is None)
    window.search_for("I-1")
    window.open_patient()
    offer = shown_dialog(qtbot, window, "Assessment in progress")
    assert "Draft saved at" in offer.text() and nurse.full_name in offer.text()
    qtbot.mouseClick(button(offer, "Continue assessment"), Qt.MouseButton.LeftButton)
    again = shown_dialog(qtbot, window, "Assessment")
    assert "penicillin" in by_name(again, QLabel, "Allergies").text()  # the banner, before the page is shown
    go(again, "Medical and psychiatric")
    assert by_name(again, QLineEdit, "Allergies").text() == "penicillin"
    again.reject()


def test_a_complete_intake_is_signed_and_the_census_shows_the_baseline_cows(qtbot, window, db, admin, nurse,
                                                                           patient):
    use_vitals_units(db, admin, units.METRIC)  # typed in °C
    screen = start_assessment(qtbot, window)
    consent = by_name(screen, QCheckBox, "Consent to treatment recorded")
    consent.setFocus()
    qtbot.keyClick(consent, Qt.Key.Key_Space)
    assert consent.isChecked()

    qtbot.keyClick(consent, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert screen.current_section() == "substances"
    substance = by_name(screen, QComboBox, "Substance 1")
    substance.setCurrentIndex(substance.findData("heroin"))
    type_date(qtbot, screen, "Last use 1", clock.now() - dt.timedelta(hours=16, minutes=1))
    assert "16 h" in screen.findChild(SubstanceRow).elapsed.text()

    go(screen, "Medical and psychiatric")
    pregnancy = by_name(screen, QComboBox, "Pregnancy status")
    pregnancy.setCurrentIndex(pregnancy.findText("Not applicable"))
    type_into(qtbot, by_name(screen, QLineEdit, "Allergies"), "none known")

    go(screen, "Vitals")
    for label, value in (("Pulse", "96"), ("Systolic BP", "128"), ("Diastolic BP", "82"),
                         ("Respiratory rate", "16"), ("Temperature", "37.1"), ("SpO\u2082", "98")):
        type_into(qtbot, by_name(screen, QLineEdit, label), value)

    go(screen, "Withdrawal scores")
    cows = by_name(screen, InstrumentEntry, "COWS")
    cows.focus_first()
    type_digits(qtbot, COWS_DIGITS)
    assert cows.score().complete and cows.score().total == 14
    scored = rules.scored_at(screen.draft_data(), "scores", "cows")
    assert scored is not None and abs(scored - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=2)
    assert "readiness" in by_name(screen, QLabel, "Buprenorphine readiness").text().lower()

    go(screen, "Mental health and safety")
    by_name(screen, InstrumentEntry, "PHQ-9").focus_first()
    type_digits(qtbot, PHQ9_DIGITS)
    by_name(screen, InstrumentEntry, "GAD-7").focus_first()
    type_digits(qtbot, GAD7_DIGITS)
    by_name(screen, InstrumentEntry, "ASQ").focus_first()
    type_digits(qtbot, "0000")  # four "no"s: question 5 is not asked
    assert not by_name(screen, QLabel, "Safety alert").isVisible()

    go(screen, "Summary")
    pathway = by_name(screen, QComboBox, "Pathway")
    pathway.setCurrentIndex(pathway.findData("buprenorphine_induction"))
    assert not by_name(screen, QListWidget, "Missing before signing").isVisible()

    qtbot.keyClick(screen, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Sign…
    dialog = screen.sign_dialog()
    assert dialog is not None and dialog.windowTitle() == "Sign the assessment"
    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), STRONG_PASSWORD)
    with qtbot.waitSignal(screen.assessment_signed, timeout=5000):
        qtbot.mouseClick(button(dialog, "Sign"), Qt.MouseButton.LeftButton)
        wait_answered(qtbot, dialog, "Sign")

    assert episodes.current_episode(db, nurse, patient.id).stage == "stabilization"
    assert by_name(screen, QLabel, "Signed").text().startswith(f"Signed by {nurse.full_name} at ")
    state = by_name(screen, QLabel, "Record state")
    assert state.text() == "SIGNED" and state.property("severity") == "ok"
    assert not by_name(screen, QLineEdit, "Allergies").isEnabled()
    assert button(screen, "Add addendum\u2026").isVisible()
    census = [window.census_model.row_at(i) for i in range(window.census_model.rowCount())]
    row = next(r for r in census if r.patient_id == patient.id)
    assert row.stage == "stabilization" and row.last_cows_total == 14

    # A correction after signing is an addendum.
    qtbot.mouseClick(button(screen, "Add addendum\u2026"), Qt.MouseButton.LeftButton)
    addendum = screen.addendum_dialog()
    type_into(qtbot, by_name(addendum, QLineEdit, "Reason"), "Allergy remembered")
    type_into(qtbot, by_name(addendum, type(addendum.text), "Correction"), "Allergic to latex.")
    with qtbot.waitSignal(screen.addendum_added, timeout=3000):
        qtbot.mouseClick(button(addendum, "Add addendum"), Qt.MouseButton.LeftButton)
    assert "Allergic to latex." in by_name(screen, QTextBrowser, "Summary").toPlainText()
    screen.reject()


def test_signing_with_things_missing_lists_them_and_goes_to_the_first(qtbot, window, db, nurse):
    screen = start_assessment(qtbot, window)
    consent = by_name(screen, QCheckBox, "Consent to treatment recorded")
    qtbot.keyClick(consent, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Sign, from the first page
    assert screen.current_section() == "summary"
    dialog = screen.sign_dialog()
    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), "wrong password")
    qtbot.mouseClick(button(dialog, "Sign"), Qt.MouseButton.LeftButton)
    wait_answered(qtbot, dialog, "Sign")
    assert by_name(dialog, QLabel, "Password error").isVisible()  # the dialog stays open
    assert by_name(dialog, QLabel, "Password error").text() == accounts.WRONG_OWN_PASSWORD

    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), STRONG_PASSWORD, replace=True)
    qtbot.mouseClick(button(dialog, "Sign"), Qt.MouseButton.LeftButton)
    wait_answered(qtbot, dialog, "Sign")
    qtbot.waitUntil(lambda: screen.sign_dialog() is None)
    missing = by_name(screen, QListWidget, "Missing before signing")
    texts = [missing.item(i).text() for i in range(missing.count())]
    assert texts[0] == "Identity and contacts: Record the consent to treatment."
    assert any("pathway" in t for t in texts) and any("COWS" in t for t in texts)
    assert episodes.current_episode(db, nurse, screen.assessment.patient_id).stage == "assessment"

    qtbot.mouseClick(button(screen, "Go to first"), Qt.MouseButton.LeftButton)
    assert screen.current_section() == "identity"
    assert by_name(screen, QCheckBox, "Consent to treatment recorded").hasFocus()
    screen.reject()


def test_an_impossible_pulse_is_refused_and_an_abnormal_one_kept(qtbot, window, db, nurse):
    screen = start_assessment(qtbot, window)
    go(screen, "Vitals")
    pulse = by_name(screen, QLineEdit, "Pulse")
    type_into(qtbot, pulse, "300")
    error = by_name(screen, QLabel, "Pulse error")
    assert error.isVisible() and "impossible" in error.text()
    assert error.property("role") == "error"
    assert "pulse" not in screen.draft_data()["vitals"]
    qtbot.waitUntil(lambda: "vitals" in saved_data(db, nurse, screen), timeout=3000)
    assert "pulse" not in saved_data(db, nurse, screen)["vitals"]

    type_into(qtbot, pulse, "130", replace=True)
    assert not error.isVisible()
    warning = by_name(screen, QLabel, "Pulse warning")
    assert warning.isVisible() and "high" in warning.text()
    qtbot.waitUntil(lambda: saved_data(db, nurse, screen)["vitals"].get("pulse") == 130, timeout=3000)
    screen.reject()


def test_phq9_item_9_raises_the_safety_alert_at_once(qtbot, window):
    screen = start_assessment(qtbot, window)
    alert = by_name(screen, QLabel, "Safety alert")
    assert not alert.isVisible()
    go(screen, "Mental health and safety")
    by_name(screen, InstrumentEntry, "PHQ-9").focus_item("self_harm")
    type_digits(qtbot, "1")
    assert alert.isVisible()
    assert "Safety alert" in by_name(screen, QLabel, "Risk flags").text()
    by_name(screen, InstrumentEntry, "PHQ-9").focus_item("self_harm")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backspace)
    assert not alert.isVisible()
    screen.reject()


ASQ_5 = "Are you having thoughts of killing yourself right now?"


def test_the_asq_by_keyboard_asks_question_5_only_after_a_yes_and_raises_the_alert(qtbot, window, db, nurse):
    screen = start_assessment(qtbot, window)
    alert = by_name(screen, QLabel, "Safety alert")
    go(screen, "Mental health and safety")
    asq = by_name(screen, InstrumentEntry, "ASQ")
    question_5 = by_name(asq, QFrame, ASQ_5)
    assert not question_5.isEnabled()
    asq.focus_first()
    assert QApplication.focusWidget() is by_name(
        asq, QFrame, "In the past few weeks, have you wished you were dead?")
    type_digits(qtbot, "0000")
    assert asq.score().complete and asq.score().band == "negative"
    assert not question_5.isEnabled() and not alert.isVisible()
    assert "negative" in by_name(asq, QLabel, "Total").text()
    # Up three items to question 1 and answer yes: positive, question 5 is now asked.
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)
    type_digits(qtbot, "1")
    assert question_5.isEnabled() and not asq.score().complete
    assert alert.isVisible() and "imminent" not in alert.text()
    assert "Safety alert" in by_name(screen, QLabel, "Risk flags").text()
    # End goes to question 5; "yes" is an acute positive: imminent risk.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_End)
    assert QApplication.focusWidget() is question_5
    type_digits(qtbot, "1")
    assert asq.score().band == "acute"
    assert "imminent risk: do not leave the patient alone; emergency evaluation now" in alert.text()
    assert "imminent risk" in by_name(screen, QLabel, "Risk flags").text()
    qtbot.waitUntil(lambda: saved_data(db, nurse, screen).get("mental_health", {}).get("asq", {})
                    .get("thoughts_now") == 1, timeout=3000)
    # Back to "no" on question 1: question 5 is cleared and not asked again; no alert.
    asq.focus_first()
    type_digits(qtbot, "0")
    assert not question_5.isEnabled() and "thoughts_now" not in asq.items()
    assert not alert.isVisible()
    qtbot.waitUntil(lambda: "thoughts_now" not in saved_data(db, nurse, screen)["mental_health"]["asq"],
                    timeout=3000)
    screen.reject()


def test_a_conflict_shows_a_banner_and_stops_autosaving(qtbot, window, db, nurse):
    screen = start_assessment(qtbot, window)
    # Another workstation saves first.
    intake.save_draft(db, nurse, screen.assessment.id, screen.version, {"social": {"housing": "shelter"}})
    go(screen, "Medical and psychiatric")
    type_into(qtbot, by_name(screen, QLineEdit, "Allergies"), "latex")
    banner = by_name(screen, QLabel, "Conflict")
    qtbot.waitUntil(banner.isVisible, timeout=3000)
    assert "another workstation" in banner.text()
    assert by_name(screen, QLineEdit, "Allergies").text() == "latex"  # kept on screen
    assert saved_data(db, nurse, screen) == {"social": {"housing": "shelter"}}
    screen.reject()


def test_signing_until_the_account_locks_says_so_in_full_and_keeps_the_dialog(qtbot, window, db, admin, nurse):
    """The signer is told plainly: a wrong password is that; the fifth locks the account and the
    dialog says so, whole (it grows to the wrapped text: it once showed a clipped first line).
    Unlocked by an administrator, the same dialog signs."""
    screen = start_assessment(qtbot, window)
    consent = by_name(screen, QCheckBox, "Consent to treatment recorded")
    qtbot.keyClick(consent, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Sign
    dialog = screen.sign_dialog()
    error = by_name(dialog, QLabel, "Password error")
    for n in range(1, 6):
        type_into(qtbot, by_name(dialog, QLineEdit, "Password"), f"wrong password {n}", replace=True)
        qtbot.mouseClick(button(dialog, "Sign"), Qt.MouseButton.LeftButton)
        wait_answered(qtbot, dialog, "Sign")
        assert error.text() == (accounts.WRONG_OWN_PASSWORD if n < 5 else accounts.OWN_ACCOUNT_LOCKED), n
    qtbot.wait(50)
    assert error.isVisible() and error.height() >= error.heightForWidth(error.width())
    assert error.geometry().bottom() < dialog.buttons.geometry().top()
    accounts.unlock(db, admin, nurse.id)
    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), STRONG_PASSWORD, replace=True)
    qtbot.mouseClick(button(dialog, "Sign"), Qt.MouseButton.LeftButton)
    wait_answered(qtbot, dialog, "Sign")
    qtbot.waitUntil(lambda: screen.sign_dialog() is None)  # signed, or told what is missing
    screen.reject()


def test_a_nurse_deactivated_meanwhile_is_told_and_keeps_what_she_typed(qtbot, window, db, admin, nurse):
    """#18 item 3: an administrator deactivates the nurse (on another workstation) while her
    intake is open; her next save is refused with the reason, and her text stays on screen."""
    screen = start_assessment(qtbot, window)
    go(screen, "Medical and psychiatric")
    type_into(qtbot, by_name(screen, QLineEdit, "Allergies"), "penicillin")
    qtbot.waitUntil(lambda: saved_data(db, nurse, screen).get("medical", {}).get("allergies") == "penicillin",
                    timeout=3000)
    accounts.deactivate(db, admin, nurse.id)
    type_into(qtbot, by_name(screen, QLineEdit, "Allergies"), ", latex")
    banner = by_name(screen, QLabel, "Conflict")
    qtbot.waitUntil(banner.isVisible, timeout=3000)
    assert banner.text().startswith("Your account was deactivated by an administrator")
    assert by_name(screen, QLabel, "Draft status").text() == "Draft NOT saved: your account changed"
    assert by_name(screen, QLabel, "Record state").text() == "NOT SAVED"
    assert by_name(screen, QLineEdit, "Allergies").text() == "penicillin, latex"  # kept on screen
    assert saved_data(db, admin, screen)["medical"]["allergies"] == "penicillin"  # nothing more saved
    # Reactivated, the next change saves again and the banner goes.
    accounts.reactivate(db, admin, nurse.id, "copper meadow falcon 17")
    type_into(qtbot, by_name(screen, QLineEdit, "Allergies"), ", nuts")
    qtbot.waitUntil(lambda: saved_data(db, admin, screen)["medical"]["allergies"] == "penicillin, latex, nuts",
                    timeout=3000)
    assert not banner.isVisible() and by_name(screen, QLabel, "Record state").text() == "DRAFT"
    screen.reject()


def test_edit_registration_from_the_identity_page_shows_the_new_phone(qtbot, window, db, nurse, patient):
    screen = start_assessment(qtbot, window)
    assert screen.current_section() == "identity"
    phone_shown = by_name(screen, QLineEdit, "Phone")
    assert phone_shown.isReadOnly() and phone_shown.text() == ""
    assert by_name(screen, QLineEdit, "Name").text() == "Intake, Rowan"
    assert by_name(screen, QLabel, "Patient").text() == "Intake, Rowan"

    edit = button(screen, "Edit registration\u2026")
    assert edit.isVisible()
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    dialog = screen.registration_dialog()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    type_into(qtbot, by_name(dialog, QLineEdit, "Phone"), "555 201 7788")
    type_into(qtbot, by_name(dialog, QLineEdit, "Given name"), "Rowena", replace=True)
    with qtbot.waitSignal(dialog.patient_saved, timeout=5000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.registration_dialog() is None)

    assert patients.open_record(db, nurse, patient.id).phone == "(555) 201-7788"
    assert phone_shown.text() == "(555) 201-7788"  # the Identity page at once
    assert by_name(screen, QLabel, "Patient").text() == "Intake, Rowena"  # and the banner
    assert "Rowena" in screen.windowTitle()
    screen.reject()


def test_edit_registration_is_hidden_without_the_permission(qtbot, db, admin, nurse, patient):
    from tests.conftest import make_user

    view = intake.start(db, nurse, patient.id)
    intake.release(db, nurse, view.id)
    viewer = make_user(db, admin, "viewer")
    assert not viewer.can("patients.edit")
    screen = IntakeScreen(db, viewer, intake.open_assessment(db, viewer, view.episode_id),
                          patients.open_record(db, viewer, patient.id))
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    assert not button(screen, "Edit registration\u2026").isVisible()
    screen.edit_registration()
    assert screen.registration_dialog() is None
    screen.reject()


def test_a_last_use_in_the_future_is_refused_next_to_the_field(qtbot, window, db, nurse):
    screen = start_assessment(qtbot, window)
    go(screen, "Substance use")
    substance = by_name(screen, QComboBox, "Substance 1")
    substance.setCurrentIndex(substance.findData("heroin"))
    type_date(qtbot, screen, "Last use 1", clock.now() - dt.timedelta(hours=10))
    qtbot.waitUntil(lambda: (saved_data(db, nurse, screen).get("substances", {}).get("rows") or [{}])[0]
                    .get("last_use") is not None, timeout=3000)
    accepted = saved_data(db, nurse, screen)["substances"]["rows"][0]["last_use"]
    assert shown_error(screen, "Last use 1") is None

    type_date(qtbot, screen, "Last use 1", clock.now() + dt.timedelta(hours=3))
    assert shown_error(screen, "Last use 1") == "The last use cannot be in the future."
    assert by_name(screen, QLabel, "Last use 1 error").property("role") == "error"
    assert screen.draft_data()["substances"]["rows"][0]["last_use"] == accepted  # the refused time is not kept
    type_into(qtbot, by_name(screen, QLineEdit, "Frequency 1"), "daily")  # nothing else is lost
    qtbot.waitUntil(lambda: saved_data(db, nurse, screen)["substances"]["rows"][0].get("frequency") == "daily",
                    timeout=3000)
    assert saved_data(db, nurse, screen)["substances"]["rows"][0]["last_use"] == accepted

    # A new row with a future time: no last use in the draft at all.
    qtbot.mouseClick(button(screen, "Add substance"), Qt.MouseButton.LeftButton)
    type_date(qtbot, screen, "Last use 2", clock.now() + dt.timedelta(days=1))
    qtbot.waitUntil(lambda: shown_error(screen, "Last use 2") is not None)  # the new row is shown
    assert screen.draft_data()["substances"]["rows"][1]["last_use"] is None

    # Corrected to a past time: the message goes and the time is saved.
    type_date(qtbot, screen, "Last use 1", clock.now() - dt.timedelta(hours=12))
    assert shown_error(screen, "Last use 1") is None
    qtbot.waitUntil(lambda: saved_data(db, nurse, screen)["substances"]["rows"][0]["last_use"] != accepted,
                    timeout=3000)
    screen.reject()


def test_a_date_that_cannot_be_read_is_shown_not_signed(qtbot, window, db, nurse):
    """The tester's 11/30/79 typed as a last overdose: refused under the field, never another
    date; Sign goes to the field instead of signing the last readable value."""
    screen = start_assessment(qtbot, window)
    go(screen, "Substance use")
    field = type_date(qtbot, screen, "Last overdose date", dt.date(2025, 2, 3))
    qtbot.waitUntil(lambda: saved_data(db, nurse, screen).get("substances", {}).get("last_overdose")
                    == "2025-02-03", timeout=3000)
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, "11/30/79")
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert "write the year in full" in (shown_error(screen, "Last overdose date") or "")
    assert field.text() == "11/30/79"  # kept for correcting
    assert screen.draft_data()["substances"]["last_overdose"] == "2025-02-03"  # not some other date
    go(screen, "Identity and contacts")
    qtbot.keyClick(screen, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Sign…
    assert screen.sign_dialog() is None
    assert screen.current_section() == "substances" and QApplication.focusWidget() is field
    screen.reject()


def test_signing_with_a_last_use_45_days_ago_asks_to_confirm_and_then_signs(qtbot, window, db, nurse, patient):
    view = intake.start(db, nurse, patient.id)
    data = complete_draft()
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=45)
    data["substances"]["rows"][0]["last_use"] = old.isoformat(timespec="minutes")
    intake.save_draft(db, nurse, view.id, view.version, data)
    intake.release(db, nurse, view.id)
    screen = start_assessment(qtbot, window)
    go(screen, "Substance use")
    note = by_name(screen, QLabel, "Last use 1 note")
    assert note.isVisible() and note.text().startswith("More than 30 days ago")

    go(screen, "Summary")
    pathway = by_name(screen, QComboBox, "Pathway")
    pathway.setCurrentIndex(pathway.findData("buprenorphine_induction"))
    qtbot.mouseClick(button(screen, "Sign\u2026"), Qt.MouseButton.LeftButton)
    dialog = screen.sign_dialog()
    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), STRONG_PASSWORD)
    qtbot.mouseClick(button(dialog, "Sign"), Qt.MouseButton.LeftButton)
    wait_answered(qtbot, dialog, "Sign")
    qtbot.waitUntil(lambda: screen.confirm_box() is not None and screen.confirm_box().isVisible())
    box = screen.confirm_box()
    assert "more than 30 days ago" in box.text()
    assert episodes.current_episode(db, nurse, patient.id).stage == "assessment"  # not yet
    with qtbot.waitSignal(screen.assessment_signed, timeout=5000):
        qtbot.mouseClick(button(box, "Confirm and sign"), Qt.MouseButton.LeftButton)
    assert episodes.current_episode(db, nurse, patient.id).stage == "stabilization"
    assert by_name(screen, QLabel, "Signed").text().startswith(f"Signed by {nurse.full_name} at ")
    assert not button(screen, "Edit registration\u2026").isVisible()
    screen.reject()


def test_a_second_nurse_sees_who_has_the_draft_open(qtbot, window, db, admin, nurse, patient):
    screen = start_assessment(qtbot, window)
    other = accounts.create_user(db, admin, "nurse2", "Noor Second", "nurse", STRONG_PASSWORD)
    second = MainWindow(db, SignedInUser(other.id, other.username, other.full_name, other.role))
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    second.search_for("I-1")
    second.open_patient()
    offer = shown_dialog(qtbot, second, "Assessment in progress")
    assert f"{nurse.full_name} has this assessment open on {intake.workstation_name()}" in offer.text()
    assert "Noor Second has" not in offer.text()
    offer.reject()
    qtbot.waitUntil(lambda: dialog_named(second, "Assessment in progress") is None)
    screen.reject()


def test_the_draft_is_saved_when_the_idle_lock_engages(qtbot, window, db, nurse):
    screen = start_assessment(qtbot, window)
    go(screen, "Medical and psychiatric")
    type_into(qtbot, by_name(screen, QLineEdit, "Allergies"), "latex")
    assert saved_data(db, nurse, screen).get("medical", {}).get("allergies") != "latex"  # timer not fired
    window.idle_lock.lock_now()
    assert window.idle_lock.is_locked()
    assert saved_data(db, nurse, screen)["medical"]["allergies"] == "latex"
    assert by_name(screen, QLabel, "Draft status").text().startswith("Draft saved ")
    window.idle_lock.stop()
    screen.reject()


SCORED_AT = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(hours=3)


def rich_draft() -> dict:
    """A draft touching every kind of field, including values a page keeps differently
    (seconds on a last use, a count beyond its box, an abnormal vital, optional scales)."""
    now = dt.datetime.now(dt.UTC)
    return complete_draft(
        identity={"consent_to_treatment": True},
        substances={"rows": [
            {"substance": "heroin", "route": "Injected", "amount": " 0.5 ", "unit": "g", "frequency": "daily",
             "years_of_use": 12, "last_use": (now - dt.timedelta(hours=16, seconds=17)).isoformat()},
            {"substance": "alcohol", "route": "Oral", "years_of_use": 300, "last_use": None},
            {"substance": "methadone", "last_use": (now - dt.timedelta(days=45)).isoformat()}],
            "prior_detox_episodes": 3, "prior_overdoses": 250, "last_overdose": "2025-02-03",
            "naloxone_at_home": True},
        medical={"conditions": "Hepatitis C ", "seizure_history": True, "pregnancy": "no",
                 "medications": "none", "allergies": "latex", "psychiatric_history": "depression",
                 "hepatic": "moderate", "renal": "kidneys", "egfr": 55, "qtc_ms": 999, "qtc_on": "2026-11-30"},
        vitals={"pulse": 124, "systolic": 128, "diastolic": 82, "respiratory_rate": 16,
                "temperature_c": 37.25, "spo2": 98},
        scores={"sows_gossop": {"feeling_sick": 2}, "ciwa_ar": {},
                "scored_at": {"cows": SCORED_AT.isoformat(), "sows_gossop": 5, "oows": now.isoformat()}},
        mental_health={"suicide_risk": "yes", "scored_at": {"phq9": "yesterday"}},
        social={"housing": "shelter", "supports": " sister "},
        summary={"pathway": "buprenorphine_induction"})


def test_sections_not_shown_yet_keep_their_draft_exactly_as_their_pages_would(qtbot, db, nurse, patient):
    """Pages are built when first shown; until then the draft must read the same as if they were."""
    started = intake.start(db, nurse, patient.id)
    intake.save_draft(db, nurse, started.id, started.version, rich_draft())
    screen = IntakeScreen(db, nurse, intake.open_assessment(db, nurse, started.episode_id),
                          patients.open_record(db, nurse, patient.id))
    qtbot.addWidget(screen)
    screen.show()
    before = screen.draft_data()
    assert "latex" in by_name(screen, QLabel, "Allergies").text()
    assert by_name(screen, QLabel, "Safety alert").isVisible()
    assert f"COWS 14 at {SCORED_AT.astimezone():%d %b %H:%M}" in screen.readiness_prompt().basis  # when it was scored
    for name, _label in rules.SECTIONS:
        screen.show_section(name)
    assert screen.draft_data() == before
    screen.reject()


def test_a_signed_assessment_shows_every_page_read_only(qtbot, db, nurse, patient):
    started = intake.start(db, nurse, patient.id)
    saved = intake.save_draft(db, nurse, started.id, started.version, complete_draft())
    intake.sign(db, nurse, started.id, saved.version, STRONG_PASSWORD, "buprenorphine_induction")
    screen = IntakeScreen(db, nurse, intake.open_assessment(db, nurse, started.episode_id),
                          patients.open_record(db, nurse, patient.id))
    qtbot.addWidget(screen)
    screen.show()
    assert screen.current_section() == "summary"
    go(screen, "Vitals")  # built after signing
    assert by_name(screen, QLineEdit, "Pulse").text() == "96"
    assert not by_name(screen, QLineEdit, "Pulse").isEnabled()
    go(screen, "Withdrawal scores")
    cows = by_name(screen, InstrumentEntry, "COWS")
    assert not cows.isEnabled() and cows.score().total == 14
    screen.reject()


def test_the_screen_is_made_of_one_section_object_per_core_section(qtbot, db, nurse, patient):
    from clinic_desktop.gui.intake import SECTION_CLASSES, IntakeSection

    assert [cls.name for cls in SECTION_CLASSES] == [name for name, _label in rules.SECTIONS]
    started = intake.start(db, nurse, patient.id)
    intake.save_draft(db, nurse, started.id, started.version, rich_draft())
    screen = IntakeScreen(db, nurse, intake.open_assessment(db, nurse, started.episode_id),
                          patients.open_record(db, nurse, patient.id))
    qtbot.addWidget(screen)
    now = dt.datetime.now(dt.UTC)
    data = screen.draft_data()
    for name, section in screen.sections.items():
        assert isinstance(section, IntakeSection) and section.name == name
        screen.show_section(name)
        assert section.read() == data[name]  # built and filled: the page gives back what was kept
        if name != "summary":
            assert section.validate(data, now) == rules.section_missing(name, data, now)
    screen.reject()
