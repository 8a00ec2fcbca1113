"""Entering instruments in ``InstrumentEntry`` by keyboard and mouse, as a nurse would.

Keys go to the widget that has the focus (``QApplication.focusWidget()``), so each test also
checks where the focus moved.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QPushButton, QWidget

from clinic_desktop.core.instruments import all_instruments, get_instrument
from clinic_desktop.gui.instrument_dialog import InstrumentDialog
from clinic_desktop.gui.widgets.instrument_entry import InstrumentEntry
from tests.gui.helpers import button, by_name, click

DIGIT_KEYS = {d: getattr(Qt.Key, f"Key_{d}") for d in range(10)}

# A full COWS: 2+1+3+1+2+1+2+1+1+2+0 = 16, "moderate" (13-24).
COWS_ANSWERS = {
    "resting_pulse": 2, "sweating": 1, "restlessness": 3, "pupil_size": 1,
    "bone_joint_aches": 2, "runny_nose_tearing": 1, "gi_upset": 2, "tremor": 1, "yawning": 1,
    "anxiety_irritability": 2, "gooseflesh": 0,
}


def activate(qtbot, window: QWidget) -> None:
    """Make ``window`` the active window, so that the keyboard focus is really in it."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)


@pytest.fixture
def open_entry(qtbot):
    def make(instrument_id: str) -> InstrumentEntry:
        entry = InstrumentEntry(instrument_id)
        qtbot.addWidget(entry)
        entry.resize(900, 700)
        entry.show()
        qtbot.waitExposed(entry)
        activate(qtbot, entry)
        return entry

    return make


def row(entry: QWidget, label: str) -> QFrame:
    return by_name(entry, QFrame, label)


def row_of(entry: InstrumentEntry, item_id: str) -> QFrame:
    return row(entry, entry.instrument.item(item_id).label)


def total(entry: QWidget) -> QLabel:
    return by_name(entry, QLabel, "Total")


def focused(entry: InstrumentEntry, expected: QWidget) -> QWidget:
    """The widget with the keyboard focus, which must be ``expected``."""
    widget = QApplication.focusWidget()
    assert widget is expected, f"focus on {widget and widget.accessibleName()!r}"
    return widget


def type_digit(qtbot, entry: InstrumentEntry, item_id: str, digit: int) -> None:
    """Type one digit into the item that has the focus (which must be ``item_id``)."""
    qtbot.keyClick(focused(entry, row_of(entry, item_id)), DIGIT_KEYS[digit])


def test_a_full_cows_is_eleven_key_presses(qtbot, open_entry):
    entry = open_entry("cows")
    cows = get_instrument("cows")
    expected = cows.score(COWS_ANSWERS)
    assert (expected.total, expected.band_label) == (16, "moderate")
    entry.focus_first()
    for item in cows.items[:-1]:
        type_digit(qtbot, entry, item.id, COWS_ANSWERS[item.id])
    last = cows.items[-1].id
    with qtbot.waitSignal(entry.score_changed, timeout=2000) as changed:
        type_digit(qtbot, entry, last, COWS_ANSWERS[last])

    assert entry.items() == COWS_ANSWERS
    assert list(entry.items()) == list(cows.item_ids)  # instrument order
    score = changed.args[0]
    assert score == entry.score() == expected
    assert score.complete and score.band == "moderate"
    assert total(entry).text() == "Total 16 — moderate"
    focused(entry, row_of(entry, last))  # the last digit leaves the focus on the last item
    for item in cows.items:
        chosen = by_name(entry, QPushButton, f"{item.label}: {COWS_ANSWERS[item.id]}")
        assert chosen.isChecked()


def test_score_changed_follows_every_change(qtbot, open_entry):
    entry = open_entry("cows")
    seen = []
    entry.score_changed.connect(seen.append)
    entry.focus_first()
    type_digit(qtbot, entry, "resting_pulse", 1)
    type_digit(qtbot, entry, "sweating", 0)
    assert [s.total for s in seen] == [1, 1]
    assert [s.answered for s in seen] == [1, 2]


def test_a_complete_score_below_every_band(qtbot, open_entry):
    entry = open_entry("cows")
    entry.focus_first()
    for item_id in get_instrument("cows").item_ids:
        type_digit(qtbot, entry, item_id, 0)
    assert entry.score().complete
    assert total(entry).text() == "Total 0 — no active withdrawal"


def test_a_partial_entry_is_incomplete_and_has_no_band(qtbot, open_entry):
    entry = open_entry("cows")
    assert total(entry).text() == "Total 0 so far — incomplete: 11 items missing"
    entry.focus_first()
    for item_id in list(COWS_ANSWERS)[:9]:
        type_digit(qtbot, entry, item_id, 4 if item_id == "resting_pulse" else 1)
    score = entry.score()
    assert not score.complete and score.band is None and score.band_label is None
    assert score.missing == ("anxiety_irritability", "gooseflesh")
    assert total(entry).text() == "Total 12 so far — incomplete: 2 items missing"
    assert "mild" not in total(entry).text()  # 12 would be "mild" if it were complete


def test_a_digit_the_item_does_not_allow_is_refused(qtbot, open_entry):
    entry = open_entry("cows")
    pulse = row_of(entry, "resting_pulse")
    entry.focus_item("resting_pulse")
    with qtbot.assertNotEmitted(entry.score_changed):
        qtbot.keyClick(focused(entry, pulse), Qt.Key.Key_3)

    assert entry.items() == {}
    message = by_name(entry, QLabel, f"{pulse.accessibleName()} error")
    assert message.isVisible()
    assert message.text() == "3 is not a score for Resting pulse rate: choose 0, 1, 2 or 4"
    assert message.property("role") == "error"
    assert pulse.property("refused") is True  # the visual cue: a red frame
    assert pulse.accessibleDescription() == message.text()
    focused(entry, pulse)  # the focus stays

    type_digit(qtbot, entry, "resting_pulse", 2)  # an allowed score clears the message
    assert entry.items() == {"resting_pulse": 2}
    assert not message.isVisible() and not pulse.property("refused")
    focused(entry, row_of(entry, "sweating"))


def test_backspace_and_delete_clear_an_item(qtbot, open_entry):
    entry = open_entry("cows")
    entry.focus_first()
    type_digit(qtbot, entry, "resting_pulse", 1)
    type_digit(qtbot, entry, "sweating", 3)
    sweating = focused(entry, row_of(entry, "restlessness"))
    qtbot.keyClick(sweating, Qt.Key.Key_Up)
    sweating = focused(entry, row_of(entry, "sweating"))
    with qtbot.waitSignal(entry.score_changed, timeout=2000) as changed:
        qtbot.keyClick(sweating, Qt.Key.Key_Backspace)
    assert entry.items() == {"resting_pulse": 1}
    assert changed.args[0].total == 1
    assert not any(b.isChecked() for b in sweating.findChildren(QPushButton))
    focused(entry, sweating)  # clearing does not move on
    qtbot.keyClick(sweating, Qt.Key.Key_Up)
    pulse = focused(entry, row_of(entry, "resting_pulse"))
    qtbot.keyClick(pulse, Qt.Key.Key_Delete)
    assert entry.items() == {}


def test_up_and_down_move_between_items_and_stop_at_the_ends(qtbot, open_entry):
    entry = open_entry("gad7")
    labels = [item.label for item in get_instrument("gad7").items]
    entry.focus_first()
    qtbot.keyClick(focused(entry, row(entry, labels[0])), Qt.Key.Key_Up)
    current = focused(entry, row(entry, labels[0]))
    for label in labels[1:]:
        qtbot.keyClick(current, Qt.Key.Key_Down)
        current = focused(entry, row(entry, label))
    qtbot.keyClick(current, Qt.Key.Key_Down)
    focused(entry, row(entry, labels[-1]))
    qtbot.keyClick(current, Qt.Key.Key_Home)
    focused(entry, row(entry, labels[0]))
    assert entry.items() == {}  # moving never answers


def test_tab_and_shift_tab_go_from_item_to_item(qtbot, open_entry):
    entry = open_entry("oows")
    labels = [item.label for item in get_instrument("oows").items]
    entry.focus_first()
    qtbot.keyClick(focused(entry, row(entry, labels[0])), Qt.Key.Key_Tab)
    second = focused(entry, row(entry, labels[1]))
    qtbot.keyClick(second, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    focused(entry, row(entry, labels[0]))


def test_left_right_walk_the_scores_and_space_or_enter_chooses(qtbot, open_entry):
    entry = open_entry("cows")
    pulse = row_of(entry, "resting_pulse")
    label = pulse.accessibleName()
    entry.focus_first()
    qtbot.keyClick(focused(entry, pulse), Qt.Key.Key_Right)
    zero = focused(entry, by_name(entry, QPushButton, f"{label}: 0"))
    qtbot.keyClick(zero, Qt.Key.Key_Right)
    one = focused(entry, by_name(entry, QPushButton, f"{label}: 1"))
    qtbot.keyClick(one, Qt.Key.Key_Right)
    two = focused(entry, by_name(entry, QPushButton, f"{label}: 2"))
    assert entry.items() == {}  # walking does not choose
    qtbot.keyClick(two, Qt.Key.Key_Space)
    assert entry.items() == {"resting_pulse": 2} and two.isChecked()
    focused(entry, two)  # Space chooses and stays
    qtbot.keyClick(two, Qt.Key.Key_Left)
    one = focused(entry, by_name(entry, QPushButton, f"{label}: 1"))
    qtbot.keyClick(one, Qt.Key.Key_Return)
    assert entry.items() == {"resting_pulse": 1}
    focused(entry, row_of(entry, "sweating"))  # Enter chooses and moves on
    qtbot.keyClick(row_of(entry, "sweating"), Qt.Key.Key_Up)
    qtbot.keyClick(focused(entry, pulse), Qt.Key.Key_Right)  # back to the chosen score
    focused(entry, one)


def test_a_mouse_click_chooses_a_score(qtbot, open_entry):
    entry = open_entry("cows")
    label = entry.instrument.item("gi_upset").label
    five = by_name(entry, QPushButton, f"{label}: 5")
    with qtbot.waitSignal(entry.score_changed, timeout=2000):
        click(qtbot, five)
    assert entry.items() == {"gi_upset": 5} and five.isChecked()
    three = by_name(entry, QPushButton, f"{label}: 3")
    click(qtbot, three)
    assert entry.items() == {"gi_upset": 3}
    assert three.isChecked() and not five.isChecked()
    with qtbot.assertNotEmitted(entry.score_changed):
        click(qtbot, three)  # the chosen score again: no change
    assert entry.items() == {"gi_upset": 3}


def test_phq9_by_keyboard(qtbot, open_entry):
    entry = open_entry("phq9")
    phq9 = get_instrument("phq9")
    answers = dict(zip(phq9.item_ids, [1, 2, 3, 1, 0, 2, 1, 0, 0], strict=True))
    entry.focus_first()
    qtbot.keyClick(focused(entry, row_of(entry, "interest")), Qt.Key.Key_4)  # 0-3 only
    assert by_name(entry, QLabel, f"{phq9.item('interest').label} error").text() == (
        "4 is not a score for Little interest or pleasure in doing things: choose 0, 1, 2 or 3")
    for item_id, digit in answers.items():
        type_digit(qtbot, entry, item_id, digit)
    assert entry.items() == answers
    assert entry.score() == phq9.score(answers)
    assert total(entry).text() == "Total 10 — moderate"


def test_ciwa_ar_by_keyboard(qtbot, open_entry):
    entry = open_entry("ciwa_ar")
    ciwa = get_instrument("ciwa_ar")
    entry.focus_first()
    type_digit(qtbot, entry, "nausea_vomiting", 7)  # one key for 7
    assert entry.items() == {"nausea_vomiting": 7}
    for item_id in ciwa.item_ids[1:-1]:
        type_digit(qtbot, entry, item_id, 1)
    orientation = focused(entry, row_of(entry, "orientation"))
    qtbot.keyClick(orientation, Qt.Key.Key_5)  # orientation is 0-4
    assert "orientation" not in entry.items()
    assert by_name(entry, QLabel, f"{orientation.accessibleName()} error").text() == (
        "5 is not a score for Orientation and clouding of sensorium: choose 0, 1, 2, 3 or 4")
    focused(entry, orientation)
    assert total(entry).text() == "Total 15 so far — incomplete: 1 item missing"
    type_digit(qtbot, entry, "orientation", 4)
    expected = ciwa.score(entry.items())
    assert entry.score() == expected and expected.total == 19
    assert total(entry).text() == "Total 19 — severe"


@pytest.mark.parametrize("instrument", all_instruments(), ids=lambda i: i.id)
def test_every_item_and_score_button_is_named(qtbot, instrument):
    entry = InstrumentEntry(instrument.id)
    qtbot.addWidget(entry)
    rows = [w for w in entry.findChildren(QFrame) if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert [r.accessibleName() for r in rows] == [item.label for item in instrument.items]
    for item in instrument.items:
        item_row = row(entry, item.label)
        assert item_row.toolTip() == item.help
        buttons = item_row.findChildren(QPushButton)
        assert [(b.accessibleName(), b.accessibleDescription()) for b in buttons] == [
            (f"{item.label}: {score}", anchor) for score, anchor in item.options]
    assert total(entry).accessibleName() == "Total"
    focusable = [w for w in entry.findChildren(QWidget)
                 if w.focusPolicy() != Qt.FocusPolicy.NoFocus]
    assert all(w.accessibleName() for w in focusable)


def test_set_items_clear_and_focus_item(qtbot, open_entry):
    entry = open_entry("gad7")
    with qtbot.waitSignal(entry.score_changed, timeout=2000) as changed:
        entry.set_items({"nervous": 3, "afraid": 2, "restless": None})
    assert entry.items() == {"nervous": 3, "afraid": 2}
    assert changed.args[0].total == 5
    with pytest.raises(ValueError):
        entry.set_items({"nervous": 4})
    with pytest.raises(ValueError):
        entry.set_items({"no_such_item": 1})
    assert entry.items() == {"nervous": 3, "afraid": 2}  # a refused mapping changes nothing
    entry.set_items({"irritable": 1})  # replaces, not merges
    assert entry.items() == {"irritable": 1}
    entry.focus_item("restless")
    focused(entry, row_of(entry, "restless"))
    with pytest.raises(ValueError):
        entry.focus_item("gooseflesh")
    entry.clear()
    assert entry.items() == {} and not entry.score().answered
    assert total(entry).text() == "Total 0 so far — incomplete: 7 items missing"


def test_the_dialog_hosts_the_entry_and_saves_nothing(qtbot):
    dialog = InstrumentDialog("cows", title="COWS — Ada Example")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    assert dialog.windowTitle() == "COWS — Ada Example"
    assert isinstance(dialog.entry, InstrumentEntry)
    assert total(dialog).isVisible()  # beside the buttons, outside the scroll area
    pulse = row_of(dialog.entry, "resting_pulse")
    qtbot.keyClick(focused(dialog.entry, pulse), Qt.Key.Key_2)
    assert total(dialog).text() == "Total 2 so far — incomplete: 10 items missing"
    click(qtbot, button(dialog, "Done"))
    assert dialog.result() == InstrumentDialog.DialogCode.Accepted
    assert dialog.entry.items() == {"resting_pulse": 2}

    other = InstrumentDialog("phq9")
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    assert other.windowTitle() == "PHQ-9"
    click(qtbot, button(other, "Cancel"))
    assert other.result() == InstrumentDialog.DialogCode.Rejected


def test_a_score_button_paints_its_score_and_wraps_its_anchor(qtbot, open_entry):
    """The button paints "score — anchor" itself: in the ink, white once chosen, greyed when the
    entry is read-only; narrowed, the anchor wraps and the button grows taller."""
    from clinic_desktop.gui import theme

    entry = open_entry("cows")
    choice = by_name(entry, QPushButton, f"{get_instrument('cows').items[1].label}: 1")  # a long anchor
    assert choice.heightForWidth(110) > choice.heightForWidth(600) >= choice.minimumSizeHint().height()

    def painted(button) -> set[str]:
        image = button.grab().toImage()
        return {image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())}

    assert theme.colour("ink").name() in painted(choice)
    click(qtbot, choice)
    assert choice.isChecked() and theme.colour("on_accent").name() in painted(choice)
    entry.setEnabled(False)
    other = by_name(entry, QPushButton, f"{get_instrument('cows').items[1].label}: 0")
    assert theme.colour("disabled_ink").name() in painted(other)
