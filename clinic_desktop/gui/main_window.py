"""The main window: find a patient (search as you type) or pick one from the census of open episodes.

Layout lives in ``ui/main_window.ui``; this module is the controller. It calls
``clinic_desktop.core.services`` with plain values and hands the dataclasses they return to the
table models; it never touches a Session or an ORM object. Nothing patient-identifying is logged.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolButton,
    QWidget,
)

from clinic_desktop.core import live
from clinic_desktop.core.errors import ClinicError
from clinic_desktop.core.permissions import ROLE_LABELS, SignedInUser
from clinic_desktop.core.services import episodes, mar, patients
from clinic_desktop.core.vocab import OPEN_STAGES
from clinic_desktop.gui import (
    resources_rc,  # noqa: F401 - registers :/icons and :/styles
    theme,
)
from clinic_desktop.gui.backup_scheduler import BackupScheduler
from clinic_desktop.gui.forms.ui_main_window import Ui_MainWindow
from clinic_desktop.gui.group_session_dialog import install_action as install_group_session
from clinic_desktop.gui.idle_lock import IdleLock
from clinic_desktop.gui.live_updates import LiveUpdates, concerns
from clinic_desktop.gui.models.census_model import CensusModel
from clinic_desktop.gui.models.row_model import RowTableModel
from clinic_desktop.gui.models.search_model import SearchResultsModel
from clinic_desktop.gui.navigator import Navigator
from clinic_desktop.gui.widgets.dialog_base import VIEW_HOST, AsksBeforeDiscarding
from clinic_desktop.gui.widgets.flag_delegate import FlagDelegate
from clinic_desktop.gui.widgets.permits import gate
from clinic_desktop.gui.widgets.tables import table_header
from clinic_desktop.gui.workspace import Workspace, view_title
from clinic_desktop.logs import log_error

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 150
SEARCH_LIMIT = 50
GEOMETRY_KEY = "geometry/MainWindow"
STATE_KEY = "state/MainWindow"
NOT_ENCRYPTED = "This database is not encrypted"
NOT_ENCRYPTED_DETAIL = ("Anyone who copies the database file can read the records. Encrypting it "
                        "takes a few minutes; staff keep their passwords.")



class MainWindow(QMainWindow):
    """Search box above the census (or the search results while a search is typed)."""

    search_completed = Signal(int)  # number of results shown
    census_refreshed = Signal(int)  # number of open episodes shown
    patient_opened = Signal(int)  # patient id
    episode_opened = Signal(int)  # episode id
    assessment_opened = Signal(int)  # assessment id
    #: This person signed out (drafts saved, patients closed, audited); the window closes next.
    #: The person switching in on the lock screen (already signed in), or None: the sign-in window.
    signed_out = Signal(object)

    def __init__(self, db, user: SignedInUser, parent: QWidget | None = None, *, encrypt: bool = True) -> None:
        super().__init__(parent)
        self.db = db
        self.user = user
        #: A role that reads no patient (the auditor): the window is the audit log, nothing clinical.
        self.audit_only = not user.can("patients.view")
        self.audit_view: QDialog | None = None
        #: False with ``--no-encryption``: the clinic encrypts its disks; nobody is offered Encrypt….
        self.encrypt = encrypt
        #: Set by Encrypt… once the administrator's password is confirmed: (user name, password)
        #: for ``app.run_gui``, which encrypts the database after this window has closed.
        self.encryption_request: tuple[str, str] | None = None
        self.ui = Ui_MainWindow()
        self.ui.setupUi(self)
        #: The census tab and a tab per open patient, with its screens as views.
        self.workspace = Workspace(self.ui.workspaceTabs, self)
        #: Other workstations' changes as they are committed (PostgreSQL; nothing on SQLite).
        self.live = LiveUpdates(db, self)
        self.live.changed.connect(self._live_changed)
        #: Opens the patient screens and the dialogs (one method per destination).
        self.navigator = Navigator(db, user, self, self.workspace, encrypt=encrypt, live=self.live)
        self.navigator.census_changed.connect(self.refresh_census)
        self.navigator.patient_saved.connect(self._after_patient_saved)
        self.navigator.settings_saved.connect(self._apply_settings)
        self.navigator.handover_requested.connect(self.show_handover)
        self.navigator.patient_opened.connect(self.patient_opened)
        self.navigator.episode_opened.connect(self.episode_opened)
        self.navigator.assessment_opened.connect(self.assessment_opened)

        self.census_model = CensusModel(self)
        self.search_model = SearchResultsModel(self)
        self._setup_table(self.ui.censusTable, self.census_model, CensusModel.NAME)
        self.ui.censusTable.setItemDelegate(FlagDelegate(self.ui.censusTable))  # alerts stay when selected
        self.ui.censusTable.horizontalHeader().setSortIndicator(CensusModel.NAME, Qt.SortOrder.AscendingOrder)
        self.ui.censusTable.setSortingEnabled(True)  # by name as the census comes; a header click sorts
        self.ui.censusTable.horizontalHeader().setSortIndicatorShown(False)
        self.ui.censusTable.horizontalHeader().sortIndicatorChanged.connect(
            lambda *_: self.ui.censusTable.horizontalHeader().setSortIndicatorShown(True))
        self._setup_table(self.ui.searchTable, self.search_model, SearchResultsModel.NAME)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.run_search)

        self._setup_actions()
        self._setup_encryption()
        self._setup_status_bar()
        self.ui.searchEdit.textChanged.connect(self._on_search_text_changed)
        self.ui.searchEdit.installEventFilter(self)
        self.ui.pages.currentChanged.connect(self._update_actions)

        self.idle_lock = IdleLock(db, user, self, switch_check=self.sign_out_problem)
        self.idle_lock.sign_out_requested.connect(lambda: self.sign_out("lock screen"))
        self.idle_lock.switch_requested.connect(lambda next_user: self.sign_out("switch user", next_user))
        #: The automatic backups while someone is signed in, and the status bar's backup age.
        self.backups = BackupScheduler(db, self.backup_label, self)

        self._restore_window_state()
        if self.audit_only:
            self._show_audit_only()
            return
        self.refresh_census()
        self.ui.searchEdit.setFocus()

    def _show_audit_only(self) -> None:
        """The auditor's window: the audit log in the first tab, in place of the census and the
        search; the menus and tools about patients are gone (there is nothing they could open)."""
        from clinic_desktop.gui.audit_log_dialog import AuditLogDialog

        ui = self.ui
        for widget in (ui.searchLabel, ui.searchEdit, ui.pages):
            widget.setVisible(False)
        for menu in (ui.menuPatient, ui.menuView, ui.menuWindow, ui.menuAdmin):  # Admin: only Audit log…
            menu.menuAction().setVisible(False)
        ui.toolBar.setVisible(False)
        ui.toolBar.toggleViewAction().setVisible(False)
        for action in (ui.actionRefreshCensus, ui.actionFocusSearch, ui.actionHandover, ui.actionShowCensus,
                       self.actionGroupSession):
            action.setEnabled(False)  # their shortcuts too
        self.due_label.setVisible(False)
        index = ui.workspaceTabs.indexOf(ui.censusTab)
        ui.workspaceTabs.setTabText(index, "Audit log")
        ui.censusTab.setAccessibleName("Audit log")
        ui.censusTab.setProperty(VIEW_HOST, True)
        self.audit_view = AuditLogDialog(self.db, self.user, ui.censusTab)
        ui.centralLayout.addWidget(self.audit_view, 1)
        self.actionAuditLog.setVisible(False)  # it is the window
        self.audit_view.patient_edit.setFocus()

    # --- set-up ---------------------------------------------------------------------------------
    def _setup_table(self, table: QTableView, model, stretch_column: int) -> None:
        table.setModel(model)
        header = table_header(table)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(70)
        table.verticalHeader().setDefaultSectionSize(30)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.doubleClicked.connect(lambda _index: self.open_patient())
        table.selectionModel().selectionChanged.connect(self._update_actions)
        model.modelReset.connect(self._update_actions)
        table.installEventFilter(self)

    def _setup_actions(self) -> None:
        ui = self.ui
        icons = {
            ui.actionNewPatient: "new-patient", ui.actionOpenPatient: "open-patient",
            ui.actionOpenEpisode: "open-episode", ui.actionStartAssessment: "open-episode",
            ui.actionOpenFlowsheet: "flowsheet", ui.actionAftercarePlan: "plan",
            ui.actionRefreshCensus: "refresh",
            ui.actionLockScreen: "lock", ui.actionFocusSearch: "search", ui.actionAbout: "about",
        }
        for action, name in icons.items():
            action.setIcon(theme.icon(name))
        navigator = self.navigator
        ui.actionNewPatient.triggered.connect(navigator.new_patient)
        ui.actionOpenPatient.triggered.connect(self.open_patient)
        ui.actionOpenEpisode.triggered.connect(self.open_episode)
        ui.actionStartAssessment.triggered.connect(self.start_assessment)
        ui.actionOpenFlowsheet.triggered.connect(self.open_flowsheet)
        ui.actionAftercarePlan.triggered.connect(self.open_plan)
        ui.actionDischarge.triggered.connect(self.discharge)
        ui.actionHandover.triggered.connect(lambda: self.show_handover())
        ui.actionDirectory.triggered.connect(navigator.directory)
        ui.actionRefreshCensus.triggered.connect(self.refresh_census)
        ui.actionFocusSearch.triggered.connect(self.focus_search)
        ui.actionLockScreen.triggered.connect(lambda: self.idle_lock.lock_now())
        # File → Change password…: everyone's own (built here; the .ui keeps the shared actions).
        self.actionChangePassword = QAction("Change &password\u2026", self)
        self.actionChangePassword.setToolTip("Choose a new password for your own account")
        self.actionChangePassword.triggered.connect(self.change_own_password)
        ui.menuFile.insertAction(ui.actionLockScreen, self.actionChangePassword)
        ui.actionAbout.triggered.connect(navigator.about)
        ui.actionCheckInstallation.triggered.connect(navigator.check_installation)
        ui.actionUserManual.triggered.connect(navigator.manual)
        ui.actionKeyboardShortcuts.triggered.connect(navigator.keyboard_shortcuts)
        ui.actionOpenLogFolder.triggered.connect(navigator.open_log_folder)
        ui.actionAboutQt.triggered.connect(lambda: QMessageBox.aboutQt(self, "About Qt"))
        ui.actionUsers.triggered.connect(navigator.users)
        ui.actionClinicSettings.triggered.connect(navigator.clinic_settings)
        ui.actionProtocolSettings.triggered.connect(navigator.protocol_settings)
        ui.actionSignOut.triggered.connect(lambda: self.sign_out())
        ui.actionQuit.triggered.connect(self.close)
        workspace = self.workspace
        ui.actionShowCensus.triggered.connect(self.show_census_tab)
        ui.actionNextTab.triggered.connect(lambda: workspace.next_tab(1))
        ui.actionPreviousTab.triggered.connect(lambda: workspace.next_tab(-1))
        ui.actionCloseTab.triggered.connect(workspace.close_current)
        workspace.current_patient_changed.connect(self._update_actions)
        # What a role may not do is greyed out, its tooltip saying who may (the services refuse it
        # anyway); Open episode, Start assessment, Aftercare plan and Discharge need a patient too
        # (_update_actions). The Admin menu's actions are hidden from those who are not admins.
        gate(ui.actionNewPatient, self.user, "patients.edit")
        ui.menuPatient.setToolTipsVisible(True)  # a greyed-out action says who may
        # Patient → Group session… (Ctrl+Shift+G): counselors record one group for its attendees.
        self.actionGroupSession = install_group_session(self, self.db, self.user, ui.menuPatient,
                                                        after=ui.actionAftercarePlan)
        ui.actionUsers.setVisible(self.user.can("users.manage"))
        ui.actionClinicSettings.setVisible(self.user.can("settings.edit"))
        ui.actionProtocolSettings.setVisible(self.user.can("settings.edit"))
        # Admin → Audit log… (whoever may read the trail), after Users….
        self.actionAuditLog = QAction("&Audit log\u2026", self)
        self.actionAuditLog.setObjectName("actionAuditLog")
        self.actionAuditLog.triggered.connect(navigator.audit_log)
        self.actionAuditLog.setVisible(self.user.can("audit.read"))
        ui.menuAdmin.insertAction(ui.actionClinicSettings, self.actionAuditLog)
        ui.menuAdmin.menuAction().setVisible(
            self.user.can("users.manage") or self.user.can("settings.edit") or self.user.can("audit.read"))
        for action in ui.toolBar.actions():
            button = ui.toolBar.widgetForAction(action)
            if isinstance(button, QToolButton) and not action.isSeparator():
                button.setAccessibleName(action.iconText())
        self._update_actions()  # greyed out, saying who may, before anything is selected

    def _setup_encryption(self) -> None:
        """For an administrator: the notice and Admin → Encrypt the database… on a plain SQLite
        database (unless ``--no-encryption``), Admin → New recovery key… on an encrypted one."""
        admin = self.user.can("users.manage")
        offer = admin and self.encrypt and self.db.is_sqlite and not self.db.encrypted
        self.encryption_notice = QFrame(self)
        self.encryption_notice.setObjectName("encryptionNotice")
        self.encryption_notice.setProperty("role", "warning")
        self.encryption_notice.setAccessibleName(NOT_ENCRYPTED)
        text = QLabel(f"<b>{NOT_ENCRYPTED}.</b> {NOT_ENCRYPTED_DETAIL}", self.encryption_notice)
        text.setWordWrap(True)
        self.encrypt_button = QPushButton("Encrypt\u2026", self.encryption_notice)
        self.encrypt_button.setAccessibleName("Encrypt")
        self.encrypt_button.clicked.connect(self.encrypt_database)
        row = QHBoxLayout(self.encryption_notice)
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(text, 1)
        row.addWidget(self.encrypt_button)
        self.ui.workspaceLayout.insertWidget(0, self.encryption_notice)
        self.encryption_notice.setVisible(offer)

        self.actionEncrypt = QAction("&Encrypt the database\u2026", self)
        self.actionEncrypt.triggered.connect(self.encrypt_database)
        self.actionEncrypt.setVisible(offer)
        self.actionNewRecoveryKey = QAction("New &recovery key\u2026", self)
        self.actionNewRecoveryKey.triggered.connect(self.new_recovery_key)
        self.actionNewRecoveryKey.setVisible(admin and self.db.encrypted)
        self.ui.menuAdmin.addSeparator()
        self.ui.menuAdmin.addAction(self.actionEncrypt)
        self.ui.menuAdmin.addAction(self.actionNewRecoveryKey)

    def _setup_status_bar(self) -> None:
        role = ROLE_LABELS.get(self.user.role, str(self.user.role))
        # Permanent: a passing message (showMessage) never hides who is signed in.
        self.user_label = QLabel(f"Signed in as {self.user.full_name} ({role})", self)
        self.user_label.setObjectName("userLabel")
        self.due_label = QLabel(self)
        self.due_label.setObjectName("dueSummary")
        self.due_label.setAccessibleName("Due summary")
        self.backup_label = QLabel(self)
        self.backup_label.setObjectName("backupStatus")
        self.backup_label.setAccessibleName("Backup status")
        self.ui.statusbar.addWidget(self.due_label)
        self.ui.statusbar.addPermanentWidget(self.backup_label)
        self.ui.statusbar.addPermanentWidget(self.user_label)

    def _restore_window_state(self) -> None:
        """The size and place this workstation left the window in; the first time, a window that
        fills the screen once shown (:meth:`show_as_left`)."""
        settings = QSettings()
        geometry = settings.value(GEOMETRY_KEY)
        self._first_run = True
        if isinstance(geometry, QByteArray) and not geometry.isEmpty() and self.restoreGeometry(geometry):
            self._first_run = False
            state = settings.value(STATE_KEY)
            if isinstance(state, QByteArray):
                self.restoreState(state)
            return
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        available = screen.availableGeometry()
        width = min(1280, int(available.width() * 0.96))
        height = min(780, int(available.height() * 0.94))
        self.resize(width, height)
        frame = self.frameGeometry()
        frame.moveCenter(available.center())
        self.move(frame.topLeft())

    def show_as_left(self) -> None:
        """Show the window: maximized on this workstation's first run, else as it was left."""
        if self._first_run:
            self.showMaximized()
        else:
            self.show()

    def save_window_state(self) -> None:
        settings = QSettings()
        settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        settings.setValue(STATE_KEY, self.saveState())

    # --- what is selected --------------------------------------------------------------------
    def showing_search(self) -> bool:
        return self.ui.pages.currentWidget() is self.ui.searchPage

    def current_table(self) -> QTableView:
        return self.ui.searchTable if self.showing_search() else self.ui.censusTable

    def selected_row(self):
        """The patient the Patient actions act on: on a patient's tab, that patient's census row;
        on the census tab, the CensusRow or PatientSummary selected on the page shown; or None."""
        patient_id = self.workspace.current_patient_id()
        if patient_id is not None:
            return self.census_model.row_at(self.census_model.row_of_patient(patient_id))
        table = self.current_table()
        rows = table.selectionModel().selectedRows()
        if not rows:
            return None
        model = table.model()
        assert isinstance(model, RowTableModel)  # both tables show a row model
        return model.row_at(rows[0].row())

    def selected_patient_id(self) -> int | None:
        row = self.selected_row()
        if row is None:
            return None
        return row.id if isinstance(row, patients.PatientSummary) else row.patient_id

    def _update_actions(self, *_args) -> None:
        on_patient = self.workspace.current_patient_id() is not None
        self.ui.actionCloseTab.setEnabled(on_patient)
        row = self.selected_row()
        self.ui.actionOpenPatient.setEnabled(row is not None)
        can_admit = isinstance(row, patients.PatientSummary) and row.open_stage is None
        gate(self.ui.actionOpenEpisode, self.user, "episodes.open", can_admit)
        stage = row.open_stage if isinstance(row, patients.PatientSummary) else getattr(row, "stage", None)
        gate(self.ui.actionStartAssessment, self.user, "assessments.record",
             row is not None and stage in (None, "assessment"))
        self.ui.actionOpenFlowsheet.setEnabled(stage in OPEN_STAGES)
        gate(self.ui.actionAftercarePlan, self.user, "plans.edit", stage == "transition")
        gate(self.ui.actionDischarge, self.user, "episodes.stage", stage in ("assessment", *OPEN_STAGES))

    @staticmethod
    def _select(table: QTableView, row: int) -> None:
        if row < 0:
            return
        table.selectRow(row)
        table.scrollTo(table.model().index(row, 0))

    # --- census and search -------------------------------------------------------------------
    def refresh_census(self) -> None:
        if self.audit_only:
            return  # the auditor's window has no census
        selected = self.selected_row() if not self.showing_search() else None
        try:
            rows = episodes.census(self.db, self.user)
        except ClinicError as exc:
            # Said above the census, not in a message box: a refresh comes every time another
            # workstation records something, and an account deactivated meanwhile (AccountChanged)
            # would get one box per refresh. The rows shown stay until a refresh succeeds.
            self.ui.censusSummary.setText(f"The census could not be refreshed: {exc}")
            log.warning("census not refreshed: %s", type(exc).__name__)
            return
        self.census_model.set_rows(rows)
        self._show_due(rows)
        count = len(rows)
        self.ui.censusSummary.setText(self.empty_census_text() if count == 0
                                      else f"{count} open episode{'s' if count != 1 else ''}")
        if selected is not None:
            self._select(self.ui.censusTable, self.census_model.row_of_episode(selected.episode_id))
        log.info("census refreshed: %d open episodes", count)
        self.census_refreshed.emit(count)

    def _live_changed(self, notices: list) -> None:
        """Another workstation changed what the census or the status bar's counts show."""
        if concerns(notices, live.CENSUS):
            self.refresh_census()

    def empty_census_text(self) -> str:
        """What an empty census means and what to do next, naming the real actions' shortcuts."""
        def named(action) -> str:
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            name = action.text().replace("&", "")
            return f"{name} ({shortcut})" if shortcut else name

        try:
            registered = patients.any_registered(self.db, self.user)
        except ClinicError:
            registered = True
        if not registered:
            if self.user.can("patients.edit"):
                return f"No patients yet — add one with {named(self.ui.actionNewPatient)}."
            return "No patients yet — a nurse or an administrator registers them."
        if self.user.can("episodes.open"):
            return (f"No open episodes. Find a patient above, then choose "
                    f"{named(self.ui.actionOpenEpisode)}.")
        return "No open episodes."

    def _show_due(self, rows) -> None:
        """The status bar: overdue reassessments and doses due, over the whole census."""
        try:
            doses = mar.due_summary(self.db, self.user)
        except ClinicError:
            doses = {}
        overdue = sum(1 for r in rows if r.overdue)
        due = sum(c.due for c in doses.values())
        late = sum(c.late + c.missed for c in doses.values())
        parts = [f"{overdue} reassessment{'s' if overdue != 1 else ''} overdue",
                 f"{due} dose{'s' if due != 1 else ''} due"]
        if late:
            parts.append(f"{late} late or missed")
        self.due_label.setText(" \u00b7 ".join(parts))
        self.due_label.setProperty("role", "error" if overdue or late else "")
        self.due_label.style().unpolish(self.due_label)
        self.due_label.style().polish(self.due_label)

    def _on_search_text_changed(self, text: str) -> None:
        if text.strip():
            self._search_timer.start()
        else:
            self._search_timer.stop()
            self.show_census()

    def run_search(self, *, refresh: bool = False) -> None:
        """Search now for the text in the search box (normally called by the debounce timer, so
        the search shown once typing pauses is audited, never each keystroke). ``refresh``: the
        same search read again after a change, not audited again."""
        self._search_timer.stop()
        query = self.ui.searchEdit.text().strip()
        if not query:
            self.show_census()
            return
        try:
            results = patients.search(self.db, self.user, query, limit=SEARCH_LIMIT, shown=not refresh)
        except ClinicError as exc:
            self._show_error("The search failed", exc)
            return
        self.search_model.set_rows(results)
        count = len(results)
        if count == 0:
            summary = "No patient matches. Check the spelling, or search by MRN or date of birth."
        elif count >= SEARCH_LIMIT:
            summary = f"The first {SEARCH_LIMIT} matches; type more to narrow the search."
        else:
            summary = f"{count} patient{'s' if count != 1 else ''}"
        self.ui.searchSummary.setText(summary)
        self.ui.pages.setCurrentWidget(self.ui.searchPage)
        if count:
            self._select(self.ui.searchTable, 0)
        self._update_actions()
        self.search_completed.emit(count)

    def show_census(self) -> None:
        self.ui.pages.setCurrentWidget(self.ui.censusPage)
        self._update_actions()

    def show_census_tab(self) -> None:
        """Window → Census (Ctrl+0): the census and search tab, the keyboard in the search box."""
        self.workspace.show_census()
        self.focus_search()

    def search_for(self, text: str) -> None:
        """Put ``text`` in the search box and search at once (no debounce)."""
        self.ui.searchEdit.setText(text)
        if text.strip():
            self.run_search()

    def focus_search(self) -> None:
        self.workspace.show_census()
        self.ui.searchEdit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.ui.searchEdit.selectAll()

    # --- keyboard -------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.ui.searchEdit:
                if key == Qt.Key.Key_Down:
                    if self._search_timer.isActive():  # the results being typed for, not the old page
                        self.run_search()
                    table = self.current_table()
                    if table.model().rowCount() and not table.selectionModel().hasSelection():
                        self._select(table, 0)
                    table.setFocus(Qt.FocusReason.OtherFocusReason)
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    if self._search_timer.isActive():
                        self.run_search()
                    self.open_patient()
                    return True
                if key == Qt.Key.Key_Escape and self.ui.searchEdit.text():
                    self.ui.searchEdit.clear()
                    return True
            elif (watched in (self.ui.censusTable, self.ui.searchTable)
                  and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
                self.open_patient()
                return True
        elif (event.type() == QEvent.Type.FocusIn and isinstance(watched, QTableView)
              and watched in (self.ui.censusTable, self.ui.searchTable)
              and watched.model().rowCount() and not watched.selectionModel().hasSelection()):
            # Reached by Tab with nothing selected, the view would make row 1 current unselected,
            # and the first Down would select row 2: select the first row instead.
            self._select(watched, max(watched.currentIndex().row(), 0))
        return super().eventFilter(watched, event)

    # --- patient actions ------------------------------------------------------------------------
    def open_patient(self) -> None:
        """Open the selected patient. A patient whose open episode is in assessment with a draft is
        offered the draft back ("Draft saved at HH:MM by ..."); otherwise the patient dialog."""
        patient_id = self.selected_patient_id()
        if patient_id is None:
            return
        if self.user.can("assessments.record") and self.navigator.offer_draft(patient_id):
            return
        if self.navigator.flowsheet(patient_id):
            return
        self.navigator.patient_record(patient_id)

    def start_assessment(self) -> None:
        """Patient → Start assessment: open (or reuse) the episode in assessment with a draft."""
        patient_id = self.selected_patient_id()
        if patient_id is not None:
            self.navigator.start_assessment(patient_id)

    def open_flowsheet(self) -> None:
        """Patient → Flowsheet: the stabilization screen of the selected patient's open episode."""
        patient_id = self.selected_patient_id()
        if patient_id is not None:
            self.navigator.flowsheet(patient_id)

    def show_handover(self, episode_ids: list[int] | None = None, parent: QWidget | None = None) -> None:
        """The shift handover (every open episode, or those given) as a printable preview, prepared
        off the GUI thread."""
        from clinic_desktop.core import clock
        from clinic_desktop.core.services import handover
        from clinic_desktop.gui.pdf_preview import render_then_preview

        db, user, now = self.db, self.user, clock.now()

        def render() -> bytes:  # the worker thread: the database and the renderer only
            report, pdf = handover.print_handover(db, user, now, episode_ids)
            log.info("shift handover prepared for %d episodes", len(report.patients))
            return pdf

        render_then_preview(render, "Shift handover", "shift-handover.pdf", parent or self,
                            failure_title="The handover could not be prepared",
                            disabling=[self.ui.actionHandover])

    def open_plan(self) -> None:
        """Patient → Aftercare plan…: the plan builder of the selected patient in transition."""
        patient_id = self.selected_patient_id()
        if patient_id is not None:
            self.navigator.plan(patient_id)

    def discharge(self) -> None:
        """Patient → Discharge…: discharge the selected patient's open episode, in any stage."""
        patient_id = self.selected_patient_id()
        if patient_id is not None:
            self.navigator.discharge(patient_id)

    def _after_patient_saved(self, dialog: QDialog, patient_id: int) -> None:
        log.info("patient id %s saved", patient_id)
        self.refresh_census()
        saved = getattr(dialog, "saved_patient", None)
        if saved is not None:
            self.search_for(saved.mrn)
            self._select(self.ui.searchTable, self.search_model.row_of_patient(patient_id))
        elif self.showing_search():
            self.run_search(refresh=True)

    def open_episode(self) -> None:
        row = self.selected_row()
        if not self.user.can("episodes.open") or not isinstance(row, patients.PatientSummary):
            return
        try:
            episode = episodes.open_episode(self.db, self.user, row.id)
        except ClinicError as exc:
            self._show_error("The episode could not be opened", exc)
            self.refresh_census()
            return
        log.info("episode %s opened for patient id %s", episode.id, row.id)
        self.ui.searchEdit.clear()  # back to the census, where the new episode now is
        self.refresh_census()
        self.show_census()
        self._select(self.ui.censusTable, self.census_model.row_of_episode(episode.id))
        self.ui.censusTable.setFocus()
        self.statusBar().showMessage("Episode opened in Assessment.", 8000)
        self.episode_opened.emit(episode.id)

    def _apply_settings(self, values: dict) -> None:
        """Saved clinic settings: the running screen lock follows the new idle time at once, and
        a backup folder just set (or a shorter interval) is backed up to right away."""
        self.idle_lock.set_interval_ms(int(values["idle_lock_minutes"]) * 60_000)
        self.backups.check()

    def _show_error(self, title: str, exc: Exception) -> None:
        QMessageBox.warning(self, title, str(exc))

    # --- encryption -----------------------------------------------------------------------------
    def encrypt_database(self) -> None:
        """Encrypt…: the administrator's password, then this window closes as quitting does
        (drafts saved, a view may ask first) and ``app.run_gui`` encrypts the database."""
        if not (self.user.can("users.manage") and self.encrypt and self.db.is_sqlite and not self.db.encrypted):
            return
        from clinic_desktop.gui.encrypt_dialog import EncryptDialog

        dialog = EncryptDialog(self.db, self.user, self)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        password = dialog.password
        dialog.deleteLater()
        if not accepted:
            return
        self.encryption_request = (self.user.username, password)
        if not self.close():  # a view kept the window open (its question was answered No)
            self.encryption_request = None
            return
        log.info("closing to encrypt the database")
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def change_own_password(self) -> None:
        """File → Change password…: the current password, then the new one twice."""
        from clinic_desktop.gui.change_password_dialog import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.db, self.user, self)

        def finished(_result: int) -> None:
            if dialog.changed_user is not None:
                self.ui.statusbar.showMessage("Your password was changed.", 8000)
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    def new_recovery_key(self) -> None:
        """Admin → New recovery key…: a new key replaces the old one (its sheet stops working)."""
        if not (self.user.can("users.manage") and self.db.encrypted):
            return
        answer = QMessageBox.question(
            self, "New recovery key",
            "Make a new recovery key?\n\nThe printed sheet of the current key stops working at once: "
            "destroy it once the new sheet is printed and locked away.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        from clinic_desktop.core.services import vault
        from clinic_desktop.gui.operations import QueryOp
        from clinic_desktop.gui.recovery_key_dialog import show_recovery_key

        db, user = self.db, self.user
        QueryOp(parent=self, op=lambda: vault.new_recovery_key(db, user),
                success=lambda key: show_recovery_key(db, user, key, self), what="new recovery key",
                failure_title="No new recovery key was made") \
            .disabling(self.actionNewRecoveryKey).run_in_background()

    # --- closing --------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.idle_lock.start()
        self.backups.start()
        if not self.audit_only:  # the auditor's window shows no census or patient to refresh
            self.live.start()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.workspace.close_all():  # a view asked first: it is shown, the window stays
            event.ignore()
            return
        self.save_window_state()
        self.idle_lock.stop()
        self.backups.stop()
        self.live.stop()
        super().closeEvent(event)

    # --- signing out ----------------------------------------------------------------------------
    def sign_out_problem(self) -> str | None:
        """Save every open draft now; why this person cannot be signed out without losing what
        they typed (a draft that could not be saved, a form with changes and no draft), else None.
        Names no patient: the lock screen shows it to the next person."""
        name = self.user.full_name
        for view in self.workspace.views():
            leaving = getattr(view, "save_before_leaving", None)
            problem = leaving() if leaving is not None else None
            if problem:
                return (f"Not signed out: {name}'s draft of the {view_title(view).lower()} could not be "
                        f"saved ({problem}). {name} must sign in to deal with it first.")
        for widget in self._own_windows():
            if isinstance(widget, AsksBeforeDiscarding) and widget.has_changes():
                title = view_title(widget).removesuffix(" — Clinic Desktop")
                return (f"Not signed out: “{title}” has changes {name} has not saved. "
                        f"{name} must save or cancel it first.")
        return None

    def sign_out(self, how: str = "menu", next_user: SignedInUser | None = None) -> bool:
        """File → Sign out (``how`` "menu"), the lock's Sign out ("lock screen") or another person
        switching user on the lock ("switch user", ``next_user`` already signed in): every draft
        saved, every patient closed, every dialog of this window closed, ``sign_out`` audited, then
        ``signed_out`` and the window closes. Refused, with the reason shown (on the lock when
        locked), while something typed could not be kept; False then."""
        problem = self.sign_out_problem()
        if problem is None and not self.workspace.close_all():
            problem = f"Not signed out: a patient's screen of {self.user.full_name} stayed open."
        if problem is not None:
            log.info("sign-out of user id %s refused: something typed could not be kept", self.user.id)
            if self.idle_lock.is_locked():
                self.idle_lock.refuse(problem)
            else:
                QMessageBox.warning(self, "Not signed out", problem)
            return False
        for widget in self._own_windows():
            widget.close()
        from clinic_desktop.core.services import accounts

        try:
            accounts.sign_out(self.db, self.user, how)
        except Exception as exc:  # noqa: BLE001 - signing out must not leave the screen open
            log_error(log, "the sign-out could not be audited", exc)
        log.info("signed out: user id %s (%s)", self.user.id, how)
        self.save_window_state()
        self.signed_out.emit(next_user)
        self.close()
        return True

    def _own_windows(self) -> list[QWidget]:
        """The windows open over this one (dialogs, questions), not the lock's own dialog."""
        found = []
        for widget in QApplication.topLevelWidgets():
            if widget is self or not widget.isVisible() or widget is self.idle_lock.dialog():
                continue
            parent = widget.parentWidget()
            while parent is not None and parent is not self:
                parent = parent.parentWidget()
            if parent is self:
                found.append(widget)
        return found
