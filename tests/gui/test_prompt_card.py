"""A protocol prompt as a card (gui.widgets.prompt_card): its status as a pill of the right
severity, the basis folded away until its toggle, and names that tell the cards apart."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QToolButton

from clinic_desktop.core.protocols import PROMPT_STATUSES, Prompt
from clinic_desktop.gui.widgets.chip import SEVERITIES
from clinic_desktop.gui.widgets.prompt_card import STATUS_PILLS, PromptCard
from tests.gui.helpers import by_name, click


def prompt(status: str, title: str = "Lofexidine hold") -> Prompt:
    return Prompt("test", status, title, "BP 88/60 at 09:10", "hold if systolic below 90 (local policy default)",
                  "A hold is suggested.")


@pytest.fixture
def card(qtbot):
    widget = PromptCard("Lofexidine hold")
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_every_prompt_status_has_a_pill_of_a_chip_severity():
    assert set(STATUS_PILLS) == PROMPT_STATUSES
    assert all(severity in SEVERITIES and text for text, severity in STATUS_PILLS.values())


@pytest.mark.parametrize(("status", "text", "severity"), [
    ("hold_suggested", "HOLD SUGGESTED", "alert"),
    ("not_yet", "NOT YET", "warning"),
    ("caution", "CAUTION", "warning"),
    ("meets", "MEETS DEFAULTS", "ok"),
    ("no_hold", "NO HOLD", "ok"),
    ("info", "INFO", "info"),
])
def test_the_status_shows_as_a_pill_and_colours_the_card(card, status, text, severity):
    card.show_prompt(prompt(status))
    pill = by_name(card, QLabel, "Lofexidine hold status")
    assert pill.isVisible() and pill.text() == text and pill.property("severity") == severity
    assert card.severity() == severity
    assert by_name(card, QLabel, "Lofexidine hold").text() == "Lofexidine hold"
    assert by_name(card, QLabel, "Lofexidine hold text").text() == "A hold is suggested."


def test_the_basis_is_folded_until_its_toggle(qtbot, card):
    card.show_prompt(prompt("hold_suggested"))
    basis = by_name(card, QLabel, "Lofexidine hold basis")
    toggle = by_name(card, QToolButton, "Lofexidine hold: show the basis")
    assert not basis.isVisible() and toggle.text() == "Show the basis"
    assert basis.text() == ("Basis: BP 88/60 at 09:10. hold if systolic below 90 (local policy default).")
    click(qtbot, toggle)
    assert basis.isVisible() and toggle.isChecked() and toggle.text() == "Hide the basis"
    card.show_prompt(prompt("no_hold"))  # a refresh keeps what the nurse opened
    assert basis.isVisible()
    click(qtbot, toggle)
    assert not basis.isVisible() and toggle.text() == "Show the basis"


def test_a_card_without_a_basis_or_a_status_hides_the_toggle_and_the_pill(card):
    card.show_state("Buprenorphine readiness", "", "info", "The prompt could not be weighed.", "")
    assert not by_name(card, QLabel, "Lofexidine hold status").isVisible()
    assert not by_name(card, QToolButton, "Lofexidine hold: show the basis").isVisible()
    assert by_name(card, QLabel, "Lofexidine hold text").isVisible()
