"""Slow work runs off the GUI thread through gui.operations; the window keeps answering."""

from __future__ import annotations

import logging
import threading
import time

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QListWidget,
    QProgressDialog,
    QPushButton,
    QWidget,
)

from clinic_desktop.core.errors import ValidationError
from clinic_desktop.gui.operations import UNEXPECTED, QueryOp, run_in_background

SLOW_S = 1.0




class Ticker:
    """A timer on the GUI thread: it only ticks while the event loop runs (the window answers)."""

    def __init__(self, interval_ms: int = 20) -> None:
        self.ticks = 0
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(interval_ms)

    def _tick(self) -> None:
        self.ticks += 1

    def stop(self) -> None:
        self.timer.stop()


def answers_while(qtbot, running, done, *, ticks: int = 10, timeout: int = 15000) -> None:
    """The GUI thread keeps running its timers while ``running()``; then ``done()`` comes true."""
    ticker = Ticker()
    try:
        qtbot.waitUntil(lambda: ticker.ticks >= ticks, timeout=timeout)
        assert running(), "the work ended before the window was seen answering"
        qtbot.waitUntil(done, timeout=timeout)
    finally:
        ticker.stop()


def test_success_runs_in_a_worker_and_the_result_arrives_once_on_the_gui_thread(qtbot, host, warnings):
    threads, results = [], []

    def work() -> int:
        threads.append(threading.current_thread() is threading.main_thread())
        return 42

    def success(value: int) -> None:
        results.append((value, threading.current_thread() is threading.main_thread()))

    op = QueryOp(parent=host, op=work, success=success).run_in_background()
    assert op.running and QApplication.overrideCursor() is not None  # busy while it works
    with qtbot.waitSignal(op.succeeded, timeout=10000) as done:
        pass
    assert done.args == [42] and results == [(42, True)] and threads == [False]
    assert QApplication.overrideCursor() is None and warnings == []
    qtbot.wait(50)
    assert results == [(42, True)]  # once


def test_a_clinic_error_shows_its_one_line_message(qtbot, host, warnings):
    def work():
        raise ValidationError("This consent has expired.")

    results = []
    op = QueryOp(parent=host, op=work, success=results.append, failure_title="Not done").run_in_background()
    with qtbot.waitSignal(op.failed, timeout=10000) as failed:
        pass
    assert failed.args == ["This consent has expired."]
    assert warnings == [("Not done", "This consent has expired.")] and results == []
    assert QApplication.overrideCursor() is None


def test_an_unexpected_error_logs_its_type_only_and_shows_a_plain_line(qtbot, host, warnings, caplog):
    def work():
        raise KeyError("Rosa Díaz")  # patient data in the exception must not reach the log or screen

    caplog.set_level(logging.INFO)
    op = QueryOp(parent=host, op=work, success=print, what="test work").run_in_background()
    with qtbot.waitSignal(op.failed, timeout=10000):
        pass
    assert warnings == [("Not done", UNEXPECTED)]
    assert "test work failed: unexpected KeyError" in caplog.text and "Rosa" not in caplog.text


def test_a_failure_callback_replaces_the_box(qtbot, host, warnings):
    seen = []

    def work():
        raise ValidationError("No.")

    op = run_in_background(host, work, print, failure=seen.append)
    with qtbot.waitSignal(op.failed, timeout=10000):
        pass
    assert warnings == [] and len(seen) == 1 and isinstance(seen[0], ValidationError)


def test_the_control_is_off_while_it_runs_and_back_on_after(qtbot, host):
    button = QPushButton("Go", host)
    already_off = QPushButton("Off", host)
    already_off.setEnabled(False)
    release = threading.Event()
    op = run_in_background(host, lambda: release.wait(10), lambda _v: None,
                           disabling=[button, already_off])
    assert not button.isEnabled() and not already_off.isEnabled()
    qtbot.wait(50)
    assert not button.isEnabled()
    release.set()
    with qtbot.waitSignal(op.succeeded, timeout=10000):
        pass
    assert button.isEnabled() and not already_off.isEnabled()  # only what it turned off


def test_progress_is_reported_from_the_worker(qtbot, host):
    steps = []
    go_on = threading.Event()

    def work(progress) -> str:
        progress.report(3, 10, "Three of ten")
        go_on.wait(10)
        return "done"

    op = (QueryOp(parent=host, op=work, success=steps.append)
          .with_progress("Working…", name="Working", show_after_ms=0)
          .run_in_background())
    dialog = op.progress_dialog()
    assert isinstance(dialog, QProgressDialog) and dialog.accessibleName() == "Working"
    qtbot.waitUntil(lambda: dialog.value() == 3 and dialog.maximum() == 10, timeout=10000)
    assert dialog.isVisible() and dialog.labelText() == "Three of ten"
    go_on.set()
    qtbot.waitUntil(lambda: steps == ["done"], timeout=10000)
    assert op.progress_dialog() is None


def test_cancel_is_seen_by_the_work_and_its_result_still_arrives(qtbot, host):
    results = []
    started = threading.Event()

    def work(progress) -> str:
        started.set()
        deadline = time.monotonic() + 10
        while not progress.cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        return "stopped" if progress.cancelled() else "ran out"

    op = (QueryOp(parent=host, op=work, success=results.append)
          .with_progress("Working…", cancellable=True, show_after_ms=0)
          .run_in_background())
    qtbot.waitUntil(started.is_set, timeout=10000)
    cancel = op.progress_dialog().findChild(QPushButton)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: results == ["stopped"], timeout=10000)
    assert QApplication.overrideCursor() is None


def test_the_window_answers_while_the_work_runs(qtbot, host):
    results = []
    op = run_in_background(host, lambda: time.sleep(SLOW_S) or "slept", results.append)
    answers_while(qtbot, lambda: op.running, lambda: results == ["slept"])


def test_a_closed_window_drops_the_result(qtbot, warnings):
    w = QWidget()
    w.show()
    results = []
    release = threading.Event()
    run_in_background(w, lambda: release.wait(10), results.append)
    assert QApplication.overrideCursor() is not None
    w.deleteLater()
    qtbot.waitUntil(lambda: QApplication.overrideCursor() is None, timeout=5000)  # cursor back
    release.set()
    qtbot.wait(200)
    assert results == [] and warnings == []


# --- each routed call keeps the window answering while a slow service works --------------------

def slowed(monkeypatch, module, name: str):
    """``module.name`` made ~1 s slower (a slow PostgreSQL server); returns the calls' threads."""
    real = getattr(module, name)
    threads = []

    def slow(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        time.sleep(SLOW_S)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)
    return threads


def test_sign_in_keeps_the_window_answering(qtbot, db, admin, monkeypatch):
    from PySide6.QtWidgets import QLineEdit

    from clinic_desktop.core.services import accounts
    from clinic_desktop.gui.login_dialog import LoginDialog
    from tests.gui.helpers import STRONG_PASSWORD, button, by_name, type_into

    threads = slowed(monkeypatch, accounts, "authenticate")
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_into(qtbot, by_name(dialog, QLineEdit, "User name"), "admin")
    password = by_name(dialog, QLineEdit, "Password")
    type_into(qtbot, password, STRONG_PASSWORD)
    sign_in = button(dialog, "Sign in")
    qtbot.keyClick(password, Qt.Key.Key_Return)
    assert not sign_in.isEnabled()
    answers_while(qtbot, lambda: not sign_in.isEnabled(), lambda: dialog.signed_in_user == admin)
    assert threads == [False] and dialog.result() == LoginDialog.DialogCode.Accepted


def _directory_dialog(qtbot, db, user):
    from clinic_desktop.gui.directory_dialog import DirectoryDialog

    dialog = DirectoryDialog(db, user)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_directory_import_keeps_the_window_answering(qtbot, db, admin, monkeypatch, tmp_path):
    from clinic_desktop.core.services import directory
    from clinic_desktop.gui.directory_dialog import ImportReportDialog
    from tests.gui.helpers import dialog_named

    dialog = _directory_dialog(qtbot, db, admin)
    path = tmp_path / "contacts.csv"
    path.write_text(",".join(directory.CSV_COLUMNS) + "\nAlder Counseling,counselor,(503) 555-0201"
                    ",,,,en,no,,,\n", encoding="utf-8")
    check_threads = slowed(monkeypatch, directory, "check_csv")
    dialog.import_file(str(path))
    assert not dialog.import_button.isEnabled()
    answers_while(qtbot, lambda: not dialog.import_button.isEnabled(),
                  lambda: dialog_named(dialog, "Import report") is not None)
    report = dialog_named(dialog, "Import report")
    assert isinstance(report, ImportReportDialog)
    qtbot.waitExposed(report)
    import_threads = slowed(monkeypatch, directory, "import_csv")
    report.import_all_button.click()
    answers_while(qtbot, lambda: dialog_named(dialog, "Importing directory") is not None,
                  lambda: dialog.last_result is not None)
    assert dialog.last_result.imported == 1 and check_threads == import_threads == [False]
    assert dialog.import_button.isEnabled()


def test_directory_export_keeps_the_window_answering(qtbot, db, nurse, monkeypatch, tmp_path):
    from clinic_desktop.core.services import directory

    dialog = _directory_dialog(qtbot, db, nurse)
    threads = slowed(monkeypatch, directory, "export_csv")
    dialog.export_file(str(tmp_path / "out.csv"))
    assert not dialog.export_button.isEnabled()
    answers_while(qtbot, lambda: not dialog.export_button.isEnabled(),
                  lambda: dialog.last_export is not None)
    assert dialog.last_export == 5 and threads == [False]  # the national helplines
    assert (tmp_path / "out.csv").read_text(encoding="utf-8-sig").count("\n") == 6


def test_the_handover_keeps_the_window_answering(qtbot, db, nurse, monkeypatch):
    from clinic_desktop.core.services import handover
    from tests.gui.conftest import shown_main_window
    from tests.gui.helpers import dialog_named

    window = shown_main_window(qtbot, db, nurse)
    threads = slowed(monkeypatch, handover, "print_handover")
    action = window.ui.actionHandover
    action.trigger()
    assert not action.isEnabled()  # no second handover while this one is prepared
    answers_while(qtbot, lambda: not action.isEnabled(),
                  lambda: dialog_named(window, "Shift handover") is not None)
    assert threads == [False] and action.isEnabled()
    dialog_named(window, "Shift handover").reject()


def test_signing_an_intake_keeps_the_window_answering(qtbot, db, nurse, monkeypatch):
    from PySide6.QtWidgets import QAbstractButton, QLineEdit

    from clinic_desktop.core.services import intake
    from tests.factories import admit_without_intake
    from tests.gui.conftest import shown_main_window
    from tests.gui.helpers import STRONG_PASSWORD, button, by_name, dialog_named, named, type_into

    admit_without_intake(db, nurse, mrn="I-9", stage="assessment")
    window = shown_main_window(qtbot, db, nurse)
    window.search_for("I-9")
    qtbot.mouseClick(named(window.ui.toolBar, QAbstractButton, "Start assessment"),
                     Qt.MouseButton.LeftButton)
    screen = dialog_named(window, "Assessment")
    assert screen is not None
    qtbot.waitExposed(screen)
    threads = slowed(monkeypatch, intake, "sign")
    screen.request_sign()  # the summary page, with its Sign… button, is built by now
    sign = button(screen, "Sign\u2026")
    dialog = screen.sign_dialog()
    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), STRONG_PASSWORD)
    qtbot.mouseClick(button(dialog, "Sign"), Qt.MouseButton.LeftButton)
    assert not sign.isEnabled() and not button(dialog, "Sign").isEnabled()
    # The answer (an empty intake: what is missing) arrives, and the list of it is shown.
    answers_while(qtbot, lambda: not sign.isEnabled(), lambda: screen.sign_dialog() is None)
    assert threads == [False] and sign.isEnabled()
    assert by_name(screen, QListWidget, "Missing before signing").count() > 0


def test_finalizing_a_plan_keeps_the_window_answering(qtbot, db, admin, monkeypatch):
    from PySide6.QtWidgets import QLineEdit

    from clinic_desktop.core.services import plans
    from tests.conftest import make_user
    from tests.factories import admit_with_signed_intake
    from tests.gui.helpers import STRONG_PASSWORD, button, by_name, open_plan_screen, type_into

    counselor = make_user(db, admin, "counselor")
    episode_id, patient = admit_with_signed_intake(db, admin)
    screen = open_plan_screen(qtbot, db, counselor, episode_id, patient)
    threads = slowed(monkeypatch, plans, "finalize")
    screen.request_finalize()
    finalize = button(screen, "Finalize\u2026")
    dialog = screen.sign_dialog()
    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), STRONG_PASSWORD)
    qtbot.mouseClick(button(dialog, "Finalize"), Qt.MouseButton.LeftButton)
    assert not finalize.isEnabled() and not button(dialog, "Finalize").isEnabled()
    # The answer (an empty plan: what is missing) arrives, and the list of it is shown.
    answers_while(qtbot, lambda: not finalize.isEnabled(), lambda: screen.sign_dialog() is None)
    assert threads == [False] and finalize.isEnabled()
    assert by_name(screen, QListWidget, "Missing before finalizing").count() > 0


def test_creating_the_first_administrator_keeps_the_window_answering(qtbot, db, monkeypatch):
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

    from clinic_desktop.core.services import accounts
    from clinic_desktop.gui.first_run_dialog import FirstRunDialog
    from tests.gui.helpers import STRONG_PASSWORD, button, by_name, type_into

    threads = slowed(monkeypatch, accounts, "create_first_admin")
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for label, text in (("Full name", "Ada Admin"), ("User name", "ada"),
                        ("Password", STRONG_PASSWORD), ("Repeat password", STRONG_PASSWORD),
                        ("Clinic name", "Riverbend Clinic"), ("Clinic phone", "(217) 555-0142")):
        type_into(qtbot, by_name(dialog, QLineEdit, label), text)
    type_into(qtbot, by_name(dialog, QPlainTextEdit, "Clinic address"), "12 Mill Road")
    create = button(dialog, "Create administrator")
    qtbot.mouseClick(create, Qt.MouseButton.LeftButton)
    assert not create.isEnabled()
    answers_while(qtbot, lambda: not create.isEnabled(), lambda: dialog.created_user is not None)
    assert threads == [False] and dialog.result() == FirstRunDialog.DialogCode.Accepted


def test_adding_a_user_and_setting_a_password_keep_the_window_answering(qtbot, db, admin, nurse,
                                                                          monkeypatch):
    from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

    from clinic_desktop.core.services import accounts
    from clinic_desktop.gui.users_dialog import UsersDialog
    from tests.gui.helpers import STRONG_PASSWORD, button, by_name, shown_dialog, type_into

    threads = slowed(monkeypatch, accounts, "create_user")
    dialog = UsersDialog(db, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for label, text in (("Full name", "Nora Nightingale"), ("User name", "nora"),
                        ("Password", STRONG_PASSWORD), ("Repeat password", STRONG_PASSWORD)):
        type_into(qtbot, by_name(dialog, QLineEdit, label), text)
    role = by_name(dialog, QComboBox, "Role")
    role.setCurrentIndex(role.findText("Nurse"))
    add = button(dialog, "Add user")
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert not add.isEnabled()
    added = by_name(dialog, QLabel, "Confirmation")
    answers_while(qtbot, lambda: not add.isEnabled(), lambda: added.text().startswith("Added nora"))
    assert threads == [False]

    threads = slowed(monkeypatch, accounts, "change_password")
    dialog.refresh(select_id=nurse.id)
    qtbot.mouseClick(button(dialog, "Set password\u2026"), Qt.MouseButton.LeftButton)
    prompt = shown_dialog(qtbot, dialog, "Set password")
    for label in ("New password", "Repeat password"):
        type_into(qtbot, by_name(prompt, QLineEdit, label), STRONG_PASSWORD + "2")
    ok = button(prompt, "Set password")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert not ok.isEnabled()
    answers_while(qtbot, lambda: not ok.isEnabled(),
                  lambda: not shiboken6.isValid(prompt) or not prompt.isVisible())
    assert threads == [False]
    assert accounts.authenticate(db, nurse.username, STRONG_PASSWORD + "2").id == nurse.id
