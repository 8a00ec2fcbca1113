"""The directory contacts a plan names, as the plan screen shows them: the title and what to
check before printing (the rule is :func:`clinic_desktop.core.directory.check_contact`),
looked up once per screen; and how a list marks a contact that needs checking."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QListWidgetItem, QStyle

from clinic_desktop.core import directory as directory_rules
from clinic_desktop.core import settings as settings_rules
from clinic_desktop.core.directory import ContactCheck
from clinic_desktop.core.errors import ClinicError
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import directory
from clinic_desktop.gui import theme

GONE = "(no longer in the directory \u2014 choose another)"


def stale_days(db) -> int:
    """The clinic's ``directory_stale_days`` (its shipped default if it cannot be read)."""
    try:
        return directory.stale_days(db)
    except (ClinicError, LookupError, TypeError, ValueError):
        return int(settings_rules.DEFAULTS["directory_stale_days"])


def mark_to_check(item: QListWidgetItem, info: ContactCheck, style: QStyle) -> None:
    """A list item of a contact that needs checking: warning icon, amber ink, the reasons as
    tooltip."""
    if info.flags:
        item.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
        item.setForeground(QBrush(theme.colour("amber_ink")))  # needs checking
        item.setToolTip(info.tooltip())


class ContactBook:
    """Directory entry id → its :class:`ContactCheck`, read from the directory once."""

    def __init__(self, db, user: SignedInUser) -> None:
        self.db, self.user = db, user
        self._known: dict[Any, ContactCheck] = {}
        self._stale_days: int | None = None

    def check(self, entry: directory.DirectoryEntryView) -> ContactCheck:
        """What to check about ``entry`` today (and remember it)."""
        if self._stale_days is None:
            self._stale_days = stale_days(self.db)
        info = directory_rules.check_contact(entry, directory.clinic_today(), self._stale_days)
        self._known[entry.id] = info
        return info

    def remember(self, entry_id: Any, info: ContactCheck) -> None:
        self._known[entry_id] = info

    def get(self, entry_id: Any) -> ContactCheck:
        """The entry's title and what to check about it; a gone entry says so."""
        if entry_id in self._known:
            return self._known[entry_id]
        try:
            info = self.check(directory.get_entry(self.db, self.user, int(entry_id)))
        except (ClinicError, TypeError, ValueError):
            info = ContactCheck(GONE)
        self._known[entry_id] = info
        return info
