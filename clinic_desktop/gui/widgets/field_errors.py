"""Show a service's ``ValidationError.fields`` as red messages under the matching inputs.

    errors = FieldErrors({"mrn": ui.mrnEdit, "given_name": ui.givenNameEdit}, general=ui.banner)
    try:
        patients.register(...)
    except ValidationError as exc:
        errors.show(exc.fields)      # messages under the fields, first bad field focused
    ...
    errors.clear()

The message label is made the first time a field needs one and goes in the row under the input
(its form layout's field column, or right after it in a box layout). It is a QLabel with the
dynamic property ``role="error"`` (red in the app's style sheet) and the accessible name
"<input's accessible name> error"; the input gets ``invalid="true"`` and the message as its
accessible description, so a screen reader announces it with the field. Editing the field
clears its message. Messages for keys without an input go to the ``general`` label, if given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from clinic_desktop.core.errors import ClinicError, ValidationError
from clinic_desktop.gui.operations import Operation, QueryOp, error_message
from clinic_desktop.gui.widgets.reveal import reveal
from clinic_desktop.gui.widgets.style import busy_cursor, repolish

T = TypeVar("T")


def _holds(item: QLayoutItem, widget: QWidget) -> bool:
    """The item is the widget, or a layout with the widget somewhere inside."""
    inner = item.layout()
    return item.widget() is widget or (inner is not None and _contains(inner, widget))


def _contains(layout: QLayout, widget: QWidget) -> bool:
    for i in range(layout.count()):
        item = layout.itemAt(i)  # never None below count(); the stubs cannot know
        if item is not None and _holds(item, widget):
            return True
    return False


def _form_row(layout: QLayout | None, widget: QWidget) -> tuple[QFormLayout, int] | None:
    """The innermost form layout under ``layout`` holding ``widget`` directly, and its row."""
    if layout is None:
        return None
    for i in range(layout.count()):
        item = layout.itemAt(i)
        inner = item.layout() if item is not None else None
        if inner is not None:
            found = _form_row(inner, widget)
            if found:
                return found
    if isinstance(layout, QFormLayout):
        for row in range(layout.rowCount()):
            for role in (QFormLayout.ItemRole.FieldRole, QFormLayout.ItemRole.SpanningRole):
                item = layout.itemAt(row, role)
                if item is not None and _holds(item, widget):
                    return layout, row
    return None


def _box_index(layout: QLayout | None, widget: QWidget) -> tuple[QBoxLayout, int] | None:
    if layout is None:
        return None
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item is None:
            continue
        if item.widget() is widget and isinstance(layout, QBoxLayout):
            return layout, i
        if item.layout() is not None:
            found = _box_index(item.layout(), widget)
            if found:
                return found
    return None


class FieldErrors:
    """Error messages next to a form's inputs, keyed by the service's field names.

    ``fields`` maps a service field name to its input, in layout order (the first bad field in
    this order gets the focus).
    """

    def __init__(self, fields: Mapping[str, QWidget], general: QLabel | None = None, *,
                 clear_on_edit: bool = True) -> None:
        self._fields: dict[str, QWidget] = dict(fields)
        self._general = general
        self._labels: dict[str, QLabel] = {}
        self._descriptions: dict[str, str] = {}
        self._messages: dict[str, str] = {}
        if clear_on_edit:
            for key, widget in self._fields.items():
                self._clear_when_edited(key, widget)

    # -- public -------------------------------------------------------------------------------

    def show(self, errors: Mapping[str, str]) -> QWidget | None:
        """Replace any shown messages with ``errors``; focus and return the first bad input."""
        self.clear()
        general = []
        for key, message in errors.items():
            if key in self._fields and self.set_error(key, message):
                continue
            general.append(message)
        if general and self._general is not None:
            self._general.setText("\n".join(general))
            self._general.setVisible(True)
        first = next((w for key, w in self._fields.items() if key in self._messages), None)
        if first is not None:
            reveal(first)
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return first

    def attempt(self, call: Callable[[], T]) -> tuple[bool, T | None]:
        """Run a service call under a wait cursor: ``(True, result)``, or, when the service
        refuses, ``(False, None)`` with the refusal shown here (a ValidationError's fields next to
        their inputs; any other ClinicError, such as a conflict or a permission, in the general
        line)."""
        try:
            with busy_cursor():
                return True, call()
        except ClinicError as exc:
            self.show_refusal(exc)
        return False, None

    def show_refusal(self, exc: BaseException) -> None:
        """A service's refusal, shown here: a ValidationError's fields next to their inputs, any
        other error's one line (``gui.operations.error_message``) in the general line."""
        if isinstance(exc, ValidationError):
            self.show(exc.fields)
        else:
            self.show({"": error_message(exc)})

    def attempt_in_background(self, parent: QWidget, call: Callable[[], T],
                              success: Callable[[T], object], *,
                              refused: Callable[[], object] | None = None,
                              disabling: Iterable[QWidget] = (), what: str = "") -> Operation:
        """``attempt`` for a slow call (a password hash, a slow server): ``call`` runs off the GUI
        thread (``gui.operations``; it reads no widget, so read the inputs first), the
        ``disabling`` controls are off meanwhile; then ``success(result)``, or the refusal shown
        here as ``attempt`` shows it, then ``refused()``."""
        def failed(exc: BaseException) -> None:
            self.show_refusal(exc)
            if refused is not None:
                refused()

        return (QueryOp(parent=parent, op=call, success=success, what=what).failure(failed)
                .disabling(*disabling).run_in_background())

    def set_error(self, key: str, message: str) -> bool:
        """Show one message under the input named ``key``; False if it has no place to go."""
        widget = self._fields[key]
        own = getattr(widget, "own_errors", None)
        if isinstance(own, FieldErrors):  # a field with its own message line (WhenEdit): one line
            own.set_error("when", message)
            self._messages[key] = message
            return True
        label = self._labels.get(key) or self._make_label(key, widget)
        if label is None:
            return False
        label.setText(message)
        self._set_row_visible(label, True)
        if key not in self._descriptions:
            self._descriptions[key] = widget.accessibleDescription()
        widget.setAccessibleDescription(message)
        widget.setProperty("invalid", True)
        repolish(widget)
        self._messages[key] = message
        return True

    def clear(self, key: str | None = None) -> None:
        """Hide the message of ``key``, or of every field (and the general label)."""
        keys = [key] if key is not None else list(self._fields)
        for k in keys:
            label = self._labels.get(k)
            if label is not None:
                label.clear()
                self._set_row_visible(label, False)
            widget = self._fields[k]
            own = getattr(widget, "own_errors", None)
            if isinstance(own, FieldErrors) and k in self._messages:
                own.clear("when")
            if k in self._descriptions:
                widget.setAccessibleDescription(self._descriptions.pop(k))
            if widget.property("invalid"):
                widget.setProperty("invalid", False)
                repolish(widget)
            self._messages.pop(k, None)
        if key is None and self._general is not None:
            self._general.clear()
            self._general.setVisible(False)

    def message(self, key: str) -> str | None:
        return self._messages.get(key)

    def label(self, key: str) -> QLabel | None:
        return self._labels.get(key)

    @property
    def messages(self) -> dict[str, str]:
        return dict(self._messages)

    # -- placement ----------------------------------------------------------------------------

    def _make_label(self, key: str, widget: QWidget) -> QLabel | None:
        name = widget.accessibleName() or key.replace("_", " ").capitalize()
        label = QLabel()
        label.setObjectName(f"{key}_error")
        label.setProperty("role", "error")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop)
        label.setAccessibleName(f"{name} error")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Walk up from the input: the first layout that holds it (or a container around it).
        holder: QWidget | None = widget
        while holder is not None and (parent := holder.parentWidget()) is not None:
            parent_layout = parent.layout()
            found = _form_row(parent_layout, holder)
            if found:
                form, row = found
                # An (empty) label widget, not "": QFormLayout ignores height-for-width in rows
                # without one, and a wrapped message would get a two-line gap.
                form.insertRow(row + 1, QLabel(), label)
                break
            boxed = _box_index(parent_layout, holder)
            if boxed:
                box, index = boxed
                box.insertWidget(index + 1, label)
                break
            holder = parent
        else:
            label.deleteLater()
            return None
        self._labels[key] = label
        return label

    @staticmethod
    def _set_row_visible(label: QLabel, visible: bool) -> None:
        parent = label.parentWidget()
        layout = parent.layout() if parent is not None else None
        found = _form_row(layout, label)
        if found:
            found[0].setRowVisible(found[1], visible)
        else:
            label.setVisible(visible)

    def _clear_when_edited(self, key: str, widget: QWidget) -> None:
        def clear(*_args) -> None:
            if key in self._messages:
                self.clear(key)

        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(clear)
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            widget.textChanged.connect(clear)
        elif isinstance(widget, QComboBox):
            widget.activated.connect(clear)
        elif isinstance(widget, QAbstractSpinBox):
            widget.editingFinished.connect(clear)
        elif isinstance(proxy := widget.focusProxy(), QLineEdit):  # a field made of a line edit and more
            proxy.textEdited.connect(clear)
