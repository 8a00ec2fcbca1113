"""The administrator's decision-support thresholds (CLINICAL.md §3): one spin box per setting.

Built in code (no ``.ui``): the settings, their labels, ranges and groups come from
``clinic_desktop.core.settings`` (``PROTOCOL_GROUPS``), so a new threshold there appears here by
itself. **Save** sends only the changed keys to ``clinic_desktop.core.services.settings.update``,
which checks the role, validates (ranges and cross-field rules) and audits the change. Only
setting keys are logged, never their values.

Each field's visible label is its ``LABELS`` text without the drug (the group box says it); its
accessible name is the whole ``LABELS`` text, so a screen reader (and the tests) hear
"Lofexidine: hold if heart rate is below (beats/min)".
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core.formulary import DRUGS, Limit
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.settings import (
    DECIMAL_PLACES,
    DECIMAL_RANGES,
    DEFAULTS,
    LABELS,
    PROTOCOL_GROUPS,
    RANGES,
    UNIT_WORDS,
)
from clinic_desktop.gui.widgets import dialog_base
from clinic_desktop.gui.widgets.dialog_base import with_mnemonic
from clinic_desktop.gui.widgets.settings_page import (
    LABEL_WIDTH,
    SettingsDialog,
    lay_out_group,
    lay_out_spin_box,
)
from clinic_desktop.gui.widgets.style import repolish

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database

TITLE = "Protocol settings"
HINT = ("Decision support only: these thresholds change what the prompts say, never what the "
        "clinician decides.")
ABOUT = ("They apply to every workstation that uses this database. Only an administrator can "
         "change them, and each change is recorded in the audit log.")
READ_ONLY = "Only an administrator can change these settings."

#: The keyboard mnemonic of each group's title: "&" goes before this part (Alt+letter moves the
#: focus to the group's first field).
GROUP_MNEMONICS = {
    "Buprenorphine induction": "Buprenorphine",
    "Naltrexone": "Naltrexone",
    "Methadone": "Methadone",
    "Lofexidine holds": "Lofexidine",
    "Clonidine": "onidine",
    "Vitals and reassessment": "Vitals",
    "Usual dose range": "Usual",
}
#: The group shown as a table of drugs (lowest and largest single dose), under the two columns.
DOSE_RANGE = "Usual dose range"
#: What each group says under its fields: where the defaults come from (CLINICAL.md §3, §6).
GROUP_NOTES = {
    "Buprenorphine induction": (
        "Below these the prompt warns of precipitated withdrawal. After methadone 36–72\u00a0h "
        "(longer from higher doses). After fentanyl both starts the clinic allows are always "
        "shown. Day-1 totals are usually 8–16\u00a0mg; above 24\u00a0mg a day always warns "
        "(label)."),
    "Naltrexone": (
        "7–10 days after a short-acting opioid, up to 14 after methadone or buprenorphine; "
        "confirm by history, urine test and/or naloxone challenge."),
    "Methadone": (
        "Local policy defaults for the baseline QTc. The first-dose limits are not settings: "
        "above 50\u00a0mg needs a documented reason (42 CFR 8.12), above 30\u00a0mg or 40\u00a0mg "
        "on day 1 warns (label)."),
    "Lofexidine holds": (
        "Local policy defaults (the pivotal trial's criteria): the label sets no numbers. A hold "
        "is suggested when any vital sign is below its threshold."),
    "Clonidine": (
        "Off-label for withdrawal, so all local policy: 0.1–0.2\u00a0mg every 4–6\u00a0h, at "
        "most 1.2\u00a0mg a day (1000 micrograms = 1\u00a0mg)."),
    "Vitals and reassessment": (
        f"Local policy defaults: blood pressure and pulse within {DEFAULTS['alpha2_vitals_minutes']} "
        f"minutes before each lofexidine or clonidine dose; COWS every {DEFAULTS['cows_interval_hours']} "
        "hours while awake, more often during induction."),
    DOSE_RANGE: (
        "Local policy guard against a unit or decimal slip: above the largest single dose an order "
        "or a dose is refused; below the lowest it needs a reason. Values marked label are the "
        "drug's label and cannot be changed here."),
}
#: Which column each group goes in (two columns of groups fit a 1366×768 screen unscrolled).
COLUMNS: tuple[tuple[str, ...], ...] = (
    ("Buprenorphine induction", "Naltrexone", "Methadone"),
    ("Lofexidine holds", "Clonidine", "Vitals and reassessment"),
)


def field_text(key: str) -> str:
    """The visible label of a setting: its label without the "Drug: " its group box shows."""
    label = LABELS[key]
    _, sep, rest = label.partition(": ")
    return rest[:1].upper() + rest[1:] if sep else label


def number_text(key: str, value: float) -> str:
    """A setting's value as its field shows it: "12.5", "1.0" for a decimal setting, "200"."""
    return f"{float(value):.{DECIMAL_PLACES}f}" if key in DECIMAL_RANGES else str(int(value))


def default_note(key: str, value: float) -> str:
    """The grey text beside a field: "default 8", or "clinic setting (default 8)" once the value
    differs from the shipped default (as ``ProtocolSettings.source`` says)."""
    default = number_text(key, DEFAULTS[key])
    return f"default {default}" if value == DEFAULTS[key] else f"clinic setting (default {default})"


def setting_unit(key: str) -> str:
    """The unit written out of a dose setting's key ("mg", "micrograms")."""
    return UNIT_WORDS[key.rsplit("_", 1)[-1]]


def fixed_limit_text(limit: Limit | None, unit: str) -> str:
    """What the dose table shows for a limit that is not a setting of its group."""
    if limit is None:
        return "\u2014"
    if limit.setting is not None:
        group = next(name for name, keys in PROTOCOL_GROUPS if limit.setting in keys)
        return f"{limit.value:g} {unit} \u00b7 set under {group}"
    return f"{limit.value:g} {unit} \u00b7 {limit.source}"


class ProtocolSettingsDialog(SettingsDialog):
    """Every decision-support threshold in its group, with its shipped default beside it.

    **Restore defaults** fills the fields with the shipped defaults (nothing is saved until
    **Save**). After a successful save, ``settings_saved`` carries all the clinic settings as now
    stored, and the dialog accepts. A user without "settings.edit" sees the values read-only.
    """

    SAVED_LOG = "protocol settings saved: %s"

    def __init__(self, db: Database, user: SignedInUser, parent: QWidget | None = None) -> None:
        super().__init__(db, user, parent)
        self._editable = user.can("settings.edit")
        self.setWindowTitle(f"{TITLE} — Clinic Desktop")
        self.setAccessibleName(TITLE)
        self.setObjectName("ProtocolSettingsDialog")

        #: Each setting's spin box, in layout (and Tab) order.
        self.spin_boxes: dict[str, QSpinBox | QDoubleSpinBox] = {}
        #: The grey "default N" beside each spin box.
        self.notes: dict[str, QLabel] = {}
        #: Each group's box, by its title.
        self.groups: dict[str, QGroupBox] = {}

        title = QLabel(TITLE)
        title.setProperty("role", "title")
        hint = QLabel(HINT)
        hint.setObjectName("decisionSupportHint")
        hint.setAccessibleName("Decision support only")
        hint.setWordWrap(True)
        hint.setProperty("role", "heading")
        about = QLabel(ABOUT if self._editable else f"{ABOUT} {READ_ONLY}")
        about.setAccessibleName("About these settings")
        about.setWordWrap(True)
        about.setProperty("role", "hint")

        columns = QHBoxLayout()
        columns.setSpacing(16)
        placed = {name for column in COLUMNS for name in column}
        # A group added to PROTOCOL_GROUPS but not yet to COLUMNS goes in the shorter column.
        extra = tuple(name for name, _ in PROTOCOL_GROUPS if name not in placed)
        keys_of = dict(PROTOCOL_GROUPS)
        for number, column_groups in enumerate(COLUMNS):
            column = QVBoxLayout()
            column.setSpacing(10)
            names = column_groups + (extra if number == len(COLUMNS) - 1 else ())
            for name in names:
                if name in keys_of and name != DOSE_RANGE:
                    column.addWidget(self._make_group(name, keys_of[name]))
            column.addStretch(1)
            columns.addLayout(column, 1)
        panel = QVBoxLayout()
        panel.setSpacing(10)
        panel.addLayout(columns)
        if DOSE_RANGE in keys_of:
            panel.addWidget(self._make_dose_table(keys_of[DOSE_RANGE]))

        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setAccessibleName("Error")
        self.error_label.setWordWrap(True)
        self.error_label.setProperty("role", "error")
        self.error_label.setVisible(False)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.RestoreDefaults | QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Cancel)
        self.setup_buttons(buttons)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.button_box = buttons

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(about)
        # The groups scroll when the screen is not tall enough (1366×768); the buttons stay.
        self.panel = QWidget()
        self.panel.setLayout(panel)
        panel.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea()
        self.scroll_area.setAccessibleName("Protocol settings")  # a focus stop: named
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self.panel)
        layout.addWidget(self.scroll_area, 1)  # room to spare goes to the groups first
        layout.addWidget(self.error_label)
        layout.addStretch(0)  # what the groups cannot take (they are all shown)
        layout.addWidget(buttons)

        self._set_tab_order()
        self.setup_errors(self.error_label)
        if not self._editable:
            for spin in self.spin_boxes.values():
                spin.setReadOnly(True)
            self.save_button.setEnabled(False)
            self.restore_button.setEnabled(False)
        self.load()
        self.focus_first_input()

    def fit_to_screen(self, available_height: int | None = None) -> None:
        """Every group without scrolling when the screen (``available_height``, else the one
        the dialog is on) is tall enough; else the groups scroll and the title, hints and buttons
        stay in view, 80 pixels left for the window's title bar and a task bar."""
        outer = self.layout()
        if outer is None:
            return
        width = self.panel.minimumSizeHint().width()
        area = dialog_base.screen_area(self)
        # A screen narrower than the three columns (1024×600): they scroll sideways too, so the
        # dialog still fits.
        scrolls_across = self.fit_scroll_across(self.scroll_area, area)
        layout = self.panel.layout()
        panel = (layout.totalHeightForWidth(width) if layout is not None and layout.hasHeightForWidth()
                 else self.panel.sizeHint().height())
        if scrolls_across:
            panel += self.scroll_area.horizontalScrollBar().sizeHint().height()
        others = outer.totalSizeHint().height() - self.scroll_area.sizeHint().height()
        screen = available_height or (area.height() if area is not None else panel + others + 80)
        room = screen - others - 80
        height = max(160, min(panel, room))
        self.scroll_area.setMinimumHeight(height)
        # never taller than the groups; any room the dialog has beyond ``room`` shows more of them
        self.scroll_area.setMaximumHeight(max(height, panel))

    # --- building ------------------------------------------------------------------------------
    def _make_group(self, name: str, keys: tuple[str, ...]) -> QGroupBox:
        box = self._group_box(name)
        form = QFormLayout(box)
        for key in keys:
            spin, row = self._make_field(key)
            label = QLabel(field_text(key))
            label.setBuddy(spin)
            form.addRow(label, row)
        # One label column in every group (their fields line up), as wide as the settings allow.
        lay_out_group(box, box.title(), form, label_width=LABEL_WIDTH)
        self._add_group_note(name, form)
        return box

    def _group_box(self, name: str) -> QGroupBox:
        box = QGroupBox()
        box.setObjectName(f"group_{name.lower().replace(' ', '_')}")
        box.setTitle(with_mnemonic(name, GROUP_MNEMONICS.get(name, "")))
        self.groups[name] = box
        return box

    def _add_group_note(self, name: str, form: QFormLayout | QGridLayout) -> None:
        text = GROUP_NOTES.get(name)
        if not text:
            return
        note = QLabel(text)
        note.setWordWrap(True)
        note.setProperty("role", "hint")
        note.setAccessibleName(f"{name} note")
        if isinstance(form, QGridLayout):
            form.addWidget(note, form.rowCount(), 0, 1, form.columnCount())
        else:
            form.addRow(note)

    def _make_field(self, key: str) -> tuple[QSpinBox | QDoubleSpinBox, QHBoxLayout]:
        """The spin box of setting ``key`` and the row holding it with its "default" note."""
        low, high = RANGES[key]
        spin: QSpinBox | QDoubleSpinBox
        if key in DECIMAL_RANGES:
            spin = QDoubleSpinBox()
            spin.setDecimals(DECIMAL_PLACES)
            spin.setSingleStep(0.5)
            spin.setRange(low, high)
        else:
            spin = QSpinBox()
            spin.setRange(int(low), int(high))
        spin.setObjectName(key)
        spin.setAccessibleName(LABELS[key])
        allowed = f"{number_text(key, low)}–{number_text(key, high)}"
        spin.setAccessibleDescription(
            f"Allowed {number_text(key, low)} to {number_text(key, high)}; "
            f"default {number_text(key, DEFAULTS[key])}.")
        spin.setToolTip(f"Allowed {allowed}")
        lay_out_spin_box(spin)
        spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        spin.setKeyboardTracking(True)
        note = QLabel(default_note(key, DEFAULTS[key]))
        note.setAccessibleName(f"{LABELS[key]} default")
        note.setProperty("role", "muted")
        # Room for the longer "clinic setting (default N)", so nothing moves when it appears.
        note.ensurePolished()
        note.setMinimumWidth(note.fontMetrics().horizontalAdvance(
            f"clinic setting (default {number_text(key, DEFAULTS[key])})") + 4)
        note.setToolTip(f"Allowed {allowed}")
        row = QHBoxLayout()
        row.setSpacing(10)
        row.addWidget(spin)
        row.addWidget(note, 1)
        spin.valueChanged.connect(lambda value, k=key: self._update_note(k, value))
        self.inputs[key] = spin
        self.spin_boxes[key] = spin
        self.notes[key] = note
        return spin, row

    def _make_dose_table(self, keys: tuple[str, ...]) -> QGroupBox:
        """The usual-dose-range settings as a table: a row per drug of the formulary, its lowest
        usual and largest single dose — a spin box where the clinic sets it, else the value with
        its source (label) or where it is set."""
        box = self._group_box(DOSE_RANGE)
        grid = QGridLayout(box)
        lay_out_group(box, box.title(), grid)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        for column, heading in enumerate(("Drug", "Lowest usual single dose", "Largest single dose")):
            header = QLabel(heading)
            header.setProperty("role", "heading")
            grid.addWidget(header, 0, column)
        for row, drug in enumerate(DRUGS.values(), start=1):
            unit = drug.default_unit
            limits = (drug.min_single, drug.max_single)
            editable = [limit.setting for limit in limits if limit is not None and limit.setting in keys]
            if editable:
                unit = setting_unit(editable[0])
            name = QLabel(f"{drug.label} ({unit})")
            grid.addWidget(name, row, 0)
            for column, limit in enumerate(limits, start=1):
                if limit is not None and limit.setting in keys:
                    spin, field_row = self._make_field(limit.setting)
                    # A form of one row, so that a refusal shows under the field (FieldErrors).
                    cell = QWidget()
                    form = QFormLayout(cell)
                    form.setContentsMargins(0, 0, 0, 0)
                    form.addRow(field_row)
                    grid.addWidget(cell, row, column)
                    if column == 1:
                        name.setBuddy(spin)
                else:
                    fixed = QLabel(fixed_limit_text(limit, drug.default_unit))
                    fixed.setProperty("role", "muted")
                    fixed.setAccessibleName(f"{drug.label}: "
                                            f"{'lowest usual' if column == 1 else 'largest'} single dose")
                    if limit is not None:
                        fixed.setToolTip(limit.citation)
                    grid.addWidget(fixed, row, column)
        grid.setColumnStretch(3, 1)
        self._add_group_note(DOSE_RANGE, grid)
        return box

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [*self.inputs.values(), self.restore_button, self.save_button,
                                self.cancel_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _update_note(self, key: str, value: float) -> None:
        note = self.notes[key]
        note.setText(default_note(key, value))
        role = "muted" if value == DEFAULTS[key] else ""
        if note.property("role") != role:
            note.setProperty("role", role)
            repolish(note)

    # --- the values in the fields --------------------------------------------------------------
    def set_values(self, values: dict[str, Any]) -> None:
        """Put ``values`` in the fields (other keys are ignored; a bad value shows the default),
        each with its "default" note."""
        super().set_values(values)
        for key in values:
            if key in self.spin_boxes:
                self._update_note(key, self.spin_boxes[key].value())
