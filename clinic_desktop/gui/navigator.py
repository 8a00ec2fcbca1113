"""Where the main window's actions lead: one method per destination (a patient's record, the
assessment, the flowsheet, the aftercare plan, the admin and help dialogs).

The stage screens open as views in the patient's tab of the main window (``gui.workspace``), the
dialogs over the main window; either is raised when already open: one intake screen, one
stabilization screen and one plan screen per patient, one of each dialog. The main window decides
*which* patient (its selection) and what to refresh afterwards (the signals below); the navigator
knows how each screen is built and kept. Nothing patient-identifying is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from clinic_desktop.core import clock
from clinic_desktop.core.errors import ClinicError
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import episodes, intake, patients
from clinic_desktop.core.vocab import OPEN_STAGES
from clinic_desktop.gui.widgets.dialog_base import DialogSlot, GeometryDialog
from clinic_desktop.logs import log_file

if TYPE_CHECKING:
    from clinic_desktop.gui.discharge import DischargeFlow
    from clinic_desktop.gui.live_updates import LiveUpdates
    from clinic_desktop.gui.patient_dialog import PatientDialog
    from clinic_desktop.gui.workspace import Workspace

log = logging.getLogger(__name__)

class Navigator(QObject):
    """Opens (or raises) the screens and dialogs of a main window, ``window``."""

    census_changed = Signal()  # a screen changed what the census shows
    patient_saved = Signal(object, int)  # the patient dialog, the patient id
    settings_saved = Signal(dict)  # all the clinic settings as now stored
    handover_requested = Signal(list, object)  # episode ids, the screen asking
    patient_opened = Signal(int)  # patient id
    episode_opened = Signal(int)  # episode id
    assessment_opened = Signal(int)  # assessment id

    def __init__(self, db, user: SignedInUser, window: QWidget, workspace: Workspace, *,
                 encrypt: bool = True, live: LiveUpdates | None = None) -> None:
        super().__init__(window)
        self.db = db
        #: Other workstations' changes (PostgreSQL), given to every screen that has live_changed.
        self.live = live
        self.user = user
        self.encrypt = encrypt  # False: --no-encryption (the About box says so)
        self._window = window
        self._workspace = workspace
        self._patient_slot = DialogSlot()
        self._users_slot = DialogSlot()
        self._audit_slot = DialogSlot()
        self._settings_slot = DialogSlot()
        self._directory_slot = DialogSlot()
        self._check_slot = DialogSlot()
        self._discharge_slot = DialogSlot()
        #: The last Discharge… started (its dialogs and the sheet's preview).
        self.discharge_flow: DischargeFlow | None = None
        #: The stage screens open, by (kind, patient id): one of each kind per patient.
        self._screens: dict[tuple[str, int], GeometryDialog] = {}

    # --- a patient ------------------------------------------------------------------------------
    def new_patient(self) -> None:
        """Patient → New patient…: the empty patient dialog."""
        if not self.user.can("patients.edit"):
            return
        from clinic_desktop.gui.patient_dialog import PatientDialog

        self._show_patient_dialog(PatientDialog(self.db, self.user, self._window))

    def patient_record(self, patient_id: int) -> None:
        """The patient dialog with the patient's record."""
        try:
            record = patients.open_record(self.db, self.user, patient_id)
        except ClinicError as exc:
            self._show_error("The record could not be opened", exc)
            return
        log.info("opened patient id %s", patient_id)
        self.patient_opened.emit(patient_id)
        from clinic_desktop.gui.patient_dialog import PatientDialog

        self._show_patient_dialog(PatientDialog(self.db, self.user, self._window, patient=record))

    def _show_patient_dialog(self, dialog: PatientDialog) -> None:
        dialog.patient_saved.connect(lambda patient_id: self.patient_saved.emit(dialog, patient_id))
        self._patient_slot.open(dialog)

    def offer_draft(self, patient_id: int) -> bool:
        """If the patient's open episode is in assessment and has a draft, ask whether to continue
        it (non-blocking box); True when the question was shown."""
        try:
            episode = episodes.current_episode(self.db, self.user, patient_id)
            if episode is None or episode.stage != "assessment":
                return False
            draft = intake.assessment_for_episode(self.db, self.user, episode.id)
        except ClinicError:
            return False
        if draft is None or draft.signed:
            return False
        lines = []
        if draft.draft_saved_at is not None:
            lines.append(f"Draft saved at {clock.local_text(draft.draft_saved_at)} by "
                         f"{draft.draft_saved_by_name or 'someone'}.")
        else:
            lines.append("An assessment has been started; nothing is saved in it yet.")
        if draft.held_by_other:
            since = clock.local_text(draft.held_since) or "earlier"
            lines.append(f"{draft.holder_name} has this assessment open on {draft.holder_workstation} "
                         f"since {since}.")
        box = QMessageBox(QMessageBox.Icon.Question, "Assessment in progress", "\n".join(lines),
                          parent=self._window)
        box.setInformativeText("Continue the assessment, or open the patient record?")
        resume = box.addButton("Continue assessment", QMessageBox.ButtonRole.AcceptRole)
        record = box.addButton("Patient record", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(resume)

        def answered(_result: int) -> None:
            chosen = box.clickedButton()
            box.deleteLater()
            if chosen is resume:
                self.assessment(patient_id,
                                lambda: intake.open_assessment(self.db, self.user, episode.id))
            elif chosen is record:
                self.patient_record(patient_id)

        box.finished.connect(answered)
        box.open()
        return True

    def start_assessment(self, patient_id: int) -> None:
        """Patient → Start assessment: open (or reuse) the episode in assessment with a draft."""
        if not self.user.can("assessments.record"):
            return
        self.assessment(patient_id, lambda: intake.start(self.db, self.user, patient_id))

    def assessment(self, patient_id: int, get_view: Callable) -> None:
        """The intake screen of the assessment ``get_view()`` returns (raised if open)."""
        if self._raise(("assessment", patient_id)):
            return
        try:
            view = get_view()
            record = patients.open_record(self.db, self.user, patient_id)
        except ClinicError as exc:
            self._show_error("The assessment could not be opened", exc)
            return
        log.info("assessment %s opened for patient id %s", view.id, patient_id)
        self.census_changed.emit()
        from clinic_desktop.gui.intake_screen import IntakeScreen

        screen = IntakeScreen(self.db, self.user, view, record, self._workspace.view_host(record))
        screen.assessment_signed.connect(lambda _episode_id: self.census_changed.emit())
        self._show(("assessment", patient_id), record, screen)
        self.assessment_opened.emit(view.id)

    def flowsheet(self, patient_id: int) -> bool:
        """Open (or raise) the stabilization screen when the patient's episode is past its
        assessment; True when it was shown."""
        try:
            episode = episodes.current_episode(self.db, self.user, patient_id)
            if episode is None or episode.stage not in OPEN_STAGES:
                return False
            if self._raise(("flowsheet", patient_id)):
                return True
            record = patients.open_record(self.db, self.user, patient_id)
            from clinic_desktop.gui.stabilization_screen import StabilizationScreen

            screen = StabilizationScreen(self.db, self.user, episode, record, self._workspace.view_host(record))
        except ClinicError as exc:
            self._workspace.drop_empty_tab(patient_id)
            self._show_error("The flowsheet could not be opened", exc)
            return True
        screen.changed.connect(lambda _episode_id: self.census_changed.emit())
        screen.handover_requested.connect(
            lambda episode_id: self.handover_requested.emit([episode_id], screen))
        self._show(("flowsheet", patient_id), record, screen)
        log.info("flowsheet opened for episode %s", episode.id)
        self.episode_opened.emit(episode.id)
        return True

    def plan(self, patient_id: int) -> None:
        """Patient → Aftercare plan…: the plan builder of a patient in transition."""
        if not self.user.can("plans.edit"):
            return
        if self._raise(("plan", patient_id)):
            return
        try:
            episode = episodes.current_episode(self.db, self.user, patient_id)
            if episode is None or episode.stage != "transition":
                return
            record = patients.open_record(self.db, self.user, patient_id)
            from clinic_desktop.gui.plan_screen import PlanScreen

            screen = PlanScreen(self.db, self.user, episode.id, record, self._workspace.view_host(record))
        except ClinicError as exc:
            self._workspace.drop_empty_tab(patient_id)
            self._show_error("The aftercare plan could not be opened", exc)
            return
        screen.discharged.connect(lambda _episode_id: self.census_changed.emit())
        self._show(("plan", patient_id), record, screen)
        log.info("aftercare plan opened for episode %s", episode.id)

    def discharge(self, patient_id: int) -> None:
        """Patient → Discharge…: the patient's open episode, in any stage (gui.discharge, the
        flow the plan screen uses too); the census is refreshed once it is discharged."""
        if not self.user.can("episodes.stage") or self._discharge_slot.dialog is not None:
            return
        try:
            episode = episodes.current_episode(self.db, self.user, patient_id)
            if episode is None:
                return
            record = patients.open_record(self.db, self.user, patient_id)
        except ClinicError as exc:
            self._show_error("The patient could not be discharged", exc)
            return
        from clinic_desktop.gui.discharge import DischargeFlow

        self.discharge_flow = flow = DischargeFlow(self.db, self.user, episode.id, record, self._window,
                                                   open_dialog=self._discharge_slot.open)
        flow.discharged.connect(lambda _episode_id: self.census_changed.emit())
        flow.finished.connect(flow.deleteLater)
        flow.start()

    def _raise(self, key: tuple[str, int]) -> bool:
        """Bring the screen ``key`` to the front if it is open; whether it was."""
        screen = self._screens.get(key)
        if screen is not None:
            self._workspace.raise_view(screen)
        return screen is not None

    def _show(self, key: tuple[str, int], record, screen: GeometryDialog) -> None:
        """Show ``screen`` in the patient's tab, kept as ``key`` until it finishes (signed,
        finalized, closed); then the census is refreshed."""
        self._screens[key] = screen

        def finished(_result: int) -> None:
            if self._screens.get(key) is screen:
                del self._screens[key]
            screen.deleteLater()
            self.census_changed.emit()

        screen.finished.connect(finished)
        if self.live is not None and hasattr(screen, "live_changed"):
            self.live.changed.connect(screen.live_changed)  # another workstation's changes
        self._workspace.show_view(record, screen)

    # --- the clinic -----------------------------------------------------------------------------
    def users(self) -> None:
        """Admin → Users…: the staff accounts (add, unlock, set a password)."""
        if not self.user.can("users.manage"):
            return
        from clinic_desktop.gui.users_dialog import UsersDialog

        self._users_slot.open(UsersDialog(self.db, self.user, self._window))

    def audit_log(self) -> None:
        """Admin → Audit log…: the trail filtered, exported, and a patient's accounting of disclosures."""
        if not self.user.can("audit.read"):
            return
        from clinic_desktop.gui.audit_log_dialog import AuditLogDialog

        self._audit_slot.open(AuditLogDialog(self.db, self.user, self._window))

    def directory(self) -> None:
        """View → Referral directory…: everyone reads it; administrators edit and import."""
        if self._directory_slot.dialog is not None:
            self._directory_slot.dialog.raise_()
            return
        from clinic_desktop.gui.directory_dialog import DirectoryDialog

        self._directory_slot.open(DirectoryDialog(self.db, self.user, self._window))

    def clinic_settings(self) -> None:
        """Admin → Clinic settings…: clinic details, sign-in lockout, screen lock, the plan's paper
        and logo (``settings_saved`` when saved: the idle lock follows at once)."""
        from clinic_desktop.gui.clinic_settings_dialog import ClinicSettingsDialog

        self._settings(ClinicSettingsDialog)

    def protocol_settings(self) -> None:
        """Admin → Protocol settings…: the decision-support thresholds (audited)."""
        from clinic_desktop.gui.protocol_settings_dialog import ProtocolSettingsDialog

        self._settings(ProtocolSettingsDialog)

    def _settings(self, dialog_class) -> None:
        """One settings dialog at a time, Clinic or Protocol."""
        if not self.user.can("settings.edit"):
            return
        if self._settings_slot.dialog is not None:
            self._settings_slot.dialog.raise_()
            return
        dialog = dialog_class(self.db, self.user, self._window)
        dialog.settings_saved.connect(self.settings_saved)
        self._settings_slot.open(dialog)

    # --- help -----------------------------------------------------------------------------------
    def about(self) -> None:
        """Help → About."""
        from clinic_desktop.gui.about_dialog import AboutDialog

        dialog = AboutDialog(self.db, self._window, encrypt=self.encrypt)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()

    def manual(self) -> None:
        """Help → User manual (F1 in the main window): at the page of the screen with the keyboard
        (a view in a patient's tab), else the census page."""
        from clinic_desktop.gui.manual_dialog import page_for, show_manual

        focus = QApplication.focusWidget()
        inside = focus is not None and focus.window() is self._window
        show_manual(self._window, page_for(focus) if inside else None)

    def keyboard_shortcuts(self) -> None:
        """Help → Keyboard shortcuts: read from the windows' actions and shortcuts now."""
        from clinic_desktop.gui.shortcuts_dialog import ShortcutsDialog

        dialog = ShortcutsDialog(self._window)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()

    def open_log_folder(self) -> None:
        """Help → Open the log folder, in the desktop's file manager (to send the log to support)."""
        folder = log_file().parent
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            QMessageBox.information(self._window, "Log folder",
                                    f"The log folder could not be opened here. It is:\n{folder}")

    def check_installation(self) -> None:
        """Help → Check installation: the lines of clinic-desktop doctor, to copy for support."""
        if self._check_slot.dialog is not None:
            self._check_slot.dialog.raise_()
            return
        from clinic_desktop.gui.check_installation_dialog import CheckInstallationDialog

        self._check_slot.open(CheckInstallationDialog(self.db, self._window))

    def _show_error(self, title: str, exc: Exception) -> None:
        QMessageBox.warning(self._window, title, str(exc))
