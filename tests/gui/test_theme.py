"""The app's look: the bundled interface font."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from clinic_desktop import app as clinic_app
from clinic_desktop.gui import theme


@pytest.fixture
def styled_app(qapp):
    """The test QApplication set up as the app sets itself up; put back as it was afterwards, so
    the other tests keep their plain look."""
    font, sheet, style = QFont(qapp.font()), qapp.styleSheet(), qapp.style().name()
    palette = qapp.palette()
    yield clinic_app.create_application()
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setFont(font)


def test_the_interface_is_set_in_the_bundled_noto_sans(styled_app):
    assert QApplication.font().family() == theme.UI_FONT_FAMILY == "Noto Sans"
    assert QApplication.font().families()[1] == "WenQuanYi Micro Hei"  # CJK names: the PDFs' fallback
    assert QApplication.font().pointSizeF() == theme.UI_FONT_POINT_SIZE


def test_without_the_font_files_the_system_font_stays(qapp, tmp_path, monkeypatch, caplog):
    before = QFont(qapp.font())
    monkeypatch.setattr(theme.paths, "resource", lambda *parts: tmp_path.joinpath(*parts))
    monkeypatch.setattr(theme, "_loaded_families", None)
    try:
        theme.apply_font(qapp)
        assert QApplication.font().family() == before.family()
        assert "interface font NotoSans-Regular.ttf could not be loaded" in caplog.text
    finally:
        qapp.setFont(before)
