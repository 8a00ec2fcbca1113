"""Admin → Clinic settings and Protocol settings share one layout (gui.widgets.settings_page):
the same group box look and title form, one label column per dialog, spin boxes one width with
their numbers right-aligned, the same form margins."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QFormLayout, QGroupBox

from clinic_desktop.gui.clinic_settings_dialog import ClinicSettingsDialog
from clinic_desktop.gui.protocol_settings_dialog import ProtocolSettingsDialog
from clinic_desktop.gui.widgets.settings_page import (
    FORM_MARGINS,
    LABEL_WIDTH,
    SPIN_WIDTH,
    form_labels,
)

#: Sentence case, no colon or full stop at the end: "Sign-in and screen lock", "Usual dose range".
TITLE = re.compile(r"[A-Z][a-z]*(?:[- ][a-z0-9-]+)*")


@pytest.fixture
def dialogs(qtbot, db, admin):
    shown = []
    for cls in (ClinicSettingsDialog, ProtocolSettingsDialog):
        dialog = cls(db, admin)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        shown.append(dialog)
    return shown


def test_both_dialogs_spin_boxes_are_one_width_and_right_aligned(dialogs):
    for dialog in dialogs:
        spins = dialog.findChildren(QAbstractSpinBox)
        assert spins, type(dialog).__name__
        for spin in spins:
            assert spin.width() == SPIN_WIDTH, spin.accessibleName()
            assert spin.alignment() == Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, \
                spin.accessibleName()


def test_both_dialogs_groups_have_one_look_and_one_title_form(dialogs):
    fonts = set()
    for dialog in dialogs:
        for box in dialog.findChildren(QGroupBox):
            title = box.title().replace("&", "")
            assert TITLE.fullmatch(title), title
            assert box.accessibleName() == title
            assert box.property("role") == "settings"
            assert box.layout().contentsMargins().left() == FORM_MARGINS[0]
            assert box.layout().contentsMargins().top() == FORM_MARGINS[1]
            fonts.add((box.font().pointSizeF(), box.font().weight()))
    assert len(fonts) == 1  # the same title type in both dialogs, from the one style sheet rule


def test_each_dialog_has_one_label_column_left_aligned(dialogs):
    for dialog in dialogs:
        forms = [f for f in dialog.findChildren(QFormLayout) if form_labels(f)]
        widths = {label.width() for form in forms for label in form_labels(form)}
        assert len(widths) == 1 and widths.pop() <= LABEL_WIDTH, type(dialog).__name__
        for form in forms:
            assert form.labelAlignment() & Qt.AlignmentFlag.AlignLeading
            assert form.labelAlignment() & Qt.AlignmentFlag.AlignVCenter
