"""The app's look, set once on the QApplication at start-up: the bundled interface font and the
palette's accent.

The interface is set in **Noto Sans**, the family the PDFs print with (``resources/fonts``), so it
looks the same on every machine whatever fonts it has; WenQuanYi Micro Hei, also bundled for the
PDFs, is the fallback for Chinese, Japanese and Korean names. A missing or unreadable font file
is logged and skipped: the app then uses the system's font.

One accent colour, the teal of app.qss, marks every selection, focus and primary button; the
QPalette's Highlight is set to it as well, so what Qt draws natively (item views' selection,
whether the window is active or not) agrees with the style sheet.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

from clinic_desktop import paths

log = logging.getLogger(__name__)

#: The interface family and its CJK fallback, from the bundled files (the PDFs' fonts).
UI_FONT_FAMILY = "Noto Sans"
UI_FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
FALLBACK_FONT_FILE = "wqy-microhei.ttc"
#: The interface size in points (the style sheet's QWidget rule says the same).
UI_FONT_POINT_SIZE = 10.5

#: The accent (selection, focus, primary buttons) and the text drawn on it.
ACCENT = "#0f766e"
ON_ACCENT = "#ffffff"

_loaded_families: list[str] | None = None


def load_bundled_fonts() -> list[str]:
    """Register the bundled font files with Qt (once); the families loaded, the interface family
    first. Empty when none could be read."""
    global _loaded_families
    if _loaded_families is not None:
        return _loaded_families
    families: list[str] = []
    for filename in (*UI_FONT_FILES, FALLBACK_FONT_FILE):
        path = paths.resource("fonts", filename)
        font_id = QFontDatabase.addApplicationFont(str(path)) if path.is_file() else -1
        if font_id < 0:
            log.warning("interface font %s could not be loaded", filename)
            continue
        loaded = QFontDatabase.applicationFontFamilies(font_id)
        if loaded and loaded[0] not in families:  # a .ttc's first face only (not its Mono)
            families.append(loaded[0])
    _loaded_families = families
    return families


def apply_font(app: QApplication) -> None:
    """Make the bundled Noto Sans (CJK fallback after it) the application font; the system's
    font stays if the bundled files are missing."""
    families = load_bundled_fonts()
    if UI_FONT_FAMILY not in families:
        return
    font = QFont(app.font())
    font.setFamilies(families)
    font.setPointSizeF(UI_FONT_POINT_SIZE)
    app.setFont(font)


def palette(base: QPalette) -> QPalette:
    """``base`` with the accent as the selection colour, whether the window is active or not."""
    result = QPalette(base)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        result.setColor(group, QPalette.ColorRole.Highlight, QColor(ACCENT))
        result.setColor(group, QPalette.ColorRole.HighlightedText, QColor(ON_ACCENT))
    return result
