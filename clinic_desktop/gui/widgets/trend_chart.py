"""The withdrawal trend over a stay: COWS and SOWS totals against hours since admission, the
COWS severity bands shaded behind them, and the doses given marked along the time axis; under
it, on the same time axis, a second panel of the daily check-ins' craving, mood and anxiety
(0–10) once there are any, and beside them the readiness ruler's importance and confidence
(0–10, dashed: asked at intake and in support sessions).

Plain data in (``TrendPoint``s, ``DoseMark``s); hovering a point shows its value and time.
A plain widget painted with QPainter: ``show_trend()`` keeps the numbers and asks for a repaint,
and ``paintEvent`` lays out and draws everything, so opening a patient's tab costs no chart objects.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QToolTip, QWidget

from clinic_desktop.core import clock
from clinic_desktop.core.instruments import get_instrument

#: Series colours (accessible on white, told apart also by marker shape).
COLOURS = {"cows": "#0b6e69", "sows_gossop": "#7a3fa0", "sows_handelsman": "#b4521b"}
BAND_COLOURS = {"mild": "#f3f8e8", "moderate": "#fdf5dc", "moderately_severe": "#fde9da", "severe": "#fbdcdc"}
DOSE_COLOUR = "#1f4e8c"
#: Room beyond the first hour and below 0 and above the top score, so that a point on an edge
#: is drawn whole (the axes' labels still start at 0).
EDGE_HOURS = 1.0
EDGE_SCORE = 1.5
#: Each instrument's marker, so the lines are told apart without their colour too.
SHAPES = {"cows": "circle", "sows_gossop": "square", "sows_handelsman": "diamond"}
#: The check-in panel's series (core.checkin scales, then the readiness ruler, core.support.RULER),
#: told apart by colour and marker; the ruler's lines dashed.
CHECKIN_COLOURS = {"craving": "#b4521b", "mood": "#1f4e8c", "anxiety": "#7a3fa0",
                   "importance": "#0b6e69", "confidence": "#4f6300"}
CHECKIN_SHAPES = {"craving": "circle", "mood": "square", "anxiety": "diamond",
                  "importance": "triangle", "confidence": "triangle_down"}
CHECKIN_TITLES = {"craving": "Craving", "mood": "Mood", "anxiety": "Anxiety",
                  "importance": "Importance", "confidence": "Confidence"}
#: The legend's rows for the panel: the check-in's scales, then the readiness ruler.
CHECKIN_ROWS = (("craving", "mood", "anxiety"), ("importance", "confidence"))
DASHED = frozenset({"importance", "confidence"})
CHECKIN_RANGE = (-0.6, 10.6)  # 0 and 10 drawn whole
CHECKIN_SHARE = 0.4  # of the plots' height, under the scores
PLOT_BACKGROUND = "#ffffff"  # the plot stays light in both themes: the bands' colours are light
GRID_COLOUR = QColor(16, 38, 43, 30)  # faint over white and over every band
AXIS_COLOUR = "#8a9ba1"
MARKER_SIZE = 7.0
DOSE_SIZE = 11.0
DOSE_SCORE = 0.8  # the doses' row, just above 0
HOVER_PX = 8.0  # how near the mouse must be to a point for its tooltip
PAD = 6  # around everything
LINE_PIECE = 8  # segments stroked at a time
TICK = 4


@dataclass(frozen=True)
class TrendPoint:
    instrument_id: str  # cows | sows_gossop | sows_handelsman
    at: dt.datetime
    total: int


@dataclass(frozen=True)
class CheckInPoint:
    part: str  # craving | mood | anxiety | importance | confidence (the readiness ruler)
    at: dt.datetime
    value: int


@dataclass(frozen=True)
class DoseMark:
    at: dt.datetime
    text: str  # "Lofexidine 0.54 mg"


def _local(when: dt.datetime) -> str:
    return clock.local_text(when, "%d %b %H:%M")


def _ticks(low: float, high: float, step: float) -> list[float]:
    """Multiples of ``step`` (anchored at 0) from ``low`` to ``high``."""
    first = math.ceil(low / step - 1e-9)
    return [n * step for n in range(first, math.floor(high / step + 1e-9) + 1)]


def _label(value: float) -> str:
    return "%d" % value  # noqa: UP031 - the axes' label format, as a C format says it


class TrendChart(QWidget):
    """The chart of one episode; ``show_trend()`` replaces what it shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trendChart")
        self.setAccessibleName("Withdrawal trend")
        self.setMinimumHeight(140)  # fits a 1024×600 screen beside the flowsheet table
        self.setMouseTracking(True)  # hover tooltips
        self._admitted: dt.datetime | None = None
        self._points: dict[str, list[TrendPoint]] = {}
        self._doses: list[DoseMark] = []
        self._series: dict[str, list[tuple[float, float]]] = {}  # what is drawn, in axis units
        self._dose_hours: list[float] = []
        self._checkins: dict[str, list[CheckInPoint]] = {}
        self._checkin_series: dict[str, list[tuple[float, float]]] = {}
        self._x_range = (-EDGE_HOURS, 24.0)
        self._y_range = (-EDGE_SCORE, 48 + EDGE_SCORE)
        self._x_step = 12.0
        self._y_step = 12.0
        self._bands: list[tuple[float, float, str]] = []  # (low, high, colour)
        self._band_names: list[tuple[str, str]] = []  # (legend text, colour)

    # ---- what is shown (for tests and the flowsheet) ---------------------------------------
    def series_points(self, instrument_id: str) -> list[tuple[float, float]]:
        """The (hours since admission, total) points drawn for an instrument ("doses": the
        doses' (hours, 0.8))."""
        if instrument_id == "doses":
            return [(h, DOSE_SCORE) for h in self._dose_hours]
        if instrument_id in CHECKIN_COLOURS:  # the check-in panel's (hours, value)
            return [(x, float(y)) for x, y in self._checkin_series.get(instrument_id, [])]
        return [(x, float(y)) for x, y in self._series.get(instrument_id, [])]

    def x_range(self) -> tuple[float, float]:
        """The time axis's (min, max), hours since admission."""
        return self._x_range

    def y_range(self) -> tuple[float, float]:
        """The score axis's (min, max)."""
        return self._y_range

    def x_ticks(self) -> list[float]:
        """The hours marked and labelled on the time axis (labels thinned out if they would touch)."""
        return _ticks(*self._x_range, self._x_step)

    def y_ticks(self) -> list[float]:
        """The scores marked and labelled on the score axis."""
        return _ticks(*self._y_range, self._y_step)

    def position_of(self, hours: float, score: float) -> QPointF:
        """Where (hours, score) is drawn at the widget's present size, in its pixels."""
        return self._mapper(self._plot_rect())(hours, score)

    def checkin_position_of(self, hours: float, value: float) -> QPointF | None:
        """Where a check-in's (hours, value) is drawn in the panel under the scores (None: no panel)."""
        panel = self._panels()[1]
        return None if panel is None else self._mapper(panel, CHECKIN_RANGE)(hours, value)

    def legend_entries(self) -> list[tuple[str, str]]:
        """The legend, top to bottom: (name, marker shape) — "circle", "square", "diamond" or
        "triangle" (the doses) — then the COWS bands shaded behind them ("band": a swatch), then
        the check-in panel's series on one row ("Craving · Mood · Anxiety", "checkins": each
        with its marker, so the legend still fits beside a chart on a 1024×600 screen) and the
        readiness ruler's on another ("Importance · Confidence")."""
        return [(name, shape) for name, shape, _colour in self._legend()]

    def _checkin_rows(self) -> list[tuple[str, ...]]:
        """The panel's legend rows, each the parts shown (rows with none left out)."""
        rows = [tuple(part for part in row if part in self._checkin_series) for row in CHECKIN_ROWS]
        return [row for row in rows if row]

    def _legend(self) -> list[tuple[str, str, str]]:
        """(name, shape, colour) per legend line; a check-in row's "colour" is its parts, comma-separated."""
        entries = [(get_instrument(iid).short_title, SHAPES.get(iid, "circle"), COLOURS.get(iid, "#333333"))
                   for iid in self._series]
        if self._dose_hours:
            entries.append(("Dose given", "triangle", DOSE_COLOUR))
        entries.extend((name, "band", colour) for name, colour in self._band_names)
        entries.extend((" \u00b7 ".join(CHECKIN_TITLES[part] for part in row), "checkins", ",".join(row))
                       for row in self._checkin_rows())
        return entries

    def _checkin_legend(self, fm: QFontMetrics, parts: Sequence[str]) -> list[tuple[str, float]]:
        """A check-in row of the legend: each series and where its marker goes (from the row's start)."""
        out, x = [], 0.0
        for part in parts:
            out.append((part, x + MARKER_SIZE / 2))
            x += MARKER_SIZE + 4 + fm.horizontalAdvance(CHECKIN_TITLES[part]) + 10
        return out

    # ---- building --------------------------------------------------------------------------
    def _hours(self, when: dt.datetime) -> float:
        assert self._admitted is not None
        return round((when - self._admitted).total_seconds() / 3600, 2)

    def show_trend(self, admitted_at: dt.datetime, points: Sequence[TrendPoint],
                   doses: Sequence[DoseMark] = (), now: dt.datetime | None = None,
                   checkins: Sequence[CheckInPoint] = ()) -> None:
        self._admitted = admitted_at
        self._checkins = {}
        for c in sorted((c for c in checkins if c.part in CHECKIN_COLOURS), key=lambda c: c.at):
            self._checkins.setdefault(c.part, []).append(c)
        self._checkin_series = {part: [(self._hours(c.at), float(c.value)) for c in self._checkins.get(part, [])]
                                for part in CHECKIN_COLOURS if part in self._checkins}
        self._points = {}
        for p in sorted(points, key=lambda p: p.at):
            self._points.setdefault(p.instrument_id, []).append(p)
        self._doses = sorted(doses, key=lambda d: d.at)
        self._series = {iid: [(self._hours(p.at), float(p.total)) for p in ps] for iid, ps in self._points.items()}
        self._dose_hours = [self._hours(d.at) for d in self._doses]

        times = [p.at for p in points] + [d.at for d in doses] + [c.at for c in checkins]
        x_min = min([0.0] + [self._hours(t) for t in times])  # a score before admission, entered late
        x_max = max(24.0, max(self._hours(t) for t in times + [now or admitted_at]) + 2)
        y_max = max([48] + [get_instrument(iid).max_total for iid in self._points])
        self._x_range = (x_min - EDGE_HOURS, x_max)  # a point at admission drawn whole, not halved
        self._y_range = (-EDGE_SCORE, y_max + EDGE_SCORE)  # a score of 0 (or the top) drawn whole
        self._x_step = 12.0 if x_max <= 120 else 24.0
        self._y_step = y_max / 4 if y_max == 48 else y_max / 8
        bands = get_instrument("cows").bands
        self._bands = [(band.low - 0.5, band.high + 0.5, BAND_COLOURS.get(band.id, "#eeeeee")) for band in bands]
        # The legend names the shading, the most severe at the top as on the plot.
        self._band_names = [(f"COWS {band.label} {band.low}\u2013{band.high}", BAND_COLOURS.get(band.id, "#eeeeee"))
                            for band in reversed(bands)]
        self.update()

    # ---- layout ----------------------------------------------------------------------------
    def _title_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def _legend_width(self, fm: QFontMetrics) -> int:
        entries = self.legend_entries()
        if not entries:
            return 0
        widths = [24 + 6 + fm.horizontalAdvance(name) for name, shape in entries if shape != "checkins"]
        for row in self._checkin_rows():
            last, at = self._checkin_legend(fm, row)[-1]
            widths.append(round(at + MARKER_SIZE / 2 + 4 + fm.horizontalAdvance(CHECKIN_TITLES[last])))
        return max(widths)

    def _legend_row(self, fm: QFontMetrics) -> float:
        """The height of a legend line: roomy, closer when all of them would not fit otherwise."""
        count = len(self._legend())
        return max(float(fm.height()), min(fm.height() + 6.0, self.height() / max(count, 1)))

    def _plot_rect(self) -> QRectF:
        """Where the scores' axes are drawn, in the widget's pixels."""
        return self._panels()[0]

    def _panels(self) -> tuple[QRectF, QRectF | None]:
        """The scores' plot and, when there are check-ins, the check-in panel under it (a gap
        between them; the time axis's labels under the lower one)."""
        area = self._plots_area()
        if not self._checkin_series:
            return area, None
        gap = self.fontMetrics().height() * 0.6
        scores = (area.height() - gap) * (1 - CHECKIN_SHARE)
        return (QRectF(area.left(), area.top(), area.width(), scores),
                QRectF(area.left(), area.top() + scores + gap, area.width(), area.height() - scores - gap))

    def _plots_area(self) -> QRectF:
        """Where the plots are drawn, axes' labels and titles around them."""
        fm = self.fontMetrics()
        title = QFontMetrics(self._title_font()).height()
        label_w = max(fm.horizontalAdvance(_label(v)) for v in self.y_ticks() or [0.0])
        left = PAD + title + 6 + label_w + TICK + 2
        top = PAD + fm.height() / 2
        legend = self._legend_width(fm)
        last_label = fm.horizontalAdvance(_label(self._x_range[1])) / 2 + 4
        right = self.width() - PAD - (legend + 18 if legend else last_label)
        bottom = self.height() - PAD - title - 2 - fm.height() - TICK - 2
        return QRectF(left, top, max(1.0, right - left), max(1.0, bottom - top))

    def _mapper(self, plot: QRectF, y_range: tuple[float, float] | None = None
                ) -> Callable[[float, float], QPointF]:
        (x0, x1), (y0, y1) = self._x_range, y_range or self._y_range
        sx, sy = plot.width() / (x1 - x0), plot.height() / (y1 - y0)

        def to_px(x: float, y: float) -> QPointF:
            return QPointF(plot.left() + (x - x0) * sx, plot.bottom() - (y - y0) * sy)
        return to_px

    # ---- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        plot, panel = self._panels()
        to_px = self._mapper(plot)
        lowest = panel or plot  # the time axis's labels go under the lowest plot
        fm = self.fontMetrics()
        ink = pal.color(QPalette.ColorRole.Text)

        # The plot: white, the bands, the grid.
        painter.fillRect(plot, QColor(PLOT_BACKGROUND))
        painter.save()
        painter.setClipRect(plot)
        for low, high, band_colour in self._bands:
            painter.fillRect(QRectF(to_px(self._x_range[0], high), to_px(self._x_range[1], low)), QColor(band_colour))
        painter.setPen(QPen(GRID_COLOUR, 1))
        x_ticks, y_ticks = self.x_ticks(), self.y_ticks()
        for x in x_ticks:
            painter.drawLine(QPointF(to_px(x, 0).x(), plot.top()), QPointF(to_px(x, 0).x(), plot.bottom()))
        for y in y_ticks:
            painter.drawLine(QPointF(plot.left(), to_px(0, y).y()), QPointF(plot.right(), to_px(0, y).y()))
        painter.restore()
        if panel is not None:
            self._paint_checkin_panel(painter, panel, x_ticks, ink, plot.center().y())

        # The axes: lines, ticks, labels (thinned out when they would touch), titles.
        painter.setPen(QPen(QColor(AXIS_COLOUR), 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        painter.setPen(ink)
        x_gap = to_px(self._x_step, 0).x() - to_px(0, 0).x()
        widest = max(fm.horizontalAdvance(_label(x)) for x in x_ticks or [0.0])
        x_every = max(1, math.ceil((widest + 10) / max(x_gap, 1.0)))
        label_top = lowest.bottom() + TICK + 2
        for x in x_ticks:
            px = to_px(x, 0).x()
            painter.setPen(QPen(QColor(AXIS_COLOUR), 1))
            painter.drawLine(QPointF(px, lowest.bottom()), QPointF(px, lowest.bottom() + TICK))
            if round(x / self._x_step) % x_every == 0:
                painter.setPen(ink)
                painter.drawText(QRectF(px - 40, label_top, 80, fm.height()), Qt.AlignmentFlag.AlignCenter, _label(x))
        y_gap = to_px(0, 0).y() - to_px(0, self._y_step).y()
        y_every = max(1, math.ceil((fm.height() + 2) / max(y_gap, 1.0)))
        for y in y_ticks:
            py = to_px(0, y).y()
            painter.setPen(QPen(QColor(AXIS_COLOUR), 1))
            painter.drawLine(QPointF(plot.left() - TICK, py), QPointF(plot.left(), py))
            if round(y / self._y_step) % y_every == 0:
                painter.setPen(ink)
                painter.drawText(QRectF(0, py - fm.height() / 2, plot.left() - TICK - 2, fm.height()),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, _label(y))
        title_font = self._title_font()
        title_h = QFontMetrics(title_font).height()
        painter.setFont(title_font)
        painter.setPen(ink)
        painter.drawText(QRectF(plot.left(), self.height() - PAD - title_h, plot.width(), title_h),
                         Qt.AlignmentFlag.AlignCenter, "Hours since admission")
        painter.save()
        painter.translate(PAD, plot.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-plot.height() / 2, 0, plot.height(), title_h), Qt.AlignmentFlag.AlignCenter, "Score")
        painter.restore()
        painter.setFont(self.font())

        # The lines and their markers, then the doses, over the bands.
        _lines(painter, self._series, to_px, COLOURS, SHAPES)
        if panel is not None:
            _lines(painter, self._checkin_series, self._mapper(panel, CHECKIN_RANGE), CHECKIN_COLOURS,
                   CHECKIN_SHAPES)
        if self._dose_hours:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(QColor(DOSE_COLOUR)))
            for h in self._dose_hours:
                _marker(painter, "triangle", to_px(h, DOSE_SCORE), DOSE_SIZE)

        # The legend, right of the plot and centred on it (within the widget on a small screen).
        entries = self._legend()
        if entries:
            row = self._legend_row(fm)
            x = plot.right() + 18
            middle = plot.united(lowest).center().y()
            y = max(0.0, min(middle - row * len(entries) / 2, self.height() - row * len(entries)))
            for name, shape, colour_name in entries:
                mid = QPointF(x + 12, y + row / 2)
                if shape == "checkins":  # each series' marker then its name, on one row
                    for part, at in self._checkin_legend(fm, colour_name.split(",")):
                        painter.setPen(Qt.PenStyle.NoPen)
                        painter.setBrush(QBrush(QColor(CHECKIN_COLOURS[part])))
                        _marker(painter, CHECKIN_SHAPES[part], QPointF(x + at, mid.y()), MARKER_SIZE)
                        painter.setPen(ink)
                        painter.drawText(QRectF(x + at + MARKER_SIZE / 2 + 4, y, self.width(), row),
                                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                         CHECKIN_TITLES[part])
                    y += row
                    continue
                colour = QColor(colour_name)
                # The sample on the plot's own background: seen as on the plot in a dark theme too.
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QBrush(QColor(PLOT_BACKGROUND)))
                painter.drawRoundedRect(QRectF(x - 2, mid.y() - 8, 28, 16), 3, 3)
                if shape == "band":
                    painter.setPen(QPen(QColor(GRID_COLOUR), 1))
                    painter.setBrush(QBrush(colour))
                    painter.drawRect(QRectF(x + 3, mid.y() - 6, 18, 12))
                elif shape == "triangle":
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(QBrush(colour))
                    _marker(painter, shape, mid, DOSE_SIZE)
                else:
                    painter.setPen(QPen(colour, 2))
                    painter.drawLine(QPointF(x, mid.y()), QPointF(x + 24, mid.y()))
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(QBrush(colour))
                    _marker(painter, shape, mid, MARKER_SIZE)
                painter.setPen(ink)
                painter.drawText(QRectF(x + 30, y, self.width() - x - 30, row),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
                y += row
        painter.end()

    def _paint_checkin_panel(self, painter: QPainter, panel: QRectF, x_ticks: list[float], ink: QColor,
                             scores_middle: float) -> None:
        """The check-in panel under the scores: white, the grid at 0, 5 and 10, its axis lines,
        its values and its title ("0–10", left out where it would run into the scores' title,
        centred at ``scores_middle``), on the scores' time axis."""
        to_px = self._mapper(panel, CHECKIN_RANGE)
        fm = self.fontMetrics()
        painter.fillRect(panel, QColor(PLOT_BACKGROUND))
        painter.setPen(QPen(GRID_COLOUR, 1))
        for x in x_ticks:
            painter.drawLine(QPointF(to_px(x, 0).x(), panel.top()), QPointF(to_px(x, 0).x(), panel.bottom()))
        for y in (0.0, 5.0, 10.0):
            painter.drawLine(QPointF(panel.left(), to_px(0, y).y()), QPointF(panel.right(), to_px(0, y).y()))
        painter.setPen(QPen(QColor(AXIS_COLOUR), 1))
        painter.drawLine(panel.bottomLeft(), panel.bottomRight())
        painter.drawLine(panel.bottomLeft(), panel.topLeft())
        labelled = (0.0, 10.0) if to_px(0, 0).y() - to_px(0, 5).y() < fm.height() else (0.0, 5.0, 10.0)
        for y in (0.0, 5.0, 10.0):
            py = to_px(0, y).y()
            painter.setPen(QPen(QColor(AXIS_COLOUR), 1))
            painter.drawLine(QPointF(panel.left() - TICK, py), QPointF(panel.left(), py))
            if y in labelled:
                painter.setPen(ink)
                painter.drawText(QRectF(0, py - fm.height() / 2, panel.left() - TICK - 2, fm.height()),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, _label(y))
        title_font = self._title_font()
        title_fm = QFontMetrics(title_font)
        title = "0\u201310"
        if (title_fm.horizontalAdvance("Score") + title_fm.horizontalAdvance(title)) / 2 + title_fm.height() \
                > panel.center().y() - scores_middle:  # read as one title: leave it to the ticks
            return
        painter.save()
        painter.setFont(title_font)
        painter.setPen(ink)
        painter.translate(PAD, panel.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-panel.height() / 2 - 20, 0, panel.height() + 40, title_fm.height()),
                         Qt.AlignmentFlag.AlignCenter, title)
        painter.restore()

    # ---- hover -----------------------------------------------------------------------------
    def point_text(self, instrument_id: str, hours: float) -> str:
        """The hover text of the point nearest ``hours`` on an instrument's line."""
        points = self._points.get(instrument_id) or []
        if not points:
            return ""
        p = min(points, key=lambda p: abs(self._hours(p.at) - hours))
        return f"{get_instrument(p.instrument_id).short_title} {p.total} at {_local(p.at)}"

    def dose_text(self, hours: float) -> str:
        if not self._doses:
            return ""
        d = min(self._doses, key=lambda d: abs(self._hours(d.at) - hours))
        return f"{d.text} given {_local(d.at)}"

    def hover_text(self, pos: QPointF) -> str:
        """What the tooltip says with the mouse at ``pos`` (widget pixels): the nearest point or
        dose within a few pixels, else nothing."""
        plot, panel = self._panels()
        to_px = self._mapper(plot)
        best: tuple[float, str, float] | None = None  # (distance, series or "doses", hours)
        candidates = [(iid, to_px(x, y), x) for iid, points in self._series.items() for x, y in points]
        candidates += [("doses", to_px(h, DOSE_SCORE), h) for h in self._dose_hours]
        if panel is not None:
            in_panel = self._mapper(panel, CHECKIN_RANGE)
            candidates += [(part, in_panel(x, y), x) for part, points in self._checkin_series.items()
                           for x, y in points]
        for iid, at, x in candidates:
            distance = math.hypot(at.x() - pos.x(), at.y() - pos.y())
            if distance <= HOVER_PX and (best is None or distance < best[0]):
                best = (distance, iid, x)
        if best is None:
            return ""
        if best[1] == "doses":
            return self.dose_text(best[2])
        if best[1] in CHECKIN_COLOURS:
            return self.checkin_text(best[1], best[2])
        return self.point_text(best[1], best[2])

    def checkin_text(self, part: str, hours: float) -> str:
        """The hover text of the check-in nearest ``hours`` on a part's line: "Craving 8/10 at …"."""
        points = self._checkins.get(part) or []
        if not points:
            return ""
        c = min(points, key=lambda c: abs(self._hours(c.at) - hours))
        return f"{CHECKIN_TITLES[part]} {c.value}/10 at {_local(c.at)}"

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        text = self.hover_text(event.position())
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        QToolTip.hideText()
        super().leaveEvent(event)


def _lines(painter: QPainter, series: dict[str, list[tuple[float, float]]],
           to_px: Callable[[float, float], QPointF], colours: dict[str, str], shapes: dict[str, str]) -> None:
    """Each series as a line of its colour with its markers, in (hours, value) mapped by ``to_px``
    (dashed for the series in :data:`DASHED`)."""
    for name, points in series.items():
        colour = QColor(colours.get(name, "#333333"))
        pen = QPen(colour, 2)
        if name in DASHED:
            pen.setStyle(Qt.PenStyle.DashLine)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        mapped = [to_px(x, y) for x, y in points]
        # In pieces: one long zigzag polyline is stroked as one self-crossing path, which
        # takes ~50 ms for 300 points; pieces of 8 segments take ~4 (round caps join them).
        for start in range(0, max(1, len(mapped) - 1), LINE_PIECE):
            painter.drawPolyline(QPolygonF(mapped[start:start + LINE_PIECE + 1]))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colour))
        shape = shapes.get(name, "circle")
        for at in mapped:
            _marker(painter, shape, at, MARKER_SIZE)


def _marker(painter: QPainter, shape: str, at: QPointF, size: float) -> None:
    """A filled marker of ``size`` pixels centred on ``at`` (pen and brush as set)."""
    r = size / 2
    x, y = at.x(), at.y()
    if shape == "square":
        r *= 0.9  # a square looks larger than a circle of the same width
        painter.drawRect(QRectF(x - r, y - r, 2 * r, 2 * r))
    elif shape == "diamond":
        r *= 1.15
        painter.drawPolygon(QPolygonF([QPointF(x, y - r), QPointF(x + r, y), QPointF(x, y + r), QPointF(x - r, y)]))
    elif shape == "triangle":
        painter.drawPolygon(QPolygonF([QPointF(x, y - r), QPointF(x + r, y + r * 0.8), QPointF(x - r, y + r * 0.8)]))
    elif shape == "triangle_down":
        painter.drawPolygon(QPolygonF([QPointF(x, y + r), QPointF(x + r, y - r * 0.8), QPointF(x - r, y - r * 0.8)]))
    else:
        painter.drawEllipse(at, r, r)
