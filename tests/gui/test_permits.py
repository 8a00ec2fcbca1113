"""gate(): what a role may not do is greyed out and says who may; what it may, keeps its own tip."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from clinic_desktop.core.permissions import SignedInUser, who_may
from clinic_desktop.core.vocab import Role
from clinic_desktop.gui.widgets.permits import gate

NURSE = SignedInUser(1, "n", "Nora Nurse", Role.NURSE)
PRESCRIBER = SignedInUser(2, "p", "Pat Prescriber", Role.PRESCRIBER)


def test_a_button_the_role_may_not_use_is_shown_greyed_out_saying_who_may(qtbot):
    panel = QWidget()
    qtbot.addWidget(panel)
    b = QPushButton("New order\u2026", panel)
    b.setToolTip("Write a new order")
    b.setVisible(False)
    assert gate(b, NURSE, "medications.order") is False
    assert not b.isHidden() and not b.isEnabled()
    assert b.toolTip() == who_may("medications.order") == "Only prescribers may write medication orders."


def test_the_role_that_may_keeps_the_own_tooltip_and_the_rest_of_the_rule(qtbot):
    b = QPushButton("Change order\u2026")
    qtbot.addWidget(b)
    b.setToolTip("Change the selected order")
    assert gate(b, PRESCRIBER, "medications.order", enabled=False) is True  # nothing selected
    assert not b.isEnabled() and b.toolTip() == "Change the selected order"
    gate(b, PRESCRIBER, "medications.order", enabled=True)
    assert b.isEnabled() and b.toolTip() == "Change the selected order"
    # The same widget gated for someone who may not, then again for someone who may: its own tip back.
    gate(b, NURSE, "medications.order")
    assert b.toolTip() == who_may("medications.order")
    gate(b, PRESCRIBER, "medications.order")
    assert b.toolTip() == "Change the selected order"


def test_an_action_says_who_may_in_its_status_tip_too(qtbot):
    action = QAction("&Group session\u2026")
    action.setStatusTip("Record one group session for every patient who attended")
    action.setVisible(False)
    gate(action, NURSE, "sessions.counsel")
    assert action.isVisible() and not action.isEnabled()
    assert action.toolTip() == action.statusTip() == "Only administrators and counselors may record counseling, " \
        "group and family sessions."
    gate(action, SignedInUser(3, "c", "Cal Counselor", Role.COUNSELOR), "sessions.counsel")
    assert action.isEnabled()
    assert action.statusTip() == "Record one group session for every patient who attended"


def test_a_button_not_yet_in_its_layout_is_not_opened_as_a_window_of_its_own(qtbot):
    b = QPushButton("Give\u2026")
    gate(b, NURSE, "medications.order")
    assert not b.isVisible() and not b.isEnabled()  # not shown on its own...
    panel = QWidget()
    qtbot.addWidget(panel)
    QHBoxLayout(panel).addWidget(b)
    panel.show()
    qtbot.waitExposed(panel)
    assert b.isVisible() and not b.isEnabled()  # ...but with its panel, greyed out
