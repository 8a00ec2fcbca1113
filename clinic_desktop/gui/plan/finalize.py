"""Print and finalize: the language, paper and print size; what is still missing before
finalizing; Preview…, Finalize…, Discharge…; the finalized versions and Print version."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from clinic_desktop.core import clock
from clinic_desktop.core import plan as plan_rules
from clinic_desktop.core.services import directory, plans
from clinic_desktop.gui.plan.section import Section
from clinic_desktop.gui.widgets.empty_note import EmptyNote
from clinic_desktop.gui.widgets.style import make_primary
from clinic_desktop.reports import i18n


class FinalizeSection(Section):
    name = "finalize"

    def build(self, title: str) -> QWidget:
        screen = self.screen
        page, inner = self.page(title)
        form = self.form()
        self.language = QComboBox()
        for code in i18n.languages():
            self.language.addItem(directory.LANGUAGES.get(code, code), code)
        self.add_row(form, "Language", self.language)
        self.page_size = QComboBox()
        for code, label in plan_rules.PAGE_SIZES.items():
            self.page_size.addItem(label, code)
        self.add_row(form, "Page size", self.page_size)
        self.large_print = QCheckBox("Large print")
        self.large_print.setAccessibleName(self.large_print.text())
        self.watch(self.large_print)
        form.addRow("", self.large_print)
        inner.addLayout(form)
        self.missing_label = QLabel("Missing before finalizing (double-click to go there):")
        self.missing_label.setProperty("role", "heading")
        inner.addWidget(self.missing_label)
        self.missing_list = QListWidget()
        self.missing_list.setAccessibleName("Missing before finalizing")
        self.missing_list.setMaximumHeight(130)
        self.missing_list.itemActivated.connect(
            lambda item: screen.go_to(item.data(Qt.ItemDataRole.UserRole)))
        inner.addWidget(self.missing_list)
        self.recommended = self.note("")
        self.recommended.setAccessibleName("Recommended before finalizing")
        self.recommended.setVisible(False)
        inner.addWidget(self.recommended)
        preview = QPushButton("Preview\u2026")
        preview.clicked.connect(screen.preview)
        self.finalize_button = finalize = QPushButton("Finalize\u2026")
        finalize.clicked.connect(screen.request_finalize)
        make_primary(finalize)
        discharge = QPushButton("Discharge\u2026")
        discharge.clicked.connect(screen.request_discharge)
        inner.addLayout(self.buttons(preview, finalize, right=discharge))
        inner.addWidget(self.heading("Finalized versions"))
        self.version_list = QListWidget()
        self.version_list.setAccessibleName("Versions")
        self.version_list.setMinimumHeight(80)
        self.version_list.currentRowChanged.connect(self._version_chosen)
        self.versions_empty = EmptyNote(
            self.version_list.model(), "No finalized versions yet — Finalize… above makes "
            "version 1, the one to print and hand to the patient.", "Versions empty", page)
        inner.addWidget(self.versions_empty)
        inner.addWidget(self.version_list, 1)
        self.print_version_button = QPushButton("Print version")
        self.print_version_button.setEnabled(False)
        self.print_version_button.clicked.connect(self.print_version)
        inner.addLayout(self.buttons(self.print_version_button))
        return page

    # ---- settings ----------------------------------------------------------------------------
    def load(self, view) -> None:
        index = self.language.findData(view.language)
        if index < 0:
            self.language.addItem(view.language, view.language)
            index = self.language.count() - 1
        self.language.setCurrentIndex(index)
        self.page_size.setCurrentIndex(max(0, self.page_size.findData(view.page_size)))
        self.large_print.setChecked(view.large_print)
        self.show_versions(view.versions)

    def settings(self) -> tuple[str, str, bool]:
        """(language, page size, large print) as chosen."""
        return (self.language.currentData(), self.page_size.currentData(),
                self.large_print.isChecked())

    # ---- what is missing ---------------------------------------------------------------------
    def show_missing(self, missing: Mapping[str, str], section_label: Callable[[str], str]) -> None:
        """The list of ``missing`` items, each headed by its section's label."""
        self.missing_list.clear()
        for key, message in missing.items():
            section = section_label(key)
            item = QListWidgetItem(f"{section}: {message}" if section else message)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip("Double-click (or Enter) to go there")
            self.missing_list.addItem(item)
        self.missing_label.setVisible(bool(missing))
        self.missing_list.setVisible(bool(missing))

    def show_recommended(self, recommended: Mapping[str, str]) -> None:
        """What the plan should still have but finalizing does not need (an obstetric referral)."""
        self.recommended.setText("\n".join(recommended.values()))
        self.recommended.setVisible(bool(recommended))

    def lead_to_missing(self) -> None:
        """The cursor on the first missing item (after a refused finalize)."""
        if self.missing_list.count():
            self.missing_list.setCurrentRow(0)
        self.missing_list.setFocus()

    # ---- versions ----------------------------------------------------------------------------
    def show_versions(self, versions) -> None:
        """One row per language of each version, newest first: the patient's copy, then the
        record's English."""
        self.version_list.clear()
        for v in reversed(list(versions)):
            size = plan_rules.PAGE_SIZES.get(v.page_size, v.page_size)
            when = clock.local_text(v.finalized_at, "%Y-%m-%d %H:%M")
            for language in v.languages or (v.language,):
                copy = "" if len(v.languages) < 2 else (
                    " (patient's copy)" if language == v.language else " (record copy)")
                item = QListWidgetItem(f"Version {v.number} \u2014 {when} by {v.finalized_by_name} "
                                       f"\u2014 {directory.LANGUAGES.get(language, language)}{copy}, {size}"
                                       + (", large print" if v.large_print else ""))
                item.setData(Qt.ItemDataRole.UserRole, (v.number, language, bool(copy)))
                self.version_list.addItem(item)
        if self.version_list.count():
            self.version_list.setCurrentRow(0)
        self._version_chosen(self.version_list.currentRow())

    def _version_chosen(self, row: int) -> None:
        item = self.version_list.item(row) if row >= 0 else None
        chosen = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.print_version_button.setEnabled(chosen is not None)
        if chosen is None:
            self.print_version_button.setText("Print version")
            return
        number, language, several = chosen
        which = f" ({directory.LANGUAGES.get(language, language)})" if several else ""
        self.print_version_button.setText(f"Print version {number}{which}")

    def print_version(self) -> None:
        item = self.version_list.currentItem()
        if item is None:
            return
        number, language, _ = item.data(Qt.ItemDataRole.UserRole)
        screen = self.screen
        db, user, plan_id = screen.db, screen.user, screen.plan_id
        screen.render_document(lambda: plans.version_pdf(db, user, plan_id, number, language),
                               f"Aftercare plan \u2014 version {number} ({directory.LANGUAGES.get(language, language)})",
                               f"{screen.file_stem()}-v{number}-{language}.pdf", failure_title="Not printed")
