"""Referrals: the programs, prescribers and services the patient is referred to, from the
directory, each with its reason, appointment and consent to share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from clinic_desktop.core import directory as directory_rules
from clinic_desktop.core import plan as plan_rules
from clinic_desktop.core import protocols
from clinic_desktop.gui.plan.rows import ReferralRow
from clinic_desktop.gui.plan.section import Section
from clinic_desktop.gui.widgets.removable_rows import RowList


class ReferralsSection(Section):
    name = "referrals"
    #: Called with the rows whenever one is added or removed (the consent's recipients).
    rows_changed: Callable[[list[ReferralRow]], None] | None = None

    def build(self, title: str) -> QWidget:
        page, inner = self.page(title)
        inner.addWidget(self.note("Programs, prescribers and services the patient is referred to, "
                                  "from the directory. Record a consent (Consent section) before "
                                  "sharing anything with them."))
        # A pregnant patient: propose prenatal and obstetric care until a referral is of that kind.
        pregnancy = protocols.pregnancy_prompt()
        self.obstetric_prompt = QLabel(f"{pregnancy.title}: {pregnancy.text}")
        self.obstetric_prompt.setWordWrap(True)
        self.obstetric_prompt.setProperty("role", "warning")
        self.obstetric_prompt.setAccessibleName("Obstetric referral prompt")
        self.add_obstetric = QPushButton("Add a prenatal and obstetric referral\u2026")
        self.add_obstetric.clicked.connect(
            lambda: self.screen.pick_entry("referral", directory_rules.OBSTETRIC_CARE))
        inner.addWidget(self.obstetric_prompt)
        inner.addLayout(self.buttons(self.add_obstetric))
        self.show_recommended({})
        box = QVBoxLayout()
        inner.addLayout(box)
        self.list: RowList[ReferralRow] = RowList(box, edited=self.changed,
                                                  rows_changed=self._rows_changed)
        self.none_yet = self.note("No referrals yet.")
        inner.addWidget(self.none_yet)
        add = QPushButton("Add referral\u2026")
        add.clicked.connect(lambda: self.screen.pick_entry("referral"))
        inner.addLayout(self.buttons(add))
        inner.addStretch(1)
        return page

    @property
    def rows(self) -> list[ReferralRow]:
        return self.list.rows

    def add(self, entry_id: int, data: Mapping[str, Any] | None = None, *,
            focus: bool = False) -> ReferralRow:
        return self.list.add(ReferralRow(entry_id, self.screen.contacts.get(entry_id)), data,
                             focus=focus)

    def kinds(self) -> list[str]:
        """The directory kind of each referral (as the screen's contact book knows it)."""
        return [self.screen.contacts.get(row.entry_id).kind for row in self.rows]

    def show_recommended(self, recommended: Mapping[str, str]) -> None:
        """The obstetric referral's prompt and button while :func:`core.plan.recommended` asks for one."""
        shown = plan_rules.OBSTETRIC_REFERRAL in recommended
        self.obstetric_prompt.setVisible(shown)
        self.add_obstetric.setVisible(shown)

    def _rows_changed(self) -> None:
        self.none_yet.setVisible(not self.rows)
        if self.rows_changed is not None:
            self.rows_changed(self.rows)

    def load(self, view) -> None:
        for r in view.draft.get("referrals") or []:
            self.add(r.get("entry_id"), r)

    def read(self) -> dict[str, Any]:
        return {"referrals": [r.value() for r in self.rows]}

    def field_for(self, key: str) -> QWidget | None:
        """``referrals.<n>.reason``: the reason of the n-th referral."""
        parts = key.split(".")
        if len(parts) == 3 and parts[1].isdigit():
            n = int(parts[1])
            return self.rows[n - 1].reason if 1 <= n <= len(self.rows) else None
        return super().field_for(key)
