"""The administrator's staff accounts: see who may sign in, add a user, unlock one, set a password.

Layout lives in ``ui/users_dialog.ui`` (the small "Set password" dialog is built in code); this
module is the controller. It calls ``clinic_desktop.core.services.accounts`` with plain values,
which checks the role and audits every change. Only user ids are logged, never names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core.errors import ClinicError
from clinic_desktop.core.permissions import ROLE_LABELS, SignedInUser
from clinic_desktop.core.services import accounts
from clinic_desktop.core.services.accounts import UserView
from clinic_desktop.gui.forms.ui_users_dialog import Ui_UsersDialog
from clinic_desktop.gui.models.users_model import UsersModel, is_locked
from clinic_desktop.gui.widgets.dialog_base import GeometryDialog
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.password_feedback import MISMATCH, show_password_feedback
from clinic_desktop.gui.widgets.tables import table_header

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database

log = logging.getLogger(__name__)

CHOOSE = "Choose…"
PASSWORD_HINT = (f"At least {accounts.MIN_PASSWORD_LENGTH} characters; "
                 "a few unrelated words work well.")
#: Lockouts run out by themselves: look again this often so the status and Unlock stay true.
REFRESH_MS = 30_000


def _password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setMaxLength(accounts.MAX_PASSWORD_LENGTH)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setInputMethodHints(
        Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhNoAutoUppercase
        | Qt.InputMethodHint.ImhNoPredictiveText | Qt.InputMethodHint.ImhSensitiveData)
    return edit


def _step_layout(dialog: QDialog, intro_text: str, form: QFormLayout, action: str,
                 on_accept: Callable[[], None]) -> tuple[QLabel, QPushButton]:
    """The layout of a one-step dialog of this window: what the step does, its form, an error
    line under it, then Cancel and ``action`` (the default). Returns (error label, action button)."""
    intro = QLabel(intro_text)
    intro.setWordWrap(True)
    intro.setAccessibleName("About this step")
    error_label = QLabel()
    error_label.setObjectName("errorLabel")
    error_label.setAccessibleName("Error")
    error_label.setWordWrap(True)
    error_label.setProperty("role", "error")
    error_label.setVisible(False)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    ok_button = buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
    ok_button.setDefault(True)
    buttons.accepted.connect(on_accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(20, 18, 20, 14)
    layout.setSpacing(12)
    layout.addWidget(intro)
    layout.addLayout(form)
    layout.addWidget(error_label)
    layout.addStretch(1)
    layout.addWidget(buttons)
    return error_label, ok_button


class SetPasswordDialog(QDialog):
    """Give one user a new password. Built in code: two fields, live feedback, OK/Cancel.
    Accepted only once ``accounts.change_password`` succeeded; errors are shown inside it.

    The base of the other dialogs that end in a new password (Reactivate, Change password):
    they change ``TITLE``, ``ACTION``, :meth:`intro`, :meth:`first_rows` and :meth:`service`."""

    password_set = Signal(int)  # user id
    TITLE = "Set password"
    ACTION = "Set password"

    def __init__(self, db: Database, user: SignedInUser, target: UserView | SignedInUser,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._user = user
        self.target = target
        self.result_value: object = None  # what the service returned
        self.setWindowTitle(f"{self.TITLE} — Clinic Desktop")
        self.setAccessibleName(self.TITLE)
        self.setMinimumWidth(620)

        self.password_edit = _password_edit("New password")
        self.repeat_edit = _password_edit("Repeat password")
        hint = QLabel(PASSWORD_HINT)
        hint.setWordWrap(True)
        hint.setAccessibleName("Password hint")
        hint.setProperty("role", "hint")
        self.feedback_label = QLabel()
        self.feedback_label.setWordWrap(True)
        self.feedback_label.setAccessibleName("Password feedback")

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(8)
        first = self.first_rows()
        rows = (*first, ("&New password", self.password_edit), ("&Repeat password", self.repeat_edit))
        for text, edit in rows:
            label = QLabel(text)
            label.setBuddy(edit)
            self.form.addRow(label, edit)
            if edit is self.password_edit:
                # Empty labels, not none: QFormLayout ignores height-for-width in rows without one.
                self.form.addRow(QLabel(), hint)
                self.form.addRow(QLabel(), self.feedback_label)

        self.error_label, self.ok_button = _step_layout(self, self.intro(), self.form, self.ACTION,
                                                        self._set_password)

        self.errors = FieldErrors(
            {**self.first_fields(), "password": self.password_edit, "repeat_password": self.repeat_edit},
            general=self.error_label)
        self.password_edit.textChanged.connect(self._update_feedback)
        self.password_edit.textEdited.connect(self._update_feedback)
        self._update_feedback()
        self.resize(self.minimumWidth(), 0)
        self._grow_to_fit()
        (first[0][1] if first else self.password_edit).setFocus()

    # --- what the dialogs built on this one change -------------------------------------------
    def intro(self) -> str:
        return (f"A new password for {self.target.full_name} ({self.target.username}). Tell it to "
                "them in person; they sign in with it once, then choose their own.")

    def first_rows(self) -> tuple[tuple[str, QLineEdit], ...]:
        """(label, field) rows above the new password's."""
        return ()

    def first_fields(self) -> dict[str, QWidget]:
        """The service's field names of :meth:`first_rows`."""
        return {}

    def missing(self) -> dict[str, str]:
        """What :meth:`first_rows` lack before the service is asked (each by its field name)."""
        return {}

    def service(self, password: str) -> Callable[[], object]:
        """The service call that stores ``password``, run off the GUI thread."""
        db, user, target_id = self._db, self._user, self.target.id
        return lambda: accounts.change_password(db, user, target_id, password)

    def _grow_to_fit(self) -> None:
        """Taller if messages under the fields need the room (wrapped text counts)."""
        layout = self.layout()
        if layout is None:
            return
        needed = (layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth()
                  else layout.totalSizeHint().height())
        if needed > self.height():
            self.resize(self.width(), needed)

    def _update_feedback(self) -> None:
        show_password_feedback(self.feedback_label, self.form, self.errors, self.password_edit.text(),
                               self.target.username)

    def _set_password(self) -> None:
        self.errors.clear()
        password = self.password_edit.text()
        missing = self.missing()
        if password != self.repeat_edit.text():
            missing["repeat_password"] = MISMATCH
        if missing:
            self.errors.show(missing)
            self._grow_to_fit()
            return

        def refused() -> None:
            self._update_feedback()
            self._grow_to_fit()

        self.errors.attempt_in_background(
            self, self.service(password), self._password_set, refused=refused,
            disabling=[self.ok_button], what=self.TITLE.lower())

    def _password_set(self, result: object = None) -> None:
        self.result_value = result
        log.info("%s: user id %s", self.TITLE.lower(), self.target.id)
        self.password_set.emit(self.target.id)
        self.accept()


class ReactivateDialog(SetPasswordDialog):
    """Reactivate a deactivated account: it needs a new password (on an encrypted database its
    key is wrapped for it again), which they must change at their next sign-in."""

    TITLE = "Reactivate account"
    ACTION = "Reactivate"

    def intro(self) -> str:
        return (f"Reactivate {self.target.full_name} ({self.target.username}) with a new password. "
                "Tell it to them in person; they sign in with it once, then choose their own.")

    def service(self, password: str) -> Callable[[], object]:
        db, user, target_id = self._db, self._user, self.target.id
        return lambda: accounts.reactivate(db, user, target_id, password)


class ChangeRoleDialog(QDialog):
    """Give one account another role (Administrator, Nurse, ...), which takes effect at their next
    sign-in. Accepted only once ``accounts.change_role`` succeeded; a refusal (the last active
    administrator) is shown inside it."""

    role_changed = Signal(object)  # the account's UserView

    def __init__(self, db: Database, user: SignedInUser, target: UserView,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db, self._user, self.target = db, user, target
        self.setWindowTitle("Change role — Clinic Desktop")
        self.setAccessibleName("Change role")
        self.setMinimumWidth(480)
        self.role_combo = QComboBox()
        self.role_combo.setAccessibleName("New role")
        for role, text in ROLE_LABELS.items():
            self.role_combo.addItem(text, role.value)
        self.role_combo.setCurrentIndex(self.role_combo.findData(target.role.value))
        form = QFormLayout()
        label = QLabel("New &role")
        label.setBuddy(self.role_combo)
        form.addRow(label, self.role_combo)
        intro = (f"The role of {target.full_name} ({target.username}), now "
                 f"{accounts.role_label(target.role)}. What the new role may not do is refused from their "
                 "next action, on every workstation; its screens come at their next sign-in.")
        self.error_label, self.ok_button = _step_layout(self, intro, form, "Change role", self._change)
        self.errors = FieldErrors({"role": self.role_combo}, general=self.error_label)
        self.role_combo.setFocus()

    def _change(self) -> None:
        self.errors.clear()
        db, user, target_id = self._db, self._user, self.target.id
        role = self.role_combo.currentData() or ""
        self.errors.attempt_in_background(
            self, lambda: accounts.change_role(db, user, target_id, role), self._changed,
            disabling=[self.ok_button], what="change role")

    def _changed(self, view: UserView) -> None:
        log.info("role changed for user id %s", view.id)
        self.role_changed.emit(view)
        self.accept()


class UsersDialog(GeometryDialog):
    """The staff accounts table, the selected account's Unlock and Set password…, and a form to
    add a user. ``users_changed`` is emitted after any change; the dialog stays open."""

    users_changed = Signal()

    def __init__(self, db: Database, user: SignedInUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_UsersDialog()
        self.ui.setupUi(self)
        self._db = db
        self._user = user
        ui = self.ui

        self.model = UsersModel(self)
        self._setup_table()
        for role, label in ROLE_LABELS.items():
            ui.roleCombo.addItem(label, role.value)
        ui.roleCombo.setPlaceholderText(CHOOSE)
        ui.roleCombo.setCurrentIndex(-1)
        ui.passwordHintLabel.setText(PASSWORD_HINT)

        self.errors = FieldErrors({
            "full_name": ui.fullNameEdit,
            "username": ui.userNameEdit,
            "role": ui.roleCombo,
            "password": ui.passwordEdit,
            "repeat_password": ui.repeatPasswordEdit,
        }, general=ui.errorLabel)

        ui.addButton.clicked.connect(self.add_user)
        ui.unlockButton.clicked.connect(self.unlock_selected)
        ui.setPasswordButton.clicked.connect(self.set_password_of_selected)
        ui.deactivateButton.clicked.connect(self.deactivate_selected)
        ui.reactivateButton.clicked.connect(self.reactivate_selected)
        ui.changeRoleButton.clicked.connect(self.change_role_of_selected)
        ui.requirePasswordButton.clicked.connect(self.require_password_of_selected)
        ui.buttonBox.rejected.connect(self.reject)
        ui.passwordEdit.textChanged.connect(self._update_feedback)
        # Again once FieldErrors has cleared a refusal on the same keystroke.
        ui.passwordEdit.textEdited.connect(self._update_feedback)
        ui.userNameEdit.textChanged.connect(self._update_feedback)
        for edit in (ui.fullNameEdit, ui.userNameEdit, ui.passwordEdit, ui.repeatPasswordEdit):
            edit.textEdited.connect(ui.addedLabel.clear)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(lambda: self.refresh())
        self._refresh_timer.start()

        self._update_feedback()
        self.refresh()
        ui.fullNameEdit.setFocus()

    def _setup_table(self) -> None:
        table = self.ui.usersTable
        table.setModel(self.model)
        header = table_header(table)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(UsersModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(70)
        table.verticalHeader().setDefaultSectionSize(30)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        table.doubleClicked.connect(lambda _index: self.set_password_of_selected())  # active ones

    # --- the table ------------------------------------------------------------------------------
    def selected_user(self) -> UserView | None:
        rows = self.ui.usersTable.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def refresh(self, select_id: int | None = None) -> None:
        """Reload the accounts; keep (or move) the selection to ``select_id``."""
        if select_id is None:
            selected = self.selected_user()
            select_id = selected.id if selected is not None else None
        try:
            rows = accounts.list_users(self._db, self._user)
        except ClinicError as exc:
            self._refresh_timer.stop()
            self._show_error(f"The accounts could not be loaded: {exc}")
            return
        self.model.set_rows(rows)
        row = self.model.row_of_user(select_id) if select_id is not None else -1
        if row >= 0:
            self.ui.usersTable.selectRow(row)
            self.ui.usersTable.scrollTo(self.model.index(row, 0))
        self._update_buttons()

    def _update_buttons(self, *_args) -> None:
        ui, selected = self.ui, self.selected_user()
        active = selected is not None and selected.active
        ui.unlockButton.setEnabled(active and selected is not None and is_locked(selected))
        ui.setPasswordButton.setEnabled(active)
        ui.deactivateButton.setEnabled(active and selected is not None and selected.id != self._user.id)
        ui.reactivateButton.setEnabled(selected is not None and not selected.active)
        ui.changeRoleButton.setEnabled(selected is not None)
        ui.requirePasswordButton.setEnabled(active and selected is not None
                                            and not selected.must_change_password)

    # --- adding a user --------------------------------------------------------------------------
    def _update_feedback(self) -> None:
        """Live advice under the password, from the same rule the service applies."""
        show_password_feedback(self.ui.passwordFeedbackLabel, self.ui.formLayout, self.errors,
                               self.ui.passwordEdit.text(), self.ui.userNameEdit.text())

    def add_user(self) -> None:
        ui = self.ui
        self.errors.clear()
        ui.addedLabel.clear()
        password = ui.passwordEdit.text()
        if password != ui.repeatPasswordEdit.text():
            self.errors.show({"repeat_password": MISMATCH})
            return
        role = ui.roleCombo.currentData() or ""
        db, user = self._db, self._user
        username, full_name = ui.userNameEdit.text(), ui.fullNameEdit.text()
        self.errors.attempt_in_background(
            self, lambda: accounts.create_user(db, user, username, full_name, role, password),
            self._user_added, refused=self._update_feedback, disabling=[ui.addButton],
            what="add user")

    def _user_added(self, view: accounts.UserView) -> None:
        ui = self.ui
        log.info("user id %s added", view.id)
        self.refresh(select_id=view.id)
        self._clear_form()
        ui.addedLabel.setText(f"Added {view.username} ({accounts.role_label(view.role)}).")
        self.users_changed.emit()

    def _clear_form(self) -> None:
        ui = self.ui
        for edit in (ui.fullNameEdit, ui.userNameEdit, ui.passwordEdit, ui.repeatPasswordEdit):
            edit.clear()
        ui.roleCombo.setCurrentIndex(-1)
        self.errors.clear()
        self._update_feedback()
        ui.fullNameEdit.setFocus()

    # --- the selected user ----------------------------------------------------------------------
    def unlock_selected(self) -> None:
        selected = self.selected_user()
        if selected is None:
            return
        self.ui.errorLabel.setVisible(False)
        try:
            view = accounts.unlock(self._db, self._user, selected.id)
        except ClinicError as exc:
            self._show_error(str(exc))
            return
        log.info("user id %s unlocked", view.id)
        self.refresh(select_id=view.id)
        self.ui.rowMessageLabel.setText(f"Unlocked {view.username}; they can sign in again.")
        self.ui.usersTable.setFocus()
        self.users_changed.emit()

    def set_password_of_selected(self) -> None:
        selected = self.selected_user()
        if selected is None or not selected.active:
            return
        dialog = SetPasswordDialog(self._db, self._user, selected, self)
        dialog.password_set.connect(lambda user_id: self._after_password_set(selected))
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()

    def _after_password_set(self, target: UserView) -> None:
        self._changed(target.id, f"New password set for {target.username}; they choose their own "
                                 "at their next sign-in.")

    def deactivate_selected(self) -> None:
        """Asks first (the account stops signing in at once), then deactivates."""
        selected = self.selected_user()
        if selected is None or not selected.active:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Deactivate account",
                          f"Deactivate {selected.full_name} ({selected.username})?\n\nThey can no "
                          "longer sign in (nor open an encrypted database). Their records and their "
                          "name in the audit trail stay. Reactivate gives the account back with a new "
                          "password.", QMessageBox.StandardButton.Cancel, self)
        box.setAccessibleName("Deactivate account")
        confirm = box.addButton("Yes, deactivate", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _result: box.deleteLater())
        box.buttonClicked.connect(lambda clicked: self._deactivate(selected) if clicked is confirm else None)
        box.open()

    def _deactivate(self, target: UserView) -> None:
        self.ui.errorLabel.setVisible(False)
        db, user = self._db, self._user

        def deactivated(view: UserView) -> None:
            self._changed(view.id, f"Deactivated {view.username}: they can no longer sign in.")

        self.errors.attempt_in_background(
            self, lambda: accounts.deactivate(db, user, target.id), deactivated,
            disabling=[self.ui.deactivateButton], what="deactivate user")

    def reactivate_selected(self) -> None:
        selected = self.selected_user()
        if selected is None or selected.active:
            return
        dialog = ReactivateDialog(self._db, self._user, selected, self)
        dialog.password_set.connect(lambda _user_id: self._changed(
            selected.id, f"Reactivated {selected.username}; they choose their own password at their "
                         "next sign-in."))
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()

    def change_role_of_selected(self) -> None:
        selected = self.selected_user()
        if selected is None:
            return
        dialog = ChangeRoleDialog(self._db, self._user, selected, self)
        dialog.role_changed.connect(lambda view: self._changed(
            view.id, f"{view.username} is now {accounts.role_label(view.role)}: from their next action, and with its "
                     "screens from their next sign-in."))
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()

    def require_password_of_selected(self) -> None:
        selected = self.selected_user()
        if selected is None or not selected.active:
            return
        self.ui.errorLabel.setVisible(False)
        try:
            view = accounts.require_password_change(self._db, self._user, selected.id)
        except ClinicError as exc:
            self._show_error(str(exc))
            return
        self._changed(view.id, f"{view.username} chooses a new password at their next sign-in.")

    def _changed(self, user_id: int, message: str) -> None:
        log.info("account changed: user id %s", user_id)
        self.refresh(select_id=user_id)
        self.ui.rowMessageLabel.setText(message)
        self.ui.usersTable.setFocus()
        self.users_changed.emit()

    def _show_error(self, message: str) -> None:
        self.ui.errorLabel.setText(message)
        self.ui.errorLabel.setVisible(True)

    def done(self, result: int) -> None:
        self._refresh_timer.stop()
        super().done(result)
