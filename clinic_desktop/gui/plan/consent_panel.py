"""The Consent section: the 42 CFR Part 2 consents to share with the places the plan refers
to (record, list, revoke), and the referral letter sent under one of them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import clock
from clinic_desktop.core import consent as consent_rules
from clinic_desktop.core.errors import ClinicError
from clinic_desktop.core.services import plans
from clinic_desktop.gui.plan.rows import ReferralRow, labelled
from clinic_desktop.gui.plan.section import Section
from clinic_desktop.gui.widgets.dialog_base import AsksBeforeDiscarding, error_line
from clinic_desktop.gui.widgets.local_time import wall_now
from clinic_desktop.gui.widgets.when_edit import WhenEdit


class ReferralLetterDialog(AsksBeforeDiscarding, QDialog):
    """Referral letter…: which plan items the patient agreed to share with this recipient."""

    letter_requested = Signal(list)  # keys of consent_rules.INFORMATION_ITEMS, in print order

    def __init__(self, consent, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.consent = consent
        self.setWindowTitle(f"Referral letter \u2014 {consent.recipient_name}")
        until = consent.expires_on.isoformat()
        text = QLabel(f"The letter to {consent.recipient_name} carries the referral and only the "
                      f"parts of the plan ticked here. Tick only what the patient agreed to share: "
                      f"\u201c{consent.information}\u201d (until {until}).")
        text.setWordWrap(True)
        self.items: dict[str, QCheckBox] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        for key, label in consent_rules.INFORMATION_ITEMS.items():
            box = QCheckBox(label)
            box.setAccessibleName(label)
            self.items[key] = box
            layout.addWidget(box, 0, Qt.AlignmentFlag.AlignLeft)
        self.buttons = QDialogButtonBox()
        self.prepare_button = self.buttons.addButton("Prepare letter",
                                                     QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(lambda: self.letter_requested.emit(self.shared()))
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(480, self.sizeHint().height())

    def shared(self) -> list[str]:
        return [key for key, box in self.items.items() if box.isChecked()]


def _date_edit(day: dt.date) -> WhenEdit:
    edit = WhenEdit(kind="date")
    edit.set_date(day)
    return edit


def _a_year_after(day: dt.date) -> dt.date:
    """The same day next year (29 February: the 28th)."""
    return day.replace(year=day.year + 1, day=min(day.day, 28) if (day.month, day.day) == (2, 29) else day.day)


class ConsentPanel(Section):
    """Record a consent for a referral's recipient; the consents of the episode, each active,
    expired or revoked; revoke one; a referral letter under the selected one."""

    name = "consent"

    def build(self, title: str) -> QWidget:
        self._consents: dict[int, Any] = {}  # consent id → ConsentView
        page, inner = self.page(title)
        inner.addWidget(self.note("42 CFR Part 2: nothing about the patient's substance use "
                                  "treatment is shared with a referral without a written consent "
                                  "naming the recipient, the purpose, what may be shared and when "
                                  "it expires."))
        form = self.form()
        self.recipient = QComboBox()
        form.addRow(labelled("Recipient", self.recipient), self.recipient)
        self.purpose = QLineEdit()
        form.addRow(labelled("Purpose", self.purpose), self.purpose)
        self.information = QLineEdit()
        self.information.setPlaceholderText("How much and what kind of information")
        form.addRow(labelled("Information", self.information), self.information)
        today = wall_now().date()
        self.expires = _date_edit(_a_year_after(today))
        form.addRow(labelled("Expires on", self.expires.line), self.expires)
        self.expires.set_label("Expires on")
        self.signed = _date_edit(today)
        form.addRow(labelled("Signature date", self.signed.line), self.signed)
        self.signed.set_label("Signature date")
        self.error = error_line()
        self.error.setAccessibleName("Consent error")
        form.addRow("", self.error)
        inner.addLayout(form)
        record = QPushButton("Record consent")
        record.clicked.connect(self.record)
        inner.addLayout(self.buttons(record))
        self.list = QListWidget()
        self.list.setAccessibleName("Consents")
        self.list.setMinimumHeight(100)
        inner.addWidget(self.list, 1)
        revoke = QPushButton("Revoke")
        revoke.clicked.connect(self.revoke)
        self.letter_button = QPushButton("Referral letter\u2026")
        self.letter_button.setToolTip("A letter to the selected consent's recipient, with only "
                                      "what the patient agreed to share")
        self.letter_button.setEnabled(False)
        self.letter_button.clicked.connect(self.request_letter)
        self.list.currentItemChanged.connect(lambda *_a: self._chosen())
        inner.addLayout(self.buttons(revoke, self.letter_button))
        return page

    def load(self, view) -> None:
        self.show_consents(view.consents)

    # ---- recipients and the list -------------------------------------------------------------
    def show_recipients(self, rows: list[ReferralRow]) -> None:
        """The referrals' places, once each, keeping the one chosen."""
        current = self.recipient.currentData()
        self.recipient.clear()
        for row in rows:
            if self.recipient.findData(row.entry_id) < 0:
                self.recipient.addItem(row.title, row.entry_id)
        index = self.recipient.findData(current)
        if index >= 0:
            self.recipient.setCurrentIndex(index)

    def show_consents(self, consents) -> None:
        self.list.clear()
        self._consents = {}
        today = dt.date.today()
        for c in consents:
            self._consents[c.id] = c
            if c.revoked:
                when = clock.local_text(c.revoked_at, "%Y-%m-%d")
                state = f"revoked {when} by {c.revoked_by_name or 'unknown'}"
            elif c.expired(today):
                state = "expired"
            else:
                state = "active"
            item = QListWidgetItem(f"{c.recipient_name} \u2014 {c.purpose} \u2014 {c.information} "
                                   f"\u2014 signed {c.signed_on.isoformat()}, expires "
                                   f"{c.expires_on.isoformat()} ({state})")
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            if c.revoked:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            self.list.addItem(item)
        self._chosen()

    def reload(self) -> None:
        """The episode's consents, read again."""
        screen = self.screen
        try:
            self.show_consents(plans.consents(screen.db, screen.user, screen.episode_id))
        except ClinicError as exc:
            QMessageBox.warning(screen, "Consents not shown", str(exc))

    def _chosen(self) -> None:
        self.letter_button.setEnabled(self.selected() is not None)

    def selected(self):
        """The selected consent, unless it is revoked."""
        item = self.list.currentItem()
        if item is None:
            return None
        consent = self._consents.get(item.data(Qt.ItemDataRole.UserRole))
        return None if consent is None or consent.revoked else consent

    # ---- record, revoke ----------------------------------------------------------------------
    def record(self) -> None:
        screen = self.screen
        self.error.setVisible(False)
        for field, missing in ((self.expires, "Enter the date the consent expires."),
                               (self.signed, "Enter the date the consent was signed.")):
            if field.check() or (field.is_blank() and field.errors.set_error("when", missing)):
                field.setFocus()
                return
        expires, signed = self.expires.date_value(), self.signed.date_value()
        assert expires is not None and signed is not None  # read and not blank, above
        data = plans.ConsentInput(
            directory_entry_id=self.recipient.currentData(), purpose=self.purpose.text(),
            information=self.information.text(), expires_on=expires, signed_on=signed)
        try:
            plans.record_consent(screen.db, screen.user, screen.episode_id, data)
        except ClinicError as exc:
            self.error.setText(str(exc))
            self.error.setVisible(True)
            return
        self.purpose.clear()
        self.information.clear()
        self.reload()

    def revoke(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        try:
            consent_id = item.data(Qt.ItemDataRole.UserRole)
            plans.revoke_consent(self.screen.db, self.screen.user, consent_id)
        except ClinicError as exc:
            QMessageBox.warning(self.screen, "Consent not revoked", str(exc))
            return
        self.reload()

    # ---- the referral letter -----------------------------------------------------------------
    def request_letter(self) -> None:
        """Referral letter…: for the selected consent, if it is still active."""
        screen = self.screen
        consent = self.selected()
        if consent is None or screen.document_job() is not None:
            return
        if not consent.active(dt.date.today()):
            QMessageBox.warning(screen, "No letter",
                                f"The consent for {consent.recipient_name} expired on "
                                f"{consent.expires_on.isoformat()}. Record a new signed consent "
                                "before sending a letter.")
            return
        dialog = ReferralLetterDialog(consent, screen)
        dialog.letter_requested.connect(lambda shared: self._letter(consent, shared, dialog))
        screen.open_dialog(dialog)

    def _letter(self, consent, shared: list[str], dialog: ReferralLetterDialog) -> None:
        screen = self.screen
        dialog.accept()
        screen.save_now()  # the letter reads the saved draft
        db, user, plan_id = screen.db, screen.user, screen.plan_id
        mrn = getattr(screen.patient, "mrn", screen.episode_id)
        screen.render_document(
            lambda: plans.referral_letter(db, user, plan_id, consent.id, list(shared)),
            "Referral letter", f"referral-letter-{mrn}.pdf", failure_title="No letter")
