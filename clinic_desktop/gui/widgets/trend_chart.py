"""The withdrawal trend over a stay: COWS and SOWS totals against hours since admission, the
COWS severity bands shaded behind them, and the doses given marked along the time axis.

Plain data in (``TrendPoint``s, ``DoseMark``s); hovering a point shows its value and time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCharts import (
    QAreaSeries,
    QChart,
    QChartView,
    QLegend,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
    QXYSeries,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QPainter, QPen
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


@dataclass(frozen=True)
class TrendPoint:
    instrument_id: str  # cows | sows_gossop | sows_handelsman
    at: dt.datetime
    total: int


@dataclass(frozen=True)
class DoseMark:
    at: dt.datetime
    text: str  # "Lofexidine 0.54 mg"


def _local(when: dt.datetime) -> str:
    return clock.local_text(when, "%d %b %H:%M")


class TrendChart(QChartView):
    """The chart of one episode; ``show_trend()`` replaces what it shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trendChart")
        self.setAccessibleName("Withdrawal trend")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(140)  # fits a 1024×600 screen beside the flowsheet table
        self._admitted: dt.datetime | None = None
        self._points: dict[str, list[TrendPoint]] = {}
        self._doses: list[DoseMark] = []
        chart = QChart()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setBackgroundRoundness(0)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)  # the height is the plot's
        # The legend draws each series' own marker: ▲ for the doses, as on the chart.
        chart.legend().setMarkerShape(QLegend.MarkerShape.MarkerShapeFromSeries)
        self.setChart(chart)

    # ---- what is shown (for tests and the flowsheet) ---------------------------------------
    def series_points(self, instrument_id: str) -> list[tuple[float, float]]:
        """The (hours since admission, total) points drawn for an instrument."""
        for series in self.chart().series():
            if isinstance(series, QXYSeries) and series.property("instrument") == instrument_id:
                return [(p.x(), p.y()) for p in series.points()]
        return []

    # ---- building --------------------------------------------------------------------------
    def _hours(self, when: dt.datetime) -> float:
        assert self._admitted is not None
        return round((when - self._admitted).total_seconds() / 3600, 2)

    def show_trend(self, admitted_at: dt.datetime, points: Sequence[TrendPoint],
                   doses: Sequence[DoseMark] = (), now: dt.datetime | None = None) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self._admitted = admitted_at
        self._points = {}
        for p in sorted(points, key=lambda p: p.at):
            self._points.setdefault(p.instrument_id, []).append(p)
        self._doses = sorted(doses, key=lambda d: d.at)

        times = [p.at for p in points] + [d.at for d in doses]
        x_min = min([0.0] + [self._hours(t) for t in times])  # a score before admission, entered late
        x_max = max(24.0, max(self._hours(t) for t in times + [now or admitted_at]) + 2)
        y_max = max([48] + [get_instrument(iid).max_total for iid in self._points])
        x_axis = QValueAxis()
        x_axis.setRange(x_min - EDGE_HOURS, x_max)  # a point at admission drawn whole, not halved
        x_axis.setTitleText("Hours since admission")
        x_axis.setLabelFormat("%d")
        x_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        x_axis.setTickAnchor(0)
        x_axis.setTickInterval(12 if x_max <= 120 else 24)
        y_axis = QValueAxis()
        y_axis.setRange(-EDGE_SCORE, y_max + EDGE_SCORE)  # a score of 0 (or the top) drawn whole
        y_axis.setTitleText("Score")  # short: the plot keeps its height on a small screen
        y_axis.setLabelFormat("%d")
        y_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        y_axis.setTickAnchor(0)
        y_axis.setTickInterval(y_max / 4 if y_max == 48 else y_max / 8)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)

        for band in get_instrument("cows").bands:  # shaded behind everything
            lower, upper = QLineSeries(), QLineSeries()
            for x in (x_min - EDGE_HOURS, x_max):
                lower.append(x, band.low - 0.5)
                upper.append(x, band.high + 0.5)
            area = QAreaSeries(upper, lower)
            upper.setParent(area)  # the area does not own its boundary lines
            lower.setParent(area)
            area.setName(f"COWS {band.label}")
            area.setProperty("instrument", f"band:{band.id}")
            area.setBrush(QBrush(QColor(BAND_COLOURS.get(band.id, "#eeeeee"))))
            area.setPen(QPen(Qt.PenStyle.NoPen))
            self._attach(area, x_axis, y_axis)
            chart.legend().markers(area)[0].setVisible(False)

        for iid, series_points in self._points.items():
            line = QLineSeries()
            line.setName(get_instrument(iid).short_title)
            line.setProperty("instrument", iid)
            line.setPen(QPen(QColor(COLOURS.get(iid, "#333333")), 2))
            line.setPointsVisible(True)
            for p in series_points:
                line.append(self._hours(p.at), p.total)
            line.hovered.connect(lambda point, state, iid=iid: self._hover_point(iid, point, state))
            self._attach(line, x_axis, y_axis)

        if self._doses:
            marks = QScatterSeries()
            marks.setName("Dose given")
            marks.setProperty("instrument", "doses")
            marks.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeTriangle)
            marks.setMarkerSize(11)
            marks.setColor(QColor(DOSE_COLOUR))
            marks.setBorderColor(QColor(DOSE_COLOUR))
            for d in self._doses:
                marks.append(self._hours(d.at), 0.8)
            marks.hovered.connect(self._hover_dose)
            self._attach(marks, x_axis, y_axis)

    def _attach(self, series, x_axis: QValueAxis, y_axis: QValueAxis) -> None:
        self.chart().addSeries(series)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)

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

    def _hover_point(self, instrument_id: str, point: QPointF, state: bool) -> None:
        QToolTip.showText(QCursor.pos(), self.point_text(instrument_id, point.x()) if state else "", self)

    def _hover_dose(self, point: QPointF, state: bool) -> None:
        QToolTip.showText(QCursor.pos(), self.dose_text(point.x()) if state else "", self)
