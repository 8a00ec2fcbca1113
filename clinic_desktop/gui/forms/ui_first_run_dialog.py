# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'first_run_dialog.ui'
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
    QFormLayout, QHBoxLayout, QLabel, QLayout,
    QLineEdit, QPlainTextEdit, QSizePolicy, QSpacerItem,
    QVBoxLayout, QWidget)

class Ui_FirstRunDialog(object):
    def setupUi(self, FirstRunDialog):
        if not FirstRunDialog.objectName():
            FirstRunDialog.setObjectName(u"FirstRunDialog")
        FirstRunDialog.resize(860, 420)
        self.mainLayout = QVBoxLayout(FirstRunDialog)
        self.mainLayout.setSpacing(12)
        self.mainLayout.setObjectName(u"mainLayout")
        self.mainLayout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.mainLayout.setContentsMargins(20, 18, 20, 14)
        self.titleLabel = QLabel(FirstRunDialog)
        self.titleLabel.setObjectName(u"titleLabel")
        self.titleLabel.setWordWrap(True)
        self.titleLabel.setProperty(u"role", u"title")

        self.mainLayout.addWidget(self.titleLabel)

        self.introLabel = QLabel(FirstRunDialog)
        self.introLabel.setObjectName(u"introLabel")
        self.introLabel.setWordWrap(True)

        self.mainLayout.addWidget(self.introLabel)

        self.columnsLayout = QHBoxLayout()
        self.columnsLayout.setSpacing(28)
        self.columnsLayout.setObjectName(u"columnsLayout")
        self.formLayout = QFormLayout()
        self.formLayout.setObjectName(u"formLayout")
        self.formLayout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.formLayout.setLabelAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignVCenter)
        self.formLayout.setHorizontalSpacing(12)
        self.formLayout.setVerticalSpacing(8)
        self.fullNameLabel = QLabel(FirstRunDialog)
        self.fullNameLabel.setObjectName(u"fullNameLabel")

        self.formLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.fullNameLabel)

        self.fullNameEdit = QLineEdit(FirstRunDialog)
        self.fullNameEdit.setObjectName(u"fullNameEdit")
        self.fullNameEdit.setMinimumSize(QSize(220, 0))
        self.fullNameEdit.setMaxLength(200)

        self.formLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.fullNameEdit)

        self.userNameLabel = QLabel(FirstRunDialog)
        self.userNameLabel.setObjectName(u"userNameLabel")

        self.formLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.userNameLabel)

        self.userNameEdit = QLineEdit(FirstRunDialog)
        self.userNameEdit.setObjectName(u"userNameEdit")
        self.userNameEdit.setMinimumSize(QSize(220, 0))
        self.userNameEdit.setMaxLength(64)
        self.userNameEdit.setInputMethodHints(Qt.InputMethodHint.ImhNoAutoUppercase|Qt.InputMethodHint.ImhNoPredictiveText)

        self.formLayout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.userNameEdit)

        self.passwordLabel = QLabel(FirstRunDialog)
        self.passwordLabel.setObjectName(u"passwordLabel")

        self.formLayout.setWidget(2, QFormLayout.ItemRole.LabelRole, self.passwordLabel)

        self.passwordEdit = QLineEdit(FirstRunDialog)
        self.passwordEdit.setObjectName(u"passwordEdit")
        self.passwordEdit.setMinimumSize(QSize(220, 0))
        self.passwordEdit.setMaxLength(256)
        self.passwordEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passwordEdit.setInputMethodHints(Qt.InputMethodHint.ImhHiddenText|Qt.InputMethodHint.ImhNoAutoUppercase|Qt.InputMethodHint.ImhNoPredictiveText|Qt.InputMethodHint.ImhSensitiveData)

        self.formLayout.setWidget(2, QFormLayout.ItemRole.FieldRole, self.passwordEdit)

        self.passwordHintLabel = QLabel(FirstRunDialog)
        self.passwordHintLabel.setObjectName(u"passwordHintLabel")
        self.passwordHintLabel.setWordWrap(True)
        self.passwordHintLabel.setProperty(u"role", u"hint")

        self.formLayout.setWidget(3, QFormLayout.ItemRole.FieldRole, self.passwordHintLabel)

        self.passwordFeedbackLabel = QLabel(FirstRunDialog)
        self.passwordFeedbackLabel.setObjectName(u"passwordFeedbackLabel")
        self.passwordFeedbackLabel.setWordWrap(True)

        self.formLayout.setWidget(4, QFormLayout.ItemRole.FieldRole, self.passwordFeedbackLabel)

        self.repeatPasswordLabel = QLabel(FirstRunDialog)
        self.repeatPasswordLabel.setObjectName(u"repeatPasswordLabel")

        self.formLayout.setWidget(5, QFormLayout.ItemRole.LabelRole, self.repeatPasswordLabel)

        self.repeatPasswordEdit = QLineEdit(FirstRunDialog)
        self.repeatPasswordEdit.setObjectName(u"repeatPasswordEdit")
        self.repeatPasswordEdit.setMinimumSize(QSize(220, 0))
        self.repeatPasswordEdit.setMaxLength(256)
        self.repeatPasswordEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeatPasswordEdit.setInputMethodHints(Qt.InputMethodHint.ImhHiddenText|Qt.InputMethodHint.ImhNoAutoUppercase|Qt.InputMethodHint.ImhNoPredictiveText|Qt.InputMethodHint.ImhSensitiveData)

        self.formLayout.setWidget(5, QFormLayout.ItemRole.FieldRole, self.repeatPasswordEdit)


        self.columnsLayout.addLayout(self.formLayout)

        self.clinicForm = QFormLayout()
        self.clinicForm.setObjectName(u"clinicForm")
        self.clinicForm.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.clinicForm.setLabelAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignVCenter)
        self.clinicForm.setHorizontalSpacing(12)
        self.clinicForm.setVerticalSpacing(8)
        self.clinicIntroLabel = QLabel(FirstRunDialog)
        self.clinicIntroLabel.setObjectName(u"clinicIntroLabel")
        self.clinicIntroLabel.setWordWrap(True)
        self.clinicIntroLabel.setProperty(u"role", u"hint")

        self.clinicForm.setWidget(0, QFormLayout.ItemRole.SpanningRole, self.clinicIntroLabel)

        self.clinicNameLabel = QLabel(FirstRunDialog)
        self.clinicNameLabel.setObjectName(u"clinicNameLabel")

        self.clinicForm.setWidget(1, QFormLayout.ItemRole.LabelRole, self.clinicNameLabel)

        self.clinicNameEdit = QLineEdit(FirstRunDialog)
        self.clinicNameEdit.setObjectName(u"clinicNameEdit")
        self.clinicNameEdit.setMinimumSize(QSize(220, 0))
        self.clinicNameEdit.setMaxLength(300)

        self.clinicForm.setWidget(1, QFormLayout.ItemRole.FieldRole, self.clinicNameEdit)

        self.clinicAddressLabel = QLabel(FirstRunDialog)
        self.clinicAddressLabel.setObjectName(u"clinicAddressLabel")
        self.clinicAddressLabel.setAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignTop)

        self.clinicForm.setWidget(2, QFormLayout.ItemRole.LabelRole, self.clinicAddressLabel)

        self.clinicAddressEdit = QPlainTextEdit(FirstRunDialog)
        self.clinicAddressEdit.setObjectName(u"clinicAddressEdit")
        self.clinicAddressEdit.setMinimumSize(QSize(0, 64))
        self.clinicAddressEdit.setMaximumSize(QSize(16777215, 64))
        self.clinicAddressEdit.setTabChangesFocus(True)

        self.clinicForm.setWidget(2, QFormLayout.ItemRole.FieldRole, self.clinicAddressEdit)

        self.clinicPhoneLabel = QLabel(FirstRunDialog)
        self.clinicPhoneLabel.setObjectName(u"clinicPhoneLabel")

        self.clinicForm.setWidget(3, QFormLayout.ItemRole.LabelRole, self.clinicPhoneLabel)

        self.clinicPhoneEdit = QLineEdit(FirstRunDialog)
        self.clinicPhoneEdit.setObjectName(u"clinicPhoneEdit")
        self.clinicPhoneEdit.setMinimumSize(QSize(220, 0))
        self.clinicPhoneEdit.setMaxLength(300)
        self.clinicPhoneEdit.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)

        self.clinicForm.setWidget(3, QFormLayout.ItemRole.FieldRole, self.clinicPhoneEdit)


        self.columnsLayout.addLayout(self.clinicForm)


        self.mainLayout.addLayout(self.columnsLayout)

        self.errorLabel = QLabel(FirstRunDialog)
        self.errorLabel.setObjectName(u"errorLabel")
        self.errorLabel.setVisible(False)
        self.errorLabel.setWordWrap(True)
        self.errorLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.errorLabel.setProperty(u"role", u"error")

        self.mainLayout.addWidget(self.errorLabel)

        self.verticalSpacer = QSpacerItem(20, 4, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.mainLayout.addItem(self.verticalSpacer)

        self.databaseLabel = QLabel(FirstRunDialog)
        self.databaseLabel.setObjectName(u"databaseLabel")
        self.databaseLabel.setWordWrap(True)
        self.databaseLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.databaseLabel.setStyleSheet(u"font-size: 9pt;")
        self.databaseLabel.setProperty(u"role", u"muted")

        self.mainLayout.addWidget(self.databaseLabel)

        self.buttonBox = QDialogButtonBox(FirstRunDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel)

        self.mainLayout.addWidget(self.buttonBox)

#if QT_CONFIG(shortcut)
        self.fullNameLabel.setBuddy(self.fullNameEdit)
        self.userNameLabel.setBuddy(self.userNameEdit)
        self.passwordLabel.setBuddy(self.passwordEdit)
        self.repeatPasswordLabel.setBuddy(self.repeatPasswordEdit)
        self.clinicNameLabel.setBuddy(self.clinicNameEdit)
        self.clinicAddressLabel.setBuddy(self.clinicAddressEdit)
        self.clinicPhoneLabel.setBuddy(self.clinicPhoneEdit)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.fullNameEdit, self.userNameEdit)
        QWidget.setTabOrder(self.userNameEdit, self.passwordEdit)
        QWidget.setTabOrder(self.passwordEdit, self.repeatPasswordEdit)
        QWidget.setTabOrder(self.repeatPasswordEdit, self.clinicNameEdit)
        QWidget.setTabOrder(self.clinicNameEdit, self.clinicAddressEdit)
        QWidget.setTabOrder(self.clinicAddressEdit, self.clinicPhoneEdit)

        self.retranslateUi(FirstRunDialog)

        QMetaObject.connectSlotsByName(FirstRunDialog)
    # setupUi

    def retranslateUi(self, FirstRunDialog):
        FirstRunDialog.setWindowTitle(QCoreApplication.translate("FirstRunDialog", u"First start \u2014 Clinic Desktop", None))
#if QT_CONFIG(accessibility)
        FirstRunDialog.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"Create the administrator account", None))
#endif // QT_CONFIG(accessibility)
        self.titleLabel.setText(QCoreApplication.translate("FirstRunDialog", u"Create the administrator account", None))
#if QT_CONFIG(accessibility)
        self.introLabel.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"About this step", None))
#endif // QT_CONFIG(accessibility)
        self.introLabel.setText(QCoreApplication.translate("FirstRunDialog", u"This database has no user accounts yet. The administrator you create now signs in first and then adds the other staff accounts.", None))
        self.fullNameLabel.setText(QCoreApplication.translate("FirstRunDialog", u"&Full name", None))
#if QT_CONFIG(accessibility)
        self.fullNameEdit.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"Full name", None))
#endif // QT_CONFIG(accessibility)
        self.userNameLabel.setText(QCoreApplication.translate("FirstRunDialog", u"&User name", None))
#if QT_CONFIG(accessibility)
        self.userNameEdit.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"User name", None))
#endif // QT_CONFIG(accessibility)
        self.passwordLabel.setText(QCoreApplication.translate("FirstRunDialog", u"&Password", None))
#if QT_CONFIG(accessibility)
        self.passwordEdit.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"Password", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.passwordHintLabel.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"Password hint", None))
#endif // QT_CONFIG(accessibility)
        self.passwordHintLabel.setText(QCoreApplication.translate("FirstRunDialog", u"At least 12 characters; a few unrelated words work well.", None))
#if QT_CONFIG(accessibility)
        self.passwordFeedbackLabel.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"Password feedback", None))
#endif // QT_CONFIG(accessibility)
        self.passwordFeedbackLabel.setText("")
        self.repeatPasswordLabel.setText(QCoreApplication.translate("FirstRunDialog", u"&Repeat password", None))
#if QT_CONFIG(accessibility)
        self.repeatPasswordEdit.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"Repeat password", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.clinicIntroLabel.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"About the clinic", None))
#endif // QT_CONFIG(accessibility)
        self.clinicIntroLabel.setText(QCoreApplication.translate("FirstRunDialog", u"Your clinic's name, address and phone print on every plan, letter and handover: nothing prints without them. An administrator can change them later in Clinic settings.", None))
        self.clinicNameLabel.setText(QCoreApplication.translate("FirstRunDialog", u"Clinic &name", None))
#if QT_CONFIG(accessibility)
        self.clinicNameEdit.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"Clinic name", None))
#endif // QT_CONFIG(accessibility)
        self.clinicAddressLabel.setText(QCoreApplication.translate("FirstRunDialog", u"Clinic &address", None))
#if QT_CONFIG(accessibility)
        self.clinicAddressEdit.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"Clinic address", None))
#endif // QT_CONFIG(accessibility)
        self.clinicPhoneLabel.setText(QCoreApplication.translate("FirstRunDialog", u"Clinic p&hone", None))
#if QT_CONFIG(accessibility)
        self.clinicPhoneEdit.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"Clinic phone", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.errorLabel.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"Error", None))
#endif // QT_CONFIG(accessibility)
        self.errorLabel.setText("")
#if QT_CONFIG(accessibility)
        self.databaseLabel.setAccessibleName(QCoreApplication.translate("FirstRunDialog", u"Database", None))
#endif // QT_CONFIG(accessibility)
        self.databaseLabel.setText("")
    # retranslateUi

