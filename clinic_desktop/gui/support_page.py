"""The stabilization screen's Support tab (issue #16): the patient's support sessions, newest
first — counseling, group, family, peer and brief — each with what the patient said (in their
words), what was agreed, the next step, what matters to them, the readiness ruler and its
addenda; "New session…" (Ctrl+Shift+N) for those who record sessions, and "Add addendum…" for
the selected session's author or an administrator.

:class:`SessionDialog` records one session (a group is recorded for all its attendees from the
census, not here); Save checks it, asks the password (:class:`SignDialog`) and signs it through
``core.services.support.record_session``; a refusal shows next to its field and nothing typed is
lost. :class:`SessionAddendumDialog` corrects a signed session (why, and the correction).

The page never logs what a patient said, nor names.
"""

from __future__ import annotations

import datetime as dt
import html
import logging

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QIntValidator,
    QKeySequence,
    QPainter,
    QPalette,
    QShortcut,
    QShowEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import assessment, clock
from clinic_desktop.core import support as rules
from clinic_desktop.core.errors import ClinicError, ValidationError
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import episodes, plans, support
from clinic_desktop.core.vocab import Role, Stage
from clinic_desktop.gui.entry_dialogs import ScaleEdit
from clinic_desktop.gui.operations import QueryOp, error_message
from clinic_desktop.gui.widgets.dialog_base import (
    AsksBeforeDiscarding,
    ContentScroll,
    DialogSlot,
    GeometryDialog,
    error_line,
    save_cancel,
)
from clinic_desktop.gui.widgets.empty_note import EmptyNote
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.permits import gate
from clinic_desktop.gui.widgets.sign_dialog import SignDialog
from clinic_desktop.gui.widgets.style import make_primary
from clinic_desktop.gui.widgets.when_edit import WhenEdit

log = logging.getLogger(__name__)

#: Opens the session dialog from anywhere on the stabilization screen.
NEW_SESSION_KEYS = "Ctrl+Shift+N"
TIME_FORMAT = "%Y-%m-%d %H:%M"
NO_CONSENT = "No consent naming this person: recorded without disclosure"
#: Where a session's HTML is kept in its list item (the display text is its plain reading).
HTML_ROLE = Qt.ItemDataRole.UserRole + 1
SESSION_ROLE = Qt.ItemDataRole.UserRole


def _when(moment: dt.datetime) -> str:
    return clock.local_text(moment, TIME_FORMAT)


def readiness_text(importance: int | None, confidence: int | None) -> str:
    """"Importance 8/10 · Confidence 5/10" ("not asked" for a missing one); "" when neither."""
    if importance is None and confidence is None:
        return ""
    parts = [f"{label} {value}/10" if value is not None else f"{label} not asked"
             for label, value in (("Importance", importance), ("Confidence", confidence))]
    return " \u00b7 ".join(parts)


def consent_line(view: support.SessionView, consents: dict[int, plans.ConsentView]) -> str:
    """A family session's disclosure: shared under which consent, or recorded without."""
    if view.consent_id is None:
        return NO_CONSENT
    consent = consents.get(view.consent_id)
    if consent is None:
        return "Shared under consent"
    text = f"Shared under consent (until {consent.expires_on.isoformat()})"
    if consent.revoked_at is not None:
        text += f"; the consent was revoked on {clock.local_text(consent.revoked_at, '%Y-%m-%d')}"
    return text


def session_lines(view: support.SessionView, consents: dict[int, plans.ConsentView]
                  ) -> list[tuple[str, str, bool]]:
    """The session as (label, text, quoted) lines under its heading, in reading order."""
    lines: list[tuple[str, str, bool]] = []
    if view.kind == rules.GROUP:
        if view.group_topic:
            lines.append(("Group topic", view.group_topic, False))
        if view.group_note:
            lines.append(("Shared note", view.group_note, False))
        if view.patient_words:
            lines.append(("The patient's own line", view.patient_words, False))
    elif view.patient_words:
        lines.append(("Said they want", view.patient_words, True))
    if view.family_member:
        lines.append(("Family member", f"{view.family_member} \u2014 {consent_line(view, consents)}", False))
    if view.agreed:
        lines.append(("Agreed", view.agreed, False))
    if view.next_step:
        lines.append(("Next step", view.next_step, False))
    labels = dict(assessment.WHAT_MATTERS)
    for key in rules.WHAT_MATTERS_IDS:
        if view.what_matters.get(key):
            lines.append((labels[key], view.what_matters[key], True))
    ruler = readiness_text(view.importance, view.confidence)
    if ruler:
        lines.append(("Readiness", ruler, False))
    if view.reason:
        lines.append(("Entered late", view.reason, False))
    return lines


def session_heading(view: support.SessionView) -> str:
    parts = [_when(view.started_at), view.kind_label, f"{view.duration_min} min"]
    if view.approaches:
        parts.append(", ".join(view.approach_labels))
    parts.append(view.signed_by_name)
    return " \u00b7 ".join(parts)


def _quote(text: str) -> str:
    return f"\u201c{text}\u201d"


def session_text(view: support.SessionView, consents: dict[int, plans.ConsentView]) -> str:
    """The session as plain text (what a screen reader reads, and what a copy gives)."""
    out = [session_heading(view)]
    out += [f"{label}: {_quote(text) if quoted else text}" for label, text, quoted in session_lines(view, consents)]
    for a in view.addenda:
        out.append(f"Addendum {_when(a.created_at)} \u2014 {a.created_by_name}: {a.reason}. {a.text}")
    return "\n".join(out)


def session_html(view: support.SessionView, consents: dict[int, plans.ConsentView]) -> str:
    """The session as the list shows it: the heading in bold, a line per part, the addenda."""
    e = html.escape

    def block(text: str) -> str:
        return e(text).replace("\n", "<br>")

    out = [(f"<p style='margin:0'><b>{e(_when(view.started_at))} \u00b7 {e(view.kind_label)}</b> \u00b7 "
            f"{view.duration_min} min")]
    if view.approaches:
        out.append(f" \u00b7 {e(', '.join(view.approach_labels))}")
    out.append(f" \u00b7 <i>{e(view.signed_by_name)}</i></p>")
    for label, text, quoted in session_lines(view, consents):
        shown = block(_quote(text) if quoted else text)
        out.append(f"<p style='margin:0; margin-left:12px'><b>{e(label)}:</b> {shown}</p>")
    for a in view.addenda:
        out.append(f"<p style='margin:0; margin-left:12px; margin-top:4px'><b>Addendum "
                   f"{e(_when(a.created_at))} \u2014 {e(a.created_by_name)}:</b> {block(a.reason)}"
                   f"<br>{block(a.text)}</p>")
    return "".join(out)


class SessionDelegate(QStyledItemDelegate):
    """Draws a session's HTML (wrapped to the list's width) in its row, selection and all."""

    PADDING = 6

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex,
                  width: int) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(0)
        doc.setHtml(str(index.data(HTML_ROLE) or ""))
        doc.setTextWidth(max(50, width - 2 * self.PADDING))
        return doc

    def _width(self, option: QStyleOptionViewItem) -> int:
        view = self.parent()
        if isinstance(view, QListView):
            return view.viewport().width() - 2 * view.spacing()
        return option.rect.width()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        width = self._width(option)
        doc = self._document(option, index, width)
        return QSize(width, int(doc.size().height()) + 2 * self.PADDING)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        rect = opt.rect
        doc = self._document(opt, index, rect.width())
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        painter.save()
        painter.translate(rect.left() + self.PADDING, rect.top() + self.PADDING)
        context = QAbstractTextDocumentLayout.PaintContext()
        palette: QPalette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, palette.color(role))
        doc.documentLayout().draw(painter, context)
        painter.restore()
        painter.save()  # a rule under each session
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.restore()


class SupportPage(QWidget):
    """The Support tab of one episode (see the module's docstring)."""

    changed = Signal()  # a session or an addendum was recorded

    def __init__(self, db, user: SignedInUser, episode: episodes.EpisodeView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supportPage")
        self.db, self.user, self.episode = db, user, episode
        self._dialogs = DialogSlot(on_saved=self._recorded)
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        layout.addLayout(buttons)
        self.new_button = QPushButton("New session\u2026")
        self.new_button.setToolTip(f"{NEW_SESSION_KEYS}: counseling, family, peer support or a brief check-in")
        self.new_button.clicked.connect(self.new_session)
        self.closed = episode.stage == Stage.DISCHARGED.value  # the service refuses new sessions then
        # Greyed out for the roles that may not, its tooltip saying who may.
        if gate(self.new_button, user, "sessions.record") and self.closed:
            self.new_button.setEnabled(False)
            self.new_button.setToolTip("This episode is discharged: sessions can no longer be added")
        self.addendum_button = QPushButton("Add addendum\u2026")
        self.addendum_button.setToolTip("Correct the selected session (its author or an administrator)")
        self.addendum_button.clicked.connect(self.add_addendum)
        gate(self.addendum_button, user, "sessions.record", enabled=False)  # and a session selected
        for b in (self.new_button, self.addendum_button):
            b.setAutoDefault(False)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.addendum_button)
        self.status = QLabel()
        self.status.setProperty("role", "error")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Support status")
        self.status.setVisible(False)
        layout.addWidget(self.status)
        self.list = QListWidget()
        self.list.setAccessibleName("Support sessions")
        self.list.setAccessibleDescription("Newest first; each session with what was said, agreed and "
                                           "the next step, and its addenda")
        self.list.setItemDelegate(SessionDelegate(self.list))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)  # the rows wrap again at every width
        self.list.setUniformItemSizes(False)
        self.list.setWordWrap(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        empty = ("No support sessions yet \u2014 record one with New session\u2026" if user.can("sessions.record")
                 else "No support sessions yet.")
        self.empty_note = EmptyNote(self.list.model(), empty, "No support sessions", self)
        layout.addWidget(self.empty_note)
        layout.addWidget(self.list, 1)
        self.sessions: list[support.SessionView] = []
        self._read_once = False  # the first showing reads them: not read twice as the tab opens
        self._opened = False  # the first read is the page's opening (audited), the others refreshes
        self.refresh()

    # ---- reading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the sessions again (the selected one stays selected)."""
        try:
            sessions = support.sessions(self.db, self.user, self.episode.id, opening=not self._opened)
            self._opened = True
            consents = {c.id: c for c in plans.consents(self.db, self.user, self.episode.id)} \
                if any(s.consent_id is not None for s in sessions) else {}
        except ClinicError as exc:
            self.status.setText(f"Could not read the sessions: {error_message(exc)}")
            self.status.setVisible(True)
            return
        self.status.setVisible(False)
        selected = self.selected_session()
        self.sessions = sessions
        self.list.clear()
        for view in sessions:
            item = QListWidgetItem(session_text(view, consents))
            item.setData(HTML_ROLE, session_html(view, consents))
            item.setData(SESSION_ROLE, view.id)
            self.list.addItem(item)
            if selected is not None and view.id == selected.id:
                self.list.setCurrentItem(item)
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous() and self._read_once:  # the tab shown again: another workstation
            self.refresh()                                  # may have added one
        self._read_once = True

    def selected_session(self) -> support.SessionView | None:
        item = self.list.currentItem()
        if item is None:
            return None
        wanted = item.data(SESSION_ROLE)
        return next((s for s in self.sessions if s.id == wanted), None)

    def may_add_addendum(self, view: support.SessionView | None) -> bool:
        return (view is not None and self.user.can("sessions.record")
                and (view.signed_by_id == self.user.id or self.user.role == Role.ADMIN))

    def _update_buttons(self) -> None:
        view = self.selected_session()
        if not gate(self.addendum_button, self.user, "sessions.record", self.may_add_addendum(view)):
            return  # the tooltip says who may
        if view is not None and not self.may_add_addendum(view):
            self.addendum_button.setToolTip("Only the session's author or an administrator adds an addendum")

    # ---- recording ---------------------------------------------------------------------------
    def _recorded(self) -> None:
        self.refresh()
        self.changed.emit()

    def new_session(self) -> None:
        if self.user.can("sessions.record") and not self.closed and self._dialogs.dialog is None:
            self._dialogs.open(SessionDialog(self.db, self.user, self.episode.id, self))

    def add_addendum(self) -> None:
        view = self.selected_session()
        if self.may_add_addendum(view) and self._dialogs.dialog is None:
            assert view is not None
            self._dialogs.open(SessionAddendumDialog(self.db, self.user, view, self))


def _text_box(name: str, lines: int = 3, placeholder: str = "") -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)
    if placeholder:
        box.setPlaceholderText(placeholder)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


class SessionDialog(AsksBeforeDiscarding, GeometryDialog):
    """Record one support session (a group is recorded elsewhere, for all its attendees): Save
    (or Ctrl+Enter) checks it, asks the password and signs it."""

    saved = Signal(object)  # the SessionView signed
    GROW_TO_FIT = True

    def __init__(self, db, user: SignedInUser, episode_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionDialog")
        self.setWindowTitle("New support session")
        self.db, self.user, self.episode_id = db, user, episode_id
        self._signing = DialogSlot()
        self._consent_timer = QTimer(self)
        self._consent_timer.setSingleShot(True)
        self._consent_timer.setInterval(250)
        self._consent_timer.timeout.connect(self.show_consent)

        content = QWidget()
        form = self.form = QFormLayout(content)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of session")
        for key, label in rules.KINDS.items():
            if key == rules.GROUP or (key in rules.COUNSELOR_KINDS and not user.can("sessions.counsel")):
                continue
            self.kind.addItem(label, key)
        self._row(form, "&Kind", self.kind)
        self.family_member = QLineEdit()
        self.family_member.setAccessibleName("Family member")
        self.family_member.setPlaceholderText("Their name, as the consent names them")
        self.family_member.textChanged.connect(lambda _t: self._consent_timer.start())
        self.consent_status = QLabel()
        self.consent_status.setAccessibleName("Consent status")
        self.consent_status.setWordWrap(True)
        self.consent_status.setProperty("role", "hint")
        family = QWidget()
        family_box = QVBoxLayout(family)
        family_box.setContentsMargins(0, 0, 0, 0)
        family_box.setSpacing(2)
        family_box.addWidget(self.family_member)
        family_box.addWidget(self.consent_status)
        self.family_caption = self._row(form, "&Family member", family, buddy=self.family_member)
        self.family_row = family

        self.started_at = WhenEdit("Started at", kind="datetime")
        self.started_at.set_now()
        self.started_at.edited.connect(self._update_late)
        self.started_at.line.textChanged.connect(lambda _t: self._update_late())
        self._row(form, "&Started at", self.started_at, buddy=self.started_at.line)
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for entering it late")
        self.reason.setPlaceholderText("It started more than 24 hours ago: say why")
        self.reason_caption = self._row(form, "Reason for entering it &late", self.reason)
        self.duration = QLineEdit()
        self.duration.setAccessibleName("Duration (minutes)")
        low, high = rules.DURATION_RANGE
        self.duration.setValidator(QIntValidator(low, high, self.duration))
        self.duration.setMaxLength(3)
        self.duration.setMaximumWidth(80)
        self.duration.setPlaceholderText("minutes")
        self._row(form, "&Duration (minutes)", self.duration)

        self.approaches_box = QGroupBox("Approaches")
        self.approaches_box.setAccessibleName("Approaches")
        grid = QGridLayout(self.approaches_box)
        self.approach_checks: dict[str, QCheckBox] = {}
        for n, (key, label) in enumerate(rules.APPROACHES.items()):
            check = QCheckBox(label)
            check.setAccessibleName(label)
            grid.addWidget(check, n // 2, n % 2)
            self.approach_checks[key] = check
        form.addRow(self.approaches_box)

        self.texts: dict[str, QPlainTextEdit] = {}
        captions = {"patient_words": "What the patient said they &want (in their words)",
                    "agreed": "What was &agreed", "next_step": "&Next step"}
        for key, caption in captions.items():
            box = _text_box(caption.replace("&", ""), 2 if key == "next_step" else 3)
            self.texts[key] = box
            self._row(form, caption, box)

        # What matters to them: folded away until asked (the intake's four questions).
        self.matters_toggle = QToolButton()
        self.matters_toggle.setText("What matters to them")
        self.matters_toggle.setAccessibleName("What matters to them")
        self.matters_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.matters_toggle.setCheckable(True)
        self.matters_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.matters_toggle.toggled.connect(self._show_matters)
        form.addRow(self.matters_toggle)
        self.matters = QWidget()
        matters_form = QFormLayout(self.matters)
        matters_form.setContentsMargins(16, 0, 0, 0)
        matters_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.matter_boxes: dict[str, QPlainTextEdit] = {}
        for key, label in assessment.WHAT_MATTERS:
            box = _text_box(label, 2, assessment.WHAT_MATTERS_HINTS[key])
            self.matter_boxes[key] = box
            self._row(matters_form, label, box)
        form.addRow(self.matters)
        self.matters.setVisible(False)

        ruler = QLabel("Readiness \u2014 ask: \u201c" + " ".join(rules.RULER.values()) + "\u201d "
                       "Leave a number empty when it was not asked.")
        ruler.setProperty("role", "hint")
        ruler.setWordWrap(True)
        form.addRow(ruler)
        self.ruler: dict[str, ScaleEdit] = {}
        ruler_row = QHBoxLayout()
        for key, label in (("importance", "Importance (0\u201310)"), ("confidence", "Confidence (0\u201310)")):
            edit = ScaleEdit()
            edit.setAccessibleName(label)
            edit.setPlaceholderText("not asked")
            edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("not asked") + 24)  # never cut
            edit.setToolTip(rules.RULER[key])
            self.ruler[key] = edit
            ruler_caption = QLabel(label)
            ruler_caption.setBuddy(edit)
            ruler_row.addWidget(ruler_caption)
            ruler_row.addWidget(edit)
            ruler_row.addSpacing(12)
        ruler_row.addStretch(1)
        form.addRow(ruler_row)

        self.general = error_line()
        self.buttons = save_cancel(self, "Save and sign\u2026")
        self.save_button = self.buttons.buttons()[0]
        self.save_button.setToolTip("Ctrl+Enter: check the session, then sign it with your password")
        make_primary(self.save_button)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setWhatsThis("Save and sign the session")
            shortcut.activated.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.general)
        layout.addWidget(ContentScroll(content, "Session"), 1)
        layout.addWidget(self.buttons)
        fields: dict[str, QWidget] = {"kind": self.kind, "family_member": self.family_member,
                                      "started_at": self.started_at, "reason": self.reason,
                                      "duration_min": self.duration, "approaches": self.approaches_box,
                                      **self.texts,
                                      **{f"what_matters.{k}": b for k, b in self.matter_boxes.items()},
                                      "what_matters": self.matters_toggle, **self.ruler}
        self.errors = FieldErrors(fields, general=self.general)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self._update_late()
        self.resize(640, 720)
        self.kind.setFocus()

    def _row(self, form: QFormLayout, caption: str, field: QWidget, buddy: QWidget | None = None) -> QLabel:
        label = QLabel(caption)
        label.setWordWrap(True)
        label.setBuddy(buddy or field)
        form.addRow(label, field)
        return label

    # ---- the form's parts that come and go ---------------------------------------------------
    def _kind_changed(self, *_args) -> None:
        family = self.kind.currentData() == rules.FAMILY
        self.form.setRowVisible(self.family_row, family)
        if family:
            self.show_consent()

    def _update_late(self, *_args) -> None:
        started = self.started_at.datetime_value()
        late = started is not None and clock.now() - started > rules.LATE_ENTRY
        self.form.setRowVisible(self.reason, late)

    def _show_matters(self, shown: bool) -> None:
        self.matters.setVisible(shown)
        self.matters_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def show_consent(self) -> None:
        """The consent line under the family member's name: shared under which consent, or not."""
        self._consent_timer.stop()
        person = self.family_member.text().strip()
        if not person:
            self.consent_status.setText("Type the name as the consent names them to see whether it "
                                        "may be shared.")
            return
        try:
            consent = support.consent_for(self.db, self.user, self.episode_id, person)
        except ClinicError as exc:
            self.consent_status.setText(f"The consents could not be read: {error_message(exc)}")
            return
        if consent is None:
            self.consent_status.setText("No active consent names this person: the session will be "
                                        "recorded without disclosure.")
        else:
            who = consent.recipient_name + (f" ({consent.relationship})" if consent.relationship else "")
            self.consent_status.setText(f"Shared under consent: {who}, until {consent.expires_on.isoformat()}.")

    # ---- saving ------------------------------------------------------------------------------
    def session_input(self) -> rules.SessionInput:
        """What the form holds (ValidationError, shown under the field, for a start that cannot be read)."""
        started = self.started_at.read_datetime("started_at", required="Enter when it started.")
        duration_text = self.duration.text().strip()
        try:
            duration = int(duration_text) if duration_text else None
        except ValueError:
            duration = None
        late = started is not None and clock.now() - started > rules.LATE_ENTRY
        return rules.SessionInput(
            kind=str(self.kind.currentData() or ""), started_at=started, duration_min=duration,
            approaches=tuple(k for k, c in self.approach_checks.items() if c.isChecked()),
            **{key: box.toPlainText() for key, box in self.texts.items()},
            what_matters={k: b.toPlainText() for k, b in self.matter_boxes.items() if b.toPlainText().strip()},
            importance=self._ruler("importance"), confidence=self._ruler("confidence"),
            family_member=self.family_member.text() if self.kind.currentData() == rules.FAMILY else "",
            reason=self.reason.text() if late else "")

    def _ruler(self, key: str) -> int | None:
        text = self.ruler[key].text().strip()
        return int(text) if text.isdigit() else None

    def show_errors(self, fields: dict[str, str]) -> None:
        if any(k.startswith("what_matters") for k in fields):
            self.matters_toggle.setChecked(True)
        self.errors.show(fields)

    def save(self) -> None:
        """Check what is typed (a refusal next to its field), then ask the password to sign."""
        if self._signing.dialog is not None:
            return
        try:
            data = self.session_input()
            rules.check(data, clock.now())
        except ValidationError as exc:
            self.show_errors(dict(exc.fields))
            return
        self.errors.clear()
        dialog = SignDialog(self, title="Sign the session", accept_text="Sign",
                            text="Signing stores the session on the patient's record as it is; it can "
                                 "then be corrected only by an addendum. Enter your password to sign.")
        dialog.submitted.connect(lambda password: self._sign(data, password, dialog))
        self._signing.open(dialog)

    def _sign(self, data: rules.SessionInput, password: str, dialog: SignDialog) -> None:
        db, user, episode_id = self.db, self.user, self.episode_id
        QueryOp(parent=self, what="support session sign",
                op=lambda: support.record_session(db, user, episode_id, data, password),
                success=lambda view: self._signed(view, dialog)) \
            .failure(lambda exc: self._refused(exc, dialog)) \
            .disabling(dialog.accept_button, self.save_button).run_in_background()

    def _refused(self, exc: BaseException, dialog: SignDialog) -> None:
        if isinstance(exc, ValidationError) and "password" in exc.fields:
            dialog.show_error(exc.fields["password"])
            return
        if isinstance(exc, ValidationError):
            dialog.reject()
            self.show_errors(dict(exc.fields))
            return
        dialog.show_error(error_message(exc))

    def _signed(self, view: support.SessionView, dialog: SignDialog) -> None:
        dialog.accept()
        log.info("support session %s recorded in episode %s", view.id, view.episode_id)
        self.saved.emit(view)
        self.accept()


class SessionAddendumDialog(AsksBeforeDiscarding, GeometryDialog):
    """Correct a signed session: why, and the correction (the session itself never changes)."""

    saved = Signal(object)  # the AddendumView

    def __init__(self, db, user: SignedInUser, view: support.SessionView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionAddendumDialog")
        self.setWindowTitle("Add an addendum to the session")
        self.db, self.user, self.session_id = db, user, view.id
        about = QLabel(f"{_when(view.started_at)} \u00b7 {view.kind_label} \u00b7 {view.signed_by_name}. "
                       "The session stays as signed; the addendum is shown under it.")
        about.setWordWrap(True)
        about.setProperty("role", "hint")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason")
        self.text = _text_box("Correction", 5)
        form = QFormLayout()
        for caption, field in (("&Reason", self.reason), ("&Correction", self.text)):
            label = QLabel(caption)
            label.setBuddy(field)
            form.addRow(label, field)
        self.general = error_line()
        self.buttons = save_cancel(self, "Add addendum")
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.general)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.errors = FieldErrors({"reason": self.reason, "text": self.text}, general=self.general)
        self.resize(520, 320)
        self.reason.setFocus()

    def save(self) -> None:
        ok, added = self.errors.attempt(lambda: support.add_addendum(
            self.db, self.user, self.session_id, self.reason.text(), self.text.toPlainText()))
        if ok:
            self.saved.emit(added)
            self.accept()


__all__ = ["NEW_SESSION_KEYS", "SessionAddendumDialog", "SessionDialog", "SupportPage", "readiness_text"]
