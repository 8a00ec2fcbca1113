"""The aftercare plan of one episode in transition (CLINICAL.md §2): section by section like the
intake screen, autosaved as it is typed, previewed and finalized (password re-entered) into
numbered versions; the 42 CFR Part 2 consents for the places it refers to; discharge.

Opened non-modal by the main window as ``PlanScreen(db, user, episode_id, patient_record,
parent)``; ``discharged(episode_id)`` fires when the episode is closed from here (the screen then
closes itself).

This is the shell (DESIGN.md convention 17): the sections are :data:`core.plan.SECTIONS` plus
Consent and Print and finalize, each one small class in :mod:`clinic_desktop.gui.plan` with
``build / load / read / validate``. The shell puts the draft together and autosaves it, says
what is missing, and holds the document previews, finalizing (:meth:`PlanScreen._finalize`)
and discharge.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QMessageBox, QWidget

from clinic_desktop.core import assessment as intake_rules
from clinic_desktop.core import clock, units
from clinic_desktop.core import plan as plan_rules
from clinic_desktop.core.errors import (
    ClinicError,
    ClinicIdentityMissing,
    ConflictError,
    ValidationError,
)
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import intake, plans
from clinic_desktop.core.services import settings as clinic_settings
from clinic_desktop.gui.discharge import DischargeFlow
from clinic_desktop.gui.operations import QueryOp, error_message
from clinic_desktop.gui.pdf_preview import DocumentJob, PdfPreview, render_then_preview
from clinic_desktop.gui.plan.consent_panel import ConsentPanel, ReferralLetterDialog
from clinic_desktop.gui.plan.contacts import ContactBook
from clinic_desktop.gui.plan.directory_picker import DirectoryPicker
from clinic_desktop.gui.plan.discharge_dialog import DischargeDialog, SheetOfferDialog
from clinic_desktop.gui.plan.finalize import FinalizeSection
from clinic_desktop.gui.plan.follow_ups import FollowUpsSection
from clinic_desktop.gui.plan.level import LevelSection
from clinic_desktop.gui.plan.medication import MedicationSection
from clinic_desktop.gui.plan.overdose import OverdoseSection
from clinic_desktop.gui.plan.referrals import ReferralsSection
from clinic_desktop.gui.plan.relapse import RelapseSection
from clinic_desktop.gui.plan.rows import FieldsRow, ReferralRow
from clinic_desktop.gui.plan.safety_plan import SafetyPlanSection
from clinic_desktop.gui.plan.section import Section
from clinic_desktop.gui.plan.support import SupportSection
from clinic_desktop.gui.widgets.dialog_base import DialogSlot
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.required import RequiredMarks
from clinic_desktop.gui.widgets.sectioned_screen import SectionedScreen
from clinic_desktop.gui.widgets.sign_dialog import SignDialog

__all__ = ["SECTIONS", "DirectoryPicker", "PlanScreen"]

log = logging.getLogger(__name__)
S = TypeVar("S", bound=Section)

#: The plan's sections (core.plan.SECTIONS), then the screen's own two.
SECTIONS = (*((s.name, s.label) for s in plan_rules.SECTIONS),
            ("consent", "Consent"), ("finalize", "Print and finalize"))
SECTION_LABELS = dict(SECTIONS)
#: Sections that can be incomplete (they get a done mark in the side list).
CHECKED = tuple(s.name for s in plan_rules.SECTIONS if s.checked)
#: The class of each section, by name.
SECTION_CLASSES: dict[str, type[Section]] = {cls.name: cls for cls in (
    MedicationSection, LevelSection, ReferralsSection, SupportSection, RelapseSection,
    SafetyPlanSection, OverdoseSection, FollowUpsSection, ConsentPanel, FinalizeSection)}


class PlanScreen(SectionedScreen):
    """The aftercare plan of one episode in transition."""

    RECORD = "plan"
    ENTITY = "plan"
    SECTION_LIST_WIDTH = 262  # "○  Naloxone, overdose and PAWS" whole in the app's font
    LAZY_PAGES = False  # every page at once: the missing list and the consents span sections
    discharged = Signal(int)  # episode id
    finalized = Signal(int)  # the new version number

    def __init__(self, db, user: SignedInUser, episode_id: int, patient,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.user, self.episode_id, self.patient = db, user, episode_id, patient
        self.view = plans.open_plan(db, user, episode_id)  # ClinicError goes to the caller
        self.plan_id = self.view.id
        self.version = self.view.version
        self._base = dict(self.view.draft)  # keeps keys this screen does not edit
        #: After a refused finalize, each missing item's message under its field too (made then).
        self._missing_errors: FieldErrors | None = None
        #: The fields finalizing requires (core.plan.required_fields), marked as the draft changes.
        self.required_marks = RequiredMarks(self.field_for)
        self.contacts = ContactBook(db, user)  # the directory entries the plan names
        self.sections: dict[str, Section] = {name: SECTION_CLASSES[name](self)
                                             for name, _label in SECTIONS}
        self.referrals = self._the(ReferralsSection)
        self.support = self._the(SupportSection)
        self.follow_ups = self._the(FollowUpsSection)
        self.consent = self._the(ConsentPanel)
        self.finalize_section = self._the(FinalizeSection)
        self.referrals.rows_changed = self.consent.show_recipients
        #: The one child dialog open at a time (picker, letter, finalize, discharge).
        self._dialogs = DialogSlot()
        self._preview: PdfPreview | None = None
        self._job: DocumentJob | None = None

        self.setObjectName("planScreen")
        self.setWindowTitle(f"Aftercare plan \u2014 {patient.display_name}")

        self._build()
        self.load(self.view)
        self._saved = self._snapshot()
        self.refresh_missing()
        self._follow_idle_lock(parent)
        log.info("plan screen opened for plan %s", self.plan_id)

    def _the(self, cls: type[S]) -> S:
        """The section of class ``cls``."""
        section = self.sections[cls.name]
        assert isinstance(section, cls)
        return section

    # ---- building --------------------------------------------------------------------------
    def _build(self) -> None:
        self._build_shell(SECTIONS)
        self.banner.show_patient(self.patient)
        try:
            a = intake.assessment_for_episode(self.db, self.user, self.episode_id)
            data = dict(a.data) if a is not None else {}
        except ClinicError:
            data = {}
        self.banner.show_allergies(str((data.get("medical") or {}).get("allergies") or ""))
        self.banner.show_flags(intake_rules.risk_flags(
            data, units.clinic_system(clinic_settings.get_all(self.db))))
        for box in self.findChildren(QCheckBox):  # accessible name = the visible label
            box.setAccessibleName(box.text())

    def _build_page(self, name: str, label: str) -> QWidget:
        return self.sections[name].build(label)

    # ---- rows, for whoever fills the plan in by hand or in a script ------------------------
    @property
    def referral_rows(self) -> list[ReferralRow]:
        return self.referrals.rows

    @property
    def people_rows(self) -> list[FieldsRow]:
        return self.support.people_rows

    @property
    def follow_up_rows(self) -> list[FieldsRow]:
        return self.follow_ups.rows

    def add_referral(self, entry_id: int, data: Mapping[str, Any] | None = None, *,
                     focus: bool = False) -> ReferralRow:
        return self.referrals.add(entry_id, data, focus=focus)

    # ---- child dialogs -----------------------------------------------------------------------
    def open_dialog(self, dialog: QDialog) -> None:
        """Open ``dialog`` as the screen's one child dialog."""
        self._dialogs.open(dialog)

    def _child(self, cls: type[QDialog]) -> Any:
        """The open child dialog if it is a ``cls``."""
        dialog = self._dialogs.dialog
        return dialog if isinstance(dialog, cls) else None

    def picker(self) -> DirectoryPicker | None:
        return self._child(DirectoryPicker)

    def pick_entry(self, what: str, kind: str | None = None) -> None:
        """Add referral… / Add meeting…: choose from a search of the directory (of one ``kind``
        of entry when given)."""
        title = "Add a referral" if what == "referral" else "Add a meeting"
        dialog = DirectoryPicker(self.db, self.user, title, self, kind=kind)

        def chosen(entry) -> None:
            self.contacts.remember(entry.id, dialog.contact(entry))
            if what == "referral":
                self.referrals.add(entry.id, focus=True)
            else:
                self.support.add_meeting(entry.id)

        dialog.chosen.connect(chosen)
        self.open_dialog(dialog)

    def letter_dialog(self) -> ReferralLetterDialog | None:
        return self._child(ReferralLetterDialog)

    def sign_dialog(self) -> SignDialog | None:
        return self._child(SignDialog)

    def discharge_dialog(self) -> DischargeDialog | None:
        return self._child(DischargeDialog)

    # ---- data ------------------------------------------------------------------------------
    def load(self, view: plans.PlanView) -> None:
        self._loading = True
        try:
            for section in self.sections.values():
                section.load(view)
        finally:
            self._loading = False

    def draft_data(self) -> dict[str, Any]:
        d = dict(self._base)
        for section in self.sections.values():
            d.update(section.read())
        return d

    def settings(self) -> tuple[str, str, bool]:
        return self.finalize_section.settings()

    def _snapshot(self) -> tuple:
        return (self.draft_data(), self.settings())

    def _refresh_live(self) -> None:
        self.refresh_missing()

    def _store(self, snapshot: tuple):
        data, (language, page_size, large_print) = snapshot
        return plans.save_draft(self.db, self.user, self.plan_id, self.version, data,
                                language=language, page_size=page_size, large_print=large_print)

    def _record_id(self) -> int:
        return self.plan_id

    # ---- sections and what is missing ------------------------------------------------------
    def _section_of(self, key: str) -> Section | None:
        name = plan_rules.SECTION_OF.get(key.split(".")[0])
        return self.sections.get(name) if name else None

    def field_for(self, key: str) -> QWidget | None:
        section = self._section_of(key)
        return section.field_for(key) if section is not None else None

    def go_to(self, key: str | None) -> None:
        """Show the section of a missing item's ``key``, the cursor in its input."""
        section = self._section_of(key) if key else None
        if key is None or section is None:
            return
        self.show_section(section.name)
        widget = section.field_for(key)
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _section_label(self, key: str) -> str:
        section = self._section_of(key)
        return SECTION_LABELS[section.name] if section is not None else ""

    def refresh_missing(self, missing: Mapping[str, str] | None = None) -> None:
        """The list of what is missing before finalizing, each section's mark, and the required
        marks of the fields finalizing asks for now."""
        draft = self.draft_data()
        if missing is None:
            missing = plan_rules.missing_to_finalize(draft, self.view.naltrexone, self.view.safety_alert_raised,
                                                     orders=self.view.orders, now=clock.now())
        if self._missing_errors is not None:  # a field filled in since loses its message
            for key in self._missing_errors.messages.keys() - missing.keys():
                self._missing_errors.clear(key)
        self._mark_required(draft)
        self.finalize_section.show_missing(missing, self._section_label)
        recommended = plan_rules.recommended(self.view.pregnant, self.referrals.kinds())
        self.referrals.show_recommended(recommended)
        self.finalize_section.show_recommended(recommended)
        for i, (name, label) in enumerate(SECTIONS):
            item = self.section_list.item(i)
            if name in CHECKED:
                incomplete = bool(self.sections[name].validate(missing))
                mark = "\u25cb" if incomplete else "\u2713"
                item.setText(f"{mark}  {label}")
                item.setToolTip("Something is still missing here" if incomplete else "Complete")
            else:
                item.setText(f"    {label}")

    def _mark_required(self, draft: Mapping[str, Any]) -> None:
        """`` *`` and "Required" on each field finalizing requires with this draft (a referral's
        reason, naltrexone's reason before its window, ...); a section's legend while it has one."""
        self.required_marks.update(plan_rules.required_fields(draft, self.view.naltrexone,
                                                              self.view.safety_alert_raised,
                                                              orders=self.view.orders, now=clock.now()))
        marked = {s.name for key in self.required_marks.marked if (s := self._section_of(key)) is not None}
        for name, section in self.sections.items():
            if section.legend is not None:
                section.legend.setVisible(name in marked)

    def _flag_missing(self, missing: Mapping[str, str]) -> None:
        """Finalize was refused: say what is missing next to each field as well (the list on
        the Print and finalize page still leads there); a message goes once its field is filled."""
        if self._missing_errors is None:
            self._missing_errors = FieldErrors(self._fields)
        self._missing_errors.clear()
        for key, message in missing.items():
            if key in self._fields:
                self._missing_errors.set_error(key, message)

    # ---- documents: preview, letters, versions ---------------------------------------------
    def preview_dialog(self) -> PdfPreview | None:
        return self._preview

    def document_job(self) -> DocumentJob | None:
        """The document being prepared (off the GUI thread), if any."""
        return self._job

    def render_document(self, render, title: str, name: str, *, failure_title: str,
                        on_error=None) -> None:
        """Prepare a PDF off the GUI thread, then preview it (one document at a time)."""
        if self._job is not None:
            return
        job = render_then_preview(render, title, name, self, failure_title=failure_title,
                                  on_error=on_error)
        self._job = job
        job.document_ready.connect(self._document_ready)
        job.failed.connect(self._document_failed)

    def _document_failed(self, _message: str) -> None:
        self._job = None

    def _document_ready(self, preview: PdfPreview) -> None:
        self._job = None
        self._preview = preview

        def finished(_result: int) -> None:
            if self._preview is preview:
                self._preview = None

        preview.finished.connect(finished)

    def file_stem(self) -> str:
        """The start of a printed plan's file name."""
        return f"aftercare-plan-{getattr(self.patient, 'mrn', self.episode_id)}"

    def preview(self) -> None:
        """Preview…: the plan as it would print now, from what is typed (saved first)."""
        if not self._conflict and not self.save_now():
            QMessageBox.warning(self, "Not previewed", self.draft_status.text())
            return
        db, user, plan_id = self.db, self.user, self.plan_id

        def render() -> bytes:  # the draft with a DRAFT watermark, the print audited
            return plans.preview_pdf(db, user, plan_id)

        def failed(exc: BaseException) -> None:  # the message is shown; what is missing, listed
            if isinstance(exc, ValidationError) and not isinstance(exc, ClinicIdentityMissing):
                self.refresh_missing(exc.fields)

        self.render_document(render, "Aftercare plan \u2014 preview",
                             f"{self.file_stem()}-draft.pdf", failure_title="Not previewed",
                             on_error=failed)

    # ---- finalize ----------------------------------------------------------------------------
    def request_finalize(self) -> None:
        """Finalize…: save, then ask for the password."""
        if self._read_only:
            return
        if self._conflict:
            QMessageBox.warning(self, "Cannot finalize", self.conflict_banner.text())
            return
        if not self.save_now():
            return
        dialog = SignDialog(self, title="Finalize the aftercare plan", accept_text="Finalize",
                            text="Finalizing stores this plan as the next numbered version, "
                                 "exactly as it prints. Enter your password to finalize.")
        dialog.submitted.connect(lambda password: self._finalize(password, dialog))
        self.open_dialog(dialog)

    def _finalize(self, password: str, dialog: SignDialog | None) -> None:
        """The one place the plan is finalized: the service call (argon2, the PDF, the database)
        runs off the GUI thread; ``_finalized`` or ``_finalize_refused`` take its answer."""
        db, user, plan_id, expected = self.db, self.user, self.plan_id, self.version

        def finalize() -> tuple[plans.PlanVersionView, list[plans.PlanVersionView] | None]:
            version = plans.finalize(db, user, plan_id, expected, password)
            try:
                return version, plans.versions(db, user, plan_id)
            except ClinicError:
                return version, None

        controls: list[QWidget] = [self.finalize_section.finalize_button]
        if dialog is not None:
            controls.append(dialog.accept_button)
        QueryOp(parent=self, op=finalize, what="plan finalize",
                success=lambda done: self._finalized(*done, dialog)) \
            .failure(lambda exc: self._finalize_refused(exc, dialog)) \
            .disabling(*controls).run_in_background()

    def _finalize_refused(self, exc: BaseException, dialog: SignDialog | None) -> None:
        if isinstance(exc, ValidationError):
            fields = dict(exc.fields)
            if "password" in fields:
                if dialog is not None:
                    dialog.show_error(fields["password"])
                return
            if dialog is not None:
                dialog.accept()
            self.show_section("finalize")
            if set(fields) == {""}:
                QMessageBox.information(self, "Not finalized", fields[""])
                return
            self.refresh_missing(fields)
            self._flag_missing(fields)
            self.finalize_section.lead_to_missing()
        elif isinstance(exc, ConflictError):
            if dialog is not None:
                dialog.accept()
            self._show_conflict(str(exc))
        elif dialog is not None:
            dialog.show_error(error_message(exc))

    def _finalized(self, version: plans.PlanVersionView,
                   versions: list[plans.PlanVersionView] | None, dialog: SignDialog | None) -> None:
        if dialog is not None:
            dialog.accept()
        log.info("plan %s finalized as version %s", self.plan_id, version.number)
        if versions is not None:
            self.finalize_section.show_versions(versions)
        self.draft_status.setText(f"Version {version.number} finalized "
                                  f"{clock.local_text(version.finalized_at)}")
        self.finalized.emit(version.number)

    # ---- discharge -------------------------------------------------------------------------
    def request_discharge(self) -> None:
        """Discharge… (gui.discharge: the same flow as the main window's): the screen stops
        saving once the flow changed the plan or the episode, and closes after the sheet."""
        self.save_now()
        flow = DischargeFlow(self.db, self.user, self.episode_id, self.patient, self,
                             open_dialog=self.open_dialog, render=self._render_for_flow)
        flow.reconciled.connect(self._reconciled_at_discharge)
        flow.discharged.connect(self._discharged)
        flow.finished.connect(self.accept)
        flow.start()

    def _render_for_flow(self, render, title: str, name: str, failure_title: str) -> DocumentJob | None:
        self.render_document(render, title, name, failure_title=failure_title)
        return self._job

    def sheet_offer(self) -> SheetOfferDialog | None:
        return self._child(SheetOfferDialog)

    def _stop_editing(self) -> None:
        """The plan changed under this screen (the reconciliation saved at discharge): no more
        autosave of what it shows, which would overwrite it."""
        self._read_only = True
        self._autosave.stop()

    def _reconciled_at_discharge(self, _version: int) -> None:
        self._stop_editing()
        self.draft_status.setText("The reconciliation was saved at Discharge…; reopen the plan "
                                  "to go on with it.")

    def _discharged(self, episode_id: int) -> None:
        log.info("episode %s discharged from the plan screen", episode_id)
        self._stop_editing()
        self.discharged.emit(episode_id)
