"""A printed document on screen before it goes to paper: the PDF pages, Print… and Save PDF….
Used for the shift handover, the aftercare plan and the referral letter.

:func:`render_then_preview` prepares the document off the GUI thread through
:mod:`clinic_desktop.gui.operations`: the render callable runs in a worker (it may use the
database, whose calls each open their own session, but never touches a widget) while the screen
shows a busy cursor and a small "Preparing the document…" dialog; the :class:`PdfPreview` of the
bytes then opens on the GUI thread. A :class:`~clinic_desktop.core.errors.ClinicError` is shown
as it is; any other exception is logged by type name only (no patient data in the log) and shown
as a plain message."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QSize, Signal
from PySide6.QtGui import QAction, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox, QVBoxLayout, QWidget

from clinic_desktop.core.files import NotARegularFile, write_private
from clinic_desktop.gui.operations import Operation, QueryOp, error_message
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
            write_private(path, self.pdf)  # a regular file only, 0600, whole or not at all
        except NotARegularFile as exc:
            QMessageBox.warning(self, "Not saved", str(exc))
            return
        except OSError as exc:
            QMessageBox.warning(self, "Not saved", f"The PDF could not be saved: {exc.strerror or exc}")
            return
        log.info("document saved as PDF (%d pages)", self.page_count())


# ---- rendering off the GUI thread ------------------------------------------------------------
PREPARING = "Preparing the document\u2026"
NOT_PREPARED = "The document could not be prepared. The problem has been logged; please try again."


def _pdf_bytes(render: Callable[[], bytes]) -> bytes:
    """The worker's part: the render, checked to be bytes."""
    pdf = render()
    if not isinstance(pdf, (bytes, bytearray)):
        raise TypeError("the render did not return bytes")
    return bytes(pdf)


class DocumentJob(QObject):
    """One document being prepared for ``parent`` (an :class:`~clinic_desktop.gui.operations.
    Operation` with a "Preparing the document…" dialog). ``document_ready(preview)`` fires once
    the :class:`PdfPreview` is open; ``failed(message)`` once the message has been shown.
    ``on_error(exc)`` is called first; when it returns True it has shown the problem itself (next
    to the field it is about) and no message box follows."""

    document_ready = Signal(object)  # PdfPreview
    failed = Signal(str)

    def __init__(self, render: Callable[[], bytes], title: str, suggested_name: str, parent: QWidget, *,
                 failure_title: str = "Not prepared",
                 on_error: Callable[[BaseException], bool | None] | None = None,
                 disabling: Iterable[QWidget | QAction | None] = ()) -> None:
        super().__init__(parent)
        self.host = parent
        self.disabling = list(disabling)
        self.render, self.title, self.suggested_name = render, title, suggested_name
        self.failure_title = failure_title
        self.on_error = on_error
        self.preview: PdfPreview | None = None
        self.operation: Operation | None = None

    @property
    def running(self) -> bool:
        return self.operation is not None and self.operation.running

    def start(self) -> None:
        render = self.render
        self.operation = (
            QueryOp(parent=self.host, op=lambda _progress: _pdf_bytes(render), success=self._done,
                    what="document", failure_title=self.failure_title, unexpected=NOT_PREPARED)
            .failure(self._error)
            .with_progress(PREPARING, title=self.title, name="Preparing the document")
            .disabling(*self.disabling)
            .run_in_background())

    def _done(self, pdf: bytes) -> None:
        self.operation = None
        preview = PdfPreview(pdf, self.title, self.suggested_name, self.host)
        self.preview = preview
        preview.finished.connect(preview.deleteLater)
        preview.open()
        log.info("document prepared (%d pages)", preview.page_count())
        self.document_ready.emit(preview)
        self.deleteLater()

    def _error(self, exc: BaseException) -> None:
        self.operation = None
        message = error_message(exc, NOT_PREPARED)
        shown = self.on_error(exc) if self.on_error is not None else None
        if not shown:  # on_error returning True said it already (next to the field): no box over it
            QMessageBox.warning(self.host, self.failure_title, message)
        self.failed.emit(message)
        self.deleteLater()


def render_then_preview(render: Callable[[], bytes], title: str, suggested_name: str, parent: QWidget, *,
                        failure_title: str = "Not prepared",
                        on_error: Callable[[BaseException], bool | None] | None = None,
                        disabling: Iterable[QWidget | QAction | None] = ()) -> DocumentJob:
    """Run ``render`` (returning PDF bytes) in a worker thread, then open a :class:`PdfPreview`
    of exactly those bytes, titled ``title``, over ``parent``. Returns the started job (its
    ``document_ready``/``failed`` signals say how it ended); ``disabling`` controls are off
    meanwhile."""
    job = DocumentJob(render, title, suggested_name, parent, failure_title=failure_title, on_error=on_error,
                      disabling=disabling)
    job.start()
    return job
