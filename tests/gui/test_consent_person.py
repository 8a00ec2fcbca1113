"""The plan's consent panel, sharing with a person (#16 item 4): "Share with" a provider from
the referrals or "A person (family member or friend)" by name and relationship; the consent is
recorded naming them, listed as "Rosa Stable (sister)", and its form prints them — typed or
recorded. A referral letter never goes under a person's consent."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListWidget

from clinic_desktop.core.services import audit, plans
from clinic_desktop.gui.plan.consent_panel import PERSON, PROVIDER
from clinic_desktop.gui.plan_screen import PlanScreen
from tests.factories import admit_with_signed_intake, local_entry
from tests.gui.helpers import button, by_name, click, open_plan_screen, type_into
from tests.gui.test_plan_screen import add_referral, go, tick_items
from tests.reports.test_consent_form import pdf_text


@pytest.fixture
def screen(qtbot, db, admin, counselor):
    return open_plan_screen(qtbot, db, counselor, *admit_with_signed_intake(db, admin))


def share_with(qtbot, screen: PlanScreen, key: str) -> None:
    """Choose who to share with by keyboard (Down/Up in the "Share with" box)."""
    combo = by_name(screen, QComboBox, "Share with")
    combo.setFocus()
    while combo.currentData() != key:
        qtbot.keyClick(combo, Qt.Key.Key_Down if key == PERSON else Qt.Key.Key_Up)


def printed(qtbot, screen: PlanScreen, tmp_path) -> str:
    click(qtbot, button(screen, "Print consent form\u2026"))
    qtbot.waitUntil(lambda: screen.preview_dialog() is not None, timeout=10000)
    preview = screen.preview_dialog()
    text = pdf_text(preview.pdf, tmp_path)
    preview.reject()
    qtbot.waitUntil(lambda: screen.preview_dialog() is None, timeout=5000)
    return text


def test_a_consent_naming_a_family_member_is_recorded_listed_and_printed(qtbot, db, admin, screen, tmp_path):
    local_entry(db, admin, "Northside IOP")
    add_referral(qtbot, screen, "Northside IOP", "IOP")
    go(screen, "Consent")
    panel = screen.consent
    name, relationship = by_name(screen, QLineEdit, "Person's name"), by_name(screen, QLineEdit, "Relationship")
    recipient = by_name(screen, QComboBox, "Recipient")
    assert recipient.isVisibleTo(screen) and not name.isVisibleTo(screen)  # a provider, as before
    share_with(qtbot, screen, PERSON)
    assert not recipient.isVisibleTo(screen) and name.isVisibleTo(screen) and relationship.isVisibleTo(screen)
    type_into(qtbot, by_name(screen, QLineEdit, "Purpose"), "Family support during detox")
    tick_items(qtbot, screen, ["relapse"])
    # no name: said under the name, nothing recorded
    click(qtbot, button(screen, "Record consent"))
    error = by_name(screen, QLabel, "Person's name error")
    assert error.isVisible() and "person by name" in error.text()
    assert plans.consents(db, admin, screen.episode_id) == []
    type_into(qtbot, name, "Rosa Stable")
    assert not error.isVisible()  # typing clears it
    type_into(qtbot, relationship, "sister")
    # the form of what is typed, before the patient signs
    assert "Rosa Stable (sister)" in printed(qtbot, screen, tmp_path)
    click(qtbot, button(screen, "Record consent"))
    consents = by_name(screen, QListWidget, "Consents")
    assert consents.count() == 1
    assert consents.item(0).text().startswith("Rosa Stable (sister) \u2014 Family support during detox \u2014 ")
    [recorded] = plans.consents(db, admin, screen.episode_id)
    assert (recorded.directory_entry_id, recorded.recipient_name, recorded.recipient_relationship,
            recorded.items) == (None, "Rosa Stable", "sister", ("relapse",))
    assert name.text() == relationship.text() == ""  # the form is cleared
    # the recorded consent's form names her; no referral letter goes to a person
    consents.setCurrentRow(0)
    assert not button(screen, "Referral letter\u2026").isEnabled()
    assert "Rosa Stable (sister)" in printed(qtbot, screen, tmp_path)
    forms = [e for e in audit.recent(db, admin) if e.action == "consent.form_printed"]
    assert [e.detail["consent_id"] for e in reversed(forms)] == [None, recorded.id]
    # back to a provider: the recipient again, and its consent lists as before
    share_with(qtbot, screen, PROVIDER)
    assert recipient.isVisibleTo(screen) and not name.isVisibleTo(screen)
    consents.setCurrentRow(-1)
    type_into(qtbot, by_name(screen, QLineEdit, "Purpose"), "Continuity of care")
    tick_items(qtbot, screen, ["level"])
    click(qtbot, button(screen, "Record consent"))
    texts = sorted(consents.item(i).text() for i in range(consents.count()))
    assert texts[0].startswith("Northside IOP \u2014 Continuity of care") and len(texts) == 2
    consents.setCurrentRow([consents.item(i).text() for i in range(consents.count())].index(texts[0]))
    assert button(screen, "Referral letter\u2026").isEnabled()
    assert panel.sharing_with_person() is False
