"""What other workstations change, as it happens (issue #18 item 8).

On PostgreSQL, :class:`LiveUpdates` listens (``core.live.Listener``) on the kinds of event the
open views show, watching the listener's socket with a ``QSocketNotifier``: nothing runs until
the server sends something, so twenty workstations add no polling. Notifications that arrive
together are gathered for :data:`GATHER_MS` and given once as ``changed(list[Notice])``; the
census, the flowsheet, the MAR and the screens being edited each pick what concerns them. If the
connection is lost it listens again every :data:`RETRY_MS` (the timed refreshes carry on
meanwhile) and, once back, says ``changed`` with no notices: something may have been missed, so
every view refreshes. On SQLite it does nothing (``active`` is False): F5 and the timed
refreshes remain.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from clinic_desktop.core import live

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database

log = logging.getLogger(__name__)

GATHER_MS = 100
RETRY_MS = 5000
KINDS = sorted(set(live.CENSUS) | set(live.FLOWSHEET) | set(live.DRAFTS))


class LiveUpdates(QObject):
    """See the module's docstring. ``changed(notices)``: an empty list means "refresh everything"."""

    changed = Signal(list)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.active = live.supported(db)
        self._listener: live.Listener | None = None
        self._notifier: QSocketNotifier | None = None
        self._pending: list[live.Notice] = []
        self._missed = False
        self._gather = QTimer(self)
        self._gather.setSingleShot(True)
        self._gather.setInterval(GATHER_MS)
        self._gather.timeout.connect(self._flush)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._connect)

    def start(self) -> None:
        if self.active and self._listener is None:
            self._connect()

    def stop(self) -> None:
        self._retry.stop()
        self._gather.stop()
        self._disconnect()

    @property
    def listening(self) -> bool:
        return self._listener is not None

    def _connect(self) -> None:
        try:
            self._listener = live.Listener(self._db, KINDS)
        except live.Lost:  # the server is away: the timed refreshes carry on
            log.warning("not listening for other workstations' changes; trying again")
            self._retry.start()
            return
        self._notifier = QSocketNotifier(self._listener.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._readable)
        if self._missed:  # back after a loss: whatever happened meanwhile was not heard
            self._missed = False
            self.changed.emit([])
        log.info("listening for other workstations' changes")

    def _disconnect(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _readable(self) -> None:
        if self._listener is None:
            return
        try:
            notices = self._listener.drain()
        except live.Lost:
            log.warning("lost the connection that hears other workstations; listening again soon")
            self._disconnect()
            self._missed = True
            self._retry.start()
            return
        if notices:
            self._pending.extend(notices)
            if not self._gather.isActive():
                self._gather.start()

    def _flush(self) -> None:
        notices, self._pending = self._pending, []
        if notices:
            self.changed.emit(notices)


def concerns(notices: list[live.Notice], kinds: tuple[str, ...], *, patient_id: int | None = None) -> bool:
    """Whether ``notices`` (from :attr:`LiveUpdates.changed`) ask a view showing ``kinds`` (for
    ``patient_id``, if given) to refresh: another workstation's changes only (this one's own
    screens refresh it already). An empty list always does (something may be missed)."""
    if not notices:
        return True
    return any(n.kind in kinds and not n.mine
               and (patient_id is None or n.patient_id is None or n.patient_id == patient_id)
               for n in notices)
