"""The Consent section: the 42 CFR Part 2 consents to share with the places the plan refers
to — or with a person the patient names, a family member or friend — (record, list, revoke,
print the form to sign), and the referral letter sent under a provider's consent. A consent
lists the information items it covers (core.consent.INFORMATION_ITEMS); the letter offers only
those."""

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
from clinic_desktop.core.errors import ClinicError, ValidationError
from clinic_desktop.core.services import plans
from clinic_desktop.gui.plan.rows import ReferralRow, labelled
from clinic_desktop.gui.plan.section import Section
from clinic_desktop.gui.widgets.dialog_base import AsksBeforeDiscarding, error_line
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.local_time import wall_now
from clinic_desktop.gui.widgets.style import busy_cursor
from clinic_desktop.gui.widgets.when_edit import WhenEdit


class ReferralLetterDialog(AsksBeforeDiscarding, QDialog):
    """Referral letter…: which of the items the consent covers go in the letter. Items the
    consent does not cover are shown disabled ("Not covered by this consent") and never sent."""

    letter_requested = Signal(list)  # keys of consent_rules.INFORMATION_ITEMS, in print order

    def __init__(self, consent, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.consent = consent
        self.setWindowTitle(f"Referral letter \u2014 {consent.recipient_name}")
        until = consent.expires_on.isoformat()
        covered = set(consent_rules.covered(consent))
        if consent.items is None:
            scope = ("This consent was recorded before itemized consents: the letter can carry only "
                     "the referral. Record a new consent to share plan details.")
        elif covered:
            scope = "The patient agreed to share: " + ", ".join(consent_rules.labels(covered)) + "."
        else:
            scope = "The patient agreed to share no part of the plan."
        text = QLabel(f"The letter to {consent.recipient_name} carries the referral and the parts of "
                      f"the plan ticked here, until {until}. {scope}")
        text.setWordWrap(True)
        self.items: dict[str, QCheckBox] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        for key, label in consent_rules.INFORMATION_ITEMS.items():
            box = QCheckBox(label)
            box.setAccessibleName(label)
            if key not in covered:
                box.setEnabled(False)
                box.setToolTip("Not covered by this consent")
                box.setAccessibleDescription("Not covered by this consent")
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
        """The ticked items the consent covers (a disabled box never counts)."""
        covered = set(consent_rules.covered(self.consent))
        return [key for key, box in self.items.items() if box.isChecked() and key in covered]


def _date_edit(day: dt.date) -> WhenEdit:
    edit = WhenEdit(kind="date")
    edit.set_date(day)
    return edit


#: "Share with": a provider from the plan's referrals, or a person by name.
PROVIDER, PERSON = "provider", "person"
SHARE_WITH = {PROVIDER: "A provider from the referrals", PERSON: "A person (family member or friend)"}


def recipient_text(consent) -> str:
    """Who a consent names, as the list shows it: the provider, or "Rosa Stable (sister)"."""
    relationship = getattr(consent, "recipient_relationship", None)
    if consent.directory_entry_id is None and relationship:
        return f"{consent.recipient_name} ({relationship})"
    return consent.recipient_name


def _a_year_after(day: dt.date) -> dt.date:
    """The same day next year (29 February: the 28th)."""
    return day.replace(year=day.year + 1, day=min(day.day, 28) if (day.month, day.day) == (2, 29) else day.day)


class ConsentPanel(Section):
    """Record a consent for a referral's recipient or for a person by name; the consents of the
    episode, each active, expired or revoked; revoke one; a referral letter under the selected
    provider's one."""

    name = "consent"

    def build(self, title: str) -> QWidget:
        self._consents: dict[int, Any] = {}  # consent id → ConsentView
        self._errors: FieldErrors
        page, inner = self.page(title)
        inner.addWidget(self.note("42 CFR Part 2: nothing about the patient's substance use "
                                  "treatment is shared with a referral or a family member without a "
                                  "written consent naming the recipient, the purpose, what may be "
                                  "shared and when it expires."))
        self.consent_form = form = self.form()
        self.share_with = QComboBox()
        for key, label in SHARE_WITH.items():
            self.share_with.addItem(label, key)
        form.addRow(labelled("Share with", self.share_with), self.share_with)
        self.recipient = QComboBox()
        form.addRow(labelled("Recipient", self.recipient), self.recipient)
        self.person_name = QLineEdit()
        self.person_name.setMaxLength(200)
        caption = labelled("Person's name", self.person_name)
        caption.setText("Name")
        form.addRow(caption, self.person_name)
        self.person_relationship = QLineEdit()
        self.person_relationship.setMaxLength(100)
        self.person_relationship.setPlaceholderText("sister, partner, friend…")
        form.addRow(labelled("Relationship", self.person_relationship), self.person_relationship)
        self.purpose = QLineEdit()
        form.addRow(labelled("Purpose", self.purpose), self.purpose)
        # What may be shared (42 CFR 2.31 "how much and what kind"): one box per item, the
        # same items the letter offers; space toggles the focused box.
        self.items_box = QWidget()
        items_layout = QVBoxLayout(self.items_box)
        items_layout.setContentsMargins(0, 0, 0, 0)
        self.item_checks: dict[str, QCheckBox] = {}
        for key, label in consent_rules.INFORMATION_ITEMS.items():
            box = QCheckBox(label)
            box.setAccessibleName(label)
            box.toggled.connect(lambda _on: self._errors.clear("items"))
            self.item_checks[key] = box
            items_layout.addWidget(box, 0, Qt.AlignmentFlag.AlignLeft)
        self.items_box.setFocusProxy(next(iter(self.item_checks.values())))
        form.addRow(labelled("Information to share", self.items_box), self.items_box)
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
        self._errors = FieldErrors({"directory_entry_id": self.recipient, "person_name": self.person_name,
                                    "person_relationship": self.person_relationship,
                                    "purpose": self.purpose, "items": self.items_box,
                                    "expires_on": self.expires, "signed_on": self.signed}, general=self.error)
        self.share_with.currentIndexChanged.connect(lambda _i: self._show_share_with())
        self._show_share_with()
        record = QPushButton("Record consent")
        record.clicked.connect(self.record)
        self.print_button = QPushButton("Print consent form\u2026")
        self.print_button.setToolTip("The form for the patient to sign: the selected consent, or "
                                     "what is typed above when none is selected")
        self.print_button.clicked.connect(self.print_form)
        inner.addLayout(self.buttons(record, self.print_button))
        self.list = QListWidget()
        self.list.setAccessibleName("Consents")
        self.list.setMinimumHeight(100)
        inner.addWidget(self.list, 1)
        revoke = QPushButton("Revoke")
        revoke.clicked.connect(self.revoke)
        self.letter_button = QPushButton("Referral letter\u2026")
        self.letter_button.setToolTip("A letter to the selected consent's provider, with only "
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
            what = (", ".join(c.item_labels) if c.itemized else
                    "recorded before itemized consents: record a new one to share plan details")
            item = QListWidgetItem(f"{recipient_text(c)} \u2014 {c.purpose} \u2014 {what} "
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
        """A referral letter goes to a provider: not under a consent naming a person."""
        consent = self.selected()
        self.letter_button.setEnabled(consent is not None and consent.directory_entry_id is not None)

    # ---- share with a provider or a person ---------------------------------------------------
    def sharing_with_person(self) -> bool:
        return self.share_with.currentData() == PERSON

    def _show_share_with(self) -> None:
        """The recipient's row for a provider, the name and relationship for a person."""
        person = self.sharing_with_person()
        self.consent_form.setRowVisible(self.recipient, not person)
        self.consent_form.setRowVisible(self.person_name, person)
        self.consent_form.setRowVisible(self.person_relationship, person)
        for key in ("directory_entry_id", "person_name", "person_relationship"):
            self._errors.clear(key)

    def consent_input(self, expires_on: dt.date | None, signed_on: dt.date | None) -> plans.ConsentInput:
        """What is typed above, for a provider or for a person."""
        person = self.sharing_with_person()
        return plans.ConsentInput(
            directory_entry_id=None if person else self.recipient.currentData(), purpose=self.purpose.text(),
            items=self.checked_items(), expires_on=expires_on, signed_on=signed_on,
            person_name=self.person_name.text() if person else "",
            person_relationship=self.person_relationship.text() if person else "")

    def show_refusal(self, exc: BaseException) -> None:
        """A refusal next to its fields; for a person, "no recipient" is said under the name."""
        if isinstance(exc, ValidationError) and self.sharing_with_person() and "directory_entry_id" in exc.fields:
            fields = dict(exc.fields)
            fields.setdefault("person_name", fields.pop("directory_entry_id"))
            fields.pop("directory_entry_id", None)
            self._errors.show(fields)
            return
        self._errors.show_refusal(exc)

    def selected(self):
        """The selected consent, unless it is revoked."""
        item = self.list.currentItem()
        if item is None:
            return None
        consent = self._consents.get(item.data(Qt.ItemDataRole.UserRole))
        return None if consent is None or consent.revoked else consent

    # ---- record, revoke ----------------------------------------------------------------------
    def checked_items(self) -> list[str]:
        return [key for key, box in self.item_checks.items() if box.isChecked()]

    def record(self) -> None:
        screen = self.screen
        self._errors.clear()
        for field, missing in ((self.expires, "Enter the date the consent expires."),
                               (self.signed, "Enter the date the consent was signed.")):
            if field.check() or (field.is_blank() and field.errors.set_error("when", missing)):
                field.setFocus()
                return
        expires, signed = self.expires.date_value(), self.signed.date_value()
        assert expires is not None and signed is not None  # read and not blank, above
        data = self.consent_input(expires, signed)
        try:
            with busy_cursor():
                plans.record_consent(screen.db, screen.user, screen.episode_id, data)
        except ClinicError as exc:
            self.show_refusal(exc)
            return
        self.purpose.clear()
        self.person_name.clear()
        self.person_relationship.clear()
        for box in self.item_checks.values():
            box.setChecked(False)
        self.reload()

    # ---- the consent form to sign ------------------------------------------------------------
    def print_form(self) -> None:
        """Print consent form…: the selected consent's form, or (none selected) the form of what
        is typed above, for the patient to sign before it is recorded."""
        screen = self.screen
        if screen.document_job() is not None:
            return
        self._errors.clear()
        db, user, episode_id = screen.db, screen.user, screen.episode_id
        mrn = getattr(screen.patient, "mrn", episode_id)
        consent = self.selected()
        if consent is not None:
            consent_id = consent.id
            screen.render_document(
                lambda: plans.consent_form_pdf(db, user, episode_id, consent_id=consent_id),
                "Consent form", f"consent-form-{mrn}.pdf", failure_title="No consent form")
            return
        if self.expires.check():
            return
        data = self.consent_input(self.expires.date_value(),
                                  None if self.signed.is_blank() else self.signed.date_value())

        def refused(exc: BaseException) -> None:  # also next to the fields it names
            self.show_refusal(exc)

        screen.render_document(lambda: plans.consent_form_pdf(db, user, episode_id, data=data),
                               "Consent form", f"consent-form-{mrn}.pdf", failure_title="No consent form",
                               on_error=refused)

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
        if consent is None or consent.directory_entry_id is None or screen.document_job() is not None:
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
