# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'users_dialog.ui'
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
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QComboBox,
    QDialog, QDialogButtonBox, QFormLayout, QGroupBox,
    QHBoxLayout, QHeaderView, QLabel, QLayout,
    QLineEdit, QPushButton, QSizePolicy, QSpacerItem,
    QTableView, QVBoxLayout, QWidget)

class Ui_UsersDialog(object):
    def setupUi(self, UsersDialog):
        if not UsersDialog.objectName():
            UsersDialog.setObjectName(u"UsersDialog")
        UsersDialog.resize(820, 700)
        UsersDialog.setMinimumSize(QSize(640, 560))
        self.mainLayout = QVBoxLayout(UsersDialog)
        self.mainLayout.setSpacing(10)
        self.mainLayout.setObjectName(u"mainLayout")
        self.mainLayout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.mainLayout.setContentsMargins(18, 16, 18, 14)
        self.titleLabel = QLabel(UsersDialog)
        self.titleLabel.setObjectName(u"titleLabel")
        self.titleLabel.setProperty(u"role", u"title")

        self.mainLayout.addWidget(self.titleLabel)

        self.usersTable = QTableView(UsersDialog)
        self.usersTable.setObjectName(u"usersTable")
        self.usersTable.setMinimumSize(QSize(600, 90))
        self.usersTable.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.usersTable.setAlternatingRowColors(True)
        self.usersTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.usersTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.usersTable.setWordWrap(False)
        self.usersTable.verticalHeader().setVisible(False)

        self.mainLayout.addWidget(self.usersTable)

        self.rowButtonsLayout = QHBoxLayout()
        self.rowButtonsLayout.setSpacing(8)
        self.rowButtonsLayout.setObjectName(u"rowButtonsLayout")
        self.unlockButton = QPushButton(UsersDialog)
        self.unlockButton.setObjectName(u"unlockButton")
        self.unlockButton.setAutoDefault(False)

        self.rowButtonsLayout.addWidget(self.unlockButton)

        self.setPasswordButton = QPushButton(UsersDialog)
        self.setPasswordButton.setObjectName(u"setPasswordButton")
        self.setPasswordButton.setAutoDefault(False)

        self.rowButtonsLayout.addWidget(self.setPasswordButton)

        self.deactivateButton = QPushButton(UsersDialog)
        self.deactivateButton.setObjectName(u"deactivateButton")
        self.deactivateButton.setAutoDefault(False)

        self.rowButtonsLayout.addWidget(self.deactivateButton)

        self.reactivateButton = QPushButton(UsersDialog)
        self.reactivateButton.setObjectName(u"reactivateButton")
        self.reactivateButton.setAutoDefault(False)

        self.rowButtonsLayout.addWidget(self.reactivateButton)

        self.changeRoleButton = QPushButton(UsersDialog)
        self.changeRoleButton.setObjectName(u"changeRoleButton")
        self.changeRoleButton.setAutoDefault(False)

        self.rowButtonsLayout.addWidget(self.changeRoleButton)

        self.requirePasswordButton = QPushButton(UsersDialog)
        self.requirePasswordButton.setObjectName(u"requirePasswordButton")
        self.requirePasswordButton.setAutoDefault(False)

        self.rowButtonsLayout.addWidget(self.requirePasswordButton)

        self.rowButtonsSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.rowButtonsLayout.addItem(self.rowButtonsSpacer)


        self.mainLayout.addLayout(self.rowButtonsLayout)

        self.rowMessageLabel = QLabel(UsersDialog)
        self.rowMessageLabel.setObjectName(u"rowMessageLabel")
        self.rowMessageLabel.setWordWrap(True)

        self.mainLayout.addWidget(self.rowMessageLabel)

        self.errorLabel = QLabel(UsersDialog)
        self.errorLabel.setObjectName(u"errorLabel")
        self.errorLabel.setVisible(False)
        self.errorLabel.setWordWrap(True)
        self.errorLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.errorLabel.setProperty(u"role", u"error")

        self.mainLayout.addWidget(self.errorLabel)

        self.addGroup = QGroupBox(UsersDialog)
        self.addGroup.setObjectName(u"addGroup")
        self.addGroup.setStyleSheet(u"QGroupBox#addGroup { font-size: 12pt; font-weight: 600; border: 1px solid #c3ccd0; border-radius: 4px; margin-top: 14px; padding-top: 10px; }\n"
"QGroupBox#addGroup::title { subcontrol-origin: margin; subcontrol-position: top left; left: 10px; padding: 0px 4px; }")
        self.addLayout = QVBoxLayout(self.addGroup)
        self.addLayout.setSpacing(8)
        self.addLayout.setObjectName(u"addLayout")
        self.addLayout.setContentsMargins(14, 12, 14, 12)
        self.formLayout = QFormLayout()
        self.formLayout.setObjectName(u"formLayout")
        self.formLayout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.formLayout.setLabelAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignVCenter)
        self.formLayout.setHorizontalSpacing(12)
        self.formLayout.setVerticalSpacing(8)
        self.fullNameLabel = QLabel(self.addGroup)
        self.fullNameLabel.setObjectName(u"fullNameLabel")

        self.formLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.fullNameLabel)

        self.fullNameEdit = QLineEdit(self.addGroup)
        self.fullNameEdit.setObjectName(u"fullNameEdit")
        self.fullNameEdit.setMaxLength(200)

        self.formLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.fullNameEdit)

        self.userNameLabel = QLabel(self.addGroup)
        self.userNameLabel.setObjectName(u"userNameLabel")

        self.formLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.userNameLabel)

        self.userNameEdit = QLineEdit(self.addGroup)
        self.userNameEdit.setObjectName(u"userNameEdit")
        self.userNameEdit.setMaxLength(64)
        self.userNameEdit.setInputMethodHints(Qt.InputMethodHint.ImhNoAutoUppercase|Qt.InputMethodHint.ImhNoPredictiveText)

        self.formLayout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.userNameEdit)

        self.roleLabel = QLabel(self.addGroup)
        self.roleLabel.setObjectName(u"roleLabel")

        self.formLayout.setWidget(2, QFormLayout.ItemRole.LabelRole, self.roleLabel)

        self.roleCombo = QComboBox(self.addGroup)
        self.roleCombo.setObjectName(u"roleCombo")
        self.roleCombo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        self.formLayout.setWidget(2, QFormLayout.ItemRole.FieldRole, self.roleCombo)

        self.passwordLabel = QLabel(self.addGroup)
        self.passwordLabel.setObjectName(u"passwordLabel")

        self.formLayout.setWidget(3, QFormLayout.ItemRole.LabelRole, self.passwordLabel)

        self.passwordEdit = QLineEdit(self.addGroup)
        self.passwordEdit.setObjectName(u"passwordEdit")
        self.passwordEdit.setMaxLength(256)
        self.passwordEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passwordEdit.setInputMethodHints(Qt.InputMethodHint.ImhHiddenText|Qt.InputMethodHint.ImhNoAutoUppercase|Qt.InputMethodHint.ImhNoPredictiveText|Qt.InputMethodHint.ImhSensitiveData)

        self.formLayout.setWidget(3, QFormLayout.ItemRole.FieldRole, self.passwordEdit)

        self.passwordHintSpacer = QLabel(self.addGroup)
        self.passwordHintSpacer.setObjectName(u"passwordHintSpacer")

        self.formLayout.setWidget(4, QFormLayout.ItemRole.LabelRole, self.passwordHintSpacer)

        self.passwordHintLabel = QLabel(self.addGroup)
        self.passwordHintLabel.setObjectName(u"passwordHintLabel")
        self.passwordHintLabel.setWordWrap(True)
        self.passwordHintLabel.setProperty(u"role", u"hint")

        self.formLayout.setWidget(4, QFormLayout.ItemRole.FieldRole, self.passwordHintLabel)

        self.passwordFeedbackSpacer = QLabel(self.addGroup)
        self.passwordFeedbackSpacer.setObjectName(u"passwordFeedbackSpacer")

        self.formLayout.setWidget(5, QFormLayout.ItemRole.LabelRole, self.passwordFeedbackSpacer)

        self.passwordFeedbackLabel = QLabel(self.addGroup)
        self.passwordFeedbackLabel.setObjectName(u"passwordFeedbackLabel")
        self.passwordFeedbackLabel.setWordWrap(True)

        self.formLayout.setWidget(5, QFormLayout.ItemRole.FieldRole, self.passwordFeedbackLabel)

        self.repeatPasswordLabel = QLabel(self.addGroup)
        self.repeatPasswordLabel.setObjectName(u"repeatPasswordLabel")

        self.formLayout.setWidget(6, QFormLayout.ItemRole.LabelRole, self.repeatPasswordLabel)

        self.repeatPasswordEdit = QLineEdit(self.addGroup)
        self.repeatPasswordEdit.setObjectName(u"repeatPasswordEdit")
        self.repeatPasswordEdit.setMaxLength(256)
        self.repeatPasswordEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeatPasswordEdit.setInputMethodHints(Qt.InputMethodHint.ImhHiddenText|Qt.InputMethodHint.ImhNoAutoUppercase|Qt.InputMethodHint.ImhNoPredictiveText|Qt.InputMethodHint.ImhSensitiveData)

        self.formLayout.setWidget(6, QFormLayout.ItemRole.FieldRole, self.repeatPasswordEdit)


        self.addLayout.addLayout(self.formLayout)

        self.addButtonLayout = QHBoxLayout()
        self.addButtonLayout.setSpacing(12)
        self.addButtonLayout.setObjectName(u"addButtonLayout")
        self.addButton = QPushButton(self.addGroup)
        self.addButton.setObjectName(u"addButton")

        self.addButtonLayout.addWidget(self.addButton)

        self.addedLabel = QLabel(self.addGroup)
        self.addedLabel.setObjectName(u"addedLabel")
        self.addedLabel.setWordWrap(True)
        sizePolicy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        sizePolicy.setHorizontalStretch(1)
        sizePolicy.setVerticalStretch(0)
        sizePolicy.setHeightForWidth(self.addedLabel.sizePolicy().hasHeightForWidth())
        self.addedLabel.setSizePolicy(sizePolicy)

        self.addButtonLayout.addWidget(self.addedLabel)


        self.addLayout.addLayout(self.addButtonLayout)


        self.mainLayout.addWidget(self.addGroup)

        self.buttonBox = QDialogButtonBox(UsersDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Close)

        self.mainLayout.addWidget(self.buttonBox)

#if QT_CONFIG(shortcut)
        self.fullNameLabel.setBuddy(self.fullNameEdit)
        self.userNameLabel.setBuddy(self.userNameEdit)
        self.roleLabel.setBuddy(self.roleCombo)
        self.passwordLabel.setBuddy(self.passwordEdit)
        self.repeatPasswordLabel.setBuddy(self.repeatPasswordEdit)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.usersTable, self.unlockButton)
        QWidget.setTabOrder(self.unlockButton, self.setPasswordButton)
        QWidget.setTabOrder(self.setPasswordButton, self.deactivateButton)
        QWidget.setTabOrder(self.deactivateButton, self.reactivateButton)
        QWidget.setTabOrder(self.reactivateButton, self.changeRoleButton)
        QWidget.setTabOrder(self.changeRoleButton, self.requirePasswordButton)
        QWidget.setTabOrder(self.requirePasswordButton, self.fullNameEdit)
        QWidget.setTabOrder(self.fullNameEdit, self.userNameEdit)
        QWidget.setTabOrder(self.userNameEdit, self.roleCombo)
        QWidget.setTabOrder(self.roleCombo, self.passwordEdit)
        QWidget.setTabOrder(self.passwordEdit, self.repeatPasswordEdit)
        QWidget.setTabOrder(self.repeatPasswordEdit, self.addButton)
        QWidget.setTabOrder(self.addButton, self.buttonBox)

        self.retranslateUi(UsersDialog)

        self.addButton.setDefault(True)


        QMetaObject.connectSlotsByName(UsersDialog)
    # setupUi

    def retranslateUi(self, UsersDialog):
        UsersDialog.setWindowTitle(QCoreApplication.translate("UsersDialog", u"Users \u2014 Clinic Desktop", None))
#if QT_CONFIG(accessibility)
        UsersDialog.setAccessibleName(QCoreApplication.translate("UsersDialog", u"Users", None))
#endif // QT_CONFIG(accessibility)
        self.titleLabel.setText(QCoreApplication.translate("UsersDialog", u"Staff accounts", None))
#if QT_CONFIG(accessibility)
        self.usersTable.setAccessibleName(QCoreApplication.translate("UsersDialog", u"Users", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(tooltip)
        self.unlockButton.setToolTip(QCoreApplication.translate("UsersDialog", u"Let the selected user sign in again now, before their lockout ends", None))
#endif // QT_CONFIG(tooltip)
        self.unlockButton.setText(QCoreApplication.translate("UsersDialog", u"U&nlock", None))
#if QT_CONFIG(tooltip)
        self.setPasswordButton.setToolTip(QCoreApplication.translate("UsersDialog", u"Give the selected user a new password (tell them in person)", None))
#endif // QT_CONFIG(tooltip)
        self.setPasswordButton.setText(QCoreApplication.translate("UsersDialog", u"&Set password\u2026", None))
#if QT_CONFIG(tooltip)
        self.deactivateButton.setToolTip(QCoreApplication.translate("UsersDialog", u"The selected user can no longer sign in (someone who left); their records and history stay. Not your own account, nor the last administrator", None))
#endif // QT_CONFIG(tooltip)
        self.deactivateButton.setText(QCoreApplication.translate("UsersDialog", u"&Deactivate\u2026", None))
#if QT_CONFIG(tooltip)
        self.reactivateButton.setToolTip(QCoreApplication.translate("UsersDialog", u"Let the selected deactivated user sign in again, with a new password they change at their next sign-in", None))
#endif // QT_CONFIG(tooltip)
        self.reactivateButton.setText(QCoreApplication.translate("UsersDialog", u"Rea&ctivate\u2026", None))
#if QT_CONFIG(tooltip)
        self.changeRoleButton.setToolTip(QCoreApplication.translate("UsersDialog", u"Give the selected user another role: what it may not do is refused from their next action; its screens come at their next sign-in", None))
#endif // QT_CONFIG(tooltip)
        self.changeRoleButton.setText(QCoreApplication.translate("UsersDialog", u"Change r&ole\u2026", None))
#if QT_CONFIG(tooltip)
        self.requirePasswordButton.setToolTip(QCoreApplication.translate("UsersDialog", u"The selected user must choose a new password at their next sign-in", None))
#endif // QT_CONFIG(tooltip)
        self.requirePasswordButton.setText(QCoreApplication.translate("UsersDialog", u"Re&quire new password", None))
#if QT_CONFIG(accessibility)
        self.rowMessageLabel.setAccessibleName(QCoreApplication.translate("UsersDialog", u"Message", None))
#endif // QT_CONFIG(accessibility)
        self.rowMessageLabel.setText("")
#if QT_CONFIG(accessibility)
        self.errorLabel.setAccessibleName(QCoreApplication.translate("UsersDialog", u"Error", None))
#endif // QT_CONFIG(accessibility)
        self.errorLabel.setText("")
        self.addGroup.setTitle(QCoreApplication.translate("UsersDialog", u"Add a user", None))
#if QT_CONFIG(accessibility)
        self.addGroup.setAccessibleName(QCoreApplication.translate("UsersDialog", u"Add a user", None))
#endif // QT_CONFIG(accessibility)
        self.fullNameLabel.setText(QCoreApplication.translate("UsersDialog", u"&Full name", None))
#if QT_CONFIG(accessibility)
        self.fullNameEdit.setAccessibleName(QCoreApplication.translate("UsersDialog", u"Full name", None))
#endif // QT_CONFIG(accessibility)
        self.userNameLabel.setText(QCoreApplication.translate("UsersDialog", u"&User name", None))
#if QT_CONFIG(accessibility)
        self.userNameEdit.setAccessibleName(QCoreApplication.translate("UsersDialog", u"User name", None))
#endif // QT_CONFIG(accessibility)
        self.roleLabel.setText(QCoreApplication.translate("UsersDialog", u"&Role", None))
#if QT_CONFIG(accessibility)
        self.roleCombo.setAccessibleName(QCoreApplication.translate("UsersDialog", u"Role", None))
#endif // QT_CONFIG(accessibility)
        self.passwordLabel.setText(QCoreApplication.translate("UsersDialog", u"&Password", None))
#if QT_CONFIG(accessibility)
        self.passwordEdit.setAccessibleName(QCoreApplication.translate("UsersDialog", u"Password", None))
#endif // QT_CONFIG(accessibility)
        self.passwordHintSpacer.setText("")
#if QT_CONFIG(accessibility)
        self.passwordHintLabel.setAccessibleName(QCoreApplication.translate("UsersDialog", u"Password hint", None))
#endif // QT_CONFIG(accessibility)
        self.passwordHintLabel.setText(QCoreApplication.translate("UsersDialog", u"At least 12 characters; a few unrelated words work well.", None))
        self.passwordFeedbackSpacer.setText("")
#if QT_CONFIG(accessibility)
        self.passwordFeedbackLabel.setAccessibleName(QCoreApplication.translate("UsersDialog", u"Password feedback", None))
#endif // QT_CONFIG(accessibility)
        self.passwordFeedbackLabel.setText("")
        self.repeatPasswordLabel.setText(QCoreApplication.translate("UsersDialog", u"R&epeat password", None))
#if QT_CONFIG(accessibility)
        self.repeatPasswordEdit.setAccessibleName(QCoreApplication.translate("UsersDialog", u"Repeat password", None))
#endif // QT_CONFIG(accessibility)
        self.addButton.setText(QCoreApplication.translate("UsersDialog", u"&Add user", None))
#if QT_CONFIG(accessibility)
        self.addedLabel.setAccessibleName(QCoreApplication.translate("UsersDialog", u"Confirmation", None))
#endif // QT_CONFIG(accessibility)
        self.addedLabel.setText("")
    # retranslateUi

