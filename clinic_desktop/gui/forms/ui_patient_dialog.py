# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'patient_dialog.ui'
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
    QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
    QScrollArea, QSizePolicy, QSpacerItem, QVBoxLayout,
    QWidget)

from clinic_desktop.gui.widgets.when_edit import WhenEdit

class Ui_PatientDialog(object):
    def setupUi(self, PatientDialog):
        if not PatientDialog.objectName():
            PatientDialog.setObjectName(u"PatientDialog")
        PatientDialog.resize(560, 620)
        PatientDialog.setMinimumSize(QSize(460, 400))
        self.mainLayout = QVBoxLayout(PatientDialog)
        self.mainLayout.setSpacing(10)
        self.mainLayout.setObjectName(u"mainLayout")
        self.mainLayout.setContentsMargins(16, 14, 16, 12)
        self.saveErrorLabel = QLabel(PatientDialog)
        self.saveErrorLabel.setObjectName(u"saveErrorLabel")
        self.saveErrorLabel.setVisible(False)
        self.saveErrorLabel.setWordWrap(True)
        self.saveErrorLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.saveErrorLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.saveErrorLabel.setStyleSheet(u"background: #fde7ea; border: 1px solid #b00020; border-left: 5px solid #b00020; border-radius: 3px; padding: 8px;")
        self.saveErrorLabel.setProperty(u"role", u"error")

        self.mainLayout.addWidget(self.saveErrorLabel)

        self.scrollArea = QScrollArea(PatientDialog)
        self.scrollArea.setObjectName(u"scrollArea")
        self.scrollArea.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scrollArea.setFrameShape(QFrame.Shape.NoFrame)
        self.scrollArea.setWidgetResizable(True)
        self.scrollArea.setStyleSheet(u"QScrollArea, QWidget#scrollContents { background: transparent; }")
        self.scrollArea.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scrollContents = QWidget()
        self.scrollContents.setObjectName(u"scrollContents")
        self.scrollContents.setGeometry(QRect(0, 0, 520, 520))
        self.contentLayout = QVBoxLayout(self.scrollContents)
        self.contentLayout.setSpacing(14)
        self.contentLayout.setObjectName(u"contentLayout")
        self.contentLayout.setContentsMargins(0, 0, 6, 0)
        self.formLayout = QFormLayout()
        self.formLayout.setObjectName(u"formLayout")
        self.formLayout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.formLayout.setLabelAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignVCenter)
        self.formLayout.setHorizontalSpacing(12)
        self.formLayout.setVerticalSpacing(8)
        self.mrnLabel = QLabel(self.scrollContents)
        self.mrnLabel.setObjectName(u"mrnLabel")

        self.formLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.mrnLabel)

        self.mrnEdit = QLineEdit(self.scrollContents)
        self.mrnEdit.setObjectName(u"mrnEdit")
        self.mrnEdit.setMaxLength(40)
        self.mrnEdit.setInputMethodHints(Qt.InputMethodHint.ImhPreferUppercase|Qt.InputMethodHint.ImhNoPredictiveText)

        self.formLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.mrnEdit)

        self.givenNameLabel = QLabel(self.scrollContents)
        self.givenNameLabel.setObjectName(u"givenNameLabel")

        self.formLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.givenNameLabel)

        self.givenNameEdit = QLineEdit(self.scrollContents)
        self.givenNameEdit.setObjectName(u"givenNameEdit")
        self.givenNameEdit.setMaxLength(100)

        self.formLayout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.givenNameEdit)

        self.familyNameLabel = QLabel(self.scrollContents)
        self.familyNameLabel.setObjectName(u"familyNameLabel")

        self.formLayout.setWidget(2, QFormLayout.ItemRole.LabelRole, self.familyNameLabel)

        self.familyNameEdit = QLineEdit(self.scrollContents)
        self.familyNameEdit.setObjectName(u"familyNameEdit")
        self.familyNameEdit.setMaxLength(100)

        self.formLayout.setWidget(2, QFormLayout.ItemRole.FieldRole, self.familyNameEdit)

        self.dateOfBirthLabel = QLabel(self.scrollContents)
        self.dateOfBirthLabel.setObjectName(u"dateOfBirthLabel")

        self.formLayout.setWidget(3, QFormLayout.ItemRole.LabelRole, self.dateOfBirthLabel)

        self.dateOfBirthLayout = QHBoxLayout()
        self.dateOfBirthLayout.setSpacing(10)
        self.dateOfBirthLayout.setObjectName(u"dateOfBirthLayout")
        self.dateOfBirthEdit = WhenEdit(self.scrollContents)
        self.dateOfBirthEdit.setObjectName(u"dateOfBirthEdit")
        self.dateOfBirthEdit.setMinimumSize(QSize(170, 0))

        self.dateOfBirthLayout.addWidget(self.dateOfBirthEdit)

        self.dateOfBirthHintLabel = QLabel(self.scrollContents)
        self.dateOfBirthHintLabel.setObjectName(u"dateOfBirthHintLabel")
        self.dateOfBirthHintLabel.setWordWrap(True)
        self.dateOfBirthHintLabel.setProperty(u"role", u"hint")

        self.dateOfBirthLayout.addWidget(self.dateOfBirthHintLabel)

        self.dateOfBirthSpacer = QSpacerItem(0, 20, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.dateOfBirthLayout.addItem(self.dateOfBirthSpacer)


        self.formLayout.setLayout(3, QFormLayout.ItemRole.FieldRole, self.dateOfBirthLayout)

        self.sexLabel = QLabel(self.scrollContents)
        self.sexLabel.setObjectName(u"sexLabel")

        self.formLayout.setWidget(4, QFormLayout.ItemRole.LabelRole, self.sexLabel)

        self.sexCombo = QComboBox(self.scrollContents)
        self.sexCombo.setObjectName(u"sexCombo")

        self.formLayout.setWidget(4, QFormLayout.ItemRole.FieldRole, self.sexCombo)

        self.genderIdentityLabel = QLabel(self.scrollContents)
        self.genderIdentityLabel.setObjectName(u"genderIdentityLabel")

        self.formLayout.setWidget(5, QFormLayout.ItemRole.LabelRole, self.genderIdentityLabel)

        self.genderIdentityEdit = QLineEdit(self.scrollContents)
        self.genderIdentityEdit.setObjectName(u"genderIdentityEdit")
        self.genderIdentityEdit.setMaxLength(100)

        self.formLayout.setWidget(5, QFormLayout.ItemRole.FieldRole, self.genderIdentityEdit)

        self.pronounsLabel = QLabel(self.scrollContents)
        self.pronounsLabel.setObjectName(u"pronounsLabel")

        self.formLayout.setWidget(6, QFormLayout.ItemRole.LabelRole, self.pronounsLabel)

        self.pronounsEdit = QLineEdit(self.scrollContents)
        self.pronounsEdit.setObjectName(u"pronounsEdit")
        self.pronounsEdit.setMaxLength(40)

        self.formLayout.setWidget(6, QFormLayout.ItemRole.FieldRole, self.pronounsEdit)

        self.preferredLanguageLabel = QLabel(self.scrollContents)
        self.preferredLanguageLabel.setObjectName(u"preferredLanguageLabel")

        self.formLayout.setWidget(7, QFormLayout.ItemRole.LabelRole, self.preferredLanguageLabel)

        self.preferredLanguageCombo = QComboBox(self.scrollContents)
        self.preferredLanguageCombo.setObjectName(u"preferredLanguageCombo")

        self.formLayout.setWidget(7, QFormLayout.ItemRole.FieldRole, self.preferredLanguageCombo)

        self.phoneLabel = QLabel(self.scrollContents)
        self.phoneLabel.setObjectName(u"phoneLabel")

        self.formLayout.setWidget(8, QFormLayout.ItemRole.LabelRole, self.phoneLabel)

        self.phoneEdit = QLineEdit(self.scrollContents)
        self.phoneEdit.setObjectName(u"phoneEdit")
        self.phoneEdit.setMaxLength(40)
        self.phoneEdit.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)

        self.formLayout.setWidget(8, QFormLayout.ItemRole.FieldRole, self.phoneEdit)

        self.addressLabel = QLabel(self.scrollContents)
        self.addressLabel.setObjectName(u"addressLabel")

        self.formLayout.setWidget(9, QFormLayout.ItemRole.LabelRole, self.addressLabel)

        self.addressEdit = QPlainTextEdit(self.scrollContents)
        self.addressEdit.setObjectName(u"addressEdit")
        self.addressEdit.setMinimumSize(QSize(0, 56))
        self.addressEdit.setMaximumSize(QSize(16777215, 72))
        self.addressEdit.setTabChangesFocus(True)

        self.formLayout.setWidget(9, QFormLayout.ItemRole.FieldRole, self.addressEdit)


        self.contentLayout.addLayout(self.formLayout)

        self.emergencyContactGroup = QGroupBox(self.scrollContents)
        self.emergencyContactGroup.setObjectName(u"emergencyContactGroup")
        self.emergencyContactGroup.setFlat(True)
        self.emergencyContactGroup.setStyleSheet(u"QGroupBox { border: none; border-top: 1px solid #c3ccd0; margin-top: 1.6em; padding-top: 2px; font-weight: 600; } QGroupBox::title { subcontrol-origin: margin; subcontrol-position: top left; left: 0px; padding: 0px; } QGroupBox QLabel, QGroupBox QLineEdit { font-weight: normal; }")
        self.emergencyContactFormLayout = QFormLayout(self.emergencyContactGroup)
        self.emergencyContactFormLayout.setObjectName(u"emergencyContactFormLayout")
        self.emergencyContactFormLayout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.emergencyContactFormLayout.setLabelAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignVCenter)
        self.emergencyContactFormLayout.setHorizontalSpacing(12)
        self.emergencyContactFormLayout.setVerticalSpacing(8)
        self.emergencyContactFormLayout.setContentsMargins(0, 6, 0, 0)
        self.emergencyContactNameLabel = QLabel(self.emergencyContactGroup)
        self.emergencyContactNameLabel.setObjectName(u"emergencyContactNameLabel")

        self.emergencyContactFormLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.emergencyContactNameLabel)

        self.emergencyContactNameEdit = QLineEdit(self.emergencyContactGroup)
        self.emergencyContactNameEdit.setObjectName(u"emergencyContactNameEdit")
        self.emergencyContactNameEdit.setMaxLength(200)

        self.emergencyContactFormLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.emergencyContactNameEdit)

        self.emergencyContactRelationLabel = QLabel(self.emergencyContactGroup)
        self.emergencyContactRelationLabel.setObjectName(u"emergencyContactRelationLabel")

        self.emergencyContactFormLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.emergencyContactRelationLabel)

        self.emergencyContactRelationEdit = QLineEdit(self.emergencyContactGroup)
        self.emergencyContactRelationEdit.setObjectName(u"emergencyContactRelationEdit")
        self.emergencyContactRelationEdit.setMaxLength(100)

        self.emergencyContactFormLayout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.emergencyContactRelationEdit)

        self.emergencyContactPhoneLabel = QLabel(self.emergencyContactGroup)
        self.emergencyContactPhoneLabel.setObjectName(u"emergencyContactPhoneLabel")

        self.emergencyContactFormLayout.setWidget(2, QFormLayout.ItemRole.LabelRole, self.emergencyContactPhoneLabel)

        self.emergencyContactPhoneEdit = QLineEdit(self.emergencyContactGroup)
        self.emergencyContactPhoneEdit.setObjectName(u"emergencyContactPhoneEdit")
        self.emergencyContactPhoneEdit.setMaxLength(40)
        self.emergencyContactPhoneEdit.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)

        self.emergencyContactFormLayout.setWidget(2, QFormLayout.ItemRole.FieldRole, self.emergencyContactPhoneEdit)


        self.contentLayout.addWidget(self.emergencyContactGroup)

        self.contentSpacer = QSpacerItem(20, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.contentLayout.addItem(self.contentSpacer)

        self.scrollArea.setWidget(self.scrollContents)

        self.mainLayout.addWidget(self.scrollArea)

        self.duplicatePanel = QFrame(PatientDialog)
        self.duplicatePanel.setObjectName(u"duplicatePanel")
        self.duplicatePanel.setVisible(False)
        self.duplicatePanel.setFrameShape(QFrame.Shape.StyledPanel)
        self.duplicatePanel.setProperty(u"role", u"warning")
        self.duplicateLayout = QVBoxLayout(self.duplicatePanel)
        self.duplicateLayout.setSpacing(4)
        self.duplicateLayout.setObjectName(u"duplicateLayout")
        self.duplicateLayout.setContentsMargins(4, 2, 4, 2)
        self.duplicateHeadingLabel = QLabel(self.duplicatePanel)
        self.duplicateHeadingLabel.setObjectName(u"duplicateHeadingLabel")
        self.duplicateHeadingLabel.setTextFormat(Qt.TextFormat.RichText)
        self.duplicateHeadingLabel.setWordWrap(True)

        self.duplicateLayout.addWidget(self.duplicateHeadingLabel)

        self.duplicateListLabel = QLabel(self.duplicatePanel)
        self.duplicateListLabel.setObjectName(u"duplicateListLabel")
        self.duplicateListLabel.setWordWrap(True)
        self.duplicateListLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.duplicateListLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.duplicateLayout.addWidget(self.duplicateListLabel)

        self.duplicateAdviceLabel = QLabel(self.duplicatePanel)
        self.duplicateAdviceLabel.setObjectName(u"duplicateAdviceLabel")
        self.duplicateAdviceLabel.setWordWrap(True)

        self.duplicateLayout.addWidget(self.duplicateAdviceLabel)


        self.mainLayout.addWidget(self.duplicatePanel)

        self.buttonLayout = QHBoxLayout()
        self.buttonLayout.setSpacing(12)
        self.buttonLayout.setObjectName(u"buttonLayout")
        self.requiredNoteLabel = QLabel(PatientDialog)
        self.requiredNoteLabel.setObjectName(u"requiredNoteLabel")
        self.requiredNoteLabel.setProperty(u"role", u"hint")

        self.buttonLayout.addWidget(self.requiredNoteLabel)

        self.buttonBox = QDialogButtonBox(PatientDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Save)

        self.buttonLayout.addWidget(self.buttonBox)


        self.mainLayout.addLayout(self.buttonLayout)

#if QT_CONFIG(shortcut)
        self.mrnLabel.setBuddy(self.mrnEdit)
        self.givenNameLabel.setBuddy(self.givenNameEdit)
        self.familyNameLabel.setBuddy(self.familyNameEdit)
        self.dateOfBirthLabel.setBuddy(self.dateOfBirthEdit)
        self.sexLabel.setBuddy(self.sexCombo)
        self.genderIdentityLabel.setBuddy(self.genderIdentityEdit)
        self.pronounsLabel.setBuddy(self.pronounsEdit)
        self.preferredLanguageLabel.setBuddy(self.preferredLanguageCombo)
        self.phoneLabel.setBuddy(self.phoneEdit)
        self.addressLabel.setBuddy(self.addressEdit)
        self.emergencyContactNameLabel.setBuddy(self.emergencyContactNameEdit)
        self.emergencyContactRelationLabel.setBuddy(self.emergencyContactRelationEdit)
        self.emergencyContactPhoneLabel.setBuddy(self.emergencyContactPhoneEdit)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.mrnEdit, self.givenNameEdit)
        QWidget.setTabOrder(self.givenNameEdit, self.familyNameEdit)
        QWidget.setTabOrder(self.familyNameEdit, self.dateOfBirthEdit)
        QWidget.setTabOrder(self.dateOfBirthEdit, self.sexCombo)
        QWidget.setTabOrder(self.sexCombo, self.genderIdentityEdit)
        QWidget.setTabOrder(self.genderIdentityEdit, self.pronounsEdit)
        QWidget.setTabOrder(self.pronounsEdit, self.preferredLanguageCombo)
        QWidget.setTabOrder(self.preferredLanguageCombo, self.phoneEdit)
        QWidget.setTabOrder(self.phoneEdit, self.addressEdit)
        QWidget.setTabOrder(self.addressEdit, self.emergencyContactNameEdit)
        QWidget.setTabOrder(self.emergencyContactNameEdit, self.emergencyContactRelationEdit)
        QWidget.setTabOrder(self.emergencyContactRelationEdit, self.emergencyContactPhoneEdit)
        QWidget.setTabOrder(self.emergencyContactPhoneEdit, self.buttonBox)

        self.retranslateUi(PatientDialog)

        QMetaObject.connectSlotsByName(PatientDialog)
    # setupUi

    def retranslateUi(self, PatientDialog):
        PatientDialog.setWindowTitle(QCoreApplication.translate("PatientDialog", u"New patient", None))
#if QT_CONFIG(accessibility)
        PatientDialog.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Patient registration", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.saveErrorLabel.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Save error", None))
#endif // QT_CONFIG(accessibility)
        self.saveErrorLabel.setText("")
#if QT_CONFIG(accessibility)
        self.scrollArea.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Patient details", None))
#endif // QT_CONFIG(accessibility)
        self.mrnLabel.setText(QCoreApplication.translate("PatientDialog", u"MRN", None))
#if QT_CONFIG(accessibility)
        self.mrnEdit.setAccessibleName(QCoreApplication.translate("PatientDialog", u"MRN", None))
#endif // QT_CONFIG(accessibility)
        self.givenNameLabel.setText(QCoreApplication.translate("PatientDialog", u"Given name", None))
#if QT_CONFIG(accessibility)
        self.givenNameEdit.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Given name", None))
#endif // QT_CONFIG(accessibility)
        self.familyNameLabel.setText(QCoreApplication.translate("PatientDialog", u"Family name", None))
#if QT_CONFIG(accessibility)
        self.familyNameEdit.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Family name", None))
#endif // QT_CONFIG(accessibility)
        self.dateOfBirthLabel.setText(QCoreApplication.translate("PatientDialog", u"Date of birth", None))
#if QT_CONFIG(accessibility)
        self.dateOfBirthHintLabel.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Date of birth format", None))
#endif // QT_CONFIG(accessibility)
        self.dateOfBirthHintLabel.setText(QCoreApplication.translate("PatientDialog", u"yyyy-mm-dd or mm/dd/yyyy", None))
        self.sexLabel.setText(QCoreApplication.translate("PatientDialog", u"Sex", None))
#if QT_CONFIG(accessibility)
        self.sexCombo.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Sex", None))
#endif // QT_CONFIG(accessibility)
        self.genderIdentityLabel.setText(QCoreApplication.translate("PatientDialog", u"Gender identity", None))
#if QT_CONFIG(accessibility)
        self.genderIdentityEdit.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Gender identity", None))
#endif // QT_CONFIG(accessibility)
        self.pronounsLabel.setText(QCoreApplication.translate("PatientDialog", u"Pronouns", None))
#if QT_CONFIG(accessibility)
        self.pronounsEdit.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Pronouns", None))
#endif // QT_CONFIG(accessibility)
        self.preferredLanguageLabel.setText(QCoreApplication.translate("PatientDialog", u"Preferred language", None))
#if QT_CONFIG(accessibility)
        self.preferredLanguageCombo.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Preferred language", None))
#endif // QT_CONFIG(accessibility)
        self.phoneLabel.setText(QCoreApplication.translate("PatientDialog", u"Phone", None))
#if QT_CONFIG(accessibility)
        self.phoneEdit.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Phone", None))
#endif // QT_CONFIG(accessibility)
        self.addressLabel.setText(QCoreApplication.translate("PatientDialog", u"Address", None))
#if QT_CONFIG(accessibility)
        self.addressEdit.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Address", None))
#endif // QT_CONFIG(accessibility)
        self.emergencyContactGroup.setTitle(QCoreApplication.translate("PatientDialog", u"Emergency contact", None))
#if QT_CONFIG(accessibility)
        self.emergencyContactGroup.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Emergency contact", None))
#endif // QT_CONFIG(accessibility)
        self.emergencyContactNameLabel.setText(QCoreApplication.translate("PatientDialog", u"Emergency contact name", None))
#if QT_CONFIG(accessibility)
        self.emergencyContactNameEdit.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Emergency contact name", None))
#endif // QT_CONFIG(accessibility)
        self.emergencyContactRelationLabel.setText(QCoreApplication.translate("PatientDialog", u"Relation", None))
#if QT_CONFIG(accessibility)
        self.emergencyContactRelationEdit.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Relation", None))
#endif // QT_CONFIG(accessibility)
        self.emergencyContactPhoneLabel.setText(QCoreApplication.translate("PatientDialog", u"Emergency contact phone", None))
#if QT_CONFIG(accessibility)
        self.emergencyContactPhoneEdit.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Emergency contact phone", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.duplicatePanel.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Possible duplicate", None))
#endif // QT_CONFIG(accessibility)
        self.duplicateHeadingLabel.setText(QCoreApplication.translate("PatientDialog", u"<b>Possible duplicate:</b> this person may already be registered.", None))
#if QT_CONFIG(accessibility)
        self.duplicateListLabel.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Possible duplicate matches", None))
#endif // QT_CONFIG(accessibility)
        self.duplicateListLabel.setText("")
        self.duplicateAdviceLabel.setText("")
#if QT_CONFIG(accessibility)
        self.requiredNoteLabel.setAccessibleName(QCoreApplication.translate("PatientDialog", u"Required fields", None))
#endif // QT_CONFIG(accessibility)
        self.requiredNoteLabel.setText(QCoreApplication.translate("PatientDialog", u"* required", None))
    # retranslateUi

