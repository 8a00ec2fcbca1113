"""The idle lock: covers every window, needs the same user's password (or another's, to switch
user: tests/gui/test_sign_out.py), loses nothing typed."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QEnterEvent, QKeyEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from clinic_desktop.core.services import settings
from clinic_desktop.gui.idle_lock import LOCKED_TITLE, IdleLock, LockCurtain
from clinic_desktop.gui.main_window import MainWindow
from tests.conftest import STRONG_PASSWORD
from tests.gui.helpers import button, dialog_named, named


def sign_in(qtbot, dialog, password: str) -> None:
    field = named(dialog, QLineEdit, "Password")
    field.clear()
    qtbot.keyClicks(field, password)
    qtbot.mouseClick(button(dialog, "Sign in"), Qt.MouseButton.LeftButton)


def covered(widget: QWidget) -> bool:
    return any(c.isVisible() and c.geometry() == widget.rect() for c in widget.findChildren(LockCurtain))


def main_window(qtbot, db, user) -> MainWindow:
    window = MainWindow(db, user)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_idle_lock_keeps_typed_text_and_needs_the_right_password(qtbot, db, admin):
    window = main_window(qtbot, db, admin)
    window.idle_lock.set_interval_ms(200)
    window.ui.actionNewPatient.trigger()
    dialog = dialog_named(window, "Patient registration")
    qtbot.waitExposed(dialog)
    given = named(dialog, QLineEdit, "Given name")
    qtbot.keyClicks(given, "Tobias")

    with qtbot.waitSignal(window.idle_lock.locked, timeout=3000):
        pass
    lock = dialog_named(window, "Screen locked")
    assert lock is not None and lock.isVisible() and lock.isModal()
    assert covered(window) and covered(dialog)  # nothing behind the lock can be read
    assert window.windowTitle() == dialog.windowTitle() == LOCKED_TITLE

    sign_in(qtbot, lock, "not the password at all")
    qtbot.waitUntil(lambda: named(lock, QLabel, "Sign-in error").isVisible())
    assert window.idle_lock.is_locked() and lock.isVisible()

    with qtbot.waitSignal(window.idle_lock.unlocked, timeout=5000):
        sign_in(qtbot, lock, STRONG_PASSWORD)
    assert not window.idle_lock.is_locked()
    assert not covered(window) and not covered(dialog)
    assert dialog.isVisible() and given.text() == "Tobias"
    assert dialog.windowTitle() == "New patient" and window.windowTitle() == "Clinic Desktop"
    dialog.reject()


def test_lock_screen_action_locks_at_once(qtbot, db, nurse):
    window = main_window(qtbot, db, nurse)
    with qtbot.waitSignal(window.idle_lock.locked, timeout=1000):
        window.ui.actionLockScreen.trigger()
    assert window.idle_lock.is_locked() and covered(window)
    lock = dialog_named(window, "Screen locked")
    assert named(lock, QLineEdit, "User name").text() == nurse.username
    with qtbot.waitSignal(window.idle_lock.unlocked, timeout=5000):
        sign_in(qtbot, lock, STRONG_PASSWORD)


def test_activity_postpones_the_lock(qtbot, db, admin):
    window = main_window(qtbot, db, admin)
    window.idle_lock.set_interval_ms(400)
    box = named(window, QLineEdit, "Search patients")
    for _ in range(6):
        qtbot.keyClick(box, Qt.Key.Key_A)
        qtbot.wait(150)
    assert not window.idle_lock.is_locked()
    qtbot.waitUntil(window.idle_lock.is_locked, timeout=3000)


def test_only_what_a_person_does_postpones_the_lock(qtbot, db, admin, monkeypatch):
    """Keys, clicks and pointer moves restart the countdown; what a screen does by itself (a
    widget appearing under a resting pointer, repainting, being laid out) does not."""
    window = main_window(qtbot, db, admin)
    box = named(window, QLineEdit, "Search patients")
    point = QPointF(box.rect().center())
    restarts: list[int] = []
    monkeypatch.setattr(window.idle_lock._timer, "start", lambda *args: restarts.append(1))

    def restarted(event: QEvent) -> bool:
        """Whether ``event``, reaching the search box, restarted the countdown."""
        restarts.clear()
        QApplication.sendEvent(box, event)
        return bool(restarts)

    by_itself = [QEnterEvent(point, point, point), QEvent(QEvent.Type.HoverEnter), QEvent(QEvent.Type.Paint),
                 QEvent(QEvent.Type.LayoutRequest), QEvent(QEvent.Type.Polish)]
    for event in by_itself:
        assert not restarted(event), event.type()
    none = Qt.KeyboardModifier.NoModifier
    person = [QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, none, "a"),
              QMouseEvent(QEvent.Type.MouseButtonPress, point, point, Qt.MouseButton.LeftButton,
                          Qt.MouseButton.LeftButton, none),
              QMouseEvent(QEvent.Type.MouseMove, point, point, Qt.MouseButton.NoButton,
                          Qt.MouseButton.NoButton, none),
              QWheelEvent(point, point, QPoint(), QPoint(0, -120), Qt.MouseButton.NoButton, none,
                          Qt.ScrollPhase.NoScrollPhase, False)]
    for event in person:
        assert restarted(event), event.type()


def test_sign_out_on_the_lock_asks_the_window_and_never_unlocks(qtbot, db, admin):
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    lock = IdleLock(db, admin, window, interval_ms=60_000)
    lock.start()
    lock.lock_now()
    dialog = dialog_named(window, "Screen locked")
    assert dialog is not None
    dialog.reject()  # Escape or the close button: nothing happens
    assert dialog.isVisible() and lock.is_locked()

    with qtbot.waitSignal(lock.sign_out_requested, timeout=1000):
        qtbot.mouseClick(button(dialog, "Sign out"), Qt.MouseButton.LeftButton)
    assert lock.is_locked() and covered(window)  # signing out is not unlocking
    lock.refuse("Not signed out: a draft could not be saved.")  # the window could not sign out
    assert dialog_named(window, "Screen locked") is dialog
    assert named(dialog, QLabel, "Sign-in error").text() == "Not signed out: a draft could not be saved."
    lock.stop()
    assert not covered(window)


def test_interval_comes_from_the_clinic_setting(qtbot, db, admin):
    settings.update(db, admin, {"idle_lock_minutes": 3})
    window = QWidget()
    qtbot.addWidget(window)
    assert IdleLock(db, admin, window).interval_ms() == 3 * 60_000


def test_closing_the_window_stops_the_lock(qtbot, db, admin):
    window = main_window(qtbot, db, admin)
    window.idle_lock.set_interval_ms(100)
    window.close()
    qtbot.wait(300)
    assert not window.idle_lock.is_locked()
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.windowTitle().startswith("Screen locked")]
