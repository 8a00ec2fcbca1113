"""The plan screen's safety plan section (Stanley–Brown): typed in the patient's words; after
the episode's safety alert, finalizing lists its three key parts until they are written."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QListWidget, QPlainTextEdit

from clinic_desktop.gui.plan_screen import PlanScreen
from clinic_desktop.reports import i18n
from tests.factories import ASQ_POSITIVE, admit_with_signed_intake, complete_draft
from tests.gui.helpers import by_name, open_plan_screen, type_into
from tests.gui.test_plan_screen import complete, go, saved_draft, wait_saved

LABEL = {f: i18n.text("en", f"safety_plan.{f}") for f in
         ("warning_signs", "people_to_ask", "safer_surroundings", "reasons_to_live")}


def missing_texts(screen: PlanScreen) -> list[str]:
    missing = by_name(screen, QListWidget, "Missing before finalizing")
    return [missing.item(i).text() for i in range(missing.count())]


def section_mark(screen: PlanScreen, label: str) -> str:
    sections = by_name(screen, QListWidget, "Sections")
    return next(sections.item(i).text() for i in range(sections.count()) if label in sections.item(i).text())


def test_after_the_alert_the_safety_plan_is_required_then_saved_in_the_patients_words(qtbot, db, admin, counselor):
    episode_id, patient = admit_with_signed_intake(
        db, admin, intake_data=complete_draft(mental_health={"asq": dict(ASQ_POSITIVE)}))
    screen = open_plan_screen(qtbot, db, counselor, episode_id, patient)
    complete(qtbot, screen)
    texts = missing_texts(screen)
    assert len(texts) == 3 and all(t.startswith("Safety plan:") for t in texts)
    assert section_mark(screen, "Safety plan").startswith("\u25cb")
    go(screen, "Safety plan")
    assert "safety alert was raised" in by_name(screen, QLabel, "Safety plan note").text()
    type_into(qtbot, by_name(screen, QPlainTextEdit, LABEL["warning_signs"]), "I stop eating")
    type_into(qtbot, by_name(screen, QPlainTextEdit, LABEL["people_to_ask"]), "My sister Lee")
    assert len(missing_texts(screen)) == 1  # one still to write
    type_into(qtbot, by_name(screen, QPlainTextEdit, LABEL["safer_surroundings"]), "Lee keeps my pills")
    type_into(qtbot, by_name(screen, QPlainTextEdit, LABEL["reasons_to_live"]), "My daughter")
    assert missing_texts(screen) == []
    assert section_mark(screen, "Safety plan").startswith("\u2713")
    wait_saved(qtbot, screen)
    qtbot.waitUntil(lambda: saved_draft(db, counselor, screen)["safety_plan"].get("reasons_to_live")
                    == "My daughter", timeout=3000)
    safety = saved_draft(db, counselor, screen)["safety_plan"]
    assert safety["warning_signs"] == "I stop eating" and safety["coping"] == ""
    screen.close()


def test_without_the_alert_the_safety_plan_is_optional(qtbot, db, admin, counselor):
    episode_id, patient = admit_with_signed_intake(db, admin)
    screen = open_plan_screen(qtbot, db, counselor, episode_id, patient)
    complete(qtbot, screen)
    assert not any(t.startswith("Safety plan:") for t in missing_texts(screen))
    assert section_mark(screen, "Safety plan").startswith("\u2713")
    go(screen, "Safety plan")
    assert "safety alert" not in by_name(screen, QLabel, "Safety plan note").text()
    screen.close()
