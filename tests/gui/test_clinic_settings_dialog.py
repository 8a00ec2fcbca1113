"""Admin → Clinic settings…: the administrator sees and changes the clinic-wide settings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QPlainTextEdit, QSpinBox

from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.services import audit, settings
from clinic_desktop.core.settings import DEFAULTS, INTEGER_RANGES, LABELS, LOGO_MAX_BYTES
from clinic_desktop.gui import clinic_settings_dialog as module
from clinic_desktop.gui.clinic_settings_dialog import ClinicSettingsDialog
from clinic_desktop.gui.main_window import MainWindow
from tests.conftest import first_admin_without_clinic, make_user
from tests.gui.helpers import button, by_name, click, dialog_named, shown_dialog, type_into

IDLE = LABELS["idle_lock_minutes"]


@pytest.fixture
def admin(db):
    """The settings start from their shipped defaults here (see ``first_admin_without_clinic``)."""
    return first_admin_without_clinic(db)
ATTEMPTS = LABELS["lockout_attempts"]


def open_dialog(qtbot, db, user) -> ClinicSettingsDialog:
    dialog = ClinicSettingsDialog(db, user)
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


def shown(dialog) -> dict:
    return {
        "clinic_name": by_name(dialog, QLineEdit, LABELS["clinic_name"]).text(),
        "clinic_address": by_name(dialog, QPlainTextEdit, LABELS["clinic_address"]).toPlainText(),
        "clinic_phone": by_name(dialog, QLineEdit, LABELS["clinic_phone"]).text(),
        "phone_region": by_name(dialog, QComboBox, LABELS["phone_region"]).currentData(),
        "plan_page_size": by_name(dialog, QComboBox, LABELS["plan_page_size"]).currentData(),
        "vitals_units": by_name(dialog, QComboBox, LABELS["vitals_units"]).currentData(),
        "clinic_logo": dialog.values()["clinic_logo"],
        "backup.folder": by_name(dialog, QLineEdit, LABELS["backup.folder"]).text(),
        **{key: by_name(dialog, QSpinBox, LABELS[key]).value()
           for key in dialog.inputs if key in INTEGER_RANGES},
    }


def dialog_defaults(dialog) -> dict:
    """The shipped defaults of the settings this dialog shows (the protocol thresholds, the COWS
    interval among them, are in the protocol settings dialog)."""
    return {key: DEFAULTS[key] for key in dialog.inputs}


def settings_events(db, admin) -> list:
    return [e for e in audit.recent(db, admin) if e.action == "settings.updated"]


def test_it_shows_the_current_values_with_their_defaults(qtbot, db, admin):
    settings.update(db, admin, {"clinic_name": "Riverside Detox", "lockout_attempts": 7,
                                "phone_region": "CA"})
    dialog = open_dialog(qtbot, db, admin)
    assert dialog.windowTitle() == "Clinic settings — Clinic Desktop"
    assert shown(dialog) == {**dialog_defaults(dialog), "clinic_name": "Riverside Detox",
                             "lockout_attempts": 7, "phone_region": "CA"}
    assert by_name(dialog, QComboBox, LABELS["phone_region"]).currentText() == "Canada (CA)"
    assert by_name(dialog, QLabel, f"{ATTEMPTS} default").text() == "default 5 (allowed 3–20)"
    assert by_name(dialog, QLabel, f"{IDLE} default").text() == "default 10 (allowed 1–120)"
    assert by_name(dialog, QLabel, f"{LABELS['phone_region']} default").text() == "default US"
    assert by_name(dialog, QLabel, f"{LABELS['clinic_name']} default").text() == "required: printed on every plan"
    for key in dialog.inputs.keys() & INTEGER_RANGES.keys():
        low, high = INTEGER_RANGES[key]
        spin = by_name(dialog, QSpinBox, LABELS[key])
        assert (spin.minimum(), spin.maximum()) == (low, high)
    # The COWS interval is a protocol threshold: edited in Protocol settings only.
    assert "cows_interval_hours" not in dialog.inputs
    assert not [w for w in dialog.findChildren(QSpinBox) if "COWS" in w.accessibleName()]
    assert button(dialog, "Save").isDefault()
    assert button(dialog, "Restore defaults").isVisible() and button(dialog, "Cancel").isVisible()
    assert dialog.focusWidget() is by_name(dialog, QLineEdit, LABELS["clinic_name"])


def test_every_input_is_named_after_its_visible_label(dialog):
    for key, widget in dialog.inputs.items():
        # The logo is shown, not typed: its label's mnemonic goes to Browse….
        target = button(dialog, "Browse for the clinic logo") if key == "clinic_logo" else widget
        label = next(lb for lb in dialog.findChildren(QLabel) if lb.buddy() is target)
        assert label.text().replace("&", "") == LABELS[key] == widget.accessibleName()
        assert label.isVisible() and widget.isVisible()


def test_admin_changes_idle_lock_and_lockout_attempts(qtbot, db, admin, dialog, sent):
    type_into(qtbot, by_name(dialog, QSpinBox, IDLE), "3", replace=True)
    type_into(qtbot, by_name(dialog, QSpinBox, ATTEMPTS), "8", replace=True)
    with qtbot.waitSignal(dialog.settings_saved, timeout=5000) as saved:
        click(qtbot, button(dialog, "Save"))
    assert sent == [{"idle_lock_minutes": 3, "lockout_attempts": 8}]  # only what changed
    stored = settings.get_all(db)
    assert stored == {**DEFAULTS, "idle_lock_minutes": 3, "lockout_attempts": 8}
    assert saved.args == [stored]
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    [event] = settings_events(db, admin)
    assert event.username == "admin"
    assert event.detail == {"changes": {"idle_lock_minutes": [10, 3], "lockout_attempts": [5, 8]}}


def test_clinic_details_are_stored_trimmed(qtbot, db, admin, dialog, sent):
    type_into(qtbot, by_name(dialog, QLineEdit, LABELS["clinic_name"]), "  Riverside Detox ")
    address = by_name(dialog, QPlainTextEdit, LABELS["clinic_address"])
    type_into(qtbot, address, "1 Main St\nSpringfield\n")
    type_into(qtbot, by_name(dialog, QLineEdit, LABELS["clinic_phone"]), "(217) 555-0142")
    region = by_name(dialog, QComboBox, LABELS["phone_region"])
    region.setFocus()
    qtbot.keyClicks(region, "Mexico")
    assert region.currentData() == "MX"
    with qtbot.waitSignal(dialog.settings_saved, timeout=5000):
        click(qtbot, button(dialog, "Save"))
    assert sent == [{"clinic_name": "Riverside Detox", "clinic_address": "1 Main St\nSpringfield",
                     "clinic_phone": "(217) 555-0142", "phone_region": "MX"}]
    assert settings.get_all(db) == {**DEFAULTS, **sent[0]}


def test_save_with_nothing_changed_writes_nothing(qtbot, db, admin, dialog, sent):
    with qtbot.assertNotEmitted(dialog.settings_saved):
        click(qtbot, button(dialog, "Save"))
    assert sent == [] and settings_events(db, admin) == []
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_restore_defaults_then_save_stores_the_defaults(qtbot, db, admin):
    settings.update(db, admin, {"clinic_name": "Riverside Detox", "lockout_attempts": 7,
                                "idle_lock_minutes": 30, "cows_interval_hours": 2,
                                "phone_region": "GB"})
    before = settings.get_all(db)
    dialog = open_dialog(qtbot, db, admin)
    click(qtbot, button(dialog, "Restore defaults"))
    # The clinic's name has no default: it stays (Clinic settings never blanks it).
    assert shown(dialog) == {**dialog_defaults(dialog), "clinic_name": "Riverside Detox"}
    assert settings.get_all(db) == before  # not saved until Save
    assert dialog.isVisible()
    with qtbot.waitSignal(dialog.settings_saved, timeout=5000):
        click(qtbot, button(dialog, "Save"))
    # The COWS interval is Protocol settings' to restore: this dialog leaves it alone.
    assert settings.get_all(db) == {**DEFAULTS, "cows_interval_hours": 2, "clinic_name": "Riverside Detox"}
    assert settings_events(db, admin)[0].detail["changes"] == {
        "idle_lock_minutes": [30, 10], "lockout_attempts": [7, 5], "phone_region": ["GB", "US"]}


def test_blanking_the_clinic_name_is_refused_next_to_the_field_and_nothing_is_saved(qtbot, db, admin):
    settings.update(db, admin, {"clinic_name": "Riverside Detox", "clinic_address": "1 Main St",
                                "clinic_phone": "217-555-0100"})
    dialog = open_dialog(qtbot, db, admin)
    name = by_name(dialog, QLineEdit, LABELS["clinic_name"])
    name.selectAll()
    qtbot.keyClick(name, Qt.Key.Key_Delete)
    type_into(qtbot, by_name(dialog, QSpinBox, IDLE), "30", replace=True)
    with qtbot.assertNotEmitted(dialog.settings_saved):
        click(qtbot, button(dialog, "Save"))
    error = by_name(dialog, QLabel, f"{LABELS['clinic_name']} error")
    assert error.isVisible() and error.text().startswith("Enter the clinic name:")
    assert dialog.isVisible() and dialog.focusWidget() is name
    assert settings.get(db, "clinic_name") == "Riverside Detox" and settings.get(db, "idle_lock_minutes") == 10


def test_plan_paper_size_logo_and_directory_flag_are_set_here(qtbot, db, admin, dialog, sent, tmp_path):
    paper = by_name(dialog, QComboBox, LABELS["plan_page_size"])
    assert [paper.itemText(i) for i in range(paper.count())] == ["US Letter", "A4"]
    assert by_name(dialog, QLabel, f"{LABELS['plan_page_size']} default").text() == "default US Letter"
    assert by_name(dialog, QLabel, f"{LABELS['directory_stale_days']} default").text() == (
        "default 180 (allowed 30–730)")
    paper.setFocus()
    qtbot.keyClick(paper, Qt.Key.Key_Down)  # by keyboard: Letter → A4
    assert paper.currentData() == "a4"
    type_into(qtbot, by_name(dialog, QSpinBox, LABELS["directory_stale_days"]), "90", replace=True)
    with qtbot.waitSignal(dialog.settings_saved, timeout=5000):
        click(qtbot, button(dialog, "Save"))
    stored = settings.get_all(db)
    assert (stored["plan_page_size"], stored["directory_stale_days"]) == ("a4", 90)


def png_file(path, size=(120, 60)):
    from PIL import Image

    Image.new("RGB", size, "#1F4E79").save(path)
    return path


def choose(monkeypatch, path) -> None:
    monkeypatch.setattr(module.QFileDialog, "getOpenFileName",
                        lambda *args, **kwargs: (str(path), "Images (*.png *.jpg *.jpeg)"))


def test_browse_stores_the_logo_image_in_the_database_and_remove_takes_it_off(
        qtbot, db, admin, dialog, monkeypatch, tmp_path):
    info = by_name(dialog, QLabel, LABELS["clinic_logo"])
    remove = button(dialog, "Remove the clinic logo")
    assert info.text() == "No logo" and not remove.isEnabled()
    logo = png_file(tmp_path / "logo.png")
    choose(monkeypatch, logo)
    click(qtbot, button(dialog, "Browse for the clinic logo"))
    assert info.text().startswith("PNG, 120 × 60 px, ") and remove.isEnabled()
    assert not by_name(dialog, QLabel, "Clinic logo preview").pixmap().isNull()
    with qtbot.waitSignal(dialog.settings_saved, timeout=5000):
        click(qtbot, button(dialog, "Save"))
    assert settings.logo_bytes(settings.get_all(db)) == logo.read_bytes()
    logo.unlink()  # the file is not needed any more: the image is in the database
    again = module.ClinicSettingsDialog(db, admin)
    qtbot.addWidget(again)
    assert by_name(again, QLabel, LABELS["clinic_logo"]).text().startswith("PNG, 120 × 60 px")
    click(qtbot, button(again, "Remove the clinic logo"))
    assert by_name(again, QLabel, LABELS["clinic_logo"]).text() == "No logo"
    with qtbot.waitSignal(again.settings_saved, timeout=5000):
        click(qtbot, button(again, "Save"))
    assert settings.logo_bytes(settings.get_all(db)) is None


@pytest.mark.parametrize(("content", "message"), [
    (b"GIF89a not what we take", "PNG or JPEG"),
    (b"\x89PNG\r\n\x1a\n cut short", "cannot be read"),
    (None, "at most 256 KB"),
])
def test_browse_refuses_what_is_not_a_readable_small_png_or_jpeg(qtbot, db, dialog, monkeypatch, tmp_path,
                                                                 content, message):
    path = tmp_path / "logo.png"
    if content is None:
        png_file(path)
        path.write_bytes(path.read_bytes() + b"\0" * (LOGO_MAX_BYTES + 1 - path.stat().st_size))
    else:
        path.write_bytes(content)
    choose(monkeypatch, path)
    click(qtbot, button(dialog, "Browse for the clinic logo"))
    error = by_name(dialog, QLabel, f"{LABELS['clinic_logo']} error")
    assert error.isVisible() and message in error.text()
    assert by_name(dialog, QLabel, LABELS["clinic_logo"]).text() == "No logo"
    assert dialog.focusWidget() is button(dialog, "Browse for the clinic logo")


def test_the_automatic_backups_are_set_here_by_keyboard_and_browse(qtbot, db, admin, dialog, sent, monkeypatch,
                                                                   tmp_path):
    folder = by_name(dialog, QLineEdit, LABELS["backup.folder"])
    assert folder.text() == "" and by_name(dialog, QLabel, f"{LABELS['backup.folder']} default").text() == (
        "default blank")
    assert by_name(dialog, QLabel, f"{LABELS['backup.every_hours']} default").text() == (
        "default 24 (allowed 1–168)")
    assert by_name(dialog, QLabel, f"{LABELS['backup.keep']} default").text() == "default 14 (allowed 1–365)"
    monkeypatch.setattr(module.QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(tmp_path))
    click(qtbot, button(dialog, "Browse for the backup folder"))
    assert folder.text() == str(tmp_path) and dialog.focusWidget() is folder
    qtbot.keyClick(folder, Qt.Key.Key_Tab)  # Browse…, then the hours
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.focusWidget() is by_name(dialog, QSpinBox, LABELS["backup.every_hours"])
    type_into(qtbot, by_name(dialog, QSpinBox, LABELS["backup.every_hours"]), "12", replace=True)
    type_into(qtbot, by_name(dialog, QSpinBox, LABELS["backup.keep"]), "30", replace=True)
    with qtbot.waitSignal(dialog.settings_saved, timeout=5000):
        click(qtbot, button(dialog, "Save"))
    assert sent == [{"backup.folder": str(tmp_path), "backup.every_hours": 12, "backup.keep": 30}]


def test_a_backup_folder_that_is_not_a_full_path_is_refused_next_to_it(qtbot, db, admin, dialog):
    folder = by_name(dialog, QLineEdit, LABELS["backup.folder"])
    type_into(qtbot, folder, "backups")
    with qtbot.assertNotEmitted(dialog.settings_saved):
        click(qtbot, button(dialog, "Save"))
    error = by_name(dialog, QLabel, f"{LABELS['backup.folder']} error")
    assert error.isVisible() and "full path" in error.text()
    assert folder.text() == "backups" and settings.get(db, "backup.folder") == ""


def test_cancel_saves_nothing(qtbot, db, admin, dialog, sent):
    type_into(qtbot, by_name(dialog, QSpinBox, IDLE), "3", replace=True)
    click(qtbot, button(dialog, "Cancel"))
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert sent == [] and settings.get_all(db) == DEFAULTS


def test_a_refusal_is_shown_next_to_its_field_and_nothing_typed_is_lost(qtbot, db, admin, dialog,
                                                                       monkeypatch):
    def refuse(db, user, changes):
        raise ValidationError({"clinic_phone": "Not a phone number.",
                               "idle_lock_minutes": f"{IDLE} must be between 1 and 120."})

    monkeypatch.setattr(settings, "update", refuse)
    phone = by_name(dialog, QLineEdit, LABELS["clinic_phone"])
    type_into(qtbot, by_name(dialog, QLineEdit, LABELS["clinic_name"]), "Riverside Detox")
    type_into(qtbot, phone, "call us")
    type_into(qtbot, by_name(dialog, QSpinBox, IDLE), "3", replace=True)
    with qtbot.assertNotEmitted(dialog.settings_saved):
        click(qtbot, button(dialog, "Save"))
    error = by_name(dialog, QLabel, f"{LABELS['clinic_phone']} error")
    assert error.isVisible() and error.text() == "Not a phone number."
    assert by_name(dialog, QLabel, f"{IDLE} error").isVisible()
    assert dialog.focusWidget() is phone and phone.accessibleDescription() == "Not a phone number."
    assert dialog.isVisible()
    assert shown(dialog)["clinic_name"] == "Riverside Detox" and phone.text() == "call us"
    assert by_name(dialog, QSpinBox, IDLE).value() == 3
    # Typing again clears the message under the field.
    type_into(qtbot, phone, " now")
    assert not error.isVisible()


def test_saving_from_the_admin_menu_applies_the_idle_lock_at_once(qtbot, db, admin):
    window = MainWindow(db, admin)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.idle_lock.interval_ms() == 10 * 60_000
    assert window.ui.actionClinicSettings in window.ui.menuAdmin.actions()
    assert window.ui.actionClinicSettings.isVisible()
    window.ui.actionClinicSettings.trigger()
    dialog = shown_dialog(qtbot, window, "Clinic settings")
    type_into(qtbot, by_name(dialog, QSpinBox, IDLE), "3", replace=True)
    click(qtbot, button(dialog, "Save"))
    qtbot.waitUntil(lambda: dialog_named(window, "Clinic settings") is None)
    assert window.idle_lock.interval_ms() == 3 * 60_000
    assert settings.get(db, "idle_lock_minutes") == 3


def test_a_nurse_has_no_clinic_settings_action(qtbot, db, admin):
    nurse = make_user(db, admin, "nurse", "nina")
    window = MainWindow(db, nurse)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert not window.ui.actionClinicSettings.isVisible()
    assert not window.ui.menuAdmin.menuAction().isVisible()
    window.ui.actionClinicSettings.trigger()  # even triggered, nothing opens
    assert dialog_named(window, "Clinic settings") is None
