"""Required fields are marked (`` *`` after the caption, "Required" in the accessible
description) from the same core rule that refuses signing the intake or finalizing the plan, so
the mark and the refusal never disagree."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import vitals
from clinic_desktop.core.services import patients
from clinic_desktop.gui.intake import SubstanceRow
from clinic_desktop.gui.intake_screen import IntakeScreen
from clinic_desktop.gui.widgets.instrument_entry import InstrumentEntry
from clinic_desktop.gui.widgets.required import MARK, REQUIRED, caption_of, legend, set_required
from tests.gui import helpers
from tests.gui.helpers import STRONG_PASSWORD, button, by_name, click, go, type_into

#: Each field the intake's rule requires → how a screen reader finds it (class, accessible name).
INTAKE_FIELDS: dict[str, tuple[type[QWidget], str]] = {
    "identity.consent_to_treatment": (QCheckBox, "Consent to treatment recorded"),
    "substances.rows": (QComboBox, "Substance 1"),  # at least one: the first row's
    "medical.pregnancy": (QComboBox, "Pregnancy status"),
    "medical.allergies": (QLineEdit, "Allergies"),
    **{f"vitals.{vid}": (QLineEdit, vitals.VITALS_BY_ID[vid].label) for vid in rules.REQUIRED_VITALS},
    "scores.cows": (InstrumentEntry, "COWS"),
    "mental_health.phq9": (InstrumentEntry, "PHQ-9"),
    "mental_health.gad7": (InstrumentEntry, "GAD-7"),
    "mental_health.suicide_risk": (QGroupBox, "Thoughts of suicide or self-harm now?"),
    "summary.pathway": (QComboBox, "Pathway"),
}


@pytest.fixture
def patient(db, nurse):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="R-1", given_name="Rowan", family_name="Marks", date_of_birth=dt.date(1990, 4, 5),
        sex="unknown"))


def found(root: QWidget, key: str, fields: dict[str, tuple[type[QWidget], str]]) -> QWidget:
    qt_class, name = fields[key]
    if qt_class is QAbstractButton:
        return button(root, name)
    return by_name(root, qt_class, name)


def caption_text(widget: QWidget) -> str:
    caption = caption_of(widget)
    assert caption is not None, f"{widget.accessibleName()!r} has no caption"
    if isinstance(caption, QGroupBox):
        return caption.title()
    assert isinstance(caption, (QLabel, QAbstractButton))
    return caption.text()


def description(widget: QWidget) -> str:
    """The description a screen reader reads with the input (a date field's is its line edit's)."""
    caption = caption_of(widget)
    buddy = caption.buddy() if isinstance(caption, QLabel) else None
    return (buddy if buddy is not None else widget).accessibleDescription()


def marked(widget: QWidget) -> bool:
    """Both marks, or neither: a half-marked field fails here."""
    star = caption_text(widget).endswith(MARK)
    said = description(widget).startswith(REQUIRED)
    assert star == said, f"{widget.accessibleName()!r}: caption {caption_text(widget)!r}, " \
                         f"description {description(widget)!r}"
    return star


def marked_names(root: QWidget) -> set[str]:
    """Every input under ``root`` that says it is required (its accessible name)."""
    return {w.accessibleName() for w in root.findChildren(QWidget)
            if w.accessibleDescription().startswith(REQUIRED)}


# --- the helper ---------------------------------------------------------------------------------

def test_marking_is_idempotent_keeps_the_description_and_unmarks_cleanly(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    caption = QLabel("Allergies", host)
    edit = QLineEdit(host)
    edit.setAccessibleDescription("Write none known if there are none")
    caption.setBuddy(edit)
    assert set_required(edit) and set_required(edit)
    assert caption.text() == "Allergies *"
    assert edit.accessibleDescription() == "Required. Write none known if there are none"
    set_required(edit, False)
    assert caption.text() == "Allergies"
    assert edit.accessibleDescription() == "Write none known if there are none"
    lonely = QLineEdit(host)  # no caption: nothing to mark, and it says so
    assert not set_required(lonely)
    assert lonely.accessibleDescription() == ""
    assert legend().text() == "* required" and legend().property("role") == "hint"


# --- the intake ---------------------------------------------------------------------------------

def open_intake(qtbot, window) -> IntakeScreen:
    return helpers.start_assessment(qtbot, window, "R-1")


def test_every_field_the_intake_requires_is_marked_and_no_other(qtbot, window):
    assert set(INTAKE_FIELDS) == set(rules.REQUIRED), "a required field of the core with no widget here"
    screen = open_intake(qtbot, window)
    for name, label in rules.SECTIONS:
        go(screen, label)
        section = screen.sections[name]
        assert section.required_marks.unplaced == []
        page = screen.pages.currentWidget()
        keys = [k for k in rules.REQUIRED if k.split(".")[0] == name]
        for key in keys:
            assert marked(found(screen, key, INTAKE_FIELDS)), key
        legends = [lab for lab in page.findChildren(QLabel) if lab.text() == "* required"
                   and lab.isVisibleTo(page)]
        assert len(legends) == (1 if keys else 0), label
    expected = {INTAKE_FIELDS[k][1] for k in rules.REQUIRED}
    assert marked_names(screen) == expected
    # not required: neither mark
    go(screen, "Medical and psychiatric")
    for name in ("Medical conditions", "Current medications", "Psychiatric history"):
        assert not marked(by_name(screen, QPlainTextEdit, name))
    go(screen, "Vitals")
    assert not marked(by_name(screen, QLineEdit, vitals.VITALS_BY_ID["weight_kg"].label))


def test_a_substance_row_needs_its_last_use_once_a_substance_is_chosen(qtbot, window):
    screen = open_intake(qtbot, window)
    go(screen, "Substance use")
    assert len(screen.findChildren(SubstanceRow)) == 1  # a blank first row
    assert marked(by_name(screen, QComboBox, "Substance 1"))
    assert not marked(by_name(screen, QLineEdit, "Last use 1"))
    choose(qtbot, by_name(screen, QComboBox, "Substance 1"), "heroin")
    assert marked(by_name(screen, QLineEdit, "Last use 1"))
    assert not marked(by_name(screen, QLineEdit, "Amount 1"))

    click(qtbot, button(screen, "Add substance"))
    assert not marked(by_name(screen, QComboBox, "Substance 2"))  # one substance is enough
    assert not marked(by_name(screen, QLineEdit, "Last use 2"))
    choose(qtbot, by_name(screen, QComboBox, "Substance 2"), "fentanyl")
    assert marked(by_name(screen, QLineEdit, "Last use 2"))
    choose(qtbot, by_name(screen, QComboBox, "Substance 2"), None)  # blank again: not kept
    assert not marked(by_name(screen, QLineEdit, "Last use 2"))
    assert screen.sections["substances"].required_marks.unplaced == []


def choose(qtbot, combo: QComboBox, data) -> None:
    combo.setFocus()
    combo.setCurrentIndex(combo.findData(data))


def test_the_refusal_to_sign_names_exactly_the_marked_fields_left_empty(qtbot, window):
    screen = open_intake(qtbot, window)
    go(screen, "Medical and psychiatric")
    type_into(qtbot, by_name(screen, QLineEdit, "Allergies"), "none known")
    go(screen, "Vitals")
    type_into(qtbot, by_name(screen, QLineEdit, vitals.VITALS_BY_ID["pulse"].label), "88")
    for _name, label in rules.SECTIONS:  # every page built: every mark in place
        go(screen, label)
    empty_and_marked = {key for key in INTAKE_FIELDS if marked(found(screen, key, INTAKE_FIELDS))
                        and not filled(screen, key)}

    screen.request_sign()
    dialog = screen.sign_dialog()
    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), STRONG_PASSWORD)
    click(qtbot, button(dialog, "Sign"))
    qtbot.waitUntil(lambda: screen.sign_dialog() is None, timeout=10000)
    missing = by_name(screen, QListWidget, "Missing before signing")
    refused = {missing.item(i).data(Qt.ItemDataRole.UserRole) for i in range(missing.count())}
    assert refused == empty_and_marked
    assert "medical.allergies" not in refused and "vitals.pulse" not in refused
    assert {"identity.consent_to_treatment", "medical.pregnancy", "vitals.systolic",
            "summary.pathway"} <= refused


def filled(screen: IntakeScreen, key: str) -> bool:
    """What the nurse sees in the field of ``key``: something chosen, typed, ticked or scored."""
    widget = found(screen, key, INTAKE_FIELDS)
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        return widget.currentData() is not None
    if isinstance(widget, QLineEdit):
        return bool(widget.text().strip())
    if isinstance(widget, InstrumentEntry):
        return widget.score().complete
    assert isinstance(widget, QGroupBox)
    return any(b.isChecked() for b in widget.findChildren(QRadioButton))
