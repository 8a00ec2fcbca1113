"""The Support tab of the stabilization screen (#16 items 2 and 4), driven as staff would: a
counselor records a session by keyboard and signs it with the password (a wrong one keeps
everything typed), newest first; a nurse records peer and brief contacts only; a viewer reads;
a family session says whether it was shared under a consent naming that person; the author (or
an administrator) adds an addendum; a group session shows its topic, note and the patient's own
line, never another attendee."""

from __future__ import annotations

import datetime as dt

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
)

from clinic_desktop.core import support as rules
from clinic_desktop.core.models import utcnow
from clinic_desktop.core.permissions import STAFF
from clinic_desktop.core.services import episodes, patients, plans, support
from clinic_desktop.gui.stabilization_screen import StabilizationScreen
from clinic_desktop.gui.support_page import NO_CONSENT, SessionDialog
from tests.conftest import STRONG_PASSWORD, make_user
from tests.factories import admit_without_intake
from tests.gui.helpers import (
    assert_gated,
    button,
    by_name,
    dialog_named,
    shown_dialog,
    shown_error,
    type_date,
    type_into,
)


@pytest.fixture
def counselor(db, admin):
    return make_user(db, admin, "counselor", "counselor-a", "Casey Counselor")


@pytest.fixture
def episode(db, admin):
    return admit_without_intake(db, admin)


def ago(**kwargs) -> dt.datetime:
    return utcnow() - dt.timedelta(**kwargs)


def record(db, user, episode_id, kind="brief", started=None, **fields):
    values = {"agreed": "Walk after lunch"} | fields
    data = rules.SessionInput(kind, started or ago(hours=2), 20, **values)
    return support.record_session(db, user, episode_id, data, STRONG_PASSWORD)


def open_support(qtbot, db, user, episode) -> StabilizationScreen:
    screen = StabilizationScreen(db, user, episodes.current_episode(db, user, episode.patient_id),
                                 patients.open_record(db, user, episode.patient_id))
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    screen.tabs.setCurrentWidget(screen.support_page)
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen)
    return screen


def sessions_shown(screen) -> list[str]:
    shown = by_name(screen, QListWidget, "Support sessions")
    assert isinstance(shown, QListWidget)
    return [shown.item(i).text() for i in range(shown.count())]


def select(screen, row: int) -> None:
    shown = by_name(screen, QListWidget, "Support sessions")
    assert isinstance(shown, QListWidget)
    shown.setCurrentRow(row)


def focused() -> str:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget.accessibleName()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, key, modifier)


def test_a_counselor_records_a_session_by_keyboard_signed_with_the_password(qtbot, db, counselor, episode):
    record(db, counselor, episode.id, "peer", started=ago(hours=5))  # older: listed under the new one
    screen = open_support(qtbot, db, counselor, episode)
    qtbot.keyClick(screen, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = shown_dialog(qtbot, screen, "New support session")
    assert isinstance(dialog, SessionDialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert focused() == "Kind of session" and by_name(dialog, QComboBox, "Kind of session").currentText() \
        == "Individual counseling"
    # The order a counselor goes in: kind, start (now), length, approaches, the three texts.
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() == "Started at"
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() == "Duration (minutes)"
    qtbot.keyClicks(QApplication.focusWidget(), "45")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() == "Motivational interviewing"
    press(qtbot, Qt.Key.Key_Space)
    for _ in range(len(rules.APPROACHES)):
        press(qtbot, Qt.Key.Key_Tab)
    assert focused() == "What the patient said they want (in their words)"
    qtbot.keyClicks(QApplication.focusWidget(), "I want to be there for my daughter")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() == "What was agreed"
    qtbot.keyClicks(QApplication.focusWidget(), "Call the IOP tomorrow")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() == "Next step"
    qtbot.keyClicks(QApplication.focusWidget(), "Review on Friday")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() == "What matters to them"
    press(qtbot, Qt.Key.Key_Tab)  # folded away: straight on to the ruler
    assert focused() == "Importance (0\u201310)"
    qtbot.keyClicks(QApplication.focusWidget(), "8")  # a whole answer moves on by itself
    assert focused() == "Confidence (0\u201310)"
    qtbot.keyClicks(QApplication.focusWidget(), "5")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    sign = shown_dialog(qtbot, dialog, "Sign the session")
    password = by_name(sign, QLineEdit, "Password")
    type_into(qtbot, password, "not my password")
    qtbot.keyClick(password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: by_name(sign, QLabel, "Password error").isVisible(), timeout=10000)
    assert sign.isVisible() and dialog.isVisible()
    assert support.sessions(db, counselor, episode.id)[0].kind == "peer"  # nothing signed
    assert by_name(dialog, QPlainTextEdit, "What was agreed").toPlainText() == "Call the IOP tomorrow"
    assert by_name(dialog, QLineEdit, "Duration (minutes)").text() == "45"
    type_into(qtbot, password, STRONG_PASSWORD, replace=True)
    with qtbot.waitSignal(screen.changed, timeout=10000):
        qtbot.keyClick(password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())

    newest, older = sessions_shown(screen)
    assert "Individual counseling \u00b7 45 min \u00b7 Motivational interviewing \u00b7 Casey Counselor" in newest
    assert "Said they want: \u201cI want to be there for my daughter\u201d" in newest
    assert "Agreed: Call the IOP tomorrow" in newest and "Next step: Review on Friday" in newest
    assert "Readiness: Importance 8/10 \u00b7 Confidence 5/10" in newest
    assert "Peer recovery support" in older
    [saved, _] = support.sessions(db, counselor, episode.id)
    assert (saved.kind, saved.duration_min, saved.approaches, saved.importance, saved.confidence) == \
        ("individual", 45, ("motivational_interviewing",), 8, 5)


def test_a_refusal_shows_next_to_its_field_and_a_late_start_asks_why(qtbot, db, counselor, episode):
    screen = open_support(qtbot, db, counselor, episode)
    button(screen, "New session\u2026").click()
    dialog = shown_dialog(qtbot, screen, "New support session")
    reason = by_name(dialog, QLineEdit, "Reason for entering it late")
    assert not reason.isVisible()
    type_date(qtbot, dialog, "Started at", ago(hours=25))
    assert reason.isVisible()  # more than 24 h ago
    type_into(qtbot, by_name(dialog, QPlainTextEdit, "What was agreed"), "Walk after lunch")
    button(dialog, "Save and sign\u2026").click()
    assert dialog_named(dialog, "Sign the session") is None  # not asked before it can be signed
    assert "minutes" in (shown_error(dialog, "Duration (minutes)") or "")
    assert "entered late" in (shown_error(dialog, "Reason for entering it late") or "")
    assert by_name(dialog, QPlainTextEdit, "What was agreed").toPlainText() == "Walk after lunch"
    type_date(qtbot, dialog, "Started at", ago(hours=23, minutes=50))
    assert not reason.isVisible()


def test_a_nurse_records_peer_and_brief_contacts_only(qtbot, db, nurse, episode):
    screen = open_support(qtbot, db, nurse, episode)
    button(screen, "New session\u2026").click()
    dialog = shown_dialog(qtbot, screen, "New support session")
    kinds = by_name(dialog, QComboBox, "Kind of session")
    assert isinstance(kinds, QComboBox)
    assert [kinds.itemText(i) for i in range(kinds.count())] == ["Peer recovery support", "Brief check-in"]


def test_a_counselor_chooses_among_every_kind_but_a_group(qtbot, db, counselor, episode):
    screen = open_support(qtbot, db, counselor, episode)
    screen.new_session()
    dialog = shown_dialog(qtbot, screen, "New support session")
    kinds = by_name(dialog, QComboBox, "Kind of session")
    assert isinstance(kinds, QComboBox)
    assert [kinds.itemData(i) for i in range(kinds.count())] == ["individual", "family", "peer", "brief"]


def test_a_viewer_reads_the_sessions_and_records_nothing(qtbot, db, admin, counselor, episode):
    record(db, counselor, episode.id, agreed="Call the IOP")
    viewer = make_user(db, admin, "viewer")
    screen = open_support(qtbot, db, viewer, episode)
    assert_gated(button(screen, "New session\u2026"), viewer, "sessions.record")
    assert_gated(button(screen, "Add addendum\u2026"), viewer, "sessions.record")
    screen.support_page.content.list.setCurrentRow(0)  # a session selected: still the viewer's no
    assert_gated(button(screen, "Add addendum\u2026"), viewer, "sessions.record")
    qtbot.keyClick(screen, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert dialog_named(screen, "New support session") is None
    [shown] = sessions_shown(screen)
    assert "Agreed: Call the IOP" in shown


def test_an_empty_tab_says_so(qtbot, db, counselor, episode):
    screen = open_support(qtbot, db, counselor, episode)
    assert by_name(screen, QLabel, "No support sessions").isVisible()
    record(db, counselor, episode.id)
    screen.support_page.content.refresh()
    assert not by_name(screen, QLabel, "No support sessions").isVisible()


def consent_to(db, user, episode_id, name: str, expires: dt.date):
    today = dt.date.today()
    return plans.record_consent(db, user, episode_id, plans.ConsentInput(
        None, "Family support during detox", ("relapse",), expires, today,
        person_name=name, person_relationship="sister"), today=today)


def test_a_family_session_says_whether_it_was_shared_under_consent(qtbot, db, counselor, episode):
    expires = dt.date.today() + dt.timedelta(days=30)
    consent_to(db, counselor, episode.id, "Rosa Stable", expires)
    screen = open_support(qtbot, db, counselor, episode)
    screen.new_session()
    dialog = shown_dialog(qtbot, screen, "New support session")
    family = by_name(dialog, QLineEdit, "Family member")
    assert not family.isVisible()
    kinds = by_name(dialog, QComboBox, "Kind of session")
    assert isinstance(kinds, QComboBox)
    kinds.setCurrentIndex(kinds.findData("family"))
    assert family.isVisible()
    status = by_name(dialog, QLabel, "Consent status")
    type_into(qtbot, family, "rosa stable")
    qtbot.waitUntil(lambda: "Shared under consent: Rosa Stable (sister)" in status.text())
    type_into(qtbot, family, "Luis Stable", replace=True)
    qtbot.waitUntil(lambda: "recorded without disclosure" in status.text())
    type_into(qtbot, by_name(dialog, QLineEdit, "Duration (minutes)"), "30")
    type_into(qtbot, by_name(dialog, QPlainTextEdit, "What was agreed"), "Luis calls on Sunday")
    button(dialog, "Save and sign\u2026").click()
    sign = shown_dialog(qtbot, dialog, "Sign the session")
    type_into(qtbot, by_name(sign, QLineEdit, "Password"), STRONG_PASSWORD)
    with qtbot.waitSignal(screen.changed, timeout=10000):
        button(sign, "Sign").click()
    record(db, counselor, episode.id, "family", started=ago(hours=3), family_member="Rosa Stable")

    screen.support_page.content.refresh()
    luis, rosa = sessions_shown(screen)
    assert f"Family member: Luis Stable \u2014 {NO_CONSENT}" in luis
    assert NO_CONSENT == "No consent naming this person: recorded without disclosure"
    assert f"Family member: Rosa Stable \u2014 Shared under consent (until {expires.isoformat()})" in rosa


def test_the_author_adds_an_addendum_and_another_counselor_cannot(qtbot, db, admin, counselor, episode):
    record(db, counselor, episode.id, agreed="Walk after lunch")
    screen = open_support(qtbot, db, counselor, episode)
    add = button(screen, "Add addendum\u2026")
    assert not add.isEnabled()  # nothing selected
    select(screen, 0)
    assert add.isEnabled()
    add.click()
    dialog = shown_dialog(qtbot, screen, "Add an addendum to the session")
    button(dialog, "Add addendum").click()
    assert shown_error(dialog, "Reason") and dialog.isVisible()
    type_into(qtbot, by_name(dialog, QLineEdit, "Reason"), "Wrong length")
    type_into(qtbot, by_name(dialog, QPlainTextEdit, "Correction"), "It lasted 30 minutes.")
    with qtbot.waitSignal(screen.changed, timeout=3000):
        button(dialog, "Add addendum").click()
    [shown] = sessions_shown(screen)
    assert "Addendum" in shown and "Casey Counselor: Wrong length. It lasted 30 minutes." in shown
    screen.close()

    other = make_user(db, admin, "counselor", "counselor-b", "Kim Counselor")
    elsewhere = open_support(qtbot, db, other, episode)
    select(elsewhere, 0)
    assert not button(elsewhere, "Add addendum\u2026").isEnabled()
    elsewhere.close()
    as_admin = open_support(qtbot, db, admin, episode)
    select(as_admin, 0)
    assert button(as_admin, "Add addendum\u2026").isEnabled()


def test_a_group_session_shows_its_topic_note_and_own_line_never_another_attendee(qtbot, db, admin, counselor,
                                                                                   episode):
    other = admit_without_intake(db, admin, mrn="S-2", given="Gale", family="Quill")
    support.record_group(db, counselor, [episode.id, other.id], rules.GroupInput(
        "Sleep and cravings", ago(hours=2), 60, ("mindfulness",), "We practised a body scan.",
        {episode.id: "Says the breathing helps at night", other.id: "Quiet today"}), STRONG_PASSWORD)
    screen = open_support(qtbot, db, counselor, episode)
    [shown] = sessions_shown(screen)
    assert "Group session \u00b7 60 min \u00b7 Mindfulness or relaxation" in shown
    assert "Group topic: Sleep and cravings" in shown and "Shared note: We practised a body scan." in shown
    assert "The patient's own line: Says the breathing helps at night" in shown
    assert "Gale" not in shown and "Quill" not in shown and "Quiet today" not in shown
    rendered = screen.support_page.content.list.item(0).data(Qt.ItemDataRole.UserRole + 1)
    assert "Gale" not in rendered and "Quill" not in rendered and "Sleep and cravings" in rendered



def test_the_tab_and_the_dialog_are_walked_by_keyboard_each_stop_named_once(qtbot, db, counselor, episode):
    from tests.gui.test_focus_chain import walk, walk_dialog

    record(db, counselor, episode.id)
    screen = open_support(qtbot, db, counselor, episode)
    select(screen, 0)
    names = walk(qtbot, screen, "Support tab")
    assert {"New session\u2026", "Support sessions", "Add addendum\u2026"} <= set(names)
    dialog = SessionDialog(db, counselor, episode.id)
    dialog.matters_toggle.setChecked(True)
    kinds = dialog.kind
    kinds.setCurrentIndex(kinds.findData("family"))
    names = walk_dialog(qtbot, dialog, "session dialog")
    assert names.index("Kind of session") < names.index("Family member") < names.index("Started at") \
        < names.index("Duration (minutes)") < names.index("What the patient said they want (in their words)") \
        < names.index("Reasons for recovery") < names.index("Importance (0\u201310)")


def test_a_discharged_episode_takes_no_new_session(qtbot, db, counselor, episode):
    from dataclasses import replace

    from clinic_desktop.gui.support_page import SupportPage

    record(db, counselor, episode.id)
    page = SupportPage(db, counselor, replace(episode, stage="discharged"))
    qtbot.addWidget(page)
    page.show()
    assert not button(page, "New session\u2026").isEnabled()
    page.new_session()
    assert dialog_named(page, "New support session") is None
    assert len(sessions_shown(page)) == 1  # still read


def test_the_new_session_key_is_listed_with_the_screens_shortcuts_for_those_who_record(qtbot, db, admin, counselor,
                                                                                          episode):
    from clinic_desktop.gui.shortcuts_dialog import shortcuts_of

    screen = open_support(qtbot, db, counselor, episode)
    listed = {(s.keys, s.action) for s in shortcuts_of(screen)}
    assert ("Ctrl+Shift+N", "New support session") in listed
    screen.close()
    viewer = open_support(qtbot, db, make_user(db, admin, "viewer"), episode)
    assert "New support session" not in {s.action for s in shortcuts_of(viewer)}


@pytest.mark.parametrize("role", sorted(STAFF), ids=lambda role: role.value)
def test_every_role_sees_the_session_buttons_usable_only_if_it_may(qtbot, db, admin, episode, role):
    user = make_user(db, admin, role.value, username=f"{role.value}_x")
    if user.can("sessions.record"):
        record(db, user, episode.id)  # their own session: they may add an addendum to it
    screen = open_support(qtbot, db, user, episode)
    assert_gated(button(screen, "New session\u2026"), user, "sessions.record")
    addendum = button(screen, "Add addendum\u2026")
    assert_gated(addendum, user, "sessions.record", ready=False)  # nothing selected yet
    if user.can("sessions.record"):
        screen.support_page.content.list.setCurrentRow(0)
        assert_gated(addendum, user, "sessions.record")
        assert addendum.toolTip() == "Correct the selected session (its author or an administrator)"
