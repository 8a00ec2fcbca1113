"""Many workstations, one live picture (issue #18 item 8): on PostgreSQL every change is announced
to the other workstations with ``NOTIFY``, on a channel per kind of event, and a workstation that
listens hears it within a second, with no polling.

:func:`announce` is called by :func:`core.services.audit.append` for every event it writes, so
every change the app makes is announced (inside its transaction: PostgreSQL delivers the
notification only when that commits, never for a rollback). Events that only read
(:data:`QUIET`: openings, searches, prints and exports) are not announced: nothing changed.

The payload names the action, the kind and id of the record, the patient's internal id and the
workstation that made the change (a random token per process, :data:`WORKSTATION`), never a name
or an MRN. :class:`Listener` holds its own connection (not one of the pool's), ``LISTEN``\\ s on
the channels asked for, and gives the notifications either without blocking (:meth:`Listener.
drain`, for a GUI that watches :meth:`Listener.fileno`) or waiting up to a timeout
(:meth:`Listener.wait`). SQLite has no ``NOTIFY``: there the screens keep F5 and their timed
refresh.
"""

from __future__ import annotations

import json
import logging
import select
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from clinic_desktop.core.vocab import OUTPUT_EVENTS, READ_EVENTS, TRAIL_READ_EVENTS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from clinic_desktop.core.db import Database

log = logging.getLogger(__name__)

#: This process: a notification from it is this workstation's own change.
WORKSTATION = uuid.uuid4().hex[:12]
PREFIX = "clinic_"
#: Events that change nothing another workstation shows — a record read, a search, a print, an
#: export, the audit trail read — are not announced. Named one by one (a suffix such as
#: ".opened" would also silence "episode.opened", an admission).
QUIET = frozenset(READ_EVENTS + OUTPUT_EVENTS + TRAIL_READ_EVENTS)

#: The kinds of event (the part of the action before its first dot) each view listens for.
CENSUS = ("patient", "episode", "assessment", "observation", "vitals", "order", "medication", "safety")
FLOWSHEET = ("observation", "vitals", "checkin", "care", "complication", "session", "safety", "entry",
             "patient_facts", "order", "medication", "episode")
DRAFTS = ("assessment", "plan")


def family(action: str) -> str:
    """The kind of an action: ``observation.recorded`` → ``observation``."""
    return action.split(".", 1)[0]


def channel(kind: str) -> str:
    """The NOTIFY channel of a kind of event (lower case letters and underscores only)."""
    return PREFIX + "".join(c if c.isalnum() else "_" for c in kind.lower())


def is_change(action: str) -> bool:
    return action not in QUIET


@dataclass(frozen=True)
class Notice:
    """One change another (or this) workstation committed."""

    action: str
    entity_type: str | None
    entity_id: str | None
    patient_id: int | None
    workstation: str

    @property
    def kind(self) -> str:
        return family(self.action)

    @property
    def mine(self) -> bool:
        """Made by this process (its own window): nothing to catch up with."""
        return self.workstation == WORKSTATION


def announce(session: Session, action: str, entity_type: str | None, entity_id: Any,
             patient_id: int | None) -> None:
    """Inside the writing transaction: tell the other workstations, when it commits, that this
    change was made (PostgreSQL only; nothing on SQLite, nothing for a read)."""
    if not is_change(action) or session.get_bind().dialect.name != "postgresql":
        return
    payload = json.dumps({"a": action, "t": entity_type, "e": None if entity_id is None else str(entity_id),
                          "p": patient_id, "w": WORKSTATION}, separators=(",", ":"))
    session.execute(text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": channel(family(action)), "payload": payload})


class Lost(Exception):
    """The listening connection could not be made or was lost (the server restarted, the network
    dropped): listen again later; meanwhile the screens' timed refreshes carry on."""


def _notice(raw: Any) -> Notice | None:
    try:
        data = json.loads(raw)
        return Notice(str(data["a"]), data.get("t"), data.get("e"), data.get("p"), str(data.get("w", "")))
    except (ValueError, KeyError, TypeError):
        log.warning("a notification that is not the app's was ignored")
        return None


class Listener:
    """A connection of its own that LISTENs on the channels of ``kinds``. Only for PostgreSQL
    (:func:`supported`). Close it when done."""

    def __init__(self, db: Database, kinds: Iterable[str]) -> None:
        import psycopg
        from psycopg import sql
        from sqlalchemy.exc import DBAPIError

        try:
            fairy = db.engine.raw_connection()
        except DBAPIError as exc:
            raise Lost(str(exc.orig or exc)) from exc
        conn = fairy.driver_connection
        assert conn is not None
        fairy.detach()  # never back into the pool: it stays LISTENing
        self._fairy = fairy
        self._conn: Any = conn
        self.channels = sorted({channel(kind) for kind in kinds})
        try:
            conn.autocommit = True
            for name in self.channels:
                conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(name)))
        except (psycopg.Error, OSError) as exc:
            self.close()
            raise Lost(str(exc)) from exc

    def fileno(self) -> int:
        """The socket: readable when a notification (or the server's goodbye) has arrived."""
        return int(self._conn.fileno())

    def drain(self) -> list[Notice]:
        """The notifications that have arrived, without waiting. Raises :class:`Lost` when the
        connection is lost (the caller listens again later)."""
        import psycopg
        from psycopg import pq

        pgconn = self._conn.pgconn
        try:
            pgconn.consume_input()  # raises once the server has gone
        except (psycopg.Error, OSError) as exc:
            raise Lost(str(exc)) from exc
        if pgconn.status != pq.ConnStatus.OK:
            raise Lost("the connection to the database server was lost")
        found = []
        while (raw := pgconn.notifies()) is not None:
            notice = _notice(raw.extra.decode("utf-8", "replace"))
            if notice is not None:
                found.append(notice)
        return found

    def wait(self, timeout: float) -> list[Notice]:
        """The notifications that arrive within ``timeout`` seconds (returns as soon as some have)."""
        found = self.drain()
        if found:
            return found
        try:
            readable, _, _ = select.select([self.fileno()], [], [], timeout)
        except (OSError, ValueError) as exc:  # the socket closed under us
            raise Lost(str(exc)) from exc
        return self.drain() if readable else []

    def close(self) -> None:
        try:
            self._fairy.close()
        except Exception:  # already gone with the server
            log.debug("listener connection already closed", exc_info=True)


def supported(db: Database) -> bool:
    return not db.is_sqlite
