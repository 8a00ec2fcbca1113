"""The aftercare plan screen, driven as a counselor would: open it for an episode in transition,
type, let it autosave, finalize with the password, preview and print, discharge."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
)

from clinic_desktop.core.services import audit, directory, episodes, patients, plans
from clinic_desktop.gui.pdf_preview import PdfPreview
from clinic_desktop.gui.plan_screen import DirectoryPicker, PlanScreen
from clinic_desktop.reports import i18n
from tests.conftest import blank_clinic_setting, make_user
from tests.factories import admit_with_signed_intake, local_entry
from tests.gui.helpers import (
    STRONG_PASSWORD,
    button,
    by_name,
    click,
    open_plan_screen,
    type_into,
    wait_answered,
)


@pytest.fixture
def admitted(db, admin):
    return admit_with_signed_intake(db, admin)  # (episode id, patient view): buprenorphine, in transition


@pytest.fixture
def screen(qtbot, db, counselor, admitted):
    return open_plan_screen(qtbot, db, counselor, *admitted)


def go(screen: PlanScreen, label: str) -> None:
    sections = by_name(screen, QListWidget, "Sections")
    rows = [sections.item(i).text().strip().split("  ", 1)[-1] for i in range(sections.count())]
    sections.setCurrentRow(rows.index(label))


def saved_draft(db, counselor, screen: PlanScreen) -> dict:
    return plans.open_plan(db, counselor, screen.episode_id).draft


def wait_saved(qtbot, screen: PlanScreen) -> None:
    qtbot.waitUntil(lambda: screen.draft_status.text().startswith("Draft saved"), timeout=3000)


def finalize(qtbot, screen: PlanScreen, password: str = STRONG_PASSWORD) -> None:
    go(screen, "Print and finalize")
    click(qtbot, button(screen, "Finalize\u2026"))
    dialog = screen.sign_dialog()
    assert dialog is not None and dialog.windowTitle() == "Finalize the aftercare plan"
    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), password)
    click(qtbot, button(dialog, "Finalize"))
    wait_answered(qtbot, dialog, "Finalize")


def date_popup(when):
    """The calendar a date field opened, while it is shown."""
    from clinic_desktop.gui.widgets.when_edit import DatePopup

    shown = [d for d in when.findChildren(DatePopup) if d.isVisible()]
    return shown[0] if shown else None


def add_referral(qtbot, screen: PlanScreen, search: str, reason: str) -> None:
    go(screen, "Referrals")
    click(qtbot, button(screen, "Add referral\u2026"))
    picker = screen.picker()
    assert isinstance(picker, DirectoryPicker)
    type_into(qtbot, by_name(picker, QLineEdit, "Search"), search)
    qtbot.waitUntil(lambda: picker.results.count() == 1
                    and search in picker.results.item(0).text(), timeout=3000)
    click(qtbot, button(picker, "Add"))
    row = screen.referral_rows[-1]
    assert row.heading.text().startswith(f"Referral {len(screen.referral_rows)}: {search}")
    type_into(qtbot, row.reason, reason)


def complete(qtbot, screen: PlanScreen) -> None:
    """Fill in everything finalizing asks for, through the screen."""
    go(screen, "Medication")
    moud = by_name(screen, QComboBox, "MOUD offered")
    moud.setCurrentIndex(moud.findData("accepted"))
    go(screen, "Level and therapies")
    level = by_name(screen, QComboBox, "Level of aftercare")
    level.setCurrentIndex(level.findData("intensive_outpatient"))
    click(qtbot, by_name(screen, QCheckBox, i18n.text("en", "therapy.cbt")))
    go(screen, "Support")
    type_into(qtbot, by_name(screen, QLineEdit, "Key worker name"), "Sam Ortiz")
    go(screen, "Relapse prevention")
    type_into(qtbot, by_name(screen, QPlainTextEdit, i18n.text("en", "relapse.triggers")), "Payday")
    go(screen, "Naloxone, overdose and PAWS")
    kit = by_name(screen, QComboBox, "Naloxone kit given")
    kit.setCurrentIndex(kit.findData(True))
    go(screen, "Follow-ups")
    click(qtbot, button(screen, "Add follow-up"))
    row = screen.follow_up_rows[-1]
    type_into(qtbot, row.edits["when"], "2026-12-08 14:00")
    type_into(qtbot, row.edits["place"], "Clinic")


def test_opens_prefilled_from_the_pathway_and_autosaves_relapse_prevention(qtbot, db, counselor, screen):
    medicine = by_name(screen, QComboBox, "Medicine after discharge")
    assert medicine.currentData() == "buprenorphine"
    assert screen.people_rows[0].edits["name"].text() == "Lee Díaz"  # the emergency contact
    sections = by_name(screen, QListWidget, "Sections")
    texts = [sections.item(i).text() for i in range(sections.count())]
    # Medication for opioid use disorder offered is asked, never prefilled.
    assert texts[0].startswith("\u25cb") and "Medication" in texts[0]
    assert any(t.startswith("\u25cb") and "Relapse prevention" in t for t in texts)
    # Ctrl+PgDown moves to the next section.
    qtbot.keyClick(screen, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert screen.current_section() == "level"

    go(screen, "Relapse prevention")
    box = by_name(screen, QPlainTextEdit, "Things that make me want to use")
    type_into(qtbot, box, "Payday, old friends")
    wait_saved(qtbot, screen)
    draft = saved_draft(db, counselor, screen)
    assert draft["relapse"]["triggers"] == "Payday, old friends"
    assert draft["overdose"]["naloxone_at_home"] is True  # kept, though the screen does not edit it
    assert sections.item(4).text().startswith("\u2713")


def test_the_section_list_is_the_plan_s_sections_then_consent_and_finalize(screen):
    from clinic_desktop.core import plan as plan_rules

    sections = by_name(screen, QListWidget, "Sections")
    labels = [sections.item(i).text().strip().split("  ", 1)[-1] for i in range(sections.count())]
    assert labels == [*(s.label for s in plan_rules.SECTIONS), "Consent", "Print and finalize"]


def test_every_section_reads_back_what_it_loaded(qtbot, db, admin, counselor, admitted):
    """Each section's load and read are inverse: a plan filled in everywhere opens and reads
    back unchanged, keys the screen does not edit included."""
    referral = local_entry(db, admin, "Northside IOP")
    meeting = local_entry(db, admin, "Tuesday NA", kind="mutual_help_meeting")
    episode_id, patient = admitted
    view = plans.open_plan(db, counselor, episode_id)
    draft = {
        **view.draft,
        "medication": {"choice": "methadone", "prescriber": "Eastside OTP",
                       "next": "2099-01-05T09:30", "reason": "Stable on it", "kept": "as is",
                       "moud": {"answer": "declined", "reason": "Wants to wait"}, "reconciliation": []},
        "level": "outpatient", "therapies": ["cbt", "family_therapy"],
        "referrals": [{"entry_id": referral.id, "reason": "IOP", "appointment": "2099-01-06T10:00",
                       "share": True}],
        "people": [{"name": "Lee", "relation": "Brother", "phone": "555-0101"}],
        "key_worker": {"name": "Kim", "phone": "555-0102", "focus": ["housing", "benefits"]},
        "meetings": [meeting.id],
        "relapse": {"triggers": "Payday", "warning_signs": "Skipping calls", "coping": "Walk",
                    "people_to_call": "Lee", "reasons": "My daughter"},
        "overdose": {**view.draft["overdose"], "naloxone_kit_given": True, "naloxone_reason": "",
                     "naloxone_shown_patient": True, "naloxone_shown_person": "Lee"},
        "follow_ups": [{"when": "2099-01-07", "place": "Clinic", "phone": "555-0103"}]}
    plans.save_draft(db, counselor, view.id, view.version, draft)
    s = PlanScreen(db, counselor, episode_id, patients.open_record(db, counselor, patient.id))
    qtbot.addWidget(s)
    assert s.draft_data() == draft
    assert by_name(s, QListWidget, "Missing before finalizing").count() == 0


def test_add_a_follow_up(qtbot, db, counselor, screen):
    go(screen, "Follow-ups")
    click(qtbot, button(screen, "Add follow-up"))
    [row] = screen.follow_up_rows
    assert row.edits["when"].hasFocus()
    type_into(qtbot, row.edits["when"], "2026-12-08 14:00")
    type_into(qtbot, row.edits["place"], "Clinic")
    type_into(qtbot, row.edits["phone"], "217-555-0100")
    wait_saved(qtbot, screen)
    assert saved_draft(db, counselor, screen)["follow_ups"] == [  # a typed date is stored as ISO
        {"when": "2026-12-08T14:00", "place": "Clinic", "phone": "217-555-0100"}]


def test_the_next_dose_takes_a_date_or_words(qtbot, db, counselor, screen):
    go(screen, "Medication")
    next_dose = by_name(screen, QLineEdit, "Next dose or appointment")
    type_into(qtbot, next_dose, "2099-01-05 09:30")
    wait_saved(qtbot, screen)
    assert saved_draft(db, counselor, screen)["medication"]["next"] == "2099-01-05T09:30"
    type_into(qtbot, next_dose, "daily at the OTP", replace=True)
    wait_saved(qtbot, screen)
    assert saved_draft(db, counselor, screen)["medication"]["next"] == "daily at the OTP"
    type_into(qtbot, next_dose, "2020-01-06 10:00", replace=True)  # kept, and flagged next to it
    error = by_name(screen, QLabel, "Next dose or appointment error")
    assert error.isVisible() and "in the past" in error.text()
    wait_saved(qtbot, screen)
    assert saved_draft(db, counselor, screen)["medication"]["next"] == "2020-01-06T10:00"


def test_pick_a_follow_up_date_from_the_calendar_by_keyboard(qtbot, db, counselor, screen):
    from PySide6.QtWidgets import QApplication

    go(screen, "Follow-ups")
    click(qtbot, button(screen, "Add follow-up"))
    [row] = screen.follow_up_rows
    when = row.dates["when"]
    type_into(qtbot, row.edits["when"], "2030-03-14 09:30")
    qtbot.keyClick(row.edits["when"], Qt.Key.Key_F4)
    popup = date_popup(when)
    assert popup is not None and popup.calendar.selectedDate().toString("yyyy-MM-dd") == "2030-03-14"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and popup.calendar.isAncestorOf(QApplication.focusWidget()))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)  # the next day
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # to the time
    assert popup.time.hasFocus()
    qtbot.keyClicks(popup.time, "1045")
    qtbot.keyClick(popup.time, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: date_popup(when) is None)
    assert row.edits["when"].text() == "2030-03-15 10:45"
    assert screen.focusWidget() is row.edits["when"]  # back where the typing was
    # Alt+Down opens it too; "Time not known yet" stores the day alone.
    screen.activateWindow()
    qtbot.keyClick(row.edits["when"], Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    popup = date_popup(when)
    assert popup is not None and popup.time.time().toString("HH:mm") == "10:45"
    click(qtbot, by_name(popup, QCheckBox, "Time not known yet"))
    click(qtbot, popup.use_button)
    assert row.edits["when"].text() == "2030-03-15"
    type_into(qtbot, row.edits["place"], "Clinic")
    wait_saved(qtbot, screen)
    assert saved_draft(db, counselor, screen)["follow_ups"][0]["when"] == "2030-03-15"


def test_an_appointment_in_the_past_is_shown_as_an_error_and_kept(qtbot, db, admin, counselor, screen):
    local_entry(db, admin, "Northside IOP")
    add_referral(qtbot, screen, "Northside IOP", "IOP")
    row = screen.referral_rows[0]
    appointment = by_name(row, QLineEdit, "Referral 1: appointment")
    type_into(qtbot, appointment, "2020-01-06 10:00")
    error = by_name(row, QLabel, "Referral 1: appointment error")
    qtbot.waitUntil(error.isVisible)
    assert "6 January 2020, 10:00 is in the past" in error.text()
    assert appointment.property("invalid") is True
    wait_saved(qtbot, screen)
    assert saved_draft(db, counselor, screen)["referrals"][0]["appointment"] == "2020-01-06T10:00"
    type_into(qtbot, appointment, "2099-01-06 10:00", replace=True)
    assert not error.isVisible() and not appointment.property("invalid")


def test_old_free_text_appointments_load_and_stay_as_typed(qtbot, db, admin, counselor, admitted):
    entry = local_entry(db, admin, "Northside IOP")
    episode_id, patient = admitted
    view = plans.open_plan(db, counselor, episode_id)
    plans.save_draft(db, counselor, view.id, view.version, {
        **view.draft,
        "referrals": [{"entry_id": entry.id, "reason": "IOP", "appointment": "as agreed, call Monday",
                       "share": False}],
        "follow_ups": [{"when": "next Tuesday after group", "place": "Clinic", "phone": ""}]})
    s = PlanScreen(db, counselor, episode_id, patients.open_record(db, counselor, patient.id))
    qtbot.addWidget(s)
    s.show()
    row = s.referral_rows[0]
    assert by_name(row, QLineEdit, "Referral 1: appointment").text() == "as agreed, call Monday"
    errors = [label for label in row.findChildren(QLabel) if label.accessibleName().endswith(" error")]
    assert not any(label.isVisible() and label.text() for label in errors)  # free text is no error
    assert s.follow_up_rows[0].edits["when"].text() == "next Tuesday after group"
    type_into(qtbot, s.follow_up_rows[0].edits["place"], " East")
    wait_saved(qtbot, s)
    draft = saved_draft(db, counselor, s)
    assert draft["referrals"][0]["appointment"] == "as agreed, call Monday"
    assert draft["follow_ups"][0] == {"when": "next Tuesday after group", "place": "Clinic East", "phone": ""}


def verified_entry(db, admin, name, *, days_ago=0, phone="217-555-0100", address="12 Main St",
                   kind="outpatient_program"):
    """A directory entry last verified ``days_ago`` days ago (None: never verified)."""
    today = directory.clinic_today()
    verified = None if days_ago is None else today - dt.timedelta(days=days_ago)
    return directory.add_entry(db, admin, directory.EntryInput(
        name=name, kind=kind, phone=phone, address=address, other_contact="" if phone else "text HOPE",
        last_verified=verified))


def test_the_picker_flags_stale_contacts_and_missing_phone_or_address(qtbot, db, admin, screen):
    stale_days = directory.stale_days(db)
    verified_entry(db, admin, "Fresh House", days_ago=3)
    old = verified_entry(db, admin, "Old House", days_ago=stale_days + 10)
    verified_entry(db, admin, "Never House", days_ago=None)
    verified_entry(db, admin, "Quiet House", days_ago=1, phone="")
    verified_entry(db, admin, "Nowhere House", days_ago=1, address="")
    go(screen, "Referrals")
    click(qtbot, button(screen, "Add referral\u2026"))
    picker = screen.picker()
    type_into(qtbot, by_name(picker, QLineEdit, "Search"), "House")
    qtbot.waitUntil(lambda: picker.results.count() == 5, timeout=3000)
    items = {picker.results.item(i).text().split(" \u2014 ")[0]: picker.results.item(i)
             for i in range(picker.results.count())}
    assert "verified" not in items["Fresh House"].text() and not items["Fresh House"].toolTip()
    assert items["Old House"].text().endswith(f"not verified since {old.last_verified.isoformat()}")
    assert "before printing" in items["Old House"].toolTip()
    assert items["Old House"].foreground().color() != items["Fresh House"].foreground().color()
    assert not items["Old House"].icon().isNull() and items["Fresh House"].icon().isNull()
    assert items["Never House"].text().endswith("never verified")
    assert items["Quiet House"].text().endswith("no phone on file")
    assert items["Nowhere House"].text().endswith("no address on file")
    check = by_name(picker, QLabel, "Check before adding")
    picker.results.setCurrentItem(items["Fresh House"])
    assert not check.isVisible()
    picker.results.setCurrentItem(items["Old House"])
    assert check.isVisible() and check.text().startswith("Not verified since")
    picker.reject()


def test_a_referral_row_warns_about_a_stale_contact_or_one_without_a_phone(qtbot, db, admin, screen):
    stale_days = directory.stale_days(db)
    old = verified_entry(db, admin, "Old House", days_ago=stale_days + 10)
    verified_entry(db, admin, "Quiet House", days_ago=1, phone="")
    verified_entry(db, admin, "Fresh House", days_ago=1)
    add_referral(qtbot, screen, "Old House", "Sober living")
    add_referral(qtbot, screen, "Quiet House", "Housing")
    add_referral(qtbot, screen, "Fresh House", "Housing")
    warnings = [row.warning for row in screen.referral_rows]
    assert all(w.accessibleName() == "Contact warning" for w in warnings)
    day = old.last_verified
    assert warnings[0].isVisible()
    assert warnings[0].text().startswith(f"Not verified since {day.day} {day:%B %Y}")
    assert "check the phone number" in warnings[0].text()
    assert warnings[1].isVisible() and warnings[1].text().startswith("No phone number on file")
    assert not warnings[2].isVisible()


def test_a_meeting_without_a_recent_check_is_flagged_in_the_list(qtbot, db, admin, screen):
    verified_entry(db, admin, "Tuesday NA", days_ago=None, kind="mutual_help_meeting", address="")
    go(screen, "Support")
    click(qtbot, button(screen, "Add meeting\u2026"))
    picker = screen.picker()
    type_into(qtbot, by_name(picker, QLineEdit, "Search"), "Tuesday NA")
    qtbot.waitUntil(lambda: picker.results.count() == 1, timeout=3000)
    click(qtbot, button(picker, "Add"))
    meetings = by_name(screen, QListWidget, "Meetings")
    assert meetings.item(0).text().startswith("Tuesday NA")
    assert "never verified" in meetings.item(0).text() and "no address on file" in meetings.item(0).text()
    warning = by_name(screen, QLabel, "Meeting warning")
    assert warning.isVisible() and "Never verified" in warning.text()
    click(qtbot, button(screen, "Remove meeting"))
    assert meetings.count() == 0 and not warning.isVisible()


def test_naltrexone_shows_its_prompt(qtbot, screen):
    prompt = by_name(screen, QLabel, "Naltrexone prompt")
    assert not prompt.isVisible()
    medicine = by_name(screen, QComboBox, "Medicine after discharge")
    medicine.setCurrentIndex(medicine.findData("naltrexone"))
    assert prompt.isVisible() and prompt.text()
    # Recently used heroin: the window is not met, so the reason is missing.
    missing = by_name(screen, QListWidget, "Missing before finalizing")
    assert any("Naltrexone" in missing.item(i).text() for i in range(missing.count()))


def test_finalize_with_missing_items_lists_them_and_jumps_there(qtbot, screen):
    finalize(qtbot, screen)
    qtbot.waitUntil(lambda: screen.sign_dialog() is None)
    assert screen.current_section() == "finalize"
    missing = by_name(screen, QListWidget, "Missing before finalizing")
    texts = [missing.item(i).text() for i in range(missing.count())]
    assert any("level of aftercare" in t for t in texts)
    assert any(t.startswith("Support:") and "key worker" in t for t in texts)
    assert any(t.startswith("Follow-ups:") for t in texts)
    assert by_name(screen, QListWidget, "Versions").count() == 0
    empty = by_name(screen, QLabel, "Versions empty")  # says so, and how a version comes
    assert empty.isVisible() and empty.text().startswith("No finalized versions yet") and "Finalize" in empty.text()
    key_worker = next(i for i in range(missing.count()) if "key worker" in missing.item(i).text())
    missing.itemActivated.emit(missing.item(key_worker))
    assert screen.current_section() == "support"
    name = by_name(screen, QLineEdit, "Key worker name")
    assert name.hasFocus()
    # The message is next to the field too, and goes once the field is filled in.
    error = by_name(screen, QLabel, "Key worker name error")
    assert error.isVisible() and "key worker" in error.text() and name.property("invalid")
    type_into(qtbot, name, "Pat Keyworker")
    assert not error.isVisible() and not name.property("invalid")
    level = by_name(screen, QLabel, "Level of aftercare error")
    assert level.text().startswith("Choose the level")


def test_naloxone_is_answered_by_keyboard_and_a_no_needs_its_reason(qtbot, db, counselor, screen):
    go(screen, "Naloxone, overdose and PAWS")
    missing = by_name(screen, QListWidget, "Missing before finalizing")

    def texts() -> list[str]:
        return [missing.item(i).text() for i in range(missing.count())]

    assert any("naloxone kit was given" in t for t in texts())  # unanswered: finalizing asks
    kit = by_name(screen, QComboBox, "Naloxone kit given")
    reason = by_name(screen, QLineEdit, "Why no kit")
    assert kit.currentData() is None and not reason.isEnabled()
    kit.setFocus()
    qtbot.keyClick(kit, Qt.Key.Key_Down)  # "Yes, a kit was given"
    qtbot.keyClick(kit, Qt.Key.Key_Down)  # "No kit given"
    assert kit.currentData() is False and reason.isEnabled()
    assert not any("naloxone kit was given" in t for t in texts())
    assert any("No naloxone kit given: record why not." in t for t in texts())
    type_into(qtbot, reason, "Has two kits at home")
    assert not any("naloxone" in t.lower() for t in texts())
    click(qtbot, by_name(screen, QCheckBox, "The patient was shown how to use it"))
    type_into(qtbot, by_name(screen, QLineEdit, "Also shown how to use it"), "Ana (sister)")
    wait_saved(qtbot, screen)
    overdose = saved_draft(db, counselor, screen)["overdose"]
    assert overdose["naloxone_kit_given"] is False and overdose["naloxone_reason"] == "Has two kits at home"
    assert overdose["naloxone_shown_patient"] is True and overdose["naloxone_shown_person"] == "Ana (sister)"
    qtbot.keyClick(kit, Qt.Key.Key_Up)  # back to yes: the reason is no longer asked nor kept
    assert kit.currentData() is True and not reason.isEnabled()
    assert screen.draft_data()["overdose"]["naloxone_reason"] == ""


def test_wrong_password_stays_in_the_dialog(qtbot, screen):
    complete(qtbot, screen)
    finalize(qtbot, screen, password="not my password")
    dialog = screen.sign_dialog()
    assert dialog is not None and dialog.error.isVisible()
    dialog.reject()


def test_complete_finalize_lists_version_1_and_prints_it(qtbot, db, admin, counselor, screen):
    local_entry(db, admin, "Northside IOP")
    complete(qtbot, screen)
    add_referral(qtbot, screen, "Northside IOP", "Intensive outpatient, 3 evenings a week")
    screen.referral_rows[0].share.setChecked(True)
    assert by_name(screen, QListWidget, "Missing before finalizing").count() == 0
    finalize(qtbot, screen)
    versions = by_name(screen, QListWidget, "Versions")
    qtbot.waitUntil(lambda: versions.count() == 1)
    assert versions.item(0).text().startswith("Version 1")
    assert not by_name(screen, QLabel, "Versions empty").isVisible()
    draft = saved_draft(db, counselor, screen)
    assert draft["referrals"][0]["reason"] == "Intensive outpatient, 3 evenings a week"
    assert draft["referrals"][0]["share"] is True
    click(qtbot, button(screen, "Print version 1"))
    qtbot.waitUntil(lambda: screen.preview_dialog() is not None, timeout=10000)
    preview = screen.preview_dialog()
    assert isinstance(preview, PdfPreview) and preview.page_count() >= 1
    preview.reject()


def test_a_spanish_plan_is_signed_in_spanish_and_english_and_prints_either(qtbot, db, admin, screen):
    local_entry(db, admin, "Northside IOP")
    complete(qtbot, screen)
    add_referral(qtbot, screen, "Northside IOP", "Intensive outpatient, 3 evenings a week")
    go(screen, "Print and finalize")
    language = by_name(screen, QComboBox, "Language")
    language.setCurrentIndex(language.findData("es"))
    finalize(qtbot, screen)
    versions = by_name(screen, QListWidget, "Versions")
    qtbot.waitUntil(lambda: versions.count() == 2)
    assert "Spanish (patient's copy)" in versions.item(0).text()
    assert "English (record copy)" in versions.item(1).text()
    versions.setCurrentRow(1)
    click(qtbot, button(screen, "Print version 1 (English)"))
    qtbot.waitUntil(lambda: screen.preview_dialog() is not None, timeout=10000)
    screen.preview_dialog().reject()


def test_preview_shows_the_plan_as_it_would_print(qtbot, screen):
    go(screen, "Print and finalize")
    by_name(screen, QCheckBox, "Large print").setChecked(True)
    click(qtbot, button(screen, "Preview\u2026"))
    assert screen.document_job() is not None  # prepared off the GUI thread
    qtbot.waitUntil(lambda: screen.preview_dialog() is not None, timeout=10000)
    preview = screen.preview_dialog()
    assert isinstance(preview, PdfPreview)
    assert preview.page_count() >= 1 and preview.pdf.startswith(b"%PDF")
    assert screen.document_job() is None
    preview.reject()
    qtbot.waitUntil(lambda: screen.preview_dialog() is None)


def test_a_preview_that_fails_shows_the_message_and_no_preview(qtbot, monkeypatch, screen):
    from PySide6.QtWidgets import QMessageBox

    from clinic_desktop.core.errors import ValidationError

    def refuse(*_args, **_kwargs):
        raise ValidationError("The plan cannot be printed right now.")

    monkeypatch.setattr(plans, "preview_pdf", refuse, raising=False)
    monkeypatch.setattr(plans, "document", refuse)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append((title, text)))
    go(screen, "Print and finalize")
    click(qtbot, button(screen, "Preview\u2026"))
    qtbot.waitUntil(lambda: screen.document_job() is None, timeout=10000)
    assert shown == [("Not previewed", "The plan cannot be printed right now.")]
    assert screen.preview_dialog() is None


def test_preview_without_the_clinic_details_says_who_sets_them(qtbot, monkeypatch, db, admin, screen):
    from PySide6.QtWidgets import QMessageBox

    blank_clinic_setting(db, "clinic_phone")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append((title, text)))
    go(screen, "Print and finalize")
    missing = by_name(screen, QListWidget, "Missing before finalizing")
    before = [missing.item(i).text() for i in range(missing.count())]
    click(qtbot, button(screen, "Preview\u2026"))
    qtbot.waitUntil(lambda: screen.document_job() is None, timeout=10000)
    [(title, text)] = shown
    assert title == "Not previewed" and "clinic's phone" in text and "Clinic settings" in text
    assert screen.preview_dialog() is None
    # The list of what the plan misses is left as it was (the refusal is no missing field).
    assert [missing.item(i).text() for i in range(missing.count())] == before and before


def tick_items(qtbot, screen: PlanScreen, keys) -> None:
    """Tick the consent's information items with the keyboard (focus, space)."""
    from clinic_desktop.core.consent import INFORMATION_ITEMS

    for key in keys:
        box = by_name(screen.consent.items_box, QCheckBox, INFORMATION_ITEMS[key])
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Space)
        assert box.isChecked()


def record_consent(qtbot, screen: PlanScreen, items=("medication", "follow_ups", "relapse")) -> QListWidget:
    go(screen, "Consent")
    type_into(qtbot, by_name(screen, QLineEdit, "Purpose"), "Continuity of care")
    tick_items(qtbot, screen, items)
    click(qtbot, button(screen, "Record consent"))
    consents = by_name(screen, QListWidget, "Consents")
    consents.setCurrentRow(consents.count() - 1)
    return consents


def test_a_referral_letter_shares_only_what_is_ticked(qtbot, db, admin, screen, monkeypatch):
    from clinic_desktop.core.consent import INFORMATION_ITEMS

    local_entry(db, admin, "Northside IOP")
    add_referral(qtbot, screen, "Northside IOP", "Intensive outpatient")
    screen.referral_rows[0].share.setChecked(True)
    record_consent(qtbot, screen)
    calls = []
    real = plans.referral_letter

    def spy(db_, user, plan_id, consent_id, shared):
        calls.append(list(shared))
        return real(db_, user, plan_id, consent_id, shared)

    monkeypatch.setattr(plans, "referral_letter", spy)
    click(qtbot, button(screen, "Referral letter\u2026"))
    dialog = screen.letter_dialog()
    assert dialog is not None
    click(qtbot, by_name(dialog, QCheckBox, INFORMATION_ITEMS["medication"]))
    click(qtbot, by_name(dialog, QCheckBox, INFORMATION_ITEMS["follow_ups"]))
    click(qtbot, button(dialog, "Prepare letter"))
    qtbot.waitUntil(lambda: screen.preview_dialog() is not None, timeout=10000)
    preview = screen.preview_dialog()
    assert preview.windowTitle() == "Referral letter" and preview.page_count() >= 1
    assert calls == [["medication", "follow_ups"]]
    preview.reject()


def test_the_letter_dialog_sends_the_ticked_items_off_the_gui_thread(qtbot, db, admin, screen, monkeypatch):
    """The screen's side of the letter, whatever the service does: the ticked keys go to
    plans.referral_letter from a worker thread and its bytes are previewed."""
    import threading

    from clinic_desktop.core.consent import INFORMATION_ITEMS

    local_entry(db, admin, "Northside IOP")
    add_referral(qtbot, screen, "Northside IOP", "Intensive outpatient")
    record_consent(qtbot, screen)
    pdf = _a_pdf()
    calls = []

    def letter(_db, _user, plan_id, consent_id, shared):
        calls.append((plan_id, consent_id, list(shared), threading.current_thread() is threading.main_thread()))
        return pdf

    monkeypatch.setattr(plans, "referral_letter", letter, raising=False)
    click(qtbot, button(screen, "Referral letter\u2026"))
    dialog = screen.letter_dialog()
    labels = [b.accessibleName() for b in dialog.findChildren(QCheckBox)]
    assert labels == list(INFORMATION_ITEMS.values())
    click(qtbot, by_name(dialog, QCheckBox, INFORMATION_ITEMS["relapse"]))
    click(qtbot, button(dialog, "Prepare letter"))
    qtbot.waitUntil(lambda: screen.preview_dialog() is not None, timeout=10000)
    consent_id = by_name(screen, QListWidget, "Consents").item(0).data(Qt.ItemDataRole.UserRole)
    assert calls == [(screen.plan_id, consent_id, ["relapse"], False)]
    assert screen.preview_dialog().windowTitle() == "Referral letter"
    assert screen.preview_dialog().pdf == pdf
    screen.preview_dialog().reject()


def test_an_expired_consent_gives_no_letter(qtbot, db, admin, counselor, screen, monkeypatch):
    import datetime as dt

    from PySide6.QtWidgets import QMessageBox

    entry = local_entry(db, admin, "Northside IOP")
    add_referral(qtbot, screen, "Northside IOP", "IOP")
    plans.record_consent(db, counselor, screen.episode_id, plans.ConsentInput(
        directory_entry_id=entry.id, purpose="Continuity of care", items=("medication",),
        signed_on=dt.date(2020, 1, 2), expires_on=dt.date(2020, 6, 30)))
    calls = []
    monkeypatch.setattr(plans, "referral_letter", lambda *a: calls.append(a) or b"", raising=False)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append((title, text)))
    screen.consent.reload()  # recorded elsewhere: read again
    go(screen, "Consent")
    consents = by_name(screen, QListWidget, "Consents")
    consents.setCurrentRow(0)
    assert "(expired)" in consents.item(0).text()
    click(qtbot, button(screen, "Referral letter\u2026"))
    assert shown and shown[0][0] == "No letter" and "expired on 2020-06-30" in shown[0][1]
    assert screen.letter_dialog() is None and screen.preview_dialog() is None and calls == []


def test_a_letter_the_service_refuses_shows_its_message(qtbot, db, admin, screen, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from clinic_desktop.core.errors import ValidationError

    local_entry(db, admin, "Northside IOP")
    add_referral(qtbot, screen, "Northside IOP", "IOP")
    record_consent(qtbot, screen)

    def refuse(*_a):
        raise ValidationError("This consent was revoked; record a new consent before sharing.")

    monkeypatch.setattr(plans, "referral_letter", refuse, raising=False)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append((title, text)))
    click(qtbot, button(screen, "Referral letter\u2026"))
    click(qtbot, button(screen.letter_dialog(), "Prepare letter"))
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert shown == [("No letter", "This consent was revoked; record a new consent before sharing.")]
    assert screen.preview_dialog() is None


def _a_pdf() -> bytes:
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 720, "Referral letter")
    c.showPage()
    c.save()
    return out.getvalue()


def test_record_and_revoke_a_consent(qtbot, db, admin, screen):
    local_entry(db, admin, "Northside IOP")
    add_referral(qtbot, screen, "Northside IOP", "IOP")
    go(screen, "Consent")
    assert by_name(screen, QComboBox, "Recipient").currentText().startswith("Northside IOP")
    click(qtbot, button(screen, "Record consent"))
    # purpose and items missing: each said next to its field
    assert by_name(screen, QLabel, "Purpose error").isVisible()
    items_error = by_name(screen, QLabel, "Information to share error")
    assert items_error.isVisible() and "at least one item" in items_error.text()
    assert screen.consent.items_box.accessibleDescription() == items_error.text()
    type_into(qtbot, by_name(screen, QLineEdit, "Purpose"), "Continuity of care")
    tick_items(qtbot, screen, ["relapse", "level"])
    assert not items_error.isVisible()  # ticking clears it
    click(qtbot, button(screen, "Record consent"))
    consents = by_name(screen, QListWidget, "Consents")
    assert consents.count() == 1 and "(active)" in consents.item(0).text()
    assert "Level of aftercare, Relapse-prevention plan" in consents.item(0).text()
    assert not any(box.isChecked() for box in screen.consent.item_checks.values())  # the form is cleared
    [recorded] = plans.consents(db, admin, screen.episode_id)
    assert recorded.items == ("level", "relapse")
    consents.setCurrentRow(0)
    click(qtbot, button(screen, "Revoke"))
    assert "revoked" in consents.item(0).text()


def test_the_letter_offers_only_the_items_the_consent_covers(qtbot, db, admin, screen, monkeypatch):
    from clinic_desktop.core.consent import INFORMATION_ITEMS

    local_entry(db, admin, "Northside IOP")
    add_referral(qtbot, screen, "Northside IOP", "IOP")
    record_consent(qtbot, screen, items=("level",))
    calls = []
    monkeypatch.setattr(plans, "referral_letter", lambda *a: calls.append(list(a[4])) or _a_pdf(),
                        raising=False)
    click(qtbot, button(screen, "Referral letter\u2026"))
    dialog = screen.letter_dialog()
    for key, label in INFORMATION_ITEMS.items():
        box = by_name(dialog, QCheckBox, label)
        assert box.isEnabled() == (key == "level")
        assert box.toolTip() == ("" if key == "level" else "Not covered by this consent")
    refused = by_name(dialog, QCheckBox, INFORMATION_ITEMS["relapse"])
    click(qtbot, refused)
    assert not refused.isChecked()
    refused.setChecked(True)  # even forced on, an item not covered is never sent
    click(qtbot, by_name(dialog, QCheckBox, INFORMATION_ITEMS["level"]))
    assert dialog.shared() == ["level"]
    click(qtbot, button(dialog, "Prepare letter"))
    qtbot.waitUntil(lambda: screen.preview_dialog() is not None, timeout=10000)
    assert calls == [["level"]]
    screen.preview_dialog().reject()


def test_a_consent_recorded_before_items_says_so_and_offers_no_item(qtbot, db, admin, counselor, screen):
    from clinic_desktop.core.models import Consent

    entry = local_entry(db, admin, "Northside IOP")
    add_referral(qtbot, screen, "Northside IOP", "IOP")
    view = plans.record_consent(db, counselor, screen.episode_id, plans.ConsentInput(
        entry.id, "Continuity of care", ("medication",), dt.date.today() + dt.timedelta(days=30),
        dt.date.today()))
    with db.write() as session:  # as migration 0011 leaves a consent recorded before it
        session.get(Consent, view.id).items = None
    screen.consent.reload()
    go(screen, "Consent")
    consents = by_name(screen, QListWidget, "Consents")
    assert ("recorded before itemized consents: record a new one to share plan details"
            in consents.item(0).text())
    consents.setCurrentRow(0)
    click(qtbot, button(screen, "Referral letter\u2026"))
    dialog = screen.letter_dialog()
    assert not any(box.isEnabled() for box in dialog.findChildren(QCheckBox))
    assert dialog.shared() == []
    dialog.reject()


def test_print_the_consent_form_typed_or_recorded(qtbot, db, admin, screen, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    local_entry(db, admin, "Northside IOP")
    add_referral(qtbot, screen, "Northside IOP", "IOP")
    go(screen, "Consent")
    # Before recording: what is typed, refused next to the fields when incomplete.
    type_into(qtbot, by_name(screen, QLineEdit, "Purpose"), "Continuity of care")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warnings.append((title, text)))
    click(qtbot, button(screen, "Print consent form\u2026"))
    qtbot.waitUntil(lambda: screen.document_job() is None, timeout=10000)
    assert warnings and warnings[0][0] == "No consent form" and screen.preview_dialog() is None
    assert by_name(screen, QLabel, "Information to share error").isVisible()
    tick_items(qtbot, screen, ["medication"])
    click(qtbot, button(screen, "Print consent form\u2026"))
    qtbot.waitUntil(lambda: screen.preview_dialog() is not None, timeout=10000)
    assert screen.preview_dialog().windowTitle() == "Consent form"
    screen.preview_dialog().reject()
    qtbot.waitUntil(lambda: screen.preview_dialog() is None, timeout=5000)
    # Recorded: the selected consent's form.
    click(qtbot, button(screen, "Record consent"))
    consents = by_name(screen, QListWidget, "Consents")
    consents.setCurrentRow(0)
    click(qtbot, button(screen, "Print consent form\u2026"))
    qtbot.waitUntil(lambda: screen.preview_dialog() is not None, timeout=10000)
    screen.preview_dialog().reject()
    printed = [e for e in audit.recent(db, admin) if e.action == "consent.form_printed"]
    consent_id = consents.item(0).data(Qt.ItemDataRole.UserRole)
    assert [e.detail["consent_id"] for e in reversed(printed)] == [None, consent_id]
    assert all(e.detail["items"] == ["medication"] for e in printed)


def test_a_stale_draft_shows_the_conflict_banner_and_stops_autosave(qtbot, db, admin, counselor, screen):
    other = make_user(db, admin, "prescriber")
    theirs = plans.open_plan(db, other, screen.episode_id)
    plans.save_draft(db, other, theirs.id, theirs.version, {**theirs.draft, "level": "outpatient"})
    go(screen, "Relapse prevention")
    type_into(qtbot, by_name(screen, QPlainTextEdit, i18n.text("en", "relapse.coping")), "Walk")
    banner = by_name(screen, QLabel, "Conflict")
    qtbot.waitUntil(banner.isVisible, timeout=3000)
    assert "Test Prescriber saved this plan" in banner.text() and "Autosave is off" in banner.text()


def test_discharge_needs_a_reason_and_closes_the_episode(qtbot, db, admin, counselor, admitted, screen):
    episode_id, patient = admitted
    go(screen, "Print and finalize")
    click(qtbot, button(screen, "Discharge\u2026"))
    dialog = screen.discharge_dialog()
    assert dialog is not None
    click(qtbot, button(dialog, "Discharge"))
    assert dialog.error.isVisible() and "why the patient leaves" in dialog.error.text().lower()
    kind = by_name(dialog, QComboBox, "Why the patient leaves")
    kind.setCurrentIndex(kind.findData("other"))
    click(qtbot, button(dialog, "Discharge"))  # "Other" needs the words
    assert dialog.error.isVisible() and "reason" in dialog.error.text()
    type_into(qtbot, by_name(dialog, QLineEdit, "Discharge reason"), "Completed detox, aftercare arranged")
    with qtbot.waitSignal(screen.discharged) as signal:
        click(qtbot, button(dialog, "Discharge"))
    assert signal.args == [episode_id]
    assert episodes.current_episode(db, counselor, patient.id) is None
    # the sheet is offered; it does not go away unanswered
    offer = screen.sheet_offer()
    assert offer is not None and offer.isVisible()
    offer.reject()
    assert offer.isVisible() and by_name(offer, QLabel, "Sheet error").isVisible()
    click(qtbot, by_name(offer, QPushButton, "Record why not"))
    assert offer.isVisible()
    why = by_name(offer, QComboBox, "Why not printed")
    why.setCurrentIndex(why.findData("patient_declined"))
    click(qtbot, by_name(offer, QPushButton, "Record why not"))
    qtbot.waitUntil(lambda: not screen.isVisible())
    event = next(e for e in audit.recent(db, admin) if e.action == "discharge.sheet_not_printed")
    assert event.detail == {"why": "patient_declined"}


def test_discharge_against_medical_advice_offers_the_sheet_and_prints_it(qtbot, db, admin, admitted, screen):
    episode_id, _patient = admitted
    go(screen, "Print and finalize")
    click(qtbot, button(screen, "Discharge\u2026"))
    dialog = screen.discharge_dialog()
    kind = by_name(dialog, QComboBox, "Why the patient leaves")
    kind.setFocus()
    while kind.currentData() != "against_medical_advice":  # by keyboard
        qtbot.keyClick(kind, Qt.Key.Key_Down)
    with qtbot.waitSignal(screen.discharged):
        click(qtbot, button(dialog, "Discharge"))  # no words needed
    event = next(e for e in audit.recent(db, admin) if e.action == "episode.discharged")
    assert event.detail["kind"] == "against_medical_advice" and event.detail["finalized_plan"] is False
    offer = screen.sheet_offer()
    assert offer is not None
    click(qtbot, by_name(offer, QPushButton, "Print the sheet"))
    qtbot.waitUntil(lambda: screen.preview_dialog() is not None, timeout=10000)
    preview = screen.preview_dialog()
    assert isinstance(preview, PdfPreview) and preview.pdf.startswith(b"%PDF") and preview.page_count() >= 1
    assert preview.suggested_name.startswith("overdose-sheet-")
    printed = next(e for e in audit.recent(db, admin) if e.action == "discharge.sheet_printed")
    assert printed.entity_id == str(episode_id) and printed.detail["language"] == "en"
    assert screen.isVisible()  # until the preview is closed
    preview.reject()
    qtbot.waitUntil(lambda: not screen.isVisible())


def test_the_main_window_opens_the_plan_of_a_patient_in_transition(qtbot, db, counselor, admitted):
    from PySide6.QtWidgets import QAbstractButton

    from clinic_desktop.gui.main_window import MainWindow
    from tests.gui.helpers import dialog_named, named

    _episode_id, patient = admitted
    w = MainWindow(db, counselor)
    qtbot.addWidget(w)
    w.show()
    w.search_for(patient.mrn)
    qtbot.mouseClick(named(w.ui.toolBar, QAbstractButton, "Aftercare plan"), Qt.MouseButton.LeftButton)
    screen = dialog_named(w, "Aftercare plan")
    assert isinstance(screen, PlanScreen)
    screen.reject()


def test_removing_rows_renumbers_referrals_and_saves(qtbot, db, admin, counselor, screen):
    local_entry(db, admin, "Northside IOP")
    local_entry(db, admin, "Eastside OTP", kind="opioid_treatment_program")
    add_referral(qtbot, screen, "Northside IOP", "IOP")
    add_referral(qtbot, screen, "Eastside OTP", "Methadone")
    assert by_name(screen, QLineEdit, "Referral 2: reason").text() == "Methadone"
    click(qtbot, screen.referral_rows[0].remove_button)
    [row] = screen.referral_rows
    assert row.heading.text().startswith("Referral 1: Eastside OTP")
    # a screen reader tells the rows apart, and the names follow the numbering
    assert by_name(row, QLineEdit, "Referral 1: reason").text() == "Methadone"
    assert row.remove_button.accessibleName() == "Remove referral 1"
    recipients = by_name(screen, QComboBox, "Recipient")
    assert [recipients.itemText(i) for i in range(recipients.count())] == [row.title]
    go(screen, "Support")
    click(qtbot, button(screen, "Add person"))
    assert [r.edits["phone"].accessibleName() for r in screen.people_rows] == [
        "Support person 1: phone", "Support person 2: phone"]
    click(qtbot, button(screen, "Remove support person 2"))
    click(qtbot, button(screen, "Remove support person 1"))
    assert screen.people_rows == []
    wait_saved(qtbot, screen)
    draft = saved_draft(db, counselor, screen)
    assert [r["reason"] for r in draft["referrals"]] == ["Methadone"] and draft["people"] == []


def test_the_picker_on_a_new_installation_says_who_fills_the_directory(qtbot, db, admin, screen):
    go(screen, "Referrals")
    click(qtbot, button(screen, "Add referral\u2026"))
    picker = screen.picker()
    assert isinstance(picker, DirectoryPicker)
    note = by_name(picker, QLabel, "Directory entries empty")
    assert picker.results.count() == 0 and note.isVisible()
    assert "administrator adds" in note.text() and "Referral directory" in note.text()
    assert "national help lines are printed on every plan" in note.text()
    assert not button(picker, "Add").isEnabled()
    local_entry(db, admin, "Northside IOP")
    type_into(qtbot, by_name(picker, QLineEdit, "Search"), "Southside")
    qtbot.waitUntil(lambda: "\u201cSouthside\u201d" in note.text(), timeout=3000)
    assert note.isVisible() and not button(picker, "Add").isEnabled()
    type_into(qtbot, by_name(picker, QLineEdit, "Search"), "Northside", replace=True)
    qtbot.waitUntil(lambda: picker.results.count() == 1, timeout=3000)
    assert not note.isVisible() and button(picker, "Add").isEnabled()
    picker.reject()
