"""The aftercare plan of one episode in transition (CLINICAL.md §2): section by section like the
intake screen, autosaved as it is typed, previewed and finalized (password re-entered) into
numbered versions; the 42 CFR Part 2 consents for the places it refers to; discharge.

Opened non-modal by the main window as ``PlanScreen(db, user, episode_id, patient_record,
parent)``; ``discharged(episode_id)`` fires when the episode is closed from here (the screen then
closes itself)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import assessment as intake_rules
from clinic_desktop.core import clock
from clinic_desktop.core import consent as consent_rules
from clinic_desktop.core import directory as directory_rules
from clinic_desktop.core import plan as plan_rules
from clinic_desktop.core.directory import ContactCheck
from clinic_desktop.core.errors import ClinicError, ConflictError, ValidationError
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import directory, intake, plans
from clinic_desktop.gui.pdf_preview import DocumentJob, PdfPreview, render_then_preview
from clinic_desktop.gui.widgets.dialog_base import DialogSlot, OneFieldDialog, error_line
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.removable_rows import RemovableRow, RowList
from clinic_desktop.gui.widgets.sectioned_screen import SectionedScreen
from clinic_desktop.gui.widgets.sign_dialog import SignDialog
from clinic_desktop.gui.widgets.when_edit import WhenEdit
from clinic_desktop.reports import i18n

log = logging.getLogger(__name__)

CHOOSE = "Choose\u2026"
#: The plan's sections (core.plan.SECTIONS), then the screen's own two.
SECTIONS = (*((s.name, s.label) for s in plan_rules.SECTIONS),
            ("consent", "Consent"), ("finalize", "Print and finalize"))
SECTION_LABELS = dict(SECTIONS)
#: Sections that can be incomplete (they get a done mark in the side list).
CHECKED = tuple(s.name for s in plan_rules.SECTIONS if s.checked)
#: The first part of a missing key ("key_worker.name") → the section that holds it.
MISSING_SECTION = plan_rules.SECTION_OF
RELAPSE_LABELS = {f: i18n.text("en", f"relapse.{f}") for f in plan_rules.RELAPSE_FIELDS}
FOCUS_LABELS = {"housing": "Housing", "employment": "Employment", "benefits": "Benefits"}




def _text(value: Any) -> str:
    return "" if value is None else str(value)


#: A directory contact that needs checking, in a list (the amber ink of the app's style sheet).
CHECK_INK = QColor("#7a5200")
GONE = "(no longer in the directory \u2014 choose another)"


def _mark_to_check(item: QListWidgetItem, info: ContactCheck, style) -> None:
    """A list item of a contact that needs checking: warning icon, amber ink, the reasons as tooltip."""
    if info.flags:
        item.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
        item.setForeground(QBrush(CHECK_INK))
        item.setToolTip(info.tooltip())


def _labelled(label: str, widget: QWidget) -> QLabel:
    widget.setAccessibleName(label)
    caption = QLabel(label)
    caption.setBuddy(widget)
    return caption


PEOPLE_FIELDS = (("name", "Name"), ("relation", "Relation"), ("phone", "Phone"))
FOLLOW_UP_FIELDS = (("when", "When"), ("place", "Place"), ("phone", "Phone"))


class FieldsRow(RemovableRow):
    """One removable row of line edits (a person, a follow-up); the keys in ``dates`` get a
    WhenEdit (``edits[key]`` is still its line edit, ``dates[key]`` the WhenEdit)."""

    def __init__(self, fields: tuple[tuple[str, str], ...], remove_text: str,
                 parent: QWidget | None = None, *, dates: tuple[str, ...] = ()) -> None:
        super().__init__(remove_text, parent)
        self.edits: dict[str, QLineEdit] = {}
        self.dates: dict[str, WhenEdit] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        top = Qt.AlignmentFlag.AlignTop
        for key, label in fields:
            if key in dates:
                when = WhenEdit(label, past_is_error=True)
                when.edited.connect(self.edited)
                self.dates[key] = when
                edit, widget = when.line, when
            else:
                edit = widget = QLineEdit()
                edit.textChanged.connect(self.edited)
            caption = _labelled(label, edit)
            caption.setMinimumHeight(edit.sizeHint().height())
            layout.addWidget(caption, 0, top)
            layout.addWidget(widget, 1, top)
            self.edits[key] = edit
        layout.addWidget(self.remove_button, 0, top)

    def first_input(self) -> QWidget:
        return next(iter(self.edits.values()))

    def value(self) -> dict[str, str]:
        return {k: self.dates[k].value() if k in self.dates else e.text().strip() for k, e in self.edits.items()}

    def set_value(self, data: Mapping[str, Any]) -> None:
        for k, e in self.edits.items():
            if k in self.dates:
                self.dates[k].set_value(data.get(k))
            else:
                e.setText(_text(data.get(k)))


class ReferralRow(RemovableRow):
    """A chosen directory entry: why, the appointment, whether the patient agrees to share."""

    def __init__(self, entry_id: int, contact: ContactCheck, parent: QWidget | None = None) -> None:
        super().__init__("Remove referral", parent)
        self.entry_id = entry_id
        self.title = contact.title
        self.heading = QLabel()
        self.heading.setProperty("role", "heading")
        self.heading.setWordWrap(True)
        self.warning = QLabel(contact.tooltip())
        self.warning.setProperty("role", "warning")
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName("Contact warning")
        self.warning.setVisible(bool(contact.warnings))
        self.reason = QLineEdit()
        self.appointment = WhenEdit("Appointment", past_is_error=True)
        self.share = QCheckBox("Patient consents to share")
        self.share.setAccessibleName(self.share.text())
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(self.heading, 0, 0, 1, 3)
        grid.addWidget(self.remove_button, 0, 3)
        grid.addWidget(self.warning, 1, 0, 1, 4)
        grid.addWidget(_labelled("Reason", self.reason), 2, 0)
        grid.addWidget(self.reason, 2, 1, 1, 3)
        caption = QLabel("Appointment")
        caption.setBuddy(self.appointment.line)
        for aligned in (caption, self.share):  # level with the field, above its error message
            aligned.setMinimumHeight(self.appointment.line.sizeHint().height())
        grid.addWidget(caption, 3, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.appointment, 3, 1)
        grid.addWidget(self.share, 3, 2, 1, 2, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        self.reason.textChanged.connect(self.edited)
        self.appointment.edited.connect(self.edited)
        self.share.toggled.connect(self.edited)

    def first_input(self) -> QWidget:
        return self.reason

    def set_number(self, number: int) -> None:
        self.heading.setText(f"Referral {number}: {self.title}")

    def value(self) -> dict[str, Any]:
        return {"entry_id": self.entry_id, "reason": self.reason.text().strip(),
                "appointment": self.appointment.value(), "share": self.share.isChecked()}

    def set_value(self, data: Mapping[str, Any]) -> None:
        self.reason.setText(_text(data.get("reason")))
        self.appointment.set_value(data.get("appointment"))
        self.share.setChecked(bool(data.get("share")))


class DirectoryPicker(QDialog):
    """Choose one directory entry (a referral or a meeting) from a search."""

    chosen = Signal(object)  # DirectoryEntryView

    def __init__(self, db, user: SignedInUser, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.user = db, user
        self.today = directory.clinic_today()
        try:
            self.stale_days = directory.stale_days(db)
        except (ClinicError, LookupError, TypeError, ValueError):
            self.stale_days = 180
        self.setWindowTitle(title)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Name, address or notes")
        self.results = QListWidget()
        self.results.setAccessibleName("Directory entries")
        self.results.setWordWrap(True)
        self.check_line = QLabel()
        self.check_line.setProperty("role", "warning")
        self.check_line.setWordWrap(True)
        self.check_line.setAccessibleName("Check before adding")
        self.check_line.setVisible(False)
        self.results.currentItemChanged.connect(lambda *_a: self._entry_chosen())
        self.error = error_line()
        self.buttons = QDialogButtonBox()
        self.add_button = self.buttons.addButton("Add", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.choose)
        self.buttons.rejected.connect(self.reject)
        self.results.itemActivated.connect(lambda _item: self.choose())
        form = QHBoxLayout()
        form.addWidget(_labelled("Search", self.search))
        form.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.check_line)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.resize(720, 460)
        self.refresh()

    def refresh(self) -> None:
        self.results.clear()
        try:
            found = directory.search(self.db, self.user, self.search.text(), include_national=False)
        except ClinicError as exc:
            self.error.setText(str(exc))
            self.error.setVisible(True)
            return
        for entry in found:
            info = self.contact(entry)
            parts = [entry.name, entry.kind_label, entry.phone_display or entry.phone or "", *info.flags]
            item = QListWidgetItem(" \u2014 ".join(p for p in parts if p))
            item.setData(Qt.ItemDataRole.UserRole, entry)
            _mark_to_check(item, info, self.style())
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def contact(self, entry: directory.DirectoryEntryView) -> ContactCheck:
        return directory_rules.check_contact(entry, self.today, self.stale_days)

    def _entry_chosen(self) -> None:
        """The warning line under the list: what to check about the highlighted entry."""
        item = self.results.currentItem()
        info = self.contact(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None
        self.check_line.setText(info.tooltip() if info is not None else "")
        self.check_line.setVisible(bool(info and info.warnings))

    def choose(self) -> None:
        item = self.results.currentItem()
        if item is None:
            self.error.setText("Choose an entry from the list.")
            self.error.setVisible(True)
            return
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        self.accept()


class DischargeDialog(OneFieldDialog):
    """Discharge…: the reason is required; ``submitted`` carries it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Discharge the patient",
                         "Discharging closes the episode; the plan then no longer changes (its "
                         "finalized versions still print). A finalized plan is not required.",
                         "Discharge reason", "Discharge", error_name="Discharge error",
                         max_length=plans.MAX_DISCHARGE_REASON, width=460, parent=parent)


class ReferralLetterDialog(QDialog):
    """Referral letter…: which plan items the patient agreed to share with this recipient."""

    letter_requested = Signal(list)  # keys of consent_rules.INFORMATION_ITEMS, in print order

    def __init__(self, consent, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.consent = consent
        self.setWindowTitle(f"Referral letter \u2014 {consent.recipient_name}")
        text = QLabel(f"The letter to {consent.recipient_name} carries the referral and only the parts of "
                      f"the plan ticked here. Tick only what the patient agreed to share: "
                      f"\u201c{consent.information}\u201d (until {consent.expires_on.isoformat()}).")
        text.setWordWrap(True)
        self.items: dict[str, QCheckBox] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        for key, label in consent_rules.INFORMATION_ITEMS.items():
            box = QCheckBox(label)
            box.setAccessibleName(label)
            self.items[key] = box
            layout.addWidget(box, 0, Qt.AlignmentFlag.AlignLeft)
        self.buttons = QDialogButtonBox()
        self.prepare_button = self.buttons.addButton("Prepare letter", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(lambda: self.letter_requested.emit(self.shared()))
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(480, self.sizeHint().height())

    def shared(self) -> list[str]:
        return [key for key, box in self.items.items() if box.isChecked()]


class PlanScreen(SectionedScreen):
    """The aftercare plan of one episode in transition."""

    RECORD = "plan"
    SECTION_LIST_WIDTH = 230
    LAZY_PAGES = False  # every page at once: the missing list and the consents span sections
    discharged = Signal(int)  # episode id
    finalized = Signal(int)  # the new version number

    def __init__(self, db, user: SignedInUser, episode_id: int, patient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.user, self.episode_id, self.patient = db, user, episode_id, patient
        self.view = plans.open_plan(db, user, episode_id)  # ClinicError goes to the caller
        self.plan_id = self.view.id
        self.version = self.view.version
        self._base = dict(self.view.draft)  # keeps keys this screen does not edit
        self._missing_keys: list[str] = []
        #: After a refused finalize, each missing item's message under its field too (made then).
        self._missing_errors: FieldErrors | None = None
        self._entries: dict[int, ContactCheck] = {}  # directory entry id → title and what to check
        self.meeting_ids: list[int] = []
        #: The one child dialog open at a time (picker, letter, finalize, discharge).
        self._dialogs = DialogSlot()
        self._preview: PdfPreview | None = None
        self._job: DocumentJob | None = None
        self._consents: dict[int, Any] = {}  # consent id → ConsentView
        self._stale_days_setting: int | None = None

        self.setObjectName("planScreen")
        self.setWindowTitle(f"Aftercare plan \u2014 {patient.display_name}")

        self._build()
        self.load(self.view)
        self._saved = self._snapshot()
        self.refresh_missing()
        self._follow_idle_lock(parent)
        log.info("plan screen opened for plan %s", self.plan_id)

    # ---- building --------------------------------------------------------------------------
    def _build(self) -> None:
        self._build_shell(SECTIONS)
        self.banner.show_patient(self.patient)
        try:
            a = intake.assessment_for_episode(self.db, self.user, self.episode_id)
            data = dict(a.data) if a is not None else {}
        except ClinicError:
            data = {}
        self.banner.show_allergies(str((data.get("medical") or {}).get("allergies") or ""))
        self.banner.show_flags(intake_rules.risk_flags(data))
        for box in self.findChildren(QCheckBox):  # accessible name = the visible label
            box.setAccessibleName(box.text())

    @staticmethod
    def _note(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setProperty("role", "muted")
        return label

    def _build_medication(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        form = self._form()
        self.medication = QComboBox()
        self.medication.addItem(CHOOSE, None)
        for m in plan_rules.MEDICATIONS:
            self.medication.addItem(i18n.text("en", f"medication.{m}"), m)
        self._add_row(form, "Medicine after discharge", self.medication, "medication.choice")
        self.naltrexone_prompt = QLabel()
        self.naltrexone_prompt.setAccessibleName("Naltrexone prompt")
        self.naltrexone_prompt.setWordWrap(True)
        self.naltrexone_prompt.setVisible(False)
        form.addRow("", self.naltrexone_prompt)
        self.prescriber = QLineEdit()
        self._add_row(form, "Prescriber or program", self.prescriber, "medication.prescriber")
        self.next_dose = WhenEdit("Next dose or appointment", past_is_error=True,
                                  placeholder="e.g. 2026-12-02 09:00, or daily at the OTP")
        self._add_row(form, "Next dose or appointment", self.next_dose, "medication.next")
        self.medication_reason = self._text_box()
        self._add_row(form, "Reason", self.medication_reason, "medication.reason")
        self.medication_reason_note = self._note("Why this medicine now \u2014 required when the "
                                                 "naltrexone prompt says the opioid-free window is not met.")
        form.addRow("", self.medication_reason_note)
        self.medication.currentIndexChanged.connect(self._update_prompt)
        inner.addLayout(form)
        inner.addStretch(1)
        return page

    def _update_prompt(self, *_args) -> None:
        prompt = self.view.naltrexone
        shown = self.medication.currentData() == "naltrexone"
        self.naltrexone_prompt.setVisible(shown)
        if shown:
            needed = prompt.status != "meets"
            self.naltrexone_prompt.setProperty("role", "warning" if needed else "")
            self.naltrexone_prompt.setText(f"{prompt.title}: {prompt.text}\nBasis: {prompt.basis}."
                                           + ("\nRecord the reason below." if needed else ""))
            self.naltrexone_prompt.style().unpolish(self.naltrexone_prompt)
            self.naltrexone_prompt.style().polish(self.naltrexone_prompt)

    def _build_level(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        form = self._form()
        self.level = QComboBox()
        self.level.addItem(CHOOSE, None)
        for level in plan_rules.LEVELS:
            self.level.addItem(i18n.text("en", f"level.{level}"), level)
        self._add_row(form, "Level of aftercare", self.level, "level")
        inner.addLayout(form)
        heading = QLabel("Therapies")
        heading.setProperty("role", "heading")
        inner.addWidget(heading)
        self.therapies: dict[str, QCheckBox] = {}
        for t in plan_rules.THERAPIES:
            box = QCheckBox(i18n.text("en", f"therapy.{t}"))
            self._watch(box)
            self.therapies[t] = box
            inner.addWidget(box)
        inner.addStretch(1)
        return page

    def _build_referrals(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        inner.addWidget(self._note("Programs, prescribers and services the patient is referred to, from "
                                   "the directory. Record a consent (Consent section) before sharing "
                                   "anything with them."))
        self.referral_box = QVBoxLayout()
        inner.addLayout(self.referral_box)
        self.referrals: RowList[ReferralRow] = RowList(self.referral_box, edited=self._changed,
                                                      rows_changed=self._renumber_referrals)
        self.no_referrals = self._note("No referrals yet.")
        inner.addWidget(self.no_referrals)
        self.add_referral_button = QPushButton("Add referral\u2026")
        self.add_referral_button.clicked.connect(lambda: self.pick_entry("referral"))
        row = QHBoxLayout()
        row.addWidget(self.add_referral_button)
        row.addStretch(1)
        inner.addLayout(row)
        inner.addStretch(1)
        return page

    def _build_support(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        heading = QLabel("People who support the patient")
        heading.setProperty("role", "heading")
        inner.addWidget(heading)
        self.people_box = QVBoxLayout()
        inner.addLayout(self.people_box)
        self.people: RowList[FieldsRow] = RowList(self.people_box, edited=self._changed)
        self.add_person_button = QPushButton("Add person")
        self.add_person_button.clicked.connect(lambda: self.add_person(focus=True))
        row = QHBoxLayout()
        row.addWidget(self.add_person_button)
        row.addStretch(1)
        inner.addLayout(row)
        heading = QLabel("Key worker (at least 6 months)")
        heading.setProperty("role", "heading")
        inner.addWidget(heading)
        form = self._form()
        self.key_worker_name = QLineEdit()
        self._add_row(form, "Key worker name", self.key_worker_name, "key_worker.name")
        self.key_worker_phone = QLineEdit()
        self._add_row(form, "Key worker phone", self.key_worker_phone, "key_worker.phone")
        focus_row = QHBoxLayout()
        self.key_worker_focus: dict[str, QCheckBox] = {}
        for f in plan_rules.KEY_WORKER_FOCUS:
            box = QCheckBox(FOCUS_LABELS.get(f, f))
            self._watch(box)
            self.key_worker_focus[f] = box
            focus_row.addWidget(box)
        focus_row.addStretch(1)
        form.addRow("Focus", focus_row)
        inner.addLayout(form)
        heading = QLabel("Mutual-help meetings")
        heading.setProperty("role", "heading")
        inner.addWidget(heading)
        self.meetings = QListWidget()
        self.meetings.setAccessibleName("Meetings")
        self.meetings.setMaximumHeight(110)
        inner.addWidget(self.meetings)
        self.meeting_warning = QLabel()
        self.meeting_warning.setProperty("role", "warning")
        self.meeting_warning.setWordWrap(True)
        self.meeting_warning.setAccessibleName("Meeting warning")
        self.meeting_warning.setVisible(False)
        inner.addWidget(self.meeting_warning)
        self.meetings.currentRowChanged.connect(self._meeting_chosen)
        self.add_meeting_button = QPushButton("Add meeting\u2026")
        self.add_meeting_button.clicked.connect(lambda: self.pick_entry("meeting"))
        self.remove_meeting_button = QPushButton("Remove meeting")
        self.remove_meeting_button.clicked.connect(self.remove_meeting)
        row = QHBoxLayout()
        row.addWidget(self.add_meeting_button)
        row.addWidget(self.remove_meeting_button)
        row.addStretch(1)
        inner.addLayout(row)
        inner.addStretch(1)
        return page

    def _build_relapse(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        inner.addWidget(self._note("Write these with the patient, in their own words."))
        form = self._form()
        self.relapse: dict[str, QPlainTextEdit] = {}
        for f in plan_rules.RELAPSE_FIELDS:
            box = self._text_box(72)
            self._add_row(form, RELAPSE_LABELS[f], box, f"relapse.{f}")
            self.relapse[f] = box
        inner.addLayout(form)
        inner.addStretch(1)
        return page

    def _build_overdose(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        self.naloxone_given = QCheckBox("Naloxone kit given")
        self._watch(self.naloxone_given)
        self._fields["overdose.naloxone_kit_given"] = self.naloxone_given
        inner.addWidget(self.naloxone_given)
        self.naloxone_at_home = self._note("")
        inner.addWidget(self.naloxone_at_home)
        fixed = "\n\n".join([
            i18n.text("en", "overdose_tolerance"), i18n.text("en", "overdose_never_alone"),
            i18n.text("en", "overdose_what_to_do"),
            f"{i18n.text('en', 'paws_heading')}: {i18n.text('en', 'paws_text')}"])
        self.overdose_text = QLabel(fixed)
        self.overdose_text.setAccessibleName("Overdose and PAWS education")
        self.overdose_text.setWordWrap(True)
        self.overdose_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        inner.addWidget(self.overdose_text)
        inner.addWidget(self._note("This education always prints on the plan; it cannot be removed."))
        inner.addStretch(1)
        return page

    def _build_follow_ups(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        self.follow_up_box = QVBoxLayout()
        inner.addLayout(self.follow_up_box)
        self.follow_ups: RowList[FieldsRow] = RowList(self.follow_up_box, edited=self._changed)
        self.add_follow_up_button = QPushButton("Add follow-up")
        self.add_follow_up_button.clicked.connect(lambda: self.add_follow_up(focus=True))
        self._fields["follow_ups"] = self.add_follow_up_button
        row = QHBoxLayout()
        row.addWidget(self.add_follow_up_button)
        row.addStretch(1)
        inner.addLayout(row)
        inner.addStretch(1)
        return page

    def _build_consent(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        inner.addWidget(self._note("42 CFR Part 2: nothing about the patient's substance use treatment is "
                                   "shared with a referral without a written consent naming the "
                                   "recipient, the purpose, what may be shared and when it expires."))
        form = self._form()
        self.consent_recipient = QComboBox()
        form.addRow(_labelled("Recipient", self.consent_recipient), self.consent_recipient)
        self.consent_purpose = QLineEdit()
        form.addRow(_labelled("Purpose", self.consent_purpose), self.consent_purpose)
        self.consent_information = QLineEdit()
        self.consent_information.setPlaceholderText("How much and what kind of information")
        form.addRow(_labelled("Information", self.consent_information), self.consent_information)
        today = QDate.currentDate()
        self.consent_expires = QDateEdit(today.addYears(1))
        self.consent_expires.setCalendarPopup(True)
        self.consent_expires.setDisplayFormat("yyyy-MM-dd")
        form.addRow(_labelled("Expires on", self.consent_expires), self.consent_expires)
        self.consent_signed = QDateEdit(today)
        self.consent_signed.setCalendarPopup(True)
        self.consent_signed.setDisplayFormat("yyyy-MM-dd")
        form.addRow(_labelled("Signature date", self.consent_signed), self.consent_signed)
        self.consent_error = error_line()
        self.consent_error.setAccessibleName("Consent error")
        form.addRow("", self.consent_error)
        inner.addLayout(form)
        self.record_consent_button = QPushButton("Record consent")
        self.record_consent_button.clicked.connect(self.record_consent)
        row = QHBoxLayout()
        row.addWidget(self.record_consent_button)
        row.addStretch(1)
        inner.addLayout(row)
        self.consent_list = QListWidget()
        self.consent_list.setAccessibleName("Consents")
        self.consent_list.setMinimumHeight(100)
        inner.addWidget(self.consent_list, 1)
        self.revoke_button = QPushButton("Revoke")
        self.revoke_button.clicked.connect(self.revoke_consent)
        self.letter_button = QPushButton("Referral letter\u2026")
        self.letter_button.setToolTip("A letter to the selected consent's recipient, with only what the "
                                      "patient agreed to share")
        self.letter_button.setEnabled(False)
        self.letter_button.clicked.connect(self.request_letter)
        self.consent_list.currentItemChanged.connect(lambda *_a: self._consent_chosen())
        row = QHBoxLayout()
        row.addWidget(self.revoke_button)
        row.addWidget(self.letter_button)
        row.addStretch(1)
        inner.addLayout(row)
        return page

    def _build_finalize(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        form = self._form()
        self.language = QComboBox()
        for code in i18n.languages():
            self.language.addItem(directory.LANGUAGES.get(code, code), code)
        self._add_row(form, "Language", self.language)
        self.page_size = QComboBox()
        for code, label in plan_rules.PAGE_SIZES.items():
            self.page_size.addItem(label, code)
        self._add_row(form, "Page size", self.page_size)
        self.large_print = QCheckBox("Large print")
        self._watch(self.large_print)
        form.addRow("", self.large_print)
        inner.addLayout(form)
        self.missing_label = QLabel("Missing before finalizing (double-click to go there):")
        self.missing_label.setProperty("role", "heading")
        inner.addWidget(self.missing_label)
        self.missing_list = QListWidget()
        self.missing_list.setAccessibleName("Missing before finalizing")
        self.missing_list.setMaximumHeight(130)
        self.missing_list.itemActivated.connect(
            lambda item: self.go_to(item.data(Qt.ItemDataRole.UserRole)))
        inner.addWidget(self.missing_list)
        self.preview_button = QPushButton("Preview\u2026")
        self.preview_button.clicked.connect(self.preview)
        self.finalize_button = QPushButton("Finalize\u2026")
        self.finalize_button.clicked.connect(self.request_finalize)
        self.discharge_button = QPushButton("Discharge\u2026")
        self.discharge_button.clicked.connect(self.request_discharge)
        row = QHBoxLayout()
        row.addWidget(self.preview_button)
        row.addWidget(self.finalize_button)
        row.addStretch(1)
        row.addWidget(self.discharge_button)
        inner.addLayout(row)
        heading = QLabel("Finalized versions")
        heading.setProperty("role", "heading")
        inner.addWidget(heading)
        self.version_list = QListWidget()
        self.version_list.setAccessibleName("Versions")
        self.version_list.setMinimumHeight(80)
        self.version_list.currentRowChanged.connect(self._version_chosen)
        inner.addWidget(self.version_list, 1)
        self.print_version_button = QPushButton("Print version")
        self.print_version_button.setEnabled(False)
        self.print_version_button.clicked.connect(self.print_version)
        row = QHBoxLayout()
        row.addWidget(self.print_version_button)
        row.addStretch(1)
        inner.addLayout(row)
        return page

    # ---- rows ------------------------------------------------------------------------------
    def _stale_days(self) -> int:
        if self._stale_days_setting is None:
            try:
                self._stale_days_setting = directory.stale_days(self.db)
            except (ClinicError, LookupError, TypeError, ValueError):
                self._stale_days_setting = 180
        return self._stale_days_setting

    def contact(self, entry_id: Any) -> ContactCheck:
        """The directory entry's title and what to check about it (looked up once per screen)."""
        if entry_id in self._entries:
            return self._entries[entry_id]
        try:
            e = directory.get_entry(self.db, self.user, int(entry_id))
            info = directory_rules.check_contact(e, directory.clinic_today(), self._stale_days())
        except (ClinicError, TypeError, ValueError):
            info = ContactCheck(GONE)
        self._entries[entry_id] = info
        return info

    @property
    def referral_rows(self) -> list[ReferralRow]:
        return self.referrals.rows

    @property
    def people_rows(self) -> list[FieldsRow]:
        return self.people.rows

    @property
    def follow_up_rows(self) -> list[FieldsRow]:
        return self.follow_ups.rows

    def add_referral(self, entry_id: int, data: Mapping[str, Any] | None = None, *,
                     focus: bool = False) -> ReferralRow:
        return self.referrals.add(ReferralRow(entry_id, self.contact(entry_id)), data, focus=focus)

    def _renumber_referrals(self) -> None:
        for n, row in enumerate(self.referral_rows, start=1):
            row.set_number(n)
        self.no_referrals.setVisible(not self.referral_rows)
        current = self.consent_recipient.currentData()
        self.consent_recipient.clear()
        for row in self.referral_rows:
            if self.consent_recipient.findData(row.entry_id) < 0:
                self.consent_recipient.addItem(row.title, row.entry_id)
        index = self.consent_recipient.findData(current)
        if index >= 0:
            self.consent_recipient.setCurrentIndex(index)

    def add_person(self, data: Mapping[str, Any] | None = None, *, focus: bool = False) -> FieldsRow:
        return self.people.add(FieldsRow(PEOPLE_FIELDS, "Remove person"), data, focus=focus)

    def add_follow_up(self, data: Mapping[str, Any] | None = None, *, focus: bool = False) -> FieldsRow:
        return self.follow_ups.add(FieldsRow(FOLLOW_UP_FIELDS, "Remove follow-up", dates=("when",)), data,
                                   focus=focus)

    def add_meeting(self, entry_id: int) -> None:
        if entry_id in self.meeting_ids:
            return
        self.meeting_ids.append(entry_id)
        info = self.contact(entry_id)
        item = QListWidgetItem(" \u2014 ".join((info.title, *info.flags)))
        item.setData(Qt.ItemDataRole.UserRole, entry_id)
        _mark_to_check(item, info, self.style())
        self.meetings.addItem(item)
        self.meetings.setCurrentItem(item)
        self._changed()

    def _meeting_chosen(self, row: int) -> None:
        """The warning line under the meetings: what to check about the selected one."""
        info = self.contact(self.meeting_ids[row]) if 0 <= row < len(self.meeting_ids) else None
        text = f"{info.title}: {' '.join(info.warnings)}" if info is not None and info.warnings else ""
        self.meeting_warning.setText(text)
        self.meeting_warning.setVisible(bool(text))

    def remove_meeting(self) -> None:
        row = self.meetings.currentRow()
        if row < 0:
            return
        del self.meeting_ids[row]
        self.meetings.takeItem(row)
        self._meeting_chosen(self.meetings.currentRow())
        self._changed()

    def _child(self, cls: type[QDialog]) -> Any:
        """The open child dialog if it is a ``cls``."""
        dialog = self._dialogs.dialog
        return dialog if isinstance(dialog, cls) else None

    def picker(self) -> DirectoryPicker | None:
        return self._child(DirectoryPicker)

    def pick_entry(self, what: str) -> None:
        """Add referral… / Add meeting…: choose from a search of the directory."""
        title = "Add a referral" if what == "referral" else "Add a meeting"
        dialog = DirectoryPicker(self.db, self.user, title, self)

        def chosen(entry) -> None:
            self._entries[entry.id] = dialog.contact(entry)
            if what == "referral":
                self.add_referral(entry.id, focus=True)
            else:
                self.add_meeting(entry.id)

        dialog.chosen.connect(chosen)
        self._dialogs.open(dialog)

    # ---- data ------------------------------------------------------------------------------
    def load(self, view: plans.PlanView) -> None:
        d = view.draft
        self._loading = True
        try:
            med = d.get("medication") or {}
            self.medication.setCurrentIndex(max(0, self.medication.findData(med.get("choice"))))
            self.prescriber.setText(_text(med.get("prescriber")))
            self.next_dose.set_value(med.get("next"))
            self.medication_reason.setPlainText(_text(med.get("reason")))
            self.level.setCurrentIndex(max(0, self.level.findData(d.get("level"))))
            for t, box in self.therapies.items():
                box.setChecked(t in (d.get("therapies") or []))
            for r in d.get("referrals") or []:
                self.add_referral(r.get("entry_id"), r)
            for p in d.get("people") or []:
                self.add_person(p)
            kw = d.get("key_worker") or {}
            self.key_worker_name.setText(_text(kw.get("name")))
            self.key_worker_phone.setText(_text(kw.get("phone")))
            for f, box in self.key_worker_focus.items():
                box.setChecked(f in (kw.get("focus") or []))
            for m in d.get("meetings") or []:
                self.add_meeting(m)
            relapse = d.get("relapse") or {}
            for f, box in self.relapse.items():
                box.setPlainText(_text(relapse.get(f)))
            overdose = d.get("overdose") or {}
            self.naloxone_given.setChecked(bool(overdose.get("naloxone_kit_given")))
            self.naloxone_at_home.setText("Intake: naloxone already at home." if overdose.get("naloxone_at_home")
                                          else "Intake: no naloxone at home.")
            for f in d.get("follow_ups") or []:
                self.add_follow_up(f)
            index = self.language.findData(view.language)
            if index < 0:
                self.language.addItem(view.language, view.language)
                index = self.language.count() - 1
            self.language.setCurrentIndex(index)
            self.page_size.setCurrentIndex(max(0, self.page_size.findData(view.page_size)))
            self.large_print.setChecked(view.large_print)
        finally:
            self._loading = False
        self._update_prompt()
        self.show_versions(view.versions)
        self.show_consents(view.consents)

    def draft_data(self) -> dict[str, Any]:
        d = dict(self._base)
        d["medication"] = {**(self._base.get("medication") or {}), "choice": self.medication.currentData(),
                           "prescriber": self.prescriber.text().strip(), "next": self.next_dose.value(),
                           "reason": self.medication_reason.toPlainText().strip()}
        d["level"] = self.level.currentData()
        d["therapies"] = [t for t, box in self.therapies.items() if box.isChecked()]
        d["referrals"] = [r.value() for r in self.referral_rows]
        d["people"] = [r.value() for r in self.people_rows if not r.is_blank()]
        d["key_worker"] = {**(self._base.get("key_worker") or {}), "name": self.key_worker_name.text().strip(),
                           "phone": self.key_worker_phone.text().strip(),
                           "focus": [f for f, box in self.key_worker_focus.items() if box.isChecked()]}
        d["meetings"] = list(self.meeting_ids)
        d["relapse"] = {f: box.toPlainText().strip() for f, box in self.relapse.items()}
        d["overdose"] = {**(self._base.get("overdose") or {}), "naloxone_kit_given": self.naloxone_given.isChecked()}
        d["follow_ups"] = [r.value() for r in self.follow_up_rows if not r.is_blank()]
        return d

    def settings(self) -> tuple[str, str, bool]:
        return self.language.currentData(), self.page_size.currentData(), self.large_print.isChecked()

    def _snapshot(self) -> tuple:
        return (self.draft_data(), self.settings())

    def _refresh_live(self) -> None:
        self.refresh_missing()

    def _store(self, snapshot: tuple):
        data, (language, page_size, large_print) = snapshot
        return plans.save_draft(self.db, self.user, self.plan_id, self.version, data, language=language,
                                page_size=page_size, large_print=large_print)

    def _record_id(self) -> int:
        return self.plan_id

    # ---- sections and what is missing ------------------------------------------------------
    def field_for(self, key: str) -> QWidget | None:
        parts = key.split(".")
        if parts[0] == "referrals" and len(parts) == 3 and parts[1].isdigit():
            n = int(parts[1])
            return self.referral_rows[n - 1].reason if 1 <= n <= len(self.referral_rows) else None
        return self._fields.get(key)

    def go_to(self, key: str | None) -> None:
        if not key:
            return
        section = MISSING_SECTION.get(key.split(".")[0])
        if section is None:
            return
        self.show_section(section)
        widget = self.field_for(key)
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh_missing(self, missing: Mapping[str, str] | None = None) -> None:
        if missing is None:
            missing = plan_rules.missing_to_finalize(self.draft_data(), self.view.naltrexone)
        self.missing_list.clear()
        self._missing_keys = list(missing)
        if self._missing_errors is not None:  # a field filled in since loses its message
            for key in self._missing_errors.messages.keys() - missing.keys():
                self._missing_errors.clear(key)
        for key, message in missing.items():
            section = SECTION_LABELS.get(MISSING_SECTION.get(key.split(".")[0], ""), "")
            item = QListWidgetItem(f"{section}: {message}" if section else message)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip("Double-click (or Enter) to go there")
            self.missing_list.addItem(item)
        self.missing_label.setVisible(bool(missing))
        self.missing_list.setVisible(bool(missing))
        incomplete = {MISSING_SECTION.get(k.split(".")[0]) for k in missing}
        for i, (name, label) in enumerate(SECTIONS):
            item = self.section_list.item(i)
            if name in CHECKED:
                mark = "\u25cb" if name in incomplete else "\u2713"
                item.setText(f"{mark}  {label}")
                item.setToolTip("Something is still missing here" if name in incomplete else "Complete")
            else:
                item.setText(f"    {label}")

    def _flag_missing(self, missing: Mapping[str, str]) -> None:
        """Finalize was refused: say what is missing next to each field as well (the list on
        the Print and finalize page still leads there); a message goes once its field is filled."""
        if self._missing_errors is None:
            self._missing_errors = FieldErrors(self._fields)
        self._missing_errors.clear()
        for key, message in missing.items():
            if key in self._fields:
                self._missing_errors.set_error(key, message)

    # ---- consents --------------------------------------------------------------------------
    def show_consents(self, consents) -> None:
        self.consent_list.clear()
        self._consents = {}
        today = dt.date.today()
        for c in consents:
            self._consents[c.id] = c
            if c.revoked:
                state = f"revoked {clock.local_text(c.revoked_at, '%Y-%m-%d')} by {c.revoked_by_name or 'unknown'}"
            elif c.expired(today):
                state = "expired"
            else:
                state = "active"
            item = QListWidgetItem(f"{c.recipient_name} \u2014 {c.purpose} \u2014 {c.information} \u2014 signed "
                                   f"{c.signed_on.isoformat()}, expires {c.expires_on.isoformat()} ({state})")
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            if c.revoked:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            self.consent_list.addItem(item)
        self._consent_chosen()

    def _consent_chosen(self) -> None:
        self.letter_button.setEnabled(self.selected_consent() is not None)

    def selected_consent(self):
        item = self.consent_list.currentItem()
        if item is None:
            return None
        consent = self._consents.get(item.data(Qt.ItemDataRole.UserRole))
        return None if consent is None or consent.revoked else consent

    def letter_dialog(self) -> ReferralLetterDialog | None:
        return self._child(ReferralLetterDialog)

    def request_letter(self) -> None:
        """Referral letter…: for the selected consent, if it is still active."""
        consent = self.selected_consent()
        if consent is None or self._job is not None:
            return
        if not consent.active(dt.date.today()):
            QMessageBox.warning(self, "No letter",
                                f"The consent for {consent.recipient_name} expired on "
                                f"{consent.expires_on.isoformat()}. Record a new signed consent before "
                                "sending a letter.")
            return
        dialog = ReferralLetterDialog(consent, self)
        dialog.letter_requested.connect(lambda shared: self._letter(consent, shared, dialog))
        self._dialogs.open(dialog)

    def _letter(self, consent, shared: list[str], dialog: ReferralLetterDialog) -> None:
        dialog.accept()
        self.save_now()  # the letter reads the saved draft
        db, user, plan_id = self.db, self.user, self.plan_id
        self._render(lambda: plans.referral_letter(db, user, plan_id, consent.id, list(shared)),
                     "Referral letter", f"referral-letter-{getattr(self.patient, 'mrn', self.episode_id)}.pdf",
                     failure_title="No letter")

    def _reload_consents(self) -> None:
        try:
            self.show_consents(plans.consents(self.db, self.user, self.episode_id))
        except ClinicError as exc:
            QMessageBox.warning(self, "Consents not shown", str(exc))

    def record_consent(self) -> None:
        self.consent_error.setVisible(False)
        data = plans.ConsentInput(
            directory_entry_id=self.consent_recipient.currentData(), purpose=self.consent_purpose.text(),
            information=self.consent_information.text(),
            expires_on=self.consent_expires.date().toPython(), signed_on=self.consent_signed.date().toPython())
        try:
            plans.record_consent(self.db, self.user, self.episode_id, data)
        except ClinicError as exc:
            self.consent_error.setText(str(exc))
            self.consent_error.setVisible(True)
            return
        self.consent_purpose.clear()
        self.consent_information.clear()
        self._reload_consents()

    def revoke_consent(self) -> None:
        item = self.consent_list.currentItem()
        if item is None:
            return
        try:
            plans.revoke_consent(self.db, self.user, item.data(Qt.ItemDataRole.UserRole))
        except ClinicError as exc:
            QMessageBox.warning(self, "Consent not revoked", str(exc))
            return
        self._reload_consents()

    # ---- preview, finalize, versions -------------------------------------------------------
    def preview_dialog(self) -> PdfPreview | None:
        return self._preview

    def document_job(self) -> DocumentJob | None:
        """The document being prepared (off the GUI thread), if any."""
        return self._job

    def _render(self, render, title: str, name: str, *, failure_title: str, on_error=None) -> None:
        """Prepare a PDF off the GUI thread, then preview it (one document at a time)."""
        if self._job is not None:
            return
        job = render_then_preview(render, title, name, self, failure_title=failure_title, on_error=on_error)
        self._job = job
        job.document_ready.connect(self._document_ready)
        job.failed.connect(self._document_failed)

    def _document_failed(self, _message: str) -> None:
        self._job = None

    def _document_ready(self, preview: PdfPreview) -> None:
        self._job = None
        self._preview = preview

        def finished(_result: int) -> None:
            if self._preview is preview:
                self._preview = None

        preview.finished.connect(finished)

    def _file_stem(self) -> str:
        return f"aftercare-plan-{getattr(self.patient, 'mrn', self.episode_id)}"

    def preview(self) -> None:
        """Preview…: the plan as it would print now, from what is typed (saved first)."""
        if not self._conflict and not self.save_now():
            QMessageBox.warning(self, "Not previewed", self.draft_status.text())
            return
        db, user, plan_id = self.db, self.user, self.plan_id

        def render() -> bytes:  # the draft with a DRAFT watermark, the print audited
            return plans.preview_pdf(db, user, plan_id)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self.refresh_missing(exc.fields)

        self._render(render, "Aftercare plan \u2014 preview", f"{self._file_stem()}-draft.pdf",
                     failure_title="Not previewed", on_error=failed)

    def sign_dialog(self) -> SignDialog | None:
        return self._child(SignDialog)

    def request_finalize(self) -> None:
        """Finalize…: save, then ask for the password."""
        if self._read_only:
            return
        if self._conflict:
            QMessageBox.warning(self, "Cannot finalize", self.conflict_banner.text())
            return
        if not self.save_now():
            return
        dialog = SignDialog(self, title="Finalize the aftercare plan", accept_text="Finalize",
                            text="Finalizing stores this plan as the next numbered version, exactly as "
                                 "it prints. Enter your password to finalize.")
        dialog.submitted.connect(lambda password: self._finalize(password, dialog))
        self._dialogs.open(dialog)

    def _finalize(self, password: str, dialog: SignDialog | None) -> None:
        try:
            version = plans.finalize(self.db, self.user, self.plan_id, self.version, password)
        except ValidationError as exc:
            fields = dict(exc.fields)
            if "password" in fields:
                if dialog is not None:
                    dialog.show_error(fields["password"])
                return
            if dialog is not None:
                dialog.accept()
            self.show_section("finalize")
            if set(fields) == {""}:
                QMessageBox.information(self, "Not finalized", fields[""])
                return
            self.refresh_missing(fields)
            self._flag_missing(fields)
            if self.missing_list.count():
                self.missing_list.setCurrentRow(0)
            self.missing_list.setFocus()
            return
        except ConflictError as exc:
            if dialog is not None:
                dialog.accept()
            self._show_conflict(str(exc))
            return
        except ClinicError as exc:
            if dialog is not None:
                dialog.show_error(str(exc))
            return
        if dialog is not None:
            dialog.accept()
        log.info("plan %s finalized as version %s", self.plan_id, version.number)
        try:
            self.show_versions(plans.versions(self.db, self.user, self.plan_id))
        except ClinicError:
            pass
        self.draft_status.setText(f"Version {version.number} finalized {clock.local_text(version.finalized_at)}")
        self.finalized.emit(version.number)

    def show_versions(self, versions) -> None:
        self.version_list.clear()
        for v in reversed(list(versions)):
            size = plan_rules.PAGE_SIZES.get(v.page_size, v.page_size)
            item = QListWidgetItem(f"Version {v.number} \u2014 {clock.local_text(v.finalized_at, '%Y-%m-%d %H:%M')} by "
                                   f"{v.finalized_by_name} \u2014 {v.language}, {size}"
                                   + (", large print" if v.large_print else ""))
            item.setData(Qt.ItemDataRole.UserRole, v.number)
            self.version_list.addItem(item)
        if self.version_list.count():
            self.version_list.setCurrentRow(0)
        self._version_chosen(self.version_list.currentRow())

    def _version_chosen(self, row: int) -> None:
        item = self.version_list.item(row) if row >= 0 else None
        number = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.print_version_button.setEnabled(number is not None)
        self.print_version_button.setText(f"Print version {number}" if number else "Print version")

    def print_version(self) -> None:
        item = self.version_list.currentItem()
        if item is None:
            return
        number = item.data(Qt.ItemDataRole.UserRole)
        db, user, plan_id = self.db, self.user, self.plan_id
        self._render(lambda: plans.version_pdf(db, user, plan_id, number),
                     f"Aftercare plan \u2014 version {number}", f"{self._file_stem()}-v{number}.pdf",
                     failure_title="Not printed")

    # ---- discharge -------------------------------------------------------------------------
    def discharge_dialog(self) -> DischargeDialog | None:
        return self._child(DischargeDialog)

    def request_discharge(self) -> None:
        self.save_now()
        dialog = DischargeDialog(self)
        dialog.submitted.connect(lambda reason: self._discharge(reason, dialog))
        self._dialogs.open(dialog)

    def _discharge(self, reason: str, dialog: DischargeDialog) -> None:
        try:
            plans.discharge(self.db, self.user, self.episode_id, reason)
        except ClinicError as exc:
            dialog.show_error(str(exc))
            return
        log.info("episode %s discharged from the plan screen", self.episode_id)
        dialog.accept()
        self._read_only = True
        self._autosave.stop()
        self.discharged.emit(self.episode_id)
        self.accept()

