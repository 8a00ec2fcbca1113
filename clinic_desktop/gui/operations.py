"""Slow work off the GUI thread, one way for every screen (DESIGN.md convention 8; modelled on
Anki's ``aqt/operations`` ``QueryOp``)::

    QueryOp(parent=self, op=lambda: directory.export_csv(db, user, stream), success=self._exported,
            what="directory export")
        .failure(self._show_error)              # optional; else the one-line message box
        .with_progress("Exporting the directory\u2026")   # optional; see below
        .disabling(self.export_button)          # optional: these controls are off while it runs
        .quietly()                              # optional: no busy cursor (work nobody asked for)
        .run_in_background()                    # -> the running Operation

``op`` runs on a :class:`QThreadPool` worker. It may call services (each call opens, commits and
closes its own session, so no Session or ORM object crosses threads) and pure code; it never
touches a widget, and what it returns is plain data. Meanwhile the window keeps answering: the
application shows the busy cursor and the ``disabling`` controls are off. Then, on the GUI
thread and exactly once, ``success(result)`` runs, or on an exception ``failure(exc)``; without a
``failure`` callback the app's one-line message is shown in a warning box titled
``failure_title``: a :class:`~clinic_desktop.core.errors.ClinicError` as it is, anything else as
a plain sentence (``unexpected``) with only its type name logged (no patient data in the log).
If ``parent`` is closed before the work ends, the result is dropped and nothing is called.

``with_progress(label, ...)`` shows a window-modal progress dialog (after ``show_after_ms``) and
calls ``op(progress)`` with a :class:`Progress`: ``progress.report(done, total, label)`` from the
worker moves the bar, and with ``cancellable=True`` its Cancel (or :meth:`Operation.cancel`) makes
``progress.cancelled()`` true; the op decides what a cancel means and still returns a result,
which ``success`` receives.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from clinic_desktop.core.errors import ClinicError
from clinic_desktop.gui.widgets.style import restore_cursor, set_busy_cursor

log = logging.getLogger(__name__)

T = TypeVar("T")

#: What staff read when the work failed for a reason that is not one of the clinic's own.
UNEXPECTED = "This could not be done. The problem has been logged; please try again."
#: A progress dialog appears only if the work takes longer than this (unless told otherwise).
PROGRESS_DELAY_MS = 300


def error_message(exc: BaseException, unexpected: str = UNEXPECTED) -> str:
    """The one line staff read for ``exc``: a clinic error's own message, else ``unexpected``."""
    return str(exc) if isinstance(exc, ClinicError) else unexpected


class Progress:
    """The op's handle on its progress dialog (made by ``with_progress``): safe to use from the
    worker thread."""

    def __init__(self, operation: Operation) -> None:
        self._operation = operation
        self._cancel = threading.Event()

    def report(self, done: int, total: int, label: str | None = None) -> None:
        """Move the bar to ``done`` of ``total`` (and show ``label``), on the GUI thread soon."""
        operation = self._operation
        try:
            QTimer.singleShot(0, operation, lambda: operation._show_progress(done, total, label))
        except RuntimeError:  # the window that asked was closed
            pass

    def cancelled(self) -> bool:
        """Whether Cancel was clicked (the op should stop at its next safe point)."""
        return self._cancel.is_set()


class _Task(QRunnable):
    """Runs ``call`` on a pool thread, then hands the outcome to ``operation`` on the GUI thread
    with a queued call (``QTimer.singleShot(0, operation, ...)``), which Qt drops if the operation
    was deleted meanwhile. (A queued call rather than ``Signal.emit`` from the worker.)"""

    def __init__(self, call: Callable[[], Any], operation: Operation) -> None:
        super().__init__()
        self._call: Callable[[], Any] | None = call
        self._operation: Operation | None = operation

    def run(self) -> None:  # the worker thread: no widgets here
        call, self._call = self._call, None
        operation, self._operation = self._operation, None
        assert call is not None and operation is not None
        try:
            value = call()
            deliver = lambda result=value: operation._deliver(True, result)
        except Exception as exc:  # noqa: BLE001 - reported on the GUI thread
            deliver = lambda error=exc: operation._deliver(False, error)
        del call
        try:
            QTimer.singleShot(0, operation, deliver)
        except RuntimeError:  # the window that asked was closed meanwhile
            log.info("work finished for a closed window; dropped")


class Operation(QObject):
    """One piece of work running for ``parent`` (made by :meth:`QueryOp.run_in_background`).
    ``succeeded(result)`` or ``failed(message)`` fires once, after the callback ran; then the
    operation deletes itself."""

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, query: QueryOp[Any]) -> None:
        super().__init__(query.parent)
        self._query = query
        self.running = False
        self._finished = False
        self.progress = Progress(self) if query.progress_label is not None else None
        self._progress_dialog: QProgressDialog | None = None
        self._disabled: list[QWidget | QAction] = []
        self._cursor = {"busy": False}
        # If the window goes away while the worker runs, the cursor still comes back.
        self.destroyed.connect(lambda *_a, state=self._cursor: Operation._restore(state))

    @staticmethod
    def _restore(state: dict) -> None:
        if state.get("busy"):
            state["busy"] = False
            restore_cursor()

    # ---- starting ------------------------------------------------------------------------------
    def start(self) -> Operation:
        query = self._query
        if query.busy_cursor:
            set_busy_cursor()
            self._cursor["busy"] = True
        for widget in query.controls:
            if widget.isEnabled():
                widget.setEnabled(False)
                self._disabled.append(widget)
        if self.progress is not None:
            self._progress_dialog = self._make_progress_dialog()
        self.running = True
        op, progress = query.op, self.progress
        call = (lambda: op(progress)) if progress is not None else op
        QThreadPool.globalInstance().start(_Task(call, self))
        return self

    def _make_progress_dialog(self) -> QProgressDialog:
        query = self._query
        dialog = QProgressDialog(query.progress_label or "", "Cancel", 0, query.progress_maximum,
                                 query.parent)
        if not query.cancellable:
            dialog.setCancelButton(None)
        else:
            dialog.canceled.connect(self.cancel)
        dialog.setWindowTitle(query.progress_title or query.parent.window().windowTitle())
        dialog.setAccessibleName(query.progress_name or query.progress_label or "")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if query.progress_width:
            dialog.setMinimumWidth(query.progress_width)
        dialog.setMinimumDuration(query.show_after_ms)
        if query.show_after_ms <= 0:
            dialog.setValue(0)
            dialog.show()
        return dialog

    # ---- while it runs (GUI thread) ------------------------------------------------------------
    def progress_dialog(self) -> QProgressDialog | None:
        """The progress dialog, while the work runs (None without ``with_progress``)."""
        return self._progress_dialog

    def cancel(self) -> None:
        """Ask the op to stop (it sees ``progress.cancelled()``); its result still arrives."""
        if self.progress is not None:
            self.progress._cancel.set()

    def _show_progress(self, done: int, total: int, label: str | None) -> None:
        dialog = self._progress_dialog
        if dialog is None or self._finished or dialog.wasCanceled():
            return
        if label is not None:
            dialog.setLabelText(label)
        dialog.setMaximum(max(total, 1))
        # Last: a window-modal QProgressDialog paints (processes events) in setValue.
        dialog.setValue(min(done, max(total, 1)))

    # ---- the end (GUI thread, once) ------------------------------------------------------------
    def _stop_busy(self) -> None:
        self.running = False
        Operation._restore(self._cursor)
        for widget in self._disabled:
            if shiboken6.isValid(widget):
                widget.setEnabled(True)
        self._disabled.clear()
        if self._progress_dialog is not None:
            self._progress_dialog.close()
            self._progress_dialog.deleteLater()
            self._progress_dialog = None

    def _deliver(self, ok: bool, value: Any) -> None:
        if self._finished:
            return
        self._finished = True
        query = self._query
        self._stop_busy()
        try:
            if ok:
                query.success(value)
                self.succeeded.emit(value)
                return
            message = error_message(value, query.unexpected)
            if isinstance(value, ClinicError):
                log.warning("%s refused: %s", query.what, type(value).__name__)
            else:
                log.error("%s failed: unexpected %s", query.what, type(value).__name__)
            if query.on_failure is not None:
                query.on_failure(value)
            else:
                QMessageBox.warning(query.parent, query.failure_title, message)
            self.failed.emit(message)
        finally:
            self._query = None  # type: ignore[assignment]  # nothing kept alive once it ended
            self.deleteLater()


class QueryOp(Generic[T]):
    """Work to run off the GUI thread for ``parent``; configure, then :meth:`run_in_background`.

    ``what`` names the work in the log ("directory import"); ``failure_title`` titles the
    warning shown on failure when no :meth:`failure` callback is given; ``unexpected`` is the
    sentence shown for an error that is not a ``ClinicError``."""

    def __init__(self, *, parent: QWidget, op: Callable[..., T], success: Callable[[T], Any],
                 what: str = "work", failure_title: str = "Not done",
                 unexpected: str = UNEXPECTED) -> None:
        self.parent, self.op, self.success = parent, op, success
        self.what, self.failure_title, self.unexpected = what, failure_title, unexpected
        self.on_failure: Callable[[BaseException], Any] | None = None
        self.controls: list[QWidget | QAction] = []
        self.progress_label: str | None = None
        self.progress_title: str | None = None
        self.progress_name: str | None = None
        self.progress_maximum = 0
        self.progress_width = 0
        self.cancellable = False
        self.show_after_ms = PROGRESS_DELAY_MS
        self.busy_cursor = True

    def failure(self, callback: Callable[[BaseException], Any]) -> QueryOp[T]:
        """Call ``callback(exc)`` on failure instead of showing the warning box (the error is
        logged either way; :func:`error_message` gives the line to show)."""
        self.on_failure = callback
        return self

    def disabling(self, *controls: QWidget | QAction | None) -> QueryOp[T]:
        """Turn these controls (buttons, menu actions) off while the work runs; those that were
        on come back on."""
        self.controls.extend(c for c in controls if c is not None)
        return self

    def quietly(self) -> QueryOp[T]:
        """No busy cursor while it runs: for work the app starts on its own (a scheduled backup),
        which must not look to whoever is typing as if the window were stuck."""
        self.busy_cursor = False
        return self

    def with_progress(self, label: str, *, title: str | None = None, name: str | None = None,
                      maximum: int = 0, cancellable: bool = False, width: int = 0,
                      show_after_ms: int = PROGRESS_DELAY_MS) -> QueryOp[T]:
        """A progress dialog saying ``label`` (accessible name ``name``, window title ``title``),
        busy until the op reports (``maximum`` 0), shown if the work lasts ``show_after_ms``;
        the op is then called with a :class:`Progress`."""
        self.progress_label, self.progress_title, self.progress_name = label, title, name
        self.progress_maximum, self.cancellable = maximum, cancellable
        self.progress_width, self.show_after_ms = width, show_after_ms
        return self

    def run_in_background(self) -> Operation:
        """Start the work; returns the running :class:`Operation`."""
        return Operation(self).start()


def run_in_background(parent: QWidget, op: Callable[[], T], success: Callable[[T], Any], *,
                      failure: Callable[[BaseException], Any] | None = None,
                      disabling: Iterable[QWidget | QAction | None] = (), what: str = "work",
                      failure_title: str = "Not done") -> Operation:
    """The short form of ``QueryOp(...).failure(...).disabling(...).run_in_background()``."""
    query = QueryOp(parent=parent, op=op, success=success, what=what, failure_title=failure_title)
    if failure is not None:
        query.failure(failure)
    return query.disabling(*disabling).run_in_background()
