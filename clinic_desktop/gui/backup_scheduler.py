"""Backups that run themselves while someone is signed in, and the status bar's "Backup: 3 h ago".

Every :data:`CHECK_MS` (a minute) the scheduler reads the clinic settings (``backup.folder``,
``backup.every_hours``, ``backup.keep``) and asks :func:`core.services.backup.backup_due`
whether a backup is due: a folder is set and the last verified backup is ``every_hours`` old,
or there is none (a failed attempt waits ``RETRY_AFTER`` before the next). Then it runs
:func:`~clinic_desktop.core.services.backup.backup_to_folder` off the GUI thread through
:mod:`clinic_desktop.gui.operations` (quietly: no busy cursor), never two at once. A failure
turns the status label red with the reason in its tooltip, and is logged once (its one line: paths,
never a patient); no message box: it would come back at every retry.

The label shows :func:`~clinic_desktop.core.services.backup.backup_status`: normal text when the
last verified backup is at most 24 h old, amber after that, red after 72 h, after a failure or with
none (the colours are app.qss's, ``QLabel#backupStatus[level=...]``). PostgreSQL databases are
backed up on the server: the label is hidden and nothing is scheduled.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from clinic_desktop.core import clock
from clinic_desktop.core.errors import ClinicError
from clinic_desktop.core.services import backup
from clinic_desktop.core.services import settings as settings_service
from clinic_desktop.gui.operations import Operation, QueryOp, error_message
from clinic_desktop.gui.widgets.style import repolish

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database

log = logging.getLogger(__name__)

#: How often the scheduler looks whether a backup is due (and refreshes the age shown).
CHECK_MS = 60_000


class BackupScheduler(QObject):
    """Runs the due backups for ``window`` and keeps ``label`` (in its status bar) up to date."""

    backup_succeeded = Signal(object)  # the FolderBackup
    backup_failed = Signal(str)  # its one line

    def __init__(self, db: Database, label: QLabel, window: QWidget) -> None:
        super().__init__(window)
        self._db = db
        self._label = label
        self._window = window
        self._running: Operation | None = None
        self._last_logged = ""
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.check)
        label.setVisible(db.is_sqlite)

    # --- the timer ------------------------------------------------------------------------------
    def start(self) -> None:
        """Look now (soon after sign-in) and then every :data:`CHECK_MS`."""
        if not self._db.is_sqlite:
            return
        self._timer.start()
        QTimer.singleShot(0, self, self.check)

    def stop(self) -> None:
        self._timer.stop()

    def set_interval_ms(self, ms: int) -> None:
        self._timer.setInterval(ms)

    @property
    def running(self) -> bool:
        return self._running is not None

    def check(self) -> None:
        """Refresh the label; start a backup if one is due and none is running."""
        self.show_status()
        if self._running is not None or not self._db.is_sqlite:
            return
        try:
            values = settings_service.get_all(self._db)
        except ClinicError:
            return
        folder = str(values.get("backup.folder") or "").strip()
        if not folder:
            return
        every = dt.timedelta(hours=int(values["backup.every_hours"]))
        if backup.backup_due(self._db.url, clock.now(), every):
            self.run_now(folder, int(values["backup.keep"]))

    # --- one backup -----------------------------------------------------------------------------
    def run_now(self, folder: str, keep: int) -> Operation | None:
        """Back up into ``folder`` now, off the GUI thread (None when one is already running)."""
        if self._running is not None:
            return None
        target, key = str(self._db.sqlite_path), self._db.key  # an encrypted copy needs the key
        self._label.setText("Backup: running\u2026")
        query = QueryOp(parent=self._window, op=lambda: backup.backup_to_folder(target, folder, keep, key=key),
                        success=self._succeeded, what="scheduled backup")
        self._running = query.failure(self._failed).quietly().run_in_background()
        return self._running

    def _succeeded(self, made: backup.FolderBackup) -> None:
        self._running = None
        self._last_logged = ""
        log.info("scheduled backup done (%d older pruned)", len(made.pruned))
        self.show_status()
        self.backup_succeeded.emit(made)

    def _failed(self, exc: BaseException) -> None:
        self._running = None
        message = error_message(exc)
        if message != self._last_logged:  # the same reason at every retry is logged once
            log.warning("scheduled backup failed: %s", message)
            self._last_logged = message
        self.show_status()
        self.backup_failed.emit(message)

    # --- the label ------------------------------------------------------------------------------
    def show_status(self) -> None:
        if not self._db.is_sqlite or self._running is not None:
            return
        status = backup.backup_status(self._db.url, clock.now())
        label = self._label
        label.setText(status.text)
        label.setToolTip(status.detail)
        label.setAccessibleDescription(status.detail)
        if label.property("level") != status.level:
            label.setProperty("level", status.level)
            repolish(label)
