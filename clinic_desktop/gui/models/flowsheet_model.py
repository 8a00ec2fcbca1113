"""The flowsheet of an episode: every score, vitals set and check-in, newest first, with who recorded it.
A corrected entry stays, struck through, with the reason. Temperature and weight are shown in both
units, the clinic's first ("T 98.6 °F (37.0 °C)"); warnings in the clinic's units."""

from __future__ import annotations

from clinic_desktop.core import checkin, units, vitals
from clinic_desktop.core.instruments import get_instrument
from clinic_desktop.core.services.stabilization import FlowsheetEntry
from clinic_desktop.gui.models.census_model import local_time_text
from clinic_desktop.gui.models.row_model import RowTableModel

SHORT = {"pulse": "P", "respiratory_rate": "RR", "temperature_c": "T", "spo2": "SpO\u2082", "weight_kg": "Wt"}


def vitals_text(values: dict, system: str = units.METRIC) -> str:
    """"P 96 · BP 128/82 · RR 16 · T 37.1 °C (98.8 °F) · SpO₂ 98 %" (``system``: the clinic's
    units, shown first)."""
    parts = []
    if values.get("systolic") is not None or values.get("diastolic") is not None:
        sbp, dbp = values.get("systolic"), values.get("diastolic")
        bp = f"BP {'' if sbp is None else vitals.VITALS_BY_ID['systolic'].fmt(sbp)}/" \
             f"{'' if dbp is None else vitals.VITALS_BY_ID['diastolic'].fmt(dbp)}"
    else:
        bp = ""
    for v in vitals.VITALS:
        if v.id == "systolic" and bp:
            parts.append(bp)
        if v.id in SHORT and values.get(v.id) is not None:
            if v.id in ("temperature_c", "weight_kg"):
                parts.append(f"{SHORT[v.id]} {units.both_text(v.id, values[v.id], system)}")
                continue
            unit = f" {v.unit}" if v.unit == "%" else ""
            parts.append(f"{SHORT[v.id]} {v.fmt(values[v.id])}{unit}")
    return " \u00b7 ".join(parts)


def result_text(entry: FlowsheetEntry, system: str = units.METRIC) -> str:
    if entry.kind == "checkin":
        return checkin.summary(entry.values)
    if entry.kind == "vitals":
        assert entry.values is not None  # a set of vitals has its values
        return vitals_text(entry.values, system)
    assert entry.instrument_id is not None  # a score has its instrument
    inst = get_instrument(entry.instrument_id)
    if not entry.complete:
        return f"{entry.total} so far (incomplete)"
    labels = {b.id: b.label for b in inst.bands}
    if inst.band_rule is not None:  # banded by its answers (the ASQ): the total means nothing
        return labels.get(entry.band or "", "")
    band = labels.get(entry.band or "", inst.no_band_label if inst.bands else "")
    return f"{entry.total} {band}".strip()


def details_text(entry: FlowsheetEntry, system: str = units.METRIC) -> str:
    parts = []
    if entry.struck is not None:
        what = "corrected" if entry.struck.replaced_by_id else "entered in error"
        parts.append(f"Struck ({what}) by {entry.struck.by_name} at {local_time_text(entry.struck.at)}: "
                     f"{entry.struck.reason}")
    if entry.warnings:  # said again in the clinic's units
        shown = units.warnings_text(entry.values, system)
        parts.extend(f"\u26a0 {shown.get(vid, w)}" for vid, w in entry.warnings.items())
    if entry.replaces_id is not None:
        parts.append(f"Correction of an earlier entry: {entry.reason}" if entry.reason
                     else "Correction of an earlier entry")
    elif entry.reason:
        parts.append(f"Entered late: {entry.reason}")
    return "; ".join(parts)


class FlowsheetModel(RowTableModel[FlowsheetEntry]):
    COLUMNS = ("Time", "Entry", "Result", "Details", "Recorded by")
    TIME, ENTRY, RESULT, DETAILS, BY = range(len(COLUMNS))
    CACHE_CELLS = True  # a long stay repaints hundreds of cells; each depends on its entry alone
    #: The clinic's units (``core.units.clinic_system``), set by the screen.
    system: str = units.METRIC

    def display(self, row: FlowsheetEntry, column: int) -> str:
        if column == self.TIME:
            return local_time_text(row.taken_at)
        if column == self.ENTRY:
            if row.kind == "vitals":
                return "Vitals"
            if row.kind == "checkin":
                return "Check-in (self-reported)" if row.self_reported else "Check-in"
            assert row.instrument_id is not None  # a score has its instrument
            title = get_instrument(row.instrument_id).short_title
            return f"{title} (self-reported)" if row.self_reported else title
        if column == self.RESULT:
            return result_text(row, self.system)
        if column == self.DETAILS:
            return details_text(row, self.system)
        if column == self.BY:
            return row.recorded_by_name
        return ""

    def struck(self, row: FlowsheetEntry) -> bool:
        return row.struck is not None

    def muted(self, row: FlowsheetEntry, column: int) -> bool:
        return row.struck is not None or column == self.DETAILS

    def tooltip(self, row: FlowsheetEntry, column: int) -> str | None:
        text = details_text(row, self.system)
        return text or None
