"""Locks the screen after a quiet spell (clinic setting ``idle_lock_minutes``) or on request.

While locked, every open window is covered by an opaque curtain (patient data cannot be read)
and its title is replaced, and the sign-in dialog for the same user sits on top, application
modal. Nothing is closed or reset: an open dialog keeps whatever was typed into it, and focus
returns where it was once the same user signs in again. Cancel on the sign-in offers to quit
instead; the lock never opens without the password.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QInputMethodEvent,
    QKeyEvent,
    QMouseEvent,
    QTabletEvent,
    QTouchEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox, QVBoxLayout, QWidget
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
    """

    locked = Signal()
    unlocked = Signal()
    quit_requested = Signal()  # the user chose to quit from the lock instead of signing in

    def __init__(self, db, user: SignedInUser, window: QWidget, parent: QObject | None = None, *,
                 interval_ms: int | None = None) -> None:
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
        self._quit_box: QMessageBox | None = None
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
        for box in (self._quit_box, self._dialog):
            if box is not None:
                box.blockSignals(True)
                box.close()
                box.deleteLater()
        self._quit_box = self._dialog = None
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

    def _show_dialog(self) -> None:
        from clinic_desktop.gui.login_dialog import LoginDialog

        dialog = LoginDialog(self._db, self._window, locked_user=self._user)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        dialog.finished.connect(self._on_dialog_finished)
        self._dialog = dialog
        dialog.show()
        self._raise_dialog()

    def _raise_dialog(self) -> None:
        top = self._quit_box or self._dialog
        if top is not None:
            top.raise_()
            top.activateWindow()

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
        elif result == QDialog.DialogCode.Accepted:
            # Someone else's password opens nothing here: the screen belongs to the locked user.
            log.warning("lock screen: a different account signed in; staying locked")
            self._show_dialog()
        else:
            self._ask_to_quit()

    def _ask_to_quit(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Quit Clinic Desktop?",
                          "The screen stays locked until you sign in again.\n\n"
                          "Quitting closes Clinic Desktop. Anything typed but not saved in an open "
                          "window will be lost.", QMessageBox.StandardButton.NoButton, self._window)
        box.setWindowModality(Qt.WindowModality.ApplicationModal)
        box.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        quit_button = box.addButton("Quit and lose unsaved work", QMessageBox.ButtonRole.DestructiveRole)
        back = box.addButton("Back to sign-in", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        quit_button.setAccessibleName("Quit and lose unsaved work")
        back.setAccessibleName("Back to sign-in")

        def answered(_result: int) -> None:
            self._quit_box = None
            box.deleteLater()
            if box.clickedButton() is quit_button:
                log.info("quit chosen from the lock screen")
                self.quit_requested.emit()
            elif self._locked:
                self._show_dialog()

        box.finished.connect(answered)
        self._quit_box = box
        box.show()
        self._raise_dialog()

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
