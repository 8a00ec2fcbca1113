"""Summary: everything recorded at a glance (risk flags, readiness, each section, addenda),
what is still missing before signing (double-click to go there), the pathway, Sign… and
Add addendum…."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QWidget,
)

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import clock, facts, protocols, units, vitals, withdrawal
from clinic_desktop.core.instruments import get_instrument
from clinic_desktop.core.services import patients
from clinic_desktop.gui import theme
from clinic_desktop.gui.intake.section import CHOOSE, IntakeSection
from clinic_desktop.gui.intake.vitals import VitalsSection
from clinic_desktop.gui.widgets.instrument_entry import total_text
from clinic_desktop.gui.widgets.style import make_primary


class SummarySection(IntakeSection):
    name = "summary"

    def __init__(self, screen) -> None:
        super().__init__(screen)
        self.missing_keys: list[str] = []

    def build(self) -> QWidget:
        page, inner, _ = self.page(scroll=False)
        inner.setContentsMargins(0, 0, 0, 0)
        self.summary_view = QTextBrowser()
        self.summary_view.setAccessibleName("Summary")
        self.summary_view.setOpenLinks(False)
        self.missing_label = QLabel("Missing before signing")
        self.missing_label.setProperty("role", "heading")
        self.missing_list = QListWidget()
        self.missing_list.setAccessibleName("Missing before signing")
        self.missing_list.setMaximumHeight(150)
        self.missing_list.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.missing_list.itemActivated.connect(
            lambda item: self.screen.go_to(item.data(Qt.ItemDataRole.UserRole)))
        self.missing_list.itemDoubleClicked.connect(
            lambda item: self.screen.go_to(item.data(Qt.ItemDataRole.UserRole)))
        self.go_first_button = QPushButton("Go to first")
        self.go_first_button.clicked.connect(self.screen.go_to_first_missing)
        self.pathway = QComboBox()
        self.pathway.addItem(CHOOSE, None)
        for key, label in rules.PATHWAYS.items():
            self.pathway.addItem(label, key)
        self.pathway.setAccessibleName("Pathway")
        self.pathway.currentIndexChanged.connect(self.changed)
        self.register("summary.pathway", self.pathway)
        pathway_label = QLabel("&Pathway")
        pathway_label.setBuddy(self.pathway)
        self.sign_button = QPushButton("Sign…")
        self.sign_button.setToolTip("Ctrl+Enter")
        make_primary(self.sign_button)
        self.sign_button.clicked.connect(self.screen.request_sign)
        self.addendum_button = QPushButton("Add addendum…")
        self.addendum_button.clicked.connect(self.screen.request_addendum)
        self.addendum_button.setVisible(False)

        missing_head = QHBoxLayout()
        missing_head.addWidget(self.missing_label, 1)
        missing_head.addWidget(self.go_first_button)
        actions = QHBoxLayout()
        actions.addWidget(pathway_label)
        actions.addWidget(self.pathway, 1)
        actions.addWidget(self.sign_button)
        actions.addWidget(self.addendum_button)
        inner.addWidget(self.summary_view, 1)
        inner.addLayout(missing_head)
        inner.addWidget(self.missing_list)
        inner.addLayout(actions)
        self.keep_enabled(page)
        return page

    # ---- the draft ---------------------------------------------------------------------------
    def load(self, data: Mapping[str, Any]) -> None:
        pathway = data.get("pathway") or self.screen.assessment.pathway
        self.pathway.setCurrentIndex(max(self.pathway.findData(pathway), 0))

    def read(self) -> dict[str, Any]:
        return {"pathway": self.pathway.currentData()}

    def kept(self, data: Mapping[str, Any]) -> dict[str, Any]:
        pathway = data.get("pathway") or self.screen.assessment.pathway
        return rules.complete_section(self.name, {"pathway": pathway})

    def validate(self, data: Mapping[str, Any], now: dt.datetime) -> list[rules.Missing]:
        """Everything still missing before signing (the summary lists it all)."""
        return rules.missing_to_sign(data, data["summary"]["pathway"], now)

    def set_pathway(self, pathway: str) -> None:
        self.pathway.setCurrentIndex(max(self.pathway.findData(pathway), 0))

    # ---- live --------------------------------------------------------------------------------
    def refresh(self, data: Mapping[str, Any], now: dt.datetime) -> None:
        if self.screen.current_section() == self.name:
            self.show_summary(data, now)

    def show_summary(self, data: Mapping[str, Any], now: dt.datetime) -> None:
        if not self.read_only:
            self.show_missing({m.key: m.message for m in self.validate(data, now)})
        self.summary_view.setHtml(self.summary_html(data, now))

    def show_missing(self, missing: Mapping[str, str]) -> None:
        self.missing_list.clear()
        self.missing_keys = list(missing)
        for key, message in missing.items():
            section = rules.SECTION_LABELS.get(key.split(".")[0], "")
            item = QListWidgetItem(f"{section}: {message}" if section else message)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip("Double-click (or Enter) to go there")
            self.missing_list.addItem(item)
        has = bool(missing)
        for w in (self.missing_label, self.missing_list, self.go_first_button):
            w.setVisible(has and not self.read_only)

    def set_read_only(self) -> None:
        self.pathway.setEnabled(False)
        self.sign_button.setVisible(False)
        self.addendum_button.setVisible(True)
        for w in (self.missing_label, self.missing_list, self.go_first_button):
            w.setVisible(False)

    def summary_html(self, data: Mapping[str, Any], now: dt.datetime) -> str:
        e = html.escape
        out = []

        def line(label: str, value: Any) -> None:
            shown = "—" if value in (None, "", {}) else ("Yes" if value is True else "No" if value is False
                                                          else str(value))
            out.append(f"<tr><td width='230' style='padding-right:12px;color:{theme.css('muted')}'>{e(label)}</td>"
                       f"<td>{e(shown)}</td></tr>")

        def head(text: str) -> None:
            out.append(f"</table><h3 style='margin-top:10px'>{e(text)}</h3><table>")

        vitals_section = self.screen.sections["vitals"]
        assert isinstance(vitals_section, VitalsSection)
        system = vitals_section.system  # the clinic's units: °F and lb, or °C and kg
        flags = rules.risk_flags(data, system)
        out.append("<h3>Risk flags</h3>")
        if flags:
            out.append("<ul>" + "".join(f"<li><b>{e(f.label)}</b> — {e(f.basis)}</li>" for f in flags) + "</ul>")
        else:
            out.append("<p>None raised.</p>")
        prompts = [self.screen.prompt] if self.screen.prompt is not None else []
        if any(f.id == "pregnancy" for f in flags):  # CLINICAL.md §7, beside the pathway chosen here
            prompts.append(protocols.pregnancy_prompt())
        for prompt in prompts:
            out.append(f"<h3>{e(prompt.title)}</h3><p>{e(prompt.text)}</p>"
                       f"<p style='color:{theme.css('muted')}'>Basis: {e(prompt.basis)}. {e(prompt.setting_used)}.</p>")
        out.append("<table>")
        head("Identity and contacts")
        line("Consent to treatment recorded", data["identity"]["consent_to_treatment"])
        line("Preferred language", patients.LANGUAGES.get(self.screen.patient.preferred_language,
                                                          self.screen.patient.preferred_language))
        head("Substance use")
        for n, row in enumerate(data["substances"]["rows"], start=1):
            sid = row.get("substance")
            name = withdrawal.SUBSTANCES[sid].label if sid in withdrawal.SUBSTANCES else "not chosen"
            when = rules.parse_time(row.get("last_use"))
            since = ""
            if when is not None and when <= now:
                since = f" ({withdrawal.format_hours(withdrawal.hours_since(when, now))} h ago)"
            details = ", ".join(x for x in (row.get("route"), " ".join(
                x for x in (row.get("amount"), row.get("unit")) if x), row.get("frequency")) if x)
            line(f"Substance {n}", f"{name}" + (f" — {details}" if details else "")
                 + (f"; last use {clock.local_text(when, '%Y-%m-%d %H:%M')}{since}" if when else "; last use not recorded"))
        subs = data["substances"]
        line("Prior detox episodes", subs["prior_detox_episodes"])
        line("Prior overdoses", subs["prior_overdoses"])
        line("Last overdose date", subs["last_overdose"])
        line("Naloxone at home", subs["naloxone_at_home"])
        head("Medical and psychiatric")
        med = data["medical"]
        line("Medical conditions", med["conditions"])
        line("Seizure history", med["seizure_history"])
        line("Pregnancy status", rules.PREGNANCY.get(med["pregnancy"] or "", None))
        line("Current medications", med["medications"])
        line("Allergies", med["allergies"])
        line("Psychiatric history", med["psychiatric_history"])
        line(facts.LABELS["hepatic"], facts.HEPATIC_LABELS.get(med["hepatic"] or "", None))
        line(facts.LABELS["renal"], facts.RENAL_LABELS.get(med["renal"] or "", None))
        line(facts.LABELS["egfr"], f"{vitals.format_vital(med['egfr'])} {facts.EGFR.unit}"
             if med["egfr"] is not None else None)
        line(facts.LABELS["qtc_ms"], f"{med['qtc_ms']} ms" + (f" on {med['qtc_on']}" if med["qtc_on"] else "")
             if med["qtc_ms"] is not None else None)
        head("Vitals")
        for v in vitals.VITALS:
            value = data["vitals"].get(v.id)
            line(v.label, units.both_text(v.id, value, system) if value is not None else None)
        def scored(section: str, iid: str) -> None:
            inst = get_instrument(iid)
            score = inst.score(data[section][iid])
            when = rules.scored_at(data, section, iid)
            result = (total_text(score, inst) if inst.band_rule is not None
                       else f"{score.total}{'' if score.complete else ' so far'} — {score.status_text}")
            line(inst.short_title, result
                 + (f" (scored {clock.local_text(when, '%d %b %H:%M')})" if when else ""))

        head("Withdrawal scores")
        for iid in ("cows", *rules.EXTRA_SCORES):
            if iid == "cows" or data["scores"].get(iid):
                scored("scores", iid)
        head("Mental health and safety")
        for iid in ("asq", "phq9", "gad7"):
            scored("mental_health", iid)
        answer = data["mental_health"]["suicide_risk"]
        if answer:  # an intake from before the ASQ
            line("Thoughts of suicide or self-harm now? (before the ASQ)",
                 {"yes": "Yes", "no": "No"}.get(answer, None))
        head("Social")
        for key, label in rules.SOCIAL:
            line(label, data["social"][key])
        out.append("</table>")
        if self.screen.assessment.addenda:
            out.append("<h3>Addenda</h3>")
            for a in self.screen.assessment.addenda:
                out.append(f"<p><b>{e(clock.local_text(a.created_at, '%Y-%m-%d %H:%M'))} — {e(a.created_by_name)}</b>: "
                           f"{e(a.reason)}<br>{e(a.text)}</p>")
        return "".join(out)

