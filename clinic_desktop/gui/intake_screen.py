"""The intake (assessment) screen: a patient banner, a side list of sections and one page per
section, autosaved as it is typed, signed with the clinician's password.

Layout is built in code (the pages are mostly dynamic: substance rows, instrument entries). One
small builder per section (``_build_<section>``), run when the section is first shown, with a
reader and a writer between its page and the core's draft shape
(``clinic_desktop.core.assessment``); ``draft_data()`` and ``load(data)`` go through them, and
keep the data of sections not built yet as loaded. The screen talks to ``clinic_desktop.core.services.intake`` only, with plain values; it
never logs names or MRNs (ids only).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import clock, facts, protocols, vitals, withdrawal
from clinic_desktop.core.errors import ClinicError, ConflictError, ValidationError
from clinic_desktop.core.instruments import get_instrument
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import intake, patients
from clinic_desktop.core.services import settings as clinic_settings
from clinic_desktop.gui.widgets.facts_entry import FactsEntry, fact_text
from clinic_desktop.gui.widgets.instrument_entry import InstrumentEntry
from clinic_desktop.gui.widgets.local_time import from_qdatetime, now_qdatetime, to_qdatetime
from clinic_desktop.gui.widgets.patient_banner import safety_bar
from clinic_desktop.gui.widgets.reveal import reveal
from clinic_desktop.gui.widgets.sectioned_screen import SectionedScreen
from clinic_desktop.gui.widgets.sign_dialog import SignDialog
from clinic_desktop.gui.widgets.style import repolish
from clinic_desktop.gui.widgets.vitals_entry import VitalsEntry, accepted_vitals, vital_text

log = logging.getLogger(__name__)

CLOCK_MS = 60_000
CHOOSE = "Choose…"
NOT_RECORDED = "Not recorded"
#: The earliest date a date field accepts; shown as "Not recorded" (the field is empty).
EMPTY_DATE = QDate(1900, 1, 1)
EXTRA_SCORES = ("sows_gossop", "sows_handelsman", "oows", "ciwa_ar")
ROUTES = ("", "Injected", "Smoked", "Intranasal", "Oral", "Other")
FUTURE_LAST_USE = "The last use cannot be in the future."
OLD_LAST_USE_NOTE = "More than 30 days ago \u2014 check it; signing will ask you to confirm."
YEARS_MAX = 90  # years of use
COUNT_MAX = 200  # prior detox episodes, prior overdoses
SOCIAL = (("housing", "Housing"), ("employment", "Employment"), ("legal", "Legal"),
          ("transport", "Transport"), ("supports", "Supports"))


def _spin(label: str, maximum: int) -> QSpinBox:
    """A count that may be left empty: the minimum (-1) shows "Not recorded"."""
    spin = QSpinBox()
    spin.setRange(-1, maximum)
    spin.setValue(-1)
    spin.setSpecialValueText(NOT_RECORDED)
    spin.setAccessibleName(label)
    return spin


def _spin_value(spin: QSpinBox) -> int | None:
    return None if spin.value() < 0 else spin.value()


# ---- a section's data as its page would give it back -----------------------------------------
# Pages are built when first shown; until then a section's data is kept as loaded, in the shape
# its page's reader returns after its writer filled it (tests hold the two paths equal).

def _count(value: Any, maximum: int) -> int | None:
    """A count as a ``_spin`` box keeps it: None when not recorded, else clamped to the box."""
    return min(value, maximum) if isinstance(value, int) and value >= 0 else None


def _text(value: Any) -> str:
    return str(value or "").strip()


def _local_today(now: dt.datetime) -> dt.date:
    return clock.local(now).date()


def _items(iid: str, value: Any) -> dict[str, int]:
    """An instrument's answered items (unknown items or scores refused as the entry does)."""
    mapping = value if isinstance(value, Mapping) else {}
    get_instrument(iid).score(mapping)
    return {k: v for k, v in mapping.items() if v is not None}


def _times_kept(answered: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, str]:
    """The ``scored_at`` times of a section's draft for the instruments with answers."""
    times = data.get("scored_at")
    if not isinstance(times, Mapping):
        return {}
    return {iid: t for iid, t in times.items()
            if answered.get(iid) and isinstance(t, str) and rules.parse_time(t) is not None}


def _last_use_as_kept(value: Any) -> str | None:
    """A last use as its row keeps it: local time to the minute, None when not recorded."""
    when = rules.parse_time(value)
    if when is None:
        return None
    local = clock.local(when).replace(second=0, microsecond=0)
    if local.replace(tzinfo=None) <= QDateTime(EMPTY_DATE, QTime(0, 0)).toPython():
        return None
    return local.isoformat(timespec="minutes")


def _row_as_kept(row: Mapping[str, Any]) -> dict[str, Any]:
    sid = row.get("substance")
    return {"substance": sid if sid in withdrawal.SUBSTANCES else None, "route": _text(row.get("route")),
            "amount": _text(row.get("amount")), "unit": _text(row.get("unit")),
            "frequency": _text(row.get("frequency")), "years_of_use": _count(row.get("years_of_use"), YEARS_MAX),
            "last_use": _last_use_as_kept(row.get("last_use"))}


class SubstanceRow(QFrame):
    """One substance: what, how, how much, and when it was last used (with the live window)."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("substanceRow")
        self.heading = QLabel()
        self.heading.setProperty("role", "heading")
        self.substance = QComboBox()
        self.substance.addItem(CHOOSE, None)
        for sid, info in withdrawal.SUBSTANCES.items():
            self.substance.addItem(info.label, sid)
        self.route = QComboBox()
        self.route.setEditable(True)
        self.route.addItems(ROUTES)
        for combo, chars in ((self.substance, 16), (self.route, 6)):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)
        self.amount = QLineEdit()
        self.unit = QLineEdit()
        self.amount.setMinimumWidth(60)
        self.unit.setMinimumWidth(60)
        self.unit.setPlaceholderText("g, mg, bags, pills…")
        self.frequency = QLineEdit()
        self.frequency.setPlaceholderText("e.g. 3 times a day")
        self.years = _spin("", YEARS_MAX)
        self.last_use = QDateTimeEdit()
        self.last_use.setCalendarPopup(True)
        self.last_use.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.last_use.setMinimumDateTime(QDateTime(EMPTY_DATE, QTime(0, 0)))
        self.last_use.setSpecialValueText(NOT_RECORDED)
        self.last_use.setDateTime(self.last_use.minimumDateTime())
        self.now_button = QPushButton("Now")
        self.remove_button = QPushButton("Remove")
        self.elapsed = QLabel()
        self.elapsed.setWordWrap(True)
        # Next to the field: a future time is refused (kept out of the draft), an old one noted.
        self.last_use_error = QLabel(FUTURE_LAST_USE)
        self.last_use_error.setProperty("role", "error")
        self.last_use_error.setWordWrap(True)
        self.last_use_error.setVisible(False)
        self.last_use_note = QLabel(OLD_LAST_USE_NOTE)
        self.last_use_note.setProperty("note", "amber")
        self.last_use_note.setWordWrap(True)
        self.last_use_note.setVisible(False)
        #: The last use as it goes into the draft: the time entered, unless it is in the future,
        #: when the last accepted value (None for a new row) is kept instead.
        self._accepted_last_use: str | None = None
        self._future = False
        self.window_text = QLabel()
        self.window_text.setWordWrap(True)
        self.window_text.setProperty("role", "muted")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setProperty("role", "muted")

        grid = QGridLayout(self)
        grid.setContentsMargins(10, 8, 10, 8)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self.labels: dict[str, QLabel] = {}
        fields = (("Substance", self.substance), ("Route", self.route), ("Amount", self.amount),
                  ("Unit", self.unit), ("Frequency", self.frequency), ("Years of use", self.years))
        grid.addWidget(self.heading, 0, 0, 1, 3)
        grid.addWidget(self.remove_button, 0, 5, Qt.AlignmentFlag.AlignRight)
        for column, (text, widget) in enumerate(fields):
            label = QLabel(text)
            label.setBuddy(widget)
            self.labels[text] = label
            grid.addWidget(label, 1, column)
            grid.addWidget(widget, 2, column)
        last_label = QLabel("Last use")
        last_label.setBuddy(self.last_use)
        self.labels["Last use"] = last_label
        grid.addWidget(last_label, 3, 0)
        when = QHBoxLayout()
        when.addWidget(self.last_use, 1)
        when.addWidget(self.now_button)
        grid.addLayout(when, 4, 0, 1, 2)
        beside = QVBoxLayout()
        beside.setSpacing(2)
        beside.addWidget(self.last_use_error)
        beside.addWidget(self.elapsed)
        beside.addWidget(self.last_use_note)
        grid.addLayout(beside, 4, 2, 1, 4)
        grid.addWidget(self.window_text, 5, 0, 1, 6)
        grid.addWidget(self.note, 6, 0, 1, 6)
        for column, stretch in enumerate((5, 2, 1, 1, 2, 1)):
            grid.setColumnStretch(column, stretch)
        self.set_number(number)

        self.substance.currentIndexChanged.connect(self._edited)
        self.route.currentTextChanged.connect(self._edited)
        for edit in (self.amount, self.unit, self.frequency):
            edit.textChanged.connect(self._edited)
        self.years.valueChanged.connect(self._edited)
        self.last_use.dateTimeChanged.connect(self._edited)
        self.now_button.clicked.connect(self.set_now)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.refresh_elapsed()

    def set_number(self, number: int) -> None:
        self.number = number
        self.heading.setText(f"Substance {number}")
        for text, widget in (("Substance", self.substance), ("Route", self.route), ("Amount", self.amount),
                             ("Unit", self.unit), ("Frequency", self.frequency),
                             ("Years of use", self.years), ("Last use", self.last_use)):
            widget.setAccessibleName(f"{text} {number}")
        self.now_button.setAccessibleName(f"Last use {number}: now")
        self.last_use_error.setAccessibleName(f"Last use {number} error")
        self.last_use_note.setAccessibleName(f"Last use {number} note")
        self.remove_button.setAccessibleName(f"Remove substance {number}")

    def set_now(self) -> None:
        self.last_use.setDateTime(now_qdatetime())

    def _edited(self, *_args) -> None:
        self.refresh_elapsed()
        self.changed.emit()

    def substance_id(self) -> str | None:
        return self.substance.currentData()

    def last_use_time(self) -> dt.datetime | None:
        value = self.last_use.dateTime()
        if value <= self.last_use.minimumDateTime():
            return None
        return from_qdatetime(value)  # local wall time → aware

    def last_use_in_future(self) -> bool:
        """True while the time entered is later than now (refused: not put in the draft)."""
        return self._future

    def value(self) -> dict[str, Any]:
        return {"substance": self.substance_id(), "route": self.route.currentText().strip(),
                "amount": self.amount.text().strip(), "unit": self.unit.text().strip(),
                "frequency": self.frequency.text().strip(), "years_of_use": _spin_value(self.years),
                "last_use": self._accepted_last_use}

    def is_blank(self) -> bool:
        v = self.value()
        return not any(v[k] for k in ("substance", "route", "amount", "unit", "frequency", "last_use")) \
            and v["years_of_use"] is None

    def set_value(self, row: Mapping[str, Any]) -> None:
        index = self.substance.findData(row.get("substance"))
        self.substance.setCurrentIndex(max(index, 0))
        self.route.setCurrentText(str(row.get("route") or ""))
        self.amount.setText(str(row.get("amount") or ""))
        self.unit.setText(str(row.get("unit") or ""))
        self.frequency.setText(str(row.get("frequency") or ""))
        years = row.get("years_of_use")
        self.years.setValue(years if isinstance(years, int) else -1)
        when = rules.parse_time(row.get("last_use"))
        self.last_use.setDateTime(to_qdatetime(when) if when else self.last_use.minimumDateTime())
        self.refresh_elapsed()
        # What the draft holds is kept as loaded, even a time that is (still) in the future.
        loaded = self.last_use_time()
        self._accepted_last_use = loaded.isoformat(timespec="minutes") if loaded else None

    def refresh_elapsed(self) -> None:
        """Hours since last use and where that falls in the expected window (called every minute)."""
        sid = self.substance_id()
        when = self.last_use_time()
        window = withdrawal.expected_window(sid)
        info = withdrawal.SUBSTANCES.get(sid) if sid else None
        self.note.setText(info.note if info and info.note else "")
        self.note.setVisible(bool(info and info.note))
        self.window_text.setText(window.text if sid else "")
        self.window_text.setVisible(bool(sid))
        now = dt.datetime.now(dt.UTC)
        future = when is not None and when > now
        old = when is not None and now - when > rules.OLD_LAST_USE
        was_future, self._future = self._future, future
        if not future:
            self._accepted_last_use = when.isoformat(timespec="minutes") if when else None
        self.last_use_error.setVisible(future)
        self.last_use_note.setVisible(old)
        self.elapsed.setVisible(not future)
        if was_future != future:
            self.last_use.setProperty("invalid", future)
            self.last_use.setAccessibleDescription(FUTURE_LAST_USE if future else "")
            repolish(self.last_use)
        if when is None:
            self.elapsed.setText("Enter the time of last use.")
        elif not future:
            hours = withdrawal.hours_since(when, now)
            text = f"<b>{withdrawal.format_hours(hours)} h</b> since last use"
            if sid:
                text += f" — {html.escape(withdrawal.window_status(sid, hours))}"
            self.elapsed.setText(text)


class AddendumDialog(QDialog):
    """Correct a signed assessment: why, and the correction."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add an addendum")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason")
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Correction")
        self.text.setTabChangesFocus(True)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setAccessibleName("Addendum error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        form = QFormLayout()
        form.addRow("&Reason", self.reason)
        form.addRow("&Correction", self.text)
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox()
        self.buttons.addButton("Add addendum", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(520, 320)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)


class IntakeScreen(SectionedScreen):
    """The assessment of one episode, section by section; autosaved; signed at the end."""

    RECORD = "assessment"
    SECTION_LIST_WIDTH = 250
    assessment_signed = Signal(int)  # episode id
    addendum_added = Signal(int)  # addendum id

    def __init__(self, db, user: SignedInUser, assessment: intake.AssessmentView, patient,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.user = user
        self.assessment = assessment
        self.patient = patient
        self.version = assessment.version
        self._released = False
        self._saved: dict[str, Any] | None = dict(assessment.data)
        self._sign_dialog: SignDialog | None = None
        self._addendum_dialog: AddendumDialog | None = None
        self._confirm_box: QMessageBox | None = None
        self._registration_dialog: QDialog | None = None
        self._missing_keys: list[str] = []
        self._protocol_settings = self._load_protocol_settings()
        self._prompt: protocols.Prompt | None = None
        self._loaded: dict[str, Mapping[str, Any]] = {}  # draft data of the sections not built yet
        self.substance_rows: list[SubstanceRow] = []
        self.extra_entries: dict[str, InstrumentEntry] = {}
        self._scored_at: dict[str, str] = {}  # instrument id → when its items last changed

        self.setObjectName("intakeScreen")
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_MS)
        self._clock.timeout.connect(self._tick)

        self._build()
        self._show_patient()
        self.load(assessment.data)
        if assessment.signed:
            self._show_signed(assessment)
        self._clock.start()
        self._follow_idle_lock(parent)
        log.info("intake screen opened for assessment %s", assessment.id)

    # ---- building --------------------------------------------------------------------------
    def _build(self) -> None:
        self.safety_bar = safety_bar()
        self.signed_label = QLabel()
        self.signed_label.setAccessibleName("Signed")
        self.signed_label.setProperty("role", "heading")
        self.signed_label.setVisible(False)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.request_sign)
        self._build_shell(rules.SECTIONS, under_banner=[self.safety_bar], status_widgets=[self.signed_label])

    def _section_built(self, name: str) -> None:
        """A page built when its section is first shown (building every page up front took most
        of the time to open the screen): fill it from the draft."""
        self._loading = True
        try:
            getattr(self, f"_write_{name}")(self._loaded.pop(name, {}))
        finally:
            self._loading = False
        if self._read_only:
            self._apply_read_only()
        self._refresh_live()

    def _build_identity(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        form = self._form()
        self.consent = QCheckBox("Consent to treatment recorded")
        self.consent.setAccessibleName("Consent to treatment recorded")
        self.consent.toggled.connect(self._changed)
        self._fields["identity.consent_to_treatment"] = self.consent
        form.addRow("", self.consent)
        inner.addLayout(form)

        registration = QGroupBox("Registration")
        registration.setObjectName("registration")
        columns = QHBoxLayout(registration)
        columns.setSpacing(24)
        self.identity_fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        for group in (("Name", "Date of birth", "Sex", "Gender identity", "Pronouns", "Preferred language"),
                      ("Phone", "Address", "Emergency contact name", "Emergency contact relation",
                       "Emergency contact phone")):
            column = self._form()
            for label in group:
                if label == "Address":  # as registered, line by line
                    edit = QPlainTextEdit()
                    edit.setTabChangesFocus(True)
                    margins = int(edit.document().documentMargin() * 2) + 2 * edit.frameWidth() + 22
                    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + margins)
                else:
                    edit = QLineEdit()
                edit.setReadOnly(True)
                edit.setAccessibleName(label)
                caption = QLabel(label)
                caption.setBuddy(edit)
                column.addRow(caption, edit)
                self.identity_fields[label] = edit
            columns.addLayout(column, 1)
        inner.addWidget(registration)

        can_edit = self.user.can("patients.edit")
        self.edit_registration_button = QPushButton("Edit registration\u2026")
        self.edit_registration_button.setAccessibleName("Edit registration\u2026")
        self.edit_registration_button.setToolTip("Correct the name, contacts or other details on the "
                                                 "patient record")
        self.edit_registration_button.clicked.connect(self.edit_registration)
        self.edit_registration_button.setVisible(can_edit)
        hint = QLabel("Confirm these with the patient; correct them with Edit registration\u2026 "
                      "(they are kept on the patient record, not in the assessment)." if can_edit else
                      "Confirm these with the patient. They are kept on the patient record; your role "
                      "cannot change them.")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.edit_registration_button, 0, Qt.AlignmentFlag.AlignTop)
        actions.addWidget(hint, 1)
        inner.addLayout(actions)
        inner.addStretch(1)
        return page

    def _show_patient(self) -> None:
        """The banner, title and Identity page from ``self.patient`` (after an edit too)."""
        p = self.patient
        self.setWindowTitle(f"Assessment \u2014 {p.display_name}")
        language = patients.LANGUAGES.get(p.preferred_language, p.preferred_language or "\u2014")
        self.banner.show_patient(p)
        values = {"Name": p.display_name, "Date of birth": f"{p.date_of_birth.isoformat()} (age {p.age})",
                  "Sex": patients.SEXES.get(p.sex, p.sex), "Gender identity": p.gender_identity,
                  "Pronouns": p.pronouns, "Preferred language": language, "Phone": p.phone,
                  "Address": p.address, "Emergency contact name": p.emergency_contact_name,
                  "Emergency contact relation": p.emergency_contact_relation,
                  "Emergency contact phone": p.emergency_contact_phone}
        for label, edit in self.identity_fields.items():
            value = values.get(label) or ""
            edit.setPlaceholderText("" if value else NOT_RECORDED)
            if isinstance(edit, QPlainTextEdit):
                edit.setPlainText(value)
            else:
                edit.setText(value)
                edit.setCursorPosition(0)

    def registration_dialog(self) -> QDialog | None:
        """The Edit registration dialog, while it is open."""
        return self._registration_dialog

    def edit_registration(self) -> None:
        """Edit registration…: the patient dialog in edit mode; on save, reload the record."""
        if self._read_only or not self.user.can("patients.edit"):
            return
        if self._registration_dialog is not None:
            self._registration_dialog.raise_()
            self._registration_dialog.activateWindow()
            return
        from clinic_desktop.gui.patient_dialog import PatientDialog

        dialog = PatientDialog(self.db, self.user, self, patient=self.patient)
        self._registration_dialog = dialog
        dialog.patient_saved.connect(lambda patient_id: self._registration_saved(patient_id, dialog))

        def finished(_result: int) -> None:
            if self._registration_dialog is dialog:
                self._registration_dialog = None
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    def _registration_saved(self, patient_id: int, dialog) -> None:
        try:
            self.patient = patients.open_record(self.db, self.user, patient_id)
        except ClinicError:
            log.warning("patient id %s could not be reloaded after an edit", patient_id)
            self.patient = dialog.saved_patient or self.patient
        log.info("registration of patient id %s edited from assessment %s", patient_id, self.assessment.id)
        self._show_patient()
        self._refresh_live()

    def _build_substances(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(8)
        inner.addLayout(self.rows_box)
        self.add_substance_button = QPushButton("Add substance")
        self.add_substance_button.clicked.connect(lambda: self.add_substance_row(focus=True))
        self._fields["substances.rows"] = self.add_substance_button
        add_line = QHBoxLayout()
        add_line.addWidget(self.add_substance_button)
        add_line.addStretch(1)
        inner.addLayout(add_line)

        history = QGroupBox("History")
        form = self._form()
        self.prior_detox = _spin("Prior detox episodes", COUNT_MAX)
        self.prior_overdoses = _spin("Prior overdoses", COUNT_MAX)
        self.last_overdose = QDateEdit()
        self.last_overdose.setCalendarPopup(True)
        self.last_overdose.setDisplayFormat("yyyy-MM-dd")
        self.last_overdose.setMinimumDate(EMPTY_DATE)
        self.last_overdose.setSpecialValueText(NOT_RECORDED)
        self.last_overdose.setDate(EMPTY_DATE)
        self.naloxone = QCheckBox("Naloxone at home")
        for w in (self.prior_detox, self.prior_overdoses, self.last_overdose):
            w.setMaximumWidth(220)
        self._add_row(form, "Prior detox episodes", self.prior_detox)
        self._add_row(form, "Prior overdoses", self.prior_overdoses)
        self._add_row(form, "Last overdose date", self.last_overdose)
        self.naloxone.setAccessibleName("Naloxone at home")
        self.naloxone.toggled.connect(self._changed)
        form.addRow("", self.naloxone)
        history.setLayout(form)
        inner.addWidget(history)
        inner.addStretch(1)
        return page

    def add_substance_row(self, data: Mapping[str, Any] | None = None, *, focus: bool = False) -> SubstanceRow:
        row = SubstanceRow(len(self.substance_rows) + 1)
        self.substance_rows.append(row)
        self.rows_box.addWidget(row)
        if data:
            row.set_value(data)
        row.changed.connect(self._changed)
        row.remove_requested.connect(self.remove_substance_row)
        for b in row.findChildren(QPushButton):
            b.setAutoDefault(False)
        row.setEnabled(not self._read_only)
        if focus:
            row.substance.setFocus()
        if not self._loading:
            self._changed()
        return row

    def remove_substance_row(self, row: SubstanceRow) -> None:
        if row not in self.substance_rows or self._read_only:
            return
        if not row.is_blank():
            answer = QMessageBox.question(self, "Remove substance",
                                          f"Remove substance {row.number} and what was entered for it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.substance_rows.remove(row)
        self.rows_box.removeWidget(row)
        row.deleteLater()
        for n, r in enumerate(self.substance_rows, start=1):
            r.set_number(n)
        self._changed()

    def _build_medical(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        form = self._form()
        self.conditions = self._text_box()
        self.seizures = QCheckBox("Seizure history")
        self.seizures.setAccessibleName("Seizure history")
        self.seizures.toggled.connect(self._changed)
        self.pregnancy = QComboBox()
        self.pregnancy.addItem(CHOOSE, None)
        for key, label in rules.PREGNANCY.items():
            self.pregnancy.addItem(label, key)
        self.medications = self._text_box()
        self.allergies = QLineEdit()
        self.allergies.setPlaceholderText("Required — write \u201cnone known\u201d if there are none")
        self.psych_history = self._text_box()
        self._add_row(form, "Medical conditions", self.conditions)
        form.addRow("", self.seizures)
        self._add_row(form, "Pregnancy status", self.pregnancy, "medical.pregnancy")
        self._add_row(form, "Current medications", self.medications)
        self._add_row(form, "Allergies", self.allergies, "medical.allergies")
        self._add_row(form, "Psychiatric history", self.psych_history)
        inner.addLayout(form)

        rules_box = QGroupBox("For the medication checks")
        box = QVBoxLayout(rules_box)
        hint = QLabel("Optional. Lofexidine’s dose caps follow hepatic and renal function; a long QTc "
                      "warns about or stops methadone. The weight is recorded with the vitals. These can "
                      "be corrected after signing (Patient facts… on the stabilization screen).")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        self.facts_entry = FactsEntry(weight=False)
        self.facts_entry.edited.connect(self._changed)
        for key, widget in self.facts_entry.inputs.items():
            self._fields[f"medical.{key}"] = widget
        box.addWidget(hint)
        box.addWidget(self.facts_entry)
        inner.addWidget(rules_box)
        inner.addStretch(1)
        return page

    def _build_vitals(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        self.vitals_entry = VitalsEntry(optional=tuple(v.id for v in vitals.VITALS
                                                       if v.id not in rules.REQUIRED_VITALS),
                                        also_check=self._weight_for_the_rules)
        self.vitals_entry.edited.connect(self._changed)
        for vid, edit in self.vitals_entry.edits.items():
            self._fields[f"vitals.{vid}"] = edit
        inner.addWidget(self.vitals_entry)
        hint = QLabel("An impossible value is refused (not saved); an abnormal one is kept with a warning. "
                      "Weight is optional.")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        inner.addWidget(hint)
        inner.addStretch(1)
        return page

    def _weight_for_the_rules(self, kept: Mapping[str, Any]) -> dict[str, str]:
        """The weight is also a patient fact: it must be one the medication rules accept."""
        errors = facts.check({"weight_kg": kept.get("weight_kg")}, _local_today(self._now()))
        return {"weight_kg": errors["weight_kg"]} if "weight_kg" in errors else {}

    def _build_scores(self, title: str) -> QWidget:
        page, inner, outer = self._page(title)
        self.cows_entry = InstrumentEntry("cows")
        self.cows_entry.setAccessibleName("COWS")
        self.cows_entry.score_changed.connect(lambda _score: self._scored("cows"))
        self._fields["scores.cows"] = self.cows_entry
        inner.addWidget(self.cows_entry)
        self.extra_box = QVBoxLayout()
        inner.addLayout(self.extra_box)
        inner.addStretch(1)

        also = QHBoxLayout()
        also_label = QLabel("Also score:")
        self.also_score = QComboBox()
        self.also_score.setAccessibleName("Also score:")
        also_label.setBuddy(self.also_score)
        self.also_score.addItem(CHOOSE, None)
        for iid in EXTRA_SCORES:
            self.also_score.addItem(get_instrument(iid).short_title, iid)
        self.also_score.activated.connect(self._also_score_chosen)
        cows_total = self.cows_entry.take_total_label()
        also.addWidget(cows_total, 1)
        also.addWidget(also_label)
        also.addWidget(self.also_score)
        outer.addLayout(also)

        self.readiness = QFrame()
        self.readiness.setObjectName("readinessPanel")
        self.readiness_title = QLabel()
        self.readiness_title.setProperty("role", "heading")
        self.readiness_title.setAccessibleName("Buprenorphine readiness")
        self.readiness_text = QLabel()
        self.readiness_text.setWordWrap(True)
        self.readiness_text.setAccessibleName("Buprenorphine readiness text")
        self.readiness_basis = QLabel()
        self.readiness_basis.setWordWrap(True)
        self.readiness_basis.setProperty("role", "muted")
        self.readiness_basis.setAccessibleName("Buprenorphine readiness basis")
        box = QVBoxLayout(self.readiness)
        box.setContentsMargins(10, 6, 10, 6)
        box.setSpacing(2)
        box.addWidget(self.readiness_title)
        box.addWidget(self.readiness_text)
        box.addWidget(self.readiness_basis)
        outer.addWidget(self.readiness)
        return page

    def _also_score_chosen(self, _index: int) -> None:
        iid = self.also_score.currentData()
        self.also_score.setCurrentIndex(0)
        if iid:
            entry = self.add_extra_entry(iid)
            entry.focus_first()

    def add_extra_entry(self, iid: str, items: Mapping[str, int] | None = None) -> InstrumentEntry:
        entry = self.extra_entries.get(iid)
        if entry is None:
            entry = InstrumentEntry(iid)
            entry.setAccessibleName(get_instrument(iid).short_title)
            self.extra_entries[iid] = entry
            self.extra_box.addWidget(entry)
            entry.score_changed.connect(lambda _score, iid=iid: self._scored(iid))
            entry.setEnabled(not self._read_only)
            if not self._loading:
                self._update_also_score(self.draft_data())
        if items:
            entry.set_items(items)
        return entry

    def _update_also_score(self, data: Mapping[str, Any]) -> None:
        alcohol = any(r.get("substance") == "alcohol" for r in data["substances"]["rows"])
        model = self.also_score.model()
        for i in range(1, self.also_score.count()):
            iid = self.also_score.itemData(i)
            enabled = iid not in self.extra_entries and (iid != "ciwa_ar" or alcohol)
            model.item(i).setEnabled(enabled)

    def _build_mental_health(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        question = QGroupBox("Thoughts of suicide or self-harm now?")
        question.setAccessibleName("Thoughts of suicide or self-harm now?")
        self.suicide_yes = QRadioButton("Yes")
        self.suicide_no = QRadioButton("No")
        self.suicide_yes.setAccessibleName("Yes")
        self.suicide_no.setAccessibleName("No")
        self.suicide_group = QButtonGroup(self)
        self.suicide_group.addButton(self.suicide_yes)
        self.suicide_group.addButton(self.suicide_no)
        self.suicide_group.buttonToggled.connect(lambda *_: self._changed())
        row = QHBoxLayout(question)
        row.addWidget(self.suicide_yes)
        row.addWidget(self.suicide_no)
        row.addStretch(1)
        self._fields["mental_health.suicide_risk"] = self.suicide_yes
        self.phq9_entry = InstrumentEntry("phq9")
        self.phq9_entry.setAccessibleName("PHQ-9")
        self.gad7_entry = InstrumentEntry("gad7")
        self.gad7_entry.setAccessibleName("GAD-7")
        for iid, entry in (("phq9", self.phq9_entry), ("gad7", self.gad7_entry)):
            entry.score_changed.connect(lambda _score, iid=iid: self._scored(iid))
            self._fields[f"mental_health.{iid}"] = entry
        inner.addWidget(question)
        inner.addWidget(self.phq9_entry)
        inner.addWidget(self.gad7_entry)
        inner.addStretch(1)
        return page

    def _build_social(self, title: str) -> QWidget:
        page, inner, _ = self._page(title)
        form = self._form()
        self.social_edits: dict[str, QLineEdit] = {}
        for key, label in SOCIAL:
            edit = QLineEdit()
            self._add_row(form, label, edit, f"social.{key}")
            self.social_edits[key] = edit
        inner.addLayout(form)
        inner.addStretch(1)
        return page

    def _build_summary(self, title: str) -> QWidget:
        page, inner, _ = self._page(title, scroll=False)
        inner.setContentsMargins(0, 0, 0, 0)
        self.summary_view = QTextBrowser()
        self.summary_view.setAccessibleName("Summary")
        self.summary_view.setOpenLinks(False)
        self.missing_label = QLabel("Missing before signing")
        self.missing_label.setProperty("role", "heading")
        self.missing_list = QListWidget()
        self.missing_list.setAccessibleName("Missing before signing")
        self.missing_list.setMaximumHeight(150)
        self.missing_list.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.missing_list.itemActivated.connect(lambda item: self.go_to(item.data(Qt.ItemDataRole.UserRole)))
        self.missing_list.itemDoubleClicked.connect(
            lambda item: self.go_to(item.data(Qt.ItemDataRole.UserRole)))
        self.go_first_button = QPushButton("Go to first")
        self.go_first_button.clicked.connect(self.go_to_first_missing)
        self.pathway = QComboBox()
        self.pathway.addItem(CHOOSE, None)
        for key, label in rules.PATHWAYS.items():
            self.pathway.addItem(label, key)
        self.pathway.setAccessibleName("Pathway")
        self.pathway.currentIndexChanged.connect(self._changed)
        self._fields["summary.pathway"] = self.pathway
        pathway_label = QLabel("&Pathway")
        pathway_label.setBuddy(self.pathway)
        self.sign_button = QPushButton("Sign…")
        self.sign_button.setToolTip("Ctrl+Enter")
        self.sign_button.clicked.connect(self.request_sign)
        self.addendum_button = QPushButton("Add addendum…")
        self.addendum_button.clicked.connect(self.request_addendum)
        self.addendum_button.setVisible(False)

        missing_head = QHBoxLayout()
        missing_head.addWidget(self.missing_label, 1)
        missing_head.addWidget(self.go_first_button)
        actions = QHBoxLayout()
        actions.addWidget(pathway_label)
        actions.addWidget(self.pathway, 1)
        actions.addWidget(self.sign_button)
        actions.addWidget(self.addendum_button)
        inner.addWidget(self.summary_view, 1)
        inner.addLayout(missing_head)
        inner.addWidget(self.missing_list)
        inner.addLayout(actions)
        self._contents.remove(page.findChild(QWidget, "sectionContent"))
        return page

    # ---- data in and out -------------------------------------------------------------------
    # Each section has a reader (its page → the core's draft shape) and a writer (draft → its
    # page); ``_as_kept_<section>`` gives the reader's result for a page not built yet.
    def draft_data(self) -> dict[str, Any]:
        """Everything entered, in the core's draft shape (refused vitals left out)."""
        out: dict[str, Any] = {}
        for name, _label in rules.SECTIONS:
            if name in self._built:
                out[name] = getattr(self, f"_read_{name}")()
            else:
                out[name] = getattr(self, f"_as_kept_{name}")(self._loaded.get(name, {}))
        return out

    def load(self, data: Mapping[str, Any]) -> None:
        """Fill the screen from a draft (missing parts are left empty)."""
        self._loading = True
        try:
            for name, _label in rules.SECTIONS:
                value = data.get(name) or {}
                value = value if isinstance(value, Mapping) else {}
                if name in self._built:
                    getattr(self, f"_write_{name}")(value)
                else:
                    self._loaded[name] = value
        finally:
            self._loading = False
        self._refresh_live()
        if self.assessment.draft_saved_at is not None:
            self.draft_status.setText(
                f"Draft saved at {clock.local_text(self.assessment.draft_saved_at)} by "
                f"{self.assessment.draft_saved_by_name or 'someone'}")

    def _read_identity(self) -> dict[str, Any]:
        return {"consent_to_treatment": self.consent.isChecked()}

    def _write_identity(self, data: Mapping[str, Any]) -> None:
        self.consent.setChecked(data.get("consent_to_treatment") is True)

    @staticmethod
    def _as_kept_identity(data: Mapping[str, Any]) -> dict[str, Any]:
        return {"consent_to_treatment": data.get("consent_to_treatment") is True}

    def _read_substances(self) -> dict[str, Any]:
        last_od = self.last_overdose.date()
        return {"rows": [r.value() for r in self.substance_rows],
                "prior_detox_episodes": _spin_value(self.prior_detox),
                "prior_overdoses": _spin_value(self.prior_overdoses),
                "last_overdose": None if last_od <= EMPTY_DATE else last_od.toString("yyyy-MM-dd"),
                "naloxone_at_home": self.naloxone.isChecked()}

    def _write_substances(self, data: Mapping[str, Any]) -> None:
        for row in list(self.substance_rows):
            self.rows_box.removeWidget(row)
            row.deleteLater()
        self.substance_rows.clear()
        for row in data.get("rows") or []:
            if isinstance(row, Mapping):
                self.add_substance_row(row)
        if not self.substance_rows:
            self.add_substance_row()
        for spin, key in ((self.prior_detox, "prior_detox_episodes"), (self.prior_overdoses, "prior_overdoses")):
            value = data.get(key)
            spin.setValue(value if isinstance(value, int) else -1)
        last_od = QDate.fromString(str(data.get("last_overdose") or ""), "yyyy-MM-dd")
        self.last_overdose.setDate(last_od if last_od.isValid() else EMPTY_DATE)
        self.naloxone.setChecked(data.get("naloxone_at_home") is True)

    @staticmethod
    def _as_kept_substances(data: Mapping[str, Any]) -> dict[str, Any]:
        rows = [_row_as_kept(r) for r in data.get("rows") or [] if isinstance(r, Mapping)]
        last_od = QDate.fromString(str(data.get("last_overdose") or ""), "yyyy-MM-dd")
        return {"rows": rows or [_row_as_kept({})],
                "prior_detox_episodes": _count(data.get("prior_detox_episodes"), COUNT_MAX),
                "prior_overdoses": _count(data.get("prior_overdoses"), COUNT_MAX),
                "last_overdose": last_od.toString("yyyy-MM-dd") if last_od.isValid() and last_od > EMPTY_DATE
                else None,
                "naloxone_at_home": data.get("naloxone_at_home") is True}

    def _read_medical(self) -> dict[str, Any]:
        return {"conditions": self.conditions.toPlainText().strip(),
                "seizure_history": self.seizures.isChecked(),
                "pregnancy": self.pregnancy.currentData(),
                "medications": self.medications.toPlainText().strip(),
                "allergies": self.allergies.text().strip(),
                "psychiatric_history": self.psych_history.toPlainText().strip()} | self.facts_entry.accepted()

    def _write_medical(self, data: Mapping[str, Any]) -> None:
        self.conditions.setPlainText(str(data.get("conditions") or ""))
        self.seizures.setChecked(data.get("seizure_history") is True)
        self.pregnancy.setCurrentIndex(max(self.pregnancy.findData(data.get("pregnancy")), 0))
        self.medications.setPlainText(str(data.get("medications") or ""))
        self.allergies.setText(str(data.get("allergies") or ""))
        self.psych_history.setPlainText(str(data.get("psychiatric_history") or ""))
        self.facts_entry.set_values({key: data.get(key) for key in facts.FIELDS[1:]})

    def _as_kept_medical(self, data: Mapping[str, Any]) -> dict[str, Any]:
        pregnancy = data.get("pregnancy")
        typed = {key: fact_text(data.get(key)) for key in facts.FIELDS[1:]}
        return {"conditions": _text(data.get("conditions")), "seizure_history": data.get("seizure_history") is True,
                "pregnancy": pregnancy if pregnancy in rules.PREGNANCY else None,
                "medications": _text(data.get("medications")), "allergies": _text(data.get("allergies")),
                "psychiatric_history": _text(data.get("psychiatric_history"))} | facts.accepted(
            typed, _local_today(self._now()))[0]

    def _read_vitals(self) -> dict[str, Any]:
        return self.vitals_entry.values()

    def _write_vitals(self, data: Mapping[str, Any]) -> None:
        self.vitals_entry.set_values(data)

    @staticmethod
    def _as_kept_vitals(data: Mapping[str, Any]) -> dict[str, Any]:
        return accepted_vitals({v.id: vital_text(v.id, data.get(v.id)) for v in vitals.VITALS})[0]

    def _scored(self, iid: str) -> None:
        """An instrument's items changed: that is when its score was taken."""
        if not self._loading:
            self._scored_at[iid] = clock.local(self._now()).isoformat(timespec="minutes")
        self._changed()

    def _times_scored(self, answered: Mapping[str, Mapping[str, int]]) -> dict[str, str]:
        return {iid: self._scored_at[iid] for iid, items in answered.items() if items and iid in self._scored_at}

    def _keep_times(self, data: Mapping[str, Any]) -> None:
        self._scored_at.update(_times_kept(data, data))

    def _read_scores(self) -> dict[str, Any]:
        out = {"cows": self.cows_entry.items()} | {iid: e.items() for iid, e in self.extra_entries.items()}
        return out | {"scored_at": self._times_scored(out)}

    def _write_scores(self, data: Mapping[str, Any]) -> None:
        self._keep_times(data)
        self.cows_entry.set_items(data.get("cows") or {})
        for iid in EXTRA_SCORES:
            if data.get(iid):
                self.add_extra_entry(iid, data[iid])

    @staticmethod
    def _as_kept_scores(data: Mapping[str, Any]) -> dict[str, Any]:
        out = {"cows": _items("cows", data.get("cows"))} | {
            iid: _items(iid, data[iid]) for iid in EXTRA_SCORES if data.get(iid)}
        return out | {"scored_at": _times_kept(out, data)}

    def _read_mental_health(self) -> dict[str, Any]:
        suicide = "yes" if self.suicide_yes.isChecked() else "no" if self.suicide_no.isChecked() else None
        scores = {"phq9": self.phq9_entry.items(), "gad7": self.gad7_entry.items()}
        return scores | {"suicide_risk": suicide, "scored_at": self._times_scored(scores)}

    def _write_mental_health(self, data: Mapping[str, Any]) -> None:
        self._keep_times(data)
        self.phq9_entry.set_items(data.get("phq9") or {})
        self.gad7_entry.set_items(data.get("gad7") or {})
        answer = data.get("suicide_risk")
        self.suicide_group.setExclusive(False)
        self.suicide_yes.setChecked(answer == "yes")
        self.suicide_no.setChecked(answer == "no")
        self.suicide_group.setExclusive(True)

    @staticmethod
    def _as_kept_mental_health(data: Mapping[str, Any]) -> dict[str, Any]:
        answer = data.get("suicide_risk")
        scores = {"phq9": _items("phq9", data.get("phq9")), "gad7": _items("gad7", data.get("gad7"))}
        return scores | {"suicide_risk": answer if answer in ("yes", "no") else None,
                         "scored_at": _times_kept(scores, data)}

    def _read_social(self) -> dict[str, Any]:
        return {k: e.text().strip() for k, e in self.social_edits.items()}

    def _write_social(self, data: Mapping[str, Any]) -> None:
        for key, edit in self.social_edits.items():
            edit.setText(str(data.get(key) or ""))

    @staticmethod
    def _as_kept_social(data: Mapping[str, Any]) -> dict[str, Any]:
        return {key: _text(data.get(key)) for key, _label in SOCIAL}

    def _read_summary(self) -> dict[str, Any]:
        return {"pathway": self.pathway.currentData()}

    def _write_summary(self, data: Mapping[str, Any]) -> None:
        pathway = data.get("pathway") or self.assessment.pathway
        self.pathway.setCurrentIndex(max(self.pathway.findData(pathway), 0))

    def _as_kept_summary(self, data: Mapping[str, Any]) -> dict[str, Any]:
        pathway = data.get("pathway") or self.assessment.pathway
        return {"pathway": pathway if pathway in rules.PATHWAYS else None}

    # ---- live behaviour ----------------------------------------------------------------------
    def _now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def _refresh_live(self) -> None:
        data = self.draft_data()
        now = self._now()
        status = rules.section_status(data, now)
        for i in range(self.section_list.count()):
            item = self.section_list.item(i)
            name = item.data(Qt.ItemDataRole.UserRole)
            label = rules.SECTION_LABELS[name]
            if name in status:
                done = status[name]
                mark = "\u2713" if done else "\u25cb"
                item.setText(f"{mark}  {label}")
                item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, "done" if done else "incomplete")
                item.setToolTip("Done" if done else "Incomplete")
            else:
                item.setText(f"\u2192  {label}")
        self.banner.show_allergies(data["medical"]["allergies"])
        self.banner.show_flags(rules.risk_flags(data))
        self.safety_bar.setVisible(rules.safety_alert(data))
        self._update_readiness(data, now)
        if "scores" in self._built:
            self._update_also_score(data)
        if "summary" in self._built and self.pages.currentIndex() == self._page_index["summary"]:
            self._refresh_summary(data)

    def _load_protocol_settings(self) -> protocols.ProtocolSettings:
        return protocols.ProtocolSettings.from_mapping(clinic_settings.get_all(self.db))

    def readiness_prompt(self, data: Mapping[str, Any] | None = None,
                         now: dt.datetime | None = None) -> protocols.Prompt:
        data = data if data is not None else self.draft_data()
        now = now or self._now()
        items = data["scores"]["cows"]
        score = get_instrument("cows").score(items)
        answered = bool(items)
        cows_at = rules.scored_at(data, "scores", "cows") or now
        return rules.buprenorphine_readiness(
            data, score.total if answered else None, score.complete, cows_at if answered else None, now,
            self._protocol_settings, format_time=lambda t: clock.local_text(t, "%d %b %H:%M"))

    def _update_readiness(self, data: Mapping[str, Any], now: dt.datetime) -> None:
        try:
            prompt = self.readiness_prompt(data, now)
        except ValueError as exc:
            self._prompt = None
            if "scores" in self._built:
                self.readiness_title.setText("Buprenorphine readiness")
                self.readiness_text.setText(str(exc))
                self.readiness_basis.setText("")
            return
        self._prompt = prompt
        if "scores" not in self._built:
            return
        label = {"meets": "meets the defaults", "not_yet": "not yet", "caution": "caution",
                 "info": "information"}.get(prompt.status, prompt.status)
        self.readiness_title.setText(f"{prompt.title} — {label}")
        self.readiness_text.setText(prompt.text)
        self.readiness_basis.setText(f"Basis: {prompt.basis}. {prompt.setting_used}.")
        if self.readiness.property("status") != prompt.status:
            self.readiness.setProperty("status", prompt.status)
            repolish(self.readiness)

    def _tick(self) -> None:
        flipped = False
        for row in self.substance_rows:
            was_future = row.last_use_in_future()
            row.refresh_elapsed()
            flipped = flipped or was_future != row.last_use_in_future()
        if flipped:  # a time that was in the future is now accepted: save it
            self._changed()
        else:
            self._update_readiness(self.draft_data(), self._now())

    # ---- sections and going to a field -------------------------------------------------------
    def _section_shown(self, name: str) -> None:
        if name == "summary":
            self._refresh_summary(self.draft_data())

    def field_for(self, key: str) -> QWidget | None:
        """The input a "section.field" key names (substance rows by their number among the rows
        with a substance, as the core counts them)."""
        parts = key.split(".")
        if parts[0] not in self._page_index:
            return None
        self._ensure(parts[0])
        if parts[0] == "substances" and len(parts) == 4 and parts[1] == "rows":
            chosen = [r for r in self.substance_rows if r.substance_id()]
            n = int(parts[2])
            if 1 <= n <= len(chosen):
                return chosen[n - 1].substance if parts[3] == "substance" else chosen[n - 1].last_use
            return None
        return self._fields.get(key)

    def go_to(self, key: str | None) -> None:
        if not key:
            return
        section = key.split(".")[0]
        if section not in self._page_index:
            return
        self.show_section(section)
        widget = self.field_for(key)
        if isinstance(widget, InstrumentEntry):
            missing = widget.score().missing
            if missing:
                widget.focus_item(missing[0])
            else:
                widget.focus_first()
            return
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            reveal(widget)

    def go_to_first_missing(self) -> None:
        if self._missing_keys:
            self.go_to(self._missing_keys[0])

    # ---- summary -----------------------------------------------------------------------------
    def show_missing(self, missing: Mapping[str, str]) -> None:
        self.missing_list.clear()
        self._missing_keys = list(missing)
        for key, message in missing.items():
            section = rules.SECTION_LABELS.get(key.split(".")[0], "")
            item = QListWidgetItem(f"{section}: {message}" if section else message)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip("Double-click (or Enter) to go there")
            self.missing_list.addItem(item)
        has = bool(missing)
        for w in (self.missing_label, self.missing_list, self.go_first_button):
            w.setVisible(has and not self._read_only)

    def _refresh_summary(self, data: Mapping[str, Any] | None = None) -> None:
        data = data if data is not None else self.draft_data()
        now = self._now()
        if not self._read_only:
            missing = rules.missing_to_sign(data, data["summary"]["pathway"], now)
            self.show_missing({m.key: m.message for m in missing})
        self.summary_view.setHtml(self.summary_html(data, now))

    def summary_html(self, data: Mapping[str, Any], now: dt.datetime) -> str:
        e = html.escape
        out = []

        def line(label: str, value: Any) -> None:
            shown = "—" if value in (None, "", {}) else ("Yes" if value is True else "No" if value is False
                                                          else str(value))
            out.append(f"<tr><td width='230' style='padding-right:12px;color:#4d6168'>{e(label)}</td>"
                       f"<td>{e(shown)}</td></tr>")

        def head(text: str) -> None:
            out.append(f"</table><h3 style='margin-top:10px'>{e(text)}</h3><table>")

        flags = rules.risk_flags(data)
        out.append("<h3>Risk flags</h3>")
        if flags:
            out.append("<ul>" + "".join(f"<li><b>{e(f.label)}</b> — {e(f.basis)}</li>" for f in flags) + "</ul>")
        else:
            out.append("<p>None raised.</p>")
        prompt = self._prompt
        if prompt is not None:
            out.append(f"<h3>{e(prompt.title)}</h3><p>{e(prompt.text)}</p>"
                       f"<p style='color:#4d6168'>Basis: {e(prompt.basis)}. {e(prompt.setting_used)}.</p>")
        out.append("<table>")
        head("Identity and contacts")
        line("Consent to treatment recorded", data["identity"]["consent_to_treatment"])
        line("Preferred language", patients.LANGUAGES.get(self.patient.preferred_language,
                                                          self.patient.preferred_language))
        head("Substance use")
        for n, row in enumerate(data["substances"]["rows"], start=1):
            sid = row.get("substance")
            name = withdrawal.SUBSTANCES[sid].label if sid in withdrawal.SUBSTANCES else "not chosen"
            when = rules.parse_time(row.get("last_use"))
            since = ""
            if when is not None and when <= now:
                since = f" ({withdrawal.format_hours(withdrawal.hours_since(when, now))} h ago)"
            details = ", ".join(x for x in (row.get("route"), " ".join(
                x for x in (row.get("amount"), row.get("unit")) if x), row.get("frequency")) if x)
            line(f"Substance {n}", f"{name}" + (f" — {details}" if details else "")
                 + (f"; last use {clock.local_text(when, '%Y-%m-%d %H:%M')}{since}" if when else "; last use not recorded"))
        subs = data["substances"]
        line("Prior detox episodes", subs["prior_detox_episodes"])
        line("Prior overdoses", subs["prior_overdoses"])
        line("Last overdose date", subs["last_overdose"])
        line("Naloxone at home", subs["naloxone_at_home"])
        head("Medical and psychiatric")
        med = data["medical"]
        line("Medical conditions", med["conditions"])
        line("Seizure history", med["seizure_history"])
        line("Pregnancy status", rules.PREGNANCY.get(med["pregnancy"] or "", None))
        line("Current medications", med["medications"])
        line("Allergies", med["allergies"])
        line("Psychiatric history", med["psychiatric_history"])
        line(facts.LABELS["hepatic"], facts.HEPATIC_LABELS.get(med["hepatic"] or "", None))
        line(facts.LABELS["renal"], facts.RENAL_LABELS.get(med["renal"] or "", None))
        line(facts.LABELS["egfr"], f"{vitals.format_vital(med['egfr'])} {facts.EGFR.unit}"
             if med["egfr"] is not None else None)
        line(facts.LABELS["qtc_ms"], f"{med['qtc_ms']} ms" + (f" on {med['qtc_on']}" if med["qtc_on"] else "")
             if med["qtc_ms"] is not None else None)
        head("Vitals")
        for v in vitals.VITALS:
            value = data["vitals"].get(v.id)
            line(v.label, f"{v.fmt(value)} {v.unit}" if value is not None else None)
        def scored(section: str, iid: str) -> None:
            inst = get_instrument(iid)
            score = inst.score(data[section][iid])
            when = rules.scored_at(data, section, iid)
            line(inst.short_title, f"{score.total}{'' if score.complete else ' so far'} — {score.status_text}"
                 + (f" (scored {clock.local_text(when, '%d %b %H:%M')})" if when else ""))

        head("Withdrawal scores")
        for iid in ("cows", *EXTRA_SCORES):
            if iid == "cows" or data["scores"].get(iid):
                scored("scores", iid)
        head("Mental health and safety")
        for iid in ("phq9", "gad7"):
            scored("mental_health", iid)
        answer = data["mental_health"]["suicide_risk"]
        line("Thoughts of suicide or self-harm now?", {"yes": "Yes", "no": "No"}.get(answer or "", None))
        head("Social")
        for key, label in SOCIAL:
            line(label, data["social"][key])
        out.append("</table>")
        if self.assessment.addenda:
            out.append("<h3>Addenda</h3>")
            for a in self.assessment.addenda:
                out.append(f"<p><b>{e(clock.local_text(a.created_at, '%Y-%m-%d %H:%M'))} — {e(a.created_by_name)}</b>: "
                           f"{e(a.reason)}<br>{e(a.text)}</p>")
        return "".join(out)

    # ---- saving ------------------------------------------------------------------------------
    def _snapshot(self) -> dict[str, Any]:
        return self.draft_data()

    def _store(self, data: dict[str, Any]):
        return intake.save_draft(self.db, self.user, self.assessment.id, self.version, data)

    def _record_id(self) -> int:
        return self.assessment.id

    def _closing(self) -> None:
        self._clock.stop()
        if not self._released:
            self._released = True
            try:
                intake.release(self.db, self.user, self.assessment.id)
            except ClinicError:
                log.warning("assessment %s could not be released", self.assessment.id)

    # ---- signing -----------------------------------------------------------------------------
    def sign_dialog(self) -> SignDialog | None:
        return self._sign_dialog

    def confirm_box(self) -> QMessageBox | None:
        return self._confirm_box

    def request_sign(self) -> None:
        """Sign… (Ctrl+Enter): save what is typed, then ask for the password."""
        if self._read_only:
            return
        if self._conflict:
            QMessageBox.warning(self, "Cannot sign", self.conflict_banner.text())
            return
        if not self.save_now():
            return
        self.show_section("summary")
        dialog = SignDialog(self)
        self._sign_dialog = dialog
        dialog.submitted.connect(lambda password: self._sign(password, dialog))

        def finished(_result: int) -> None:
            if self._sign_dialog is dialog:
                self._sign_dialog = None
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    def _sign(self, password: str, dialog: QDialog | None, confirm_old: bool = False) -> None:
        pathway = self.draft_data()["summary"]["pathway"] or ""
        try:
            view = intake.sign(self.db, self.user, self.assessment.id, self.version, password, pathway,
                               confirm_old_last_use=confirm_old)
        except ValidationError as exc:
            fields = dict(exc.fields)
            if "password" in fields:
                if isinstance(dialog, SignDialog):
                    dialog.show_error(fields["password"])
                return
            if dialog is not None:
                dialog.accept()
            data = self.draft_data()
            now = self._now()
            if not rules.missing_to_sign(data, pathway, now) and rules.old_last_uses(data, now):
                self._ask_old_last_use(password, fields)
                return
            self.show_section("summary")
            self.show_missing(fields)
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
            if isinstance(dialog, SignDialog):
                dialog.show_error(str(exc))
            return
        if dialog is not None:
            dialog.accept()
        log.info("assessment %s signed", view.id)
        self._show_signed(view)
        self.assessment_signed.emit(view.episode_id)

    def _ask_old_last_use(self, password: str, fields: Mapping[str, str]) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Last use more than 30 days ago",
                          "\n".join(fields.values()), parent=self)
        confirm = box.addButton("Confirm and sign", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        self._confirm_box = box

        def answered(_result: int) -> None:
            self._confirm_box = None
            chosen = box.clickedButton()
            box.deleteLater()
            if chosen is confirm:
                self._sign(password, None, confirm_old=True)
            else:
                key = next(iter(fields), None)
                self.go_to(key)

        box.finished.connect(answered)
        box.open()

    def _show_signed(self, view: intake.AssessmentView) -> None:
        self.assessment = view
        self._read_only = True
        self._autosave.stop()
        self.signed_label.setText(f"Signed by {view.signed_by_name or 'unknown'} at {clock.local_text(view.signed_at)}")
        self.signed_label.setVisible(True)
        self.draft_status.setText("Signed: read-only; correct it with an addendum.")
        self.show_section("summary")
        if view.pathway:
            self.pathway.setCurrentIndex(max(self.pathway.findData(view.pathway), 0))
        self._apply_read_only()
        self._refresh_summary()

    def _apply_read_only(self) -> None:
        """Signed: every built page read-only (pages built later are made so as they are built)."""
        for content in self._contents:
            content.setEnabled(False)
        if "identity" in self._built:
            self.edit_registration_button.setVisible(False)
        if "summary" in self._built:
            self.pathway.setEnabled(False)
            self.sign_button.setVisible(False)
            self.addendum_button.setVisible(True)
            for w in (self.missing_label, self.missing_list, self.go_first_button):
                w.setVisible(False)

    # ---- addendum ----------------------------------------------------------------------------
    def addendum_dialog(self) -> AddendumDialog | None:
        return self._addendum_dialog

    def request_addendum(self) -> None:
        if not self._read_only:
            return
        dialog = AddendumDialog(self)
        self._addendum_dialog = dialog

        def add() -> None:
            try:
                added = intake.add_addendum(self.db, self.user, self.assessment.id,
                                            dialog.reason.text(), dialog.text.toPlainText())
            except ValidationError as exc:
                dialog.show_error("\n".join(exc.fields.values()) or str(exc))
                return
            except ClinicError as exc:
                dialog.show_error(str(exc))
                return
            self.assessment = intake.assessment_for_episode(self.db, self.user, self.assessment.episode_id) \
                or self.assessment
            dialog.accept()
            self._refresh_summary()
            self.addendum_added.emit(added.id)

        def finished(_result: int) -> None:
            if self._addendum_dialog is dialog:
                self._addendum_dialog = None
            dialog.deleteLater()

        dialog.buttons.accepted.connect(add)
        dialog.finished.connect(finished)
        dialog.open()
