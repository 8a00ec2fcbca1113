"""The intake (assessment) screen: a patient banner, a side list of sections and one page per
section, autosaved as it is typed, signed with the clinician's password.

This is the shell (``SectionedScreen``): the sections themselves are small classes in
``clinic_desktop.gui.intake`` (identity, substances, medical, vitals, scores, mental health,
social, summary), each with ``build / load / read / validate`` between its page and its part of
the core's draft (``clinic_desktop.core.assessment``, which owns the draft's shape and rules).
A page is built when its section is first shown; until then ``draft_data()`` gives its section
as loaded, the way its page would keep it (``kept``). The screen talks to
``clinic_desktop.core.services.intake`` only, with plain values; it never logs names or MRNs
(ids only). Signing is one call, in ``_sign``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any, TypeVar

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import clock, protocols
from clinic_desktop.core.errors import ClinicError, ConflictError, ValidationError
from clinic_desktop.core.instruments import get_instrument
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import intake, patients
from clinic_desktop.core.services import settings as clinic_settings
from clinic_desktop.gui.intake import (
    SECTION_CLASSES,
    IdentitySection,
    IntakeSection,
    ScoresSection,
    SubstancesSection,
    SummarySection,
    VitalsSection,
)
from clinic_desktop.gui.operations import QueryOp, error_message
from clinic_desktop.gui.widgets.dialog_base import AsksBeforeDiscarding
from clinic_desktop.gui.widgets.instrument_entry import InstrumentEntry
from clinic_desktop.gui.widgets.patient_banner import safety_alert_text, safety_bar
from clinic_desktop.gui.widgets.reveal import reveal
from clinic_desktop.gui.widgets.sectioned_screen import SectionedScreen
from clinic_desktop.gui.widgets.sign_dialog import SignDialog
from clinic_desktop.gui.widgets.when_edit import WhenEdit

log = logging.getLogger(__name__)

CLOCK_MS = 60_000
S = TypeVar("S", bound=IntakeSection)


class AddendumDialog(AsksBeforeDiscarding, QDialog):
    """Correct a signed assessment: why, and the correction."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add an addendum")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason")
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Correction")
        self.text.setTabChangesFocus(True)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setAccessibleName("Addendum error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        form = QFormLayout()
        form.addRow("&Reason", self.reason)
        form.addRow("&Correction", self.text)
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox()
        self.buttons.addButton("Add addendum", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(520, 320)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)




class IntakeScreen(SectionedScreen):
    """The assessment of one episode, section by section; autosaved; signed at the end."""

    RECORD = "assessment"
    ENTITY = "assessment"
    SECTION_LIST_WIDTH = 250
    assessment_signed = Signal(int)  # episode id
    addendum_added = Signal(int)  # addendum id

    def __init__(self, db, user: SignedInUser, assessment: intake.AssessmentView, patient,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.user = user
        self.assessment = assessment
        self.patient = patient
        self.version = assessment.version
        self._released = False
        self._saved: dict[str, Any] | None = dict(assessment.data)
        self._sign_dialog: SignDialog | None = None
        self._addendum_dialog: AddendumDialog | None = None
        self._confirm_box: QMessageBox | None = None
        self._registration_dialog: QDialog | None = None
        self._protocol_settings = self._load_protocol_settings()
        self._prompt: protocols.Prompt | None = None
        self._loaded: dict[str, Mapping[str, Any]] = {}  # draft data of the sections not built yet
        by_name = {cls.name: cls for cls in SECTION_CLASSES}
        #: One object per section, in the core's order.
        self.sections: dict[str, IntakeSection] = {name: by_name[name](self)
                                                   for name, _ in rules.SECTIONS}
        self._identity = self._section(IdentitySection)
        self._substances = self._section(SubstancesSection)
        self._scores = self._section(ScoresSection)
        self._summary = self._section(SummarySection)

        self.setObjectName("intakeScreen")
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_MS)
        self._clock.timeout.connect(self._tick)

        self._build()
        self._show_patient()
        self.load(assessment.data)
        if assessment.signed:
            self._show_signed(assessment)
        self._clock.start()
        self._follow_idle_lock(parent)
        log.info("intake screen opened for assessment %s", assessment.id)

    def _section(self, cls: type[S]) -> S:
        section = self.sections[cls.name]
        assert isinstance(section, cls)
        return section

    # ---- building --------------------------------------------------------------------------
    def _build(self) -> None:
        self.safety_bar = safety_bar()
        self.signed_label = QLabel()
        self.signed_label.setAccessibleName("Signed")
        self.signed_label.setProperty("role", "heading")
        self.signed_label.setVisible(False)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setWhatsThis("Sign the assessment")
            shortcut.activated.connect(self.request_sign)
        self._build_shell(rules.SECTIONS, under_banner=[self.safety_bar], status_widgets=[self.signed_label])

    def _build_page(self, name: str, label: str) -> QWidget:
        return self.sections[name].build()

    def _section_built(self, name: str) -> None:
        """A page built when its section is first shown (building every page up front took most
        of the time to open the screen): fill it from the draft."""
        self._loading = True
        try:
            self.sections[name].load(self._loaded.pop(name, {}))
        finally:
            self._loading = False
        if self._read_only:
            self._apply_read_only()
        self._refresh_live()

    def _show_patient(self) -> None:
        """The banner, title and Identity page from ``self.patient`` (after an edit too)."""
        p = self.patient
        self.setWindowTitle(f"Assessment \u2014 {p.display_name}")
        self.banner.show_patient(p)
        if "identity" in self._built:
            self._identity.show_patient(p)

    def registration_dialog(self) -> QDialog | None:
        """The Edit registration dialog, while it is open."""
        return self._registration_dialog

    def edit_registration(self) -> None:
        """Edit registration…: the patient dialog in edit mode; on save, reload the record."""
        if self._read_only or not self.user.can("patients.edit"):
            return
        if self._registration_dialog is not None:
            self._registration_dialog.raise_()
            self._registration_dialog.activateWindow()
            return
        from clinic_desktop.gui.patient_dialog import PatientDialog

        dialog = PatientDialog(self.db, self.user, self, patient=self.patient)
        self._registration_dialog = dialog
        dialog.patient_saved.connect(lambda patient_id: self._registration_saved(patient_id, dialog))

        def finished(_result: int) -> None:
            if self._registration_dialog is dialog:
                self._registration_dialog = None
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    def _registration_saved(self, patient_id: int, dialog) -> None:
        try:
            self.patient = patients.open_record(self.db, self.user, patient_id)
        except ClinicError:
            log.warning("patient id %s could not be reloaded after an edit", patient_id)
            self.patient = dialog.saved_patient or self.patient
        log.info("registration of patient id %s edited from assessment %s", patient_id, self.assessment.id)
        self._show_patient()
        self._refresh_live()

    # ---- data in and out -------------------------------------------------------------------
    def draft_data(self) -> dict[str, Any]:
        """Everything entered, in the core's draft shape (refused vitals left out)."""
        out: dict[str, Any] = {}
        for name, section in self.sections.items():
            if name in self._built:
                out[name] = section.read()
            else:
                out[name] = section.kept(self._loaded.get(name, {}))
        return out

    def load(self, data: Mapping[str, Any]) -> None:
        """Fill the screen from a draft (missing parts are left empty)."""
        self._loading = True
        try:
            for name, section in self.sections.items():
                value = data.get(name) or {}
                value = value if isinstance(value, Mapping) else {}
                if name in self._built:
                    section.load(value)
                else:
                    self._loaded[name] = value
        finally:
            self._loading = False
        self._refresh_live()
        if self.assessment.draft_saved_at is not None:
            self.draft_status.setText(
                f"Draft saved at {clock.local_text(self.assessment.draft_saved_at)} by "
                f"{self.assessment.draft_saved_by_name or 'someone'}")

    # ---- live behaviour ----------------------------------------------------------------------
    def _now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def _refresh_live(self) -> None:
        data = self.draft_data()
        now = self._now()
        for i in range(self.section_list.count()):
            item = self.section_list.item(i)
            name = item.data(Qt.ItemDataRole.UserRole)
            label = rules.SECTION_LABELS[name]
            if name != "summary":
                done = not self.sections[name].validate(data, now)
                mark = "\u2713" if done else "\u25cb"
                item.setText(f"{mark}  {label}")
                item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, "done" if done else "incomplete")
                item.setToolTip("Done" if done else "Incomplete")
            else:
                item.setText(f"\u2192  {label}")
        self.banner.show_allergies(data["medical"]["allergies"])
        self.banner.show_flags(rules.risk_flags(data, self._section(VitalsSection).system))
        self.safety_bar.setText(safety_alert_text(rules.imminent_risk(data)))
        self.safety_bar.setVisible(rules.safety_alert(data))
        self._update_readiness(data, now)
        for name, section in self.sections.items():
            if name in self._built:
                section.refresh(data, now)
                section.mark_required(data)

    @property
    def prompt(self) -> protocols.Prompt | None:
        """The buprenorphine readiness prompt as last weighed (None when it could not be)."""
        return self._prompt

    def _load_protocol_settings(self) -> protocols.ProtocolSettings:
        return protocols.ProtocolSettings.from_mapping(clinic_settings.get_all(self.db))

    def readiness_prompt(self, data: Mapping[str, Any] | None = None,
                         now: dt.datetime | None = None) -> protocols.Prompt:
        data = data if data is not None else self.draft_data()
        now = now or self._now()
        items = data["scores"]["cows"]
        score = get_instrument("cows").score(items)
        answered = bool(items)
        cows_at = rules.scored_at(data, "scores", "cows") or now
        return rules.buprenorphine_readiness(
            data, score.total if answered else None, score.complete, cows_at if answered else None, now,
            self._protocol_settings, format_time=lambda t: clock.local_text(t, "%d %b %H:%M"))

    def _update_readiness(self, data: Mapping[str, Any], now: dt.datetime) -> None:
        try:
            prompt = self.readiness_prompt(data, now)
        except ValueError as exc:
            self._prompt = None
            if "scores" in self._built:
                self._scores.show_readiness_error(str(exc))
            return
        self._prompt = prompt
        if "scores" in self._built:
            self._scores.show_readiness(prompt)

    def _tick(self) -> None:
        flipped = "substances" in self._built and self._substances.tick()
        if flipped:  # a time that was in the future is now accepted: save it
            self._changed()
        else:
            self._update_readiness(self.draft_data(), self._now())

    # ---- sections and going to a field -------------------------------------------------------
    def _section_shown(self, name: str) -> None:
        if name == "summary":
            self._refresh_summary(self.draft_data())

    def field_for(self, key: str) -> QWidget | None:
        """The input a "section.field" key names (substance rows by their number among the rows
        with a substance, as the core counts them)."""
        name = key.split(".")[0]
        if name not in self._page_index:
            return None
        self._ensure(name)
        return self.sections[name].field_for(key)

    def go_to(self, key: str | None) -> None:
        if not key:
            return
        section = key.split(".")[0]
        if section not in self._page_index:
            return
        self.show_section(section)
        widget = self.field_for(key)
        if isinstance(widget, InstrumentEntry):
            missing = widget.score().missing
            if missing:
                widget.focus_item(missing[0])
            else:
                widget.focus_first()
            return
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            reveal(widget)

    def go_to_first_missing(self) -> None:
        if self._summary.missing_keys:
            self.go_to(self._summary.missing_keys[0])

    # ---- summary -----------------------------------------------------------------------------
    def show_missing(self, missing: Mapping[str, str]) -> None:
        self._summary.show_missing(missing)

    def _refresh_summary(self, data: Mapping[str, Any] | None = None) -> None:
        data = data if data is not None else self.draft_data()
        self._summary.show_summary(data, self._now())

    # ---- saving ------------------------------------------------------------------------------
    def _snapshot(self) -> dict[str, Any]:
        return self.draft_data()

    def _store(self, data: dict[str, Any]):
        return intake.save_draft(self.db, self.user, self.assessment.id, self.version, data)

    def _record_id(self) -> int:
        return self.assessment.id

    def _closing(self) -> None:
        self._clock.stop()
        if not self._released:
            self._released = True
            try:
                intake.release(self.db, self.user, self.assessment.id)
            except ClinicError:
                log.warning("assessment %s could not be released", self.assessment.id)

    # ---- signing -----------------------------------------------------------------------------
    def sign_dialog(self) -> SignDialog | None:
        return self._sign_dialog

    def confirm_box(self) -> QMessageBox | None:
        return self._confirm_box

    def request_sign(self) -> None:
        """Sign… (Ctrl+Enter): save what is typed, then ask for the password."""
        if self._read_only:
            return
        if self._conflict:
            QMessageBox.warning(self, "Cannot sign", self.conflict_banner.text())
            return
        if self._go_to_unreadable_date():
            return
        if not self.save_now():
            return
        self.show_section("summary")
        dialog = SignDialog(self)
        self._sign_dialog = dialog
        dialog.submitted.connect(lambda password: self._sign(password, dialog))

        def finished(_result: int) -> None:
            if self._sign_dialog is dialog:
                self._sign_dialog = None
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    def _go_to_unreadable_date(self) -> bool:
        """A date field whose text cannot be read keeps its last readable value in the draft:
        signing that would sign something other than what is on the screen. Show the field, its
        message under it, instead; True if there is one."""
        field = next((f for f in self.findChildren(WhenEdit) if f.error() is not None), None)
        if field is None:
            return False
        for index in range(self.pages.count()):
            page = self.pages.widget(index)
            if page is not None and page.isAncestorOf(field):
                self.section_list.setCurrentRow(index)
        field.check()
        reveal(field)
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _sign(self, password: str, dialog: QDialog | None, confirm_old: bool = False) -> None:
        """The one place the assessment is signed: the service call (argon2 and the database) runs
        off the GUI thread; ``_signed`` or ``_sign_refused`` take its answer."""
        pathway = self.draft_data()["summary"]["pathway"] or ""
        db, user, assessment_id, version = self.db, self.user, self.assessment.id, self.version
        controls: list[QWidget] = [self._summary.sign_button]
        if isinstance(dialog, SignDialog):
            controls.append(dialog.accept_button)
        QueryOp(parent=self, what="intake sign",
                op=lambda: intake.sign(db, user, assessment_id, version, password, pathway,
                                       confirm_old_last_use=confirm_old),
                success=lambda view: self._signed(view, dialog)) \
            .failure(lambda exc: self._sign_refused(exc, password, pathway, dialog)) \
            .disabling(*controls).run_in_background()

    def _sign_refused(self, exc: BaseException, password: str, pathway: str,
                      dialog: QDialog | None) -> None:
        if isinstance(exc, ValidationError):
            fields = dict(exc.fields)
            if "password" in fields:
                if isinstance(dialog, SignDialog):
                    dialog.show_error(fields["password"])
                return
            if dialog is not None:
                dialog.accept()
            data = self.draft_data()
            now = self._now()
            if not rules.missing_to_sign(data, pathway, now) and rules.old_last_uses(data, now):
                self._ask_old_last_use(password, fields)
                return
            self.show_section("summary")
            self.show_missing(fields)
            missing_list = self._summary.missing_list
            if missing_list.count():
                missing_list.setCurrentRow(0)
            missing_list.setFocus()
        elif isinstance(exc, ConflictError):
            if dialog is not None:
                dialog.accept()
            self._show_conflict(str(exc))
        elif isinstance(dialog, SignDialog):
            dialog.show_error(error_message(exc))

    def _signed(self, view: intake.AssessmentView, dialog: QDialog | None) -> None:
        if dialog is not None:
            dialog.accept()
        log.info("assessment %s signed", view.id)
        self._show_signed(view)
        self.assessment_signed.emit(view.episode_id)

    def _ask_old_last_use(self, password: str, fields: Mapping[str, str]) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Last use more than 30 days ago",
                          "\n".join(fields.values()), parent=self)
        confirm = box.addButton("Confirm and sign", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        self._confirm_box = box

        def answered(_result: int) -> None:
            self._confirm_box = None
            chosen = box.clickedButton()
            box.deleteLater()
            if chosen is confirm:
                self._sign(password, None, confirm_old=True)
            else:
                key = next(iter(fields), None)
                self.go_to(key)

        box.finished.connect(answered)
        box.open()

    def _show_signed(self, view: intake.AssessmentView) -> None:
        self.assessment = view
        self._read_only = True
        self._autosave.stop()
        self.signed_label.setText(f"Signed by {view.signed_by_name or 'unknown'} at {clock.local_text(view.signed_at)}")
        self.signed_label.setVisible(True)
        self.draft_status.setText("Signed: read-only; correct it with an addendum.")
        self.state_chip.show_state("SIGNED", "ok")
        self.show_section("summary")
        if view.pathway:
            self._summary.set_pathway(view.pathway)
        self._apply_read_only()
        self._refresh_summary()

    def _apply_read_only(self) -> None:
        """Signed: every built page read-only (pages built later are made so as they are built)."""
        for content in self._contents:
            content.setEnabled(False)
        for name, section in self.sections.items():
            if name in self._built:
                section.set_read_only()

    # ---- addendum ----------------------------------------------------------------------------
    def addendum_dialog(self) -> AddendumDialog | None:
        return self._addendum_dialog

    def request_addendum(self) -> None:
        if not self._read_only:
            return
        dialog = AddendumDialog(self)
        self._addendum_dialog = dialog

        def add() -> None:
            try:
                added = intake.add_addendum(self.db, self.user, self.assessment.id,
                                            dialog.reason.text(), dialog.text.toPlainText())
            except ValidationError as exc:
                dialog.show_error("\n".join(exc.fields.values()) or str(exc))
                return
            except ClinicError as exc:
                dialog.show_error(str(exc))
                return
            self.assessment = intake.assessment_for_episode(self.db, self.user, self.assessment.episode_id) \
                or self.assessment
            dialog.accept()
            self._refresh_summary()
            self.addendum_added.emit(added.id)

        def finished(_result: int) -> None:
            if self._addendum_dialog is dialog:
                self._addendum_dialog = None
            dialog.deleteLater()

        dialog.buttons.accepted.connect(add)
        dialog.finished.connect(finished)
        dialog.open()
