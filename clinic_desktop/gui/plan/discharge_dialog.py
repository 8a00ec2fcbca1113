"""Discharge…, from the plan's Print and finalize section: why the patient leaves (a kind and
words), then the offer of the overdose and crisis sheet, printed or not printed with a reason
(CLINICAL.md §7: every discharge prints something)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core.services import plans
from clinic_desktop.gui.plan.section import CHOOSE
from clinic_desktop.gui.widgets.dialog_base import AsksBeforeDiscarding, error_line


class DischargeDialog(AsksBeforeDiscarding, QDialog):
    """Discharge…: why the patient leaves (one of ``plans.DISCHARGE_KINDS``) and, optionally,
    the words (required with "Other"); ``submitted`` carries (kind, words) — kind None when none
    is chosen (the service then refuses, and :meth:`show_error` says why)."""

    submitted = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        layout.addWidget(self.buttons)
        self.resize(480, self.sizeHint().height())

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

    def __init__(self, parent: QWidget | None = None) -> None:
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
