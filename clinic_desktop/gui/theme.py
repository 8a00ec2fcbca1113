"""The app's look, set once on the QApplication at start-up (:func:`apply`): the bundled
interface font, the light or dark palette, and the style sheet filled in from it.

The interface is set in **Noto Sans**, the family the PDFs print with (``resources/fonts``), so it
looks the same on every machine whatever fonts it has; WenQuanYi Micro Hei, also bundled for the
PDFs, is the fallback for Chinese, Japanese and Korean names. A missing or unreadable font file
is logged and skipped: the app then uses the system's font.

**Colours** are defined here only, as two small palettes (:data:`LIGHT`, :data:`DARK`) with the
same names. ``resources/styles/app.qss`` is a template whose colours are ``@name`` tokens filled
in from the palette in use, and the QPalette set on the application is made from the same
palette, so what Qt draws natively agrees with the style sheet. One accent colour, the teal,
marks every selection (active window or not), focus and primary button, in both.

The dark palette is used when the system's colour scheme is dark (or, where the platform does
not say, when its window colour is dark); ``CLINIC_DESKTOP_THEME=dark`` or ``=light`` forces one
(screenshots, tests, a machine whose setting is wrong). Text on its background passes WCAG AA
(4.5:1) in both palettes; ``tests/gui/test_theme.py`` computes the ratios.
"""

from __future__ import annotations

import logging
import os
import re

from PySide6.QtCore import QBuffer, QByteArray, QFile, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QIcon,
    QImageReader,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QWidget,
)

from clinic_desktop import paths

log = logging.getLogger(__name__)

#: The interface family and its CJK fallback, from the bundled files (the PDFs' fonts).
UI_FONT_FAMILY = "Noto Sans"
UI_FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
FALLBACK_FONT_FILE = "wqy-microhei.ttc"
#: The interface size in points: the application font's, so every widget has it (the style sheet sets
#: sizes only where one differs: headings, chips).
UI_FONT_POINT_SIZE = 10.5

STYLE_SHEET = ":/styles/app.qss"
THEME_ENV = "CLINIC_DESKTOP_THEME"
LIGHT_THEME, DARK_THEME = "light", "dark"

#: The light palette: the app's colours since its first style sheet.
LIGHT: dict[str, str] = {
    "window": "#f7f9fa",        # window and dialog background
    "base": "#ffffff",          # inputs, tables, panels
    "alternate": "#f3f6f7",     # every other table row
    "bar": "#eef2f3",           # toolbar, status bar
    "header": "#e9eef0",        # table column titles
    "ink": "#10262b",           # text
    "ink_soft": "#2b3d42",      # status bar text
    "muted": "#4d6168",         # hints, secondary text
    "line": "#c3ccd0",          # frames, separators
    "line_mid": "#d3dadd",      # between column titles, under the toolbar
    "line_soft": "#e0e6e8",     # grid, inner frames
    "input_line": "#8a9ba1",    # input and button frames
    "hover": "#e8f1f1",
    "hover_strong": "#dde9ea",  # a tool button under the mouse, on the toolbar
    "pressed": "#d3e5e4",
    "disabled_bg": "#eef1f2",
    "disabled_ink": "#6b7b80",
    "readonly_bg": "#eef3f4",   # fields shown, not edited here
    "accent": "#0f766e",        # selection, primary buttons
    "focus": "#0f766e",         # the frame of what has the keyboard focus
    "accent_dark": "#0b5d57",   # a primary button's frame, and under the mouse
    "accent_darker": "#094a45", # a primary button pressed
    "accent_tint": "#e0efee",   # the current instrument item, a focused check box
    "on_accent": "#ffffff",     # text on the accent
    "error": "#b00020",         # error text and frames
    "alert": "#b00020",         # the safety alert's background
    "on_alert": "#ffffff",
    "warning_bg": "#fff4d6",
    "warning_line": "#d99a00",
    "warning_ink": "#3d2c00",
    "amber_ink": "#7a5200",     # an abnormal vital, an amber note
    "ok_ink": "#0b6e69",        # "every rule checked: nothing met"
    "link": "#0f766e",
    "tooltip_bg": "#10262b",
    "tooltip_ink": "#ffffff",
    "curtain": "#dbe4e6",       # what covers the windows while the screen is locked
    "icon": "#1f3d44",          # the strokes of the bundled icons
}

#: The dark palette: the same names; the same teal accent (white on it passes AA), lighter reds
#: and ambers for text on the dark background.
DARK: dict[str, str] = {
    "window": "#161c1e",
    "base": "#1e2628",
    "alternate": "#232c2f",
    "bar": "#1b2224",
    "header": "#273134",
    "ink": "#e4eced",
    "ink_soft": "#c8d4d7",
    "muted": "#a2b3b8",
    "line": "#4b5b60",
    "line_mid": "#3b484c",
    "line_soft": "#333e41",
    "input_line": "#6f8287",
    "hover": "#26383a",
    "hover_strong": "#2c4043",
    "pressed": "#335050",
    "disabled_bg": "#22292b",
    "disabled_ink": "#84959a",
    "readonly_bg": "#1a2123",
    "accent": "#0f766e",
    "focus": "#2a9d90",  # the accent lightened: 3:1 at least on the dark background
    "accent_dark": "#0b5d57",
    "accent_darker": "#094a45",
    "accent_tint": "#1c3a38",
    "on_accent": "#ffffff",
    "error": "#ff8a8a",
    "alert": "#b00020",
    "on_alert": "#ffffff",
    "warning_bg": "#3a2f10",
    "warning_line": "#d99a00",
    "warning_ink": "#ffe3a0",
    "amber_ink": "#f2c25c",
    "ok_ink": "#6fcfc2",
    "link": "#6fcfc2",
    "tooltip_bg": "#e4eced",
    "tooltip_ink": "#10262b",
    "curtain": "#101517",
    "icon": "#c8d4d7",
}

PALETTES = {LIGHT_THEME: LIGHT, DARK_THEME: DARK}
#: The images the style sheet draws (``@chevron_down``…): the dark theme's have light strokes
#: (the same files with the icon colour swapped; a test checks they stay so).
IMAGES = {
    LIGHT_THEME: {"chevron_down": ":/icons/chevron-down.svg", "chevron_up": ":/icons/chevron-up.svg"},
    DARK_THEME: {"chevron_down": ":/icons/chevron-down-light.svg",
                 "chevron_up": ":/icons/chevron-up-light.svg"},
}
_TOKEN = re.compile(r"@([a-z][a-z_]*)")

_loaded_families: list[str] | None = None
_current = LIGHT_THEME
_dark_icons: dict[str, QIcon] = {}


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
    """Make the bundled Noto Sans (CJK fallback after it), at 10.5 pt, the application font; the
    system's font family stays if the bundled files are missing (at that size still)."""
    families = load_bundled_fonts()
    font = QFont(app.font())
    if UI_FONT_FAMILY in families:
        font.setFamilies(families)
    font.setPointSizeF(UI_FONT_POINT_SIZE)
    app.setFont(font)


# ---- light or dark ---------------------------------------------------------------------------

def forced_theme() -> str | None:
    """The theme ``CLINIC_DESKTOP_THEME`` asks for, or None (unset, or a word it does not know)."""
    wanted = os.environ.get(THEME_ENV, "").strip().lower()
    return wanted if wanted in PALETTES else None


def system_is_dark(app: QApplication) -> bool:
    """Whether the desktop asks for dark colours: its colour scheme, or where the platform does
    not say, a dark window colour in the palette it gave the application."""
    scheme = app.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


def choose_theme(app: QApplication) -> str:
    """``light`` or ``dark``: the forced one, else the system's."""
    return forced_theme() or (DARK_THEME if system_is_dark(app) else LIGHT_THEME)


def current_theme() -> str:
    """The theme :func:`apply` set last (light before it ran)."""
    return _current


def colour(name: str) -> QColor:
    """One colour of the palette in use (for what a screen paints itself)."""
    return QColor(PALETTES[_current][name])


def css(name: str) -> str:
    """One colour of the palette in use as ``#rrggbb``, for the HTML a label shows."""
    return PALETTES[_current][name]


# ---- the style sheet and the QPalette ------------------------------------------------------------

def style_sheet_template() -> str:
    """app.qss as shipped (compiled into the resources), its colours still ``@tokens``."""
    import clinic_desktop.gui.resources_rc  # noqa: F401 - registers :/styles and :/icons

    qss = QFile(STYLE_SHEET)
    if not qss.open(QIODevice.OpenModeFlag.ReadOnly | QIODevice.OpenModeFlag.Text):
        log.warning("style sheet %s is missing", STYLE_SHEET)
        return ""
    try:
        return bytes(qss.readAll().data()).decode("utf-8")
    finally:
        qss.close()


def style_sheet(theme: str = LIGHT_THEME) -> str:
    """The style sheet with the colours of ``theme`` filled in (a token it lacks is an error)."""
    values = {**PALETTES[theme], **IMAGES[theme]}
    return _TOKEN.sub(lambda match: values[match.group(1)], style_sheet_template())


def palette(theme: str = LIGHT_THEME) -> QPalette:
    """The QPalette made from ``theme``'s colours: what Qt draws without the style sheet (item
    views' selection, active window or not, check marks, scroll bars) agrees with it."""
    c = {name: QColor(value) for name, value in PALETTES[theme].items()}
    result = QPalette(c["base"], c["window"])  # derives light/mid/dark/shadow from these
    role = QPalette.ColorRole
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for which, name in ((role.Window, "window"), (role.WindowText, "ink"), (role.Base, "base"),
                            (role.AlternateBase, "alternate"), (role.Text, "ink"),
                            (role.Button, "base"), (role.ButtonText, "ink"),
                            (role.ToolTipBase, "tooltip_bg"), (role.ToolTipText, "tooltip_ink"),
                            (role.PlaceholderText, "muted"), (role.Highlight, "accent"),
                            (role.HighlightedText, "on_accent"), (role.Link, "link"),
                            (role.BrightText, "on_alert")):
            result.setColor(group, which, c[name])
    disabled = QPalette.ColorGroup.Disabled
    for which in (role.WindowText, role.Text, role.ButtonText):
        result.setColor(disabled, which, c["disabled_ink"])
    result.setColor(disabled, role.Base, c["disabled_bg"])
    result.setColor(disabled, role.Button, c["disabled_bg"])
    return result


def icon(name: str) -> QIcon:
    """A bundled icon (``resources/icons/<name>.svg``), its strokes in the palette's icon colour:
    drawn as shipped in the light theme, recoloured in the dark one."""
    path = f":/icons/{name}.svg"
    if _current == LIGHT_THEME:
        return QIcon(path)
    if name in _dark_icons:
        return _dark_icons[name]
    svg = QFile(path)
    if not svg.open(QIODevice.OpenModeFlag.ReadOnly):
        return QIcon(path)
    try:
        data = bytes(svg.readAll().data()).replace(LIGHT["icon"].encode(), DARK["icon"].encode())
    finally:
        svg.close()
    result = QIcon()
    for size in (16, 20, 24, 32, 48, 64, 96):
        buffer = QBuffer()
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer, QByteArray(b"svg"))
        reader.setScaledSize(QSize(size, size))
        image = reader.read()
        if not image.isNull():
            result.addPixmap(QPixmap.fromImage(image))
    _dark_icons[name] = result if not result.isNull() else QIcon(path)
    return _dark_icons[name]


class FramedIndicators(QProxyStyle):
    """Fusion, with every check box and radio button framed in the palette's input frame colour,
    like the text fields: Fusion draws that frame a little darker than the window, which is
    invisible on the dark one."""

    def __init__(self, frame: QColor) -> None:
        super().__init__(QStyleFactory.create("Fusion"))
        self.frame = QColor(frame)

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter,
                      widget: QWidget | None = None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in (QStyle.PrimitiveElement.PE_IndicatorCheckBox,
                           QStyle.PrimitiveElement.PE_IndicatorRadioButton):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(self.frame, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rect = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)  # where Fusion draws its frame
        if element == QStyle.PrimitiveElement.PE_IndicatorCheckBox:
            painter.drawRect(rect)
        else:
            painter.drawEllipse(rect)
        painter.restore()


def apply(app: QApplication, theme: str | None = None) -> str:
    """Set the app's look: Fusion, the bundled font, the palette and the style sheet of
    ``theme`` (chosen as :func:`choose_theme` says when None). The theme applied."""
    global _current
    chosen = theme or choose_theme(app)
    _current = chosen
    app.setStyle(FramedIndicators(QColor(PALETTES[chosen]["input_line"])))
    apply_font(app)
    app.setPalette(palette(chosen))
    app.setStyleSheet(style_sheet(chosen))
    log.info("%s theme", chosen)
    return chosen
