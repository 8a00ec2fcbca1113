"""Discharge… (from the main window's Patient menu or the plan's Print and finalize section; the
flow is :class:`clinic_desktop.gui.discharge.DischargeFlow`): why the patient leaves (a kind and
words) and, for a prescriber or nurse, the discharge medication reconciliation (the plan's own
rows, which may be skipped); then the offer of the overdose and crisis sheet, printed or not
printed with a reason (CLINICAL.md §7: every discharge prints something)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import plan as plan_rules
from clinic_desktop.core.services import plans
from clinic_desktop.gui.plan.medication import ReconciliationRow, reconciliation_rows
from clinic_desktop.gui.plan.section import CHOOSE, Section
from clinic_desktop.gui.widgets import dialog_base
from clinic_desktop.gui.widgets.dialog_base import AsksBeforeDiscarding, error_line


class DischargeDialog(AsksBeforeDiscarding, QDialog):
    """Discharge…: why the patient leaves (one of ``plans.DISCHARGE_KINDS``) and, optionally,
    the words (required with "Other"); ``submitted`` carries (kind, words) — kind None when none
    is chosen (the service then refuses, and :meth:`show_error` says why)."""

    submitted = Signal(object, str)

    def __init__(self, parent: QWidget | None = None,
                 reconciliation: plans.DischargeReconciliation | None = None, *,
                 may_reconcile: bool = False) -> None:
        super().__init__(parent)
        #: What is reconciled here (None: nothing to show) and its rows, when the user may.
        self.reconciliation = reconciliation
        self.rows: list[ReconciliationRow] = []
        self.skip: QCheckBox | None = None
        self.setWindowTitle("Discharge the patient")
        self.text = QLabel("Discharging closes the episode; the plan then no longer changes (its "
                           "finalized versions still print). A finalized plan is not required. "
                           "Next, the overdose and crisis sheet is offered, whatever the reason.")
        self.text.setWordWrap(True)
        self.kind = QComboBox()
        self.kind.addItem(CHOOSE, None)
        for kind, label in plans.DISCHARGE_KINDS.items():
            self.kind.addItem(label, kind)
        self.kind.setAccessibleName("Why the patient leaves")
        self.field = QLineEdit()
        self.field.setAccessibleName("Discharge reason")
        self.field.setMaxLength(plans.MAX_DISCHARGE_REASON - 30)
        self.field.setPlaceholderText("Required with Other; e.g. to intensive outpatient")
        self.error = error_line()
        self.error.setAccessibleName("Discharge error")
        form = QFormLayout()
        for label, widget in (("&Why the patient leaves", self.kind), ("Discharge &reason", self.field)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            form.addRow(caption, widget)
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox()
        self.accept_button = self.buttons.addButton("Discharge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(lambda: self.submitted.emit(self.kind.currentData(), self.field.text()))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(form)
        orders = reconciliation.orders if reconciliation is not None else ()
        if orders and may_reconcile:
            assert reconciliation is not None
            layout.addWidget(self._reconciliation(reconciliation), 1)
        elif orders and reconciliation is not None and reconciliation.missing():
            self.unreconciled = Section.note(
                f"{self._orders_text(len(orders))} not reconciled (continue, change or stop). A "
                "prescriber or nurse does it here, at Discharge…; discharging now leaves the plan "
                "without it.")
            self.unreconciled.setProperty("role", "warning")
            self.unreconciled.setAccessibleName("Reconciliation not done")
            layout.addWidget(self.unreconciled)
        layout.addWidget(self.buttons)
        if self.rows:  # the rows scroll; the dialog opens no larger than the screen (less its frame)
            area = dialog_base.screen_area(self)
            self.resize(min(640, area.width()) if area is not None else 640,
                        min(640, area.height() - 60) if area is not None else 640)
        else:
            self.resize(480, self.sizeHint().height())

    @staticmethod
    def _orders_text(count: int) -> str:
        return "The active medication order is" if count == 1 else f"The {count} active medication orders are"

    def _reconciliation(self, reconciliation: plans.DischargeReconciliation) -> QWidget:
        """The reconciliation of each active order, as on the plan's medication section, and
        "Not reconciled now" for a patient who left before it could be done."""
        box = QWidget()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(Section.heading("Medications at discharge"))
        inner.addWidget(Section.note("Each active order: continue, change or stop, and what the patient "
                                     "leaves with. Dose, route and how often come from the order — "
                                     "confirm or change them. Saved into the aftercare plan."))
        self.rows = reconciliation_rows(reconciliation.orders, reconciliation.rows)
        holder = QWidget()
        rows_box = QVBoxLayout(holder)
        rows_box.setContentsMargins(0, 0, 0, 0)
        for row in self.rows:
            rows_box.addWidget(row)
        rows_box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        scroll.setAccessibleName("Medications at discharge")
        inner.addWidget(scroll, 1)
        self.skip = QCheckBox("&Not reconciled now (the patient left before it could be done)")
        self.skip.setAccessibleName("Not reconciled now")
        self.skip.toggled.connect(self._skipped)
        inner.addWidget(self.skip)
        return box

    def _skipped(self, skipped: bool) -> None:
        for row in self.rows:
            row.setEnabled(not skipped)

    def reconciling(self) -> bool:
        """Whether the reconciliation is shown and not skipped (it is then saved)."""
        return bool(self.rows) and self.skip is not None and not self.skip.isChecked()

    def reconciliation_values(self) -> list[dict[str, Any]]:
        return [row.value() for row in self.rows]

    def show_missing(self, missing: Mapping[str, str]) -> None:
        """The reconciliation is incomplete: the first thing missing, the cursor in its field."""
        key, message = next(iter(missing.items()))
        self.error.setText(f"{message} Or tick “Not reconciled now”.")
        self.error.setVisible(True)
        for row in self.rows:
            for field, widget in row.inputs.items():
                if plan_rules.ROW_KEY.format(row.order.order_id, field) == key:
                    row.update_shown()
                    widget.setFocus()
                    return

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
        target = self.kind if self.kind.currentData() is None else self.field
        target.setFocus()


class SheetOfferDialog(QDialog):
    """After discharging: print the overdose and crisis sheet (``print_requested``), or say why
    not (``not_printed`` with a code of ``plans.SHEET_NOT_PRINTED``). It does not close without
    one of the two: Escape and the close button say so instead."""

    print_requested = Signal()
    not_printed = Signal(str)

    def __init__(self, parent: QWidget | None = None, note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Overdose and crisis sheet")
        self.setAccessibleName("Overdose and crisis sheet")
        text = QLabel("The patient is discharged. Give them the one-sheet overdose and crisis "
                      "sheet, in their language: the crisis lines, what to do in an overdose, "
                      "naloxone, and who to call. It prints with or without a plan.")
        text.setWordWrap(True)
        self.print_button = QPushButton("&Print the sheet\u2026")
        self.print_button.setAccessibleName("Print the sheet")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_requested.emit)
        self.why = QComboBox()
        self.why.addItem(CHOOSE, None)
        for code, label in plans.SHEET_NOT_PRINTED.items():
            self.why.addItem(label, code)
        self.why.setAccessibleName("Why not printed")
        self.record_button = QPushButton("&Record why not")
        self.record_button.setAccessibleName("Record why not")
        self.record_button.clicked.connect(self._record)
        self.error = error_line()
        self.error.setAccessibleName("Sheet error")
        form = QFormLayout()
        caption = QLabel("Not printed &because")
        caption.setBuddy(self.why)
        form.addRow(caption, self.why)
        form.addRow("", self.record_button)
        form.addRow("", self.error)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        if note:  # e.g. the plan still lacks the reconciliation
            self.note = QLabel(note)
            self.note.setWordWrap(True)
            self.note.setProperty("role", "warning")
            self.note.setAccessibleName("Discharge note")
            layout.addWidget(self.note)
        layout.addWidget(self.print_button)
        layout.addLayout(form)
        self.resize(480, self.sizeHint().height())

    def _record(self) -> None:
        code = self.why.currentData()
        if code is None:
            self.show_error("Choose why the sheet is not printed.")
            return
        self.not_printed.emit(code)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
        self.why.setFocus()

    def reject(self) -> None:
        """Not closed without an answer: every discharge prints the sheet or says why not."""
        self.show_error("Print the sheet, or choose why it is not printed and record it.")
