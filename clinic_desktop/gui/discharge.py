"""Discharge…: one flow for both places it starts, the main window's Patient menu (anyone who
moves episodes on, "episodes.stage", in any open stage: a nurse at night when a patient walks
out) and the aftercare plan's Print and finalize section.

1. :class:`~clinic_desktop.gui.plan.discharge_dialog.DischargeDialog`: why the patient leaves
   and, for a prescriber or nurse ("plans.reconcile") when the episode has active orders, the
   discharge medication reconciliation — the plan's own rows, saved into the plan
   (``plans.reconcile_at_discharge``, the plan created when there is none). It may be skipped
   ("Not reconciled now"); it never stands between the discharge and the sheet.
2. ``plans.discharge`` closes the episode (``discharged`` fires).
3. :class:`~clinic_desktop.gui.plan.discharge_dialog.SheetOfferDialog`: the overdose and crisis
   sheet printed (previewed to print), or why not; both audited by the service. It says when the
   plan still lacks the reconciliation. ``finished`` fires once one of the two is done.

The owner gives the flow where its dialogs open (``open_dialog``, default: a slot of its own)
and how a document is prepared and previewed (``render``, default: ``render_then_preview``).
Nothing patient-identifying is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

from clinic_desktop.core.errors import ClinicError, ConflictError
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import plans
from clinic_desktop.gui.pdf_preview import DocumentJob, render_then_preview
from clinic_desktop.gui.plan.discharge_dialog import DischargeDialog, SheetOfferDialog
from clinic_desktop.gui.widgets.dialog_base import DialogSlot

log = logging.getLogger(__name__)

#: Prepares a PDF off the GUI thread and previews it: (render, title, file name, failure title)
#: → the job, or None when another document is being prepared.
Render = Callable[[Callable[[], bytes], str, str, str], DocumentJob | None]

NOT_RECONCILED = ("The discharge medication reconciliation was not done: the aftercare plan lacks it. "
                  "Tell the prescriber which medicines the patient left with.")


class DischargeFlow(QObject):
    """Discharge… of one open episode, from start (:meth:`start`) to the sheet's answer."""

    reconciled = Signal(int)  # the plan's version after the reconciliation was saved
    discharged = Signal(int)  # episode id
    finished = Signal()  # the sheet was printed (its preview closed) or why not was recorded

    def __init__(self, db, user: SignedInUser, episode_id: int, patient: Any, parent: QWidget, *,
                 open_dialog: Callable[[QDialog], None] | None = None, render: Render | None = None) -> None:
        super().__init__(parent)
        self.db, self.user, self.episode_id, self.patient = db, user, episode_id, patient
        self._parent = parent
        self._slot = DialogSlot()
        self._open = open_dialog or self._slot.open
        self._render = render or self._preview
        self.reconciliation: plans.DischargeReconciliation | None = None
        #: Whether the plan still lacks the reconciliation of an active order (said on the sheet offer).
        self.unreconciled = False
        self.dialog: DischargeDialog | None = None
        self.offer: SheetOfferDialog | None = None
        #: The sheet's preview, once shown.
        self.preview: QDialog | None = None

    # ---- 1. why, and the reconciliation ------------------------------------------------------
    def start(self) -> DischargeDialog:
        try:
            self.reconciliation = plans.discharge_reconciliation(self.db, self.user, self.episode_id)
        except ClinicError:
            self.reconciliation = None  # the discharge itself says what is wrong
        dialog = DischargeDialog(self._parent, self.reconciliation,
                                 may_reconcile=self.user.can("plans.reconcile"))
        dialog.submitted.connect(lambda kind, reason: self._discharge(kind, reason, dialog))
        self.dialog = dialog
        self._open(dialog)
        return dialog

    def _discharge(self, kind: str | None, reason: str, dialog: DischargeDialog) -> None:
        try:  # the reason first: nothing is saved for a discharge that would be refused
            plans.discharge_reason(kind, reason)
        except ClinicError as exc:
            dialog.show_error(str(exc))
            return
        assert kind is not None  # a kind of plans.DISCHARGE_KINDS, checked
        found = self.reconciliation
        if dialog.reconciling() and found is not None:
            rows = dialog.reconciliation_values()
            missing = found.missing(rows)
            if missing:
                dialog.show_missing(missing)
                return
            try:
                saved = plans.reconcile_at_discharge(self.db, self.user, self.episode_id, rows, found.version)
            except ClinicError as exc:
                dialog.show_error(str(exc) + ("" if not isinstance(exc, ConflictError) else
                                              " Or tick \u201cNot reconciled now\u201d."))
                return
            self.reconciliation = found = plans.DischargeReconciliation(
                found.episode_id, found.plan_id, saved.version, found.orders, tuple(rows), found.read_at)
            log.info("medications reconciled at discharge for episode %s", self.episode_id)
            self.reconciled.emit(saved.version)
        try:
            plans.discharge(self.db, self.user, self.episode_id, reason, kind=kind)
        except ClinicError as exc:
            dialog.show_error(str(exc))
            return
        log.info("episode %s discharged", self.episode_id)
        # as the plan now holds it: saved here, or earlier on the plan (skipping keeps that)
        self.unreconciled = found is not None and bool(found.missing())
        dialog.accept()
        self.discharged.emit(self.episode_id)
        self._offer_sheet()

    # ---- 2. the sheet --------------------------------------------------------------------------
    def _offer_sheet(self) -> None:
        """Every discharge prints something: the overdose and crisis sheet, or why not (both
        audited)."""
        offer = SheetOfferDialog(self._parent, NOT_RECONCILED if self.unreconciled else "")
        offer.print_requested.connect(lambda: self._print_sheet(offer))
        offer.not_printed.connect(lambda why: self._sheet_not_printed(why, offer))
        self.offer = offer
        self._open(offer)

    def _print_sheet(self, offer: SheetOfferDialog) -> None:
        db, user, episode_id = self.db, self.user, self.episode_id
        offer.accept()
        job = self._render(lambda: plans.overdose_sheet_pdf(db, user, episode_id), "Overdose and crisis sheet",
                           f"overdose-sheet-{getattr(self.patient, 'mrn', episode_id)}.pdf",
                           "Sheet not prepared")
        if job is None:  # another document was being prepared: offer again
            self._offer_sheet()
            return
        job.document_ready.connect(self._sheet_shown)
        job.failed.connect(lambda _message: self._offer_sheet())

    def _sheet_shown(self, preview: QDialog) -> None:
        self.preview = preview
        preview.finished.connect(lambda _r: self.finished.emit())

    def _preview(self, render: Callable[[], bytes], title: str, name: str, failure_title: str) -> DocumentJob:
        return render_then_preview(render, title, name, self._parent, failure_title=failure_title)

    def _sheet_not_printed(self, why: str, offer: SheetOfferDialog) -> None:
        try:
            plans.sheet_not_printed(self.db, self.user, self.episode_id, why)
        except ClinicError as exc:
            offer.show_error(str(exc))
            return
        offer.accept()
        self.finished.emit()
