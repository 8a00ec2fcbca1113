"""Patient → Group session…: one group session recorded for every patient who attended (issue
#16 item 3). Counselors (and administrators) record it: ``sessions.counsel``.

The attendees are ticked on the census of open episodes in stabilization and transition: type
in the filter box (name or MRN; the ticks stay when the filter changes), Down moves into the
list, Up and Down move in it, Space ticks the current patient, typing a letter there filters
again. One topic, the approaches, when it started and how long it lasted, the group's note, and
an optional short line for each ticked patient. Save checks the form, asks the password ("Sign
the group session") and calls :func:`core.services.support.record_group`: one transaction for
all, one entry on each attendee's record. The shared topic and note may not name an attendee,
nor a patient's line another attendee; when that is the only refusal, "It is not a name here —
save anyway" sends it again with the quoted words confirmed as not names. Nothing typed is lost
on a refusal or a wrong password.

The dialog shows names (staff are recording who attended); the saved records never show another
attendee's name. Nothing patient-identifying is logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import clock
from clinic_desktop.core import support as rules
from clinic_desktop.core.errors import ClinicError, ValidationError
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import episodes, support
from clinic_desktop.core.services.episodes import STAGE_LABELS, CensusRow
from clinic_desktop.core.text import fold
from clinic_desktop.core.vocab import OPEN_STAGES
from clinic_desktop.gui.operations import QueryOp, error_message
from clinic_desktop.gui.widgets.dialog_base import (
    AsksBeforeDiscarding,
    ContentScroll,
    DialogSlot,
    GeometryDialog,
    error_line,
)
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.permits import gate
from clinic_desktop.gui.widgets.sign_dialog import SignDialog
from clinic_desktop.gui.widgets.style import make_primary
from clinic_desktop.gui.widgets.when_edit import WhenEdit

log = logging.getLogger(__name__)

PERMISSION = "sessions.counsel"
SHORTCUT = "Ctrl+Shift+G"
NOT_A_NAME = "It is not a name here \u2014 save anyway"
#: The refusals of record_group that only say a word is an attendee's name (the word quoted).
_NAME_REFUSAL = re.compile(r"an attendee's name|another attendee's name")
_QUOTED = re.compile(r"\u201c([^\u201d]+)\u201d")
#: A line per patient: short (the core takes up to rules.TEXT_LIMIT; a line is a sentence).
LINE_LIMIT = 500


def attendees_text(count: int) -> str:
    return "No one ticked yet" if count == 0 else f"{count} attendee{'s' if count != 1 else ''}"


def name_words(errors: Mapping[str, str]) -> list[str] | None:
    """The quoted words, when every refusal in ``errors`` is only that a word is an attendee's
    name (the topic, the note or a line); else None."""
    if not errors:
        return None
    words: list[str] = []
    for key, message in errors.items():
        if not (key in ("topic", "note") or key.startswith("lines.")) or not _NAME_REFUSAL.search(message):
            return None
        words += [w for w in _QUOTED.findall(message) if w not in words]
    return words or None


class GroupSessionDialog(AsksBeforeDiscarding, GeometryDialog):
    """Tick the attendees, write the group's topic and note (and a line per patient), sign."""

    #: Emitted once saved: how many patients it was recorded for.
    saved = Signal(int)

    def __init__(self, db, user: SignedInUser, parent: QWidget | None = None, *,
                 census: Sequence[CensusRow] | None = None) -> None:
        super().__init__(parent)
        self.db, self.user = db, user
        self.setObjectName("groupSessionDialog")
        self.setWindowTitle("Group session")
        self._rows: list[CensusRow] = [
            r for r in (census if census is not None else episodes.census(db, user)) if r.stage in OPEN_STAGES]
        self._not_names: list[str] = []
        #: The password of the refusal the "not a name" offer answers (dropped once used or closed).
        self._sign_slot = DialogSlot()
        self._line_edits: dict[int, QLineEdit] = {}
        self._line_errors: dict[int, FieldErrors] = {}

        # ---- attendees (left) ---------------------------------------------------------------
        left = QVBoxLayout()
        heading = QLabel("&Attendees")
        heading.setProperty("role", "heading")
        self.filter = QLineEdit()
        self.filter.setAccessibleName("Filter attendees")
        self.filter.setPlaceholderText("Type a name or MRN")
        self.filter.setClearButtonEnabled(True)
        heading.setBuddy(self.filter)
        self.filter.textChanged.connect(self._apply_filter)
        self.filter.installEventFilter(self)
        self.attendees = QListWidget()
        self.attendees.setAccessibleName("Attendees")
        self.attendees.setToolTip("Space ticks the patient; type to filter")
        self.attendees.installEventFilter(self)
        self.attendees.setMinimumWidth(280)
        for row in self._rows:
            item = QListWidgetItem(f"{row.display_name} \u2014 {row.mrn} \u00b7 day {row.day_of_stay}")
            item.setToolTip(f"{STAGE_LABELS.get(row.stage, row.stage)}, day {row.day_of_stay} of the stay")
            item.setData(Qt.ItemDataRole.UserRole, row.episode_id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.attendees.addItem(item)
        self.attendees.itemChanged.connect(self._ticks_changed)
        self.count = QLabel(attendees_text(0))
        self.count.setAccessibleName("Attendee count")
        self.empty = QLabel("No patient is in stabilization or transition: no one can be ticked.")
        self.empty.setWordWrap(True)
        self.empty.setVisible(not self._rows)
        left.addWidget(heading)
        left.addWidget(self.filter)
        left.addWidget(self.empty)
        left.addWidget(self.attendees, 1)
        left.addWidget(self.count)

        # ---- the session (right) ------------------------------------------------------------
        self.form = form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.topic = QLineEdit()
        self.topic.setMaxLength(200)
        self._add_row(form, "&Topic", self.topic)
        self.approaches_box = QWidget()
        grid = QGridLayout(self.approaches_box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.approach_checks: dict[str, QCheckBox] = {}
        for n, (key, label) in enumerate(rules.APPROACHES.items()):
            box = QCheckBox(label)
            box.setAccessibleName(label)
            self.approach_checks[key] = box
            grid.addWidget(box, n // 2, n % 2)
        self.approaches_box.setFocusProxy(next(iter(self.approach_checks.values())))
        self._add_row(form, "Approaches", self.approaches_box)
        self.started = WhenEdit("Started at", kind="datetime")
        self.started.line.textChanged.connect(lambda _t: self._show_reason_row())
        caption = QLabel("&Started at")
        caption.setBuddy(self.started.line)
        form.addRow(caption, self.started)
        self.duration = QSpinBox()
        self.duration.setRange(0, rules.DURATION_RANGE[1])
        self.duration.setSpecialValueText("\u2014")  # 0: not entered yet
        self.duration.setSuffix(" min")
        self.duration.setAccessibleDescription("How long it lasted, in minutes")
        self._add_row(form, "&Duration", self.duration)
        self.reason = QLineEdit()
        self._add_row(form, "Why entered &late", self.reason)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setPlaceholderText("What the group did and talked about \u2014 no attendee's name: "
                                     "every attendee's record shows it")
        self.note.setMinimumHeight(90)
        self._add_row(form, "Group &note", self.note)
        self.lines_heading = QLabel("A line for each patient (optional; their own record only)")
        self.lines_heading.setProperty("role", "heading")
        self.lines_heading.setWordWrap(True)
        self.lines_form = QFormLayout()
        self.lines_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for row in self._rows:
            edit = QLineEdit()
            edit.setMaxLength(LINE_LIMIT)
            edit.setAccessibleName(f"Line for {row.display_name}")
            self._line_edits[row.episode_id] = edit
            caption = QLabel(row.display_name)
            caption.setBuddy(edit)
            self.lines_form.addRow(caption, edit)
            self.lines_form.setRowVisible(edit, False)
            self._line_errors[row.episode_id] = FieldErrors({"line": edit})
        self.lines_none = QLabel("Tick the patients who attended to write a line for one.")
        self.lines_none.setWordWrap(True)
        content = QWidget()
        right = QVBoxLayout(content)
        right.setContentsMargins(0, 0, 0, 0)
        right.addLayout(form)
        right.addWidget(self.lines_heading)
        right.addWidget(self.lines_none)
        right.addLayout(self.lines_form)
        right.addStretch(1)
        self.form_scroll = ContentScroll(content, "Group session form")

        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addWidget(self.form_scroll, 1)

        # ---- refusals and buttons -----------------------------------------------------------
        self.error = error_line()
        self.error.setAccessibleName("Group session error")
        self.not_a_name = QPushButton(NOT_A_NAME)
        self.not_a_name.setAccessibleName(NOT_A_NAME)
        self.not_a_name.setVisible(False)
        self.not_a_name.clicked.connect(self.save_anyway)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save\u2026", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setAccessibleName("Save")
        make_primary(self.save_button)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.not_a_name)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error)
        layout.addLayout(bottom)

        self._errors = FieldErrors({"attendees": self.attendees, "topic": self.topic,
                                    "approaches": self.approaches_box, "started_at": self.started,
                                    "duration_min": self.duration, "reason": self.reason,
                                    "note": self.note}, general=self.error)
        self._show_reason_row()
        self._ticks_changed()
        self.resize(940, 620)
        self.filter.setFocus()

    def _add_row(self, form: QFormLayout, label: str, widget: QWidget) -> QLabel:
        widget.setAccessibleName(label.replace("&", ""))
        caption = QLabel(label)
        caption.setBuddy(widget)
        form.addRow(caption, widget)
        return caption

    # ---- attendees ---------------------------------------------------------------------------
    def ticked(self) -> list[int]:
        """The ticked patients' episode ids, in the list's order (hidden by the filter or not)."""
        return [item.data(Qt.ItemDataRole.UserRole) for item in self._items()
                if item.checkState() == Qt.CheckState.Checked]

    def _items(self) -> list[QListWidgetItem]:
        return [item for i in range(self.attendees.count()) if (item := self.attendees.item(i)) is not None]

    def visible_rows(self) -> list[int]:
        return [i for i in range(self.attendees.count()) if not self.attendees.isRowHidden(i)]

    def _apply_filter(self, text: str) -> None:
        words = fold(text).split()
        for i, row in enumerate(self._rows):
            haystack = fold(f"{row.display_name} {row.mrn}")
            self.attendees.setRowHidden(i, not all(w in haystack for w in words))
        shown = self.visible_rows()
        current = self.attendees.currentRow()
        if shown and (current < 0 or current not in shown):
            self.attendees.setCurrentRow(shown[0])

    def _ticks_changed(self, *_args) -> None:
        ticked = set(self.ticked())
        self.count.setText(attendees_text(len(ticked)))
        for episode_id, edit in self._line_edits.items():
            on = episode_id in ticked
            if not on:
                self._line_errors[episode_id].clear()
            self.lines_form.setRowVisible(edit, on)
        self.lines_none.setVisible(not ticked)
        if ticked:
            self._errors.clear("attendees")

    def toggle_current(self) -> None:
        item = self.attendees.currentItem()
        if item is None or self.attendees.isRowHidden(self.attendees.row(item)):
            return
        item.setCheckState(Qt.CheckState.Unchecked if item.checkState() == Qt.CheckState.Checked
                           else Qt.CheckState.Checked)

    def _step(self, by: int) -> None:
        shown = self.visible_rows()
        if not shown:
            return
        current = self.attendees.currentRow()
        if current not in shown:
            self.attendees.setCurrentRow(shown[0])
            return
        index = max(0, min(len(shown) - 1, shown.index(current) + by))
        self.attendees.setCurrentRow(shown[index])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key, mods = event.key(), event.modifiers()
            if watched is self.filter and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self.attendees.setFocus(Qt.FocusReason.OtherFocusReason)
                if self.attendees.currentRow() not in self.visible_rows():
                    self._step(0)
                return True
            if watched is self.attendees:
                if key in (Qt.Key.Key_Space, Qt.Key.Key_Select) and not mods:
                    self.toggle_current()
                    return True
                if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and not mods:
                    self._step(1 if key == Qt.Key.Key_Down else -1)
                    return True
                typed = event.text()
                if typed and typed.isprintable() and not typed.isspace() and not (
                        mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)):
                    # typing in the list filters again: the filter box takes the keys from here
                    self.filter.setFocus(Qt.FocusReason.OtherFocusReason)
                    self.filter.setText(typed)
                    return True
        return super().eventFilter(watched, event)

    # ---- reading the form --------------------------------------------------------------------
    def _show_reason_row(self, *, refused: bool = False) -> None:
        """"Why entered late" only for a start more than a day ago (or once it was refused, or
        when something is written in it)."""
        start = self.started.datetime_value()
        late = start is not None and clock.now() - start > rules.LATE_ENTRY
        self.form.setRowVisible(self.reason, late or refused or bool(self.reason.text().strip()))

    def group_input(self, *, with_start: bool = True) -> rules.GroupInput:
        """What the form holds, as the service takes it (raises ValidationError for a start that
        cannot be read; ``with_start=False``: without the start)."""
        started: dt.datetime | None = None
        if with_start:
            started = self.started.read_datetime("started_at", required="Enter when it started.")
        ticked = set(self.ticked())
        lines = {e: edit.text() for e, edit in self._line_edits.items() if e in ticked and edit.text().strip()}
        return rules.GroupInput(
            topic=self.topic.text(), started_at=started, duration_min=self.duration.value() or None,
            approaches=[key for key, box in self.approach_checks.items() if box.isChecked()],
            note=self.note.toPlainText(), lines=lines, reason=self.reason.text())

    # ---- refusals ----------------------------------------------------------------------------
    def clear_errors(self) -> None:
        self._errors.clear()
        for errors in self._line_errors.values():
            errors.clear()
        self._show_offer(None)

    def show_errors(self, fields: Mapping[str, str]) -> None:
        """Each message next to its field (a patient's line under that line); the first bad
        field gets the focus. Only a refusal of names offers "It is not a name here"."""
        lines = {k: v for k, v in fields.items() if k.startswith("lines.")}
        others = {("" if k == "lines" else k): v for k, v in fields.items() if k not in lines}
        if "reason" in others:
            self._show_reason_row(refused=True)
        first = self._errors.show(others)
        for key, message in lines.items():
            try:
                episode_id = int(key.split(".", 1)[1])
            except ValueError:
                episode_id = -1
            errors = self._line_errors.get(episode_id)
            if errors is None:
                self._errors.show({**others, "": message})
                continue
            errors.set_error("line", message)
            if first is None:
                first = self._line_edits[episode_id]
                first.setFocus(Qt.FocusReason.OtherFocusReason)
                self.form_scroll.ensureWidgetVisible(first)

    def _show_offer(self, words: list[str] | None) -> None:
        self._offer_words = words or []
        self.not_a_name.setVisible(bool(words))
        if words:
            quoted = " and ".join(f"\u201c{w}\u201d" for w in words)
            self.not_a_name.setToolTip(f"Save with {quoted} kept: it is not used as a person's name here")

    # ---- saving ------------------------------------------------------------------------------
    def save(self) -> None:
        """Save…: check the form, then ask the password."""
        if self._sign_slot.dialog is not None:
            return
        self.clear_errors()
        errors: dict[str, str] = {}
        try:
            data = self.group_input()
        except ValidationError as exc:  # the start cannot be read: said with the rest
            errors.update(exc.fields)
            data = self.group_input(with_start=False)
        try:
            rules.check_group(data, self.ticked(), clock.now())
        except ValidationError as exc:
            errors = {**exc.fields, **errors}
        if errors:
            self.show_errors(errors)
            return
        count = len(self.ticked())
        dialog = SignDialog(self, title="Sign the group session", accept_text="Sign",
                            text=(f"Signing saves this session on the record of each of the {count} "
                                  f"attendee{'s' if count != 1 else ''}; it is corrected only by an "
                                  "addendum. Enter your password to sign."))
        dialog.submitted.connect(lambda password: self._record(password, dialog))
        self._sign_slot.open(dialog)

    def sign_dialog(self) -> SignDialog | None:
        dialog = self._sign_slot.dialog
        return dialog if isinstance(dialog, SignDialog) else None

    def save_anyway(self) -> None:
        """"It is not a name here — save anyway": the quoted words are kept, and the session is
        signed again — the password is asked again, never kept: the form may have been left open
        on a shared workstation since."""
        self._not_names += [w for w in self._offer_words if w not in self._not_names]
        self._show_offer(None)
        self.save()

    def _record(self, password: str, dialog: SignDialog) -> None:
        """The one place the group is recorded: off the GUI thread (the password hash)."""
        try:
            data = self.group_input()
        except ValidationError as exc:
            dialog.accept()
            self.show_errors(exc.fields)
            return
        db, user, attendees, not_names = self.db, self.user, self.ticked(), list(self._not_names)

        def record() -> list[support.SessionView]:
            return support.record_group(db, user, attendees, data, password, not_names=not_names)

        QueryOp(parent=self, op=record, what="group session",
                success=lambda saved: self._recorded(saved, dialog)) \
            .failure(lambda exc: self._refused(exc, dialog)) \
            .disabling(self.save_button, self.not_a_name, dialog.accept_button).run_in_background()

    def _refused(self, exc: BaseException, dialog: SignDialog) -> None:
        fields = dict(exc.fields) if isinstance(exc, ValidationError) else {}
        if "password" in fields:
            dialog.show_error(fields["password"])
            return
        dialog.accept()
        if isinstance(exc, ValidationError):
            self.show_errors(fields)
            words = name_words(fields)
            if words:
                self._show_offer(words)
        else:
            self.show_errors({"": error_message(exc)})

    def _recorded(self, saved: list[support.SessionView], dialog: SignDialog) -> None:
        dialog.accept()
        log.info("group session recorded for %d episodes", len(saved))
        self.saved.emit(len(saved))
        self.accept()

    def has_changes(self) -> bool:
        """A tick is a change too (Cancel asks "Discard changes?")."""
        return bool(self.ticked()) or super().has_changes()

def saved_message(count: int) -> str:
    return f"Group session saved for {count} patient{'s' if count != 1 else ''}"


def open_group_session(window: QMainWindow, db, user: SignedInUser, slot: DialogSlot,
                       after_save: Callable[[], object] | None = None) -> GroupSessionDialog | None:
    """Open the dialog over ``window`` (one at a time); once saved, the status bar says so."""
    if not user.can(PERMISSION):
        return None
    if slot.dialog is not None:
        slot.dialog.raise_()
        slot.dialog.activateWindow()
        return None
    try:
        dialog = GroupSessionDialog(db, user, window)
    except ClinicError as exc:
        window.statusBar().showMessage(f"Group session: {error_message(exc)}", 10000)
        return None

    def saved(count: int) -> None:
        window.statusBar().showMessage(saved_message(count), 10000)
        if after_save is not None:
            after_save()

    dialog.saved.connect(saved)
    slot.open(dialog)
    return dialog


def install_action(window: QMainWindow, db, user: SignedInUser, menu: QMenu, after: QAction,
                   after_save: Callable[[], object] | None = None) -> QAction:
    """The "Group session…" action (``Ctrl+Shift+G``) in ``menu`` after ``after``, greyed out
    (its tooltip saying who may) for those who do not record groups."""
    action = QAction("&Group session\u2026", window)
    action.setObjectName("actionGroupSession")
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setStatusTip("Record one group session for every patient who attended")
    gate(action, user, PERMISSION)  # greyed out for the others, saying who may
    slot = DialogSlot()
    action.triggered.connect(lambda: open_group_session(window, db, user, slot, after_save))
    actions = menu.actions()
    index = actions.index(after) + 1 if after in actions else len(actions)
    menu.insertAction(actions[index] if index < len(actions) else None, action)  # type: ignore[arg-type]
    return action


__all__ = ["NOT_A_NAME", "GroupSessionDialog", "attendees_text", "install_action", "name_words",
           "open_group_session", "saved_message"]
