# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'clinic_settings_dialog.ui'
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
from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox, QDialog,
    QDialogButtonBox, QFormLayout, QFrame, QGroupBox,
    QHBoxLayout, QLabel, QLayout, QLineEdit,
    QPlainTextEdit, QPushButton, QScrollArea, QSizePolicy,
    QSpacerItem, QSpinBox, QVBoxLayout, QWidget)

class Ui_ClinicSettingsDialog(object):
    def setupUi(self, ClinicSettingsDialog):
        if not ClinicSettingsDialog.objectName():
            ClinicSettingsDialog.setObjectName(u"ClinicSettingsDialog")
        ClinicSettingsDialog.resize(920, 680)
        ClinicSettingsDialog.setMinimumSize(QSize(760, 0))
        ClinicSettingsDialog.setStyleSheet(u"QScrollArea#settingsScroll, QWidget#qt_scrollarea_viewport, QWidget#settingsPanel { background: transparent; }")
        self.mainLayout = QVBoxLayout(ClinicSettingsDialog)
        self.mainLayout.setSpacing(10)
        self.mainLayout.setObjectName(u"mainLayout")
        self.mainLayout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.mainLayout.setContentsMargins(18, 16, 18, 14)
        self.titleLabel = QLabel(ClinicSettingsDialog)
        self.titleLabel.setObjectName(u"titleLabel")
        self.titleLabel.setProperty(u"role", u"title")

        self.mainLayout.addWidget(self.titleLabel)

        self.introLabel = QLabel(ClinicSettingsDialog)
        self.introLabel.setObjectName(u"introLabel")
        self.introLabel.setWordWrap(True)
        self.introLabel.setProperty(u"role", u"hint")

        self.mainLayout.addWidget(self.introLabel)

        self.settingsScroll = QScrollArea(ClinicSettingsDialog)
        self.settingsScroll.setObjectName(u"settingsScroll")
        self.settingsScroll.setFrameShape(QFrame.Shape.NoFrame)
        self.settingsScroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.settingsScroll.setWidgetResizable(True)
        self.settingsPanel = QWidget()
        self.settingsPanel.setObjectName(u"settingsPanel")
        self.groupsLayout = QVBoxLayout(self.settingsPanel)
        self.groupsLayout.setSpacing(10)
        self.groupsLayout.setObjectName(u"groupsLayout")
        self.groupsLayout.setContentsMargins(0, 0, 8, 0)
        self.clinicGroup = QGroupBox(self.settingsPanel)
        self.clinicGroup.setObjectName(u"clinicGroup")
        self.clinicForm = QFormLayout(self.clinicGroup)
        self.clinicForm.setObjectName(u"clinicForm")
        self.clinicForm.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.clinicForm.setLabelAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignVCenter)
        self.clinicForm.setHorizontalSpacing(12)
        self.clinicForm.setVerticalSpacing(8)
        self.clinicForm.setContentsMargins(14, 12, 14, 12)
        self.clinicNameLabel = QLabel(self.clinicGroup)
        self.clinicNameLabel.setObjectName(u"clinicNameLabel")

        self.clinicForm.setWidget(0, QFormLayout.ItemRole.LabelRole, self.clinicNameLabel)

        self.clinicNameRow = QHBoxLayout()
        self.clinicNameRow.setSpacing(10)
        self.clinicNameRow.setObjectName(u"clinicNameRow")
        self.clinicNameEdit = QLineEdit(self.clinicGroup)
        self.clinicNameEdit.setObjectName(u"clinicNameEdit")
        self.clinicNameEdit.setMaxLength(200)

        self.clinicNameRow.addWidget(self.clinicNameEdit)

        self.clinicNameDefault = QLabel(self.clinicGroup)
        self.clinicNameDefault.setObjectName(u"clinicNameDefault")
        self.clinicNameDefault.setProperty(u"role", u"hint")

        self.clinicNameRow.addWidget(self.clinicNameDefault)


        self.clinicForm.setLayout(0, QFormLayout.ItemRole.FieldRole, self.clinicNameRow)

        self.clinicAddressLabel = QLabel(self.clinicGroup)
        self.clinicAddressLabel.setObjectName(u"clinicAddressLabel")
        self.clinicAddressLabel.setAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignTop)

        self.clinicForm.setWidget(1, QFormLayout.ItemRole.LabelRole, self.clinicAddressLabel)

        self.clinicAddressRow = QHBoxLayout()
        self.clinicAddressRow.setSpacing(10)
        self.clinicAddressRow.setObjectName(u"clinicAddressRow")
        self.clinicAddressEdit = QPlainTextEdit(self.clinicGroup)
        self.clinicAddressEdit.setObjectName(u"clinicAddressEdit")
        self.clinicAddressEdit.setMinimumSize(QSize(0, 80))
        self.clinicAddressEdit.setMaximumSize(QSize(16777215, 80))
        self.clinicAddressEdit.setTabChangesFocus(True)

        self.clinicAddressRow.addWidget(self.clinicAddressEdit)

        self.clinicAddressDefault = QLabel(self.clinicGroup)
        self.clinicAddressDefault.setObjectName(u"clinicAddressDefault")
        self.clinicAddressDefault.setAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignTop)
        self.clinicAddressDefault.setProperty(u"role", u"hint")

        self.clinicAddressRow.addWidget(self.clinicAddressDefault)


        self.clinicForm.setLayout(1, QFormLayout.ItemRole.FieldRole, self.clinicAddressRow)

        self.clinicPhoneLabel = QLabel(self.clinicGroup)
        self.clinicPhoneLabel.setObjectName(u"clinicPhoneLabel")

        self.clinicForm.setWidget(2, QFormLayout.ItemRole.LabelRole, self.clinicPhoneLabel)

        self.clinicPhoneRow = QHBoxLayout()
        self.clinicPhoneRow.setSpacing(10)
        self.clinicPhoneRow.setObjectName(u"clinicPhoneRow")
        self.clinicPhoneEdit = QLineEdit(self.clinicGroup)
        self.clinicPhoneEdit.setObjectName(u"clinicPhoneEdit")
        self.clinicPhoneEdit.setMaxLength(40)
        self.clinicPhoneEdit.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)

        self.clinicPhoneRow.addWidget(self.clinicPhoneEdit)

        self.clinicPhoneDefault = QLabel(self.clinicGroup)
        self.clinicPhoneDefault.setObjectName(u"clinicPhoneDefault")
        self.clinicPhoneDefault.setProperty(u"role", u"hint")

        self.clinicPhoneRow.addWidget(self.clinicPhoneDefault)


        self.clinicForm.setLayout(2, QFormLayout.ItemRole.FieldRole, self.clinicPhoneRow)

        self.phoneRegionLabel = QLabel(self.clinicGroup)
        self.phoneRegionLabel.setObjectName(u"phoneRegionLabel")

        self.clinicForm.setWidget(3, QFormLayout.ItemRole.LabelRole, self.phoneRegionLabel)

        self.phoneRegionRow = QHBoxLayout()
        self.phoneRegionRow.setSpacing(10)
        self.phoneRegionRow.setObjectName(u"phoneRegionRow")
        self.phoneRegionCombo = QComboBox(self.clinicGroup)
        self.phoneRegionCombo.setObjectName(u"phoneRegionCombo")
        self.phoneRegionCombo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        self.phoneRegionRow.addWidget(self.phoneRegionCombo)

        self.phoneRegionDefault = QLabel(self.clinicGroup)
        self.phoneRegionDefault.setObjectName(u"phoneRegionDefault")
        self.phoneRegionDefault.setProperty(u"role", u"hint")

        self.phoneRegionRow.addWidget(self.phoneRegionDefault)

        self.phoneRegionStretch = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.phoneRegionRow.addItem(self.phoneRegionStretch)


        self.clinicForm.setLayout(3, QFormLayout.ItemRole.FieldRole, self.phoneRegionRow)

        self.vitalsUnitsLabel = QLabel(self.clinicGroup)
        self.vitalsUnitsLabel.setObjectName(u"vitalsUnitsLabel")

        self.clinicForm.setWidget(4, QFormLayout.ItemRole.LabelRole, self.vitalsUnitsLabel)

        self.vitalsUnitsRow = QHBoxLayout()
        self.vitalsUnitsRow.setSpacing(10)
        self.vitalsUnitsRow.setObjectName(u"vitalsUnitsRow")
        self.vitalsUnitsCombo = QComboBox(self.clinicGroup)
        self.vitalsUnitsCombo.setObjectName(u"vitalsUnitsCombo")
        self.vitalsUnitsCombo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        self.vitalsUnitsRow.addWidget(self.vitalsUnitsCombo)

        self.vitalsUnitsDefault = QLabel(self.clinicGroup)
        self.vitalsUnitsDefault.setObjectName(u"vitalsUnitsDefault")
        self.vitalsUnitsDefault.setProperty(u"role", u"hint")

        self.vitalsUnitsRow.addWidget(self.vitalsUnitsDefault)

        self.vitalsUnitsStretch = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.vitalsUnitsRow.addItem(self.vitalsUnitsStretch)


        self.clinicForm.setLayout(4, QFormLayout.ItemRole.FieldRole, self.vitalsUnitsRow)


        self.groupsLayout.addWidget(self.clinicGroup)

        self.signInGroup = QGroupBox(self.settingsPanel)
        self.signInGroup.setObjectName(u"signInGroup")
        self.signInForm = QFormLayout(self.signInGroup)
        self.signInForm.setObjectName(u"signInForm")
        self.signInForm.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.signInForm.setLabelAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignVCenter)
        self.signInForm.setHorizontalSpacing(12)
        self.signInForm.setVerticalSpacing(8)
        self.signInForm.setContentsMargins(14, 12, 14, 12)
        self.lockoutAttemptsLabel = QLabel(self.signInGroup)
        self.lockoutAttemptsLabel.setObjectName(u"lockoutAttemptsLabel")

        self.signInForm.setWidget(0, QFormLayout.ItemRole.LabelRole, self.lockoutAttemptsLabel)

        self.lockoutAttemptsRow = QHBoxLayout()
        self.lockoutAttemptsRow.setSpacing(10)
        self.lockoutAttemptsRow.setObjectName(u"lockoutAttemptsRow")
        self.lockoutAttemptsSpin = QSpinBox(self.signInGroup)
        self.lockoutAttemptsSpin.setObjectName(u"lockoutAttemptsSpin")
        self.lockoutAttemptsSpin.setMinimum(3)
        self.lockoutAttemptsSpin.setMaximum(20)
        self.lockoutAttemptsSpin.setMinimumSize(QSize(88, 0))

        self.lockoutAttemptsRow.addWidget(self.lockoutAttemptsSpin)

        self.lockoutAttemptsDefault = QLabel(self.signInGroup)
        self.lockoutAttemptsDefault.setObjectName(u"lockoutAttemptsDefault")
        self.lockoutAttemptsDefault.setProperty(u"role", u"hint")

        self.lockoutAttemptsRow.addWidget(self.lockoutAttemptsDefault)

        self.lockoutAttemptsStretch = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.lockoutAttemptsRow.addItem(self.lockoutAttemptsStretch)


        self.signInForm.setLayout(0, QFormLayout.ItemRole.FieldRole, self.lockoutAttemptsRow)

        self.lockoutMinutesLabel = QLabel(self.signInGroup)
        self.lockoutMinutesLabel.setObjectName(u"lockoutMinutesLabel")

        self.signInForm.setWidget(1, QFormLayout.ItemRole.LabelRole, self.lockoutMinutesLabel)

        self.lockoutMinutesRow = QHBoxLayout()
        self.lockoutMinutesRow.setSpacing(10)
        self.lockoutMinutesRow.setObjectName(u"lockoutMinutesRow")
        self.lockoutMinutesSpin = QSpinBox(self.signInGroup)
        self.lockoutMinutesSpin.setObjectName(u"lockoutMinutesSpin")
        self.lockoutMinutesSpin.setMinimum(1)
        self.lockoutMinutesSpin.setMaximum(1440)
        self.lockoutMinutesSpin.setMinimumSize(QSize(88, 0))

        self.lockoutMinutesRow.addWidget(self.lockoutMinutesSpin)

        self.lockoutMinutesDefault = QLabel(self.signInGroup)
        self.lockoutMinutesDefault.setObjectName(u"lockoutMinutesDefault")
        self.lockoutMinutesDefault.setProperty(u"role", u"hint")

        self.lockoutMinutesRow.addWidget(self.lockoutMinutesDefault)

        self.lockoutMinutesStretch = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.lockoutMinutesRow.addItem(self.lockoutMinutesStretch)


        self.signInForm.setLayout(1, QFormLayout.ItemRole.FieldRole, self.lockoutMinutesRow)

        self.idleLockMinutesLabel = QLabel(self.signInGroup)
        self.idleLockMinutesLabel.setObjectName(u"idleLockMinutesLabel")

        self.signInForm.setWidget(2, QFormLayout.ItemRole.LabelRole, self.idleLockMinutesLabel)

        self.idleLockMinutesRow = QHBoxLayout()
        self.idleLockMinutesRow.setSpacing(10)
        self.idleLockMinutesRow.setObjectName(u"idleLockMinutesRow")
        self.idleLockMinutesSpin = QSpinBox(self.signInGroup)
        self.idleLockMinutesSpin.setObjectName(u"idleLockMinutesSpin")
        self.idleLockMinutesSpin.setMinimum(1)
        self.idleLockMinutesSpin.setMaximum(120)
        self.idleLockMinutesSpin.setMinimumSize(QSize(88, 0))

        self.idleLockMinutesRow.addWidget(self.idleLockMinutesSpin)

        self.idleLockMinutesDefault = QLabel(self.signInGroup)
        self.idleLockMinutesDefault.setObjectName(u"idleLockMinutesDefault")
        self.idleLockMinutesDefault.setProperty(u"role", u"hint")

        self.idleLockMinutesRow.addWidget(self.idleLockMinutesDefault)

        self.idleLockMinutesStretch = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.idleLockMinutesRow.addItem(self.idleLockMinutesStretch)


        self.signInForm.setLayout(2, QFormLayout.ItemRole.FieldRole, self.idleLockMinutesRow)


        self.groupsLayout.addWidget(self.signInGroup)

        self.plansGroup = QGroupBox(self.settingsPanel)
        self.plansGroup.setObjectName(u"plansGroup")
        self.plansForm = QFormLayout(self.plansGroup)
        self.plansForm.setObjectName(u"plansForm")
        self.plansForm.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.plansForm.setLabelAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignVCenter)
        self.plansForm.setHorizontalSpacing(12)
        self.plansForm.setVerticalSpacing(8)
        self.plansForm.setContentsMargins(14, 12, 14, 12)
        self.planPageSizeLabel = QLabel(self.plansGroup)
        self.planPageSizeLabel.setObjectName(u"planPageSizeLabel")

        self.plansForm.setWidget(0, QFormLayout.ItemRole.LabelRole, self.planPageSizeLabel)

        self.planPageSizeRow = QHBoxLayout()
        self.planPageSizeRow.setSpacing(10)
        self.planPageSizeRow.setObjectName(u"planPageSizeRow")
        self.planPageSizeCombo = QComboBox(self.plansGroup)
        self.planPageSizeCombo.setObjectName(u"planPageSizeCombo")

        self.planPageSizeRow.addWidget(self.planPageSizeCombo)

        self.planPageSizeDefault = QLabel(self.plansGroup)
        self.planPageSizeDefault.setObjectName(u"planPageSizeDefault")
        self.planPageSizeDefault.setProperty(u"role", u"hint")

        self.planPageSizeRow.addWidget(self.planPageSizeDefault)

        self.planPageSizeStretch = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.planPageSizeRow.addItem(self.planPageSizeStretch)


        self.plansForm.setLayout(0, QFormLayout.ItemRole.FieldRole, self.planPageSizeRow)

        self.clinicLogoLabel = QLabel(self.plansGroup)
        self.clinicLogoLabel.setObjectName(u"clinicLogoLabel")

        self.plansForm.setWidget(1, QFormLayout.ItemRole.LabelRole, self.clinicLogoLabel)

        self.clinicLogoRow = QHBoxLayout()
        self.clinicLogoRow.setSpacing(10)
        self.clinicLogoRow.setObjectName(u"clinicLogoRow")
        self.clinicLogoPreview = QLabel(self.plansGroup)
        self.clinicLogoPreview.setObjectName(u"clinicLogoPreview")

        self.clinicLogoRow.addWidget(self.clinicLogoPreview)

        self.clinicLogoInfo = QLabel(self.plansGroup)
        self.clinicLogoInfo.setObjectName(u"clinicLogoInfo")
        self.clinicLogoInfo.setMinimumSize(QSize(120, 0))

        self.clinicLogoRow.addWidget(self.clinicLogoInfo)

        self.clinicLogoBrowseButton = QPushButton(self.plansGroup)
        self.clinicLogoBrowseButton.setObjectName(u"clinicLogoBrowseButton")
        self.clinicLogoBrowseButton.setAutoDefault(False)

        self.clinicLogoRow.addWidget(self.clinicLogoBrowseButton)

        self.clinicLogoRemoveButton = QPushButton(self.plansGroup)
        self.clinicLogoRemoveButton.setObjectName(u"clinicLogoRemoveButton")
        self.clinicLogoRemoveButton.setAutoDefault(False)

        self.clinicLogoRow.addWidget(self.clinicLogoRemoveButton)

        self.clinicLogoDefault = QLabel(self.plansGroup)
        self.clinicLogoDefault.setObjectName(u"clinicLogoDefault")
        self.clinicLogoDefault.setProperty(u"role", u"hint")

        self.clinicLogoRow.addWidget(self.clinicLogoDefault)

        self.clinicLogoStretch = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.clinicLogoRow.addItem(self.clinicLogoStretch)


        self.plansForm.setLayout(1, QFormLayout.ItemRole.FieldRole, self.clinicLogoRow)

        self.directoryStaleDaysLabel = QLabel(self.plansGroup)
        self.directoryStaleDaysLabel.setObjectName(u"directoryStaleDaysLabel")

        self.plansForm.setWidget(2, QFormLayout.ItemRole.LabelRole, self.directoryStaleDaysLabel)

        self.directoryStaleDaysRow = QHBoxLayout()
        self.directoryStaleDaysRow.setSpacing(10)
        self.directoryStaleDaysRow.setObjectName(u"directoryStaleDaysRow")
        self.directoryStaleDaysSpin = QSpinBox(self.plansGroup)
        self.directoryStaleDaysSpin.setObjectName(u"directoryStaleDaysSpin")
        self.directoryStaleDaysSpin.setMinimumSize(QSize(88, 0))

        self.directoryStaleDaysRow.addWidget(self.directoryStaleDaysSpin)

        self.directoryStaleDaysDefault = QLabel(self.plansGroup)
        self.directoryStaleDaysDefault.setObjectName(u"directoryStaleDaysDefault")
        self.directoryStaleDaysDefault.setProperty(u"role", u"hint")

        self.directoryStaleDaysRow.addWidget(self.directoryStaleDaysDefault)

        self.directoryStaleDaysStretch = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.directoryStaleDaysRow.addItem(self.directoryStaleDaysStretch)


        self.plansForm.setLayout(2, QFormLayout.ItemRole.FieldRole, self.directoryStaleDaysRow)


        self.groupsLayout.addWidget(self.plansGroup)

        self.backupGroup = QGroupBox(self.settingsPanel)
        self.backupGroup.setObjectName(u"backupGroup")
        self.backupForm = QFormLayout(self.backupGroup)
        self.backupForm.setObjectName(u"backupForm")
        self.backupForm.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.backupForm.setLabelAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignVCenter)
        self.backupForm.setHorizontalSpacing(12)
        self.backupForm.setVerticalSpacing(8)
        self.backupForm.setContentsMargins(14, 12, 14, 12)
        self.backupFolderLabel = QLabel(self.backupGroup)
        self.backupFolderLabel.setObjectName(u"backupFolderLabel")

        self.backupForm.setWidget(0, QFormLayout.ItemRole.LabelRole, self.backupFolderLabel)

        self.backupFolderRow = QHBoxLayout()
        self.backupFolderRow.setSpacing(10)
        self.backupFolderRow.setObjectName(u"backupFolderRow")
        self.backupFolderEdit = QLineEdit(self.backupGroup)
        self.backupFolderEdit.setObjectName(u"backupFolderEdit")
        self.backupFolderEdit.setMaxLength(300)
        self.backupFolderEdit.setMinimumSize(QSize(220, 0))

        self.backupFolderRow.addWidget(self.backupFolderEdit)

        self.backupFolderBrowseButton = QPushButton(self.backupGroup)
        self.backupFolderBrowseButton.setObjectName(u"backupFolderBrowseButton")
        self.backupFolderBrowseButton.setAutoDefault(False)

        self.backupFolderRow.addWidget(self.backupFolderBrowseButton)

        self.backupFolderDefault = QLabel(self.backupGroup)
        self.backupFolderDefault.setObjectName(u"backupFolderDefault")
        self.backupFolderDefault.setProperty(u"role", u"hint")

        self.backupFolderRow.addWidget(self.backupFolderDefault)


        self.backupForm.setLayout(0, QFormLayout.ItemRole.FieldRole, self.backupFolderRow)

        self.backupEveryHoursLabel = QLabel(self.backupGroup)
        self.backupEveryHoursLabel.setObjectName(u"backupEveryHoursLabel")

        self.backupForm.setWidget(1, QFormLayout.ItemRole.LabelRole, self.backupEveryHoursLabel)

        self.backupEveryHoursRow = QHBoxLayout()
        self.backupEveryHoursRow.setSpacing(10)
        self.backupEveryHoursRow.setObjectName(u"backupEveryHoursRow")
        self.backupEveryHoursSpin = QSpinBox(self.backupGroup)
        self.backupEveryHoursSpin.setObjectName(u"backupEveryHoursSpin")
        self.backupEveryHoursSpin.setMinimum(1)
        self.backupEveryHoursSpin.setMaximum(168)
        self.backupEveryHoursSpin.setMinimumSize(QSize(88, 0))

        self.backupEveryHoursRow.addWidget(self.backupEveryHoursSpin)

        self.backupEveryHoursDefault = QLabel(self.backupGroup)
        self.backupEveryHoursDefault.setObjectName(u"backupEveryHoursDefault")
        self.backupEveryHoursDefault.setProperty(u"role", u"hint")

        self.backupEveryHoursRow.addWidget(self.backupEveryHoursDefault)

        self.backupEveryHoursStretch = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.backupEveryHoursRow.addItem(self.backupEveryHoursStretch)


        self.backupForm.setLayout(1, QFormLayout.ItemRole.FieldRole, self.backupEveryHoursRow)

        self.backupKeepLabel = QLabel(self.backupGroup)
        self.backupKeepLabel.setObjectName(u"backupKeepLabel")

        self.backupForm.setWidget(2, QFormLayout.ItemRole.LabelRole, self.backupKeepLabel)

        self.backupKeepRow = QHBoxLayout()
        self.backupKeepRow.setSpacing(10)
        self.backupKeepRow.setObjectName(u"backupKeepRow")
        self.backupKeepSpin = QSpinBox(self.backupGroup)
        self.backupKeepSpin.setObjectName(u"backupKeepSpin")
        self.backupKeepSpin.setMinimum(1)
        self.backupKeepSpin.setMaximum(365)
        self.backupKeepSpin.setMinimumSize(QSize(88, 0))

        self.backupKeepRow.addWidget(self.backupKeepSpin)

        self.backupKeepDefault = QLabel(self.backupGroup)
        self.backupKeepDefault.setObjectName(u"backupKeepDefault")
        self.backupKeepDefault.setProperty(u"role", u"hint")

        self.backupKeepRow.addWidget(self.backupKeepDefault)

        self.backupKeepStretch = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.backupKeepRow.addItem(self.backupKeepStretch)


        self.backupForm.setLayout(2, QFormLayout.ItemRole.FieldRole, self.backupKeepRow)


        self.groupsLayout.addWidget(self.backupGroup)

        self.settingsScroll.setWidget(self.settingsPanel)

        self.mainLayout.addWidget(self.settingsScroll)

        self.errorLabel = QLabel(ClinicSettingsDialog)
        self.errorLabel.setObjectName(u"errorLabel")
        self.errorLabel.setVisible(False)
        self.errorLabel.setWordWrap(True)
        self.errorLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.errorLabel.setProperty(u"role", u"error")

        self.mainLayout.addWidget(self.errorLabel)

        self.buttonBox = QDialogButtonBox(ClinicSettingsDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.RestoreDefaults|QDialogButtonBox.StandardButton.Save)

        self.mainLayout.addWidget(self.buttonBox)

#if QT_CONFIG(shortcut)
        self.clinicNameLabel.setBuddy(self.clinicNameEdit)
        self.clinicAddressLabel.setBuddy(self.clinicAddressEdit)
        self.clinicPhoneLabel.setBuddy(self.clinicPhoneEdit)
        self.phoneRegionLabel.setBuddy(self.phoneRegionCombo)
        self.vitalsUnitsLabel.setBuddy(self.vitalsUnitsCombo)
        self.lockoutAttemptsLabel.setBuddy(self.lockoutAttemptsSpin)
        self.lockoutMinutesLabel.setBuddy(self.lockoutMinutesSpin)
        self.idleLockMinutesLabel.setBuddy(self.idleLockMinutesSpin)
        self.planPageSizeLabel.setBuddy(self.planPageSizeCombo)
        self.clinicLogoLabel.setBuddy(self.clinicLogoBrowseButton)
        self.directoryStaleDaysLabel.setBuddy(self.directoryStaleDaysSpin)
        self.backupFolderLabel.setBuddy(self.backupFolderEdit)
        self.backupEveryHoursLabel.setBuddy(self.backupEveryHoursSpin)
        self.backupKeepLabel.setBuddy(self.backupKeepSpin)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.clinicNameEdit, self.clinicAddressEdit)
        QWidget.setTabOrder(self.clinicAddressEdit, self.clinicPhoneEdit)
        QWidget.setTabOrder(self.clinicPhoneEdit, self.phoneRegionCombo)
        QWidget.setTabOrder(self.phoneRegionCombo, self.vitalsUnitsCombo)
        QWidget.setTabOrder(self.vitalsUnitsCombo, self.lockoutAttemptsSpin)
        QWidget.setTabOrder(self.lockoutAttemptsSpin, self.lockoutMinutesSpin)
        QWidget.setTabOrder(self.lockoutMinutesSpin, self.idleLockMinutesSpin)
        QWidget.setTabOrder(self.idleLockMinutesSpin, self.planPageSizeCombo)
        QWidget.setTabOrder(self.planPageSizeCombo, self.clinicLogoBrowseButton)
        QWidget.setTabOrder(self.clinicLogoBrowseButton, self.clinicLogoRemoveButton)
        QWidget.setTabOrder(self.clinicLogoRemoveButton, self.directoryStaleDaysSpin)
        QWidget.setTabOrder(self.directoryStaleDaysSpin, self.backupFolderEdit)
        QWidget.setTabOrder(self.backupFolderEdit, self.backupFolderBrowseButton)
        QWidget.setTabOrder(self.backupFolderBrowseButton, self.backupEveryHoursSpin)
        QWidget.setTabOrder(self.backupEveryHoursSpin, self.backupKeepSpin)
        QWidget.setTabOrder(self.backupKeepSpin, self.buttonBox)

        self.retranslateUi(ClinicSettingsDialog)

        QMetaObject.connectSlotsByName(ClinicSettingsDialog)
    # setupUi

    def retranslateUi(self, ClinicSettingsDialog):
        ClinicSettingsDialog.setWindowTitle(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic settings \u2014 Clinic Desktop", None))
#if QT_CONFIG(accessibility)
        ClinicSettingsDialog.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic settings", None))
#endif // QT_CONFIG(accessibility)
        self.titleLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic settings", None))
#if QT_CONFIG(accessibility)
        self.introLabel.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"About these settings", None))
#endif // QT_CONFIG(accessibility)
        self.introLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"These apply to every workstation that uses this database. Only an administrator can change them, and each change is recorded in the audit log.", None))
#if QT_CONFIG(accessibility)
        self.settingsScroll.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic settings", None))
#endif // QT_CONFIG(accessibility)
        self.clinicGroup.setTitle(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic", None))
#if QT_CONFIG(accessibility)
        self.clinicGroup.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic", None))
#endif // QT_CONFIG(accessibility)
        self.clinicNameLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic name", None))
#if QT_CONFIG(accessibility)
        self.clinicNameEdit.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic name", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.clinicNameDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic name default", None))
#endif // QT_CONFIG(accessibility)
        self.clinicNameDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
        self.clinicAddressLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic address", None))
#if QT_CONFIG(accessibility)
        self.clinicAddressEdit.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic address", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.clinicAddressDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic address default", None))
#endif // QT_CONFIG(accessibility)
        self.clinicAddressDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
        self.clinicPhoneLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic phone", None))
#if QT_CONFIG(accessibility)
        self.clinicPhoneEdit.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic phone", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.clinicPhoneDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic phone default", None))
#endif // QT_CONFIG(accessibility)
        self.clinicPhoneDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
        self.phoneRegionLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Default phone region", None))
#if QT_CONFIG(accessibility)
        self.phoneRegionCombo.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Default phone region", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.phoneRegionDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Default phone region default", None))
#endif // QT_CONFIG(accessibility)
        self.phoneRegionDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
        self.vitalsUnitsLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Vitals units (temperature and weight)", None))
#if QT_CONFIG(accessibility)
        self.vitalsUnitsCombo.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Vitals units (temperature and weight)", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.vitalsUnitsDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Vitals units (temperature and weight) default", None))
#endif // QT_CONFIG(accessibility)
        self.vitalsUnitsDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
        self.signInGroup.setTitle(QCoreApplication.translate("ClinicSettingsDialog", u"Sign-in and screen lock", None))
#if QT_CONFIG(accessibility)
        self.signInGroup.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Sign-in and screen lock", None))
#endif // QT_CONFIG(accessibility)
        self.lockoutAttemptsLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Failed sign-ins before the account locks", None))
#if QT_CONFIG(accessibility)
        self.lockoutAttemptsSpin.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Failed sign-ins before the account locks", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.lockoutAttemptsDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Failed sign-ins before the account locks default", None))
#endif // QT_CONFIG(accessibility)
        self.lockoutAttemptsDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
        self.lockoutMinutesLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Minutes an account stays locked", None))
#if QT_CONFIG(accessibility)
        self.lockoutMinutesSpin.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Minutes an account stays locked", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.lockoutMinutesDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Minutes an account stays locked default", None))
#endif // QT_CONFIG(accessibility)
        self.lockoutMinutesDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
        self.idleLockMinutesLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Minutes idle before the screen locks", None))
#if QT_CONFIG(accessibility)
        self.idleLockMinutesSpin.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Minutes idle before the screen locks", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.idleLockMinutesDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Minutes idle before the screen locks default", None))
#endif // QT_CONFIG(accessibility)
        self.idleLockMinutesDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
        self.plansGroup.setTitle(QCoreApplication.translate("ClinicSettingsDialog", u"Aftercare plans and the referral directory", None))
#if QT_CONFIG(accessibility)
        self.plansGroup.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Aftercare plans and the referral directory", None))
#endif // QT_CONFIG(accessibility)
        self.planPageSizeLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Paper size of new aftercare plans", None))
#if QT_CONFIG(accessibility)
        self.planPageSizeCombo.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Paper size of new aftercare plans", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.planPageSizeDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Paper size of new aftercare plans default", None))
#endif // QT_CONFIG(accessibility)
        self.planPageSizeDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
        self.clinicLogoLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic logo (printed on plans and letters)", None))
#if QT_CONFIG(accessibility)
        self.clinicLogoPreview.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic logo preview", None))
#endif // QT_CONFIG(accessibility)
        self.clinicLogoPreview.setText("")
#if QT_CONFIG(accessibility)
        self.clinicLogoInfo.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic logo (printed on plans and letters)", None))
#endif // QT_CONFIG(accessibility)
        self.clinicLogoInfo.setText(QCoreApplication.translate("ClinicSettingsDialog", u"No logo", None))
        self.clinicLogoBrowseButton.setText(QCoreApplication.translate("ClinicSettingsDialog", u"&Browse\u2026", None))
#if QT_CONFIG(accessibility)
        self.clinicLogoBrowseButton.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Browse for the clinic logo", None))
#endif // QT_CONFIG(accessibility)
        self.clinicLogoRemoveButton.setText(QCoreApplication.translate("ClinicSettingsDialog", u"R&emove", None))
#if QT_CONFIG(accessibility)
        self.clinicLogoRemoveButton.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Remove the clinic logo", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.clinicLogoDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Clinic logo (printed on plans and letters) default", None))
#endif // QT_CONFIG(accessibility)
        self.clinicLogoDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
        self.directoryStaleDaysLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Days before a directory contact is flagged as not verified", None))
#if QT_CONFIG(accessibility)
        self.directoryStaleDaysSpin.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Days before a directory contact is flagged as not verified", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.directoryStaleDaysDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Days before a directory contact is flagged as not verified default", None))
#endif // QT_CONFIG(accessibility)
        self.directoryStaleDaysDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
        self.backupGroup.setTitle(QCoreApplication.translate("ClinicSettingsDialog", u"Automatic backups", None))
#if QT_CONFIG(accessibility)
        self.backupGroup.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Automatic backups", None))
#endif // QT_CONFIG(accessibility)
        self.backupFolderLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Backup folder (a USB drive or a share; blank: no automatic backups)", None))
#if QT_CONFIG(accessibility)
        self.backupFolderEdit.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Backup folder (a USB drive or a share; blank: no automatic backups)", None))
#endif // QT_CONFIG(accessibility)
        self.backupFolderBrowseButton.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Bro&wse\u2026", None))
#if QT_CONFIG(accessibility)
        self.backupFolderBrowseButton.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Browse for the backup folder", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.backupFolderDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Backup folder (a USB drive or a share; blank: no automatic backups) default", None))
#endif // QT_CONFIG(accessibility)
        self.backupFolderDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
        self.backupEveryHoursLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Hours between automatic backups", None))
#if QT_CONFIG(accessibility)
        self.backupEveryHoursSpin.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Hours between automatic backups", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.backupEveryHoursDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Hours between automatic backups default", None))
#endif // QT_CONFIG(accessibility)
        self.backupEveryHoursDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
        self.backupKeepLabel.setText(QCoreApplication.translate("ClinicSettingsDialog", u"Backups kept in the folder (the oldest are removed)", None))
#if QT_CONFIG(accessibility)
        self.backupKeepSpin.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Backups kept in the folder (the oldest are removed)", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.backupKeepDefault.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Backups kept in the folder (the oldest are removed) default", None))
#endif // QT_CONFIG(accessibility)
        self.backupKeepDefault.setText(QCoreApplication.translate("ClinicSettingsDialog", u"default", None))
#if QT_CONFIG(accessibility)
        self.errorLabel.setAccessibleName(QCoreApplication.translate("ClinicSettingsDialog", u"Error", None))
#endif // QT_CONFIG(accessibility)
        self.errorLabel.setText("")
    # retranslateUi

