"""Patient check-in mode (issue #16 item 7): staff hand the workstation to the patient for the
daily check-in and the PHQ-9 and GAD-7.

``HandOverDialog`` — staff choose what to ask (the check-in always; the PHQ-9 and GAD-7 ticked)
and the language (the patient's preferred one when it is English or Spanish, else English).

``PatientCheckInWindow`` — full screen, frameless, application modal: one question per page in
the patient's language (``core.self_report``), large buttons (0–10 for the scales, a button per
choice), Skip and Back on every page, "3 of 20". Keys: a digit picks (1 then 0 is 10), Enter
answers, Backspace goes back; Escape and Alt+F4 do nothing. Finishing saves everything in one
call (``stabilization.record_self_report``, as the staff member who handed over), says thank you
and locks; after the clinic's idle-lock time without input, or on Stop, it locks too and keeps the
answers. Only a care-team password unlocks; staff are then asked whether to save answers not yet
saved (Save is the default: a PHQ-9 is never dropped silently). The patient never sees a score or
the safety alert; the stabilization screen refreshes when the window closes.

While the window is open the main window's idle lock is paused: this window locks itself.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QKeyEvent,
    QMouseEvent,
    QTabletEvent,
    QTouchEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import self_report
from clinic_desktop.core.errors import AuthenticationError, ClinicError
from clinic_desktop.core.instruments import get_instrument
from clinic_desktop.core.languages import patient_language_name
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import accounts, stabilization

log = logging.getLogger(__name__)

PERMISSION = "checkins.record"
#: The smallest height of every button the patient presses.
TARGET_PX = 72
_ACTIVITY = (QKeyEvent, QMouseEvent, QWheelEvent, QTouchEvent, QTabletEvent)
_STYLE = f"""
QWidget#patientMode QPushButton {{ font-size: 20pt; min-height: {TARGET_PX}px; padding: 4px 18px; }}
QWidget#patientMode QPushButton[answer="true"] {{ min-width: 56px; padding: 4px 6px; font-size: 19pt; }}
QWidget#patientMode QPushButton:checked {{ font-weight: 700; }}
QWidget#patientMode QLabel#question {{ font-size: 22pt; font-weight: 600; }}
QWidget#patientMode QLabel#stem, QWidget#patientMode QLabel#progress {{ font-size: 15pt; }}
QWidget#patientMode QLabel#ends {{ font-size: 16pt; }}
QWidget#patientMode QLabel#message {{ font-size: 28pt; font-weight: 600; }}
QWidget#patientMode QLabel#keys {{ font-size: 12pt; }}
QWidget#patientMode QLineEdit {{ font-size: 14pt; min-height: 40px; }}
"""
_NAMES = {"checkin": "Daily check-in (craving, mood, anxiety, pain, sleep, appetite, fluids)",
          "phq9": "PHQ-9 (depression)", "gad7": "GAD-7 (anxiety)"}


class HandOverDialog(QDialog):
    """What to ask and in which language, before the workstation is handed to the patient."""

    def __init__(self, preferred_language: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Hand to patient")
        intro = QLabel("The patient answers on the whole screen, one question at a time. Nothing else can "
                       "be opened until a member of the care team unlocks it with their password.")
        intro.setWordWrap(True)
        self.boxes: dict[str, QCheckBox] = {}
        form = QFormLayout()
        for section in self_report.SECTIONS:
            box = QCheckBox(_NAMES[section])
            box.setAccessibleName(_NAMES[section])
            box.setChecked(True)
            box.setEnabled(section != "checkin")  # the check-in is always asked
            self.boxes[section] = box
            form.addRow(box)
        self.language_combo = QComboBox()
        self.language_combo.setAccessibleName("Language")
        for code in self_report.LANGUAGES:
            self.language_combo.addItem(patient_language_name(code), code)
        self.language_combo.setCurrentIndex(
            self_report.LANGUAGES.index(self_report.language_for(preferred_language)))
        caption = QLabel("&Language")
        caption.setBuddy(self.language_combo)
        form.addRow(caption, self.language_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = buttons.addButton("Hand to patient", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setAccessibleName("Hand to patient")
        self.start_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, 260)

    def sections(self) -> tuple[str, ...]:
        return tuple(s for s in self_report.SECTIONS if s == "checkin" or self.boxes[s].isChecked())

    def language(self) -> str:
        return str(self.language_combo.currentData())


class PatientCheckInWindow(QWidget):
    """The full-screen check-in the patient answers (see the module's docstring)."""

    #: Emitted once, when staff have unlocked and the window closes: whether anything was saved.
    done = Signal(bool)
    locked = Signal()

    def __init__(self, db, user: SignedInUser, episode_id: int, language: str,
                 sections: tuple[str, ...] = self_report.SECTIONS, parent: QWidget | None = None, *,
                 idle_ms: int | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.db, self.user, self.episode_id = db, user, episode_id
        self.language = self_report.language_for(language)
        self.questions = self_report.questions(self.language, sections)
        self.answers: dict[str, float | str] = {}
        self.index = 0
        self.finished = False  # the patient reached the end
        self.saved = False  # the answers are in the record (or there were none)
        self.saved_any = False
        self._typed = ""
        self._pending: float | str | None = None
        self._may_close = False
        self._paused_lock: QObject | None = None
        self.save_question: QMessageBox | None = None
        self.setObjectName("patientMode")
        self.setWindowTitle(self_report.text(self.language, "title"))
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_question_page())
        self.pages.addWidget(self._build_locked_page())
        QVBoxLayout(self).addWidget(self.pages)
        if idle_ms is None:
            from clinic_desktop.core.services import settings

            idle_ms = int(settings.get(db, "idle_lock_minutes")) * 60_000
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_ms)
        self._idle.timeout.connect(self._stepped_away)
        self._show_question()

    # ---- building --------------------------------------------------------------------------
    def _button(self, label: str, name: str | None = None) -> QPushButton:
        button = QPushButton(label)
        button.setAccessibleName(name or label)
        button.setMinimumHeight(TARGET_PX)
        button.setAutoDefault(False)
        return button

    def _build_question_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(32, 20, 32, 20)
        layout.setSpacing(12)
        top = QHBoxLayout()
        self.progress_label = QLabel()
        self.progress_label.setObjectName("progress")
        self.progress_label.setAccessibleName("Progress")
        self.stop_button = self._button("Stop (staff)")
        self.stop_button.setToolTip("For staff: lock the screen; your password unlocks it. The answers are kept.")
        self.stop_button.clicked.connect(self.lock)
        self.stem_label = QLabel()
        self.stem_label.setObjectName("stem")
        self.stem_label.setAccessibleName("Question stem")
        self.stem_label.setWordWrap(True)
        top.addWidget(self.stem_label, 1, Qt.AlignmentFlag.AlignBottom)
        top.addSpacing(24)
        top.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignTop)
        self.question_label = QLabel()
        self.question_label.setObjectName("question")
        self.question_label.setAccessibleName("Question")
        self.question_label.setWordWrap(True)
        self.answer_area = QWidget()
        self.answer_grid = QGridLayout(self.answer_area)
        self.answer_grid.setSpacing(8)
        self.answer_grid.setContentsMargins(0, 0, 0, 0)
        ends = QHBoxLayout()
        self.low_label, self.high_label = QLabel(), QLabel()
        for label, name in ((self.low_label, "Low end"), (self.high_label, "High end")):
            label.setObjectName("ends")
            label.setAccessibleName(name)
        ends.addWidget(self.low_label)
        ends.addStretch(1)
        ends.addWidget(self.high_label)
        bottom = QHBoxLayout()
        self.back_button = self._button(self_report.text(self.language, "back"))
        self.back_button.clicked.connect(self.back)
        self.skip_button = self._button(self_report.text(self.language, "skip"))
        self.skip_button.clicked.connect(self.skip)
        keys = QLabel(self_report.text(self.language, "keys"))
        keys.setObjectName("keys")
        keys.setWordWrap(True)
        self.progress_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        keys.setAlignment(Qt.AlignmentFlag.AlignCenter)
        middle = QVBoxLayout()
        middle.addWidget(self.progress_label)
        middle.addWidget(keys)
        bottom.addWidget(self.back_button)
        bottom.addLayout(middle, 1)
        bottom.addWidget(self.skip_button)
        layout.addLayout(top)
        layout.addWidget(self.question_label)
        layout.addSpacing(8)
        layout.addWidget(self.answer_area)
        layout.addLayout(ends)
        layout.addStretch(1)
        layout.addLayout(bottom)
        self.answer_buttons: list[QPushButton] = []
        return page

    def _build_locked_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(48, 32, 48, 32)
        self.message_label = QLabel()
        self.message_label.setObjectName("message")
        self.message_label.setAccessibleName("Message")
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        staff = QWidget()
        staff.setMaximumWidth(560)
        form = QFormLayout(staff)
        heading = QLabel("For staff: sign in to unlock")
        heading.setProperty("role", "heading")
        self.user_edit = QLineEdit(self.user.username)
        self.user_edit.setAccessibleName("Staff user name")
        self.password_edit = QLineEdit()
        self.password_edit.setAccessibleName("Staff password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.returnPressed.connect(self.unlock)
        self.unlock_error = QLabel()
        self.unlock_error.setAccessibleName("Unlock error")
        self.unlock_error.setProperty("role", "error")
        self.unlock_error.setWordWrap(True)
        self.unlock_error.setVisible(False)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setAutoDefault(False)
        self.unlock_button.clicked.connect(self.unlock)
        form.addRow(heading)
        form.addRow("User name", self.user_edit)
        form.addRow("Password", self.password_edit)
        form.addRow(self.unlock_error)
        form.addRow(self.unlock_button)
        layout.addStretch(1)
        layout.addWidget(self.message_label)
        layout.addStretch(1)
        layout.addWidget(staff, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        return page

    # ---- showing ---------------------------------------------------------------------------
    def start(self) -> None:
        """Cover the screen and take over the idle lock from the main window."""
        parent = self.parentWidget()
        lock = getattr(parent.window(), "idle_lock", None) if parent is not None else None
        if lock is not None and hasattr(lock, "stop") and not lock.is_locked():
            lock.stop()
            self._paused_lock = lock
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        screen = parent.screen() if parent is not None else QApplication.primaryScreen()
        if screen is not None:  # the whole screen even where no window manager makes it full screen
            self.setGeometry(screen.geometry())
        self.showFullScreen()
        self.raise_()
        self.activateWindow()
        self._idle.start()
        log.info("patient check-in mode started for episode %s (%d questions)", self.episode_id,
                 len(self.questions))

    def is_locked(self) -> bool:
        return self.pages.currentIndex() == 1

    @property
    def question(self) -> self_report.Question:
        return self.questions[self.index]

    def _show_question(self) -> None:
        q = self.question
        self._typed = ""
        self._pending = self.answers.get(q.key)
        self.progress_label.setText(self_report.text(self.language, "progress", n=self.index + 1,
                                                     total=len(self.questions)))
        self.stem_label.setText(q.stem)
        self.question_label.setText(q.text)
        self.low_label.setText(q.low)
        self.high_label.setText(q.high)
        for button in self.answer_buttons:
            self.answer_grid.removeWidget(button)
            button.hide()
            button.setParent(None)  # gone from the page now, not at the next event loop turn
            button.deleteLater()
        self.answer_buttons = []
        columns = {self_report.SCALE: 11, self_report.HOURS: 13, self_report.FREQUENCY: 2}.get(q.kind, len(q.options))
        for n, (value, words) in enumerate(q.options):
            shown = f"{self._key_of(n, value)}   {words}" if q.kind in (self_report.CHOICE,
                                                                     self_report.FREQUENCY) else words
            button = self._button(shown, words)
            button.setProperty("answer", True)
            button.setCheckable(True)
            button.setChecked(value == self._pending)
            button.clicked.connect(lambda _=False, v=value: self.answer(v))
            self.answer_buttons.append(button)
            self.answer_grid.addWidget(button, n // columns, n % columns)
        self.back_button.setEnabled(self.index > 0)
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def _key_of(self, n: int, value: float | str) -> str:
        """The digit that picks an option: the score on a 0–3 item, else its place from 1."""
        return str(value) if self.question.kind == self_report.FREQUENCY else str(n + 1)

    def _highlight(self) -> None:
        for button, (value, _) in zip(self.answer_buttons, self.question.options, strict=True):
            button.setChecked(value == self._pending)

    # ---- answering -------------------------------------------------------------------------
    def answer(self, value: float | str) -> None:
        if self.is_locked():
            return
        self.answers[self.question.key] = value
        self._next()

    def skip(self) -> None:
        if self.is_locked():
            return
        self.answers.pop(self.question.key, None)
        self._next()

    def back(self) -> None:
        if self.is_locked() or self.index == 0:
            return
        self.index -= 1
        self._show_question()

    def _next(self) -> None:
        if self.index + 1 < len(self.questions):
            self.index += 1
            self._show_question()
        else:
            self._finish()

    def _type_digit(self, digit: str) -> None:
        q = self.question
        if q.kind in (self_report.SCALE, self_report.HOURS):
            values = [v for v, _ in q.options]
            typed = self._typed + digit
            if not self._typed or float(typed) not in values:  # "1" then "0" is 10; "7" then "3" is 3
                typed = digit
            self._typed = typed
            chosen: list[float | str] = [v for v in values if v == float(typed)]
        else:
            chosen = [v for n, (v, _) in enumerate(q.options) if self._key_of(n, v) == digit]
        if chosen:
            self._pending = chosen[0]
            self._highlight()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            event.accept()  # never closes
            return
        if self.is_locked():
            super().keyPressEvent(event)
            return
        text = event.text()
        if text.isdigit() and len(text) == 1:
            self._type_digit(text)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._pending is not None:
                self.answer(self._pending)
        elif key == Qt.Key.Key_Backspace:
            self.back()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # ---- finishing, locking, unlocking -------------------------------------------------------
    def _collect(self) -> tuple[dict, dict[str, dict[str, int]]]:
        checkin: dict = {}
        scores: dict[str, dict[str, int]] = {}
        for q in self.questions:
            if q.key not in self.answers:
                continue
            if q.section == "checkin":
                checkin[q.part] = self.answers[q.key]
            else:
                scores.setdefault(q.section, {})[q.part] = int(self.answers[q.key])
        return checkin, scores

    def _save(self) -> str | None:
        """Save the answers (once); None when saved or nothing was answered, else why not."""
        if self.saved:
            return None
        checkin, scores = self._collect()
        if not checkin and not scores:
            self.saved = True
            return None
        try:
            stabilization.record_self_report(self.db, self.user, self.episode_id, checkin, scores)
        except ClinicError as exc:
            log.warning("patient check-in not saved: %s", type(exc).__name__)
            return str(exc)
        self.saved = self.saved_any = True
        return None

    def _finish(self) -> None:
        self.finished = True
        problem = self._save()
        self._lock(self_report.text(self.language, "thanks"))
        if problem:
            self._show_unlock_error(f"The answers are not saved yet: {problem} Unlock to try again.")

    def _stepped_away(self) -> None:
        if not self.is_locked():
            log.info("patient check-in mode: idle, locking")
            self.lock()

    def lock(self) -> None:
        """Stop (staff) or stepping away: lock, keeping every answer given."""
        if not self.is_locked():
            self._lock(self_report.text(self.language, "stepped_away"))

    def _lock(self, message: str) -> None:
        self._idle.stop()
        self.message_label.setText(message)
        self.password_edit.clear()
        self.unlock_error.setVisible(False)
        self.pages.setCurrentIndex(1)
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.locked.emit()

    def _show_unlock_error(self, text: str) -> None:
        self.unlock_error.setText(text)
        self.unlock_error.setVisible(True)

    def unlock(self) -> None:
        if not self.is_locked():
            return
        password = self.password_edit.text()
        self.password_edit.clear()
        try:
            staff = accounts.authenticate(self.db, self.user_edit.text(), password)
        except AuthenticationError as exc:
            self._show_unlock_error(str(exc))
            self.password_edit.setFocus()
            return
        if not staff.can(PERMISSION):
            self._show_unlock_error("Only a member of the care team (nurse, prescriber, counselor or "
                                    "administrator) can unlock this screen.")
            return
        log.info("patient check-in mode unlocked by user id %s", staff.id)
        self.unlock_error.setVisible(False)
        if self.saved or not self.answers:
            self._close()
        else:
            self._ask_to_save()

    def _ask_to_save(self) -> None:
        checkin, scores = self._collect()
        count = len(checkin) + sum(len(items) for items in scores.values())
        which = " and ".join(get_instrument(s).short_title for s in scores)
        text = (f"The patient answered {count} of {len(self.questions)} questions"
                + (f", including the {which}" if which else "") + ". Save what was answered?")
        box = QMessageBox(QMessageBox.Icon.Question, "Save the answers?", text,
                          QMessageBox.StandardButton.NoButton, self)
        box.setWindowModality(Qt.WindowModality.ApplicationModal)
        box.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        save = box.addButton("Save answers", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard answers", QMessageBox.ButtonRole.DestructiveRole)
        save.setAccessibleName("Save answers")
        discard.setAccessibleName("Discard answers")
        box.setDefaultButton(save)
        box.setEscapeButton(save)  # never discarded by a stray Escape
        self.save_question = box

        def answered(_result: int) -> None:
            self.save_question = None
            box.deleteLater()
            if box.clickedButton() is discard:
                log.info("patient check-in answers discarded by staff (%d answers)", count)
                self._close()
                return
            problem = self._save()
            if problem:
                self._show_unlock_error(f"Not saved: {problem}")
            else:
                self._close()

        box.finished.connect(answered)
        box.open()

    def _close(self) -> None:
        self._may_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_close:
            event.ignore()  # Alt+F4 and the like: only unlocking ends the mode
            return
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._idle.stop()
        if self._paused_lock is not None:
            self._paused_lock.start()  # type: ignore[attr-defined]
            self._paused_lock = None
        super().closeEvent(event)
        self.done.emit(self.saved_any)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.is_locked() and isinstance(event, _ACTIVITY):
            self._idle.start()
        return False

