"""Reads audited once per opening (#18 item 5), through the real window: opening the flowsheet and
each of its tabs writes one event apiece under the patient, and the timed refresh, another look at a
tab or a recording writes no read event; a search typed is audited once, when it is shown, without
its text."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from PySide6.QtWidgets import QLineEdit
from sqlalchemy import select

from clinic_desktop.core.models import AuditEvent
from clinic_desktop.core.services import patients
from tests.factories import sign_intake
from tests.gui.helpers import named, open_flowsheet

READS = ("patient.searched", "patient.opened", "flowsheet.opened", "mar.opened", "care.opened",
         "prompts.opened", "support.opened")


@pytest.fixture
def patient(db, nurse):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="S-1", given_name="Sam", family_name="Steady", date_of_birth=dt.date(1988, 2, 3), sex="unknown"))


def reads(db) -> Counter:
    """How many read events of each kind, and under which patient: {(action, patient_id): n}."""
    with db.read() as s:
        rows = s.execute(select(AuditEvent.action, AuditEvent.patient_id)
                         .where(AuditEvent.action.in_(READS))).all()
    return Counter((action, patient_id) for action, patient_id in rows)


def test_each_view_opened_is_audited_once_and_refreshes_are_not(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)  # the search for S-1 shown, then the Flowsheet button
    assert reads(db) == Counter({("patient.searched", None): 1, ("patient.opened", patient.id): 1,
                                 ("flowsheet.opened", patient.id): 1})
    for page in (screen.medications_page, screen.care_page, screen.prompts_page, screen.support_page):
        screen.tabs.setCurrentWidget(page)
        qtbot.waitUntil(page.isVisible)
    opened = reads(db)
    assert opened == Counter({("patient.searched", None): 1, ("patient.opened", patient.id): 1,
                              ("flowsheet.opened", patient.id): 1, ("mar.opened", patient.id): 1,
                              ("care.opened", patient.id): 1, ("prompts.opened", patient.id): 1,
                              ("support.opened", patient.id): 1})
    # Every tab shown again, and what the minute's timer does (the refresh and the patient
    # facts), twice: the same views read again, nothing more in the trail.
    for _ in range(2):
        for page in (screen.tabs.widget(0), screen.medications_page, screen.care_page, screen.prompts_page,
                     screen.support_page):
            screen.tabs.setCurrentWidget(page)
            qtbot.waitUntil(page.isVisible)
        screen._timer.timeout.emit()
    screen.tabs.setCurrentWidget(screen.medications_page)
    screen.mar_panel.refresh()
    assert reads(db) == opened


def test_a_search_typed_is_audited_once_when_shown_and_never_with_its_text(qtbot, window, db, patient):
    box = named(window, QLineEdit, "Search patients")
    with qtbot.waitSignal(window.search_completed, timeout=3000):
        qtbot.keyClicks(box, "Steady")  # six keystrokes, one search shown once typing pauses
    qtbot.wait(300)
    with db.read() as s:
        events = s.execute(select(AuditEvent).where(AuditEvent.action == "patient.searched")).scalars().all()
        assert [(e.patient_id, e.detail) for e in events] == [(None, {"query_length": 6, "results": 1})]
        stored = " ".join(str(getattr(events[0], c.key)) for c in AuditEvent.__table__.columns).lower()
    assert "steady" not in stored and "s-1" not in stored
