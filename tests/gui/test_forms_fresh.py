"""The committed generated files match their sources: forms from ui/*.ui, resources from the .qrc."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
UI_FILES = sorted((REPO / "ui").glob("*.ui"))


def test_every_designer_form_is_compiled():
    forms = {p.stem for p in (REPO / "clinic_desktop" / "gui" / "forms").glob("ui_*.py")}
    assert UI_FILES, "no Designer forms in ui/"
    assert {f"ui_{p.stem}" for p in UI_FILES} == forms


@pytest.mark.parametrize("ui_file", UI_FILES, ids=lambda p: p.name)
def test_form_is_not_stale(ui_file, tmp_path):
    out = tmp_path / f"ui_{ui_file.stem}.py"
    subprocess.run([str(BIN / "pyside6-uic"), "--from-imports", str(ui_file), "-o", str(out)], check=True)
    committed = REPO / "clinic_desktop" / "gui" / "forms" / out.name
    assert committed.read_text() == out.read_text(), f"{committed.name} is stale: run `make forms`"


def test_resources_are_not_stale(tmp_path):
    out = tmp_path / "resources_rc.py"
    subprocess.run([str(BIN / "pyside6-rcc"), "--format-version", "1", str(REPO / "resources" / "resources.qrc"),
                    "-o", str(out)], check=True, cwd=REPO)
    committed = REPO / "clinic_desktop" / "gui" / "resources_rc.py"
    assert committed.read_text() == out.read_text(), "resources_rc.py is stale: run `make forms`"
