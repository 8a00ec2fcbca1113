"""Many workstations, one live picture (#18 item 8), through the real windows on PostgreSQL:
another workstation's change reaches the census, the flowsheet and a screen being edited within a
second; a lost connection is listened to again and everything refreshes; SQLite does not listen.

"Another workstation" is a second Database on the same server whose writes carry another
workstation's token (``live.WORKSTATION`` while it writes)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from PySide6.QtWidgets import QLabel
from sqlalchemy import text

from clinic_desktop.core import live
from clinic_desktop.core.db import open_database
from clinic_desktop.core.services import accounts, episodes, intake, patients, stabilization
from clinic_desktop.gui import live_updates
from tests.conftest import CLINIC, STRONG_PASSWORD, make_user
from tests.factories import admit_without_intake
from tests.gui.conftest import shown_main_window
from tests.gui.helpers import by_name, open_flowsheet, start_assessment

WITHIN = 1000  # ms: "within a second"


@contextlib.contextmanager
def elsewhere(monkeypatch):
    """What is written inside is announced as another workstation's."""
    with monkeypatch.context() as m:
        m.setattr(live, "WORKSTATION", "other-station")
        yield


@pytest.fixture
def clinic(pg_url):
    """(this workstation's database, another workstation's, an admin, a nurse)."""
    here, there = open_database(pg_url), open_database(pg_url)
    admin = accounts.create_first_admin(here, "admin", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)
    nurse = make_user(here, admin, "nurse")
    yield here, there, admin, nurse
    there.dispose()
    here.dispose()


def listening(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.live.listening, timeout=5000)


@pytest.mark.postgres
def test_the_census_shows_another_workstations_admission_within_a_second(qtbot, clinic, monkeypatch):
    here, there, admin, nurse = clinic
    window = shown_main_window(qtbot, here, nurse)
    listening(qtbot, window)
    assert window.census_model.rowCount() == 0
    registered = patients.register(here, admin, patients.PatientInput(
        mrn="A-1", given_name="Ada", family_name="Admitted", date_of_birth=dt.date(1984, 5, 6), sex="female"))
    # The admission alone (episode.opened: a change, though it ends in ".opened").
    with qtbot.waitSignal(window.census_refreshed, timeout=WITHIN) as refreshed, elsewhere(monkeypatch):
        episodes.open_episode(there, admin, registered.id)
    assert refreshed.args == [1] and window.census_model.rowCount() == 1


@pytest.mark.postgres
def test_its_own_changes_do_not_refresh_twice(qtbot, clinic):
    here, _there, admin, nurse = clinic
    window = shown_main_window(qtbot, here, nurse)
    listening(qtbot, window)
    with qtbot.assertNotEmitted(window.census_refreshed, wait=400):
        admit_without_intake(here, admin)  # this workstation: its own screens refresh it


@pytest.mark.postgres
def test_an_open_flowsheet_shows_another_workstations_vitals_within_a_second(qtbot, clinic, monkeypatch):
    here, there, admin, nurse = clinic
    episode = admit_without_intake(here, admin)
    window = shown_main_window(qtbot, here, nurse)
    listening(qtbot, window)
    screen = open_flowsheet(qtbot, window)
    before = screen.flowsheet_model.rowCount()
    with elsewhere(monkeypatch):
        stabilization.record_vitals(there, admin, episode.id, {"pulse": 88})
    qtbot.waitUntil(lambda: screen.flowsheet_model.rowCount() == before + 1, timeout=WITHIN)
    # Another patient's entry does not refresh this one's.
    other = admit_without_intake(there, admin, mrn="S-2", given="Tess", family="Other")
    calls = []
    monkeypatch.setattr(screen, "refresh", lambda: calls.append(1))
    with elsewhere(monkeypatch):
        stabilization.record_vitals(there, admin, other.id, {"pulse": 70})
    qtbot.wait(400)
    assert calls == []


@pytest.mark.postgres
def test_an_assessment_being_edited_shows_the_conflict_banner_when_another_saves_it(qtbot, clinic, monkeypatch):
    here, there, admin, nurse = clinic
    patients.register(here, admin, patients.PatientInput(
        mrn="E-1", given_name="Eda", family_name="Edited", date_of_birth=dt.date(1980, 1, 2),
        sex="female"))
    window = shown_main_window(qtbot, here, nurse)
    listening(qtbot, window)
    screen = start_assessment(qtbot, window, "E-1")
    banner = by_name(screen, QLabel, "Conflict")
    assert not banner.isVisible()
    screen.save_now()  # this workstation's own save: no banner
    qtbot.wait(300)
    assert not banner.isVisible()
    mine = intake.assessment_for_episode(here, nurse, screen.assessment.episode_id)
    with elsewhere(monkeypatch):
        intake.save_draft(there, admin, mine.id, mine.version, mine.data)
    qtbot.waitUntil(banner.isVisible, timeout=WITHIN)
    assert "Another workstation changed this assessment" in banner.text()


@pytest.mark.postgres
def test_a_lost_connection_is_listened_to_again_and_everything_refreshes(qtbot, clinic, monkeypatch):
    monkeypatch.setattr(live_updates, "RETRY_MS", 200)
    here, there, _admin, nurse = clinic
    window = shown_main_window(qtbot, here, nurse)
    listening(qtbot, window)
    with there.write() as session:
        session.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"))
    qtbot.waitUntil(lambda: not window.live.listening, timeout=5000)
    with qtbot.waitSignal(window.census_refreshed, timeout=5000):  # back: whatever was missed
        pass
    assert window.live.listening


def test_sqlite_does_not_listen(qtbot, db, nurse):
    window = shown_main_window(qtbot, db, nurse)
    assert not window.live.active and not window.live.listening
    assert episodes.census(db, nurse) == []
