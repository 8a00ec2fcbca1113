"""Patient search results, from ``patients.search()`` (plain ``PatientSummary``s)."""

from __future__ import annotations

from clinic_desktop.core.services.episodes import STAGE_LABELS
from clinic_desktop.core.services.patients import PatientSummary
from clinic_desktop.gui.models.row_model import RowTableModel

NO_EPISODE = "No open episode"


class SearchResultsModel(RowTableModel[PatientSummary]):
    """One row per patient found."""

    COLUMNS = ("Name", "MRN", "Date of birth", "Age", "Open episode stage")
    NAME, MRN, DATE_OF_BIRTH, AGE, STAGE = range(len(COLUMNS))
    NUMERIC = frozenset({AGE})

    def row_of_patient(self, patient_id: int) -> int:
        return self.find_row(lambda r: r.id == patient_id)

    def muted(self, row: PatientSummary, column: int) -> bool:
        return column == self.STAGE and not row.open_stage

    def display(self, row: PatientSummary, column: int) -> str:
        if column == self.NAME:
            return row.display_name
        if column == self.MRN:
            return row.mrn
        if column == self.DATE_OF_BIRTH:
            return row.date_of_birth.isoformat()
        if column == self.AGE:
            return str(row.age)
        if column == self.STAGE:
            return STAGE_LABELS.get(row.open_stage, row.open_stage) if row.open_stage else NO_EPISODE
        return ""
