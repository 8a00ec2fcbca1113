"""Protocol settings: the administrator sees and changes the decision-support thresholds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QDialog, QGroupBox, QLabel

from clinic_desktop import app as clinic_app
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.protocols import ProtocolSettings
from clinic_desktop.core.services import audit, settings
from clinic_desktop.core.settings import (
    DEFAULTS,
    LABELS,
    PROTOCOL_GROUPS,
    PROTOCOL_KEYS,
    RANGES,
)
from clinic_desktop.gui import protocol_settings_dialog as module
from clinic_desktop.gui.protocol_settings_dialog import HINT, ProtocolSettingsDialog
from tests.conftest import first_admin_without_clinic, make_user
from tests.gui.helpers import button, by_name, click, type_into

LOFEX_HR = LABELS["lofexidine_hold_hr"]
LOFEX_SBP = LABELS["lofexidine_hold_sbp"]
LOFEX_DBP = LABELS["lofexidine_hold_dbp"]
BUP_COWS = LABELS["bup_min_cows"]
PROTOCOL_DEFAULTS = {key: DEFAULTS[key] for key in PROTOCOL_KEYS}


@pytest.fixture
def admin(db):
    """The settings start from their shipped defaults here (see ``first_admin_without_clinic``)."""
    return first_admin_without_clinic(db)


def open_dialog(qtbot, db, user) -> ProtocolSettingsDialog:
    dialog = ProtocolSettingsDialog(db, user)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.fixture
def dialog(qtbot, db, admin):
    return open_dialog(qtbot, db, admin)


@pytest.fixture
def sent(monkeypatch) -> list[dict]:
    """What the dialog sends to ``settings.update`` (it still goes through)."""
    calls: list[dict] = []
    real = settings.update

    def spy(db, user, changes):
        calls.append(dict(changes))
        return real(db, user, changes)

    monkeypatch.setattr(settings, "update", spy)
    return calls


def spin(dialog, key: str) -> QAbstractSpinBox:
    return by_name(dialog, QAbstractSpinBox, LABELS[key])


def shown(dialog) -> dict:
    return {key: spin(dialog, key).value() for key in PROTOCOL_KEYS}


def note(dialog, key: str) -> str:
    return by_name(dialog, QLabel, f"{LABELS[key]} default").text()


def settings_events(db, admin) -> list:
    return [e for e in audit.recent(db, admin) if e.action == "settings.updated"]


def test_it_shows_every_threshold_with_its_default(qtbot, db, admin):
    settings.update(db, admin, {"lofexidine_hold_hr": 55})
    dialog = open_dialog(qtbot, db, admin)
    assert dialog.windowTitle() == "Protocol settings — Clinic Desktop"
    assert by_name(dialog, QLabel, "Decision support only").text() == HINT == (
        "Decision support only: these thresholds change what the prompts say, never what the "
        "clinician decides.")
    assert shown(dialog) == {**PROTOCOL_DEFAULTS, "lofexidine_hold_hr": 55}
    assert note(dialog, "lofexidine_hold_hr") == "clinic setting (default 50)"
    assert note(dialog, "bup_min_cows") == "default 8"
    assert note(dialog, "bup_min_hours_methadone") == "default 36"
    for key, (low, high) in RANGES.items():
        if key in PROTOCOL_KEYS:
            assert (spin(dialog, key).minimum(), spin(dialog, key).maximum()) == (low, high)
    assert button(dialog, "Save").isDefault()
    assert button(dialog, "Restore defaults").isVisible() and button(dialog, "Cancel").isVisible()
    assert dialog.focusWidget() is spin(dialog, "bup_min_cows")


def test_the_settings_are_grouped_and_each_is_labelled(dialog):
    for title, keys in PROTOCOL_GROUPS:
        group = by_name(dialog, QGroupBox, title)
        assert group.title().replace("&", "") == title and group.isVisible()
        for key in keys:
            widget = spin(dialog, key)
            assert group.isAncestorOf(widget) and widget.isVisible()
            assert widget.accessibleName() == LABELS[key]
            if title == module.DOSE_RANGE:
                continue  # a table: the drug's row and the column say it (tested below)
            label = next(lb for lb in dialog.findChildren(QLabel) if lb.buddy() is widget)
            # The visible label is the accessible name without the drug the group shows.
            assert label.isVisible()
            assert label.text().lower() in LABELS[key].lower() == widget.accessibleName().lower()
    assert by_name(dialog, QLabel, "Buprenorphine induction note").isVisible()
    assert "Local policy default" in by_name(dialog, QLabel, "Lofexidine holds note").text()


def test_admin_changes_a_threshold_and_the_prompts_use_it(qtbot, db, admin, dialog, sent):
    type_into(qtbot, spin(dialog, "lofexidine_hold_hr"), "55", replace=True)
    assert note(dialog, "lofexidine_hold_hr") == "clinic setting (default 50)"
    type_into(qtbot, spin(dialog, "bup_min_cows"), "10", replace=True)
    with qtbot.waitSignal(dialog.settings_saved, timeout=5000) as saved:
        click(qtbot, button(dialog, "Save"))
    assert sent == [{"bup_min_cows": 10, "lofexidine_hold_hr": 55}]  # only what changed
    stored = settings.get_all(db)
    assert stored == {**DEFAULTS, "bup_min_cows": 10, "lofexidine_hold_hr": 55}
    assert saved.args == [stored]
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    protocol = ProtocolSettings.from_mapping(stored)
    assert protocol.lofexidine_hold_hr == 55 and protocol.source("lofexidine_hold_hr") == (
        "clinic setting")
    [event] = settings_events(db, admin)
    assert event.detail == {"changes": {"bup_min_cows": [8, 10], "lofexidine_hold_hr": [50, 55]}}


def test_the_note_goes_back_to_default_with_the_value(qtbot, dialog):
    field = spin(dialog, "clonidine_hold_hr")
    field.setValue(70)
    assert note(dialog, "clonidine_hold_hr") == "clinic setting (default 60)"
    field.setValue(60)
    assert note(dialog, "clonidine_hold_hr") == "default 60"


def test_an_out_of_range_value_cannot_be_entered(qtbot, db, admin, dialog):
    sbp = spin(dialog, "lofexidine_hold_sbp")
    type_into(qtbot, sbp, "500", replace=True)
    assert 60 <= sbp.value() <= 140
    cows = spin(dialog, "bup_min_cows")
    type_into(qtbot, cows, "99", replace=True)
    assert cows.value() <= 48
    sbp.setValue(500)
    assert sbp.value() == 140
    sbp.setValue(-3)
    assert sbp.value() == 60
    with qtbot.waitSignal(dialog.settings_saved, timeout=5000):
        click(qtbot, button(dialog, "Save"))
    stored = settings.get_all(db)
    for key in PROTOCOL_KEYS:
        low, high = RANGES[key]
        assert low <= stored[key] <= high


def test_restore_defaults_then_save_stores_the_defaults(qtbot, db, admin):
    settings.update(db, admin, {"lofexidine_hold_hr": 55, "bup_min_hours_methadone": 48,
                                "idle_lock_minutes": 3})
    before = settings.get_all(db)
    dialog = open_dialog(qtbot, db, admin)
    click(qtbot, button(dialog, "Restore defaults"))
    assert shown(dialog) == PROTOCOL_DEFAULTS
    assert all(note(dialog, key).startswith("default ") for key in PROTOCOL_KEYS)
    assert settings.get_all(db) == before  # not saved until Save
    assert dialog.isVisible()
    with qtbot.waitSignal(dialog.settings_saved, timeout=5000):
        click(qtbot, button(dialog, "Save"))
    assert settings.get_all(db) == {**DEFAULTS, "idle_lock_minutes": 3}  # other settings kept
    assert settings_events(db, admin)[0].detail["changes"] == {
        "bup_min_hours_methadone": [48, 36], "lofexidine_hold_hr": [55, 50]}


def test_save_with_nothing_changed_writes_nothing(qtbot, db, admin, dialog, sent):
    with qtbot.assertNotEmitted(dialog.settings_saved):
        click(qtbot, button(dialog, "Save"))
    assert sent == [] and settings_events(db, admin) == []
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_cancel_saves_nothing(qtbot, db, admin, dialog, sent):
    type_into(qtbot, spin(dialog, "lofexidine_hold_hr"), "55", replace=True)
    click(qtbot, button(dialog, "Cancel"))
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert sent == [] and settings.get_all(db) == DEFAULTS


def test_a_broken_cross_field_rule_is_shown_next_to_the_field(qtbot, db, admin, dialog):
    dbp = spin(dialog, "lofexidine_hold_dbp")
    type_into(qtbot, dbp, "95", replace=True)
    with qtbot.assertNotEmitted(dialog.settings_saved):
        click(qtbot, button(dialog, "Save"))
    error = by_name(dialog, QLabel, f"{LOFEX_DBP} error")
    assert error.isVisible() and error.text() == (
        "The diastolic hold threshold (95 mmHg) must be lower than the systolic one (90 mmHg).")
    assert dialog.focusWidget() is dbp and dbp.accessibleDescription() == error.text()
    assert dialog.isVisible() and dbp.value() == 95
    assert settings.get_all(db) == DEFAULTS
    # Lower the value: saved.
    type_into(qtbot, dbp, "60", replace=True)
    with qtbot.waitSignal(dialog.settings_saved, timeout=5000):
        click(qtbot, button(dialog, "Save"))
    assert settings.get(db, "lofexidine_hold_dbp") == 60


def test_any_refusal_goes_next_to_its_field(qtbot, dialog, monkeypatch):
    def refuse(db, user, changes):
        raise ValidationError({"bup_min_cows": f"{BUP_COWS} must be between 0 and 48.",
                               "": "Something else."})

    monkeypatch.setattr(settings, "update", refuse)
    type_into(qtbot, spin(dialog, "bup_min_cows"), "12", replace=True)
    click(qtbot, button(dialog, "Save"))
    assert by_name(dialog, QLabel, f"{BUP_COWS} error").isVisible()
    general = by_name(dialog, QLabel, "Error")
    assert general.isVisible() and general.text() == "Something else."


def test_a_nurse_sees_the_thresholds_read_only(qtbot, db, admin):
    nurse = make_user(db, admin, "nurse", "nina")
    dialog = open_dialog(qtbot, db, nurse)
    assert shown(dialog) == PROTOCOL_DEFAULTS
    assert all(spin(dialog, key).isReadOnly() for key in PROTOCOL_KEYS)
    assert not button(dialog, "Save").isEnabled()
    assert not button(dialog, "Restore defaults").isEnabled()


def test_tab_walks_the_fields_in_layout_order(qtbot, dialog):
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    spin(dialog, "bup_min_cows").setFocus()
    seen = []
    for _ in range(len(PROTOCOL_KEYS)):
        widget = dialog.focusWidget()
        seen.append(widget.accessibleName())
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    # Down the first column of groups, then the second: the order of PROTOCOL_GROUPS.
    assert seen == [LABELS[key] for _, keys in PROTOCOL_GROUPS for key in keys]
    assert dialog.focusWidget() is button(dialog, "Restore defaults")


def test_alt_and_a_group_letter_jumps_to_that_group(qtbot, dialog):
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert dialog.focusWidget() is spin(dialog, "lofexidine_hold_sbp")


def test_it_fits_a_1366_by_768_screen_with_the_app_style(qtbot, db, admin):
    dialog = ProtocolSettingsDialog(db, admin)
    qtbot.addWidget(dialog)
    dialog.setStyleSheet(clinic_app.style_sheet())
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.fit_to_screen(768)  # the groups scroll; the buttons stay on a 1366x768 screen
    dialog.adjustSize()
    layout = dialog.layout()
    height = layout.totalHeightForWidth(dialog.width()) if layout.hasHeightForWidth() else (
        layout.totalSizeHint().height())
    assert dialog.width() <= 1366 - 20 and height <= 768 - 80
    # Every "clinic setting (default N)" note fits without growing the dialog.
    width = dialog.width()
    for key in PROTOCOL_KEYS:
        low, high = RANGES[key]
        spin(dialog, key).setValue(high if DEFAULTS[key] != high else low)
    dialog.adjustSize()
    assert dialog.minimumSizeHint().width() <= width


# --- the usual dose range --------------------------------------------------------------------

def test_the_dose_table_has_a_row_per_drug_with_label_limits_read_only(dialog):
    from clinic_desktop.core.formulary import DRUGS

    table = by_name(dialog, QGroupBox, "Usual dose range")
    rows = [lb.text() for lb in table.findChildren(QLabel) if lb.buddy() is not None or
            lb.text().split(" (")[0] in {d.label for d in DRUGS.values()}]
    assert rows[:3] == ["Buprenorphine (mg)", "Methadone (mg)", "Lofexidine (mg)"]
    assert "Clonidine (micrograms)" in rows and len(rows) == len(DRUGS)
    assert by_name(dialog, QLabel, "Lofexidine: largest single dose").text() == "0.72 mg \u00b7 label"
    assert by_name(dialog, QLabel, "Lofexidine: lowest usual single dose").text() == "0.18 mg \u00b7 label"
    assert by_name(dialog, QLabel, "Clonidine: largest single dose").text() == (
        "0.2 mg \u00b7 set under Clonidine")
    assert "Lucemyra" in by_name(dialog, QLabel, "Lofexidine: largest single dose").toolTip()
    assert note(dialog, "naltrexone_min_single_mg") == "default 12.5"
    assert note(dialog, "methadone_max_single_mg") == "default 200"
    assert spin(dialog, "naltrexone_min_single_mg").decimals() == 1
    assert "label" in by_name(dialog, QLabel, "Usual dose range note").text()


def test_admin_lowers_methadones_largest_dose_and_an_order_above_it_is_refused(
        qtbot, db, admin, dialog, sent):
    from clinic_desktop.core.medications import Order, check_order

    type_into(qtbot, spin(dialog, "methadone_max_single_mg"), "150", replace=True)
    type_into(qtbot, spin(dialog, "naltrexone_min_single_mg"), "25.5", replace=True)
    assert note(dialog, "methadone_max_single_mg") == "clinic setting (default 200)"
    with qtbot.waitSignal(dialog.settings_saved, timeout=5000):
        click(qtbot, button(dialog, "Save"))
    assert sent == [{"methadone_max_single_mg": 150, "naltrexone_min_single_mg": 25.5}]
    [event] = settings_events(db, admin)
    assert event.detail == {"changes": {"methadone_max_single_mg": [200, 150],
                                        "naltrexone_min_single_mg": [12.5, 25.5]}}
    protocol = ProtocolSettings.from_mapping(settings.get_all(db))

    def methadone(dose):
        return Order(id="o1", drug_id="methadone", dose=dose, unit="mg", route="oral",
                     times=("08:00",), start=datetime(2026, 7, 1, tzinfo=UTC))

    assert "methadone.max_single" not in [f.rule for f in check_order(methadone(150), settings=protocol)]
    [refused] = [f for f in check_order(methadone(151), settings=protocol) if f.rule == "methadone.max_single"]
    assert refused.severity == "hard" and "clinic setting (shipped default 200)" in refused.citation
    # Opened again, the dialog shows what is stored.
    again = open_dialog(qtbot, db, admin)
    assert spin(again, "naltrexone_min_single_mg").value() == 25.5


def test_a_refused_dose_setting_shows_its_message_under_its_field(qtbot, dialog, monkeypatch):
    key = "trazodone_max_single_mg"

    def refuse(db, user, changes):
        raise ValidationError({key: f"{LABELS[key]} must be between 100 and 400."})

    monkeypatch.setattr(settings, "update", refuse)
    type_into(qtbot, spin(dialog, key), "250", replace=True)
    click(qtbot, button(dialog, "Save"))
    error = by_name(dialog, QLabel, f"{LABELS[key]} error")
    assert error.isVisible() and "between 100 and 400" in error.text()
    cell = spin(dialog, key).parentWidget()
    assert cell.isAncestorOf(error)  # under the field, in its own cell of the table
    assert dialog.focusWidget() is spin(dialog, key)
