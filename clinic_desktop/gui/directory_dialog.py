"""The referral directory: find a contact to refer a patient to; an administrator also keeps it.

Built in code. ``DirectoryDialog`` is the list (search as you type, filters, the national
helplines first, stale contacts highlighted) with, for administrators, Add…, Edit…, Mark
verified, Deactivate / Reactivate and Import CSV…; everyone may Export CSV…. ``EntryDialog``
is the Add/Edit form; ``ImportReportDialog`` shows a checked CSV file row by row before anything
is imported. Everything goes through ``clinic_desktop.core.services.directory``, which checks
the role and audits each change.

Checking, importing and exporting a file run off the GUI thread (``gui.operations``), with a
progress dialog; the window keeps answering. The file dialogs are the only parts a test cannot
drive, so each is a thin wrapper: ``choose_import_file`` → ``import_file(path)`` and
``choose_export_file`` → ``export_file(path)``.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core.errors import ClinicError
from clinic_desktop.core.files import private_file
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import directory
from clinic_desktop.core.services.directory import (
    KINDS,
    LANGUAGES,
    DirectoryEntryView,
    EntryInput,
    ImportReport,
    ImportResult,
)
from clinic_desktop.gui.models.directory_model import DirectoryModel, ImportReportModel
from clinic_desktop.gui.models.row_model import selected_row
from clinic_desktop.gui.operations import Operation, Progress, QueryOp, error_message
from clinic_desktop.gui.widgets.dialog_base import (
    AsksBeforeDiscarding,
    ContentScroll,
    DialogSlot,
    GeometryDialog,
    error_line,
)
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.tables import table_header
from clinic_desktop.gui.widgets.when_edit import WhenEdit

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database

log = logging.getLogger(__name__)

ALL_KINDS = "All kinds"
ALL_LANGUAGES = "All languages"
CHOOSE = "Choose…"
NOT_VERIFIED = "not verified"
SEARCH_DELAY_MS = 150
CSV_FILTER = "CSV files (*.csv);;All files (*)"


def _hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _table(name: str) -> QTableView:
    table = QTableView()
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(30)
    header = table_header(table)
    header.setMinimumSectionSize(60)
    header.setHighlightSections(False)
    return table


# --- the Add / Edit form ------------------------------------------------------------------------

class EntryDialog(AsksBeforeDiscarding, GeometryDialog):
    """Add a contact, or correct one (``entry``). Accepted once the service saved it; ``saved``
    carries the saved ``DirectoryEntryView``. Refusals are shown inside: a field's next to it,
    a conflict (someone saved the entry meanwhile) in the error line at the top."""

    saved = Signal(object)
    GROW_TO_FIT = True

    def __init__(self, db: Database, user: SignedInUser, entry: DirectoryEntryView | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db, self._user, self.entry = db, user, entry
        title = f"Edit {entry.name}" if entry else "Add a directory entry"
        self.setWindowTitle(f"{title} — Clinic Desktop")
        self.setAccessibleName("Edit directory entry" if entry else "Add directory entry")

        self.general = error_line()
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(directory.LIMITS["name"])
        self.kind_combo = QComboBox()
        for kind, label in KINDS.items():
            self.kind_combo.addItem(label, kind)
        self.kind_combo.setPlaceholderText(CHOOSE)
        self.kind_combo.setCurrentIndex(-1)
        self.phone_edit = QLineEdit()
        self.phone_edit.setPlaceholderText("(503) 555-0142")
        self.other_edit = QLineEdit()
        self.other_edit.setPlaceholderText("Text line, TTY, web site, e-mail")
        self.address_edit = QPlainTextEdit()
        self.address_edit.setTabChangesFocus(True)
        self.address_edit.setFixedHeight(64)
        self.hours_edit = QLineEdit()
        self.hours_edit.setPlaceholderText("Mon–Fri 8:00–17:00")
        self.languages_edit = QLineEdit()
        self.languages_edit.setPlaceholderText("en, es (codes or names, separated by commas)")
        self.walk_in_check = QCheckBox("Takes walk-ins, no appointment needed")
        self.payment_edit = QLineEdit()
        self.payment_edit.setPlaceholderText("Medicaid, sliding scale, free…")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(84)
        self.verified_edit = WhenEdit(kind="date", blank=NOT_VERIFIED)
        today_button = QPushButton("Today")
        today_button.setAutoDefault(False)
        today_button.setAccessibleName("Verified today")
        today_button.setToolTip("I checked these details today")
        today_button.clicked.connect(
            lambda: self.verified_edit.set_date(directory.clinic_today()))
        verified_row = QHBoxLayout()
        verified_row.addWidget(self.verified_edit)
        verified_row.addWidget(today_button)
        verified_row.addStretch(1)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(8)
        rows = (("&Name", self.name_edit), ("&Kind", self.kind_combo), ("&Phone", self.phone_edit),
                ("&Other contact", self.other_edit), ("&Address", self.address_edit),
                ("&Hours", self.hours_edit), ("&Languages", self.languages_edit),
                ("&Walk-in", self.walk_in_check), ("Pa&yment", self.payment_edit),
                ("No&tes", self.notes_edit), ("Last &verified", self.verified_edit))
        for text, widget in rows:
            if isinstance(widget, WhenEdit):
                widget.set_label(text.replace("&", ""))
            else:
                widget.setAccessibleName(text.replace("&", ""))
            caption = QLabel(text)
            caption.setBuddy(widget.line if isinstance(widget, WhenEdit) else widget)
            self.form.addRow(caption, verified_row if widget is self.verified_edit else widget)
        hint = _hint("Give at least one way to reach them: a phone number (with its area code), "
                     "another contact or an address.")
        hint.setAccessibleName("About this form")

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("Save" if entry else "Add entry",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(self.general)
        layout.addWidget(hint)
        fields = QWidget()
        fields.setLayout(self.form)
        self.form.setContentsMargins(0, 0, 0, 0)
        # the fields scroll on a short screen (1024×600); the hint and the buttons stay in view
        layout.addWidget(ContentScroll(fields, "Entry details"), 1)
        layout.addWidget(buttons)

        self.errors = FieldErrors({
            "name": self.name_edit, "kind": self.kind_combo, "phone": self.phone_edit,
            "other_contact": self.other_edit, "address": self.address_edit,
            "hours": self.hours_edit, "languages": self.languages_edit,
            "payment": self.payment_edit, "notes": self.notes_edit,
            "last_verified": self.verified_edit,
        }, general=self.general)
        if entry is not None:
            self._show(entry)
        self.setMinimumWidth(600)
        self.resize(660, 0)
        self.name_edit.setFocus()

    def _show(self, entry: DirectoryEntryView) -> None:
        data = entry.as_input()
        self.name_edit.setText(data.name)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(data.kind))
        if entry.national:  # the service keeps the shipped helplines national helplines
            self.kind_combo.setEnabled(False)
            self.kind_combo.setToolTip("A national helpline shipped with Clinic Desktop stays one")
        self.phone_edit.setText(data.phone)
        self.other_edit.setText(data.other_contact)
        self.address_edit.setPlainText(data.address)
        self.hours_edit.setText(data.hours)
        self.languages_edit.setText(", ".join(entry.languages))
        self.walk_in_check.setChecked(data.walk_in)
        self.payment_edit.setText(data.payment)
        self.notes_edit.setPlainText(data.notes)
        self.verified_edit.set_date(data.last_verified)

    def value(self) -> EntryInput:
        """The entry as typed; ValidationError (shown under the field) for a last verified date
        that cannot be read."""
        verified = self.verified_edit.read_date("last_verified")
        return EntryInput(
            name=self.name_edit.text(), kind=self.kind_combo.currentData() or "",
            phone=self.phone_edit.text(), other_contact=self.other_edit.text(),
            address=self.address_edit.toPlainText(), hours=self.hours_edit.text(),
            languages=self.languages_edit.text(), walk_in=self.walk_in_check.isChecked(),
            payment=self.payment_edit.text(), notes=self.notes_edit.toPlainText(),
            last_verified=verified,
        )

    def save(self) -> None:
        self.errors.clear()
        if self.entry is None:
            ok, view = self.errors.attempt(lambda: directory.add_entry(self._db, self._user, self.value()))
        else:
            entry = self.entry
            ok, view = self.errors.attempt(lambda: directory.update_entry(
                self._db, self._user, entry.id, entry.version, self.value()))
        if not ok or view is None:
            self.grow_to_fit()
            return
        log.info("directory entry id %s %s", view.id, "updated" if self.entry else "added")
        self.saved.emit(view)
        self.accept()


# --- the CSV import report ----------------------------------------------------------------------

class ImportReportDialog(GeometryDialog):
    """A checked CSV file, row by row, and the choice: Import all (only when no row is refused),
    Import only the valid rows, or Cancel. It imports nothing itself: once accepted,
    ``only_valid`` says which import was chosen."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.only_valid = False
        source = f" — {report.source}" if report.source else ""
        self.setWindowTitle(f"Import directory{source} — Clinic Desktop")
        self.setAccessibleName("Import report")

        self.summary_label = QLabel(self.summary(report))
        self.summary_label.setProperty("role", "heading")
        self.summary_label.setWordWrap(True)
        self.summary_label.setAccessibleName("Summary")
        explain = _hint("Nothing has been imported yet. Refused rows are highlighted; rows already "
                        "in the directory are skipped either way.")
        explain.setAccessibleName("About this step")

        self.model = ImportReportModel(self)
        self.model.set_rows(report.rows)
        self.table = _table("Rows")
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ImportReportModel.MESSAGES, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(ImportReportModel.LINE, 70)
        self.table.setColumnWidth(ImportReportModel.NAME, 260)
        self.table.setColumnWidth(ImportReportModel.STATUS, 170)
        problems = [n for n, r in enumerate(report.rows) if r.status != "ok"]
        if problems:  # the first problem in view: that is what needs reading
            self.table.selectRow(problems[0])
            self.table.scrollTo(self.model.index(problems[0], 0),
                                QAbstractItemView.ScrollHint.PositionAtCenter)

        self.row_label = QLabel()
        self.row_label.setAccessibleName("Selected row")
        self.row_label.setWordWrap(True)
        self.row_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.row_label.setMinimumHeight(40)
        self.row_label.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop)
        self.table.selectionModel().selectionChanged.connect(self._show_selected_row)
        self.reason_label = _hint()
        self.reason_label.setAccessibleName("Why Import all is off")
        buttons = QDialogButtonBox()
        accept = QDialogButtonBox.ButtonRole.AcceptRole
        self.import_all_button = buttons.addButton("Import all", accept)
        self.import_valid_button = buttons.addButton("Import only the valid rows", accept)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        self.import_all_button.clicked.connect(lambda: self._choose(False))
        self.import_valid_button.clicked.connect(lambda: self._choose(True))
        for button in (self.import_all_button, self.import_valid_button):
            button.setAutoDefault(False)

        reason = self.import_all_reason(report)
        self.import_all_button.setEnabled(reason is None)
        self.import_all_button.setToolTip(reason or "")
        self.reason_label.setText(reason or "")
        self.reason_label.setVisible(reason is not None)
        self.import_valid_button.setEnabled(report.ok > 0)
        self.import_valid_button.setToolTip(
            "Import the rows marked OK and leave the refused ones out" if report.ok
            else "No row can be imported")
        if reason is None and report.ok:
            self.import_all_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(self.summary_label)
        layout.addWidget(explain)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.row_label)
        layout.addWidget(self.reason_label)
        layout.addWidget(buttons)
        self._show_selected_row()
        self.resize(980, 600)

    def _show_selected_row(self, *_args) -> None:
        row = selected_row(self.table)
        text = row.describe() if row is not None else "select a row to read its messages in full."
        self.row_label.setText(text[:1].upper() + text[1:])

    @staticmethod
    def summary(report: ImportReport) -> str:
        """"4,998 rows can be imported, 2 refused" (and duplicates, when there are any)."""
        can = "row can" if report.ok == 1 else "rows can"
        parts = [f"{report.ok:,} {can} be imported", f"{report.refused:,} refused"]
        if report.duplicates:
            parts.append(f"{report.duplicates:,} already in the directory (skipped)")
        return ", ".join(parts)

    @staticmethod
    def import_all_reason(report: ImportReport) -> str | None:
        """Why Import all is off, or None when it is on."""
        if report.refused:
            which = "row is" if report.refused == 1 else "rows are"
            return (f"Import all is off because {report.refused:,} {which} refused: correct the "
                    "file and import it again, or import only the valid rows.")
        if not report.ok:
            return "There is nothing to import: no row of this file can be imported."
        return None

    def _choose(self, only_valid: bool) -> None:
        self.only_valid = only_valid
        self.accept()


# --- the directory ------------------------------------------------------------------------------

class DirectoryDialog(GeometryDialog):
    """Search the referral directory; administrators also add, edit, verify, deactivate and
    import contacts. ``directory_changed`` is emitted after any change; the dialog stays open."""

    directory_changed = Signal()

    def __init__(self, db: Database, user: SignedInUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._user = user
        self.can_edit = user.can("directory.edit")
        self._busy = False  # an import is running: no searches meanwhile
        self._operation: Operation | None = None  # the check, import or export running
        self.last_export: int | None = None
        self._slot = DialogSlot()
        self.last_result: ImportResult | None = None
        self.setWindowTitle("Referral directory — Clinic Desktop")
        self.setAccessibleName("Referral directory")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)

        # the search and filters
        self.search_edit = QLineEdit()
        self.search_edit.setAccessibleName("Search directory")
        self.search_edit.setPlaceholderText("Search names, notes and addresses")
        self.search_edit.setClearButtonEnabled(True)
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Kind")
        self.kind_combo.addItem(ALL_KINDS, None)
        for kind, label in KINDS.items():
            self.kind_combo.addItem(label, kind)
        self.kind_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.language_combo = QComboBox()
        self.language_combo.setAccessibleName("Language")
        self.language_combo.addItem(ALL_LANGUAGES, None)
        self.language_combo.setMinimumContentsLength(12)
        self.walk_in_check = QCheckBox("Walk-ins only")
        self.walk_in_check.setAccessibleName("Walk-ins only")
        self.inactive_check = QCheckBox("Show inactive")
        self.inactive_check.setAccessibleName("Show inactive")
        self.inactive_check.setVisible(self.can_edit)  # only an administrator can bring one back

        search_label = QLabel("&Search")
        search_label.setBuddy(self.search_edit)
        kind_label = QLabel("&Kind")
        kind_label.setBuddy(self.kind_combo)
        language_label = QLabel("&Language")
        language_label.setBuddy(self.language_combo)
        filters = QHBoxLayout()
        filters.setSpacing(8)
        filters.addWidget(search_label)
        filters.addWidget(self.search_edit, 1)
        filters.addSpacing(8)
        filters.addWidget(kind_label)
        filters.addWidget(self.kind_combo)
        filters.addSpacing(8)
        filters.addWidget(language_label)
        filters.addWidget(self.language_combo)
        filters.addSpacing(8)
        filters.addWidget(self.walk_in_check)
        filters.addWidget(self.inactive_check)

        # the table and the selected contact's details
        self.model = DirectoryModel(self, stale_days=directory.stale_days(db))
        self.table = _table("Directory")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DirectoryModel.NAME, QHeaderView.ResizeMode.Stretch)
        model = DirectoryModel
        widths = {model.KIND: 250, model.PHONE: 190, model.LANGUAGES: 180, model.WALK_IN: 80,
                  model.VERIFIED: 120}
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Entries found")
        self.count_label.setProperty("role", "hint")
        self.details_label = QLabel()
        self.details_label.setAccessibleName("Details")
        self.details_label.setWordWrap(True)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_label.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop)
        self.details_label.setMinimumHeight(48)

        self.error_label = error_line()
        self.message_label = QLabel()
        self.message_label.setAccessibleName("Message")
        self.message_label.setWordWrap(True)
        self.message_label.setVisible(False)

        # the actions
        def action(text: str, slot, tip: str) -> QPushButton:
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            return button

        self.add_button = action("Add…", self.add_entry, "Add a local contact")
        self.edit_button = action("Edit…", self.edit_selected, "Correct the selected contact")
        self.verify_button = action("Mark verified", self.verify_selected,
                                    "Record that you checked the selected contact's details today")
        self.deactivate_button = action("Deactivate", self.deactivate_selected,
                                        "Take the selected contact out of the directory (kept, "
                                        "and can be reactivated)")
        self.reactivate_button = action("Reactivate", self.reactivate_selected,
                                        "Put the selected inactive contact back in the directory")
        self.import_button = action("Import CSV…", self.choose_import_file,
                                    "Check a CSV file of contacts, then import it")
        self.export_button = action("Export CSV…", self.choose_export_file,
                                    "Save every active contact as a CSV file")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        actions = QHBoxLayout()
        editing = (self.add_button, self.edit_button, self.verify_button, self.deactivate_button,
                   self.reactivate_button, self.import_button)
        for button in (*editing, self.export_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(close)
        for button in editing:  # hide what this role cannot do
            button.setVisible(self.can_edit)
        self.reactivate_button.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(8)
        layout.addLayout(filters)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.details_label)
        layout.addWidget(self.message_label)
        layout.addLayout(actions)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.refresh())
        self.search_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.language_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.walk_in_check.toggled.connect(lambda _on: self.refresh())
        self.inactive_check.toggled.connect(self._inactive_toggled)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())

        self.resize(1200, 660)
        self.reload()
        self.search_edit.setFocus()

    # --- the list -------------------------------------------------------------------------------
    def selected_entry(self) -> DirectoryEntryView | None:
        return selected_row(self.table)

    def reload(self, select_id: int | None = None) -> None:
        """Refresh the language filter (the languages listed now) and the table."""
        try:
            entries = directory.search(self._db, self._user)
        except ClinicError as exc:
            self._show_error(f"The directory could not be loaded: {exc}")
            return
        codes = sorted({c for e in entries for c in e.languages}, key=lambda c: LANGUAGES.get(c, c))
        current = self.language_combo.currentData()
        self.language_combo.blockSignals(True)
        self.language_combo.clear()
        self.language_combo.addItem(ALL_LANGUAGES, None)
        for code in codes:
            self.language_combo.addItem(LANGUAGES.get(code, code), code)
        self.language_combo.setCurrentIndex(max(self.language_combo.findData(current), 0))
        self.language_combo.blockSignals(False)
        self.refresh(select_id)

    def refresh(self, select_id: int | None = None) -> None:
        """Search again with the box and filters as they are; keep (or move) the selection."""
        self._search_timer.stop()
        if self._busy:
            return
        if select_id is None:
            selected = self.selected_entry()
            select_id = selected.id if selected is not None else None
        try:
            entries = directory.search(
                self._db, self._user, self.search_edit.text(), kind=self.kind_combo.currentData(),
                language=self.language_combo.currentData(),
                walk_in=True if self.walk_in_check.isChecked() else None,
                include_inactive=self.inactive_check.isChecked())
        except ClinicError as exc:
            self._show_error(f"The directory could not be searched: {exc}")
            return
        self.model.set_today(directory.clinic_today())
        self.model.set_rows(entries)
        local = sum(1 for e in entries if not e.national)
        filtered = bool(self.search_edit.text().strip() or self.kind_combo.currentData()
                        or self.language_combo.currentData() or self.walk_in_check.isChecked())
        found = _plural(local, "local contact")
        self.count_label.setText(
            f"{found} {'matches' if local == 1 else 'match'}, listed after the national helplines"
            if filtered else f"The national helplines, then {found}")
        row = self.model.row_of_entry(select_id) if select_id is not None else -1
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        self._selection_changed()

    def _inactive_toggled(self, on: bool) -> None:
        self.reactivate_button.setVisible(self.can_edit and on)
        self.refresh()

    def _selection_changed(self, *_args) -> None:
        entry = self.selected_entry()
        self.edit_button.setEnabled(entry is not None)
        self.verify_button.setEnabled(entry is not None and entry.active)
        self.deactivate_button.setEnabled(entry is not None and entry.active and not entry.national)
        self.deactivate_button.setToolTip(
            "The national helplines cannot be removed; edit one if its details changed"
            if entry is not None and entry.national else
            "Take the selected contact out of the directory (kept, and can be reactivated)")
        self.reactivate_button.setEnabled(entry is not None and not entry.active)
        self.details_label.setText(self.details(entry) if entry is not None else
                                   "Select a contact to see its address, hours and notes.")

    def details(self, entry: DirectoryEntryView) -> str:
        """The selected contact in full, as a nurse would read it out."""
        lines = [f"{entry.name} — {entry.kind_label}" + ("" if entry.active else " (inactive)")]
        reach = [v for v in (entry.phone_display or entry.phone, entry.other_contact) if v]
        if reach:
            lines.append(" · ".join(reach))
        languages = ", ".join(entry.language_names)
        for label, value in (("Address", entry.address), ("Hours", entry.hours),
                             ("Languages", languages),
                             ("Payment", entry.payment), ("Notes", entry.notes)):
            if value:
                lines.append(f"{label}: {' / '.join(value.splitlines())}")
        if entry.last_verified is None:
            lines.append("Never verified.")
        elif self.model.is_stale(entry):
            days = entry.days_since_verified(self.model.today)
            lines.append(f"Last verified {entry.last_verified.isoformat()}: {days} days ago, "
                         "due for a check.")
        return "\n".join(lines)

    # --- messages -------------------------------------------------------------------------------
    def _show_error(self, message: str) -> None:
        self.message_label.setVisible(False)
        self.error_label.setText(message)
        self.error_label.setVisible(True)

    def _show_message(self, message: str) -> None:
        self.error_label.setVisible(False)
        self.message_label.setText(message)
        self.message_label.setVisible(True)

    def _changed(self, message: str, select_id: int | None = None) -> None:
        self.reload(select_id)
        self._show_message(message)
        self.directory_changed.emit()

    # --- adding and editing ---------------------------------------------------------------------
    def add_entry(self) -> EntryDialog:
        dialog = EntryDialog(self._db, self._user, None, self)
        dialog.saved.connect(lambda view: self._changed(f"Added {view.name}.", view.id))
        self._slot.open(dialog)
        return dialog

    def edit_selected(self) -> EntryDialog | None:
        entry = self.selected_entry()
        if entry is None or not self.can_edit:
            return None
        dialog = EntryDialog(self._db, self._user, entry, self)
        dialog.saved.connect(lambda view: self._changed(f"Saved {view.name}.", view.id))
        self._slot.open(dialog)
        return dialog

    def _act(self, call, message) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        try:
            view = call(self._db, self._user, entry.id)
        except ClinicError as exc:
            self._show_error(str(exc))
            return
        self._changed(message(view), view.id)
        self.table.setFocus()

    def verify_selected(self) -> None:
        self._act(directory.mark_verified, lambda v: f"{v.name}: verified today.")

    def deactivate_selected(self) -> None:
        self._act(directory.deactivate_entry,
                  lambda v: f"{v.name} deactivated: it is no longer listed "
                            "(Show inactive finds it).")

    def reactivate_selected(self) -> None:
        self._act(directory.reactivate_entry, lambda v: f"{v.name} is listed again.")

    # --- import ---------------------------------------------------------------------------------
    def choose_import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import directory CSV", "", CSV_FILTER)
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> Operation:
        """Check the file off the GUI thread, then open its report (window-modal, named "Import
        report"); the import runs when the report is accepted. When the file cannot
        be read at all, the reason is shown in the error line instead."""
        db, user, name = self._db, self._user, os.path.basename(path)

        def check(_progress) -> ImportReport:  # the worker thread: the file and the service only
            with open(path, "rb") as stream:
                return directory.check_csv(db, user, stream)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, OSError):
                self._show_error(f"{name} could not be read: {exc.strerror or exc}.")
            else:
                self._show_error(f"{name} cannot be imported. {error_message(exc)}")

        self._operation = (
            QueryOp(parent=self, op=check, success=self._show_report, what="directory check")
            .failure(refused)
            .with_progress("Checking the file\u2026", title="Importing — Clinic Desktop",
                           name="Checking directory file", width=420)
            .disabling(self.import_button)
            .run_in_background())
        return self._operation

    def _show_report(self, report: ImportReport) -> None:
        self._operation = None
        dialog = ImportReportDialog(report, self)
        dialog.accepted.connect(lambda: self.run_import(report, dialog.only_valid))
        self._slot.open(dialog)

    def run_import(self, report: ImportReport, only_valid: bool) -> Operation:
        """Import a checked file off the GUI thread, with a progress dialog whose Cancel rolls it
        all back; ``last_result`` holds the outcome once it is shown."""
        db, user = self._db, self._user

        def run(progress: Progress) -> ImportResult:  # the worker thread
            def advance(done: int, total: int) -> None:
                progress.report(done, total, f"Imported {done:,} of {total:,} entries…")

            return directory.import_csv(db, user, report, only_valid=only_valid,
                                        progress=advance, cancelled=progress.cancelled)

        def failed(exc: BaseException) -> None:
            self._import_ended()
            self._show_error(f"Nothing was imported: {error_message(exc)}")
            self.reload()

        self._busy = True
        self._search_timer.stop()
        self._operation = (
            QueryOp(parent=self, op=run, success=self._imported, what="directory import")
            .failure(failed)
            .with_progress("Importing directory entries…", title="Importing — Clinic Desktop",
                           name="Importing directory", maximum=max(report.ok, 1),
                           cancellable=True, width=420, show_after_ms=0)
            .disabling(self.import_button)
            .run_in_background())
        return self._operation

    def _import_ended(self) -> None:
        self._busy = False
        self._operation = None

    def _imported(self, result: ImportResult) -> None:
        self._import_ended()
        self.last_result = result
        log.info("directory import: %s imported, cancelled=%s", result.imported, result.cancelled)
        if result.imported:
            self._changed(result.message)
        else:
            self.reload()
            self._show_message(result.message)

    # --- export ---------------------------------------------------------------------------------
    def choose_export_file(self) -> None:
        suggested = f"directory-{directory.clinic_today().isoformat()}.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export directory CSV", suggested, CSV_FILTER)
        if path:
            self.export_file(path)

    def export_file(self, path: str) -> Operation:
        """Write every active contact to ``path`` (UTF-8 CSV, the import's columns) off the GUI
        thread; then say how many (``last_export``), or the reason it could not be done."""
        db, user = self._db, self._user

        def export(_progress) -> int:  # the worker thread: the file and the service only
            with private_file(path) as stream:  # a regular file only, 0600, whole or not at all
                return directory.export_csv(db, user, stream)

        def exported(count: int) -> None:
            self._operation = None
            self.last_export = count
            self._show_message(f"Exported {_plural(count, 'entry', 'entries')} to "
                               f"{os.path.basename(path)}.")

        def refused(exc: BaseException) -> None:
            self._operation = None
            if isinstance(exc, OSError):
                self._show_error(f"The directory could not be saved to {path}: "
                                 f"{exc.strerror or exc}.")
            else:
                self._show_error(f"The directory could not be exported: {error_message(exc)}")

        self.last_export = None
        self._operation = (
            QueryOp(parent=self, op=export, success=exported, what="directory export")
            .failure(refused)
            .with_progress("Exporting the directory\u2026", title="Exporting — Clinic Desktop",
                           name="Exporting directory", width=420)
            .disabling(self.export_button)
            .run_in_background())
        return self._operation

    def done(self, result: int) -> None:
        self._search_timer.stop()
        super().done(result)
