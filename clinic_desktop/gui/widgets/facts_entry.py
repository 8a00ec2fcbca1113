"""Entry of the patient facts the medication rules read (``core.facts``): weight (kg or lb, when
asked for; the clinic's unit first, see ``core.units``), hepatic impairment, renal function and eGFR, the latest QTc and its date. Used by the
intake's medical section (where the weight is the vitals') and by the patient facts dialog.

    entry = FactsEntry(weight=True, general=error_label)
    entry.set_values(view.values())       # stored values in
    entry.values()                        # what is typed, for the service (weight in kg)
    FactsEntry(weight=True, system=units.US)  # the weight typed in lb unless kg is chosen
    entry.accepted()                      # what an intake draft keeps (refused values left out)
    entry.errors.attempt(lambda: ...)     # a service's refusal next to its field

Each input's accessible name is its label. A value the core refuses shows its message under the
field as it is typed (``FieldErrors`` conventions); nothing typed is ever replaced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from clinic_desktop.core import clock, facts, units
from clinic_desktop.core.vitals import format_vital
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.when_edit import WhenEdit

NOT_RECORDED = "Not recorded"
UNITS = ("kg", "lb")


def fact_text(value: Any) -> str:
    """A stored fact as its field shows it (a choice's key as it is)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_vital(value)
    return str(value)


def _number(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


class FactsEntry(QWidget):
    """The facts' inputs in a form; ``edited`` fires on every change."""

    edited = Signal()

    def __init__(self, *, weight: bool = True, pregnancy: bool = False, general: QLabel | None = None,
                 parent: QWidget | None = None, system: str = units.METRIC) -> None:
        """``system``: the clinic's units (``core.units.clinic_system``); its weight unit is the
        one chosen when stored values are shown."""
        super().__init__(parent)
        self._clinic_unit = units.unit("weight_kg", system)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)  # messages wrap wide
        form.setVerticalSpacing(8)
        self.inputs: dict[str, QWidget] = {}
        self.weight: QLineEdit | None = None
        self.weight_unit: QComboBox | None = None
        self.weight_in_kg: QLabel | None = None
        if weight:
            self.weight = self._line("weight_kg", 90)
            self.weight_unit = QComboBox()
            self.weight_unit.addItems(UNITS)
            self.weight_unit.setCurrentText(self._clinic_unit)
            self.weight_unit.setAccessibleName("Weight unit")
            self.weight_unit.currentTextChanged.connect(self._unit_changed)
            self.weight_in_kg = QLabel()
            self.weight_in_kg.setProperty("role", "muted")
            self.weight_in_kg.setAccessibleName("Weight in kg")
            self._row(form, "weight_kg", self.weight, self.weight_unit, self.weight_in_kg)
        self.hepatic = self._choices("hepatic", facts.HEPATIC_LABELS)
        self._row(form, "hepatic", self.hepatic)
        self.renal = self._choices("renal", facts.RENAL_LABELS)
        self._row(form, "renal", self.renal)
        self.egfr = self._line("egfr", 90)
        self.egfr.setToolTip(f"Optional; accepted {facts.EGFR.range_text}")
        self._row(form, "egfr", self.egfr, self._unit(facts.EGFR.unit))
        self.qtc = self._line("qtc_ms", 90)
        self.qtc.setToolTip(f"Accepted {facts.QTC_MS.range_text}; give its date too")
        self._row(form, "qtc_ms", self.qtc, self._unit(facts.QTC_MS.unit))
        self.qtc_on = WhenEdit(kind="date")
        self.qtc_on.setMaximumWidth(220)
        self.qtc_on.line.setToolTip("The date of the ECG; not in the future")
        self.qtc_on.edited.connect(self._edited)
        self.inputs["qtc_on"] = self.qtc_on
        self._row(form, "qtc_on", self.qtc_on)
        # The intake asks pregnancy in its own field; the facts dialog corrects it later.
        self.pregnancy: QComboBox | None = None
        if pregnancy:
            self.pregnancy = self._choices("pregnancy", facts.PREGNANCY_LABELS)
            self._row(form, "pregnancy", self.pregnancy)
        self.errors = FieldErrors(self.inputs, general=general, clear_on_edit=False)

    # ---- building ----------------------------------------------------------------------------
    def _line(self, key: str, width: int) -> QLineEdit:
        edit = QLineEdit()
        edit.setMaximumWidth(width)
        edit.textChanged.connect(self._edited)
        self.inputs[key] = edit
        return edit

    def _choices(self, key: str, labels: Mapping[str, str]) -> QComboBox:
        combo = QComboBox()
        # As wide as the form allows, never wider than the page: no sideways scrolling.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(18)
        combo.setMaximumWidth(460)
        combo.addItem(NOT_RECORDED, None)
        for value, label in labels.items():
            combo.addItem(label, value)
        combo.currentIndexChanged.connect(self._edited)
        self.inputs[key] = combo
        return combo

    @staticmethod
    def _unit(text: str) -> QLabel:
        label = QLabel(text)
        label.setProperty("role", "muted")
        return label

    @staticmethod
    def _row(form: QFormLayout, key: str, widget: QWidget, *beside: QWidget) -> None:
        label = facts.LABELS[key]
        if isinstance(widget, WhenEdit):
            widget.set_label(label)  # on its line edit
        else:
            widget.setAccessibleName(label)
        caption = QLabel(label)
        caption.setBuddy(widget.line if isinstance(widget, WhenEdit) else widget)
        if not beside:
            form.addRow(caption, widget)
            return
        line = QHBoxLayout()
        line.setSpacing(6)
        line.addWidget(widget)
        for other in beside:
            line.addWidget(other)
        line.addStretch(1)
        form.addRow(caption, line)

    # ---- values ------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """What is typed, keyed by ``core.facts.FIELDS`` (text as typed; a weight in lb given in kg)."""
        out: dict[str, Any] = {}
        if self.weight is not None:
            out["weight_kg"] = self._weight_value()
        out |= {"hepatic": self.hepatic.currentData(), "renal": self.renal.currentData(),
                "egfr": self.egfr.text(), "qtc_ms": self.qtc.text(), "qtc_on": self._qtc_on_value()}
        if self.pregnancy is not None:
            out["pregnancy"] = self.pregnancy.currentData()
        return out

    def _qtc_on_value(self) -> str:
        """The QTc date as the core reads it (ISO), whichever way it was typed; text the field
        cannot read goes as typed, for the core to refuse."""
        day = self.qtc_on.date_value()
        return day.isoformat() if day is not None else self.qtc_on.text()

    def _weight_value(self) -> Any:
        assert self.weight is not None and self.weight_unit is not None
        text = self.weight.text()
        number = _number(text)
        if self.weight_unit.currentText() == "lb" and number is not None:
            return units.to_canonical("weight_kg", number, units.US)
        return text

    def accepted(self) -> dict[str, Any]:
        """What an intake draft keeps (a refused value left out; see ``core.facts.accepted``)."""
        return facts.accepted(self.values(), self._today())[0]

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Show stored values (a weight in kg) in the clinic's unit."""
        if self.weight is not None and self.weight_unit is not None:
            self.weight_unit.blockSignals(True)
            self.weight_unit.setCurrentText(self._clinic_unit)
            self.weight_unit.blockSignals(False)
            kg = values.get("weight_kg")
            in_lb = self._clinic_unit == "lb" and isinstance(kg, (int, float)) and not isinstance(kg, bool)
            self.weight.setText(units.entry_text("weight_kg", kg, units.US) if in_lb else fact_text(kg))
        for combo, key in ((self.hepatic, "hepatic"), (self.renal, "renal"), (self.pregnancy, "pregnancy")):
            if combo is not None:
                combo.setCurrentIndex(max(combo.findData(values.get(key)), 0))
        self.egfr.setText(fact_text(values.get("egfr")))
        self.qtc.setText(fact_text(values.get("qtc_ms")))
        self.qtc_on.line.setText(fact_text(values.get("qtc_on")))
        self._edited()

    def set_read_only(self, read_only: bool) -> None:
        for widget in self.inputs.values():
            if isinstance(widget, QLineEdit):
                widget.setReadOnly(read_only)
            else:
                widget.setEnabled(not read_only)
        if self.weight_unit is not None:
            self.weight_unit.setEnabled(not read_only)

    # ---- live checking -------------------------------------------------------------------------
    @staticmethod
    def _today() -> dt.date:
        return clock.local(clock.now()).date()

    def _unit_changed(self, unit: str) -> None:
        """The number typed stays the same weight in the other unit."""
        assert self.weight is not None
        number = _number(self.weight.text())
        if number is not None:
            if unit == "kg":
                self.weight.setText(format_vital(units.to_canonical("weight_kg", number, units.US)))
            else:
                self.weight.setText(units.entry_text("weight_kg", number, units.US))
        self._edited()

    def _edited(self, *_args) -> None:
        errors = facts.check(self.values(), self._today())
        typed_lb = (_number(self.weight.text()) if self.weight is not None and self.weight_unit is not None
                    and self.weight_unit.currentText() == "lb" else None)
        if "weight_kg" in errors and typed_lb is not None:  # checked on the kg, said in the lb typed
            errors["weight_kg"] = units.weight_fact_error(typed_lb, units.US) or errors["weight_kg"]
        # The date field says itself why typed text cannot be read (once it is left); the core's
        # other refusals (in the future, missing for a QTc) go under it too.
        self.qtc_on.refuse(None if self.qtc_on.error() else errors.get("qtc_on"))
        for key in self.inputs:
            if key == "qtc_on":
                continue
            if key in errors:
                if self.errors.message(key) != errors[key]:
                    self.errors.set_error(key, errors[key])
            elif self.errors.message(key) is not None:
                self.errors.clear(key)
        if self.weight_in_kg is not None and self.weight_unit is not None:
            kg = self._weight_value()
            shown = self.weight_unit.currentText() == "lb" and isinstance(kg, float)
            self.weight_in_kg.setText(f"= {format_vital(kg)} kg" if shown else "")
        self.edited.emit()
