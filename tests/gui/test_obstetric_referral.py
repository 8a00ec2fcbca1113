"""The plan screen proposes a prenatal and obstetric referral for a pregnant patient (#15 item 11):
a prompt and a button on Referrals that opens the directory at that kind, and a "Recommended" line
on Print and finalize; both go once such a referral is added. Never required to finalize."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget

from clinic_desktop.core import directory
from clinic_desktop.gui.plan_screen import DirectoryPicker
from tests.factories import admit_with_signed_intake, complete_draft, local_entry
from tests.gui.helpers import button, by_name, click, open_plan_screen, type_into


def go(screen, label: str) -> None:
    sections = by_name(screen, QListWidget, "Sections")
    rows = [sections.item(i).text().strip().split("  ", 1)[-1] for i in range(sections.count())]
    sections.setCurrentRow(rows.index(label))


@pytest.fixture
def entries(db, admin):
    return (local_entry(db, admin, "Northside IOP"),
            local_entry(db, admin, "Lakeview Prenatal (invented)", kind=directory.OBSTETRIC_CARE))


def test_a_pregnant_patients_plan_proposes_the_referral_until_one_is_added(qtbot, db, admin, counselor, entries):
    episode_id, patient = admit_with_signed_intake(
        db, admin, intake_data=complete_draft(medical={"pregnancy": "yes"}))
    screen = open_plan_screen(qtbot, db, counselor, episode_id, patient)
    go(screen, "Referrals")
    prompt = by_name(screen, QLabel, "Obstetric referral prompt")
    add = button(screen, "Add a prenatal and obstetric referral\u2026")
    assert prompt.isVisible() and "Pregnancy" in prompt.text() and add.isVisible()
    go(screen, "Print and finalize")
    recommended = by_name(screen, QLabel, "Recommended before finalizing")
    assert recommended.isVisible() and "prenatal and obstetric care" in recommended.text()
    missing = by_name(screen, QListWidget, "Missing before finalizing")
    assert not [missing.item(i).text() for i in range(missing.count()) if "obstetric" in missing.item(i).text()]

    go(screen, "Referrals")
    click(qtbot, add)
    picker = screen.picker()
    assert isinstance(picker, DirectoryPicker)
    # Only the directory's prenatal and obstetric care is offered, whatever is searched.
    qtbot.waitUntil(lambda: picker.results.count() == 1, timeout=3000)
    assert picker.results.item(0).text().startswith("Lakeview Prenatal (invented)")
    type_into(qtbot, by_name(picker, QLineEdit, "Search"), "Northside")
    qtbot.waitUntil(lambda: picker.results.count() == 0, timeout=3000)
    by_name(picker, QLineEdit, "Search").clear()
    qtbot.waitUntil(lambda: picker.results.count() == 1, timeout=3000)
    click(qtbot, button(picker, "Add"))
    assert screen.referral_rows[-1].heading.text().startswith("Referral 1: Lakeview Prenatal")
    qtbot.waitUntil(lambda: not prompt.isVisible(), timeout=3000)
    assert not add.isVisible() and recommended.isHidden()
    # Removing it brings the proposal back.
    click(qtbot, screen.referral_rows[-1].remove_button)
    qtbot.waitUntil(lambda: prompt.isVisible(), timeout=3000)
    assert not recommended.isHidden()


def test_no_proposal_without_a_recorded_pregnancy(qtbot, db, admin, counselor, entries):
    episode_id, patient = admit_with_signed_intake(db, admin)
    screen = open_plan_screen(qtbot, db, counselor, episode_id, patient)
    go(screen, "Referrals")
    assert not by_name(screen, QLabel, "Obstetric referral prompt").isVisible()
    assert not button(screen, "Add a prenatal and obstetric referral\u2026").isVisible()
    go(screen, "Print and finalize")
    assert not by_name(screen, QLabel, "Recommended before finalizing").isVisible()
