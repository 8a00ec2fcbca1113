"""Medication: the medicine that continues after discharge, with the naltrexone prompt; whether
medication for opioid use disorder was offered; and the discharge reconciliation, one row per
active order (continue, change or stop; dose, route, how often, what the patient leaves with,
the next dose), prefilled from the order so staff usually only confirm. Only a prescriber or a
nurse ("plans.reconcile") edits the rows; the service keeps them for anyone else."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import clock
from clinic_desktop.core import plan as plan_rules
from clinic_desktop.gui.plan.section import CHOOSE, Section, text
from clinic_desktop.gui.widgets.style import repolish
from clinic_desktop.gui.widgets.when_edit import WhenEdit
from clinic_desktop.reports import i18n

DECISION_LABELS = {"continue": "Continue", "change": "Change", "stop": "Stop"}
LEAVE_LABELS = {"supply": "A supply (number of days)", "prescription": "A prescription"}
MOUD_LABELS = {"accepted": "Offered and accepted", "declined": "Offered and declined"}


def _choices(labels: Mapping[str, str]) -> QComboBox:
    box = QComboBox()
    box.addItem(CHOOSE, None)
    for value, label in labels.items():
        box.addItem(label, value)
    return box


class ReconciliationRow(QFrame):
    """One active order's reconciliation. Inputs are named "<medicine> <field>" (a second order
    of the same medicine gets " (2)"); ``watch`` (the plan section's) registers each for go_to,
    autosave and the messages of a refused finalize under the key :data:`core.plan.ROW_KEY`
    gives. Discharge… shows the same rows (:func:`reconciliation_rows`)."""

    def __init__(self, order: plan_rules.ActiveOrder, title: str,
                 watch: Callable[[QWidget, str], None] | None = None) -> None:
        super().__init__()
        self.order = order
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(f"{title} reconciliation")
        box = QVBoxLayout(self)
        heading = Section.heading(f"{title} \u2014 ordered {order.dose} {order.route}, {order.frequency}")
        heading.setWordWrap(True)
        box.addWidget(heading)
        last = (clock.local_text(order.last_dose, "%Y-%m-%d %H:%M") if order.last_dose is not None
                else "none given here")
        self.last_dose = QLabel(f"Last dose given here (from the MAR): {last}")
        self.last_dose.setAccessibleName(f"{title} last dose here")
        box.addWidget(self.last_dose)
        self.form = QFormLayout()
        box.addLayout(self.form)
        self.decision = _choices(DECISION_LABELS)
        self.dose, self.route, self.frequency = QLineEdit(), QLineEdit(), QLineEdit()
        self.leave = _choices(LEAVE_LABELS)
        self.supply_days = QLineEdit()
        self.supply_days.setValidator(QIntValidator(1, 365, self.supply_days))
        self.pharmacy, self.pharmacy_phone = QLineEdit(), QLineEdit()
        self.next_dose = WhenEdit(f"{title} next dose", past_is_error=True,
                                  placeholder="e.g. 2026-12-05 09:00")
        self.gap_reason = QLineEdit()
        self.inputs: dict[str, QWidget] = {
            "decision": self.decision, "dose": self.dose, "route": self.route, "frequency": self.frequency,
            "leave": self.leave, "supply_days": self.supply_days, "pharmacy": self.pharmacy,
            "pharmacy_phone": self.pharmacy_phone, "next": self.next_dose, "gap_reason": self.gap_reason}
        captions = {"decision": "Decision", "dose": "Dose", "route": "Route", "frequency": "How often",
                    "leave": "Leaves with", "supply_days": "Supply (days)", "pharmacy": "Pharmacy",
                    "pharmacy_phone": "Pharmacy phone", "next": "Next dose or appointment",
                    "gap_reason": "Why a gap is safe"}
        for field, widget in self.inputs.items():
            name = f"{title} {captions[field].lower()}"
            if isinstance(widget, WhenEdit):
                widget.set_label(name)
            else:
                widget.setAccessibleName(name)
            caption = QLabel(captions[field])
            caption.setBuddy(widget.line if isinstance(widget, WhenEdit) else widget)
            self.form.addRow(caption, widget)
            if watch is not None:
                watch(widget, plan_rules.ROW_KEY.format(order.order_id, field))
        self.gap_note = Section.note("Only when the supply ends before the next dose or appointment "
                                     "(finalizing says so).")
        self.form.addRow("", self.gap_note)
        self.decision.currentIndexChanged.connect(self.update_shown)
        self.leave.currentIndexChanged.connect(self.update_shown)

    def update_shown(self, *_args: Any) -> None:
        """The details while the medicine goes on (continue or change); the supply's days or
        the prescription's pharmacy as chosen; the gap's reason for a medicine for OUD."""
        taken = self.decision.currentData() in plan_rules.TAKEN_ON
        leave = self.leave.currentData()
        shown = {"decision": True, "dose": taken, "route": taken, "frequency": taken, "leave": taken,
                 "supply_days": taken and leave == "supply", "pharmacy": taken and leave == "prescription",
                 "pharmacy_phone": taken and leave == "prescription", "next": taken,
                 "gap_reason": taken and self.order.moud}
        for field, widget in self.inputs.items():
            self.form.setRowVisible(widget, shown[field])
        self.form.setRowVisible(self.gap_note, shown["gap_reason"])

    def set_value(self, row: Mapping[str, Any]) -> None:
        self.decision.setCurrentIndex(max(0, self.decision.findData(row.get("decision"))))
        self.leave.setCurrentIndex(max(0, self.leave.findData(row.get("leave"))))
        for field in ("dose", "route", "frequency", "pharmacy", "pharmacy_phone", "gap_reason"):
            edit = self.inputs[field]
            assert isinstance(edit, QLineEdit)
            edit.setText(text(row.get(field)))
        days = row.get("supply_days")
        self.supply_days.setText("" if days in (None, "") else text(days))
        self.next_dose.set_value(row.get("next"))
        self.update_shown()

    def value(self) -> dict[str, Any]:
        days = self.supply_days.text().strip()
        return {"order_id": self.order.order_id, "name": self.order.name, "drug_id": self.order.drug_id,
                "decision": self.decision.currentData(), "dose": self.dose.text().strip(),
                "route": self.route.text().strip(), "frequency": self.frequency.text().strip(),
                "leave": self.leave.currentData(), "supply_days": int(days) if days.isdigit() else None,
                "pharmacy": self.pharmacy.text().strip(), "pharmacy_phone": self.pharmacy_phone.text().strip(),
                "next": self.next_dose.value(), "gap_reason": self.gap_reason.text().strip()}


def reconciliation_rows(orders: Sequence[plan_rules.ActiveOrder], rows: Sequence[Mapping[str, Any]], *,
                        enabled: bool = True,
                        watch: Callable[[QWidget, str], None] | None = None) -> list[ReconciliationRow]:
    """A :class:`ReconciliationRow` per order, in the orders' order, showing its row of ``rows``
    (:func:`core.plan.reconciliation_rows`); a second order of the same medicine is titled
    "<medicine> (2)"."""
    out: list[ReconciliationRow] = []
    seen: dict[str, int] = {}
    for order, data in zip(orders, rows, strict=True):
        seen[order.name] = seen.get(order.name, 0) + 1
        title = order.name if seen[order.name] == 1 else f"{order.name} ({seen[order.name]})"
        row = ReconciliationRow(order, title, watch)
        row.set_value(data)
        row.setEnabled(enabled)
        out.append(row)
    return out


class MedicationSection(Section):
    name = "medication"

    def build(self, title: str) -> QWidget:
        self._kept: dict[str, Any] = {}  # as loaded, with keys this section does not edit
        self.rows: list[ReconciliationRow] = []
        page, inner = self.page(title)
        form = self.form()
        self.medication = QComboBox()
        self.medication.addItem(CHOOSE, None)
        for m in plan_rules.MEDICATIONS:
            self.medication.addItem(i18n.text("en", f"medication.{m}"), m)
        self.add_row(form, "Medicine after discharge", self.medication, "medication.choice")
        self.naltrexone_prompt = QLabel()
        self.naltrexone_prompt.setAccessibleName("Naltrexone prompt")
        self.naltrexone_prompt.setWordWrap(True)
        self.naltrexone_prompt.setVisible(False)
        form.addRow("", self.naltrexone_prompt)
        self.prescriber = QLineEdit()
        self.add_row(form, "Prescriber or program", self.prescriber, "medication.prescriber")
        self.next_dose = WhenEdit("Next dose or appointment", past_is_error=True,
                                  placeholder="e.g. 2026-12-02 09:00, or daily at the OTP")
        self.add_row(form, "Next dose or appointment", self.next_dose, "medication.next")
        self.reason = self.text_box()
        self.add_row(form, "Reason", self.reason, "medication.reason")
        form.addRow("", self.note("Why this medicine now \u2014 required when the naltrexone "
                                  "prompt says the opioid-free window is not met."))
        self.moud = _choices(MOUD_LABELS)
        self.add_row(form, "MOUD offered", self.moud, "medication.moud")
        self.moud_reason = QLineEdit()
        self.add_row(form, "Reason declined", self.moud_reason, "medication.moud_reason")
        form.addRow("", self.note("Medication for opioid use disorder offered: accepted, or declined "
                                  "with the patient's reason in their words."))
        self.medication.currentIndexChanged.connect(self.update_prompt)
        inner.addLayout(form)
        inner.addWidget(self.heading("Medications at discharge"))
        self.rows_note = self.note("")
        inner.addWidget(self.rows_note)
        self.rows_box = QVBoxLayout()
        inner.addLayout(self.rows_box)
        inner.addStretch(1)
        return page

    def update_prompt(self, *_args: Any) -> None:
        """The naltrexone prompt, shown while naltrexone is chosen."""
        prompt = self.screen.view.naltrexone
        shown = self.medication.currentData() == "naltrexone"
        self.naltrexone_prompt.setVisible(shown)
        if shown:
            needed = prompt.status != "meets"
            self.naltrexone_prompt.setProperty("role", "warning" if needed else "")
            self.naltrexone_prompt.setText(f"{prompt.title}: {prompt.text}\nBasis: {prompt.basis}."
                                           + ("\nRecord the reason below." if needed else ""))
            repolish(self.naltrexone_prompt)

    def _build_rows(self, view) -> None:
        """A row per order active when the plan was opened, in the orders' order."""
        for row in self.rows:
            for field in row.inputs:
                self.forget_field(plan_rules.ROW_KEY.format(row.order.order_id, field))
            row.setParent(None)
            row.deleteLater()
        may = self.screen.user.can("plans.reconcile")
        self.rows = reconciliation_rows(view.orders, plan_rules.reconciliation_rows(view.draft, view.orders),
                                        enabled=may, watch=self.watch)
        for row in self.rows:
            self.rows_box.addWidget(row)
        if not view.orders:
            words = "No active medication orders: nothing to reconcile."
        elif may:
            words = ("Each active order: continue, change or stop. Dose, route and how often come "
                     "from the order \u2014 confirm or change them.")
        else:
            words = "A prescriber or nurse reconciles the active orders (continue, change or stop)."
        self.rows_note.setText(words)

    def load(self, view) -> None:
        self._kept = dict(view.draft.get("medication") or {})
        self.medication.setCurrentIndex(max(0, self.medication.findData(self._kept.get("choice"))))
        self.prescriber.setText(text(self._kept.get("prescriber")))
        self.next_dose.set_value(self._kept.get("next"))
        self.reason.setPlainText(text(self._kept.get("reason")))
        stored = self._kept.get("moud")
        moud: Mapping[str, Any] = stored if isinstance(stored, Mapping) else {}
        self.moud.setCurrentIndex(max(0, self.moud.findData(moud.get("answer"))))
        self.moud_reason.setText(text(moud.get("reason")))
        self._build_rows(view)
        self.update_prompt()

    def read(self) -> dict[str, Any]:
        out = {**self._kept, "choice": self.medication.currentData(),
               "prescriber": self.prescriber.text().strip(),
               "next": self.next_dose.value(),
               "reason": self.reason.toPlainText().strip(),
               "moud": {"answer": self.moud.currentData(), "reason": self.moud_reason.text().strip()}}
        if self.screen.user.can("plans.reconcile"):
            out["reconciliation"] = [row.value() for row in self.rows]
        return {"medication": out}
