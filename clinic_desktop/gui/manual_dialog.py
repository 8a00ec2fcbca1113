"""Help → User manual (F1): the manual shipped in ``resources/manual/``, one Markdown page per
screen, with a page list and a search box.

Typing anywhere in the dialog searches: the page list keeps only the pages that mention the words,
the words are highlighted on the page shown, and Enter finds the next one (on to the next page that
mentions them). F1 on a screen opens the page of that screen (``CONTEXT_PAGES``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QImageReader,
    QKeyEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextImageFormat,
)
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop import paths
from clinic_desktop.gui.widgets.dialog_base import GeometryDialog

#: The widest a screenshot is shown, in pixels (it keeps its proportions).
IMAGE_WIDTH = 640

#: The page F1 opens from each window, by the window's class name; any other window opens the first
#: page (the contents).
CONTEXT_PAGES = {
    "LoginDialog": "signing-in",  # and the lock, which signs in again
    "MainWindow": "census",
    "PatientDialog": "new-patient",
    "IntakeScreen": "assessment",
    "StabilizationScreen": "stabilization",
    "PatientFactsDialog": "stabilization",
    "PlanScreen": "aftercare-plan",
    "DirectoryDialog": "directory",
    "UsersDialog": "administration",
    "ClinicSettingsDialog": "administration",
    "ProtocolSettingsDialog": "administration",
    "CheckInstallationDialog": "administration",
}


def manual_dir() -> Path:
    return paths.resource("manual")


@dataclass(frozen=True)
class ManualPage:
    """One page: ``03-new-patient.md`` is page ``new-patient``, titled by its first heading."""

    id: str
    title: str
    path: Path
    text: str  # the words a reader sees (no Markdown), for the search

    @property
    def images(self) -> list[str]:
        """The image files the page shows, relative to the manual's folder."""
        return re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", self.path.read_text(encoding="utf-8"))


@cache
def manual_pages() -> tuple[ManualPage, ...]:
    """The pages in order of their file names."""
    pages = []
    for path in sorted(manual_dir().glob("*.md")):
        markdown = path.read_text(encoding="utf-8")
        title = next((line[2:].strip() for line in markdown.splitlines() if line.startswith("# ")),
                     path.stem)
        document = QTextDocument()
        document.setMarkdown(re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown))
        pages.append(ManualPage(id=path.stem.split("-", 1)[-1], title=title, path=path,
                                text=document.toPlainText()))
    return tuple(pages)


def page_for(window: QWidget | None) -> str | None:
    """The manual page for ``window`` (or the window it was opened from), if it has one."""
    while window is not None:
        page = CONTEXT_PAGES.get(type(window).__name__)
        if page is not None:
            return page
        window = window.parentWidget()
    return None


class ManualDialog(GeometryDialog):
    """The user manual: pages on the left, the page on the right, search above."""

    def __init__(self, parent: QWidget | None = None, page: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("User manual — Clinic Desktop")
        self.setAccessibleName("User manual")
        self.setModal(False)
        self.resize(1000, 720)
        self.pages = manual_pages()

        self.search_edit = QLineEdit()
        self.search_edit.setAccessibleName("Search the manual")
        self.search_edit.setPlaceholderText("Search the manual (Enter finds the next)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_status = QLabel()
        self.search_status.setAccessibleName("Search result")
        self.search_status.setProperty("role", "hint")
        search_label = QLabel("&Search:")
        search_label.setBuddy(self.search_edit)

        self.page_list = QListWidget()
        self.page_list.setAccessibleName("Pages")
        for manual_page in self.pages:
            item = QListWidgetItem(manual_page.title)
            item.setData(Qt.ItemDataRole.UserRole, manual_page.id)
            self.page_list.addItem(item)
        self.page_list.setMinimumWidth(200)
        self.page_list.setSpacing(3)

        self.browser = QTextBrowser()
        # Tab leaves the page (it would go from link to link first: a long walk); the page list
        # and the search box reach every page by keyboard.
        self.browser.setTabChangesFocus(True)
        self.browser.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction
                                             & ~Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.browser.setAccessibleName("Manual page")
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(True)
        self.browser.setSearchPaths([str(manual_dir())])

        splitter = QSplitter()
        splitter.addWidget(self.page_list)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 780])

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)

        search_row = QHBoxLayout()
        search_row.addWidget(search_label)
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.search_status)
        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.setTabOrder(self.search_edit, self.page_list)
        self.setTabOrder(self.page_list, self.browser)
        self.setTabOrder(self.browser, close)

        self.page_list.currentItemChanged.connect(self._page_chosen)
        self.browser.sourceChanged.connect(self._source_changed)
        self.search_edit.textChanged.connect(self._search_changed)
        self.search_edit.returnPressed.connect(self.find_next)
        for widget in (self.page_list, self.browser):
            widget.installEventFilter(self)
        self.show_page(page)
        self.search_edit.setFocus()

    # --- pages -----------------------------------------------------------------------------------
    def current_page(self) -> str | None:
        item = self.page_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def show_page(self, page: str | None) -> None:
        """Show page ``page`` (an id such as ``census``), or the first page."""
        ids = [p.id for p in self.pages]
        row = ids.index(page) if page in ids else 0
        if self.page_list.item(row) is not None and self.page_list.item(row).isHidden():
            self.search_edit.clear()
        self.page_list.setCurrentRow(row)

    def _page_chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        path = self._page(item.data(Qt.ItemDataRole.UserRole)).path
        if self.browser.source() != QUrl.fromLocalFile(str(path)):
            self.browser.setSource(QUrl.fromLocalFile(str(path)))

    def _source_changed(self, url: QUrl) -> None:
        """A page shown (chosen in the list or by a link on another page): fit its screenshots,
        select it in the list and highlight what is searched for."""
        self._fit_images()
        shown = Path(url.toLocalFile()).name
        for row, manual_page in enumerate(self.pages):
            if manual_page.path.name == shown and self.page_list.currentRow() != row:
                self.page_list.setCurrentRow(row)
        self._highlight()

    def _page(self, page_id: str) -> ManualPage:
        return next(p for p in self.pages if p.id == page_id)

    def _fit_images(self) -> None:
        """Screenshots narrower than the page: no wider than ``IMAGE_WIDTH``, proportions kept."""
        images = []
        block = self.browser.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.isValid() and fragment.charFormat().isImageFormat():
                    images.append((fragment.position(), fragment.length(),
                                   fragment.charFormat().toImageFormat()))
                it += 1
            block = block.next()
        for position, length, image_format in images:
            self._fit_image(position, length, image_format)

    def _fit_image(self, position: int, length: int, image_format: QTextImageFormat) -> None:
        size = QImageReader(str(manual_dir() / image_format.name())).size()
        if not size.isValid() or size.width() <= IMAGE_WIDTH:
            return
        image_format.setWidth(IMAGE_WIDTH)
        image_format.setHeight(size.height() * IMAGE_WIDTH / size.width())
        cursor = QTextCursor(self.browser.document())
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(image_format)

    # --- search ----------------------------------------------------------------------------------
    def query(self) -> str:
        return self.search_edit.text().strip()

    def matching_pages(self, query: str) -> list[str]:
        words = query.casefold().split()
        return [p.id for p in self.pages if all(w in p.text.casefold() for w in words)]

    def _search_changed(self, _text: str) -> None:
        query = self.query()
        matching = self.matching_pages(query) if query else [p.id for p in self.pages]
        for row, manual_page in enumerate(self.pages):
            self.page_list.item(row).setHidden(manual_page.id not in matching)
        if not query:
            self.search_status.setText("")
        elif not matching:
            self.search_status.setText("No page mentions it")
        else:
            self.search_status.setText(f"{len(matching)} page{'s' if len(matching) != 1 else ''}")
        if matching and self.current_page() not in matching:
            self.page_list.setCurrentRow([p.id for p in self.pages].index(matching[0]))
        else:
            self._highlight()

    def _highlight(self) -> None:
        """Every place the searched words appear on the page, highlighted."""
        selections = []
        words = self.query().split()
        highlight = QTextCharFormat()
        highlight.setBackground(QColor("#ffe066"))
        highlight.setForeground(QColor("#000000"))
        document = self.browser.document()
        for word in words:
            cursor = document.find(word)
            while not cursor.isNull():
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format = highlight
                selections.append(selection)
                cursor = document.find(word, cursor)
        self.browser.setExtraSelections(selections)
        self.browser.setTextCursor(QTextCursor(document))

    def find_next(self) -> bool:
        """Enter in the search box: the next place the first word appears, on this page or the
        next page that mentions the words (round to the first); False when none does."""
        query = self.query()
        if not query:
            return False
        word = query.split()[0]
        if self.browser.find(word):
            return True
        matching = self.matching_pages(query)
        if not matching:
            return False
        ids = [p.id for p in self.pages]
        current = self.current_page()
        here = ids.index(current) if current in ids else -1
        later = [p for p in matching if ids.index(p) > here] or matching
        self.page_list.setCurrentRow(ids.index(later[0]))
        self.browser.setTextCursor(QTextCursor(self.browser.document()))
        return self.browser.find(word)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Typing a letter in the page list or on the page goes to the search box."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            text = event.text()
            plain = not (event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
                         & ~Qt.KeyboardModifier.KeypadModifier)
            if plain and text and text.isprintable() and not text.isspace():
                self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
                self.search_edit.insert(text)
                return True
        return super().eventFilter(watched, event)


_shown: list[ManualDialog] = []  # the manual open now, if any (one at a time)


def show_manual(window: QWidget | None, page: str | None = None) -> ManualDialog:
    """F1 or Help → User manual in ``window``: the manual over that window, at the page of that
    window (or ``page``). It stays open beside the window; F1 again brings it back to that page."""
    if isinstance(window, ManualDialog):
        window.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return window
    page = page or page_for(window)
    open_now = [d for d in _shown if shiboken6.isValid(d) and d.isVisible()]
    _shown.clear()
    for dialog in open_now:
        if dialog.parentWidget() is window:
            dialog.show_page(page)
            _shown.append(dialog)
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        dialog.close()
    dialog = ManualDialog(window, page)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _shown.append(dialog)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
