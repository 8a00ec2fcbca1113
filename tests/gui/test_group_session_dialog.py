"""Patient → Group session… (#16 item 3), driven as a counselor would with the keyboard: type to
filter the census, Space to tick, write the group's topic and note and one patient's line, sign
with the password; each attendee gets one group session and one audit event under them. A note
naming an attendee is refused next to the note (nothing saved) until staff confirm the word is
not a name there; a wrong password keeps everything typed; a nurse has no such action."""

from __future__ import annotations

import datetime as dt

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPlainTextEdit, QSpinBox

from clinic_desktop.core.models import utcnow
from clinic_desktop.core.services import audit, support
from clinic_desktop.gui.group_session_dialog import NOT_A_NAME, GroupSessionDialog, name_words
from tests.factories import admit_without_intake
from tests.gui.conftest import shown_main_window
from tests.gui.helpers import (
    STRONG_PASSWORD,
    assert_gated,
    button,
    by_name,
    click,
    dialog_named,
    type_into,
)

PEOPLE = [("Ana", "Reyes"), ("Ben", "Okafor"), ("Hope", "Lindqvist"), ("Cruz", "Moreno")]


@pytest.fixture
def stay(db, admin):
    """Four patients in stabilization (and one still in assessment, who cannot attend)."""
    episodes = [admit_without_intake(db, admin, mrn=f"G-{n}", given=given, family=family)
                for n, (given, family) in enumerate(PEOPLE)]
    admit_without_intake(db, admin, mrn="G-9", given="Ida", family="Intake", stage="assessment")
    return episodes


def open_dialog(qtbot, db, user) -> GroupSessionDialog:
    window = shown_main_window(qtbot, db, user)
    action = window.actionGroupSession
    assert action.isVisible() and action.shortcut().toString() == "Ctrl+Shift+G"
    assert action in window.ui.menuPatient.actions()
    action.trigger()
    dialog = dialog_named(window, "Group session")
    assert isinstance(dialog, GroupSessionDialog)
    qtbot.waitExposed(dialog)
    return dialog


def tick(qtbot, dialog: GroupSessionDialog, search: str) -> None:
    """Type ``search`` in the filter, Down into the list, Space to tick the patient found."""
    type_into(qtbot, by_name(dialog, QLineEdit, "Filter attendees"), search, replace=True)
    qtbot.keyClick(dialog.filter, Qt.Key.Key_Down)
    assert dialog.attendees.hasFocus() or dialog.attendees.currentRow() in dialog.visible_rows()
    qtbot.keyClick(dialog.attendees, Qt.Key.Key_Space)


def fill(qtbot, dialog: GroupSessionDialog, note: str = "Sleep hygiene; urge surfing practised.") -> None:
    type_into(qtbot, by_name(dialog, QLineEdit, "Topic"), "Sleep and cravings")
    click(qtbot, by_name(dialog, QCheckBox, "Psychoeducation"))
    type_into(qtbot, by_name(dialog, QLineEdit, "Started at"), "now")
    type_into(qtbot, by_name(dialog, QSpinBox, "Duration"), "60", replace=True)
    type_into(qtbot, by_name(dialog, QPlainTextEdit, "Group note"), note)


def sign(qtbot, dialog: GroupSessionDialog, password: str = STRONG_PASSWORD) -> None:
    click(qtbot, button(dialog, "Save"))
    signer = dialog.sign_dialog()
    assert signer is not None and signer.windowTitle() == "Sign the group session"
    type_into(qtbot, by_name(signer, QLineEdit, "Password"), password)
    click(qtbot, button(signer, "Sign"))
    qtbot.waitUntil(lambda: dialog.sign_dialog() is None or button(signer, "Sign").isEnabled(), timeout=10000)


def closed(dialog: GroupSessionDialog) -> bool:
    """Saved: the dialog closed (and, forgotten by the window, deleted)."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def listed(dialog: GroupSessionDialog) -> list[str]:
    return [dialog.attendees.item(i).text().split(" \u2014 ")[0] for i in dialog.visible_rows()]


def test_type_to_filter_space_to_tick_sign_saves_one_session_per_attendee(qtbot, db, admin, counselor, stay):
    ana, ben, hope, cruz = stay
    dialog = open_dialog(qtbot, db, counselor)
    window = dialog.parentWidget()
    # the census of stabilization and transition only, by name
    assert listed(dialog) == ["Lindqvist, Hope", "Moreno, Cruz", "Okafor, Ben", "Reyes, Ana"]
    type_into(qtbot, dialog.filter, "G-1")  # by MRN
    assert listed(dialog) == ["Okafor, Ben"]
    tick(qtbot, dialog, "reyes")
    assert listed(dialog) == ["Reyes, Ana"]
    tick(qtbot, dialog, "ben oka")  # words in any order
    # typing in the list filters again; Up/Down move among the shown patients; ticks are kept
    qtbot.keyClicks(dialog.attendees, "l")
    assert dialog.filter.text() == "l" and dialog.focusWidget() is dialog.filter
    type_into(qtbot, dialog.filter, "", replace=True)
    qtbot.keyClick(dialog.filter, Qt.Key.Key_Backspace)
    assert len(listed(dialog)) == 4
    qtbot.keyClick(dialog.filter, Qt.Key.Key_Down)
    dialog.attendees.setCurrentRow(0)
    qtbot.keyClick(dialog.attendees, Qt.Key.Key_Down)  # Moreno, Cruz
    qtbot.keyClick(dialog.attendees, Qt.Key.Key_Up)  # back to Lindqvist, Hope
    qtbot.keyClick(dialog.attendees, Qt.Key.Key_Space)
    assert sorted(dialog.ticked()) == sorted([ana.id, ben.id, hope.id])
    assert by_name(dialog, QLabel, "Attendee count").text() == "3 attendees"
    # Space again unticks, and again ticks
    qtbot.keyClick(dialog.attendees, Qt.Key.Key_Space)
    assert by_name(dialog, QLabel, "Attendee count").text() == "2 attendees"
    qtbot.keyClick(dialog.attendees, Qt.Key.Key_Space)
    fill(qtbot, dialog)
    # a line for each ticked patient only
    line = by_name(dialog, QLineEdit, "Line for Reyes, Ana")
    assert line.isVisibleTo(dialog) and not by_name(dialog, QLineEdit, "Line for Moreno, Cruz").isVisibleTo(dialog)
    type_into(qtbot, line, "Shared her evening routine")
    sign(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog_named(window, "Group session") is None, timeout=10000)
    assert window.statusBar().currentMessage() == "Group session saved for 3 patients"
    for episode, words in ((ana, "Shared her evening routine"), (ben, ""), (hope, "")):
        [saved] = support.sessions(db, counselor, episode.id)
        assert (saved.kind, saved.group_topic, saved.group_note, saved.patient_words, saved.duration_min,
                saved.approaches) == ("group", "Sleep and cravings", "Sleep hygiene; urge surfing practised.",
                                      words, 60, ("psychoeducation",))
    assert support.sessions(db, counselor, cruz.id) == []
    events = [e for e in audit.recent(db, admin) if e.action == "session.recorded"]
    assert sorted(e.patient_id for e in events) == sorted(e.patient_id for e in (ana, ben, hope))


def test_a_note_naming_an_attendee_is_refused_next_to_it_until_confirmed_not_a_name(
        qtbot, db, admin, counselor, stay):
    ana, _ben, hope, _cruz = stay
    dialog = open_dialog(qtbot, db, counselor)
    tick(qtbot, dialog, "Reyes")
    tick(qtbot, dialog, "Lindqvist")
    fill(qtbot, dialog, note="We talked about hope and the next steps.")
    sign(qtbot, dialog)
    qtbot.waitUntil(lambda: by_name(dialog, QLabel, "Group note error").isVisible(), timeout=10000)
    message = by_name(dialog, QLabel, "Group note error").text()
    assert "\u201cHope\u201d" in message and "attendee's name" in message
    assert dialog.sign_dialog() is None and dialog.isVisible()
    for episode in (ana, hope):
        assert support.sessions(db, counselor, episode.id) == []
    # everything typed is kept
    assert dialog.note.toPlainText() == "We talked about hope and the next steps."
    assert dialog.topic.text() == "Sleep and cravings" and sorted(dialog.ticked()) == sorted([ana.id, hope.id])
    offer = button(dialog, NOT_A_NAME)
    assert offer.isVisible()
    click(qtbot, offer)
    signer = dialog.sign_dialog()  # the password is asked again, never kept from the first try
    assert signer is not None
    type_into(qtbot, by_name(signer, QLineEdit, "Password"), STRONG_PASSWORD)
    click(qtbot, button(signer, "Sign"))
    qtbot.waitUntil(lambda: closed(dialog), timeout=10000)
    for episode in (ana, hope):
        [saved] = support.sessions(db, counselor, episode.id)
        assert saved.group_note == "We talked about hope and the next steps."


def test_a_line_naming_another_attendee_is_refused_under_that_line(qtbot, db, counselor, stay):
    ana, ben, *_ = stay
    dialog = open_dialog(qtbot, db, counselor)
    tick(qtbot, dialog, "Reyes")
    tick(qtbot, dialog, "Okafor")
    fill(qtbot, dialog)
    type_into(qtbot, by_name(dialog, QLineEdit, "Line for Okafor, Ben"), "Agreed with Ana")
    type_into(qtbot, by_name(dialog, QLineEdit, "Line for Reyes, Ana"), "Ana led the breathing")  # her own name
    sign(qtbot, dialog)
    error = by_name(dialog, QLabel, "Line for Okafor, Ben error")
    qtbot.waitUntil(error.isVisible, timeout=10000)
    assert "\u201cAna\u201d" in error.text()
    assert support.sessions(db, counselor, ana.id) == support.sessions(db, counselor, ben.id) == []
    assert button(dialog, NOT_A_NAME).isVisible()


def test_a_wrong_password_keeps_everything_typed(qtbot, db, counselor, stay):
    ana, *_ = stay
    dialog = open_dialog(qtbot, db, counselor)
    tick(qtbot, dialog, "Reyes")
    fill(qtbot, dialog)
    type_into(qtbot, by_name(dialog, QLineEdit, "Line for Reyes, Ana"), "Quiet today")
    sign(qtbot, dialog, password="not my password")
    signer = dialog.sign_dialog()
    assert signer is not None and by_name(signer, QLabel, "Password error").isVisible()
    assert support.sessions(db, counselor, ana.id) == []
    signer.reject()
    qtbot.waitUntil(lambda: dialog.sign_dialog() is None, timeout=3000)
    assert dialog.isVisible() and dialog.topic.text() == "Sleep and cravings"
    assert dialog.note.toPlainText() == "Sleep hygiene; urge surfing practised."
    assert by_name(dialog, QLineEdit, "Line for Reyes, Ana").text() == "Quiet today"
    assert dialog.ticked() == [ana.id] and dialog.duration.value() == 60
    sign(qtbot, dialog)
    qtbot.waitUntil(lambda: closed(dialog), timeout=10000)
    assert [s.patient_words for s in support.sessions(db, counselor, ana.id)] == ["Quiet today"]


def test_missing_topic_attendees_and_length_are_said_next_to_their_fields_before_the_password(
        qtbot, db, counselor, stay):
    dialog = open_dialog(qtbot, db, counselor)
    click(qtbot, button(dialog, "Save"))
    assert dialog.sign_dialog() is None
    for name in ("Attendees", "Topic", "Duration", "Started at"):
        assert by_name(dialog, QLabel, f"{name} error").isVisible(), name
    tick(qtbot, dialog, "Reyes")
    assert not by_name(dialog, QLabel, "Attendees error").isVisible()  # ticking clears it


def test_a_start_more_than_a_day_ago_asks_why_it_is_entered_late(qtbot, db, counselor, stay):
    dialog = open_dialog(qtbot, db, counselor)
    reason = by_name(dialog, QLineEdit, "Why entered late")
    assert not reason.isVisibleTo(dialog)
    dialog.started.set_datetime(utcnow() - dt.timedelta(hours=25))
    assert reason.isVisibleTo(dialog)
    dialog.started.set_datetime(utcnow() - dt.timedelta(hours=23))
    assert not reason.isVisibleTo(dialog)


def test_twelve_attendees_save_in_one_go(qtbot, db, admin, counselor):
    stay = [admit_without_intake(db, admin, mrn=f"T-{n:02}", given=f"Given{chr(65 + n)}",
                                 family=f"Family{chr(65 + n)}") for n in range(12)]
    dialog = open_dialog(qtbot, db, counselor)
    dialog.attendees.setFocus()
    dialog.attendees.setCurrentRow(0)
    for _ in range(12):
        qtbot.keyClick(dialog.attendees, Qt.Key.Key_Space)
        qtbot.keyClick(dialog.attendees, Qt.Key.Key_Down)
    assert by_name(dialog, QLabel, "Attendee count").text() == "12 attendees"
    fill(qtbot, dialog)
    sign(qtbot, dialog)
    qtbot.waitUntil(lambda: closed(dialog), timeout=10000)
    assert all(len(support.sessions(db, counselor, e.id)) == 1 for e in stay)


def test_cancel_after_ticking_asks_before_discarding(qtbot, db, counselor, stay):
    dialog = open_dialog(qtbot, db, counselor)
    dialog.reject()
    assert closed(dialog)  # nothing ticked or typed: closes at once
    dialog = open_dialog(qtbot, db, counselor)
    tick(qtbot, dialog, "Reyes")
    dialog.reject()
    qtbot.waitUntil(lambda: dialog.discard_question() is not None, timeout=3000)
    assert dialog.isVisible() and dialog.ticked() == [stay[0].id]
    dialog.discard_question().reject()


def test_a_nurse_sees_the_group_session_action_greyed_out_saying_who_may(qtbot, db, nurse, stay):
    window = shown_main_window(qtbot, db, nurse)
    assert_gated(window.actionGroupSession, nurse, "sessions.counsel")
    assert window.actionGroupSession.toolTip() == ("Only administrators and counselors may record counseling, "
                                                   "group and family sessions.")
    window.actionGroupSession.trigger()  # even by its shortcut's action: nothing opens
    assert dialog_named(window, "Group session") is None


def test_only_name_refusals_offer_to_keep_the_word():
    note = "The group note contains \u201cHope\u201d, an attendee's name; every attendee's record shows it."
    line = "This line contains \u201cAna\u201d and \u201cReyes\u201d, another attendee's name."
    assert name_words({"note": note, "lines.3": line}) == ["Hope", "Ana", "Reyes"]
    assert name_words({"note": note, "topic": "Write the group's topic."}) is None
    assert name_words({"attendees": "A ticked patient was discharged; untick them."}) is None
    assert name_words({}) is None
