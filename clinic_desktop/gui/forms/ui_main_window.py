# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'main_window.ui'
##
## Created by: Qt User Interface Compiler version 6.12.0
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QAction, QBrush, QColor, QConicalGradient,
    QCursor, QFont, QFontDatabase, QGradient,
    QIcon, QImage, QKeySequence, QLinearGradient,
    QPainter, QPalette, QPixmap, QRadialGradient,
    QTransform)
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QMainWindow, QMenu,
    QMenuBar, QSizePolicy, QSpacerItem, QStackedWidget,
    QStatusBar, QTableView, QToolBar, QVBoxLayout,
    QWidget)

class Ui_MainWindow(object):
    def setupUi(self, MainWindow):
        if not MainWindow.objectName():
            MainWindow.setObjectName(u"MainWindow")
        MainWindow.resize(1240, 700)
        MainWindow.setMinimumSize(QSize(720, 480))
        self.actionNewPatient = QAction(MainWindow)
        self.actionNewPatient.setObjectName(u"actionNewPatient")
        self.actionOpenPatient = QAction(MainWindow)
        self.actionOpenPatient.setObjectName(u"actionOpenPatient")
        self.actionOpenEpisode = QAction(MainWindow)
        self.actionOpenEpisode.setObjectName(u"actionOpenEpisode")
        self.actionLockScreen = QAction(MainWindow)
        self.actionLockScreen.setObjectName(u"actionLockScreen")
        self.actionRefreshCensus = QAction(MainWindow)
        self.actionRefreshCensus.setObjectName(u"actionRefreshCensus")
        self.actionFocusSearch = QAction(MainWindow)
        self.actionFocusSearch.setObjectName(u"actionFocusSearch")
        self.actionQuit = QAction(MainWindow)
        self.actionQuit.setObjectName(u"actionQuit")
        self.actionQuit.setMenuRole(QAction.MenuRole.QuitRole)
        self.actionUsers = QAction(MainWindow)
        self.actionUsers.setObjectName(u"actionUsers")
        self.actionClinicSettings = QAction(MainWindow)
        self.actionClinicSettings.setObjectName(u"actionClinicSettings")
        self.actionClinicSettings.setMenuRole(QAction.MenuRole.NoRole)
        self.actionAbout = QAction(MainWindow)
        self.actionAbout.setObjectName(u"actionAbout")
        self.actionAbout.setMenuRole(QAction.MenuRole.AboutRole)
        self.centralwidget = QWidget(MainWindow)
        self.centralwidget.setObjectName(u"centralwidget")
        self.centralLayout = QVBoxLayout(self.centralwidget)
        self.centralLayout.setSpacing(8)
        self.centralLayout.setObjectName(u"centralLayout")
        self.centralLayout.setContentsMargins(14, 12, 14, 10)
        self.searchRow = QHBoxLayout()
        self.searchRow.setSpacing(8)
        self.searchRow.setObjectName(u"searchRow")
        self.searchLabel = QLabel(self.centralwidget)
        self.searchLabel.setObjectName(u"searchLabel")

        self.searchRow.addWidget(self.searchLabel)

        self.searchEdit = QLineEdit(self.centralwidget)
        self.searchEdit.setObjectName(u"searchEdit")
        self.searchEdit.setMinimumSize(QSize(360, 0))
        self.searchEdit.setMaximumSize(QSize(620, 16777215))
        self.searchEdit.setClearButtonEnabled(True)

        self.searchRow.addWidget(self.searchEdit)

        self.searchRowSpacer = QSpacerItem(40, 20, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.searchRow.addItem(self.searchRowSpacer)


        self.centralLayout.addLayout(self.searchRow)

        self.pages = QStackedWidget(self.centralwidget)
        self.pages.setObjectName(u"pages")
        self.censusPage = QWidget()
        self.censusPage.setObjectName(u"censusPage")
        self.censusLayout = QVBoxLayout(self.censusPage)
        self.censusLayout.setSpacing(6)
        self.censusLayout.setObjectName(u"censusLayout")
        self.censusLayout.setContentsMargins(0, 4, 0, 0)
        self.censusHeader = QHBoxLayout()
        self.censusHeader.setSpacing(12)
        self.censusHeader.setObjectName(u"censusHeader")
        self.censusHeading = QLabel(self.censusPage)
        self.censusHeading.setObjectName(u"censusHeading")
        self.censusHeading.setProperty(u"role", u"heading")

        self.censusHeader.addWidget(self.censusHeading)

        self.censusSummary = QLabel(self.censusPage)
        self.censusSummary.setObjectName(u"censusSummary")
        self.censusSummary.setProperty(u"role", u"muted")

        self.censusHeader.addWidget(self.censusSummary)

        self.censusHeaderSpacer = QSpacerItem(40, 20, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.censusHeader.addItem(self.censusHeaderSpacer)


        self.censusLayout.addLayout(self.censusHeader)

        self.censusTable = QTableView(self.censusPage)
        self.censusTable.setObjectName(u"censusTable")
        self.censusTable.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.censusTable.setTabKeyNavigation(False)
        self.censusTable.setAlternatingRowColors(True)
        self.censusTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.censusTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.censusTable.setWordWrap(False)
        self.censusTable.horizontalHeader().setHighlightSections(False)
        self.censusTable.verticalHeader().setVisible(False)

        self.censusLayout.addWidget(self.censusTable)

        self.pages.addWidget(self.censusPage)
        self.searchPage = QWidget()
        self.searchPage.setObjectName(u"searchPage")
        self.searchLayout = QVBoxLayout(self.searchPage)
        self.searchLayout.setSpacing(6)
        self.searchLayout.setObjectName(u"searchLayout")
        self.searchLayout.setContentsMargins(0, 4, 0, 0)
        self.searchHeader = QHBoxLayout()
        self.searchHeader.setSpacing(12)
        self.searchHeader.setObjectName(u"searchHeader")
        self.searchHeading = QLabel(self.searchPage)
        self.searchHeading.setObjectName(u"searchHeading")
        self.searchHeading.setProperty(u"role", u"heading")

        self.searchHeader.addWidget(self.searchHeading)

        self.searchSummary = QLabel(self.searchPage)
        self.searchSummary.setObjectName(u"searchSummary")
        self.searchSummary.setProperty(u"role", u"muted")

        self.searchHeader.addWidget(self.searchSummary)

        self.searchHeaderSpacer = QSpacerItem(40, 20, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.searchHeader.addItem(self.searchHeaderSpacer)


        self.searchLayout.addLayout(self.searchHeader)

        self.searchTable = QTableView(self.searchPage)
        self.searchTable.setObjectName(u"searchTable")
        self.searchTable.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.searchTable.setTabKeyNavigation(False)
        self.searchTable.setAlternatingRowColors(True)
        self.searchTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.searchTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.searchTable.setWordWrap(False)
        self.searchTable.horizontalHeader().setHighlightSections(False)
        self.searchTable.verticalHeader().setVisible(False)

        self.searchLayout.addWidget(self.searchTable)

        self.pages.addWidget(self.searchPage)

        self.centralLayout.addWidget(self.pages)

        MainWindow.setCentralWidget(self.centralwidget)
        self.menubar = QMenuBar(MainWindow)
        self.menubar.setObjectName(u"menubar")
        self.menubar.setGeometry(QRect(0, 0, 1240, 24))
        self.menuFile = QMenu(self.menubar)
        self.menuFile.setObjectName(u"menuFile")
        self.menuPatient = QMenu(self.menubar)
        self.menuPatient.setObjectName(u"menuPatient")
        self.menuView = QMenu(self.menubar)
        self.menuView.setObjectName(u"menuView")
        self.menuAdmin = QMenu(self.menubar)
        self.menuAdmin.setObjectName(u"menuAdmin")
        self.menuHelp = QMenu(self.menubar)
        self.menuHelp.setObjectName(u"menuHelp")
        MainWindow.setMenuBar(self.menubar)
        self.toolBar = QToolBar(MainWindow)
        self.toolBar.setObjectName(u"toolBar")
        self.toolBar.setMovable(False)
        self.toolBar.setIconSize(QSize(20, 20))
        self.toolBar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolBar.setFloatable(False)
        MainWindow.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolBar)
        self.statusbar = QStatusBar(MainWindow)
        self.statusbar.setObjectName(u"statusbar")
        MainWindow.setStatusBar(self.statusbar)
#if QT_CONFIG(shortcut)
        self.searchLabel.setBuddy(self.searchEdit)
#endif // QT_CONFIG(shortcut)

        self.menubar.addAction(self.menuFile.menuAction())
        self.menubar.addAction(self.menuPatient.menuAction())
        self.menubar.addAction(self.menuView.menuAction())
        self.menubar.addAction(self.menuAdmin.menuAction())
        self.menubar.addAction(self.menuHelp.menuAction())
        self.menuFile.addAction(self.actionLockScreen)
        self.menuFile.addSeparator()
        self.menuFile.addAction(self.actionQuit)
        self.menuPatient.addAction(self.actionNewPatient)
        self.menuPatient.addAction(self.actionOpenPatient)
        self.menuPatient.addAction(self.actionOpenEpisode)
        self.menuView.addAction(self.actionRefreshCensus)
        self.menuView.addAction(self.actionFocusSearch)
        self.menuAdmin.addAction(self.actionUsers)
        self.menuAdmin.addAction(self.actionClinicSettings)
        self.menuHelp.addAction(self.actionAbout)
        self.toolBar.addAction(self.actionNewPatient)
        self.toolBar.addAction(self.actionOpenPatient)
        self.toolBar.addAction(self.actionOpenEpisode)
        self.toolBar.addSeparator()
        self.toolBar.addAction(self.actionRefreshCensus)
        self.toolBar.addSeparator()
        self.toolBar.addAction(self.actionLockScreen)

        self.retranslateUi(MainWindow)

        self.pages.setCurrentIndex(0)


        QMetaObject.connectSlotsByName(MainWindow)
    # setupUi

    def retranslateUi(self, MainWindow):
        MainWindow.setWindowTitle(QCoreApplication.translate("MainWindow", u"Clinic Desktop", None))
        self.actionNewPatient.setText(QCoreApplication.translate("MainWindow", u"&New patient\u2026", None))
        self.actionNewPatient.setIconText(QCoreApplication.translate("MainWindow", u"New patient", None))
#if QT_CONFIG(tooltip)
        self.actionNewPatient.setToolTip(QCoreApplication.translate("MainWindow", u"Register a new patient (Ctrl+N)", None))
#endif // QT_CONFIG(tooltip)
#if QT_CONFIG(shortcut)
        self.actionNewPatient.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+N", None))
#endif // QT_CONFIG(shortcut)
        self.actionOpenPatient.setText(QCoreApplication.translate("MainWindow", u"&Open patient", None))
        self.actionOpenPatient.setIconText(QCoreApplication.translate("MainWindow", u"Open patient", None))
#if QT_CONFIG(tooltip)
        self.actionOpenPatient.setToolTip(QCoreApplication.translate("MainWindow", u"Open the selected patient's record (Enter or double-click a row)", None))
#endif // QT_CONFIG(tooltip)
        self.actionOpenEpisode.setText(QCoreApplication.translate("MainWindow", u"Open &episode", None))
        self.actionOpenEpisode.setIconText(QCoreApplication.translate("MainWindow", u"Open episode", None))
#if QT_CONFIG(tooltip)
        self.actionOpenEpisode.setToolTip(QCoreApplication.translate("MainWindow", u"Admit the selected patient: a new episode in Assessment (Ctrl+E)", None))
#endif // QT_CONFIG(tooltip)
#if QT_CONFIG(shortcut)
        self.actionOpenEpisode.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+E", None))
#endif // QT_CONFIG(shortcut)
        self.actionLockScreen.setText(QCoreApplication.translate("MainWindow", u"&Lock screen", None))
        self.actionLockScreen.setIconText(QCoreApplication.translate("MainWindow", u"Lock screen", None))
#if QT_CONFIG(tooltip)
        self.actionLockScreen.setToolTip(QCoreApplication.translate("MainWindow", u"Hide patient data until you sign in again (Ctrl+L)", None))
#endif // QT_CONFIG(tooltip)
#if QT_CONFIG(shortcut)
        self.actionLockScreen.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+L", None))
#endif // QT_CONFIG(shortcut)
        self.actionRefreshCensus.setText(QCoreApplication.translate("MainWindow", u"&Refresh census", None))
        self.actionRefreshCensus.setIconText(QCoreApplication.translate("MainWindow", u"Refresh", None))
#if QT_CONFIG(tooltip)
        self.actionRefreshCensus.setToolTip(QCoreApplication.translate("MainWindow", u"Reload the census of open episodes (F5)", None))
#endif // QT_CONFIG(tooltip)
#if QT_CONFIG(shortcut)
        self.actionRefreshCensus.setShortcut(QCoreApplication.translate("MainWindow", u"F5", None))
#endif // QT_CONFIG(shortcut)
        self.actionFocusSearch.setText(QCoreApplication.translate("MainWindow", u"&Find patient", None))
#if QT_CONFIG(tooltip)
        self.actionFocusSearch.setToolTip(QCoreApplication.translate("MainWindow", u"Move to the search box (Ctrl+F)", None))
#endif // QT_CONFIG(tooltip)
#if QT_CONFIG(shortcut)
        self.actionFocusSearch.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+F", None))
#endif // QT_CONFIG(shortcut)
        self.actionQuit.setText(QCoreApplication.translate("MainWindow", u"&Quit", None))
#if QT_CONFIG(shortcut)
        self.actionQuit.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+Q", None))
#endif // QT_CONFIG(shortcut)
        self.actionUsers.setText(QCoreApplication.translate("MainWindow", u"&Users\u2026", None))
#if QT_CONFIG(tooltip)
        self.actionUsers.setToolTip(QCoreApplication.translate("MainWindow", u"Add staff accounts, unlock an account, set a password (Ctrl+Shift+U)", None))
#endif // QT_CONFIG(tooltip)
#if QT_CONFIG(shortcut)
        self.actionUsers.setShortcut(QCoreApplication.translate("MainWindow", u"Ctrl+Shift+U", None))
#endif // QT_CONFIG(shortcut)
        self.actionClinicSettings.setText(QCoreApplication.translate("MainWindow", u"&Clinic settings\u2026", None))
#if QT_CONFIG(tooltip)
        self.actionClinicSettings.setToolTip(QCoreApplication.translate("MainWindow", u"Clinic name and phone, sign-in lockout, screen lock, COWS reassessment interval", None))
#endif // QT_CONFIG(tooltip)
        self.actionAbout.setText(QCoreApplication.translate("MainWindow", u"&About Clinic Desktop", None))
        self.searchLabel.setText(QCoreApplication.translate("MainWindow", u"&Search patients", None))
#if QT_CONFIG(accessibility)
        self.searchEdit.setAccessibleName(QCoreApplication.translate("MainWindow", u"Search patients", None))
#endif // QT_CONFIG(accessibility)
        self.searchEdit.setPlaceholderText(QCoreApplication.translate("MainWindow", u"Search by name, MRN or date of birth (yyyy-mm-dd)", None))
        self.censusHeading.setText(QCoreApplication.translate("MainWindow", u"Census", None))
        self.censusSummary.setText("")
#if QT_CONFIG(accessibility)
        self.censusTable.setAccessibleName(QCoreApplication.translate("MainWindow", u"Census", None))
#endif // QT_CONFIG(accessibility)
        self.searchHeading.setText(QCoreApplication.translate("MainWindow", u"Search results", None))
        self.searchSummary.setText("")
#if QT_CONFIG(accessibility)
        self.searchTable.setAccessibleName(QCoreApplication.translate("MainWindow", u"Search results", None))
#endif // QT_CONFIG(accessibility)
        self.menuFile.setTitle(QCoreApplication.translate("MainWindow", u"&File", None))
        self.menuPatient.setTitle(QCoreApplication.translate("MainWindow", u"&Patient", None))
        self.menuView.setTitle(QCoreApplication.translate("MainWindow", u"&View", None))
        self.menuAdmin.setTitle(QCoreApplication.translate("MainWindow", u"&Admin", None))
        self.menuHelp.setTitle(QCoreApplication.translate("MainWindow", u"&Help", None))
        self.toolBar.setWindowTitle(QCoreApplication.translate("MainWindow", u"Main toolbar", None))
    # retranslateUi

