# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'about_dialog.ui'
##
## Created by: Qt User Interface Compiler version 6.12.0
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialog, QDialogButtonBox,
    QFormLayout, QHBoxLayout, QLabel, QSizePolicy,
    QSpacerItem, QVBoxLayout, QWidget)

class Ui_AboutDialog(object):
    def setupUi(self, AboutDialog):
        if not AboutDialog.objectName():
            AboutDialog.setObjectName(u"AboutDialog")
        AboutDialog.resize(560, 340)
        self.mainLayout = QVBoxLayout(AboutDialog)
        self.mainLayout.setSpacing(14)
        self.mainLayout.setObjectName(u"mainLayout")
        self.mainLayout.setContentsMargins(20, 20, 20, 14)
        self.headerLayout = QHBoxLayout()
        self.headerLayout.setSpacing(16)
        self.headerLayout.setObjectName(u"headerLayout")
        self.logoLabel = QLabel(AboutDialog)
        self.logoLabel.setObjectName(u"logoLabel")
        self.logoLabel.setMinimumSize(QSize(64, 64))
        self.logoLabel.setMaximumSize(QSize(64, 64))

        self.headerLayout.addWidget(self.logoLabel)

        self.titleLayout = QVBoxLayout()
        self.titleLayout.setSpacing(4)
        self.titleLayout.setObjectName(u"titleLayout")
        self.titleLabel = QLabel(AboutDialog)
        self.titleLabel.setObjectName(u"titleLabel")
        self.titleLabel.setProperty(u"role", u"title")

        self.titleLayout.addWidget(self.titleLabel)

        self.statementLabel = QLabel(AboutDialog)
        self.statementLabel.setObjectName(u"statementLabel")
        self.statementLabel.setWordWrap(True)
        self.statementLabel.setProperty(u"role", u"muted")

        self.titleLayout.addWidget(self.statementLabel)


        self.headerLayout.addLayout(self.titleLayout)


        self.mainLayout.addLayout(self.headerLayout)

        self.detailsLayout = QFormLayout()
        self.detailsLayout.setObjectName(u"detailsLayout")
        self.detailsLayout.setHorizontalSpacing(16)
        self.detailsLayout.setVerticalSpacing(6)
        self.versionCaption = QLabel(AboutDialog)
        self.versionCaption.setObjectName(u"versionCaption")

        self.detailsLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.versionCaption)

        self.versionValue = QLabel(AboutDialog)
        self.versionValue.setObjectName(u"versionValue")
        self.versionValue.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard|Qt.TextInteractionFlag.TextSelectableByMouse)

        self.detailsLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.versionValue)

        self.qtCaption = QLabel(AboutDialog)
        self.qtCaption.setObjectName(u"qtCaption")

        self.detailsLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.qtCaption)

        self.qtValue = QLabel(AboutDialog)
        self.qtValue.setObjectName(u"qtValue")
        self.qtValue.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard|Qt.TextInteractionFlag.TextSelectableByMouse)

        self.detailsLayout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.qtValue)

        self.databaseCaption = QLabel(AboutDialog)
        self.databaseCaption.setObjectName(u"databaseCaption")

        self.detailsLayout.setWidget(2, QFormLayout.ItemRole.LabelRole, self.databaseCaption)

        self.databaseValue = QLabel(AboutDialog)
        self.databaseValue.setObjectName(u"databaseValue")
        self.databaseValue.setWordWrap(True)
        self.databaseValue.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard|Qt.TextInteractionFlag.TextSelectableByMouse)

        self.detailsLayout.setWidget(2, QFormLayout.ItemRole.FieldRole, self.databaseValue)

        self.logCaption = QLabel(AboutDialog)
        self.logCaption.setObjectName(u"logCaption")

        self.detailsLayout.setWidget(3, QFormLayout.ItemRole.LabelRole, self.logCaption)

        self.logValue = QLabel(AboutDialog)
        self.logValue.setObjectName(u"logValue")
        self.logValue.setWordWrap(True)
        self.logValue.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard|Qt.TextInteractionFlag.TextSelectableByMouse)

        self.detailsLayout.setWidget(3, QFormLayout.ItemRole.FieldRole, self.logValue)


        self.mainLayout.addLayout(self.detailsLayout)

        self.bottomSpacer = QSpacerItem(20, 4, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.mainLayout.addItem(self.bottomSpacer)

        self.buttonBox = QDialogButtonBox(AboutDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Close)

        self.mainLayout.addWidget(self.buttonBox)


        self.retranslateUi(AboutDialog)
        self.buttonBox.rejected.connect(AboutDialog.reject)

        QMetaObject.connectSlotsByName(AboutDialog)
    # setupUi

    def retranslateUi(self, AboutDialog):
        AboutDialog.setWindowTitle(QCoreApplication.translate("AboutDialog", u"About Clinic Desktop", None))
#if QT_CONFIG(accessibility)
        self.logoLabel.setAccessibleName(QCoreApplication.translate("AboutDialog", u"Clinic Desktop logo", None))
#endif // QT_CONFIG(accessibility)
        self.titleLabel.setText(QCoreApplication.translate("AboutDialog", u"Clinic Desktop", None))
        self.statementLabel.setText(QCoreApplication.translate("AboutDialog", u"Clinic Desktop supports clinical decisions; it never makes them. The clinician decides.", None))
        self.versionCaption.setText(QCoreApplication.translate("AboutDialog", u"Version", None))
#if QT_CONFIG(accessibility)
        self.versionValue.setAccessibleName(QCoreApplication.translate("AboutDialog", u"Version", None))
#endif // QT_CONFIG(accessibility)
        self.qtCaption.setText(QCoreApplication.translate("AboutDialog", u"Qt / PySide6", None))
#if QT_CONFIG(accessibility)
        self.qtValue.setAccessibleName(QCoreApplication.translate("AboutDialog", u"Qt / PySide6", None))
#endif // QT_CONFIG(accessibility)
        self.databaseCaption.setText(QCoreApplication.translate("AboutDialog", u"Database", None))
#if QT_CONFIG(accessibility)
        self.databaseValue.setAccessibleName(QCoreApplication.translate("AboutDialog", u"Database", None))
#endif // QT_CONFIG(accessibility)
        self.logCaption.setText(QCoreApplication.translate("AboutDialog", u"Log file", None))
#if QT_CONFIG(accessibility)
        self.logValue.setAccessibleName(QCoreApplication.translate("AboutDialog", u"Log file", None))
#endif // QT_CONFIG(accessibility)
    # retranslateUi

