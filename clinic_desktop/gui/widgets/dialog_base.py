"""The shared dialog base: a dialog that comes back where and how large the user left it;
``AsksBeforeDiscarding``, a form that asks before throwing away what was typed; and
``DialogSlot``, the one child dialog a screen has open at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QByteArray, QRect, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSlider,
    QStyle,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

DISCARD_QUESTION = "Discard changes?"

#: The dynamic property that marks a widget as the place views are laid out in (a patient's tab):
#: a ``GeometryDialog`` made with it as its parent is a view there from its first line.
VIEW_HOST = "viewHost"


def screen_area(widget: QWidget) -> QRect | None:
    """The part of the screen ``widget`` is on that a window may take (the screen less its task
    bars and panels), or None when there is no screen."""
    screen = widget.screen() or QApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else None


class GeometryDialog(QDialog):
    """A QDialog that restores its geometry from QSettings when first shown and saves it whenever
    it closes (accept, reject, Esc or the window's close button).

    The key is ``geometry/<ClassName>``, so every dialog class remembers its own size and place.
    A class with ``GROW_TO_FIT = True`` also grows taller on showing when its wrapped text needs it.
    Whatever size it opens at (its default, the saved one, grown to fit) is clamped to the screen
    it is shown on (``fit_on_screen``): a size saved on a large monitor never opens off a laptop's.
    """

    GROW_TO_FIT = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._geometry_restored = False
        self._help_key = QShortcut(QKeySequence("F1"), self)
        self._help_key.setWhatsThis("User manual at this screen's page")
        self._help_key.activated.connect(self._show_manual)
        if parent is not None and parent.property(VIEW_HOST):
            self.embed(parent)

    def embed(self, parent: QWidget) -> None:
        """Make this dialog a view inside ``parent`` (a screen in a patient's tab): no window of
        its own, no size of its own to remember, and the window's F1 and Escape keys, not its own
        (the main window's F1 opens the manual at the page of the view with the keyboard).

        A dialog made with a ``VIEW_HOST`` as its parent is embedded here, before it has a child:
        with the app's style sheet, reparenting a built screen restyles every widget in it, which
        was a fifth of the time it took to open a patient's tab."""
        self.setParent(parent, Qt.WindowType.Widget)
        self.setSizeGripEnabled(False)
        self._help_key.setEnabled(False)

    def allow_resizing(self) -> None:
        """A screen shown as a window of its own: the maximize button and the size grip (nothing
        for a view in a patient's tab, which takes the tab's size)."""
        if not self.is_embedded():
            self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
            self.setSizeGripEnabled(True)

    def is_embedded(self) -> bool:
        return not self.isWindow()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.is_embedded() and event.key() == Qt.Key.Key_Escape:
            event.ignore()  # a view closes with its tab (Ctrl+W), not with Escape
            return
        super().keyPressEvent(event)

    def _show_manual(self) -> None:
        """F1: the user manual at this dialog's page (gui.manual_dialog.CONTEXT_PAGES)."""
        from clinic_desktop.gui.manual_dialog import show_manual

        show_manual(self)

    @classmethod
    def geometry_key(cls) -> str:
        return f"geometry/{cls.__name__}"

    def restore_geometry(self) -> bool:
        """Apply the saved geometry, if any; returns whether there was one."""
        if self.is_embedded():
            return False
        saved = QSettings().value(self.geometry_key())
        if isinstance(saved, QByteArray) and not saved.isEmpty():
            return bool(self.restoreGeometry(saved))
        return False

    def save_geometry(self) -> None:
        if self.is_embedded():
            return
        settings = QSettings()
        settings.setValue(self.geometry_key(), self.saveGeometry())

    def showEvent(self, event: QShowEvent) -> None:
        if not self._geometry_restored:
            self._geometry_restored = True
            self.restore_geometry()
        super().showEvent(event)
        if not self.is_embedded():  # a view takes the size its tab gives it
            if self.GROW_TO_FIT:
                self.grow_to_fit()
            self.fit_on_screen()

    def fit_on_screen(self) -> None:
        """No larger than the screen's available area (nor smaller than the dialog's minimum),
        and moved so the whole window, title bar included, lies on it."""
        area = screen_area(self)
        if area is None or area.isEmpty():
            return
        frame = self.frameGeometry()
        extra_w = max(0, frame.width() - self.width())
        extra_h = max(0, frame.height() - self.height())
        if not extra_h:  # not yet framed by the window manager: leave room for a title bar
            extra_h = self.style().pixelMetric(QStyle.PixelMetric.PM_TitleBarHeight, None, self)
        width = max(min(self.width(), area.width() - extra_w), self.minimumWidth())
        height = max(min(self.height(), area.height() - extra_h), self.minimumHeight())
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        frame = self.frameGeometry()
        x = min(max(frame.x(), area.left()), max(area.left(), area.right() + 1 - frame.width()))
        y = min(max(frame.y(), area.top()), max(area.top(), area.bottom() + 1 - frame.height()))
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)

    def grow_to_fit(self) -> None:
        """Taller if wrapped text (or a message under a field) needs the room: the layout's
        minimum size does not count height-for-width."""
        layout = self.layout()
        if layout is None:
            return
        needed = (layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth()
                  else layout.totalSizeHint().height())
        if needed > self.height():
            self.resize(self.width(), needed)
            if not self.is_embedded():
                self.fit_on_screen()

    def done(self, result: int) -> None:
        # accept() and reject() (and so Esc) all end here.
        if self.isVisible():
            self.save_geometry()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.isVisible():
            self.save_geometry()
        super().closeEvent(event)


def form_snapshot(window: QWidget) -> tuple[Any, ...]:
    """Everything typed or chosen in ``window``'s own inputs (not in dialogs over it), in order: two
    snapshots differ when anything was typed, ticked or picked in between (or a row added)."""
    values: list[Any] = []
    for widget in window.findChildren(QWidget):
        if widget.window() is not window:
            continue
        if isinstance(widget, QLineEdit):
            values.append(widget.text())
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            values.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            values.append((widget.currentIndex(), widget.currentText()))
        elif isinstance(widget, QAbstractSpinBox):
            values.append(widget.text())
        elif isinstance(widget, QSlider):
            values.append(widget.value())
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            values.append(widget.isChecked())
    return tuple(values)


if TYPE_CHECKING:
    _DialogBase = QDialog
else:
    _DialogBase = object


class AsksBeforeDiscarding(_DialogBase):
    """Mixin for a form dialog (put it first: ``class PatientDialog(AsksBeforeDiscarding,
    GeometryDialog)``): Escape, Cancel, Close and the window's close button all end in
    ``reject()``, which — when the form has changes — asks "Discard changes?" first, with
    "Keep editing" the default (Enter) and the answer to Escape. A form without changes closes at
    once. Saving (``accept()``) never asks.

    "Changes" compares ``form_snapshot`` now with the one taken when the dialog was first shown;
    a dialog that fills itself later calls :meth:`mark_unchanged` once it has; one with its own
    idea of a change overrides :meth:`has_changes`.
    """

    def showEvent(self, event: QShowEvent) -> None:
        if getattr(self, "_unchanged_snapshot", None) is None:
            self.mark_unchanged()
        self._discard_confirmed = False
        super().showEvent(event)

    def mark_unchanged(self) -> None:
        """What the form holds now counts as nothing changed."""
        self._unchanged_snapshot = form_snapshot(self)

    def has_changes(self) -> bool:
        unchanged = getattr(self, "_unchanged_snapshot", None)
        return unchanged is not None and form_snapshot(self) != unchanged

    def discard_question(self) -> QMessageBox | None:
        """The "Discard changes?" question while it is shown, else None."""
        box: QMessageBox | None = getattr(self, "_discard_box", None)
        return box if box is not None and box.isVisible() else None

    def reject(self) -> None:
        if getattr(self, "_discard_confirmed", False) or not self.isVisible() or not self.has_changes():
            super().reject()
            return
        if self.discard_question() is None:
            self._ask_discard()

    def _ask_discard(self) -> None:
        box: QMessageBox | None = getattr(self, "_discard_box", None)
        if box is None:  # built once and kept: the dialog's child, deleted with it
            box = QMessageBox(QMessageBox.Icon.Question, DISCARD_QUESTION, DISCARD_QUESTION,
                              QMessageBox.StandardButton.NoButton, self)
            box.setAccessibleName(DISCARD_QUESTION)
            box.setInformativeText("What you entered in this form has not been saved.")
            keep = box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
            self._discard_button = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
            keep.setAccessibleName("Keep editing")
            self._discard_button.setAccessibleName("Discard")
            box.setDefaultButton(keep)
            box.setEscapeButton(keep)
            box.setWindowModality(Qt.WindowModality.WindowModal)
            box.finished.connect(self._discard_answered)
            self._discard_box = box
        self._focus_before_question = QApplication.focusWidget()
        box.open()

    def _discard_answered(self, _result: int) -> None:
        box = self._discard_box
        if box is not None and box.clickedButton() is self._discard_button:
            self._discard_confirmed = True
            self.reject()
            return
        self.activateWindow()  # keep editing: back where the typing was
        focus = self._focus_before_question
        self._focus_before_question = None
        if focus is not None and shiboken6.isValid(focus) and focus.window() is self:
            focus.setFocus()


class ContentScroll(QScrollArea):
    """A dialog's form that scrolls when the screen is too short for it, and only then: it asks
    for its whole content's height (a plain QScrollArea asks for at most 24 lines), never for
    less width than the content needs (nothing is cut at its right edge, room kept for the
    scroll bar), and can shrink to ``MIN_LINES`` lines on a small screen."""

    MIN_LINES = 6

    def __init__(self, content: QWidget, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take the keyboard, not it
        content.setObjectName(content.objectName() or "scrollContents")
        self.setWidget(content)
        self.setStyleSheet(f"QScrollArea, QWidget#{content.objectName()} {{ background: transparent; }}")

    def _bar(self) -> int:
        return self.verticalScrollBar().sizeHint().width()

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        hint = content.sizeHint()
        return QSize(hint.width() + self._bar(), hint.height())

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().minimumSizeHint()
        least = content.minimumSizeHint()
        lines = self.fontMetrics().lineSpacing() * self.MIN_LINES
        return QSize(least.width() + self._bar(), min(least.height(), lines))


def error_line(parent: QWidget | None = None) -> QLabel:
    """The red line at the top of a form for a refusal that belongs to no one field (hidden
    until FieldErrors shows one there)."""
    label = QLabel(parent)
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.setAccessibleName("Error")
    label.setVisible(False)
    return label


class OneFieldDialog(QDialog):
    """A short question with one line to fill in — the password to sign, a reason to discharge:
    the explanation, the labelled field, the error under it, the accept button and Cancel.
    ``submitted`` carries what was typed; the caller calls :meth:`show_error` when the service
    refuses it (the dialog stays open, the text kept)."""

    submitted = Signal(str)

    def __init__(self, title: str, text: str, label: str, accept_text: str, *, error_name: str,
                 password: bool = False, max_length: int | None = None, width: int = 420,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.field = QLineEdit()
        self.field.setAccessibleName(label.replace("&", ""))
        if password:
            self.field.setEchoMode(QLineEdit.EchoMode.Password)
        if max_length is not None:
            self.field.setMaxLength(max_length)
        self.error = error_line()
        self.error.setAccessibleName(error_name)
        caption = QLabel(label)
        caption.setBuddy(self.field)
        form = QFormLayout()
        form.addRow(caption, self.field)
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox()
        self.accept_button = self.buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(lambda: self.submitted.emit(self.field.text()))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(width, self.sizeHint().height())

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
        self._fit_height()
        self.field.selectAll()
        self.field.setFocus()

    def _fit_height(self) -> None:
        """Grow (never shrink) to the height the wrapped text needs at this width: a dialog sized
        for a short error clipped a longer one, such as a locked account's, to its first line."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else self.sizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)


class DialogSlot:
    """The one child dialog a screen has open at a time: opened window-modal, forgotten and
    deleted when it finishes; ``on_saved`` runs when its ``saved`` signal fires."""

    def __init__(self, on_saved: Callable[[], None] | None = None) -> None:
        self.dialog: QDialog | None = None
        self._on_saved = on_saved

    def open(self, dialog: QDialog, *, modal: bool = True,
             finished: Callable[[], None] | None = None) -> None:
        """Open ``dialog`` window-modal, or beside its parent (``modal=False``: a screen);
        ``finished`` runs once it is closed and forgotten (e.g. to put the focus back)."""
        self.dialog = dialog
        if self._on_saved is not None and hasattr(dialog, "saved"):
            dialog.saved.connect(lambda *_: self._on_saved())

        def forget(_result: int) -> None:
            if self.dialog is dialog:
                self.dialog = None
            dialog.deleteLater()
            if finished is not None:
                finished()

        dialog.finished.connect(forget)
        if modal:
            dialog.open()
        else:
            dialog.show()


def save_cancel(dialog, save_text: str = "Save") -> QDialogButtonBox:
    """Save (calls ``dialog.save``, which accepts once the service took it) and Cancel."""
    buttons = QDialogButtonBox()
    buttons.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.save)
    buttons.rejected.connect(dialog.reject)
    return buttons


def with_mnemonic(text: str, part: str) -> str:
    """``text`` with its keyboard mnemonic ("&") before ``part`` (an empty ``part``: its first
    letter): Alt+that letter moves the focus there. Unchanged when ``part`` is not in it."""
    index = text.find(part)
    return text if index < 0 else f"{text[:index]}&{text[index:]}"
