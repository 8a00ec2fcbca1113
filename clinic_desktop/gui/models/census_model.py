"""The census: one row per open episode, from ``episodes.census()`` (plain ``CensusRow``s)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor

from clinic_desktop.core import clock
from clinic_desktop.core.instruments import get_instrument
from clinic_desktop.core.services.episodes import STAGE_LABELS, CensusRow
from clinic_desktop.core.text import fold
from clinic_desktop.gui.models.row_model import RowTableModel

OVERDUE = QColor("#fbdcdc")
SAFETY = QColor("#f6c9cf")
CHECKIN = QColor("#fdf0c8")  # amber: a check-in past the clinic's thresholds


def local_time_text(moment: dt.datetime | None, today: dt.date | None = None) -> str:
    """An aware UTC time as local wall-clock text: "09:10" today, else "28 Nov 09:10"."""
    if moment is None:
        return ""
    local = clock.local(moment)
    today = today or clock.local(clock.now()).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    return f"{local.day} {local.strftime('%b %H:%M')}"


def cows_age(row: CensusRow) -> str:
    """How long ago the last COWS was taken: "just now", "5 min ago", "26 h ago", or ""."""
    if row.last_cows_at is None:
        return ""
    age = dt.datetime.now(dt.UTC) - row.last_cows_at
    hours = int(age.total_seconds() // 3600)
    return "just now" if age < dt.timedelta(minutes=1) else (
        f"{int(age.total_seconds() // 60)} min ago" if hours < 1 else f"{hours} h ago")


def cows_text(row: CensusRow, today: dt.date | None = None) -> str:
    """"18 moderate · 09:10", "incomplete · 09:10" or "". How long ago is the cell's tooltip
    (:func:`cows_age`): in the cell it made the column wider than the names at 1024 px."""
    if row.last_cows_total is None:
        return ""
    when = local_time_text(row.last_cows_at, today)
    if not row.last_cows_complete:
        what = "incomplete"
    else:
        cows = get_instrument("cows")
        labels = {band.id: band.label for band in cows.bands}
        label = labels.get(row.last_cows_band or "", cows.no_band_label)
        what = f"{row.last_cows_total} {label}".strip()
    return f"{what} · {when}" if when else what


class CensusModel(RowTableModel[CensusRow]):
    """One row per open episode."""

    COLUMNS = ("Name", "MRN", "Age", "Stage", "Day of stay", "Last COWS", "Next COWS due")
    NAME, MRN, AGE, STAGE, DAY, LAST_COWS, NEXT_DUE = range(len(COLUMNS))
    NUMERIC = frozenset({AGE, DAY})

    def row_of_episode(self, episode_id: int) -> int:
        return self.find_row(lambda r: r.episode_id == episode_id)

    def row_of_patient(self, patient_id: int) -> int:
        return self.find_row(lambda r: r.patient_id == patient_id)

    def muted(self, row: CensusRow, column: int) -> bool:
        return column == self.LAST_COWS and (row.last_cows_total is None or not row.last_cows_complete)

    def tooltip(self, row: CensusRow, column: int) -> str | None:
        if column == self.NEXT_DUE and row.overdue:
            return "The COWS reassessment is overdue (the clinic's interval since the last COWS has passed)."
        if column == self.NAME and (row.safety_alert or row.checkin_flags):
            said = ["Safety alert: a safety assessment is needed."] if row.safety_alert else []
            if row.checkin_flags:
                said.append(f"Check-in of the last day at or past the clinic's thresholds: "
                            f"{', '.join(row.checkin_flags)}.")
            return "\n".join(said)
        if column != self.LAST_COWS:
            return None
        if row.last_cows_total is None:
            return "No COWS recorded in this episode yet."
        taken = f"Taken {cows_age(row)}."
        if not row.last_cows_complete:
            return f"Incomplete COWS (partial total {row.last_cows_total}); no severity band. {taken}"
        return taken

    def display(self, row: CensusRow, column: int) -> str:
        if column == self.NAME:
            flags = " \u00b7 ".join(row.checkin_flags)
            return f"{row.display_name}  \u2691 {flags}" if flags else row.display_name
        if column == self.MRN:
            return row.mrn
        if column == self.AGE:
            return str(row.age)
        if column == self.STAGE:
            return STAGE_LABELS.get(row.stage, row.stage)
        if column == self.DAY:
            return str(row.day_of_stay)
        if column == self.LAST_COWS:
            return cows_text(row) or "none yet"
        if column == self.NEXT_DUE:
            due = local_time_text(row.next_cows_due)
            return f"{due} \u2014 overdue" if row.overdue else due
        return ""

    def sort_key(self, row: CensusRow, column: int):
        if column == self.NEXT_DUE:
            return row.next_cows_due
        if column == self.LAST_COWS:
            return row.last_cows_at
        if column in (self.AGE, self.DAY):
            return row.age if column == self.AGE else row.day_of_stay
        if column == self.NAME:
            return fold(row.display_name)  # Álvarez among the A's, as the search orders names
        return super().sort_key(row, column)

    def background(self, row: CensusRow, column: int):
        if column == self.NEXT_DUE and row.overdue:
            return OVERDUE
        if column == self.NAME and row.safety_alert:
            return SAFETY
        if column == self.NAME and row.checkin_flags:
            return CHECKIN
        return None
