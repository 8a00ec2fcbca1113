"""The app's look: the bundled interface font, one accent for selections and primary buttons,
one alignment for every table's column titles."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCalendarWidget,
    QCheckBox,
    QListWidget,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from clinic_desktop import app as clinic_app
from clinic_desktop import paths
from clinic_desktop.core.services import episodes, intake, patients
from clinic_desktop.gui import theme
from clinic_desktop.gui.directory_dialog import DirectoryDialog
from clinic_desktop.gui.intake_screen import IntakeScreen
from clinic_desktop.gui.main_window import MainWindow
from clinic_desktop.gui.models.row_model import RowTableModel
from clinic_desktop.gui.plan_screen import PlanScreen
from clinic_desktop.gui.shortcuts_dialog import ShortcutsDialog
from clinic_desktop.gui.stabilization_screen import StabilizationScreen
from clinic_desktop.gui.users_dialog import UsersDialog
from clinic_desktop.gui.widgets import style
from clinic_desktop.gui.widgets.sign_dialog import SignDialog
from tests.conftest import make_user
from tests.factories import admit_with_signed_intake
from tests.gui.helpers import button, by_name


@pytest.fixture
def plain_app(qapp, monkeypatch):
    """The test QApplication, put back as it was after the test (font, style, palette, style
    sheet, theme), so the other tests keep their plain look."""
    font, sheet, style = QFont(qapp.font()), qapp.styleSheet(), qapp.style().name()
    palette = qapp.palette()
    monkeypatch.setattr(theme, "_current", theme.current_theme())
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setFont(font)


@pytest.fixture
def styled_app(plain_app, monkeypatch):
    """The test QApplication set up as the app sets itself up (light: the tests' default)."""
    monkeypatch.delenv(theme.THEME_ENV, raising=False)
    monkeypatch.setattr(theme, "system_is_dark", lambda app: False)
    return clinic_app.create_application()


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


# ---- one accent: selections and primary buttons ----------------------------------------------

def selection_colour(qtbot, view: QAbstractItemView, *, active: bool) -> QColor:
    """The colour painted beside the text of the selected first row of ``view``."""
    view.setCurrentIndex(view.model().index(0, 0))
    view.selectionModel().select(view.model().index(0, 0), QItemSelectionModel.SelectionFlag.Select)
    if active:
        view.activateWindow()
        qtbot.waitUntil(view.isActiveWindow)
    else:  # another window has the focus
        other = QWidget()
        qtbot.addWidget(other)
        other.show()
        other.activateWindow()
        qtbot.waitUntil(other.isActiveWindow)
    assert view.isActiveWindow() == active
    rect = view.visualRect(view.model().index(0, 0))
    image = view.viewport().grab().toImage()
    return image.pixelColor(rect.right() - 3, rect.center().y())


@pytest.mark.parametrize("active", [True, False], ids=["active", "inactive"])
def test_lists_and_tables_select_in_the_accent(qtbot, styled_app, active):
    table = QTableWidget(2, 1)
    table.setItem(0, 0, QTableWidgetItem("a"))
    table.setItem(1, 0, QTableWidgetItem("b"))
    listing = QListWidget()
    listing.addItems(["a", "b"])
    for view in (table, listing):
        qtbot.addWidget(view)
        view.resize(240, 120)
        view.show()
        qtbot.waitExposed(view)
        assert selection_colour(qtbot, view, active=active).name() == theme.LIGHT["accent"], type(view).__name__
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        assert QApplication.palette().color(group, QPalette.ColorRole.Highlight).name() == theme.LIGHT["accent"]


def test_sign_on_the_intake_summary_is_primary(qtbot, db, nurse):
    patient = patients.register(db, nurse, patients.PatientInput(
        mrn="T-1", given_name="Tess", family_name="Theme", date_of_birth=dt.date(1990, 4, 5), sex="unknown"))
    started = intake.start(db, nurse, patient.id)
    screen = IntakeScreen(db, nurse, intake.open_assessment(db, nurse, started.episode_id),
                          patients.open_record(db, nurse, patient.id))
    qtbot.addWidget(screen)
    screen.show()
    screen.show_section("summary")
    assert style.is_primary(button(screen, "Sign\u2026"))
    assert not style.is_primary(button(screen, "Go to first"))
    dialog = SignDialog(screen)
    qtbot.addWidget(dialog)
    assert style.is_primary(button(dialog, "Sign")) and not style.is_primary(button(dialog, "Cancel"))
    screen.reject()


def test_finalize_on_the_plan_and_its_dialog_are_primary(qtbot, db, admin):
    episode_id, patient = admit_with_signed_intake(db, admin)
    counselor = make_user(db, admin, "counselor")
    plan = PlanScreen(db, counselor, episode_id, patients.open_record(db, counselor, patient.id))
    qtbot.addWidget(plan)
    plan.show()
    sections = by_name(plan, QListWidget, "Sections")
    labels = [sections.item(i).text().strip().split("  ", 1)[-1] for i in range(sections.count())]
    sections.setCurrentRow(labels.index("Print and finalize"))
    assert style.is_primary(button(plan, "Finalize\u2026"))
    assert not style.is_primary(button(plan, "Preview\u2026"))
    dialog = SignDialog(plan, title="Finalize the aftercare plan", accept_text="Finalize")
    qtbot.addWidget(dialog)
    assert style.is_primary(button(dialog, "Finalize")) and not style.is_primary(button(dialog, "Cancel"))
    plan.reject()


# ---- one header alignment ---------------------------------------------------------------------

def column_headers(root: QWidget) -> dict[str, Qt.AlignmentFlag]:
    """Each table's name (its accessible or object name) → its column titles' alignment, for
    the tables under ``root`` (not the calendars' inner tables)."""
    found = {}
    for table in root.findChildren(QTableView):
        if isinstance(table.parent(), QCalendarWidget) or table.parent().inherits("QCalendarWidget"):
            continue
        found[table.accessibleName() or table.objectName()] = table.horizontalHeader().defaultAlignment()
    return found


def test_every_table_header_is_left_aligned_and_vertically_centred(qtbot, db, admin):
    _episode_id, patient = admit_with_signed_intake(db, admin, transition=False)
    nurse = make_user(db, admin, "nurse")
    window = MainWindow(db, admin)
    qtbot.addWidget(window)
    flowsheet = StabilizationScreen(db, nurse, episodes.current_episode(db, nurse, patient.id),
                                    patients.open_record(db, nurse, patient.id))
    qtbot.addWidget(flowsheet)
    flowsheet.tabs.setCurrentWidget(flowsheet.medications_page)
    dialogs = [DirectoryDialog(db, admin, window), UsersDialog(db, admin, window), ShortcutsDialog(window)]
    headers: dict[str, Qt.AlignmentFlag] = {}
    for root in (window, flowsheet, *dialogs):
        headers.update(column_headers(root))
    assert {"Census", "Search results", "Flowsheet entries", "Doses today", "Orders", "Directory", "Users",
            "Keyboard shortcuts"} <= set(headers), sorted(headers)
    assert len(headers) >= 8, sorted(headers)  # and the MAR's tables
    assert set(headers.values()) == {Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter}, headers


# ---- light and dark ---------------------------------------------------------------------------

def contrast(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two sRGB colours (1 to 21)."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula_agrees_with_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic AA grey
    assert contrast("#777777", "#ffffff") < 4.5


#: (text, background) pairs staff read, in either palette.
READ_PAIRS = [
    ("ink", "window"), ("ink", "base"), ("ink", "alternate"), ("ink", "header"), ("ink", "bar"),
    ("ink", "readonly_bg"), ("ink", "accent_tint"), ("ink", "hover"), ("ink", "pressed"),
    ("ink_soft", "bar"), ("ink_soft", "curtain"), ("muted", "window"), ("muted", "base"),
    ("on_accent", "accent"), ("on_accent", "accent_dark"), ("on_accent", "accent_darker"),
    ("error", "window"), ("error", "base"), ("on_alert", "alert"),
    ("ok_ink", "window"), ("ok_ink", "base"), ("link", "base"),
    ("warning_ink", "warning_bg"), ("amber_ink", "window"), ("amber_ink", "base"),
    ("tooltip_ink", "tooltip_bg"),
]


@pytest.mark.parametrize("name", sorted(theme.PALETTES))
@pytest.mark.parametrize(("text", "background"), READ_PAIRS, ids=[f"{t}-on-{b}" for t, b in READ_PAIRS])
def test_text_passes_wcag_aa_on_its_background(name, text, background):
    colours = theme.PALETTES[name]
    assert contrast(colours[text], colours[background]) >= 4.5, (name, text, background)


def test_a_focus_frame_and_an_icon_stand_out_of_their_background():
    for colours in theme.PALETTES.values():
        assert contrast(colours["icon"], colours["bar"]) >= 3  # WCAG non-text contrast
        assert contrast(colours["focus"], colours["base"]) >= 3
        assert contrast(colours["focus"], colours["window"]) >= 3
        assert contrast(colours["input_line"], colours["base"]) >= 2


def test_both_palettes_fill_every_token_of_the_style_sheet():
    assert theme.LIGHT.keys() == theme.DARK.keys()
    template = theme.style_sheet_template()
    used = set(re.findall(r"@([a-z_]+)", template))
    assert used and used <= set(theme.LIGHT) | set(theme.IMAGES["light"])
    for name in theme.PALETTES:
        sheet = theme.style_sheet(name)
        assert "@" not in sheet and theme.PALETTES[name]["accent"] in sheet
    assert theme.style_sheet("dark") != theme.style_sheet("light")


def test_the_dark_chevrons_are_the_light_ones_with_the_icon_colour_swapped():
    for name in ("chevron-down", "chevron-up"):
        shipped = paths.resource("icons", f"{name}.svg").read_text()
        light = paths.resource("icons", f"{name}-light.svg").read_text()
        assert theme.LIGHT["icon"] in shipped
        assert light == shipped.replace(theme.LIGHT["icon"], theme.DARK["icon"])


@pytest.mark.parametrize(("forced", "system_dark", "expected"), [
    ("dark", False, "dark"), ("light", True, "light"), ("", True, "dark"), ("", False, "light"),
    ("purple", True, "dark"),  # a word it does not know: the system decides
])
def test_the_theme_follows_the_system_unless_forced(plain_app, monkeypatch, forced, system_dark, expected):
    monkeypatch.setenv(theme.THEME_ENV, forced)
    monkeypatch.setattr(theme, "system_is_dark", lambda app: system_dark)
    clinic_app.create_application()
    colours = theme.PALETTES[expected]
    assert theme.current_theme() == expected
    assert QApplication.palette().color(QPalette.ColorRole.Window).name() == colours["window"]
    assert QApplication.palette().color(QPalette.ColorRole.Text).name() == colours["ink"]
    assert QApplication.palette().color(QPalette.ColorRole.Highlight).name() == colours["accent"]
    assert QApplication.instance().styleSheet() == theme.style_sheet(expected)
    assert clinic_app.style_sheet() == theme.style_sheet(expected)


def test_a_dark_window_colour_counts_as_a_dark_system(plain_app):
    if plain_app.styleHints().colorScheme() != Qt.ColorScheme.Unknown:
        pytest.skip("this platform says its colour scheme")  # offscreen does not
    plain_app.setPalette(QPalette(QColor("#202020"), QColor("#303030")))
    assert theme.system_is_dark(plain_app)
    plain_app.setPalette(QPalette(QColor("#ffffff"), QColor("#efefef")))
    assert not theme.system_is_dark(plain_app)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_toolbar_separators_are_thin_lines_in_the_palette_colour(qtbot, plain_app, db, admin, monkeypatch, name):
    monkeypatch.setenv(theme.THEME_ENV, name)
    clinic_app.create_application()
    window = MainWindow(db, admin)
    qtbot.addWidget(window)
    window.resize(1366, 740)
    window.show()
    qtbot.waitExposed(window)
    toolbar = window.ui.toolBar
    actions = [a for a in toolbar.actions() if toolbar.widgetForAction(a).isVisible()]
    gaps = [(toolbar.widgetForAction(before).geometry(), toolbar.widgetForAction(after).geometry())
            for before, separator, after in zip(actions, actions[1:], actions[2:], strict=False)
            if separator.isSeparator()]
    assert len(gaps) >= 2
    image = toolbar.grab().toImage()
    colours = theme.PALETTES[name]
    for left, right in gaps:
        y = left.center().y()
        between = [image.pixelColor(x, y).name() for x in range(left.right() + 2, right.left() - 1)]
        assert len(between) >= 6
        drawn = [c for c in between if c != colours["bar"]]
        assert drawn == [colours["line"]], between  # one thin line in the palette's colour


class TintedModel(RowTableModel):
    """Rows of (text, tinted, muted)."""
    COLUMNS = ("Text",)

    def display(self, row, column):
        return row[0]

    def muted(self, row, column):
        return row[2]

    def background(self, row, column):
        return QColor("#fbdcdc") if row[1] else None


@pytest.mark.parametrize("name", ["light", "dark"])
def test_table_text_stays_readable_on_warning_tints_and_muted_in_either_theme(monkeypatch, name):
    monkeypatch.setattr(theme, "_current", name)
    model = TintedModel()
    model.set_rows([("overdue", True, False), ("gone", True, True), ("none yet", False, True),
                    ("plain", False, False)])
    foreground = [model.index(r, 0).data(Qt.ItemDataRole.ForegroundRole) for r in range(4)]
    # the pale tints are the same in both themes, so the text on them is the light theme's ink
    assert foreground[0].name() == theme.LIGHT["ink"] and foreground[1].name() == theme.LIGHT["muted"]
    assert contrast(theme.LIGHT["muted"], "#fbdcdc") >= 4.5
    assert foreground[2].name() == theme.PALETTES[name]["muted"]
    assert foreground[3] is None  # the palette's text colour


def test_html_colours_follow_the_theme(monkeypatch):
    from clinic_desktop.core.medications import Finding
    from clinic_desktop.gui.widgets.findings_view import finding_html

    for name in ("light", "dark"):
        monkeypatch.setattr(theme, "_current", name)
        html = finding_html(Finding(rule="x.max_daily", severity="hard", text="Above the daily maximum",
                                    source="label"))
        assert f"color:{theme.PALETTES[name]['error']}" in html


@pytest.mark.parametrize("name", ["light", "dark"])
def test_check_boxes_and_radio_buttons_are_framed_like_the_inputs(qtbot, plain_app, monkeypatch, name):
    monkeypatch.setenv(theme.THEME_ENV, name)
    clinic_app.create_application()
    for choice in (QCheckBox("Large print"), QRadioButton("Yes")):
        qtbot.addWidget(choice)
        choice.show()
        qtbot.waitExposed(choice)
        option = QStyleOptionButton()
        choice.initStyleOption(option)
        element = (QStyle.SubElement.SE_CheckBoxIndicator if isinstance(choice, QCheckBox)
                   else QStyle.SubElement.SE_RadioButtonIndicator)
        box = choice.style().subElementRect(element, option, choice)
        image = choice.grab().toImage()
        edge = image.pixelColor(box.left(), box.center().y()) if isinstance(choice, QCheckBox) else (
            image.pixelColor(box.center().x(), box.top()))
        frame = QColor(theme.PALETTES[name]["input_line"])
        assert abs(edge.lightness() - frame.lightness()) <= 12, (type(choice).__name__, edge.name())
