"""The patient facts of an episode — weight, hepatic impairment, renal function and eGFR, the
latest QTc and its date — shown and corrected after the intake is signed. The medication checks
read them (lofexidine's caps by hepatic and renal function, methadone's QTc limits).

Saved through ``core.services.patient_facts.update`` (role check, validation, audit there); a
refusal is shown next to its field, a stale edit in the error line with the typed values kept.
Enter in a field saves; Esc cancels. Never logs the patient's name (the episode id only).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from clinic_desktop.core import clock, units
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import patient_facts
from clinic_desktop.core.services import settings as clinic_settings
from clinic_desktop.gui.widgets.dialog_base import (
    AsksBeforeDiscarding,
    GeometryDialog,
    error_line,
    save_cancel,
)
from clinic_desktop.gui.widgets.facts_entry import FactsEntry

log = logging.getLogger(__name__)


class PatientFactsDialog(AsksBeforeDiscarding, GeometryDialog):
    """View (anyone) or correct (a nurse or prescriber) one episode's patient facts."""

    saved = Signal(object)  # the FactsView saved

    GROW_TO_FIT = True

    def __init__(self, db, user: SignedInUser, episode_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.user, self.episode_id = db, user, episode_id
        self.view = patient_facts.get(db, user, episode_id)
        self.can_edit = user.can("facts.edit")
        self.setWindowTitle("Patient facts")
        intro = QLabel("The medication checks read these: lofexidine\u2019s dose caps follow the hepatic and "
                       "renal rows of its label; a long QTc warns about or stops methadone. Leave a fact "
                       "empty (\u201cNot recorded\u201d) when it is not known.")
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        self.changed_label = QLabel(self._changed_text())
        self.changed_label.setProperty("role", "muted")
        self.changed_label.setAccessibleName("Last changed")
        self.general = error_line()
        self.entry = FactsEntry(weight=True, pregnancy=True, general=self.general,
                                system=units.clinic_system(clinic_settings.get_all(db)))
        self.entry.set_values(self.view.values())
        self.entry.set_read_only(not self.can_edit)
        self.entry.edited.connect(self.grow_to_fit)  # a message under a field needs the room
        self.buttons = save_cancel(self)
        save_button = self.buttons.buttons()[0]
        save_button.setVisible(self.can_edit)
        if not self.can_edit:
            self.buttons.button(self.buttons.StandardButton.Cancel).setText("Close")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.changed_label)
        layout.addWidget(self.general)
        layout.addWidget(self.entry)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())
        first = self.entry.weight if self.entry.weight is not None else self.entry.hepatic
        first.setFocus()

    def _changed_text(self) -> str:
        v = self.view
        if v.version == 0 or v.updated_at is None:
            return "As recorded at intake; not changed since."
        when = clock.local(v.updated_at).strftime("%Y-%m-%d %H:%M")
        return f"Last changed {when} by {v.updated_by_name or 'someone'}."

    def save(self) -> None:
        if not self.can_edit:
            return
        values = self.entry.values()
        ok, view = self.entry.errors.attempt(lambda: patient_facts.update(
            self.db, self.user, self.episode_id, self.view.version, values))
        if not ok or view is None:
            return
        log.info("patient facts of episode %s saved (version %s)", self.episode_id, view.version)
        self.view = view
        self.saved.emit(view)
        self.accept()
