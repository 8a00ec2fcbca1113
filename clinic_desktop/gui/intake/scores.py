"""Withdrawal scores: the baseline COWS, any other scale chosen under "Also score", and the
buprenorphine readiness the screen weighs from them (shown under the page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import protocols
from clinic_desktop.core.instruments import get_instrument
from clinic_desktop.gui.intake.section import CHOOSE, ScoredSection
from clinic_desktop.gui.widgets.instrument_entry import InstrumentEntry
from clinic_desktop.gui.widgets.prompt_card import PromptCard


class ScoresSection(ScoredSection):
    name = "scores"

    def __init__(self, screen) -> None:
        super().__init__(screen)
        self.extra_entries: dict[str, InstrumentEntry] = {}

    def build(self) -> QWidget:
        page, inner, outer = self.page()
        # The items and the readiness share the height through a splitter: on a small screen
        # the items keep most of it, and the nurse can drag the line. Laid out first, while the
        # items' scroll area is empty: moving it once full restyled every score button again.
        area = page.findChild(QScrollArea)
        assert area is not None, "a section page scrolls"
        index = outer.indexOf(area)
        outer.removeWidget(area)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("scoresSplitter")
        outer.insertWidget(index, splitter, 1)
        scores = QWidget()
        splitter.addWidget(scores)
        scores_box = QVBoxLayout(scores)
        scores_box.setContentsMargins(0, 0, 0, 0)
        scores_box.addWidget(area, 1)
        also = QHBoxLayout()
        scores_box.addLayout(also)
        scores.setMinimumHeight(160)
        readiness_area = QScrollArea()  # squeezed, the prompt scrolls; it never overlaps itself
        readiness_area.setObjectName("readinessArea")
        readiness_area.setAccessibleName("Buprenorphine readiness prompt")
        readiness_area.setWidgetResizable(True)
        readiness_area.setFrameShape(QFrame.Shape.NoFrame)
        readiness_area.setMinimumHeight(72)
        splitter.addWidget(readiness_area)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([3, 1])  # three quarters to the items (sizes are weights until shown)
        splitter.setChildrenCollapsible(False)

        self.cows_entry = InstrumentEntry("cows")
        self.cows_entry.setAccessibleName("COWS")
        self.cows_entry.score_changed.connect(lambda _score: self.scored("cows"))
        self.register("scores.cows", self.cows_entry)
        inner.addWidget(self.cows_entry)
        self.extra_box = QVBoxLayout()
        inner.addLayout(self.extra_box)
        inner.addStretch(1)

        also_label = QLabel("Also score:")
        self.also_score = QComboBox()
        self.also_score.setAccessibleName("Also score:")
        also_label.setBuddy(self.also_score)
        self.also_score.addItem(CHOOSE, None)
        for iid in rules.EXTRA_SCORES:
            self.also_score.addItem(get_instrument(iid).short_title, iid)
        self.also_score.activated.connect(self._also_score_chosen)
        cows_total = self.cows_entry.take_total_label()
        also.addWidget(cows_total, 1)
        also.addWidget(also_label)
        also.addWidget(self.also_score)

        self.readiness = PromptCard("Buprenorphine readiness")
        readiness_area.setWidget(self.readiness)
        return page

    def _also_score_chosen(self, _index: int) -> None:
        iid = self.also_score.currentData()
        self.also_score.setCurrentIndex(0)
        if iid:
            entry = self.add_extra_entry(iid)
            entry.focus_first()

    def add_extra_entry(self, iid: str, items: Mapping[str, int] | None = None) -> InstrumentEntry:
        entry = self.extra_entries.get(iid)
        if entry is None:
            entry = InstrumentEntry(iid)
            entry.setAccessibleName(get_instrument(iid).short_title)
            self.extra_entries[iid] = entry
            self.extra_box.addWidget(entry)
            entry.score_changed.connect(lambda _score, iid=iid: self.scored(iid))
            entry.setEnabled(not self.read_only)
            if not self.loading:
                self._update_also_score(self.screen.draft_data())
        if items:
            entry.set_items(items)
        return entry

    def _update_also_score(self, data: Mapping[str, Any]) -> None:
        alcohol = any(r.get("substance") == "alcohol" for r in data["substances"]["rows"])
        model = self.also_score.model()
        assert isinstance(model, QStandardItemModel)  # a combo box's own model
        for i in range(1, self.also_score.count()):
            iid = self.also_score.itemData(i)
            enabled = iid not in self.extra_entries and (iid != "ciwa_ar" or alcohol)
            model.item(i).setEnabled(enabled)

    def refresh(self, data: Mapping[str, Any], now: dt.datetime) -> None:
        self._update_also_score(data)

    def show_readiness(self, prompt: protocols.Prompt) -> None:
        self.readiness.show_prompt(prompt)

    def show_readiness_error(self, message: str) -> None:
        self.readiness.show_state("Buprenorphine readiness", "", "info", message, "")

    def load(self, data: Mapping[str, Any]) -> None:
        self.keep_times(data)
        self.cows_entry.set_items(data.get("cows") or {})
        for iid in rules.EXTRA_SCORES:
            if data.get(iid):
                self.add_extra_entry(iid, data[iid])

    def read(self) -> dict[str, Any]:
        out = {"cows": self.cows_entry.items()} | {iid: e.items() for iid, e in self.extra_entries.items()}
        return out | {"scored_at": self.times_scored(out)}
