"""The shell of a screen worked through section by section (the intake screen, the aftercare plan):
the patient banner, a conflict banner, the section list on the left and one page per section on
the right, Previous / Next section (Ctrl+PgUp / Ctrl+PgDown), Close, a draft status line, and
autosave a moment after the last change.

A subclass gives its sections as ``(name, label)`` pairs, builds each page in
``_build_page(name, label) -> QWidget`` (asking its object for that section) and calls
``_build_shell(sections)`` from its ``__init__``.
Pages are built when their section is first shown (``LAZY_PAGES``), or all at once. For autosave
it gives ``_snapshot()`` (what is typed, comparable with ``==``) and ``_store(snapshot)`` (the
service call; returns a view with ``version`` and ``saved_at``, raises ClinicError); it calls
``_changed`` when anything is edited. Hooks, all optional: ``_refresh_live()`` after each change,
``_section_built(name)``, ``_section_shown(name)``, ``_closing()``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import clock
from clinic_desktop.core.errors import AccountChanged, ClinicError, ConflictError
from clinic_desktop.gui.widgets.chip import Chip
from clinic_desktop.gui.widgets.dialog_base import GeometryDialog
from clinic_desktop.gui.widgets.patient_banner import PatientBanner
from clinic_desktop.gui.widgets.when_edit import WhenEdit

log = logging.getLogger(__name__)

AUTOSAVE_MS = 500


def no_default_buttons(widget: QWidget) -> None:
    """Enter in a field never presses a button of the screen."""
    for b in widget.findChildren(QPushButton):
        b.setAutoDefault(False)
        b.setDefault(False)


class SectionedScreen(GeometryDialog):
    """Banner, sections, pages, autosave: see the module's docstring."""

    draft_saved = Signal(int)  # the record's version after the save

    #: Build each page when its section is first shown (opening stays fast).
    LAZY_PAGES = True
    SECTION_LIST_WIDTH = 250
    #: What the conflict banner calls the record: "... until you reopen the <RECORD>."
    RECORD = "record"
    #: The audit trail's entity_type of the record (``live_changed`` knows another's save by it).
    ENTITY: str | None = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._read_only = False
        self._conflict = False
        self._account_refused = False  # the last save was refused: the account changed
        self._saved: Any = None  # the last snapshot saved (or loaded)
        self._built: set[str] = set()  # sections whose page exists
        self._fields: dict[str, QWidget] = {}
        self._contents: list[QWidget] = []
        self.version = 0
        self.allow_resizing()
        self.resize(1280, 720)
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_now)

    def _follow_idle_lock(self, parent: QWidget | None) -> None:
        """Save the draft when the main window's idle lock locks (``parent``: the main window,
        or the patient's tab in it the screen is built in)."""
        lock = getattr(parent.window(), "idle_lock", None) if parent is not None else None
        if lock is not None and hasattr(lock, "locked"):
            lock.locked.connect(self.save_now)

    # ---- the shell ---------------------------------------------------------------------------
    def _build_shell(self, sections: Sequence[tuple[str, str]], *, under_banner: Iterable[QWidget] = (),
                     status_widgets: Iterable[QWidget] = ()) -> None:
        """Banner (and ``under_banner``), conflict banner, section list and pages, bottom bar
        (draft status, ``status_widgets``, Previous / Next section, Close); then the first section."""
        self._sections = tuple(sections)
        self._section_labels = dict(self._sections)
        self.banner = PatientBanner()
        self.conflict_banner = QLabel()
        self.conflict_banner.setObjectName("conflictBanner")
        self.conflict_banner.setProperty("role", "warning")
        self.conflict_banner.setAccessibleName("Conflict")
        self.conflict_banner.setWordWrap(True)
        self.conflict_banner.setVisible(False)

        self.section_list = QListWidget()
        self.section_list.setObjectName("sectionList")
        self.section_list.setAccessibleName("Sections")
        self.section_list.setFixedWidth(self.SECTION_LIST_WIDTH)
        self.pages = QStackedWidget()
        self.pages.setObjectName("sectionPages")
        self._page_index: dict[str, int] = {}
        self._holders: dict[str, QVBoxLayout] = {}  # each section page's (empty until built) box
        self._building: QVBoxLayout | None = None  # the box of the page being built (see _page)
        for name, label in self._sections:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.section_list.addItem(item)
            self._page_index[name] = self.pages.count()
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            self._holders[name] = box
            self.pages.addWidget(holder)
        self.section_list.currentRowChanged.connect(self._show_section)

        self.draft_status = QLabel()
        self.draft_status.setAccessibleName("Draft status")
        self.draft_status.setProperty("role", "muted")
        self.state_chip = Chip("Record state")
        self.state_chip.show_state("DRAFT", "info")
        self.previous_button = QPushButton("Previous section")
        self.previous_button.setToolTip("Ctrl+PgUp")
        self.next_button = QPushButton("Next section")
        self.next_button.setToolTip("Ctrl+PgDown")
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("The draft is saved as you type; closing keeps it.")
        self.previous_button.clicked.connect(lambda: self.step_section(-1))
        self.next_button.clicked.connect(lambda: self.step_section(1))
        self.close_button.clicked.connect(self.reject)

        middle = QHBoxLayout()
        middle.setSpacing(10)
        middle.addWidget(self.section_list)
        middle.addWidget(self.pages, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.state_chip)
        bottom.addWidget(self.draft_status, 1)
        for widget in status_widgets:
            bottom.addWidget(widget)
        bottom.addWidget(self.previous_button)
        bottom.addWidget(self.next_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.banner)
        for widget in under_banner:
            layout.addWidget(widget)
        layout.addWidget(self.conflict_banner)
        layout.addLayout(middle, 1)
        layout.addLayout(bottom)
        for keys, step in (("Ctrl+PgDown", 1), ("Ctrl+PgUp", -1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setWhatsThis("Next section" if step > 0 else "Previous section")
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda s=step: self.step_section(s))
        no_default_buttons(self)
        if not self.LAZY_PAGES:
            for name, _label in self._sections:
                self._ensure(name)
        self.section_list.setCurrentRow(0)

    def _ensure(self, name: str) -> None:
        """Build the page of section ``name`` if it is not built yet."""
        if name in self._built:
            return
        holder = self._building = self._holders[name]
        try:
            page = self._build_page(name, self._section_labels[name])
        finally:
            self._building = None
        if page.parentWidget() is None:  # a page not made by _page
            holder.addWidget(page)
        no_default_buttons(page)
        self._built.add(name)
        self._section_built(name)

    def _build_page(self, name: str, label: str) -> QWidget:
        """The page of section ``name``, built by the subclass's object for that section."""
        raise NotImplementedError

    def _section_built(self, name: str) -> None:
        """Hook: the page of ``name`` was just built."""

    def _section_shown(self, name: str) -> None:
        """Hook: the page of ``name`` is now the one shown."""

    # ---- page parts --------------------------------------------------------------------------
    def _page(self, title: str, *, scroll: bool = True) -> tuple[QWidget, QVBoxLayout, QVBoxLayout]:
        """A page: its heading, then a (scrolling) content area. Returns (page, content layout,
        page layout).

        The page being built (``_ensure``) goes into its place first, and everything after into
        the page: each widget is styled once, as it is added, rather than again each time a part
        it is in joins a bigger one (a widget added to a parent restyles its whole subtree)."""
        page = QWidget()
        if self._building is not None:
            self._building.addWidget(page)
            self._building = None
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(title)
        heading.setProperty("role", "title")
        outer.addWidget(heading)
        content = QWidget()
        content.setObjectName("sectionContent")
        inner = QVBoxLayout(content)
        inner.setContentsMargins(2, 2, 12, 2)
        if scroll:
            area = QScrollArea()
            area.setWidgetResizable(True)
            area.setFrameShape(QFrame.Shape.NoFrame)
            area.setAccessibleName(title)  # a focus stop (to scroll by keyboard): named
            area.setWidget(content)
            outer.addWidget(area, 1)
        else:
            outer.addWidget(content, 1)
        self._contents.append(content)
        return page, inner, outer

    @staticmethod
    def _form() -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.setVerticalSpacing(8)
        return form

    def _add_row(self, form: QFormLayout, label: str, widget: QWidget, key: str | None = None) -> None:
        """A labelled row (the label is the input's accessible name); ``key`` names it for go_to."""
        if isinstance(widget, WhenEdit):
            widget.set_label(label)  # the name goes on its line edit
        else:
            widget.setAccessibleName(label)
        caption = QLabel(label)
        caption.setBuddy(widget.line if isinstance(widget, WhenEdit) else widget)
        form.addRow(caption, widget)
        if key:
            self._fields[key] = widget
        self._watch(widget)

    def _watch(self, widget: QWidget) -> None:
        """Any edit of ``widget`` counts as a change (autosave)."""
        if isinstance(widget, QCheckBox):
            widget.toggled.connect(self._changed)
        elif isinstance(widget, (QLineEdit, QPlainTextEdit)):
            widget.textChanged.connect(self._changed)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(self._changed)
        elif isinstance(widget, QSpinBox):
            widget.valueChanged.connect(self._changed)
        elif isinstance(widget, WhenEdit):
            widget.edited.connect(self._changed)

    @staticmethod
    def _text_box(height: int = 64) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setTabChangesFocus(True)
        box.setFixedHeight(height)
        return box

    # ---- moving between sections ---------------------------------------------------------------
    def _show_section(self, index: int) -> None:
        if index < 0:
            return
        name = self._sections[index][0]
        self._ensure(name)
        self.pages.setCurrentIndex(index)
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < self.pages.count() - 1)
        self._section_shown(name)

    def show_section(self, name: str) -> None:
        self.section_list.setCurrentRow(self._page_index[name])

    def current_section(self) -> str:
        return self._sections[self.pages.currentIndex()][0]

    def step_section(self, step: int) -> None:
        """Previous / Next section, then the new page's first input."""
        index = self.section_list.currentRow() + step
        if 0 <= index < self.section_list.count():
            self.section_list.setCurrentRow(index)
            self._focus_first_input()

    def _focus_first_input(self) -> None:
        page = self.pages.currentWidget()
        if page is None:
            return
        for w in page.findChildren(QWidget):
            if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isEnabled() and w.isVisibleTo(page) \
                    and isinstance(w, (QLineEdit, QComboBox, QAbstractButton, QAbstractSpinBox,
                                       QPlainTextEdit, QFrame)) and not isinstance(w, QScrollArea):
                if isinstance(w, QLineEdit) and w.isReadOnly():
                    continue
                w.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return

    # ---- autosave ----------------------------------------------------------------------------
    def _snapshot(self) -> Any:
        """What is typed now, comparable with ``==`` to what was saved."""
        raise NotImplementedError

    def _store(self, snapshot: Any) -> Any:
        """Save ``snapshot`` through the service; returns a view with ``version`` and ``saved_at``."""
        raise NotImplementedError

    def _refresh_live(self) -> None:
        """Hook: after each change (live scores, what is missing)."""

    def _changed(self, *_args) -> None:
        if self._loading:
            return
        self._refresh_live()
        if not self._read_only and not self._conflict:
            self._autosave.start()
            self.draft_status.setText("Draft: changes not saved yet\u2026")

    def save_now(self) -> bool:
        """Save the draft now if anything changed; False if it could not be saved."""
        self._autosave.stop()
        if self._read_only or self._conflict:
            return False
        snapshot = self._snapshot()
        if snapshot == self._saved:
            return True
        try:
            saved = self._store(snapshot)
        except ConflictError as exc:
            self._show_conflict(str(exc))
            return False
        except AccountChanged as exc:  # deactivated or role changed meanwhile: say so, keep everything
            self._show_account_changed(str(exc))
            log.warning("draft of %s %s not saved: %s", self.RECORD, self._record_id(), type(exc).__name__)
            return False
        except ClinicError as exc:
            self.draft_status.setText(f"Draft NOT saved: {exc}")
            log.warning("draft of %s %s not saved: %s", self.RECORD, self._record_id(), type(exc).__name__)
            return False
        self.version = saved.version
        self._saved = snapshot
        if self._account_refused:  # reactivated (or the role given back) meanwhile
            self._account_refused = False
            self.conflict_banner.setVisible(False)
            self.state_chip.show_state("DRAFT", "info")
        self.draft_status.setText(f"Draft saved {clock.local_text(saved.saved_at, '%H:%M:%S')}")
        self.draft_saved.emit(saved.version)
        return True

    def save_before_leaving(self) -> str | None:
        """Save the draft now, before its author signs out: why what was typed could not be kept
        (a staff message), or None (saved, nothing to save, or read-only)."""
        if self._read_only:
            return None
        if self._conflict:
            if self._snapshot() == self._saved:
                return None
            return "another workstation saved it meanwhile"
        if self.save_now():
            return None
        return self.draft_status.text().removeprefix("Draft NOT saved: ") or "it could not be saved"

    def _record_id(self) -> Any:
        """The id the log names (never a name or an MRN)."""
        return None

    def live_changed(self, notices: list) -> None:
        """Another workstation committed a change to this very record (``gui.live_updates``):
        what is on screen is no longer the record, so the conflict banner says so now rather than
        at the next autosave. Reads, prints and this workstation's own saves change nothing."""
        if self.ENTITY is None or self._read_only or self._conflict:
            return
        mine = str(self._record_id())
        for notice in notices:
            if (not notice.mine and notice.entity_type == self.ENTITY and notice.entity_id == mine
                    and not notice.action.endswith((".created", ".started"))):
                at = clock.local(clock.now()).strftime("%H:%M")
                self._show_conflict(f"Another workstation changed this {self.RECORD} at {at}.")
                return

    def _show_conflict(self, message: str) -> None:
        self._conflict = True
        self._show_not_saved(f"{message} Autosave is off until you reopen the {self.RECORD}.",
                             "conflict with another workstation")

    def _show_account_changed(self, message: str) -> None:
        """The account was deactivated, or its role changed to one that may not save this, on
        some workstation: the banner says so; everything typed stays, and autosave keeps trying
        (an administrator may reactivate the account)."""
        self._account_refused = True
        self._show_not_saved(message, "your account changed")

    def _show_not_saved(self, banner: str, why: str) -> None:
        """The banner above the sections, the draft status and the chip: the last save did not land."""
        self.conflict_banner.setText(banner)
        self.conflict_banner.setVisible(True)
        self.draft_status.setText(f"Draft NOT saved: {why}")
        self.state_chip.show_state("NOT SAVED", "alert")

    def _closing(self) -> None:
        """Hook: the screen closes (after the last save)."""

    def done(self, result: int) -> None:
        self.save_now()
        self._closing()
        super().done(result)
