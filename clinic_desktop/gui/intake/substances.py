"""Substance use: one row per substance (what, how, how much, when last used, with the live
withdrawal window), and the history (prior detox episodes and overdoses, naloxone at home)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import clock, withdrawal
from clinic_desktop.gui.intake.section import CHOOSE, NOT_RECORDED, IntakeSection, spin, spin_value
from clinic_desktop.gui.widgets.when_edit import WhenEdit

ROUTES = ("", "Injected", "Smoked", "Intranasal", "Oral", "Other")
FUTURE_LAST_USE = "The last use cannot be in the future."
OLD_LAST_USE_NOTE = "More than 30 days ago \u2014 check it; signing will ask you to confirm."


def _last_use_as_kept(value: Any) -> str | None:
    """A last use as its row keeps it: local time to the minute, None when not recorded."""
    when = rules.parse_time(value)
    if when is None:
        return None
    local = clock.local(when).replace(second=0, microsecond=0)
    if local.replace(tzinfo=None) <= rules.EARLIEST:  # the field's minimum: not recorded
        return None
    return local.isoformat(timespec="minutes")


def _date_or_none(value: Any) -> dt.date | None:
    """A stored ISO date ("1979-11-30"), None for anything else or one before the earliest."""
    try:
        day = dt.date.fromisoformat(str(value or ""))
    except ValueError:
        return None
    return day if day > rules.EARLIEST.date() else None


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
        self.years = spin("", rules.YEARS_MAX)
        self.last_use = WhenEdit(kind="datetime", blank=NOT_RECORDED)
        self.now_button = QPushButton("Now")
        self.remove_button = QPushButton("Remove")
        self.elapsed = QLabel()
        self.elapsed.setWordWrap(True)
        # Under the field: a future time is refused (kept out of the draft); beside it an old one noted.
        self.last_use_note = QLabel(OLD_LAST_USE_NOTE)
        self.last_use_note.setProperty("note", "amber")
        self.last_use_note.setWordWrap(True)
        self.last_use_note.setVisible(False)
        #: The last use as it goes into the draft: the time entered, unless it is in the future,
        #: when the last accepted value (None for a new row) is kept instead.
        self._accepted_last_use: str | None = None
        self._setting = False  # set_value is filling the fields
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
        last_label.setBuddy(self.last_use.line)
        self.labels["Last use"] = last_label
        grid.addWidget(last_label, 3, 0)
        when = QHBoxLayout()
        when.addWidget(self.last_use, 1)
        when.addWidget(self.now_button, 0, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(when, 4, 0, 1, 2)
        beside = QVBoxLayout()
        beside.setSpacing(2)
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
        self.last_use.edited.connect(self._edited)
        self.now_button.clicked.connect(self.set_now)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.refresh_elapsed()

    def set_number(self, number: int) -> None:
        self.number = number
        self.heading.setText(f"Substance {number}")
        for text, widget in (("Substance", self.substance), ("Route", self.route), ("Amount", self.amount),
                             ("Unit", self.unit), ("Frequency", self.frequency),
                             ("Years of use", self.years)):
            widget.setAccessibleName(f"{text} {number}")
        self.last_use.set_label(f"Last use {number}")
        self.now_button.setAccessibleName(f"Last use {number}: now")
        self.last_use_note.setAccessibleName(f"Last use {number} note")
        self.remove_button.setAccessibleName(f"Remove substance {number}")

    def set_now(self) -> None:
        self.last_use.set_now()

    def _edited(self, *_args) -> None:
        if self._setting:  # set_value fills the fields: one refresh at its end, not one per field
            return
        self.refresh_elapsed()
        self.changed.emit()

    def substance_id(self) -> str | None:
        return self.substance.currentData()

    def last_use_time(self) -> dt.datetime | None:
        """The time typed (aware), None when not recorded or not readable (``last_use.error()``)."""
        return self.last_use.datetime_value()

    def last_use_in_future(self) -> bool:
        """True while the time entered is later than now (refused: not put in the draft)."""
        return self._future

    def value(self) -> dict[str, Any]:
        return {"substance": self.substance_id(), "route": self.route.currentText().strip(),
                "amount": self.amount.text().strip(), "unit": self.unit.text().strip(),
                "frequency": self.frequency.text().strip(), "years_of_use": spin_value(self.years),
                "last_use": self._accepted_last_use}

    def is_blank(self) -> bool:
        v = self.value()
        return not any(v[k] for k in ("substance", "route", "amount", "unit", "frequency", "last_use")) \
            and v["years_of_use"] is None

    def set_value(self, row: Mapping[str, Any]) -> None:
        self._setting = True
        try:
            self._set_fields(row)
        finally:
            self._setting = False
        self.refresh_elapsed()
        # What the draft holds is kept as loaded, even a time that is (still) in the future.
        loaded = self.last_use_time()
        self._accepted_last_use = loaded.isoformat(timespec="minutes") if loaded else None

    def _set_fields(self, row: Mapping[str, Any]) -> None:
        index = self.substance.findData(row.get("substance"))
        self.substance.setCurrentIndex(max(index, 0))
        self.route.setCurrentText(str(row.get("route") or ""))
        self.amount.setText(str(row.get("amount") or ""))
        self.unit.setText(str(row.get("unit") or ""))
        self.frequency.setText(str(row.get("frequency") or ""))
        years = row.get("years_of_use")
        self.years.setValue(years if isinstance(years, int) else -1)
        self.last_use.set_datetime(rules.parse_time(_last_use_as_kept(row.get("last_use"))))

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
        # Text that cannot be read keeps, like a future time, the last accepted value out of the
        # draft's way; the field says why under it.
        unreadable = self.last_use.error() is not None
        self._future = future
        if not future and not unreadable:
            self._accepted_last_use = when.isoformat(timespec="minutes") if when else None
        self.last_use.refuse(FUTURE_LAST_USE if future else None)
        self.last_use_note.setVisible(old)
        self.elapsed.setVisible(not future and not unreadable)
        if when is None:
            self.elapsed.setText("Enter the time of last use.")
        elif not future:
            hours = withdrawal.hours_since(when, now)
            text = f"<b>{withdrawal.format_hours(hours)} h</b> since last use"
            if sid:
                text += f" — {html.escape(withdrawal.window_status(sid, hours))}"
            self.elapsed.setText(text)


class SubstancesSection(IntakeSection):
    name = "substances"

    def __init__(self, screen) -> None:
        super().__init__(screen)
        self.substance_rows: list[SubstanceRow] = []

    def build(self) -> QWidget:
        page, inner, _ = self.page()
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(8)
        inner.addLayout(self.rows_box)
        self.add_substance_button = QPushButton("Add substance")
        self.add_substance_button.clicked.connect(lambda: self.add_substance_row(focus=True))
        self.register("substances.rows", self.add_substance_button)
        add_line = QHBoxLayout()
        add_line.addWidget(self.add_substance_button)
        add_line.addStretch(1)
        inner.addLayout(add_line)

        history = QGroupBox("History")
        form = self.form()
        self.prior_detox = spin("Prior detox episodes", rules.COUNT_MAX)
        self.prior_overdoses = spin("Prior overdoses", rules.COUNT_MAX)
        self.last_overdose = WhenEdit(kind="date", blank=NOT_RECORDED)
        #: What the draft holds while the field's text cannot be read: the last value it could.
        self._last_overdose_kept: str | None = None
        self.naloxone = QCheckBox("Naloxone at home")
        for w in (self.prior_detox, self.prior_overdoses, self.last_overdose):
            w.setMaximumWidth(220)
        self.add_row(form, "Prior detox episodes", self.prior_detox)
        self.add_row(form, "Prior overdoses", self.prior_overdoses)
        self.add_row(form, "Last overdose date", self.last_overdose)
        self.naloxone.setAccessibleName("Naloxone at home")
        self.naloxone.toggled.connect(self.changed)
        form.addRow("", self.naloxone)
        history.setLayout(form)
        inner.addWidget(history)
        inner.addStretch(1)
        return page

    def add_substance_row(self, data: Mapping[str, Any] | None = None, *, focus: bool = False) -> SubstanceRow:
        # Made in its parent, so each of its fields is styled once, as it is added to the row.
        row = SubstanceRow(len(self.substance_rows) + 1, self.rows_box.parentWidget())
        self.substance_rows.append(row)
        self.rows_box.addWidget(row)
        if data:
            row.set_value(data)
        row.changed.connect(self.changed)
        row.remove_requested.connect(self.remove_substance_row)
        for b in row.findChildren(QPushButton):
            b.setAutoDefault(False)
        row.setEnabled(not self.read_only)
        if focus:
            row.substance.setFocus()
        if not self.loading:
            self.changed()
        return row

    def remove_substance_row(self, row: SubstanceRow) -> None:
        if row not in self.substance_rows or self.read_only:
            return
        if not row.is_blank():
            answer = QMessageBox.question(self.screen, "Remove substance",
                                          f"Remove substance {row.number} and what was entered for it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.substance_rows.remove(row)
        self.rows_box.removeWidget(row)
        row.deleteLater()
        for n, r in enumerate(self.substance_rows, start=1):
            r.set_number(n)
        self.changed()

    def load(self, data: Mapping[str, Any]) -> None:
        for row in list(self.substance_rows):
            self.rows_box.removeWidget(row)
            row.deleteLater()
        self.substance_rows.clear()
        for row in data.get("rows") or []:
            if isinstance(row, Mapping):
                self.add_substance_row(row)
        if not self.substance_rows:
            self.add_substance_row()
        for box, key in ((self.prior_detox, "prior_detox_episodes"), (self.prior_overdoses, "prior_overdoses")):
            value = data.get(key)
            box.setValue(value if isinstance(value, int) else -1)
        last_od = _date_or_none(data.get("last_overdose"))
        self.last_overdose.set_date(last_od)
        self._last_overdose_kept = last_od.isoformat() if last_od else None
        self.naloxone.setChecked(data.get("naloxone_at_home") is True)

    def read(self) -> dict[str, Any]:
        if self.last_overdose.error() is None:
            last_od = self.last_overdose.date_value()
            self._last_overdose_kept = last_od.isoformat() if last_od else None
        return {"rows": [r.value() for r in self.substance_rows],
                "prior_detox_episodes": spin_value(self.prior_detox),
                "prior_overdoses": spin_value(self.prior_overdoses),
                "last_overdose": self._last_overdose_kept,
                "naloxone_at_home": self.naloxone.isChecked()}

    def kept(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """As the page keeps it: last uses to the minute, at least one (empty) row."""
        out = rules.complete_section(self.name, data)
        rows = out["rows"] or [rules.complete_row({})]
        out["rows"] = [row | {"last_use": _last_use_as_kept(row["last_use"])} for row in rows]
        return out

    def field_for(self, key: str) -> QWidget | None:
        """Substance rows by their number among the rows with a substance, as the core counts them."""
        parts = key.split(".")
        if len(parts) == 4 and parts[1] == "rows":
            chosen = [r for r in self.substance_rows if r.substance_id()]
            n = int(parts[2])
            if 1 <= n <= len(chosen):
                return chosen[n - 1].substance if parts[3] == "substance" else chosen[n - 1].last_use
            return None
        return super().field_for(key)

    def required_widget(self, key: str) -> QWidget | None:
        """At least one substance: the first row's substance (the Add button while there is no row)."""
        if key == "substances.rows":
            return self.substance_rows[0].substance if self.substance_rows else self.add_substance_button
        return super().required_widget(key)

    def tick(self) -> bool:
        """Every minute: refresh each row's time since last use; True if a time that was in the
        future is now accepted (or the other way round)."""
        flipped = False
        for row in self.substance_rows:
            was_future = row.last_use_in_future()
            row.refresh_elapsed()
            flipped = flipped or was_future != row.last_use_in_future()
        return flipped
