"""What matters to the patient on screen (#16 item 5): asked with the social history of the intake,
in the patient's words, and found again in the plan's relapse prevention and "My day"."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QListWidget, QPlainTextEdit

from clinic_desktop.core.services import patients
from tests.conftest import make_user
from tests.factories import admit_with_signed_intake, complete_draft
from tests.gui import helpers
from tests.gui.helpers import by_name, go, open_plan_screen, saved_data, type_into


@pytest.fixture
def patient(db, nurse):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="I-1", given_name="Ines", family_name="Intake", date_of_birth=dt.date(1990, 1, 2), sex="female"))


def test_the_intake_asks_what_matters_in_the_patients_words(qtbot, window, db, nurse, patient):
    screen = helpers.start_assessment(qtbot, window, "I-1")
    go(screen, "Social")
    type_into(qtbot, by_name(screen, QPlainTextEdit, "Reasons for recovery"), "My daughter.")
    type_into(qtbot, by_name(screen, QPlainTextEdit, "People they trust"), "My sister Ana")
    qtbot.waitUntil(lambda: saved_data(db, nurse, screen).get("social", {}).get("trusted_people") == "My sister Ana",
                    timeout=3000)
    assert saved_data(db, nurse, screen)["social"]["reasons"] == "My daughter."
    screen.reject()


def test_the_plan_starts_from_it_and_my_day_is_edited_there(qtbot, db, admin):
    counselor = make_user(db, admin, "counselor")
    episode_id, person = admit_with_signed_intake(db, admin, intake_data=complete_draft(
        social={"reasons": "My daughter.", "routines": "Walk the dog at 7"}))
    screen = open_plan_screen(qtbot, db, counselor, episode_id, person)
    sections = by_name(screen, QListWidget, "Sections")
    rows = [sections.item(i).text().strip().split("  ", 1)[-1] for i in range(sections.count())]
    sections.setCurrentRow(rows.index("Relapse prevention"))
    assert by_name(screen, QPlainTextEdit, "Why my recovery matters to me").toPlainText() == "My daughter."
    routine = by_name(screen, QPlainTextEdit, "My daily routine")
    assert routine.toPlainText() == "Walk the dog at 7"
    well = by_name(screen, QPlainTextEdit, "What keeps me well")
    assert well.placeholderText() == "Sleep, food, moving, calm, things I enjoy"
    type_into(qtbot, well, "Music at night")
    from clinic_desktop.core.services import plans

    qtbot.waitUntil(lambda: plans.open_plan(db, counselor, episode_id).draft.get("my_day", {}).get("self_care")
                    == "Music at night", timeout=4000)
    screen.reject()


def test_the_intake_asks_the_readiness_ruler(qtbot, window, db, nurse, patient):
    from PySide6.QtWidgets import QSpinBox

    screen = helpers.start_assessment(qtbot, window, "I-1")
    go(screen, "Social")
    importance = by_name(screen, QSpinBox, "Importance (0\u201310)")
    confidence = by_name(screen, QSpinBox, "Confidence (0\u201310)")
    assert importance.text() == "Not recorded" and importance.maximum() == 10
    importance.setFocus()
    importance.selectAll()
    qtbot.keyClicks(importance, "9")
    qtbot.waitUntil(lambda: saved_data(db, nurse, screen).get("social", {}).get("readiness_importance") == 9,
                    timeout=3000)
    assert saved_data(db, nurse, screen)["social"].get("readiness_confidence") is None
    assert confidence.text() == "Not recorded"
    screen.reject()
