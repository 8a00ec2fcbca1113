"""The shared base of the settings dialogs (MusicBrainz Picard's ``OptionsPage``): one input per
setting key, the values loaded from ``core.services.settings``, the changes collected, **Restore
defaults**, and **Save** with the service's refusals next to the fields.

A dialog built on it (``ClinicSettingsDialog``, ``ProtocolSettingsDialog``) lays out its inputs,
fills ``self.inputs`` (setting key → input, in layout and Tab order), then calls
``setup_buttons`` with its button box and ``setup_errors`` with the label for refusals that
belong to no one field, and ``load``. Both dialogs share one layout through
:func:`lay_out_group` (the group box, its form and its label column) and :func:`lay_out_spin_box`.
It may check the changes before they are sent
(``check``) and choose how a stored code matches a combo box's item (``choice_code``).
Only setting keys are logged, never their values.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from clinic_desktop.core.errors import ClinicError
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import settings
from clinic_desktop.core.settings import DEFAULTS
from clinic_desktop.gui.widgets.dialog_base import AsksBeforeDiscarding, GeometryDialog
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.style import repolish

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database

RESTORE_TIP = "Fill every field with the shipped default; nothing is saved until you choose Save"

# --- one layout for every settings dialog ------------------------------------------------------
#: The widest the label column may be before a label wraps (keeps the protocol settings' two
#: columns of groups within a 1366-pixel screen).
LABEL_WIDTH = 270
#: Every setting's spin box is this wide, its number right-aligned (digits line up).
SPIN_WIDTH = 100
#: A group's form: margins (left, top, right, bottom) and spacing between label and field, rows.
FORM_MARGINS = (12, 10, 12, 10)
FORM_SPACING = (12, 8)


def lay_out_group(box: QGroupBox, title: str, form: QFormLayout | QGridLayout,
                  labels: list[QLabel] | None = None, label_width: int | None = None) -> None:
    """Give a settings group its one look: ``title`` (sentence case, no colon; "&" before a
    mnemonic letter) on the box, the box named by the title without "&", the settings group style
    of the app's style sheet (``QGroupBox[role="settings"]``) and the form's margins. A form
    (``QFormLayout``) also gets the spacing, left-aligned labels and growing fields, and its
    ``labels`` (the form's labels when None) take ``label_width`` (by default
    :func:`label_column_width` of them) and wrap beyond it: give every group of a dialog the
    same width so that the fields line up. A table (``QGridLayout``) keeps its own spacing."""
    box.setTitle(title)
    box.setAccessibleName(title.replace("&", ""))
    if box.property("role") != "settings":
        box.setProperty("role", "settings")
        repolish(box)
    form.setContentsMargins(*FORM_MARGINS)
    if not isinstance(form, QFormLayout):
        return
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
    form.setHorizontalSpacing(FORM_SPACING[0])
    form.setVerticalSpacing(FORM_SPACING[1])
    if labels is None:
        labels = form_labels(form)
    width = label_width if label_width is not None else label_column_width(labels)
    for label in labels:
        label.setWordWrap(True)
        label.setFixedWidth(width)


def form_labels(form: QFormLayout) -> list[QLabel]:
    """The labels of ``form``'s rows."""
    labels = []
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        widget = item.widget() if item is not None else None
        if isinstance(widget, QLabel):
            labels.append(widget)
    return labels


def label_column_width(labels: list[QLabel]) -> int:
    """The label column's width: the widest label's on one line, at most :data:`LABEL_WIDTH`."""
    widest = 0
    for label in labels:
        label.ensurePolished()  # the style sheet's font
        text = label.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        margins = label.contentsMargins()
        widest = max(widest, label.fontMetrics().horizontalAdvance(text) + 2 * label.margin()
                     + margins.left() + margins.right() + 2)
    return min(LABEL_WIDTH, widest)


def lay_out_spin_box(spin: QAbstractSpinBox) -> None:
    """A setting's spin box: :data:`SPIN_WIDTH` wide whatever its range, the number right-aligned."""
    spin.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    spin.setFixedWidth(SPIN_WIDTH)
    spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)


class SettingsDialog(AsksBeforeDiscarding, GeometryDialog):
    """Setting inputs with their shipped defaults. **Restore defaults** fills the fields with the
    defaults (nothing is saved until **Save**). **Save** sends only the changed keys; after a
    successful save ``settings_saved`` carries all the settings as now stored, and the dialog
    accepts."""

    GROW_TO_FIT = True
    #: What the log says after a save, with the saved keys: "clinic settings saved: ...".
    SAVED_LOG: ClassVar[str] = "settings saved: %s"
    #: Settings without a shipped default (the clinic's name): Restore defaults leaves them.
    KEPT_ON_RESTORE: ClassVar[tuple[str, ...]] = ()

    settings_saved = Signal(dict)

    def __init__(self, db: Database, user: SignedInUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._user = user
        self._editable = True
        #: Each setting's input, in layout order (FieldErrors focuses the first bad one).
        self.inputs: dict[str, QWidget] = {}
        self._stored: dict[str, Any] = {}
        self.errors: FieldErrors
        self.save_button: QPushButton
        self.restore_button: QPushButton

    # --- building ------------------------------------------------------------------------------
    def setup_buttons(self, buttons: QDialogButtonBox) -> None:
        """Save (the default button), Restore defaults and Cancel of ``buttons``, connected."""
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Save")
        self.save_button.setDefault(True)
        self.restore_button = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        self.restore_button.setText("&Restore defaults")
        self.restore_button.setToolTip(RESTORE_TIP)
        self.restore_button.setAutoDefault(False)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self.restore_defaults)

    def setup_errors(self, general: QLabel) -> None:
        """Refusals under their fields (``self.inputs``), the others in ``general``."""
        self.errors = FieldErrors(self.inputs, general=general)

    def showEvent(self, event: QShowEvent) -> None:
        self.fit_to_screen()
        super().showEvent(event)

    def fit_to_screen(self) -> None:
        """Size the dialog for the screen it is shown on (nothing by default)."""

    def fit_scroll_across(self, scroll: QScrollArea, area: QRect | None) -> bool:
        """``scroll`` (holding the groups) never narrower than the groups, room kept for its
        scroll bar: their fields are never cut at its right edge. On a screen (``area``) narrower
        than that it takes the width there is and scrolls sideways too (16 pixels left for the
        window's frame). Returns whether it scrolls sideways."""
        content, layout = scroll.widget(), self.layout()
        if content is None or layout is None:
            return False
        width = content.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
        margins = layout.contentsMargins()
        across = area.width() - margins.left() - margins.right() - 16 if area is not None else width
        scroll.setMinimumWidth(min(width, across))
        sideways = width > across
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if sideways
                                            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return sideways

    def focus_first_input(self) -> None:
        next(iter(self.inputs.values())).setFocus()

    # --- the values in the fields --------------------------------------------------------------
    def load(self) -> None:
        """Fill the fields with the settings as stored now."""
        try:
            stored = settings.get_all(self._db)
        except ClinicError as exc:
            self._stored = {key: DEFAULTS[key] for key in self.inputs}
            self.save_button.setEnabled(False)
            self.errors.show({"": f"The settings could not be loaded: {exc}"})
            return
        self._stored = {key: stored.get(key, DEFAULTS[key]) for key in self.inputs}
        self.set_values(self._stored)

    def choice_code(self, key: str, value: Any) -> str:
        """The item data a combo box's stored ``value`` matches."""
        return str(value or DEFAULTS[key]).strip()

    def set_values(self, values: dict[str, Any]) -> None:
        """Put ``values`` in the fields (other keys are ignored; a bad number shows the
        default; a code not among a combo box's items is added to it)."""
        for key, value in values.items():
            widget = self.inputs.get(key)
            if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    number = float(DEFAULTS[key])
                if isinstance(widget, QDoubleSpinBox):
                    widget.setValue(number)
                else:
                    widget.setValue(int(number))
            elif isinstance(widget, QComboBox):
                code = self.choice_code(key, value)
                index = widget.findData(code)
                if index < 0:  # set elsewhere (the command line) to a code not in the list
                    widget.addItem(code, code)
                    index = widget.count() - 1
                widget.setCurrentIndex(index)
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(str(value or ""))
            elif isinstance(widget, QLineEdit):
                widget.setText(str(value or ""))

    def values(self) -> dict[str, Any]:
        """What the fields hold now (text trimmed, as the service will store it; a decimal to
        its field's places)."""
        result: dict[str, Any] = {}
        for key, widget in self.inputs.items():
            if isinstance(widget, QDoubleSpinBox):
                result[key] = round(widget.value(), widget.decimals())
            elif isinstance(widget, QSpinBox):
                result[key] = widget.value()
            elif isinstance(widget, QComboBox):
                result[key] = widget.currentData() or ""
            elif isinstance(widget, QPlainTextEdit):
                result[key] = widget.toPlainText().strip()
            elif isinstance(widget, QLineEdit):
                result[key] = widget.text().strip()
        return result

    def changes(self) -> dict[str, Any]:
        """Only the settings whose field differs from what is stored."""
        changed = {}
        for key, value in self.values().items():
            stored = self._stored.get(key)
            if isinstance(value, (int, float)):
                try:
                    same = float(stored) == value  # type: ignore[arg-type]
                except (TypeError, ValueError):
                    same = False
            else:
                same = str(stored if stored is not None else "").strip() == value
            if not same:
                changed[key] = value
        return changed

    def check(self, changes: dict[str, Any]) -> dict[str, str]:
        """Refusals this workstation can tell before the service is asked (field → message)."""
        return {}

    # --- buttons -------------------------------------------------------------------------------
    def restore_defaults(self) -> None:
        """Fill the fields with the shipped defaults (but those :attr:`KEPT_ON_RESTORE`);
        nothing is saved until Save."""
        self.errors.clear()
        self.set_values({key: value for key, value in DEFAULTS.items() if key not in self.KEPT_ON_RESTORE})
        self.focus_first_input()

    def save(self) -> None:
        if not self._editable:
            return
        for widget in self.inputs.values():
            if isinstance(widget, QAbstractSpinBox):
                widget.interpretText()  # a number still being typed counts
        self.errors.clear()
        changes = self.changes()
        if not changes:
            self.accept()
            return
        problems = self.check(changes)
        if problems:
            self.errors.show(problems)
            self.grow_to_fit()
            return
        ok, saved = self.errors.attempt(lambda: settings.update(self._db, self._user, changes))
        if not ok or saved is None:
            self.grow_to_fit()
            return
        logging.getLogger(type(self).__module__).info(self.SAVED_LOG, ", ".join(sorted(changes)))
        self._stored = {key: saved.get(key, DEFAULTS[key]) for key in self.inputs}
        self.settings_saved.emit(dict(saved))
        self.accept()
