"""A dialog around one ``InstrumentEntry``: the items in a scroll area, the live total always in
view, "Done" and "Cancel". It saves nothing: the caller reads ``dialog.entry.items()`` (or
``.score()``) after ``exec()`` returns Accepted and saves through a service."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core.instruments import Instrument
from clinic_desktop.gui import theme
from clinic_desktop.gui.widgets.dialog_base import AsksBeforeDiscarding, GeometryDialog
from clinic_desktop.gui.widgets.instrument_entry import InstrumentEntry


class InstrumentDialog(AsksBeforeDiscarding, GeometryDialog):
    """Enter one administration of an instrument; ``.entry`` is the ``InstrumentEntry``."""

    def __init__(self, instrument_id: str | Instrument, parent: QWidget | None = None, *,
                 title: str | None = None) -> None:
        super().__init__(parent)
        self.entry = InstrumentEntry(instrument_id)
        self.setWindowTitle(title or self.entry.instrument.short_title)
        self.setObjectName("instrumentDialog")

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("instrumentScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.setWidget(self.entry)
        self.scroll_area.viewport().setAutoFillBackground(False)
        self.entry.setAutoFillBackground(False)

        self.buttons = QDialogButtonBox(self)
        self.done_button = self.buttons.addButton("Done", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.done_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet(f"color: {theme.css('line')};")

        bottom = QHBoxLayout()
        bottom.setContentsMargins(8, 0, 0, 0)
        bottom.addWidget(self.entry.take_total_label(), 1)  # the live total stays in view
        bottom.addWidget(self.buttons, 0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        layout.addWidget(self.entry.take_header())  # the instructions stay whole above the items
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(line)
        layout.addLayout(bottom)

        self.resize(900, 680)
        self.entry.focus_first()
