"""The main window's tabs: the census first, then one tab per open patient.

A patient's tab holds the stage screens open for that patient (the assessment, the flowsheet, the
aftercare plan) as *views*, one under another's tab when more than one is open; each view shows the
patient banner (name, age, MRN, allergies, risk flags, safety alert) at its top. The screens are
the same classes that were windows before: :meth:`GeometryDialog.embed` turns one into a plain
child widget, and its ``finished`` signal (signed, finalized, closed) still ends it, which takes it
out of the tab; the tab closes with its last view.

Ctrl+Tab and Ctrl+Shift+Tab go round the tabs, Ctrl+W closes the patient's tab (each view saves its
draft as it closes), Ctrl+0 goes back to the census. Nothing patient-identifying is logged.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QStackedWidget, QTabBar, QTabWidget, QVBoxLayout, QWidget

from clinic_desktop.gui.widgets.dialog_base import VIEW_HOST, GeometryDialog

log = logging.getLogger(__name__)

#: The census and search tab is always the first, and cannot be closed.
CENSUS_INDEX = 0


class PatientTab(QWidget):
    """The views open for one patient (the tab bar above them shows only when there are two)."""

    def __init__(self, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.patient_id = patient_id
        self.views = QTabWidget(self)
        self.views.setObjectName("patientViews")
        self.views.setDocumentMode(True)
        self.views.setTabBarAutoHide(True)
        self.views.setAccessibleName("Screens of this patient")
        self.views.tabBar().setAccessibleName("Screens of this patient")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.views)
        #: Where the views are laid out (the tab widget's own stack): a screen made with it as its
        #: parent is built in place, as a view.
        host = self.views.findChild(QStackedWidget)
        assert host is not None
        host.setProperty(VIEW_HOST, True)
        self.host: QWidget = host

    def views_changed(self) -> None:
        """The bar of views shows from two views on; with one, Tab must pass the tab widget by
        (it would hand the focus to its hidden bar, and Tab would stop moving)."""
        several = self.views.count() > 1
        self.views.setFocusPolicy(Qt.FocusPolicy.TabFocus if several else Qt.FocusPolicy.NoFocus)

    def view_list(self) -> list[GeometryDialog]:
        found = []
        for index in range(self.views.count()):
            view = self.views.widget(index)
            assert isinstance(view, GeometryDialog)
            found.append(view)
        return found


def view_title(view: QWidget) -> str:
    """What a view's tab says: its title without the patient ("Assessment — Sam Example")."""
    return view.windowTitle().split(" \u2014 ", 1)[0]


class Workspace(QObject):
    """Manages ``tabs``: the census tab (already in it) and the patient tabs added here."""

    current_patient_changed = Signal(object)  # the patient id of the tab shown, or None (census)

    def __init__(self, tabs: QTabWidget, parent: QWidget) -> None:
        super().__init__(parent)
        self.tabs = tabs
        bar = tabs.tabBar()
        # A tab bar is read out by its current tab: the census tab holds the search as well, and
        # is told apart from the census table that way.
        bar.setAccessibleTabName(CENSUS_INDEX, "Census and search")
        for side in (QTabBar.ButtonPosition.LeftSide, QTabBar.ButtonPosition.RightSide):
            bar.setTabButton(CENSUS_INDEX, side, None)  # the census stays
        tabs.tabCloseRequested.connect(self.close_tab_at)
        tabs.currentChanged.connect(self._current_changed)

    # --- what is open ---------------------------------------------------------------------------
    def patient_tab(self, patient_id: int) -> PatientTab | None:
        """The patient's tab, if open (read from the tab widget: nothing else to keep in step)."""
        return next((tab for tab in self._tabs_in_order() if tab.patient_id == patient_id), None)

    def views(self) -> list[GeometryDialog]:
        """Every view open, tab by tab."""
        return [view for tab in self._tabs_in_order() for view in tab.view_list()]

    def current_patient_id(self) -> int | None:
        current = self.tabs.currentWidget()
        return current.patient_id if isinstance(current, PatientTab) else None

    def _tabs_in_order(self) -> list[PatientTab]:
        found = []
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if isinstance(widget, PatientTab):
                found.append(widget)
        return found

    # --- showing a view -------------------------------------------------------------------------
    def view_host(self, record) -> QWidget:
        """The parent to make a screen of the patient ``record`` with, so that it is built where
        it will be shown (see :meth:`GeometryDialog.embed`): their tab's host, the tab added (not
        yet shown) if they have none. :meth:`drop_empty_tab` takes it away if the screen fails."""
        tab = self.patient_tab(record.id)
        if tab is None:
            tab = PatientTab(record.id)
            tab.setAccessibleName(f"Patient {record.display_name}")
            index = self.tabs.addTab(tab, record.display_name)
            self.tabs.setTabToolTip(index, f"{record.display_name} \u00b7 MRN {record.mrn}")
        return tab.host

    def drop_empty_tab(self, patient_id: int) -> None:
        """The patient's tab, if it has no view (its screen could not be made), goes."""
        tab = self.patient_tab(patient_id)
        if tab is not None and not tab.views.count():
            self.tabs.removeTab(self.tabs.indexOf(tab))
            tab.deleteLater()

    def show_view(self, record, view: GeometryDialog) -> None:
        """Put ``view`` (a screen of the patient ``record``, best made with :meth:`view_host` as
        its parent) in the patient's tab and show it with the keyboard in it."""
        host = self.view_host(record)
        if view.parentWidget() is not host:
            view.embed(host)
        tab = self.patient_tab(record.id)
        assert tab is not None
        tab.views.addTab(view, view_title(view))
        tab.views_changed()
        view.windowTitleChanged.connect(lambda _title, v=view: self._retitle(v))
        view.finished.connect(lambda _result, v=view: self._view_finished(v))
        self.raise_view(view)

    def raise_view(self, view: GeometryDialog) -> None:
        """Bring ``view``'s tab (and the view in it) to the front, with the keyboard in it."""
        tab = self._tab_of(view)
        if tab is None:
            return
        self.tabs.setCurrentWidget(tab)
        tab.views.setCurrentWidget(view)
        view.show()
        view.window().activateWindow()
        focus_into(view)

    def _tab_of(self, view: QWidget) -> PatientTab | None:
        for tab in self._tabs_in_order():
            if tab.views.indexOf(view) >= 0:
                return tab
        return None

    def _retitle(self, view: QWidget) -> None:
        tab = self._tab_of(view)
        if tab is not None:
            tab.views.setTabText(tab.views.indexOf(view), view_title(view))

    def _view_finished(self, view: GeometryDialog) -> None:
        """A view was signed, finalized or closed: out of its tab; the tab goes with its last."""
        tab = self._tab_of(view)
        if tab is None:
            return
        tab.views.removeTab(tab.views.indexOf(view))
        tab.views_changed()
        if tab.views.count():
            return
        was_current = self.tabs.currentWidget() is tab
        self.tabs.removeTab(self.tabs.indexOf(tab))
        tab.deleteLater()
        if was_current:
            self.show_census()

    # --- keys -----------------------------------------------------------------------------------
    def show_census(self) -> None:
        self.tabs.setCurrentIndex(CENSUS_INDEX)

    def next_tab(self, step: int = 1) -> None:
        """Ctrl+Tab (``step`` 1) and Ctrl+Shift+Tab (-1): round the tabs."""
        count = self.tabs.count()
        if count > 1:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    def close_current(self) -> bool:
        """Ctrl+W: close the patient tab shown (the census stays); True when it closed."""
        return self.close_tab_at(self.tabs.currentIndex())

    def close_tab_at(self, index: int) -> bool:
        """Close the patient tab at ``index``, view by view (each saves its draft; one that asks
        first stops the closing, shown). True when the tab is gone."""
        tab = self.tabs.widget(index)
        if not isinstance(tab, PatientTab):
            return False
        for view in tab.view_list():
            tab.views.setCurrentWidget(view)
            view.reject()
            if self._tab_of(view) is not None:  # it asked (or refused): stop here, shown
                self.tabs.setCurrentWidget(tab)
                return False
        return self.patient_tab(tab.patient_id) is None

    def close_all(self) -> bool:
        """Close every patient tab (quitting, signing out); False if one stayed open."""
        return all(self.close_tab_at(self.tabs.indexOf(tab)) for tab in self._tabs_in_order())

    def _current_changed(self, _index: int) -> None:
        current = self.tabs.currentWidget()
        if isinstance(current, PatientTab) and current.views.currentWidget() is not None:
            focus_into(current.views.currentWidget())
        self.current_patient_changed.emit(self.current_patient_id())


def focus_into(view: QWidget) -> None:
    """The keyboard back where it was in ``view``, or on its first focus stop."""
    focus = view.focusWidget()
    if focus is not None and view.isAncestorOf(focus) and focus.isVisible():
        focus.setFocus(Qt.FocusReason.OtherFocusReason)
        return
    widget = view.nextInFocusChain()
    while widget is not None and widget is not view and view.isAncestorOf(widget):
        if (widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible()
                and widget.isEnabled()):
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        widget = widget.nextInFocusChain()
