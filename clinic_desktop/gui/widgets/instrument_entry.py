"""Keyboard-first entry of any rating instrument (COWS, SOWS, OOWS, PHQ-9, GAD-7, CIWA-Ar).

Built in code from the instrument's data (``clinic_desktop.core.instruments``)::

    entry = InstrumentEntry("cows")
    entry.score_changed.connect(show_live_total)   # a core ``Score``, after every change
    entry.focus_first()
    ...
    services.stabilization.record_observation(user, episode_id, "cows", entry.items(), taken_at)

One row per item: the item's label (its help as tooltip) and one checkable button per allowed
score, "score — anchor". The row itself takes the keyboard focus (accessible name = the item's
label): typing an allowed score's digit chooses it and moves to the next item, so a whole COWS is
11 key presses; a digit the item does not allow is refused with a red message next to the item
and the focus stays. Backspace/Delete clears the item, Up/Down (and Tab/Shift+Tab) move between
items, Home/End go to the first/last item, Left/Right walk the item's score buttons, where Space
chooses and Enter chooses and moves on. The mouse works too.

The live result ("Total", at the bottom) shows the total with its band only when every item is
answered, otherwise the partial total and how many items are missing (an instrument banded by its
answers, the ASQ, shows only its result). An item asked only after another's answer (the ASQ's
question 5) is disabled, and cleared, while it is not asked; the keyboard skips it. The widget never touches the
database: the caller saves ``items()`` through a service.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping

from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core.instruments import Instrument, Item, Score, get_instrument
from clinic_desktop.gui import theme
from clinic_desktop.gui.widgets.reveal import reveal
from clinic_desktop.gui.widgets.style import repolish

__all__ = ["InstrumentEntry", "refusal_message", "short_label", "total_text"]

RATER_TEXT = {
    "clinician": "Clinician-rated",
    "patient": "Patient self-report",
    "observer": "Observer-rated",
}

KEYBOARD_HINT = (
    "Keyboard: type a score's number to choose it and go to the next item · Backspace clears "
    "an item · ↑ ↓ move between items · ← → move between scores, Space chooses one"
)

#: Narrowest a score button may get before a row's buttons wrap onto a second line.
MIN_BUTTON_EM = 8.5

# Only what app.qss has no convention for: the item rows, the score buttons and the total.



def short_label(label: str) -> str:
    """The item's label without its qualifiers, for messages: "Resting pulse rate (after sitting
    or lying 1 min)" → "Resting pulse rate", "GI upset, past ½ h" → "GI upset"."""
    return re.split(r" \(|, | — |\? ", label, maxsplit=1)[0].strip() or label


def _or_list(numbers: list[int]) -> str:
    words = [str(n) for n in sorted(numbers)]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def refusal_message(item: Item, digit: int) -> str:
    """"3 is not a score for Resting pulse rate: choose 0, 1, 2 or 4"."""
    return (f"{digit} is not a score for {short_label(item.label)}: "
            f"choose {_or_list(list(item.allowed_scores))}")


def total_text(score: Score, instrument: Instrument | None = None) -> str:
    """"Total 14 — moderate", "Total 3 — no active withdrawal",
    "Total 9 so far — incomplete: 2 items missing". An incomplete score never shows a band.
    An instrument banded by its answers (the ASQ) has no meaningful total: "Result — negative
    screen", "Result so far — incomplete: 1 item missing"."""
    if instrument is not None and instrument.band_rule is not None:
        if not score.complete:
            return f"Result so far \u2014 {score.status_text}"
        return f"Result \u2014 {score.status_text}" if score.status_text else "Result"
    if not score.complete:
        return f"Total {score.total} so far — {score.status_text}"
    text = f"Total {score.total}"
    if score.status_text:
        text += f" — {score.status_text}"
    if instrument is not None and score.band is not None:
        note = next((b.note for b in instrument.bands if b.id == score.band), "")
        if note:
            text += f" ({note})"
    return text


def _digit(event: QKeyEvent) -> int | None:
    """The digit a key press types (main row or keypad), or None."""
    if event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                            | Qt.KeyboardModifier.MetaModifier):
        return None
    text = event.text()
    if len(text) == 1 and "0" <= text <= "9":
        return int(text)
    key = event.key()
    if Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
        return key - Qt.Key.Key_0
    return None


class _ScoreButton(QPushButton):
    """A checkable button showing "score — anchor", the score in bold and the anchor wrapped
    beside it. Painted by the button itself (a rich-text QLabel in each of a scale's dozens of
    buttons made a section's first view slow). Focus is by mouse or arrow keys, never Tab: Tab
    goes from item to item."""

    MARGINS = (8, 6, 8, 6)  # left, top, right, bottom
    POINT_SIZE = 9.5

    def __init__(self, row: _ItemRow, score: int, anchor: str) -> None:
        super().__init__(row)
        self.row = row
        self.score = score
        self.setObjectName("scoreButton")
        self.setCheckable(True)
        self.setAutoDefault(False)
        self.setDefault(False)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAccessibleName(f"{row.item.label}: {score}")
        self.setAccessibleDescription(anchor)
        self.setToolTip(f"{score} — {anchor}")
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setMinimumWidth(40)
        self.number = str(score)
        self.anchor = f"\u00a0\u2014 {anchor}"

    def _fonts(self) -> tuple[QFont, QFont]:
        text = QFont(self.font())
        text.setPointSizeF(self.POINT_SIZE)
        bold = QFont(text)
        bold.setBold(True)
        return text, bold

    def _text_size(self, width: int | None) -> QSize:
        """The size of the bold score and the anchor wrapped in ``width`` (None: on one line)."""
        text, bold = self._fonts()
        number = QFontMetrics(bold).horizontalAdvance(self.number)
        metrics = QFontMetrics(text)
        if width is None:
            return QSize(number + metrics.horizontalAdvance(self.anchor), metrics.height())
        box = metrics.boundingRect(QRect(0, 0, max(1, width - number), 100_000),
                                   int(Qt.TextFlag.TextWordWrap), self.anchor)
        return QSize(number + box.width(), max(box.height(), metrics.height()))

    # The size comes from the wrapped text, not from QPushButton's (empty) text.
    def sizeHint(self) -> QSize:
        left, top, right, bottom = self.MARGINS
        size = self._text_size(None)
        return QSize(size.width() + left + right, size.height() + top + bottom)

    def minimumSizeHint(self) -> QSize:
        return QSize(40, self._text_size(None).height() + self.MARGINS[1] + self.MARGINS[3])

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        left, top, right, bottom = self.MARGINS
        return self._text_size(width - left - right).height() + top + bottom

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)  # the frame and background, as the style sheet says
        left, top, right, bottom = self.MARGINS
        area = self.rect().adjusted(left, top, -right, -bottom)
        text, bold = self._fonts()
        size = self._text_size(area.width())
        y = area.top() + max(0, (area.height() - size.height()) // 2)
        painter = QPainter(self)
        ink = "disabled_ink" if not self.isEnabled() else "on_accent" if self.isChecked() else "ink"
        painter.setPen(theme.colour(ink))
        painter.setFont(bold)
        number = QFontMetrics(bold).horizontalAdvance(self.number)
        painter.drawText(QRect(area.left(), y, number, size.height()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), self.number)
        painter.setFont(text)
        painter.drawText(QRect(area.left() + number, y, area.width() - number, size.height()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap),
                         self.anchor)
        painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.row.step_button(self, -1 if key == Qt.Key.Key_Left else 1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.row.entry._choose(self.row, self.score, advance=True)
        elif key == Qt.Key.Key_Space:
            self.row.entry._choose(self.row, self.score, advance=False)
        elif not self.row.handle_key(event):
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space:  # chosen on press; no second click on release
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.row.set_current(True)
        reveal(self, 16)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.row.set_current(self.row.has_focus_inside())


class _ItemRow(QFrame):
    """One item: a focusable frame holding its label, score buttons and refusal message."""

    def __init__(self, entry: InstrumentEntry, number: int, item: Item) -> None:
        super().__init__(entry)
        self.entry = entry
        self.item = item
        self.setObjectName("instrumentItem")
        self.setProperty("item_id", item.id)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(item.label)
        self.setAccessibleDescription("not answered")
        if item.help:
            self.setToolTip(item.help)

        self.label = QLabel(f"{number}.&nbsp;{html.escape(item.label)}", self)
        self.label.setObjectName("itemLabel")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        if item.help:
            self.label.setToolTip(item.help)

        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[_ScoreButton] = []
        for score, anchor in item.options:
            button = _ScoreButton(self, score, anchor)
            self.group.addButton(button, score)
            self.buttons.append(button)
        self.group.idClicked.connect(self._clicked)
        self._value: int | None = None

        self.message = QLabel(self)
        self.message.setObjectName("itemMessage")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(f"{item.label} error")
        self.message.setVisible(False)

        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(6)
        self._columns = 0
        self._lay_out_buttons(len(self.buttons))

        self._box = layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 7, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addLayout(self.grid)
        layout.addWidget(self.message)

    # -- layout: the buttons share the row's width equally and wrap when it gets narrow --------

    def _lay_out_buttons(self, columns: int) -> None:
        if columns == self._columns:
            return
        for button in self.buttons:
            self.grid.removeWidget(button)
        for column in range(max(columns, self._columns)):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        for index, button in enumerate(self.buttons):
            self.grid.addWidget(button, index // columns, index % columns)
        self._columns = columns

    def _columns_for(self, width: int) -> int:
        count = len(self.buttons)
        narrowest = int(self.fontMetrics().averageCharWidth() * 2 * MIN_BUTTON_EM)
        fit = max(1, min(count, (width + 6) // (narrowest + 6)))
        lines = math.ceil(count / fit)
        return math.ceil(count / lines)  # balanced: 8 buttons in 2 lines of 4, not 6 + 2

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        margins = self._box.contentsMargins()
        columns = self._columns_for(event.size().width() - margins.left() - margins.right())
        if columns != self._columns:
            # Not inside the resize itself: the new grid changes the row's height for its width.
            QTimer.singleShot(0, self, lambda: self._lay_out_buttons(columns))

    # -- state --------------------------------------------------------------------------------

    def value(self) -> int | None:
        return self._value

    def set_value(self, score: int | None) -> None:
        self._value = score
        if score is None:
            self.group.setExclusive(False)
            for button in self.buttons:
                button.setChecked(False)
            self.group.setExclusive(True)
            self.setAccessibleDescription("not answered")
        else:
            self.group.button(score).setChecked(True)
            self.setAccessibleDescription(f"{score} — {self.item.anchor(score)}")
        self.hide_refusal()

    def show_refusal(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)
        self.setAccessibleDescription(text)
        if self.property("refused") is not True:
            self.setProperty("refused", True)
            repolish(self)
        # Once the layout has made room for the message, scroll it into view.
        QTimer.singleShot(0, self, self._reveal_message)

    def _reveal_message(self) -> None:
        if self.message.isVisible():
            reveal(self.message, 16)

    def hide_refusal(self) -> None:
        if self.message.isVisible():
            self.message.clear()
            self.message.setVisible(False)
        if self.property("refused"):
            self.setProperty("refused", False)
            repolish(self)

    def set_current(self, current: bool) -> None:
        if bool(self.property("current")) != current:
            self.setProperty("current", current)
            repolish(self)

    def has_focus_inside(self) -> bool:
        return self.hasFocus() or any(b.hasFocus() for b in self.buttons)

    # -- keyboard -----------------------------------------------------------------------------

    def handle_key(self, event: QKeyEvent) -> bool:
        """The keys an item answers wherever in it the focus is; True if handled."""
        digit = _digit(event)
        key = event.key()
        if digit is not None:
            self.entry._type_digit(self, digit)
        elif key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.entry._choose(self, None, advance=False)
        elif key == Qt.Key.Key_Up:
            self.entry._move_focus(self, -1)
        elif key == Qt.Key.Key_Down:
            self.entry._move_focus(self, 1)
        elif key == Qt.Key.Key_Home:
            self.entry._focus_row(self.entry._rows[0])
        elif key == Qt.Key.Key_End:
            self.entry._focus_row([row for row in self.entry._rows if row.isEnabled()][-1])
        else:
            return False
        return True

    def step_button(self, button: _ScoreButton, step: int) -> None:
        index = self.buttons.index(button) + step
        if 0 <= index < len(self.buttons):
            self.buttons[index].setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            chosen = self.group.checkedButton()
            target = chosen or self.buttons[0 if key == Qt.Key.Key_Right else -1]
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        elif not self.handle_key(event):
            super().keyPressEvent(event)
            return
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.set_current(True)
        reveal(self, 16)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.set_current(self.has_focus_inside())

    def _clicked(self, score: int) -> None:
        self.entry._choose(self, score, advance=False)


class InstrumentEntry(QWidget):
    """Entry of one instrument's items; emits ``score_changed`` with the new ``Score``.

    ``instrument`` is an instrument id ("cows", "ciwa_ar", ...) or an ``Instrument`` (e.g. CIWA-Ar
    with a clinic's configured bands via ``with_bands``). Holds answers only; saves nothing.
    """

    score_changed = Signal(object)

    def __init__(self, instrument_id: str | Instrument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.instrument: Instrument = (
            instrument_id if isinstance(instrument_id, Instrument)
            else get_instrument(instrument_id)
        )
        self.setObjectName("instrumentEntry")
        instrument = self.instrument

        self.title_label = QLabel(instrument.title, self)
        self.title_label.setObjectName("instrumentTitle")
        self.title_label.setProperty("role", "heading")
        self.title_label.setWordWrap(True)

        n = len(instrument.items)
        meta = [RATER_TEXT.get(instrument.rater, instrument.rater),
                f"timeframe: {instrument.timeframe}",
                f"{n} items" if instrument.band_rule is not None
                else f"{n} items, total {instrument.min_total}–{instrument.max_total}"]
        self.meta_label = QLabel(" · ".join(meta), self)
        self.meta_label.setObjectName("instrumentMeta")
        self.meta_label.setWordWrap(True)

        self.instructions_label = QLabel(instrument.instructions, self)
        self.instructions_label.setObjectName("instrumentInstructions")
        self.instructions_label.setWordWrap(True)

        self.hint_label = QLabel(KEYBOARD_HINT, self)
        self.hint_label.setObjectName("keyboardHint")
        self.hint_label.setWordWrap(True)

        self._rows: list[_ItemRow] = [
            _ItemRow(self, number, item) for number, item in enumerate(instrument.items, 1)
        ]
        self._by_id = {row.item.id: row for row in self._rows}

        self.total_label = QLabel(self)
        self.total_label.setObjectName("instrumentTotal")
        self.total_label.setAccessibleName("Total")
        self.total_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 8, 4)
        layout.setSpacing(6)
        self._header = QVBoxLayout()
        header = self._header
        header.setSpacing(2)
        header.addWidget(self.title_label)
        header.addWidget(self.meta_label)
        header.addSpacing(2)
        header.addWidget(self.instructions_label)
        header.addWidget(self.hint_label)
        layout.addLayout(header)
        layout.addSpacing(4)
        for row in self._rows:
            layout.addWidget(row)
        self._total_box = QHBoxLayout()
        self._total_box.setContentsMargins(2, 6, 2, 0)
        self._total_box.addWidget(self.total_label)
        layout.addLayout(self._total_box)
        layout.addStretch(1)

        # Focusing the entry (setFocus, a buddy) focuses its first item.
        self.setFocusProxy(self._rows[0])
        self._show_asked()
        self._score = instrument.score({})
        self._show_total()

    # -- public API ---------------------------------------------------------------------------

    def items(self) -> dict[str, int]:
        """The answered items, ``{item id: score}``, in instrument order (never an item that is
        not asked)."""
        return {row.item.id: v for row in self._rows
                if row.isEnabled() and (v := row.value()) is not None}

    def set_items(self, mapping: Mapping[str, int | None]) -> None:
        """Show these answers (absent or ``None`` = unanswered), replacing any shown.

        Raises ``ValueError`` for an unknown item or a score the item does not allow.
        """
        self.instrument.score(mapping)  # validates every id and score before changing anything
        for row in self._rows:
            row.set_value(mapping.get(row.item.id))
        self._show_asked()
        self._changed()

    def clear(self) -> None:
        """Unanswer every item and hide any message."""
        for row in self._rows:
            row.set_value(None)
        self._changed()

    def score(self) -> Score:
        """The current score (incomplete while any item is unanswered)."""
        return self._score

    def focus_first(self) -> None:
        """Put the keyboard focus on the first item."""
        self._focus_row(self._rows[0])

    def focus_item(self, item_id: str) -> None:
        """Put the keyboard focus on the item ``item_id`` (``ValueError`` if there is none)."""
        self.instrument.item(item_id)
        self._focus_row(self._by_id[item_id])

    def take_header(self) -> QWidget:
        """Remove the title, the instructions and the keyboard hint from the top of the entry and
        return them in one widget, so that a host can place them above its scroll area: scrolling
        to the item with the keyboard never cuts the instructions at the scroll area's edge."""
        header = QWidget()
        header.setObjectName("instrumentHeader")
        box = QVBoxLayout(header)
        box.setContentsMargins(2, 0, 8, 0)
        box.setSpacing(2)
        for label in (self.title_label, self.meta_label, self.instructions_label, self.hint_label):
            self._header.removeWidget(label)
            box.addWidget(label)
        return header

    def take_total_label(self) -> QLabel:
        """Remove the live "Total" label from the bottom of the entry and return it, so that a
        host can place it outside its scroll area (always in view). It keeps updating."""
        self._total_box.removeWidget(self.total_label)
        return self.total_label

    # -- behaviour ----------------------------------------------------------------------------

    def _type_digit(self, row: _ItemRow, digit: int) -> None:
        if digit in row.item.allowed_scores:
            self._choose(row, digit, advance=True)
        else:
            row.show_refusal(refusal_message(row.item, digit))

    def _choose(self, row: _ItemRow, score: int | None, *, advance: bool) -> None:
        if score != row.value():
            row.set_value(score)
            self._changed()
        else:
            row.set_value(score)  # re-check after a click on the chosen button; hide any message
        if advance:
            self._move_focus(row, 1)

    def _move_focus(self, row: _ItemRow, step: int) -> None:
        index = self._rows.index(row) + step
        while 0 <= index < len(self._rows) and not self._rows[index].isEnabled():
            index += step  # an item not asked is skipped
        if 0 <= index < len(self._rows):
            self._focus_row(self._rows[index])
        elif not row.hasFocus():
            self._focus_row(row)  # from a score button back to its item at either end

    def _focus_row(self, row: _ItemRow) -> None:
        row.setFocus(Qt.FocusReason.OtherFocusReason)
        reveal(row, 16)

    def _show_asked(self) -> None:
        """Enable the items asked given the answers; clear and disable the others."""
        for row in self._rows:
            if not row.item.asked_when:
                continue
            asked = self.instrument.asked(row.item.id, self.items())
            if not asked and row.value() is not None:
                row.set_value(None)
            row.setEnabled(asked)
            if not asked:
                row.setAccessibleDescription("not asked")
            elif row.value() is None:
                row.setAccessibleDescription("not answered")

    def _changed(self) -> None:
        self._show_asked()
        self._score = self.instrument.score(self.items())
        self._show_total()
        self.score_changed.emit(self._score)

    def _show_total(self) -> None:
        score = self._score
        self.total_label.setText(total_text(score, self.instrument))
        self.total_label.setAccessibleDescription(
            "complete" if score.complete else f"{len(score.missing)} not answered")
        self.total_label.setProperty("complete", score.complete)
        repolish(self.total_label)
