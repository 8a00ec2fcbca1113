"""Admin → Audit log…: the audit trail for people (issue #18 item 6).

Filters (patient by MRN or name, staff member, kind of event, first and last day) over the
newest events first; a selected event's field changes and details below the table; the
filtered list exported to CSV or PDF; and, for the patient in the filter, the **accounting of
disclosures** (every referral letter, print and export of their record, to whom, under which
consent) as a PDF to print or save for them. Every search and accounting is audited by the
service (:mod:`clinic_desktop.core.services.audit_log`). The work runs off the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import clock
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.files import private_file
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import audit_log
from clinic_desktop.gui.operations import Operation, QueryOp, error_message
from clinic_desktop.gui.pdf_preview import render_then_preview
from clinic_desktop.gui.widgets.dialog_base import GeometryDialog
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.tables import table_header

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database

log = logging.getLogger(__name__)

TITLE = "Audit log"
#: The kind filter: its label, and the actions or families ("plan.") it keeps.
KIND_CHOICES: list[tuple[str, tuple[str, ...]]] = [
    ("All kinds", ()),
    ("Sign-ins and accounts", ("sign_in.", "sign_out", "account.", "user.", "recovery_key.")),
    ("Disclosures: letters, prints, exports", tuple(audit_log.DISCLOSURES) + ("handover.printed", "directory.exported")),
    ("Patients and episodes", ("patient.", "episode.", "patient_facts.")),
    ("Assessments and scores", ("assessment.", "observation.", "vitals.", "safety.", "checkin.")),
    ("Medications", ("order.", "medication.")),
    ("Care and support", ("care.", "complication.", "session.", "entry.")),
    ("Plans and consents", ("plan.", "consent.", "discharge.")),
    ("Records read: opened, viewed, searched", audit_log.READS),
    ("Settings, directory and database", ("settings.", "directory.", "database.", "audit.")),
]
COLUMNS = ["When", "Who", "What", "Patient", "Record"]
CSV_FILTER = "CSV (*.csv)"


def _day(text: str) -> dt.date | None:
    """A typed day (YYYY-MM-DD), None when blank; ValueError with what is wrong otherwise."""
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a day written YYYY-MM-DD (such as 2026-03-31).") from None


class AuditLogDialog(GeometryDialog):
    """See the module's docstring. ``last_result``: the entries shown; ``operation``: the work
    running (tests wait for it). Made with a view host as its parent it is the auditor's whole
    window (:class:`MainWindow` for a role that reads the trail and no patient): no Close."""

    def __init__(self, db: Database, user: SignedInUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{TITLE} \u2014 Clinic Desktop")
        self.setAccessibleName(TITLE)
        self._db, self._user = db, user
        self.last_result: audit_log.LogResult | None = None
        self.last_query: audit_log.LogQuery | None = None
        self.operation: Operation | None = None

        self.patient_edit = self._edit("Patient (MRN or name)", "MRN, or part of a name")
        self.staff_edit = self._edit("Staff member", "User name, or part of a name")
        self.kind_combo = QComboBox(self)
        self.kind_combo.setAccessibleName("Kind of event")
        for label, _actions in KIND_CHOICES:
            self.kind_combo.addItem(label)
        self.from_edit = self._edit("First day", "YYYY-MM-DD")
        self.to_edit = self._edit("Last day", "YYYY-MM-DD")
        self.search_button = QPushButton("&Search", self)
        self.search_button.setAccessibleName("Search")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)

        filters = QGridLayout()
        left, right = QFormLayout(), QFormLayout()
        left.addRow("&Patient", self.patient_edit)
        left.addRow("S&taff member", self.staff_edit)
        left.addRow("&Kind", self.kind_combo)
        right.addRow("&From", self.from_edit)
        right.addRow("T&o", self.to_edit)
        right.addRow("", self.search_button)
        filters.addLayout(left, 0, 0)
        filters.addLayout(right, 0, 1)
        filters.setColumnStretch(0, 3)
        filters.setColumnStretch(1, 2)

        self.error_label = QLabel(self)
        self.error_label.setProperty("role", "error")
        self.error_label.setAccessibleName("Error")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self.errors = FieldErrors({"patient": self.patient_edit, "date_from": self.from_edit,
                                   "date_to": self.to_edit}, general=self.error_label)

        self.count_label = QLabel("Choose filters, then Search.", self)
        self.count_label.setAccessibleName("Events found")
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setAccessibleName("Audit events")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = table_header(self.table)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._show_detail)
        self.detail = QPlainTextEdit(self)
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName("Event details")
        self.detail.setPlaceholderText("Select an event to see what changed.")
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        self.buttons = QDialogButtonBox(self)
        self.csv_button = self.buttons.addButton("Export &CSV\u2026", QDialogButtonBox.ButtonRole.ActionRole)
        self.csv_button.setAccessibleName("Export CSV")
        self.pdf_button = self.buttons.addButton("Export P&DF\u2026", QDialogButtonBox.ButtonRole.ActionRole)
        self.pdf_button.setAccessibleName("Export PDF")
        self.disclosures_button = self.buttons.addButton("&Accounting of disclosures\u2026",
                                                         QDialogButtonBox.ButtonRole.ActionRole)
        self.disclosures_button.setAccessibleName("Accounting of disclosures")
        self.disclosures_button.setToolTip("Every referral letter, print and export of the record of the patient "
                                           "whose MRN is in the Patient filter: to give them when they ask")
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setVisible(not self.is_embedded())  # the auditor's window: the log is the window
        self.buttons.rejected.connect(self.reject)
        self.csv_button.clicked.connect(self.choose_csv_file)
        self.pdf_button.clicked.connect(self.preview_pdf)
        self.disclosures_button.clicked.connect(self.preview_disclosures)
        self.patient_edit.textChanged.connect(self._update_buttons)

        row = QHBoxLayout()
        row.addWidget(self.count_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.error_label)
        layout.addLayout(row)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)
        self.resize(980, 680)
        self._update_buttons()
        self.patient_edit.setFocus()

    def _edit(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.returnPressed.connect(self.search)
        return edit

    def _update_buttons(self) -> None:
        has_rows = bool(self.last_result and self.last_result.entries)
        self.csv_button.setEnabled(has_rows)
        self.pdf_button.setEnabled(self.last_result is not None)
        self.disclosures_button.setEnabled(bool(self.patient_edit.text().strip()))

    def _show_error(self, message: str) -> None:
        self.errors.show({"": message})

    # --- searching ----------------------------------------------------------------------------
    def query(self) -> audit_log.LogQuery | None:
        """The filters as typed; None (the errors shown next to the fields) when a day is not one."""
        self.errors.clear()
        problems, days = {}, {}
        for key, edit in (("date_from", self.from_edit), ("date_to", self.to_edit)):
            try:
                days[key] = _day(edit.text())
            except ValueError as exc:
                problems[key] = str(exc)
        if problems:
            self.errors.show(problems)
            return None
        return audit_log.LogQuery(patient=self.patient_edit.text().strip(), staff=self.staff_edit.text().strip(),
                                  kinds=KIND_CHOICES[self.kind_combo.currentIndex()][1],
                                  date_from=days["date_from"], date_to=days["date_to"])

    def search(self) -> Operation | None:
        query = self.query()
        if query is None:
            return None
        db, user = self._db, self._user

        def found(result: audit_log.LogResult) -> None:
            self.operation = None
            self.last_query, self.last_result = query, result
            self._fill(result)

        def refused(exc: BaseException) -> None:
            self.operation = None
            if isinstance(exc, ValidationError) and exc.fields:
                self.errors.show(exc.fields)
            else:
                self._show_error(error_message(exc))

        self.operation = (QueryOp(parent=self, op=lambda: audit_log.search(db, user, query), success=found,
                                  what="audit log search")
                          .failure(refused).disabling(self.search_button).run_in_background())
        return self.operation

    def _fill(self, result: audit_log.LogResult) -> None:
        self.table.setRowCount(0)
        self.table.setRowCount(len(result.entries))
        for row, entry in enumerate(result.entries):
            for column, value in enumerate((f"{clock.local(entry.at):%Y-%m-%d %H:%M:%S}", entry.username,
                                            entry.kind, entry.patient, entry.entity)):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, row)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        count = len(result.entries)
        if result.truncated:
            self.count_label.setText(f"The newest {count} events; more match: narrow the filters or the days.")
        else:
            self.count_label.setText("No event matches these filters." if not count else
                                     f"{count} event{'s' if count != 1 else ''}, newest first.")
        self.detail.clear()
        if count:
            self.table.selectRow(0)
        self._update_buttons()

    def _show_detail(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.last_result is None:
            self.detail.clear()
            return
        entry = self.last_result.entries[rows[0].row()]
        lines = [f"Event {entry.seq} · {entry.action}"]
        lines += [f"{name}: {before or '(empty)'} → {after or '(empty)'}" for name, before, after in entry.changes]
        for name, value in sorted((k, v) for k, v in entry.detail.items() if k != "changes"):
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
            lines.append(f"{name}: {shown}")
        self.detail.setPlainText("\n".join(lines))

    # --- exports ------------------------------------------------------------------------------
    def choose_csv_file(self) -> None:
        suggested = f"audit-log-{clock.now():%Y-%m-%d}.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export the audit log as CSV", suggested, CSV_FILTER)
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> Operation | None:
        """Write the events shown to ``path`` (a regular file only, 0600, whole or not at all)."""
        if self.last_result is None:
            return None
        entries = self.last_result.entries

        def write() -> int:
            with private_file(path) as stream:
                stream.write(audit_log.log_csv(entries))
            return len(entries)

        def written(count: int) -> None:
            self.operation = None
            self.count_label.setText(f"Exported {count} event{'s' if count != 1 else ''} to "
                                     f"{os.path.basename(path)}.")

        def refused(exc: BaseException) -> None:
            self.operation = None
            reason = f"{exc.strerror or exc}" if isinstance(exc, OSError) else error_message(exc)
            self._show_error(f"The audit log could not be saved to {path}: {reason}.")

        self.operation = (QueryOp(parent=self, op=write, success=written, what="audit log export")
                          .failure(refused).disabling(self.csv_button).run_in_background())
        return self.operation

    def preview_pdf(self) -> None:
        if self.last_result is None or self.last_query is None:
            return
        db, user, query, result = self._db, self._user, self.last_query, self.last_result
        render_then_preview(lambda: audit_log.log_pdf(db, user, query, result), f"{TITLE} \u2014 Clinic Desktop",
                            f"audit-log-{clock.now():%Y-%m-%d}.pdf", self, disabling=[self.pdf_button])

    def preview_disclosures(self) -> None:
        """The accounting of disclosures of the patient whose MRN is in the Patient filter."""
        self.errors.clear()
        try:
            days = {key: _day(edit.text()) for key, edit in (("from", self.from_edit), ("to", self.to_edit))}
        except ValueError as exc:
            self._show_error(str(exc))
            return
        db, user, mrn = self._db, self._user, self.patient_edit.text().strip()

        def render() -> bytes:
            accounting = audit_log.disclosures(db, user, mrn, date_from=days["from"], date_to=days["to"])
            return audit_log.disclosures_pdf(db, user, accounting)

        def refused(exc: BaseException) -> bool:
            if isinstance(exc, ValidationError) and exc.fields:
                self.errors.show({"patient": exc.fields.get("patient", str(exc))})
            else:
                self._show_error(error_message(exc))
            return True  # said in the dialog, by the filter it is about

        render_then_preview(render, "Accounting of disclosures \u2014 Clinic Desktop",
                            f"disclosures-{mrn}-{clock.now():%Y-%m-%d}.pdf", self, on_error=refused,
                            disabling=[self.disclosures_button])
