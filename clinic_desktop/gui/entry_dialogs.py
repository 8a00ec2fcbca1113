"""The dialogs that put one entry on an episode's flowsheet: a withdrawal score (the same
keyboard-first entry as the intake), a set of vitals, a daily check-in, and the correction of
each. Each saves
through ``core.services.stabilization`` and shows a refusal next to its field; an entry taken
more than an hour ago asks why it is entered late."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import checkin, clock, units
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import settings as clinic_settings
from clinic_desktop.core.services import stabilization
from clinic_desktop.core.services.stabilization import FlowsheetEntry, ObservationView
from clinic_desktop.gui.instrument_dialog import InstrumentDialog
from clinic_desktop.gui.widgets.dialog_base import AsksBeforeDiscarding, GeometryDialog, error_line
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.required import legend, set_required
from clinic_desktop.gui.widgets.vitals_entry import VitalsEntry
from clinic_desktop.gui.widgets.when_edit import WhenEdit


class EntryDetails(QWidget):
    """When it was taken ("Now" by default) and, when needed, why: entered late, or corrected."""

    def __init__(self, correcting: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.correcting = correcting
        self.taken_at = WhenEdit("Taken at", kind="datetime")
        self.taken_at.set_now()
        self.now_button = QPushButton("Now")
        self.now_button.setAccessibleName("Taken at: now")
        self.now_button.setAutoDefault(False)
        self.now_button.clicked.connect(self.taken_at.set_now)
        self.reason = QLineEdit()
        label = "Reason for the correction" if correcting else "Reason for entering it late"
        self.reason.setAccessibleName(label)
        self.reason.setPlaceholderText("Required" if correcting else "Taken more than an hour ago: say why")
        self.reason_label = QLabel(label)
        self.reason_label.setBuddy(self.reason)
        when = QHBoxLayout()
        when.addWidget(self.taken_at, 1)
        when.addWidget(self.now_button, 0, Qt.AlignmentFlag.AlignTop)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("Taken at")
        caption.setBuddy(self.taken_at.line)
        form.addRow(caption, when)
        form.addRow(self.reason_label, self.reason)
        self.required_legend = legend()  # with the reason, the one field marked here
        form.addRow(self.required_legend)
        self.taken_at.edited.connect(self._update_reason)
        self._update_reason()

    def when(self) -> dt.datetime:
        """The time typed (aware); ValidationError, shown under the field, when it cannot be read."""
        when = self.taken_at.read_datetime("taken_at", required="Enter when it was taken.")
        assert when is not None  # required
        return when

    def reason_required(self) -> bool:
        """The service asks why (stabilization.entry_required_fields): a correction, or an entry
        taken more than an hour ago."""
        return "reason" in stabilization.entry_required_fields(self.taken_at.datetime_value(), clock.now(),
                                                               correcting=self.correcting)

    def _update_reason(self, *_args) -> None:
        shown = self.reason_required()
        self.reason.setVisible(shown)
        self.reason_label.setVisible(shown)
        self.required_legend.setVisible(shown)
        set_required(self.reason, shown, caption=self.reason_label)

    def reason_text(self) -> str | None:
        """The reason typed, when one is asked for."""
        if not self.reason_required():
            return None
        return self.reason.text().strip() or None


class ScoreDialog(InstrumentDialog):
    """Record COWS (or another withdrawal scale), or correct a recorded one."""

    saved = Signal(object)  # the FlowsheetEntry saved (None when struck as entered in error)

    def __init__(self, db, user: SignedInUser, episode_id: int, instrument_id: str,
                 parent: QWidget | None = None, *, correcting: FlowsheetEntry | None = None) -> None:
        super().__init__(instrument_id, parent)
        self.setWindowTitle(f"{'Correct' if correcting else 'Record'} {self.entry.instrument.short_title}")
        self.db, self.user, self.episode_id, self.correcting = db, user, episode_id, correcting
        self.details = EntryDetails(correcting is not None)
        self.general = error_line()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.details)
        layout.insertWidget(1, self.general)
        self.errors = FieldErrors({"taken_at": self.details.taken_at, "reason": self.details.reason,
                                   "items": self.entry}, general=self.general)
        if correcting is not None:
            assert correcting.item_scores is not None  # a score's entry has its item scores
            self.entry.set_items(correcting.item_scores)
            self.details.taken_at.set_datetime(correcting.taken_at)
            _add_strike_button(self)
        self.buttons.accepted.disconnect()
        self.buttons.accepted.connect(self.save)
        self.done_button.setText("Save")
        self.entry.focus_first()

    def save(self) -> None:
        items = self.entry.items()
        correcting = self.correcting
        result: FlowsheetEntry | ObservationView | None
        if correcting is not None:
            ok, result = self.errors.attempt(lambda: stabilization.correct_entry(
                self.db, self.user, "observation", correcting.id, self.details.reason.text(),
                items=items, taken_at=self.details.when()))
        else:
            ok, result = self.errors.attempt(lambda: stabilization.record_observation(
                self.db, self.user, self.episode_id, self.entry.instrument.id, items,
                taken_at=self.details.when(), reason=self.details.reason_text()))
        if ok:
            self.saved.emit(result)
            self.accept()

    def strike(self) -> None:
        _strike(self, "observation")


class ValuesDialog(AsksBeforeDiscarding, GeometryDialog):
    """A flowsheet entry typed as values — a set of vitals, a check-in — or its correction: when
    it was taken (and why late), the ``body`` of inputs under it, a ``hint``, Save and Cancel
    (and, correcting, "Entered in error"). Save records the entry or replaces the corrected one
    (``KIND``, ``RECORD``: the service that records it); a refusal shows next to its field."""

    saved = Signal(object)  # the FlowsheetEntry saved (None when struck as entered in error)
    KIND = ""
    RECORD: Any = None

    def __init__(self, db, user: SignedInUser, episode_id: int, parent: QWidget | None, *,
                 correcting: FlowsheetEntry | None, name: str, title: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.db, self.user, self.episode_id, self.correcting = db, user, episode_id, correcting
        self.details = EntryDetails(correcting is not None)
        self.general = error_line()
        self.buttons = QDialogButtonBox()
        self.done_button = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def lay_out(self, body: QWidget | QFormLayout, hint: str, fields: dict[str, QWidget]) -> None:
        """The dialog's layout around ``body``; ``fields``: the inputs a refusal names."""
        note = QLabel(hint)
        note.setProperty("role", "hint")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.details)
        layout.addWidget(self.general)
        if isinstance(body, QFormLayout):
            layout.addLayout(body)
        else:
            layout.addWidget(body)
        layout.addWidget(note)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors({"taken_at": self.details.taken_at, "reason": self.details.reason, **fields},
                                  general=self.general)
        if self.correcting is not None:
            self.set_values(self.correcting.values or {})
            self.details.taken_at.set_datetime(self.correcting.taken_at)
            _add_strike_button(self)

    def set_values(self, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def save(self) -> None:
        values, correcting = self.values(), self.correcting
        if correcting is not None:
            ok, result = self.errors.attempt(lambda: stabilization.correct_entry(
                self.db, self.user, self.KIND, correcting.id, self.details.reason.text(),
                values=values, taken_at=self.details.when()))
        else:
            ok, result = self.errors.attempt(lambda: type(self).RECORD(
                self.db, self.user, self.episode_id, values, taken_at=self.details.when(),
                reason=self.details.reason_text()))
        if ok:
            self.saved.emit(result)
            self.accept()

    def strike(self) -> None:
        _strike(self, self.KIND)


class VitalsDialog(ValuesDialog):
    """Record a set of vitals, or correct a recorded one."""

    KIND = stabilization.VITALS
    RECORD = staticmethod(stabilization.record_vitals)

    def __init__(self, db, user: SignedInUser, episode_id: int, parent: QWidget | None = None, *,
                 correcting: FlowsheetEntry | None = None) -> None:
        super().__init__(db, user, episode_id, parent, correcting=correcting, name="vitalsDialog",
                         title="Correct vitals" if correcting else "Record vitals")
        # Temperature and weight typed in the clinic's units; saved in °C and kg.
        self.entry = VitalsEntry(system=units.clinic_system(clinic_settings.get_all(db)))
        self.lay_out(self.entry, "An impossible value is refused; an abnormal one is saved with a warning.", {})
        self.resize(640, 460)
        next(iter(self.entry.edits.values())).setFocus()

    def set_values(self, values: dict[str, Any]) -> None:
        self.entry.set_values(values)

    def values(self) -> dict[str, Any]:
        return self.entry.values()

    def save(self) -> None:
        if self.entry.has_errors():
            next(e for vid, e in self.entry.edits.items() if self.entry.errors[vid].isVisible()).setFocus()
            return
        super().save()


class ScaleEdit(QLineEdit):
    """A 0–10 answer typed as its digits: a whole answer ("0", "2"–"9", "10") moves on to the
    next field at once, so four scores take four key presses; "1" waits for a possible "0"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setValidator(QIntValidator(0, 10, self))
        self.setMaxLength(2)
        self.setMaximumWidth(60)
        self.textEdited.connect(self._move_on)

    def _move_on(self, text: str) -> None:
        if text and text != "1":
            self.focusNextChild()


class CheckInDialog(ValuesDialog):
    """Record the daily check-in (craving, mood, anxiety, pain 0–10; sleep; appetite; fluids —
    each optional), or correct a recorded one. Keyboard-first: the four scores are typed as
    digits, each moving on by itself; Enter saves."""

    KIND = stabilization.CHECKIN
    RECORD = staticmethod(stabilization.record_checkin)

    def __init__(self, db, user: SignedInUser, episode_id: int, parent: QWidget | None = None, *,
                 correcting: FlowsheetEntry | None = None) -> None:
        super().__init__(db, user, episode_id, parent, correcting=correcting, name="checkInDialog",
                         title="Correct check-in" if correcting else "Daily check-in")
        form = QFormLayout()
        self.inputs: dict[str, QWidget] = {}
        for key, (label, low, high) in checkin.SCALES.items():
            self._add(form, key, label, ScaleEdit(), f"0 = {low} \u00b7 10 = {high}")
        hours = QLineEdit()
        hours.setMaximumWidth(60)
        self._add(form, checkin.SLEEP_HOURS[0], checkin.SLEEP_HOURS[1], hours, "e.g. 6.5")
        for key, (label, options) in checkin.CHOICES.items():
            combo = QComboBox()
            combo.addItem("\u2014", None)
            for code, text in options.items():
                combo.addItem(text, code)
            self._add(form, key, label, combo)
        self.done_button.setDefault(True)  # Enter saves, from any field
        self.lay_out(form, "Ask each one the patient's way; leave out what was not asked.",
                     {"values": self.inputs["craving"], **self.inputs})
        self.resize(520, 520)
        self.inputs["craving"].setFocus()

    def _add(self, form: QFormLayout, key: str, label: str, widget: QWidget, note: str = "") -> None:
        widget.setAccessibleName(label)
        if note:
            widget.setAccessibleDescription(note)
            row = QHBoxLayout()
            row.addWidget(widget)
            shown = QLabel(note)
            shown.setProperty("role", "hint")
            row.addWidget(shown, 1)
            form.addRow(label, row)
        else:
            form.addRow(label, widget)
        self.inputs[key] = widget

    def set_values(self, values: dict[str, Any]) -> None:
        for key, widget in self.inputs.items():
            value = values.get(key)
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            elif isinstance(widget, QLineEdit):
                widget.setText("" if value is None else f"{value:g}" if isinstance(value, float) else str(value))

    def values(self) -> dict[str, Any]:
        """What is typed and chosen (blank parts left out; the service checks the rest)."""
        out: dict[str, Any] = {}
        for key, widget in self.inputs.items():
            value = widget.currentData() if isinstance(widget, QComboBox) else (
                widget.text().strip() if isinstance(widget, QLineEdit) else None)
            if value not in (None, ""):
                out[key] = value
        return out


def _add_strike_button(dialog) -> None:
    button = dialog.buttons.addButton("Entered in error", QDialogButtonBox.ButtonRole.DestructiveRole)
    button.setToolTip("Strike this entry through without a replacement (the reason is required)")
    button.setAutoDefault(False)
    button.clicked.connect(dialog.strike)


def _strike(dialog, kind: str) -> None:
    ok, _ = dialog.errors.attempt(lambda: stabilization.correct_entry(
        dialog.db, dialog.user, kind, dialog.correcting.id, dialog.details.reason.text()))
    if ok:
        dialog.saved.emit(None)
        dialog.accept()
