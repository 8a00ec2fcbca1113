"""The plan's medication reconciliation, driven by keyboard as a prescriber would: a row per
active order prefilled from it, the last dose given here from the MAR, a refused finalize naming
what is missing next to the field; a counselor sees the rows but cannot change them."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QListWidget

from clinic_desktop.core import clock
from clinic_desktop.core import plan as plan_rules
from clinic_desktop.core.services import mar, plans
from tests.conftest import make_user
from tests.factories import admit_with_signed_intake
from tests.gui.helpers import by_name, open_plan_screen, shown_error, type_date, type_into
from tests.gui.test_plan_screen import finalize, go, wait_saved


@pytest.fixture
def ordered(db, admin):
    """An episode in transition with a buprenorphine order and a dose given now."""
    episode_id, patient = admit_with_signed_intake(db, admin)
    prescriber, nurse = make_user(db, admin, "prescriber"), make_user(db, admin, "nurse")
    order = mar.create_order(db, prescriber, episode_id, mar.OrderInput(
        drug_id="buprenorphine", dose=8, unit="mg", route="sublingual", min_interval_hours=2))
    dose = mar.record_administration(db, nurse, order.id, "given")
    return episode_id, patient, prescriber, order, dose


def test_a_prescriber_reconciles_an_order_by_keyboard_after_a_refused_finalize(qtbot, db, ordered):
    episode_id, patient, prescriber, order, dose = ordered
    screen = open_plan_screen(qtbot, db, prescriber, episode_id, patient)
    go(screen, "Medication")
    decision = by_name(screen, QComboBox, "Buprenorphine decision")
    assert decision.currentData() is None
    assert by_name(screen, QLineEdit, "Buprenorphine dose").text() == "8 mg"  # prefilled from the order
    assert by_name(screen, QLineEdit, "Buprenorphine route").text() == "sublingual"
    last = by_name(screen, QLabel, "Buprenorphine last dose here").text()
    assert clock.local_text(dose.at, "%Y-%m-%d %H:%M") in last
    assert not by_name(screen, QLineEdit, "Buprenorphine dose").isVisible()  # until it goes on

    finalize(qtbot, screen)
    qtbot.waitUntil(lambda: screen.sign_dialog() is None, timeout=10000)
    missing = by_name(screen, QListWidget, "Missing before finalizing")
    texts = [missing.item(i).text() for i in range(missing.count())]
    assert any("Buprenorphine: choose continue, change or stop." in t for t in texts)
    assert any("opioid use disorder was offered" in t for t in texts)
    go(screen, "Medication")  # the message is next to the field too
    assert "choose continue, change or stop" in (shown_error(screen, "Buprenorphine decision") or "")
    decision.setFocus()
    qtbot.keyClick(decision, Qt.Key.Key_Down)  # Continue
    assert decision.currentData() == "continue"
    assert shown_error(screen, "Buprenorphine decision") is None
    for _ in range(4):  # dose, route, how often (confirmed as prefilled), then what they leave with
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    leave = QApplication.focusWidget()
    assert isinstance(leave, QComboBox) and leave.accessibleName() == "Buprenorphine leaves with"
    qtbot.keyClick(leave, Qt.Key.Key_Down)  # a supply
    qtbot.keyClick(leave, Qt.Key.Key_Tab)
    days = QApplication.focusWidget()
    assert isinstance(days, QLineEdit) and days.accessibleName() == "Buprenorphine supply (days)"
    qtbot.keyClicks(days, "2")
    # The next appointment a day after the supply runs out: a gap, flagged before finalizing.
    type_date(qtbot, screen, "Buprenorphine next dose or appointment", dose.at + dt.timedelta(days=3))
    key = plan_rules.ROW_KEY.format(order.id, "gap_reason")
    assert key in screen.required_marks.marked
    qtbot.waitUntil(lambda: any("the supply ends" in missing.item(i).text() for i in range(missing.count())))
    type_into(qtbot, days, "3", replace=True)
    qtbot.waitUntil(lambda: not any("Buprenorphine" in missing.item(i).text() for i in range(missing.count())))
    assert key not in screen.required_marks.marked
    wait_saved(qtbot, screen)
    (row,) = plans.open_plan(db, prescriber, episode_id).draft["medication"]["reconciliation"]
    assert (row["order_id"], row["decision"], row["dose"], row["leave"], row["supply_days"]) == (
        order.id, "continue", "8 mg", "supply", 3)


def test_a_counselor_sees_the_rows_but_a_prescriber_or_nurse_reconciles(qtbot, db, admin, ordered):
    episode_id, patient, *_ = ordered
    counselor = make_user(db, admin, "counselor")
    screen = open_plan_screen(qtbot, db, counselor, episode_id, patient)
    assert not by_name(screen, QComboBox, "Buprenorphine decision").isEnabled()
    assert by_name(screen, QLabel, "Buprenorphine last dose here").isEnabled() is False
