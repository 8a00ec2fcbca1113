"""The medication tab of the stabilization screen: the episode's orders (prescribers write,
change and stop them) and the administration record of today's doses (nurses give, hold or
refuse each; late and missed doses stand out). Every rule is the service's
(``core.services.mar``); the dialogs show its refusals next to the field."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import clock, medications
from clinic_desktop.core.errors import ClinicError
from clinic_desktop.core.formulary import HOLD_PARAMETERS
from clinic_desktop.core.permissions import SignedInUser, who_may
from clinic_desktop.core.protocols import ProtocolSettings
from clinic_desktop.core.services import mar
from clinic_desktop.core.text import format_number
from clinic_desktop.gui.entry_dialogs import VitalsDialog
from clinic_desktop.gui.models.census_model import local_time_text
from clinic_desktop.gui.models.row_model import RowTableModel, selected_row
from clinic_desktop.gui.widgets.dialog_base import (
    AsksBeforeDiscarding,
    DialogSlot,
    GeometryDialog,
    error_line,
    save_cancel,
)
from clinic_desktop.gui.widgets.empty_note import EmptyNote
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.findings_view import FindingsView
from clinic_desktop.gui.widgets.permits import gate
from clinic_desktop.gui.widgets.required import RequiredMarks, legend, set_required
from clinic_desktop.gui.widgets.tables import table_header
from clinic_desktop.gui.widgets.when_edit import WhenEdit

log = logging.getLogger(__name__)

STATUS_LABELS = {"given": "Given", "held": "Held", "refused": "Refused", "due": "Due", "late": "LATE",
                 "missed": "MISSED", "prn": "As needed"}
#: Who may strike a dose entered in error (mar.strike_administration): whoever gives or orders.
STRIKE_WHO = who_may("medications.administer", "medications.order", doing="strike a dose entry")
LATE = QColor("#fde9da")
MISSED = QColor("#fbdcdc")


# ---- the two tables ----------------------------------------------------------------------------
class OrdersModel(RowTableModel[mar.OrderView]):
    COLUMNS = ("Medication", "Schedule", "Hold parameters", "From", "Until", "Ordered by")

    def display(self, row: mar.OrderView, column: int) -> str:
        if column == 0:
            flag = " \u26a0" if row.acknowledgements else ""  # a warning was acknowledged: see the tooltip
            return f"{row.name} {format_number(row.dose)} {row.unit} {row.route}".strip() + flag
        if column == 1:
            return row.schedule_text + (f"; max {format_number(row.max_daily_dose)} {row.unit}/24 h"
                                        if row.max_daily_dose else "")
        if column == 2:
            return row.holds_text
        if column == 3:
            return local_time_text(row.start)
        if column == 4:
            return "cancelled" if row.cancelled else local_time_text(row.stop) if row.stop else ""
        return row.ordered_by_name

    def muted(self, row: mar.OrderView, column: int) -> bool:
        return not row.active(clock.now())

    def tooltip(self, row: mar.OrderView, column: int) -> str | None:
        lines = [row.instructions] if row.instructions else []
        lines += [f"Warning acknowledged by {a.get('by_name', '?')}: {a.get('text', '')} \u2014 "
                  f"{a.get('source', '')}. Reason: {a.get('reason', '')}" for a in row.acknowledgements]
        return "\n".join(lines) or None


@dataclass(frozen=True)
class DoseLine:
    """One line of the MAR: a scheduled dose, or a PRN order (and what was recorded)."""

    order: mar.OrderView
    time: dt.datetime | None  # the scheduled time, or the entry's time for a PRN entry
    status: str  # given | held | refused | due | late | missed | prn
    entry: mar.AdministrationView | None
    next_prn_at: dt.datetime | None = None


def dose_lines(rows: list[mar.MarRow]) -> list[DoseLine]:
    lines: list[DoseLine] = []
    for row in rows:
        if row.order.is_prn:
            lines.append(DoseLine(row.order, None, "prn", None, row.next_prn_at))
            lines.extend(DoseLine(row.order, a.at, a.outcome, a) for a in row.prn_given)
        else:
            for dose in row.doses:
                lines.append(DoseLine(row.order, dose.scheduled_for, dose.status, row.record_for(dose)))
            lines.extend(DoseLine(row.order, a.at, a.outcome, a) for a in row.unscheduled)
    return lines


class DosesModel(RowTableModel[DoseLine]):
    COLUMNS = ("Time", "Medication", "Status", "Recorded", "Notes")

    def display(self, row: DoseLine, column: int) -> str:
        if column == 0:
            return local_time_text(row.time) if row.time else "As needed"
        if column == 1:
            return f"{row.order.name} {format_number(row.order.dose)} {row.order.unit}"
        if column == 2:
            if row.status == "due" and row.time is not None and row.time > clock.now() + mar.UPCOMING:
                return "Upcoming"
            return STATUS_LABELS.get(row.status, row.status)
        if column == 3:
            a = row.entry
            if a is None:
                return (f"next allowed {local_time_text(row.next_prn_at)}" if row.next_prn_at
                        else "can be given now" if row.status == "prn" else "")
            dose = f" {format_number(a.dose)} {row.order.unit}" if a.dose is not None else ""
            return f"{local_time_text(a.at)}{dose} by {a.recorded_by_name}"
        a = row.entry
        if a is None:
            return ""
        notes = [a.reason] if a.reason else []
        if a.overridden:
            notes.append(f"override by {a.override_by_name}: {a.override_note}")
        if a.struck:
            notes.append(f"struck: {a.strike_reason}")
        return "; ".join(notes)

    def struck(self, row: DoseLine) -> bool:
        return row.entry is not None and row.entry.struck

    def background(self, row: DoseLine, column: int):
        if column == 2 and row.status == "late":
            return LATE
        if column == 2 and row.status == "missed":
            return MISSED
        return None


# ---- giving, holding, refusing -----------------------------------------------------------------
class DoseDialog(AsksBeforeDiscarding, GeometryDialog):
    """Record one dose as given, held or refused; the service's check is shown before saving."""

    saved = Signal(object)

    def __init__(self, db, user: SignedInUser, line: DoseLine, outcome: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.user, self.line, self.outcome = db, user, line, outcome
        order = line.order
        self.setWindowTitle(f"{STATUS_LABELS[outcome]}: {order.name} {format_number(order.dose)} {order.unit}")
        self.at = WhenEdit("Time", kind="datetime")
        self.at.set_now()
        self.dose = QDoubleSpinBox()
        self.dose.setDecimals(3)
        self.dose.setRange(0, 10_000)
        self.dose.setValue(order.dose)
        self.dose.setSuffix(f" {order.unit}")
        self.dose.setAccessibleName("Dose given")
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.setAccessibleName("Reason")
        if outcome == "held":
            self.reason.addItems(["", *mar.HOLD_REASONS])
        elif outcome == "refused":
            self.reason.addItems(["Patient refused"])
        self.findings = FindingsView()
        self.check_text = self.findings.fired
        self.vitals_button = QPushButton("Record &vitals\u2026")
        self.vitals_button.setAutoDefault(False)
        self.vitals_button.setVisible(False)
        self.vitals_button.clicked.connect(self.record_vitals)
        self.override_box = QGroupBox("Prescriber override")
        self.override_user = QLineEdit()
        self.override_user.setAccessibleName("Prescriber user name")
        self.override_password = QLineEdit()
        self.override_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.override_password.setAccessibleName("Prescriber password")
        self.override_note = QLineEdit()
        self.override_note.setAccessibleName("Override note")
        override_form = QFormLayout(self.override_box)
        for label, widget in (("Prescriber user name", self.override_user),
                              ("Prescriber password", self.override_password), ("Override note", self.override_note)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            override_form.addRow(caption, widget)
        self.override_box.setVisible(False)
        self.general = error_line()
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        scheduled = QLabel(f"Scheduled {local_time_text(line.time)}" if line.time and line.entry is None
                           else order.schedule_text)
        scheduled.setProperty("role", "muted")
        form.addRow("Order", scheduled)
        fields: tuple[tuple[str, QWidget], ...] = (
            ("Time", self.at), ("Dose given", self.dose), ("Reason", self.reason))
        for label, field in fields:
            caption = QLabel(label)
            caption.setBuddy(field.line if isinstance(field, WhenEdit) else field)
            form.addRow(caption, field)
        self.dose.setVisible(outcome == "given")
        form.labelForField(self.dose).setVisible(outcome == "given")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.findings)
        vitals_row = QHBoxLayout()
        vitals_row.addWidget(self.vitals_button)
        vitals_row.addStretch(1)
        layout.addLayout(vitals_row)
        layout.addWidget(self.override_box)
        layout.addWidget(self.general)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors({"at": self.at, "dose": self.dose, "reason": self.reason,
                                   "scheduled_for": self.at, "override_username": self.override_user,
                                   "override_password": self.override_password,
                                   "override_note": self.override_note}, general=self.general)
        # The reason, when the service requires one (held, recorded late, or a finding asks why).
        self.required_marks = RequiredMarks({"reason": self.reason}.get)
        self.required_legend = legend()  # while the reason is marked
        layout.insertWidget(layout.indexOf(self.buttons), self.required_legend)
        self.at.edited.connect(self.run_check)
        self.dose.valueChanged.connect(self.run_check)
        self.resize(560, 420)
        self.run_check()
        (self.dose if outcome == "given" else self.reason).setFocus()

    def when(self) -> dt.datetime:
        """The time typed; ValidationError (shown under the field) when it cannot be read."""
        when = self.at.read_datetime("at", required="Enter the time the dose was given, held or refused.")
        assert when is not None  # required
        return when

    def run_check(self, *_args) -> None:
        """What the service would say about giving this dose now (nothing saved)."""
        required = set(mar.administration_required_fields(self.outcome, self.at.datetime_value()))
        self._mark_required(required)
        if self.outcome != "given":
            self.findings.show_findings((), (), checked=False)
            return
        try:
            check = mar.check_dose(self.db, self.user, self.line.order.id, self.when(), self.dose.value(),
                                   scheduled_for=self.line.time if self.line.entry is None else None)
        except ClinicError as exc:
            self.findings.show_message(str(exc))
            return
        self.findings.show_findings(check.findings, check.passed)
        self.vitals_button.setVisible(any(f.rule == "vitals.needed" for f in check.findings)
                                      and self.user.can("observations.record"))
        needs_reason = any(f.severity in ("reason", "hold") for f in check.findings)
        self._mark_required(required | ({"reason"} if needs_reason else set()))
        reason_edit = self.reason.lineEdit()  # there is one: the combo is editable
        if reason_edit is not None:
            reason_edit.setPlaceholderText("Why it is given anyway" if needs_reason else "")
        self.override_box.setVisible(bool(check.refusals) and check.can_override)

    def _mark_required(self, keys: set[str]) -> None:
        self.required_marks.update(keys)
        self.required_legend.setVisible(bool(keys))

    def record_vitals(self) -> None:
        """Record a set of vitals in place, then check the dose again with it."""
        dialog = VitalsDialog(self.db, self.user, self.line.order.episode_id, self)
        if dialog.exec():
            self.run_check()
            self.dose.setFocus()

    def save(self) -> None:
        override = None
        if self.override_box.isVisible() and self.override_user.text().strip():
            override = mar.Override(self.override_user.text().strip(), self.override_password.text(),
                                    self.override_note.text())
        ok, result = self.errors.attempt(lambda: mar.record_administration(
            self.db, self.user, self.line.order.id, self.outcome, at=self.when(),
            dose=self.dose.value() if self.outcome == "given" else None, reason=self.reason.currentText(),
            scheduled_for=self.line.time if self.line.entry is None and self.line.status != "prn" else None,
            override=override))
        if ok:
            log.info("dose %s recorded for order %s", self.outcome, self.line.order.id)
            self.saved.emit(result)
            self.accept()


# ---- writing an order --------------------------------------------------------------------------
class OrderDialog(AsksBeforeDiscarding, GeometryDialog):
    """New order, or a change to one (prescriber). Hold parameters are prefilled from the
    clinic's protocol settings for lofexidine and clonidine, and editable."""

    saved = Signal(object)

    def __init__(self, db, user: SignedInUser, episode_id: int, settings: ProtocolSettings,
                 parent: QWidget | None = None, *, order: mar.OrderView | None = None) -> None:
        super().__init__(parent)
        self.db, self.user, self.episode_id, self.settings, self.order = db, user, episode_id, settings, order
        self.setWindowTitle("Change order" if order else "New order")
        self.drug = QComboBox()
        self.drug.setAccessibleName("Medication")
        for did, drug in medications.DRUGS.items():
            self.drug.addItem(drug.label, did)
        self.drug.addItem("Other (type the name)", medications.OTHER_DRUG_ID)
        self.drug_name = QLineEdit()
        self.drug_name.setAccessibleName("Medication name")
        self.dose = QDoubleSpinBox()
        self.dose.setDecimals(3)
        self.dose.setRange(0, 10_000)
        self.dose.setAccessibleName("Dose")
        self.unit = QLineEdit("mg")
        self.unit.setAccessibleName("Unit")
        self.route = QComboBox()
        self.route.setEditable(True)
        self.route.setAccessibleName("Route")
        self.scheduled = QRadioButton("At set times")
        self.prn = QRadioButton("As needed (PRN)")
        kind = QButtonGroup(self)
        kind.addButton(self.scheduled)
        kind.addButton(self.prn)
        self.scheduled.setChecked(True)
        for radio in (self.scheduled, self.prn):
            radio.setAccessibleName(radio.text())
        self.times = QLineEdit()
        self.times.setAccessibleName("Times")
        self.times.setPlaceholderText("08:00, 13:00, 18:00, 23:00")
        self.interval = QDoubleSpinBox()
        self.interval.setRange(0, 72)
        self.interval.setSuffix(" h")
        self.interval.setAccessibleName("Minimum interval")
        self.max_daily = QDoubleSpinBox()
        self.max_daily.setDecimals(3)
        self.max_daily.setRange(0, 100_000)
        self.max_daily.setSpecialValueText("no maximum")
        self.max_daily.setAccessibleName("Maximum in 24 h")
        self.holds: dict[str, QSpinBox] = {}
        for key, label in ((h.field, h.label) for h in HOLD_PARAMETERS):
            spin = QSpinBox()
            spin.setRange(0, 250)
            spin.setSpecialValueText("no hold")
            spin.setAccessibleName(label)
            self.holds[key] = spin
        self.start = WhenEdit("Start", kind="datetime")
        self.start.set_now()
        self.stop = WhenEdit("Stop", kind="datetime", blank="until stopped")
        self.instructions = QLineEdit()
        self.instructions.setAccessibleName("Instructions")
        self.findings = FindingsView()
        self.acknowledgement = QLineEdit()
        self.acknowledgement.setAccessibleName("Reason for the warnings")
        self.acknowledgement.setPlaceholderText("Why this order is written despite the warnings above")
        self.general = error_line()
        self.buttons = save_cancel(self, "Save order")

        form = QFormLayout()
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.scheduled)
        kind_row.addWidget(self.prn)
        kind_row.addStretch(1)
        rows: tuple[tuple[str, QWidget | QLayout], ...] = (
                ("Medication", self.drug), ("Medication name", self.drug_name), ("Dose", self.dose),
                ("Unit", self.unit), ("Route", self.route), ("Schedule", kind_row), ("Times", self.times),
                ("Minimum interval", self.interval), ("Maximum in 24 h", self.max_daily),
                *((spin.accessibleName(), spin) for spin in self.holds.values()), ("Start", self.start), ("Stop", self.stop),
                ("Instructions", self.instructions))
        for label, widget in rows:
            if isinstance(widget, QLayout):  # the schedule's kind, without a buddy
                form.addRow(label, widget)
                continue
            caption = QLabel(label)
            caption.setBuddy(widget.line if isinstance(widget, WhenEdit) else widget)
            form.addRow(caption, widget)
        self.form = form
        ack_form = QFormLayout()
        ack_caption = QLabel("Reason for the warnings")
        ack_caption.setBuddy(self.acknowledgement)
        ack_form.addRow(ack_caption, self.acknowledgement)
        self.ack_caption = ack_caption
        layout = QVBoxLayout(self)
        layout.addWidget(self.general)
        layout.addLayout(form)
        layout.addWidget(self.findings)
        layout.addLayout(ack_form)
        layout.addWidget(legend())
        layout.addWidget(self.buttons)
        self.errors = FieldErrors({"drug_id": self.drug, "drug_name": self.drug_name, "dose": self.dose,
                                   "unit": self.unit, "route": self.route, "times": self.times,
                                   "min_interval_hours": self.interval, "max_daily_dose": self.max_daily,
                                   "start": self.start, "stop": self.stop, "instructions": self.instructions,
                                   "acknowledgement": self.acknowledgement, **self.holds}, general=self.general)
        # The fields the service requires of this order (mar.order_required_fields), marked as
        # they stand: the name of an Other drug, the times or the interval of the schedule.
        self.required_marks = RequiredMarks({
            "drug_id": self.drug, "drug_name": self.drug_name, "dose": self.dose, "unit": self.unit,
            "route": self.route, "times": self.times, "min_interval_hours": self.interval}.get)
        set_required(self.acknowledgement, caption=ack_caption)  # shown only when a warning needs it
        self.drug.currentIndexChanged.connect(self._drug_chosen)
        self.scheduled.toggled.connect(self._kind_changed)
        self._drug_chosen()
        if order is not None:
            self._show(order)
        self._kind_changed()
        for signal in (self.drug.currentIndexChanged, self.dose.valueChanged, self.scheduled.toggled,
                       self.interval.valueChanged, self.max_daily.valueChanged, self.start.edited,
                       self.stop.edited, self.unit.editingFinished, self.times.editingFinished,
                       self.drug_name.editingFinished):
            signal.connect(self.run_check)
        self.run_check()
        self.resize(600, 700)
        self.drug.setFocus()

    def _drug_chosen(self, *_args) -> None:
        did = self.drug.currentData()
        drug = medications.DRUGS.get(did)
        other = did == medications.OTHER_DRUG_ID
        self.drug_name.setVisible(other)
        self.form.labelForField(self.drug_name).setVisible(other)
        self.route.clear()
        self.route.addItems(list(drug.routes) if drug else ["oral"])
        holds = medications.default_holds(did, self.settings)
        for key, spin in self.holds.items():
            spin.setValue(holds.get(key) or 0)
        self._mark_required()

    def _kind_changed(self, *_args) -> None:
        prn = self.prn.isChecked()
        for widget, shown in ((self.times, not prn), (self.interval, prn)):
            widget.setVisible(shown)
            self.form.labelForField(widget).setVisible(shown)
        self._mark_required()

    def _mark_required(self) -> None:
        prn = self.prn.isChecked()
        self.required_marks.update(mar.order_required_fields(mar.OrderInput(
            drug_id=self.drug.currentData() or "", min_interval_hours=self.interval.value() if prn else None)))

    def _show(self, order: mar.OrderView) -> None:
        self.drug.setCurrentIndex(max(self.drug.findData(order.drug_id), 0))
        self.drug.setEnabled(False)  # a different drug is a new order
        self.drug_name.setText(order.drug_name)
        self.dose.setValue(order.dose)
        self.unit.setText(order.unit)
        self.route.setCurrentText(order.route)
        (self.prn if order.is_prn else self.scheduled).setChecked(True)
        self.times.setText(", ".join(order.times))
        self.interval.setValue(order.min_interval_hours or 0)
        self.max_daily.setValue(order.max_daily_dose or 0)
        for key, spin in self.holds.items():
            spin.setValue(order.holds.get(key) or 0)
        self.start.set_datetime(order.start)
        self.stop.set_datetime(order.stop)
        self.instructions.setText(order.instructions)

    def run_check(self, *_args) -> None:
        """What the service would say about this order (nothing saved): each rule that fired
        with its source; the reason field shows when a warning needs one."""
        try:
            findings = mar.check_new_order(self.db, self.user, self.episode_id, self.spec(),
                                           order_id=self.order.id if self.order else None)
        except ClinicError:
            self.findings.show_message("The checks show here once the order is complete.")
            findings = []
        else:
            self.findings.show_findings(findings, (), clear_text="No limit, duplicate, interaction or "
                                        "allergy warning for this order.")
        acknowledged = {(a.get("rule"), a.get("text")) for a in (self.order.acknowledgements if self.order else ())}
        needs = any(f.severity == "reason" and (f.rule, f.text) not in acknowledged for f in findings)
        self.acknowledgement.setVisible(needs)
        self.ack_caption.setVisible(needs)

    def spec(self) -> mar.OrderInput:
        """The order as entered; ValidationError (shown under the field) for a start or stop
        that cannot be read."""
        prn = self.prn.isChecked()
        start = self.start.read_datetime("start", required="Enter when the order starts.")
        assert start is not None  # required
        stop = self.stop_time()
        return mar.OrderInput(
            drug_id=self.drug.currentData(), drug_name=self.drug_name.text().strip(), dose=self.dose.value(),
            unit=self.unit.text().strip(), route=self.route.currentText().strip(),
            times=() if prn else tuple(t.strip() for t in self.times.text().replace(";", ",").split(",") if t.strip()),
            min_interval_hours=self.interval.value() if prn else None,
            max_daily_dose=self.max_daily.value() or None,
            **{key: spin.value() or None for key, spin in self.holds.items()},
            start=start, stop=stop,
            instructions=self.instructions.text().strip(), acknowledgement=self.acknowledgement.text().strip())

    def stop_time(self) -> dt.datetime | None:
        """None while blank ("until stopped"); ValidationError when it cannot be read."""
        return self.stop.read_datetime("stop")

    def save(self) -> None:
        order = self.order
        if order is None:
            ok, result = self.errors.attempt(lambda: mar.create_order(self.db, self.user, self.episode_id,
                                                                      self.spec()))
        else:
            ok, result = self.errors.attempt(lambda: mar.change_order(
                self.db, self.user, order.id, order.version, self.spec()))
        if ok:
            self.saved.emit(result)
            self.accept()


# ---- the tab -----------------------------------------------------------------------------------
NO_DOSES_WITHOUT_ORDERS = "No doses today — the doses due are listed here once an order is written."
NO_DOSES_TODAY = "No doses due today under these orders."


class MarPanel(QWidget):
    """Orders above, today's doses below; ``changed`` after anything is recorded."""

    changed = Signal()

    def __init__(self, db, user: SignedInUser, episode_id: int, settings: ProtocolSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.user, self.episode_id, self.settings = db, user, episode_id, settings
        self._read_once = False  # the first read is the MAR's opening (audited), the others refreshes
        self._dialogs = DialogSlot(on_saved=self._recorded)
        self.orders_model = OrdersModel(self)
        self.doses_model = DosesModel(self)
        self.orders_table = self._table("Orders", self.orders_model, stretch=None)
        self.doses_table = self._table("Doses today", self.doses_model, stretch=4)
        prescriber = user.can("medications.order")
        nurse = user.can("medications.administer")
        self.new_order_button = QPushButton("New order\u2026")
        self.change_order_button = QPushButton("Change order\u2026")
        self.stop_order_button = QPushButton("Stop order")
        self.give_button = QPushButton("Give\u2026")
        self.hold_button = QPushButton("Hold\u2026")
        self.refuse_button = QPushButton("Refused\u2026")
        self.strike_button = QPushButton("Strike entry\u2026")
        # Greyed out for the roles that may not, their tooltip saying who may (an administrator's
        # Medications tab shows every button, none usable): orders are the prescriber's, doses the
        # nurse's; a struck entry either's (as mar.strike_administration allows).
        for b in (self.new_order_button, self.change_order_button, self.stop_order_button):
            gate(b, user, "medications.order")
        for b in (self.give_button, self.hold_button, self.refuse_button):
            gate(b, user, "medications.administer")
        gate(self.strike_button, user, "medications.order" if prescriber else "medications.administer")
        if not (nurse or prescriber):
            self.strike_button.setToolTip(STRIKE_WHO)
        self.new_order_button.clicked.connect(self.new_order)
        self.change_order_button.clicked.connect(self.change_order)
        self.stop_order_button.clicked.connect(self.stop_order)
        self.give_button.clicked.connect(lambda: self.record("given"))
        self.hold_button.clicked.connect(lambda: self.record("held"))
        self.refuse_button.clicked.connect(lambda: self.record("refused"))
        self.strike_button.clicked.connect(self.strike_entry)
        self.doses_table.doubleClicked.connect(lambda _i: self.record("given"))
        for b in self.findChildren(QPushButton):
            b.setAutoDefault(False)

        order_buttons = QHBoxLayout()
        order_label = QLabel("Orders")
        order_label.setProperty("role", "heading")
        order_buttons.addWidget(order_label)
        order_buttons.addStretch(1)
        for b in (self.new_order_button, self.change_order_button, self.stop_order_button):
            order_buttons.addWidget(b)
        dose_buttons = QHBoxLayout()
        dose_label = QLabel("Doses today")
        dose_label.setProperty("role", "heading")
        dose_buttons.addWidget(dose_label)
        dose_buttons.addStretch(1)
        for b in (self.give_button, self.hold_button, self.refuse_button, self.strike_button):
            dose_buttons.addWidget(b)
        self.orders_empty = EmptyNote(self.orders_model, (
            "No orders yet — add one with New order…" if prescriber
            else "No orders yet — a prescriber adds one with New order…"), "Orders empty", self)
        self.doses_empty = EmptyNote(self.doses_model, NO_DOSES_WITHOUT_ORDERS, "Doses today empty", self)
        layout = QVBoxLayout(self)
        layout.addLayout(order_buttons)
        layout.addWidget(self.orders_empty)
        layout.addWidget(self.orders_table, 2)
        layout.addLayout(dose_buttons)
        layout.addWidget(self.doses_empty)
        layout.addWidget(self.doses_table, 3)

    def _table(self, name: str, model, stretch: int | None) -> QTableView:
        """A read-only table of rows; every column as wide as its text, ``stretch`` taking the
        room left (None: the last column takes it, and a narrow screen scrolls sideways rather
        than cut a drug's name or its hold parameters)."""
        table = QTableView()
        table.setAccessibleName(name)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        header = table_header(table)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if stretch is None:
            header.setStretchLastSection(True)
        else:
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        return table

    # ---- reading -----------------------------------------------------------------------------
    def refresh(self, now: dt.datetime | None = None) -> None:
        now = now or clock.now()
        local = clock.local(now)
        day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            orders = mar.orders(self.db, self.user, self.episode_id)
            rows = mar.mar(self.db, self.user, self.episode_id, day_start, day_start + dt.timedelta(days=1), now,
                           opening=not self._read_once)
        except ClinicError as exc:
            log.warning("MAR of episode %s not read: %s", self.episode_id, type(exc).__name__)
            return
        self._read_once = True
        self.orders_model.set_rows(orders)
        self.doses_empty.setText(NO_DOSES_TODAY if orders else NO_DOSES_WITHOUT_ORDERS)
        self.doses_model.set_rows(dose_lines(rows))

    # ---- acting ------------------------------------------------------------------------------
    def _open(self, dialog) -> None:
        self._dialogs.open(dialog)

    def _recorded(self) -> None:
        self.refresh()
        self.changed.emit()

    def selected_order(self) -> mar.OrderView | None:
        return selected_row(self.orders_table)

    def selected_line(self) -> DoseLine | None:
        return selected_row(self.doses_table)

    def new_order(self) -> None:
        if self.user.can("medications.order"):
            self._open(OrderDialog(self.db, self.user, self.episode_id, self.settings, self))

    def change_order(self) -> None:
        order = self.selected_order()
        if order is not None and self.user.can("medications.order"):
            self._open(OrderDialog(self.db, self.user, self.episode_id, self.settings, self, order=order))

    def stop_order(self) -> None:
        order = self.selected_order()
        if order is None or not self.user.can("medications.order"):
            return
        try:
            mar.stop_order(self.db, self.user, order.id, order.version)
        except ClinicError as exc:
            QMessageBox.warning(self, "Order not stopped", str(exc))
        self._recorded()

    def record(self, outcome: str) -> None:
        line = self.selected_line()
        if line is None or not self.user.can("medications.administer"):
            return
        if line.entry is not None and line.status != "prn":
            QMessageBox.information(self, "Already recorded",
                                    "This dose is already recorded; strike the entry to correct it.")
            return
        self._open(DoseDialog(self.db, self.user, line, outcome, self))

    def strike_entry(self) -> None:
        line = self.selected_line()
        if line is None or line.entry is None or line.entry.struck:
            return
        from PySide6.QtWidgets import QInputDialog

        reason, ok = QInputDialog.getText(self, "Strike entry", "Why is this entry wrong?")
        if not ok:
            return
        try:
            mar.strike_administration(self.db, self.user, line.entry.id, reason)
        except ClinicError as exc:
            QMessageBox.warning(self, "Not struck", str(exc))
        self._recorded()
