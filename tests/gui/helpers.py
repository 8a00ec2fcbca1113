"""Finding and driving widgets as a nurse (or a screen reader) sees them: by accessible name."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QWidget

from tests.conftest import STRONG_PASSWORD  # noqa: F401 - re-exported for the GUI tests


def by_name(root: QWidget, qt_class: type[QWidget], accessible_name: str) -> QWidget:
    """The one ``qt_class`` widget under ``root`` whose accessible name is ``accessible_name``."""
    found = [w for w in root.findChildren(qt_class) if w.accessibleName() == accessible_name]
    assert len(found) == 1, f"{len(found)} {qt_class.__name__} named {accessible_name!r}"
    return found[0]


def named(root: QWidget, qt_class: type[QWidget], accessible_name: str) -> QWidget:
    """The first ``qt_class`` widget under ``root`` with that accessible name (several may share it,
    as a menu action's tool button and the action's other views do)."""
    found = [w for w in root.findChildren(qt_class) if w.accessibleName() == accessible_name]
    assert found, f"no {qt_class.__name__} named {accessible_name!r}"
    return found[0]


def button(root: QWidget, text: str) -> QAbstractButton:
    """The one button under ``root`` named or labelled ``text`` (mnemonic ampersands ignored)."""
    found = [b for b in root.findChildren(QAbstractButton)
             if (b.accessibleName() or b.text().replace("&", "")) == text]
    assert len(found) == 1, f"{len(found)} buttons labelled {text!r}"
    return found[0]


def type_into(qtbot, widget: QWidget, text: str, *, replace: bool = False) -> None:
    """Focus ``widget`` and type ``text``, as a person would; ``replace`` selects what is there
    first (Ctrl+A) so the typing replaces it."""
    widget.setFocus()
    if replace:
        qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    for number, part in enumerate(text.split("\n")):
        if number:  # QTest cannot type "\n" as text: press Enter
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        qtbot.keyClicks(widget, part)


def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
