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
    QDoubleSpinBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QRadioButton,
    QTableView,
    QWidget,
)

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import clock, medications, vitals
from clinic_desktop.core import plan as plan_rules
from clinic_desktop.core.services import mar, patients
from clinic_desktop.gui.entry_dialogs import VitalsDialog
from clinic_desktop.gui.intake import SubstanceRow
from clinic_desktop.gui.intake_screen import IntakeScreen
from clinic_desktop.gui.mar_panel import OrderDialog
from clinic_desktop.gui.patient_dialog import PatientDialog
from clinic_desktop.gui.plan_screen import PlanScreen
from clinic_desktop.gui.widgets.instrument_entry import InstrumentEntry
from clinic_desktop.gui.widgets.required import MARK, REQUIRED, caption_of, legend, set_required
from clinic_desktop.reports import i18n
from tests.conftest import make_user
from tests.factories import admit_with_signed_intake, local_entry, sign_intake
from tests.gui import helpers
from tests.gui.helpers import (
    STRONG_PASSWORD,
    button,
    by_name,
    click,
    go,
    open_plan_screen,
    type_into,
)
from tests.gui.test_plan_screen import add_referral, finalize
from tests.gui.test_plan_screen import go as plan_go

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
    "mental_health.asq": (InstrumentEntry, "ASQ"),
    "summary.pathway": (QComboBox, "Pathway"),
}


@pytest.fixture
def patient(db, nurse):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="R-1", given_name="Rowan", family_name="Marks", date_of_birth=dt.date(1990, 4, 5),
        sex="unknown"))


@pytest.fixture
def plan_screen(qtbot, db, admin):
    """The plan screen of an episode in transition (buprenorphine, heroin used 16 h before intake)."""
    episode_id, patient = admit_with_signed_intake(db, admin)
    counselor = make_user(db, admin, "counselor")
    return open_plan_screen(qtbot, db, counselor, episode_id, patient)


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


def marked_names(root: QWidget, *, shown: bool = False) -> set[str]:
    """Every input under ``root`` that says it is required (its accessible name); ``shown``: only
    those shown in ``root`` (a dialog's hidden rows left out)."""
    return {w.accessibleName() for w in root.findChildren(QWidget)
            if w.accessibleDescription().startswith(REQUIRED) and (not shown or w.isVisibleTo(root))}


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


# --- the plan -----------------------------------------------------------------------------------

#: Each field the plan's rule can require → how a screen reader finds it (referral reasons: by row).
PLAN_FIELDS: dict[str, tuple[type[QWidget], str]] = {
    "medication.choice": (QComboBox, "Medicine after discharge"),
    "medication.reason": (QPlainTextEdit, "Reason"),
    "medication.moud": (QComboBox, "MOUD offered"),
    "medication.moud_reason": (QLineEdit, "Reason declined"),
    "level": (QComboBox, "Level of aftercare"),
    "key_worker.name": (QLineEdit, "Key worker name"),
    plan_rules.RELAPSE_KEY: (QPlainTextEdit, i18n.text("en", "relapse.triggers")),
    "overdose.naloxone_kit_given": (QComboBox, "Naloxone kit given"),
    plan_rules.NALOXONE_REASON_KEY: (QLineEdit, "Why no kit"),
    "follow_ups": (QAbstractButton, "Add follow-up"),
}


def plan_field(screen: PlanScreen, key: str) -> QWidget:
    parts = key.split(".")
    if parts[0] == "referrals":
        return screen.referral_rows[int(parts[1]) - 1].reason
    return found(screen, key, PLAN_FIELDS)


def plan_marks_agree(screen: PlanScreen) -> tuple[str, ...]:
    """The core's required fields for the draft as typed, each marked, and nothing else marked."""
    required = plan_rules.required_fields(screen.draft_data(), screen.view.naltrexone)
    assert screen.required_marks.unplaced == []
    for key in required:
        assert marked(plan_field(screen, key)), key
    assert {w for w in screen.findChildren(QWidget) if w.accessibleDescription().startswith(REQUIRED)} \
        == {plan_field(screen, key) for key in required}
    return required


def legend_shown(screen: PlanScreen, section: str) -> bool:
    """The section's "* required" line is shown (on its page, whether that page is shown or not)."""
    line = screen.sections[section].legend
    return line is not None and not line.isHidden()


def test_every_field_the_plan_requires_is_marked_and_no_other(qtbot, plan_screen):
    screen = plan_screen
    assert plan_marks_agree(screen) == ("medication.choice", "medication.moud", "level", "key_worker.name",
                                        plan_rules.RELAPSE_KEY, "overdose.naloxone_kit_given", "follow_ups")
    for name in ("Prescriber or program", "Key worker phone"):
        assert not marked(by_name(screen, QLineEdit, name))
    assert not marked(by_name(screen, QPlainTextEdit, "Reason"))
    assert not marked(by_name(screen, QPlainTextEdit, i18n.text("en", "relapse.warning_signs")))
    assert button(screen, "Add follow-up").text() == "Add follow-up *"
    shown = {s.name for s in plan_rules.SECTIONS if legend_shown(screen, s.name)}
    assert shown == {"medication", "level", "support", "relapse", "overdose", "follow_ups"}  # no referral yet


def test_the_plan_marks_follow_the_answers_they_depend_on(qtbot, db, admin, plan_screen):
    screen = plan_screen
    medicine = by_name(screen, QComboBox, "Medicine after discharge")
    reason = by_name(screen, QPlainTextEdit, "Reason")
    medicine.setCurrentIndex(medicine.findData("naltrexone"))  # heroin 16 h ago: window not met
    assert screen.view.naltrexone.status != "meets"
    assert "medication.reason" in plan_marks_agree(screen) and marked(reason)
    medicine.setCurrentIndex(medicine.findData("buprenorphine"))
    assert "medication.reason" not in plan_marks_agree(screen) and not marked(reason)

    triggers = by_name(screen, QPlainTextEdit, i18n.text("en", "relapse.triggers"))
    signs = by_name(screen, QPlainTextEdit, i18n.text("en", "relapse.warning_signs"))
    type_into(qtbot, signs, "Skipping meals")  # any part of the relapse plan will do
    assert plan_rules.RELAPSE_KEY not in plan_marks_agree(screen) and not marked(triggers)
    assert not legend_shown(screen, "relapse")
    signs.clear()
    assert plan_rules.RELAPSE_KEY in plan_marks_agree(screen) and marked(triggers)

    local_entry(db, admin, "Northside IOP")
    add_referral(qtbot, screen, "Northside IOP", "")
    assert "referrals.1.reason" in plan_marks_agree(screen) and legend_shown(screen, "referrals")
    click(qtbot, button(screen.referral_rows[0], "Remove referral 1"))
    qtbot.waitUntil(lambda: not screen.referral_rows)
    assert "referrals.1.reason" not in plan_marks_agree(screen) and not legend_shown(screen, "referrals")

    kit = by_name(screen, QComboBox, "Naloxone kit given")
    why = by_name(screen, QLineEdit, "Why no kit")
    kit.setCurrentIndex(kit.findData(False))  # no kit: why not is required
    assert plan_rules.NALOXONE_REASON_KEY in plan_marks_agree(screen) and marked(why)
    kit.setCurrentIndex(kit.findData(True))
    assert plan_rules.NALOXONE_REASON_KEY not in plan_marks_agree(screen) and not marked(why)


def test_the_refusal_to_finalize_names_exactly_the_marked_fields_left_empty(qtbot, plan_screen):
    screen = plan_screen
    medicine = by_name(screen, QComboBox, "Medicine after discharge")
    medicine.setCurrentIndex(medicine.findData("naltrexone"))
    plan_go(screen, "Support")
    type_into(qtbot, by_name(screen, QLineEdit, "Key worker name"), "Sam Ortiz")
    required = plan_marks_agree(screen)
    empty_and_marked = {key for key in required if not plan_filled(screen, key)}
    finalize(qtbot, screen)
    qtbot.waitUntil(lambda: screen.sign_dialog() is None, timeout=10000)
    missing = by_name(screen, QListWidget, "Missing before finalizing")
    refused = {missing.item(i).data(Qt.ItemDataRole.UserRole) for i in range(missing.count())}
    assert refused == empty_and_marked == {"medication.reason", "medication.moud", "level", plan_rules.RELAPSE_KEY,
                                           "overdose.naloxone_kit_given", "follow_ups"}


def plan_filled(screen: PlanScreen, key: str) -> bool:
    widget = plan_field(screen, key)
    if isinstance(widget, QComboBox):
        return widget.currentData() is not None
    if isinstance(widget, QLineEdit):
        return bool(widget.text().strip())
    if isinstance(widget, QPlainTextEdit):
        return bool(widget.toPlainText().strip())
    return bool(screen.follow_up_rows)  # Add follow-up: at least one


# --- New patient ----------------------------------------------------------------------------------

#: Each field registration can require → its input's accessible name.
PATIENT_FIELDS = {"mrn": "MRN", "given_name": "Given name", "family_name": "Family name",
                  "date_of_birth": "Date of birth", "sex": "Sex", "emergency_contact_name": "Emergency contact name"}


def test_new_patient_marks_what_registration_requires_and_the_contact_name_with_its_phone(qtbot, db, nurse):
    assert set(patients.REQUIRED) | set(patients.IF_CONTACT_PHONE) == set(PATIENT_FIELDS)
    dialog = PatientDialog(db, nurse)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.required_marks.unplaced == []
    assert marked_names(dialog) == {PATIENT_FIELDS[key] for key in patients.REQUIRED}
    contact_name = by_name(dialog, QLineEdit, "Emergency contact name")
    assert not marked(contact_name)
    assert not marked(by_name(dialog, QLineEdit, "Relation"))
    type_into(qtbot, by_name(dialog, QLineEdit, "Emergency contact phone"), "217-555-0142")
    assert marked(contact_name)
    assert marked_names(dialog) == set(PATIENT_FIELDS.values())
    # the refusal: exactly the marked fields left empty (the MRN is suggested)
    click(qtbot, button(dialog, "Save"))
    refused = {key for key in PATIENT_FIELDS if dialog.errors.message(key)}
    assert refused == {key for key, name in PATIENT_FIELDS.items() if key != "mrn"}
    by_name(dialog, QLineEdit, "Emergency contact phone").clear()
    assert not marked(contact_name)


# --- New order ------------------------------------------------------------------------------------

ORDER_FIELDS = {"drug_id": "Medication", "drug_name": "Medication name", "dose": "Dose", "unit": "Unit",
                "route": "Route", "times": "Times", "min_interval_hours": "Minimum interval"}


def test_a_new_order_marks_what_the_service_requires_of_it(qtbot, db, admin, nurse, patient):
    assert set(mar.ORDER_REQUIRED) | set(mar.ORDER_REQUIRED_IF) == set(ORDER_FIELDS)
    sign_intake(db, nurse, patient)
    screen = helpers.open_mar(qtbot, db, make_user(db, admin, "prescriber"), patient)
    click(qtbot, button(screen, "New order\u2026"))
    dialog = helpers.open_dialog(screen.mar_panel)
    assert isinstance(dialog, OrderDialog) and dialog.required_marks.unplaced == []
    assert by_name(dialog, QLabel, "Required fields").text() == "* required"
    scheduled = {"Medication", "Dose", "Unit", "Route", "Times"}
    assert marked_names(dialog, shown=True) == scheduled  # a listed drug, at set times
    for name in ("Maximum in 24 h", "Minimum interval"):
        assert not marked(by_name(dialog, QDoubleSpinBox, name))
    assert not marked(by_name(dialog, QLineEdit, "Instructions"))
    assert marked(by_name(dialog, QLineEdit, "Reason for the warnings"))  # shown only when one needs it

    medication = by_name(dialog, QComboBox, "Medication")
    medication.setCurrentIndex(medication.findData(medications.OTHER_DRUG_ID))
    assert marked(by_name(dialog, QLineEdit, "Medication name"))
    click(qtbot, by_name(dialog, QRadioButton, "As needed (PRN)"))
    assert marked_names(dialog, shown=True) == scheduled - {"Times"} | {"Medication name", "Minimum interval"}
    assert not marked(by_name(dialog, QLineEdit, "Times"))

    click(qtbot, button(dialog, "Save order"))  # nothing typed: dose 0, no name, no interval
    refused = {key for key in ORDER_FIELDS if dialog.errors.message(key)}
    assert refused == {"drug_name", "dose", "min_interval_hours"}  # the marked ones left empty
    medication.setCurrentIndex(medication.findData("clonidine"))
    assert not marked(by_name(dialog, QLineEdit, "Medication name"))


# --- Give… / Hold… --------------------------------------------------------------------------------

def dose_dialog(qtbot, screen, action: str):
    by_name(screen, QTableView, "Doses today").selectRow(0)
    click(qtbot, button(screen, action))
    dialog = helpers.open_dialog(screen.mar_panel)
    qtbot.waitExposed(dialog)
    return dialog


def test_a_dose_marks_its_reason_while_the_service_would_ask_for_one(qtbot, db, admin, nurse, patient):
    episode_id = sign_intake(db, nurse, patient)
    mar.create_order(db, make_user(db, admin, "prescriber"), episode_id, mar.OrderInput(
        drug_id="lofexidine", dose=0.54, unit="mg", route="oral", min_interval_hours=5,
        hold_sbp_below=90, hold_dbp_below=50, hold_hr_below=50))
    screen = helpers.open_mar(qtbot, db, nurse, patient)
    dialog = dose_dialog(qtbot, screen, "Give\u2026")
    reason = by_name(dialog, QComboBox, "Reason")
    assert not marked(reason) and dialog.required_legend.isHidden()  # given now, nothing found
    now = dt.datetime.now(dt.UTC)
    # recorded late (the boundary itself: tests/core/test_required_fields.py)
    helpers.type_date(qtbot, dialog, "Time", now - clock.BACKDATE_AFTER - dt.timedelta(minutes=2))
    assert marked(reason) and not dialog.required_legend.isHidden()
    click(qtbot, button(dialog, "Save"))
    assert "reason" in dialog.errors.messages
    helpers.type_date(qtbot, dialog, "Time", now)
    assert not marked(reason) and dialog.required_legend.isHidden()
    dialog.reject()

    held = dose_dialog(qtbot, screen, "Hold\u2026")
    assert marked(by_name(held, QComboBox, "Reason"))  # a held dose always says why
    click(qtbot, button(held, "Save"))
    assert set(held.errors.messages) == {"reason"}
    held.reject()


# --- Record vitals (and scores): entered late ---------------------------------------------------

def test_an_entry_taken_more_than_an_hour_ago_marks_its_reason(qtbot, db, nurse, patient):
    episode_id = sign_intake(db, nurse, patient)
    dialog = VitalsDialog(db, nurse, episode_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    reason = by_name(dialog, QLineEdit, "Reason for entering it late")
    assert not reason.isVisible() and not marked(reason) and not marked_names(dialog, shown=True)
    helpers.type_date(qtbot, dialog, "Taken at", dt.datetime.now(dt.UTC) - clock.BACKDATE_AFTER
                      - dt.timedelta(minutes=2))
    assert reason.isVisible() and marked(reason)
    assert by_name(dialog, QLabel, "Required fields").isVisible()
    type_into(qtbot, by_name(dialog, QLineEdit, vitals.VITALS_BY_ID["pulse"].label), "80")
    click(qtbot, button(dialog, "Save"))
    assert set(dialog.errors.messages) == {"reason"}, dialog.general.text()  # the marked one, empty
    helpers.type_date(qtbot, dialog, "Taken at", dt.datetime.now(dt.UTC))
    assert not reason.isVisible() and not marked(reason)
    assert not by_name(dialog, QLabel, "Required fields").isVisible()
    dialog.reject()
