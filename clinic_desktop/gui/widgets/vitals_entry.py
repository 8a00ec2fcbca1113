"""Entry of one set of vitals: a field per vital (CLINICAL.md §3 ranges), an impossible value
refused next to its field (kept out of ``values()``), an abnormal one kept with a warning.

Temperature and weight are typed in the clinic's units (``core.units``: °F and lb, or °C and
kg); ``values()`` gives them as stored, in °C and kg, and ``set_values`` takes them so."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QWidget

from clinic_desktop.core import units, vitals
from clinic_desktop.gui.widgets.style import repolish


def number(text: str) -> float | int | str | None:
    """A vital as typed: None when empty, a number when it reads as one, else the text (refused)."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text else value


def vital_text(vid: str, value: Any, system: str = units.METRIC) -> str:
    """A stored vital as its field shows it, in the clinic's ``system`` of units."""
    return units.entry_text(vid, value, system)


def accepted_vitals(texts: Mapping[str, str], system: str = units.METRIC
                    ) -> tuple[dict[str, Any], vitals.VitalsCheck]:
    """The vitals as typed in ``system``'s units → (the values kept, as stored: °C and kg; the
    check, whose messages name the unit typed); refused ones left out."""
    stored, check = units.check({vid: number(text) for vid, text in texts.items()}, system)
    return {vid: v for vid, v in stored.items() if v is not None and vid not in check.errors}, check


#: The vitals whose unit depends on the clinic (their row's label names it).
_SAYS_UNIT = ("temperature_c", "weight_kg")


class VitalsEntry(QWidget):
    """``edits[vid]`` are the fields (accessible name = label); ``edited`` fires on every change."""

    edited = Signal()

    def __init__(self, optional: tuple[str, ...] = ("weight_kg",), parent: QWidget | None = None, *,
                 also_check: Callable[[Mapping[str, Any]], Mapping[str, str]] | None = None,
                 system: str = units.METRIC) -> None:
        """``also_check``: given the values kept, more messages to show under their fields (the
        intake's weight must also be one the medication rules accept); the values are kept.
        ``system``: the clinic's units (``core.units.clinic_system``)."""
        super().__init__(parent)
        self._also_check = also_check
        self.system = system
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.warnings: dict[str, QLabel] = {}
        for n, v in enumerate(vitals.VITALS):
            symbol = units.unit(v.id, system)
            # The temperature and weight say their unit beside their name too: °F or °C, lb or kg.
            label = QLabel(f"{v.label} ({symbol})" if v.id in _SAYS_UNIT else v.label)
            edit = QLineEdit()
            edit.setAccessibleName(v.label)
            edit.setMaximumWidth(110)
            edit.setToolTip(f"In {symbol}; accepted {units.display_range(v.id, system).range_text} {symbol}"
                            + (" (optional)" if v.id in optional else ""))
            label.setBuddy(edit)
            unit = QLabel(symbol)
            unit.setProperty("role", "muted")
            error = QLabel()
            error.setProperty("role", "error")
            error.setAccessibleName(f"{v.label} error")
            error.setWordWrap(True)
            error.setVisible(False)
            warning = QLabel()
            warning.setProperty("vital", "warning")
            warning.setAccessibleName(f"{v.label} warning")
            warning.setWordWrap(True)
            warning.setVisible(False)
            grid.addWidget(label, n, 0)
            grid.addWidget(edit, n, 1)
            grid.addWidget(unit, n, 2)
            grid.addWidget(error, n, 3)
            grid.addWidget(warning, n, 3)
            edit.textChanged.connect(self._edited)
            self.edits[v.id] = edit
            self.errors[v.id] = error
            self.warnings[v.id] = warning
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(2, 50)

    def texts(self) -> dict[str, str]:
        return {vid: e.text() for vid, e in self.edits.items()}

    def values(self) -> dict[str, Any]:
        """The values that would be kept (refused ones left out)."""
        return accepted_vitals(self.texts(), self.system)[0]

    def has_errors(self) -> bool:
        return bool(accepted_vitals(self.texts(), self.system)[1].errors)

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Show stored values (°C and kg) in the clinic's units."""
        for vid, edit in self.edits.items():
            edit.setText(vital_text(vid, values.get(vid), self.system))
        self._edited()

    def _edited(self, *_args) -> None:
        kept, check = accepted_vitals(self.texts(), self.system)
        also = self._also_check(kept) if self._also_check is not None else {}
        for vid, edit in self.edits.items():
            error = check.errors.get(vid) or also.get(vid)
            warning = None if error else check.warnings.get(vid)
            self.errors[vid].setText(error or "")
            self.errors[vid].setVisible(bool(error))
            self.warnings[vid].setText(f"\u26a0 {warning}" if warning else "")
            self.warnings[vid].setVisible(bool(warning))
            if bool(edit.property("invalid")) != bool(error):
                edit.setProperty("invalid", bool(error))
                edit.setAccessibleDescription(error or "")
                repolish(edit)
        self.edited.emit()
