"""A printed document on screen before it goes to paper: the PDF pages, Print… and Save PDF….
Used for the shift handover (and later the aftercare plan)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox, QVBoxLayout, QWidget

from clinic_desktop.gui.widgets.dialog_base import GeometryDialog

log = logging.getLogger(__name__)


class PdfPreview(GeometryDialog):
    """Shows ``pdf`` (bytes); Print… sends each page to a printer, Save PDF… writes the bytes."""

    def __init__(self, pdf: bytes, title: str, suggested_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPreview")
        self.setWindowTitle(title)
        self.pdf = pdf
        self.suggested_name = suggested_name
        self._bytes = QByteArray(pdf)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setAccessibleName("Document")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.buttons = QDialogButtonBox(self)
        self.print_button = self.buttons.addButton("Print\u2026", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = self.buttons.addButton("Save PDF\u2026", QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_document)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        self.resize(900, 720)

    def page_count(self) -> int:
        return self.document.pageCount()

    def print_to(self, printer: QPrinter) -> None:
        """Each page rendered at the printer's resolution, fitted to its page."""
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("The printer could not be started.")
        try:
            for page in range(self.document.pageCount()):
                if page:
                    printer.newPage()
                target = printer.pageLayout().paintRectPixels(printer.resolution())
                size = self.document.pagePointSize(page)
                scale = min(target.width() / size.width(), target.height() / size.height())
                image = self.document.render(page, QSize(int(size.width() * scale), int(size.height() * scale)))
                painter.drawImage(0, 0, image)
        finally:
            painter.end()

    def print_document(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        try:
            self.print_to(printer)
        except OSError as exc:
            QMessageBox.warning(self, "Not printed", str(exc))
            return
        log.info("document printed (%d pages)", self.page_count())

    def save_document(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save PDF", self.suggested_name, "PDF (*.pdf)")
        if not path:
            return
        try:
            with open(path, "wb") as out:
                out.write(self.pdf)
        except OSError as exc:
            QMessageBox.warning(self, "Not saved", f"The PDF could not be saved: {exc.strerror or exc}")
            return
        log.info("document saved as PDF (%d pages)", self.page_count())
