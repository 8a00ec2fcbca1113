"""The stabilization screen of one episode: the patient banner, the flowsheet with its trend
chart, the medication orders and administration record (``mar_panel``), supportive care and
complications, the protocol prompts, and the move to transition.

Everything is read from and written through ``core.services`` (plain values); the screen never
logs names or MRNs. Times are stored in UTC and shown in local time.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import clock, facts, protocols, units
from clinic_desktop.core.errors import ClinicError
from clinic_desktop.core.live import FLOWSHEET
from clinic_desktop.core.medications import DOSE_VITALS
from clinic_desktop.core.permissions import SignedInUser, who_may
from clinic_desktop.core.services import (
    episodes,
    intake,
    mar,
    patient_facts,
    stabilization,
    support,
)
from clinic_desktop.core.services import settings as clinic_settings
from clinic_desktop.gui.entry_dialogs import CheckInDialog, ScoreDialog, VitalsDialog
from clinic_desktop.gui.live_updates import concerns
from clinic_desktop.gui.mar_panel import MarPanel
from clinic_desktop.gui.models.census_model import local_time_text
from clinic_desktop.gui.models.flowsheet_model import FlowsheetModel
from clinic_desktop.gui.models.row_model import selected_row
from clinic_desktop.gui.patient_facts_dialog import PatientFactsDialog
from clinic_desktop.gui.patient_mode import HandOverDialog, PatientCheckInWindow
from clinic_desktop.gui.support_page import NEW_SESSION_KEYS, SupportPage
from clinic_desktop.gui.widgets.chip import Chip
from clinic_desktop.gui.widgets.dialog_base import (
    AsksBeforeDiscarding,
    DialogSlot,
    GeometryDialog,
    error_line,
    save_cancel,
)
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.lazy_page import LazyPage
from clinic_desktop.gui.widgets.patient_banner import PatientBanner, safety_alert_text, safety_bar
from clinic_desktop.gui.widgets.permits import gate
from clinic_desktop.gui.widgets.prompt_card import PromptCard
from clinic_desktop.gui.widgets.tables import table_header
from clinic_desktop.gui.widgets.trend_chart import (
    CHECKIN_COLOURS,
    CheckInPoint,
    DoseMark,
    TrendChart,
    TrendPoint,
)

log = logging.getLogger(__name__)

CHART_INSTRUMENTS = ("cows", "sows_gossop", "sows_handelsman")
RECORDABLE = (("cows", "Record COWS\u2026"), ("sows_gossop", "SOWS (Gossop)\u2026"),
              ("sows_handelsman", "SOWS (Handelsman)\u2026"), ("oows", "OOWS\u2026"),
              ("ciwa_ar", "CIWA-Ar\u2026"), ("asq", "ASQ (suicide risk)\u2026"))
REFRESH_MS = 60_000
#: The title of the Prompts tab's first card, while the patient is in stabilization.
REASSESSMENT = "COWS reassessment"


class SafetyAssessmentDialog(AsksBeforeDiscarding, GeometryDialog):
    """Record a clinician's safety assessment (ends the safety alert raised before it)."""

    saved = Signal()

    def __init__(self, db, user: SignedInUser, episode_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Safety assessment")
        self.db, self.user, self.episode_id = db, user, episode_id
        self.risk_box = QGroupBox("Risk now")
        self.risk_box.setAccessibleName("Risk now")
        self.risk_group = QButtonGroup(self)
        row = QHBoxLayout(self.risk_box)
        for key, label in (("low", "Low"), ("moderate", "Moderate"), ("high", "High")):
            button = QRadioButton(label)
            button.setAccessibleName(label)
            button.setProperty("risk", key)
            self.risk_group.addButton(button)
            row.addWidget(button)
        self.actions_edit = QPlainTextEdit()
        self.actions_edit.setTabChangesFocus(True)
        self.actions_edit.setAccessibleName("Actions taken")
        self.actions_edit.setPlaceholderText("What was assessed and done (observation level, who was told, plan)")
        self.general = error_line()
        self.buttons = save_cancel(self)
        form = QFormLayout()
        caption = QLabel("Actions taken")
        caption.setBuddy(self.actions_edit)
        form.addRow(self.risk_box)
        form.addRow(caption, self.actions_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.general)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors({"risk": self.risk_box, "actions": self.actions_edit}, general=self.general)
        self.resize(520, 320)

    def save(self) -> None:
        chosen = self.risk_group.checkedButton()
        risk = chosen.property("risk") if chosen else ""
        ok, _ = self.errors.attempt(lambda: stabilization.record_safety_assessment(
            self.db, self.user, self.episode_id, risk, self.actions_edit.toPlainText()))
        if ok:
            self.saved.emit()
            self.accept()


class ComplicationDialog(AsksBeforeDiscarding, GeometryDialog):
    """Escalate a complication: what, when, and the action taken."""

    saved = Signal()

    def __init__(self, db, user: SignedInUser, episode_id: int, item: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        label = stabilization.COMPLICATIONS[item]
        self.setWindowTitle(f"Complication: {label}")
        self.db, self.user, self.episode_id, self.item = db, user, episode_id, item
        self.action = QPlainTextEdit()
        self.action.setTabChangesFocus(True)
        self.action.setAccessibleName("Action taken")
        self.action.setPlaceholderText("Who was called, what was given or done, the plan")
        self.general = error_line()
        self.buttons = save_cancel(self)
        form = QFormLayout()
        caption = QLabel("Action taken")
        caption.setBuddy(self.action)
        form.addRow(caption, self.action)
        layout = QVBoxLayout(self)
        if item == "suicidal_thoughts":
            note = QLabel("Saving this raises the safety alert until a safety assessment is recorded.")
            note.setWordWrap(True)
            note.setProperty("role", "hint")
            layout.addWidget(note)
        layout.addWidget(self.general)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors({"action_taken": self.action}, general=self.general)
        self.resize(520, 280)
        self.action.setFocus()

    def save(self) -> None:
        ok, _ = self.errors.attempt(lambda: stabilization.record_complication(
            self.db, self.user, self.episode_id, self.item, self.action.toPlainText()))
        if ok:
            self.saved.emit()
            self.accept()


class StabilizationScreen(GeometryDialog):
    """One episode during withdrawal management (non-modal; one per patient)."""

    changed = Signal(int)  # episode id: something was recorded (the census refreshes)
    moved_to_transition = Signal(int)
    handover_requested = Signal(int)  # episode id: the main window prepares the printable handover

    def __init__(self, db, user: SignedInUser, episode: episodes.EpisodeView, patient,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.user, self.episode, self.patient = db, user, episode, patient
        self._dialogs = DialogSlot(on_saved=self._recorded)
        self.setObjectName("stabilizationScreen")
        self.setWindowTitle(f"Stabilization \u2014 {patient.display_name}")
        self.allow_resizing()
        self.resize(1280, 720)
        clinic = clinic_settings.get_all(db)
        self._protocol_settings = protocols.ProtocolSettings.from_mapping(clinic)
        self._units = units.clinic_system(clinic)  # temperature and weight: °F/lb or °C/kg
        assessment = intake.assessment_for_episode(db, user, episode.id)
        self._intake_data = dict(assessment.data) if assessment is not None else {}
        self._live: list = []  # the flowsheet entries not struck, as last read (the prompts read them)
        self._flowsheet_read = False  # its first read is its opening (audited), the others refreshes
        self.patient_mode: PatientCheckInWindow | None = None
        self.hand_over_dialog: HandOverDialog | None = None
        self._build()
        self.refresh()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)  # "due" and "overdue" move with the clock
        self._timer.timeout.connect(self.refresh)
        self._timer.timeout.connect(self.show_patient_facts)  # another workstation may change them
        self._timer.start()
        log.info("stabilization screen opened for episode %s", episode.id)

    # ---- building --------------------------------------------------------------------------
    def _build(self) -> None:
        # Top-down: each widget goes into its place as it is made. With the app's style sheet, a
        # widget added to a parent restyles its whole subtree, so a screen assembled bottom-up
        # restyles its leaves once per level (the bulk of opening a patient's tab).
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        self.banner = PatientBanner()
        layout.addWidget(self.banner)
        self.banner.show_patient(self.patient)
        medical = self._intake_data.get("medical") or {}
        self.banner.show_allergies(str(medical.get("allergies") or ""))
        self.banner.show_flags(rules.risk_flags(self._intake_data, self._units))
        safety_row = QHBoxLayout()
        layout.addLayout(safety_row)
        self.safety_bar = safety_bar()
        self.safety_button = QPushButton("Record safety assessment\u2026")
        self.safety_button.setVisible(False)
        self.safety_button.clicked.connect(self.record_safety_assessment)
        safety_row.addWidget(self.safety_bar, 1)
        safety_row.addWidget(self.safety_button)
        self._build_facts()

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Stabilization")
        layout.addWidget(self.tabs, 1)
        flowsheet = QWidget()
        self.tabs.addTab(flowsheet, "&Flowsheet")
        self._build_flowsheet(flowsheet)
        # The other pages are built when first shown: the screen opens with the flowsheet alone.
        self.medications_page = LazyPage(self._build_medications)
        self.care_page = LazyPage(self._build_care)
        self.prompts_page = LazyPage(self._build_prompts)
        self.tabs.addTab(self.medications_page, "&Medications")
        self.tabs.addTab(self.care_page, "&Care")
        self.tabs.addTab(self.prompts_page, "&Prompts")
        self.support_page = LazyPage(self._build_support)
        self.tabs.addTab(self.support_page, "S&upport")
        if self.user.can("sessions.record"):
            new_session = QShortcut(QKeySequence(NEW_SESSION_KEYS), self)
            new_session.setWhatsThis("New support session")
            new_session.activated.connect(self.new_session)
        # The facts line in the banner and its button beside the tabs, not on a row of their
        # own: the flowsheet keeps the height on a 1024×600 screen.
        self.banner.add_line(self.facts_line)
        self.tabs.setCornerWidget(self.facts_button, Qt.Corner.TopRightCorner)
        self.tabs.currentChanged.connect(
            lambda _i: self.mar_panel.refresh() if self.tabs.currentWidget() is self.medications_page else None)

        bottom = QHBoxLayout()
        layout.addLayout(bottom)
        self.overdue_chip = Chip("Reassessment overdue")
        self.status = QLabel()
        self.status.setProperty("role", "muted")
        self.status.setAccessibleName("Reassessment status")
        self.transition_button = QPushButton("Move to transition\u2026")
        gate(self.transition_button, self.user, "episodes.stage")
        self.transition_button.clicked.connect(self.move_to_transition)
        handover = QPushButton("Handover\u2026")
        handover.setToolTip("This patient's shift handover, to print")
        handover.clicked.connect(lambda: self.handover_requested.emit(self.episode.id))
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        bottom.addWidget(self.overdue_chip)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(handover)
        bottom.addWidget(self.transition_button)
        bottom.addWidget(close)
        for b in self.findChildren(QPushButton):
            b.setAutoDefault(False)

    def _build_facts(self) -> None:
        """The patient facts the medication checks read, in one line, and the button to edit them."""
        self.facts_line = QLabel()
        self.facts_line.setObjectName("patientFactsLine")
        self.facts_line.setAccessibleName("Patient facts")
        self.facts_line.setWordWrap(True)  # on a narrow screen, two lines rather than cut
        self.facts_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts_button = QPushButton("Patient facts\u2026")
        self.facts_button.setToolTip("Weight, hepatic and renal function, QTc: what the medication checks "
                                     "read (Ctrl+Shift+I)")
        self.facts_button.clicked.connect(self.edit_patient_facts)
        facts_key = QShortcut(QKeySequence("Ctrl+Shift+I"), self)
        facts_key.setWhatsThis("Patient facts")
        facts_key.activated.connect(self.edit_patient_facts)
        self.show_patient_facts()

    def show_patient_facts(self) -> None:
        try:
            view = patient_facts.get(self.db, self.user, self.episode.id)
        except ClinicError as exc:
            self.facts_line.setText(f"Patient facts could not be read: {exc}")
            return
        self.facts_line.setText(facts.summary_line(  # the weight in both units, the clinic's first
            view, lambda kg: units.both_text("weight_kg", kg, self._units)))

    def edit_patient_facts(self) -> None:
        dialog = PatientFactsDialog(self.db, self.user, self.episode.id, self)
        dialog.saved.connect(lambda _view: self.show_patient_facts())
        self._open(dialog)

    def _build_flowsheet(self, page: QWidget) -> None:
        """The Flowsheet page, made into ``page`` (already in its tab): the record buttons, the
        trend chart over the table of entries."""
        layout = QVBoxLayout(page)
        buttons = QHBoxLayout()
        layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical)
        layout.addWidget(splitter, 1)
        self.record_cows_button = QPushButton("Record COWS\u2026")
        self.record_cows_button.setToolTip("Ctrl+K")
        self.record_cows_button.clicked.connect(lambda: self.record_score("cows"))
        self.record_vitals_button = QPushButton("Record vitals\u2026")
        self.record_vitals_button.setToolTip("Ctrl+Shift+V")
        self.record_vitals_button.clicked.connect(self.record_vitals)
        self.checkin_button = QPushButton("Daily check-in\u2026")
        self.checkin_button.setToolTip("Ctrl+Shift+K: craving, mood, anxiety, pain, sleep, appetite, fluids")
        self.checkin_button.clicked.connect(self.record_checkin)
        self.hand_over_button = QPushButton("Hand to patient\u2026")
        self.hand_over_button.setAccessibleName("Hand to patient")
        self.hand_over_button.setToolTip("Ctrl+Shift+J: the patient answers the check-in, PHQ-9 and GAD-7 "
                                         "on the whole screen; your password unlocks it")
        self.hand_over_button.clicked.connect(self.hand_to_patient)
        # The other instruments in one menu: a button each was cut short on a 1024-pixel screen.
        self.other_scores_button = QPushButton("Other score")
        self.other_scores_button.setAccessibleName("Record another score")
        self.other_scores_menu = QMenu(self.other_scores_button)
        for iid, label in RECORDABLE[1:]:
            action = self.other_scores_menu.addAction(label)
            action.triggered.connect(lambda _=False, iid=iid: self.record_score(iid))
        self.other_scores_button.setMenu(self.other_scores_menu)
        buttons.addWidget(self.record_cows_button)
        buttons.addWidget(self.record_vitals_button)
        buttons.addWidget(self.checkin_button)
        buttons.addWidget(self.hand_over_button)
        buttons.addWidget(self.other_scores_button)
        buttons.addStretch(1)
        self.correct_button = QPushButton("Correct entry\u2026")
        self.correct_button.clicked.connect(self.correct_selected)
        buttons.addWidget(self.correct_button)
        # Greyed out for the roles that may not, their tooltip saying who may.
        for b in [self.record_cows_button, self.record_vitals_button, self.other_scores_button]:
            gate(b, self.user, "observations.record")
        for b in [self.checkin_button, self.hand_over_button]:
            gate(b, self.user, "checkins.record")
        # Whoever records check-ins, the widest of the two: a counselor corrects the check-ins
        # only (correct_selected says so for the others).
        gate(self.correct_button, self.user, "checkins.record")
        for keys, what, slot in (("Ctrl+K", "Record COWS", lambda: self.record_score("cows")),
                                 ("Ctrl+Shift+V", "Record vitals", self.record_vitals),
                                 ("Ctrl+Shift+K", "Daily check-in", self.record_checkin),
                                 ("Ctrl+Shift+J", "Hand to patient", self.hand_to_patient)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setWhatsThis(what)
            shortcut.activated.connect(slot)

        # The chart's legend names its shading and marks; no hint under it, so the chart keeps its
        # height on a 1024×600 screen (a hint there covered its axis title).
        self.chart = TrendChart()
        self.chart.setAccessibleDescription("COWS and SOWS totals over the stay on the COWS severity "
                                            "bands, doses given marked, and under them the check-ins' "
                                            "craving, mood and anxiety; hover a point for its value and time")
        splitter.addWidget(self.chart)

        self.flowsheet_model = FlowsheetModel(self)
        self.flowsheet_model.system = self._units
        self.table = QTableView()
        self.table.setAccessibleName("Flowsheet entries")
        self.table.setModel(self.flowsheet_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = table_header(self.table)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        # The time, the entry and who recorded it as wide as their text (never cut: fitted at each
        # refresh, see _fit_columns); the details take what is left. Measured on the first 100
        # rows (the newest; this header's precision is the rows a column's width reads).
        header.setResizeContentsPrecision(100)
        self.table.setColumnWidth(FlowsheetModel.RESULT, 300)
        header.setSectionResizeMode(FlowsheetModel.DETAILS, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self.correct_selected())

        splitter.addWidget(self.table)
        splitter.setSizes([300, 260])
        splitter.setStretchFactor(0, 1)  # on a small screen both shrink, the chart as much
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self.table.setMinimumHeight(96)  # the header and two rows at least

    def _build_medications(self, page: LazyPage) -> QWidget:
        panel = MarPanel(self.db, self.user, self.episode.id, self._protocol_settings)
        panel.changed.connect(self._recorded)
        page.column.addWidget(panel)
        return panel

    @property
    def mar_panel(self) -> MarPanel:
        """The Medications page's orders and doses (built now if its tab was never shown)."""
        panel = self.medications_page.ensure_built()
        assert isinstance(panel, MarPanel)
        return panel

    def _build_support(self, page: LazyPage) -> QWidget:
        panel = SupportPage(self.db, self.user, self.episode)
        panel.changed.connect(self._recorded)
        page.column.addWidget(panel)
        return panel

    def new_session(self) -> None:
        """Ctrl+Shift+N: the Support tab, and a new session on it."""
        self.tabs.setCurrentWidget(self.support_page)
        panel = self.support_page.ensure_built()
        assert isinstance(panel, SupportPage)
        panel.new_session()

    def _build_care(self, lazy_page: LazyPage) -> QWidget:
        page = QWidget()
        today = QGroupBox("Supportive care today")
        self.care_checks: dict[str, QCheckBox] = {}
        grid = QVBoxLayout(today)
        for item, label in stabilization.SUPPORTIVE_ITEMS.items():
            check = QCheckBox(label)
            check.setAccessibleName(label)
            gate(check, self.user, "care.record")  # as stabilization.record_supportive_care
            check.clicked.connect(lambda checked, item=item: self._care_clicked(item, checked))
            self.care_checks[item] = check
            grid.addWidget(check)
        self.care_note = QLabel()
        self.care_note.setProperty("role", "muted")
        self.care_note.setWordWrap(True)
        grid.addWidget(self.care_note)
        grid.addStretch(1)

        escalate = QGroupBox("Complications to escalate")
        box = QVBoxLayout(escalate)
        buttons = QHBoxLayout()
        column = QVBoxLayout()
        for item, label in stabilization.COMPLICATIONS.items():
            b = QPushButton(f"{label}\u2026")
            b.setAccessibleName(f"Complication: {label}")
            gate(b, self.user, "care.record")  # anyone on the team escalates a complication
            b.clicked.connect(lambda _=False, item=item: self.record_complication(item))
            column.addWidget(b)
        column.addStretch(1)
        self.complication_list = QListWidget()
        self.complication_list.setAccessibleName("Complications recorded")
        self.complication_list.setWordWrap(True)
        buttons.addLayout(column)
        buttons.addWidget(self.complication_list, 1)
        box.addLayout(buttons)

        layout = QHBoxLayout(page)
        layout.addWidget(today, 1)
        layout.addWidget(escalate, 2)
        lazy_page.column.addWidget(page)
        self._show_care(clock.now(), opening=True)
        return page

    def _build_prompts(self, lazy_page: LazyPage) -> QWidget:
        """A card per prompt (``PromptCard``: title, status pill, text, the basis folded away),
        in a scroll area so that the last card is never cut at the edge."""
        page = QWidget()
        hint = QLabel("Decision support only: each prompt shows its basis and the setting it used; the "
                      "clinician decides.")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        #: The cards shown, by title (kept across refreshes: a basis shown stays shown).
        self.prompt_cards: dict[str, PromptCard] = {}
        self.prompts_panel = QWidget()
        self.prompts_panel.setObjectName("promptsPanel")
        self._prompts_box = QVBoxLayout(self.prompts_panel)
        self._prompts_box.setContentsMargins(0, 0, 4, 0)
        self._prompts_box.setSpacing(8)
        self._prompts_box.addStretch(1)
        self.prompts_view = QScrollArea()
        self.prompts_view.setAccessibleName("Protocol prompts")
        self.prompts_view.setWidgetResizable(True)
        self.prompts_view.setFrameShape(QFrame.Shape.NoFrame)
        self.prompts_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.prompts_view.setWidget(self.prompts_panel)
        layout = QVBoxLayout(page)
        layout.addWidget(hint)
        layout.addWidget(self.prompts_view, 1)
        lazy_page.column.addWidget(page)
        self._show_prompts(self._live, clock.now(), opening=True)
        return page

    def _prompt_card(self, title: str) -> PromptCard:
        card = self.prompt_cards.get(title)
        if card is None:
            card = self.prompt_cards[title] = PromptCard(title)
        return card

    def _place_prompt_cards(self, titles: list[str]) -> None:
        """Show the cards of ``titles`` in that order (and in that Tab order); drop the others."""
        for title in list(self.prompt_cards):
            if title not in titles:
                card = self.prompt_cards.pop(title)
                self._prompts_box.removeWidget(card)
                card.hide()  # gone at once, not at the next turn of the event loop
                card.deleteLater()
        cards = [self.prompt_cards[t] for t in titles]
        for card in cards:
            self._prompts_box.removeWidget(card)
        for index, card in enumerate(cards):
            self._prompts_box.insertWidget(index, card)
        toggles = [card.basis_button for card in cards]
        for first, second in itertools.pairwise(toggles):
            QWidget.setTabOrder(first, second)

    # ---- reading -----------------------------------------------------------------------------
    def live_changed(self, notices: list) -> None:
        """Another workstation recorded something for this patient (``gui.live_updates``, on
        PostgreSQL): the flowsheet, care and MAR show it now, not at the next minute."""
        if concerns(notices, FLOWSHEET, patient_id=self.episode.patient_id):
            self.refresh()
            self.show_patient_facts()

    def refresh(self) -> None:
        """Re-read the flowsheet, care and alerts (after every entry, and every minute)."""
        now = clock.now()
        try:
            entries = stabilization.flowsheet(self.db, self.user, self.episode.id,
                                              opening=not self._flowsheet_read)
            self._flowsheet_read = True
            safety = stabilization.safety_status(self.db, self.user, self.episode.id)
            ruler = support.readiness(self.db, self.user, self.episode.id)
        except ClinicError as exc:
            self.status.setText(f"Could not refresh: {exc}")
            return
        self.flowsheet_model.set_rows(entries)
        self._fit_columns()
        if self.tabs.currentWidget() is self.medications_page:  # else when its tab is shown
            self.mar_panel.refresh(now)
        live = self._live = [e for e in entries if e.struck is None]
        points = [TrendPoint(e.instrument_id, e.taken_at, e.total) for e in live
                  if e.kind == "observation" and e.instrument_id in CHART_INSTRUMENTS and e.complete
                  and e.total is not None]  # a complete score has its total
        checkins = [CheckInPoint(part, e.taken_at, value) for e in live if e.kind == stabilization.CHECKIN
                    for part, value in (e.values or {}).items() if part in CHECKIN_COLOURS]
        checkins += [CheckInPoint(part, r.at, value) for r in ruler
                     for part, value in (("importance", r.importance), ("confidence", r.confidence))
                     if value is not None]
        self.chart.show_trend(self.episode.admitted_at, points, self.dose_marks(), now, checkins)
        alert = safety.active
        self.safety_bar.setText(safety_alert_text(safety.imminent))
        self.safety_bar.setVisible(alert)
        if alert:  # greyed out, saying who may, for the roles that may not assess
            gate(self.safety_button, self.user, "safety.assess")
        else:
            self.safety_button.setVisible(False)
        self._show_status(live, now)
        if self.care_page.is_built():  # else when its tab is first shown
            self._show_care(now)
        if self.prompts_page.is_built():
            self._show_prompts(live, now)

    def _fit_columns(self) -> None:
        """The time, entry and recorded-by columns as wide as their text, once per refresh: left
        in ResizeToContents, Qt measured them again at every resize as the screen was shown (a
        long stay's table asked for ~17,000 cells to open)."""
        for column in (FlowsheetModel.TIME, FlowsheetModel.ENTRY, FlowsheetModel.BY):
            self.table.resizeColumnToContents(column)

    def _show_care(self, now: dt.datetime, *, opening: bool = False) -> None:
        """The Care page: today's supportive care ticked, the complications recorded. ``opening``:
        its first showing (audited)."""
        try:
            care = stabilization.supportive_care_for_day(self.db, self.user, self.episode.id,
                                                         clock.local(now).date(), opening=opening)
            complications = stabilization.complications(self.db, self.user, self.episode.id)
        except ClinicError as exc:
            self.status.setText(f"Could not refresh: {exc}")
            return
        # Who ticked it, and for a role that may not tick, who may (as gate() says it).
        refused = "" if self.user.can("care.record") else who_may("care.record")
        for item, check in self.care_checks.items():
            entry = care.get(item)
            check.setChecked(bool(entry and entry.done))
            ticked = f"{entry.recorded_by_name} at {local_time_text(entry.at)}" if entry else ""
            check.setToolTip("\n".join(tip for tip in (refused, ticked) if tip))
        self.complication_list.clear()
        for c in complications:
            self.complication_list.addItem(f"{local_time_text(c.at)} \u2014 {c.label} ({c.recorded_by_name}): {c.note}")

    def dose_marks(self) -> list[DoseMark]:
        """Doses given (not struck), for the chart."""
        try:
            return [DoseMark(d.at, d.text) for d in mar.given_doses(self.db, self.user, self.episode.id)]
        except ClinicError:
            return []

    def _last(self, entries, kind: str, instrument_id: str | None = None):
        return next((e for e in entries if e.kind == kind and (instrument_id is None or e.instrument_id == instrument_id)),
                    None)

    def _reassessment(self, live, now: dt.datetime):
        """The last COWS (or None), when the next is due and whether it is overdue."""
        cows = self._last(live, "observation", "cows")
        due, overdue = protocols.reassessment_due(cows.taken_at if cows else None, now, self._protocol_settings)
        return cows, due, overdue

    def _show_status(self, live, now: dt.datetime) -> None:
        """The last COWS and when the next is due, under the tabs, with the OVERDUE chip."""
        cows, due, overdue = self._reassessment(live, now)
        if cows is None:
            self.status.setText("No COWS recorded yet in this episode.")
        else:
            self.status.setText(f"Last COWS {cows.total} at {local_time_text(cows.taken_at)} "
                                f"\u00b7 next due {local_time_text(due)}")
        self.overdue_chip.show_state("OVERDUE" if overdue else "", "alert")

    def _show_prompts(self, live, now: dt.datetime, *, opening: bool = False) -> None:
        """The Prompts page: a card for the reassessment, buprenorphine readiness, naltrexone
        and the alpha-2 agonist holds. ``opening``: its first showing (audited)."""
        s = self._protocol_settings
        cows, due, overdue = self._reassessment(live, now)
        fmt = lambda t: local_time_text(t)
        prompts = []
        prompts.append(rules.buprenorphine_readiness(
            self._intake_data, cows.total if cows else None, bool(cows and cows.complete),
            cows.taken_at if cows else None, now, s, format_time=fmt))
        try:
            naltrexone = mar.naltrexone_prompt(self.db, self.user, self.episode.id, now, opening=opening,
                                               format_time=fmt)
            active = {o.drug_id for o in mar.orders(self.db, self.user, self.episode.id) if o.active(now)}
        except ClinicError:
            naltrexone, active = None, set()
        if naltrexone is not None and naltrexone.status != "info":  # no opioid recorded: nothing to count
            prompts.append(naltrexone)
        # Hold prompts for the alpha-2 agonists that are ordered, from the newest set with blood
        # pressure and pulse (never values stitched from different sets), with its age.
        vitals_entry = next((e for e in live if e.kind == "vitals"
                             and all(e.values.get(k) is not None for k in DOSE_VITALS)), None)
        for drug in protocols.ALPHA2_HOLDS:
            if drug not in active:
                continue
            v = vitals_entry.values if vitals_entry is not None else {}
            prompts.append(protocols.alpha2_hold(
                drug, v.get("systolic"), v.get("diastolic"), v.get("pulse"), s,
                taken_at=vitals_entry.taken_at if vitals_entry is not None else None, now=now, format_time=fmt))
        titles = []
        if self.episode.stage == "stabilization":
            if cows is None:
                pill, severity = "NO COWS YET", "warning"
            elif overdue:
                pill, severity = "OVERDUE", "alert"
            else:
                pill, severity = "DUE " + fmt(due), "info"
            basis = f"last COWS at {fmt(cows.taken_at)}" if cows else "no COWS recorded in this episode"
            self._prompt_card(REASSESSMENT).show_state(
                REASSESSMENT, pill, severity, f"Next COWS due {fmt(due) if due else 'now'}.",
                f"Basis: {basis}; every {s.cows_interval_hours} h ({s.source('cows_interval_hours')}).")
            titles.append(REASSESSMENT)
        for p in prompts:
            self._prompt_card(p.title).show_prompt(p)
            titles.append(p.title)
        self._place_prompt_cards(titles)

    # ---- recording ---------------------------------------------------------------------------
    def _open(self, dialog) -> None:
        self._dialogs.open(dialog)

    def _recorded(self) -> None:
        self.refresh()
        self.changed.emit(self.episode.id)

    def record_score(self, instrument_id: str = "cows") -> None:
        if self.user.can("observations.record"):
            self._open(ScoreDialog(self.db, self.user, self.episode.id, instrument_id, self))

    def record_vitals(self) -> None:
        if self.user.can("observations.record"):
            self._open(VitalsDialog(self.db, self.user, self.episode.id, self))

    def record_checkin(self) -> None:
        if self.user.can("checkins.record"):
            self._open(CheckInDialog(self.db, self.user, self.episode.id, self))

    def hand_to_patient(self) -> None:
        """Patient check-in mode (``gui.patient_mode``): what to ask and the language, then the
        full-screen check-in; the flowsheet (and any safety alert) refreshes when staff unlock."""
        if not self.user.can("checkins.record") or self.patient_mode is not None:
            return
        dialog = HandOverDialog(getattr(self.patient, "preferred_language", None), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.accepted.connect(lambda: self.start_patient_mode(dialog.language(), dialog.sections()))
        self.hand_over_dialog = dialog
        dialog.open()

    def start_patient_mode(self, language: str, sections: tuple[str, ...]) -> PatientCheckInWindow:
        window = PatientCheckInWindow(self.db, self.user, self.episode.id, language, sections, self)
        self.patient_mode = window

        def ended(_saved: bool) -> None:
            self.patient_mode = None
            self._recorded()

        window.done.connect(ended)
        window.start()
        return window

    def selected_entry(self):
        return selected_row(self.table)

    def correct_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        if not self.user.can(stabilization.ENTRY_PERMISSIONS[entry.kind]):
            QMessageBox.information(self, "Not yours to correct",
                                    "Your role records and corrects check-ins only; a nurse or "
                                    "prescriber corrects scores and vitals.")
            return
        if entry.struck is not None:
            QMessageBox.information(self, "Already corrected",
                                    "This entry is already struck through; correct its replacement instead.")
            return
        if entry.kind == stabilization.CHECKIN:
            self._open(CheckInDialog(self.db, self.user, self.episode.id, self, correcting=entry))
        elif entry.kind == "vitals":
            self._open(VitalsDialog(self.db, self.user, self.episode.id, self, correcting=entry))
        else:
            self._open(ScoreDialog(self.db, self.user, self.episode.id, entry.instrument_id, self,
                                   correcting=entry))

    def _care_clicked(self, item: str, checked: bool) -> None:
        try:
            stabilization.record_supportive_care(self.db, self.user, self.episode.id, item, done=checked)
        except ClinicError as exc:
            QMessageBox.warning(self, "Not saved", str(exc))
        self._recorded()

    def record_complication(self, item: str) -> None:
        self._open(ComplicationDialog(self.db, self.user, self.episode.id, item, self))

    def record_safety_assessment(self) -> None:
        self._open(SafetyAssessmentDialog(self.db, self.user, self.episode.id, self))

    def move_to_transition(self) -> None:
        answer = QMessageBox.question(
            self, "Move to transition",
            "Move this episode to post-detox transition? Withdrawal scores and medications can still "
            "be recorded; the aftercare plan is built next.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            stabilization.move_to_transition(self.db, self.user, self.episode.id)
        except ClinicError as exc:
            QMessageBox.warning(self, "Not moved", str(exc))
            return
        log.info("episode %s moved to transition", self.episode.id)
        self.transition_button.setEnabled(False)
        self.moved_to_transition.emit(self.episode.id)
        self.changed.emit(self.episode.id)
