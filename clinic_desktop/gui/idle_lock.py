"""Locks the screen after a quiet spell (clinic setting ``idle_lock_minutes``) or on request.

While locked, every open window is covered by an opaque curtain (patient data cannot be read)
and its title is replaced, and the sign-in dialog for the same user sits on top, application
modal. Nothing is closed or reset: an open dialog keeps whatever was typed into it, and focus
returns where it was once the same user signs in again. The lock never opens without the password.

On a shared workstation the next person need not wait: **Sign out** on the lock
(``sign_out_requested``), or their own user name and password (``switch_requested`` with the
person who signed in), and the main window signs the locked person out (drafts saved, patients
closed). Until it has, the screen stays locked; if it cannot, :meth:`IdleLock.refuse` says why on
the lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QInputMethodEvent,
    QKeyEvent,
    QMouseEvent,
    QTabletEvent,
    QTouchEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QVBoxLayout, QWidget
from shiboken6 import isValid

from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.gui import theme

log = logging.getLogger(__name__)

LOCKED_TITLE = "Clinic Desktop (locked)"
#: What a person does, by the class the event arrives as: keys (and shortcuts), mouse buttons and
#: moves, the wheel, touch, a tablet pen, an input method. Not the enter and hover events a widget
#: gets when it appears under a resting pointer: a screen that refreshes must not keep it unlocked.
#: (A class test, not ``event.type()``: the filter sees every event of the app, thousands as a
#: patient's tab opens, and making the type's Python enum costs more than the rest of the check.)
_ACTIVITY = (QKeyEvent, QMouseEvent, QWheelEvent, QTouchEvent, QTabletEvent, QInputMethodEvent)


class LockCurtain(QWidget):
    """An opaque cover laid over one window's whole content while the screen is locked."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lockCurtain")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        icon = QLabel(self)
        icon.setPixmap(theme.icon("lock").pixmap(48, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
        text = QLabel("Screen locked. Sign in to continue.", self)
        text.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        layout.addStretch(1)
        layout.addWidget(icon)
        layout.addWidget(text)
        layout.addStretch(1)
        self.setGeometry(window.rect())
        window.installEventFilter(self)
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.parent() and isinstance(watched, QWidget)
                and event.type() in (QEvent.Type.Resize, QEvent.Type.Show)):
            self.setGeometry(watched.rect())
            self.raise_()
        elif watched is self.parent() and event.type() == QEvent.Type.ChildAdded:
            QTimer.singleShot(0, self._raise_if_alive)
        return False

    def _raise_if_alive(self) -> None:
        try:
            self.raise_()
        except RuntimeError:  # the window went away meanwhile
            pass


class IdleLock(QObject):
    """Application-wide idle timer and screen lock for the signed-in ``user``.

    ``start()`` installs the event filter and starts the countdown (key, mouse, wheel and touch
    input anywhere restart it); ``stop()`` undoes that (the main window calls it on close).
    ``lock_now()`` locks at once. ``set_interval_ms()`` overrides the clinic setting (tests).
    ``switch_check`` (see :class:`LoginDialog`): why the locked person cannot be signed out now, or
    None; asked before another person's password is checked.
    """

    locked = Signal()
    unlocked = Signal()
    sign_out_requested = Signal()  # Sign out on the lock: the locked person is to be signed out
    switch_requested = Signal(object)  # SignedInUser: another person signed in on the lock

    def __init__(self, db, user: SignedInUser, window: QWidget, parent: QObject | None = None, *,
                 interval_ms: int | None = None, switch_check: Callable[[], str | None] | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self._db = db
        self._user = user
        self._window = window
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_idle)
        if interval_ms is None:
            from clinic_desktop.core.services import settings

            interval_ms = int(settings.get(db, "idle_lock_minutes")) * 60_000
        self._timer.setInterval(interval_ms)
        self._filtering = False
        self._locked = False
        self._dialog: QDialog | None = None
        self._switch_check = switch_check
        self._curtains: list[LockCurtain] = []
        self._titles: list[tuple[QWidget, str]] = []
        self._focus: QWidget | None = None

    # --- public API -------------------------------------------------------------------------
    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True
        if not self._locked:
            self._timer.start()

    def stop(self) -> None:
        """Stop watching (the window is closing). Leaves no dialog or curtain behind."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None and self._filtering:
            app.removeEventFilter(self)
            self._filtering = False
        box = self._dialog
        if box is not None:
            box.blockSignals(True)
            box.done(QDialog.DialogCode.Rejected)  # not close(): the lock's dialog ignores that
            box.deleteLater()
        self._dialog = None
        self._remove_curtains()
        self._locked = False

    def set_interval_ms(self, ms: int) -> None:
        self._timer.setInterval(int(ms))
        if self._timer.isActive():
            self._timer.start()

    def interval_ms(self) -> int:
        return self._timer.interval()

    def is_locked(self) -> bool:
        return self._locked

    def dialog(self) -> QDialog | None:
        """The lock's sign-in dialog while it is shown."""
        return self._dialog

    def lock_now(self) -> None:
        if self._locked:
            self._raise_dialog()
            return
        self._locked = True
        self._timer.stop()
        log.info("screen locked for user id %s", self._user.id)
        self._focus = QApplication.focusWidget()
        while (popup := QApplication.activePopupWidget()) is not None:
            popup.close()
        self._cover_windows()
        self._show_dialog()
        self.locked.emit()

    # --- activity -----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._locked and isinstance(event, _ACTIVITY):
            self._timer.start()
        return False

    def _on_idle(self) -> None:
        log.info("idle for %d ms: locking", self._timer.interval())
        self.lock_now()

    # --- covering and uncovering ------------------------------------------------------------
    def _cover_windows(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if not widget.isVisible() or widget.windowType() in (
                Qt.WindowType.Popup, Qt.WindowType.ToolTip, Qt.WindowType.SplashScreen,
            ):
                continue
            self._curtains.append(LockCurtain(widget))
            self._titles.append((widget, widget.windowTitle()))
            widget.setWindowTitle(LOCKED_TITLE)

    def _remove_curtains(self) -> None:
        for curtain in self._curtains:
            if isValid(curtain):
                parent = curtain.parentWidget()
                if parent is not None:
                    parent.removeEventFilter(curtain)
                curtain.hide()
                curtain.deleteLater()
        for widget, title in self._titles:
            if isValid(widget):
                widget.setWindowTitle(title)
        self._curtains.clear()
        self._titles.clear()

    def refuse(self, message: str) -> None:
        """The locked person could not be signed out (``message`` says why): the screen stays
        locked, the lock's dialog shows the reason."""
        if not self._locked:
            return
        if self._dialog is None:
            self._show_dialog()
        assert self._dialog is not None
        self._dialog.show_problem(message)  # type: ignore[attr-defined]
        self._raise_dialog()

    def _show_dialog(self) -> None:
        from clinic_desktop.gui.login_dialog import LoginDialog

        dialog = LoginDialog(self._db, self._window, locked_user=self._user, switch_check=self._switch_check)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        dialog.finished.connect(self._on_dialog_finished)
        dialog.sign_out_requested.connect(self._sign_out_chosen)
        self._dialog = dialog
        dialog.show()
        self._raise_dialog()

    def _raise_dialog(self) -> None:
        if self._dialog is not None:
            self._dialog.raise_()
            self._dialog.activateWindow()

    def _sign_out_chosen(self) -> None:
        if self._locked:
            log.info("sign out chosen on the lock screen")
            self.sign_out_requested.emit()

    def _on_dialog_finished(self, result: int) -> None:
        dialog = self._dialog
        self._dialog = None
        if dialog is None:
            return
        user = getattr(dialog, "signed_in_user", None)
        dialog.deleteLater()
        if not self._locked:
            return
        if result == QDialog.DialogCode.Accepted and user is not None and user.id == self._user.id:
            self._unlock()
        elif result == QDialog.DialogCode.Accepted and user is not None:
            # Another person signed in here: the locked person is signed out first (the main
            # window), the screen locked until then; refuse() brings the lock back with the reason.
            log.info("lock screen: switching from user id %s to user id %s", self._user.id, user.id)
            self.switch_requested.emit(user)
            if self._locked and self._dialog is None:  # not switched (and not said why): the lock again
                self._show_dialog()
        else:
            self._show_dialog()

    def _unlock(self) -> None:
        self._locked = False
        self._remove_curtains()
        log.info("screen unlocked for user id %s", self._user.id)
        focus, self._focus = self._focus, None
        if focus is not None and isValid(focus) and focus.isVisible():
            focus.window().activateWindow()
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self._timer.start()
        self.unlocked.emit()
