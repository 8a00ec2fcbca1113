"""The medication rules as data (CLINICAL.md §3 and §6): per drug, its units and routes, dose
range, single and daily maxima, minimum interval, hold parameters, vitals needed before a dose,
label dose caps for hepatic and renal impairment, first-dose and first-day limits, and the
interaction classes — each limit with its **source** and whether it is ``label``,
``regulation`` or ``policy`` (local policy, editable by an administrator in Protocol settings).

Pure standard library: no Qt, no database. The checks that read these rules are
:func:`clinic_desktop.core.medications.check_give` (a dose) and
:func:`clinic_desktop.core.medications.check_order` (an order).

A limit is a :class:`Limit`: its value, its kind, the citation shown where it fires, and — for
local policy — the :class:`~clinic_desktop.core.protocols.ProtocolSettings` field that holds the
clinic's value (:meth:`Limit.resolve` reads it). Hold parameters are declared once, in
:data:`HOLD_PARAMETERS`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .protocols import ALPHA2_HOLDS, HOLD_PARAMETERS, HoldParameter, ProtocolSettings

__all__ = [
    "CLASS_LABELS",
    "DRUGS",
    "HEPATIC",
    "HOLD_PARAMETERS",
    "INTERACTIONS",
    "KIND_LABELS",
    "OTHER_DRUG_ID",
    "RENAL",
    "Drug",
    "HoldParameter",
    "Interaction",
    "Limit",
    "PatientFacts",
    "drug_classes",
    "renal_category",
]

Kind = Literal["label", "regulation", "policy"]
#: How staff read a limit's kind, beside its citation.
KIND_LABELS: dict[str, str] = {"label": "label", "regulation": "regulation", "policy": "local policy"}

#: The drug id of a free-text drug (its name is the order's ``drug_name``).
OTHER_DRUG_ID = "other"

#: Hepatic impairment as recorded (Child-Pugh: mild 5–6, moderate 7–9, severe > 9).
HEPATIC: tuple[str, ...] = ("none", "mild", "moderate", "severe")
#: Renal function as recorded: ``reduced`` is eGFR 30–89; ``severe`` is eGFR < 30, end-stage
#: renal disease or dialysis.
RENAL: tuple[str, ...] = ("normal", "reduced", "severe")

#: Interaction classes and how a prompt names them.
CLASS_LABELS: dict[str, str] = {
    "qt_prolonging": "prolongs the QT interval",
    "alpha2_agonist": "alpha-2 agonist",
    "opioid_agonist": "opioid agonist",
    "opioid_antagonist": "opioid antagonist",
    "cns_depressant": "CNS depressant",
    "benzodiazepine": "benzodiazepine",
}


@dataclass(frozen=True, slots=True)
class Limit:
    """One number of a rule: ``value`` in the drug's unit (or hours, ms), its ``kind``, the
    ``citation`` shown where it fires, and for local policy the settings field holding it."""

    value: float
    kind: Kind
    citation: str
    setting: str | None = None
    #: The setting holds ``value × scale`` as a whole number (clonidine in micrograms).
    scale: int = 1

    def resolve(self, settings: ProtocolSettings | None) -> float:
        """The clinic's value for a local-policy limit; the declared value otherwise."""
        if self.setting is not None and settings is not None:
            return getattr(settings, self.setting) / self.scale
        return self.value

    @property
    def source(self) -> str:
        """"label", "regulation" or "local policy" — what a prompt ends with."""
        return KIND_LABELS[self.kind]

    def cite(self, settings: ProtocolSettings | None) -> str:
        """The citation as it stands for this clinic: a local-policy value the administrator
        changed is a "clinic setting", with the shipped default named."""
        if self.setting is None or settings is None or settings.is_default(self.setting):
            return self.citation
        default = getattr(ProtocolSettings(), self.setting) / self.scale
        shipped = f"{default:g}"
        text = self.citation.replace("local policy default", f"clinic setting (shipped default {shipped})")
        return text if text != self.citation else f"{self.citation}; clinic setting (shipped default {shipped})"


def _label(citation: str, value: float) -> Limit:
    return Limit(value, "label", citation)


def _policy(setting: str, citation: str = "local policy default", scale: int = 1) -> Limit:
    return Limit(getattr(ProtocolSettings(), setting) / scale, "policy", citation, setting, scale)




@dataclass(frozen=True, slots=True)
class Drug:
    """A drug of the formulary.

    ``routes``: the routes offered. ``ingredient``: doses of every order with the same
    ingredient count together against the daily maxima. ``classes``: interaction classes
    (:data:`CLASS_LABELS`). Dose limits are in mg:

    - ``min_single`` / ``max_single``: the usual dose range — above ``max_single`` is refused
      (a tenfold slip), below ``min_single`` needs a reason.
    - ``max_daily``: a hard maximum over any rolling 24 h; ``warn_daily``: a warning above it.
    - ``min_interval``: hours between doses (to the nearest dose on both sides), hard.
    - ``first_dose_warn`` / ``first_dose_reason``: the first dose of the episode above it warns
      / needs the prescriber's documented reason; ``first_day_warn``: the first 24 h after the
      first dose above it warns.
    - ``hepatic`` / ``renal``: label caps ``(single, daily)`` by impairment.
    - ``holds``: hold parameter field → the settings field of its default value.
    - ``vitals_before``: blood pressure and pulse must be recorded within the policy window
      before each dose.
    - ``aliases``: names (lower case) a free-text order or an allergy is matched by.
    """

    id: str
    label: str
    routes: tuple[str, ...]
    classes: frozenset[str] = frozenset()
    default_unit: str = "mg"
    ingredient: str = ""
    usual: str = ""
    min_single: Limit | None = None
    max_single: Limit | None = None
    max_daily: Limit | None = None
    warn_daily: Limit | None = None
    min_interval: Limit | None = None
    first_dose_warn: Limit | None = None
    first_dose_reason: Limit | None = None
    first_day_warn: Limit | None = None
    #: Days of treatment from the first dose after which a dose needs a reason.
    max_days: Limit | None = None
    hepatic: Mapping[str, tuple[float, float]] = dataclasses.field(default_factory=dict)
    hepatic_citation: str = ""
    renal: Mapping[str, tuple[float, float]] = dataclasses.field(default_factory=dict)
    renal_citation: str = ""
    holds: Mapping[str, str] = dataclasses.field(default_factory=dict)
    vitals_before: bool = False
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.ingredient:
            object.__setattr__(self, "ingredient", self.id)
        unknown = set(self.classes) - set(CLASS_LABELS)
        if unknown:
            raise ValueError(f"drug {self.id!r}: unknown classes {sorted(unknown)}")
        fields = {h.field for h in HOLD_PARAMETERS}
        if set(self.holds) - fields:
            raise ValueError(f"drug {self.id!r}: unknown hold fields {sorted(set(self.holds) - fields)}")

    def names(self) -> tuple[str, ...]:
        """Lower-case names the drug is known by (its id, label and aliases)."""
        return (self.id, self.label.lower(), *self.aliases)


_LOFEXIDINE = "lofexidine label (Lucemyra), §2"
_CLONIDINE = "clonidine for withdrawal is off-label: local policy default"
_BUP = "buprenorphine label"
_METHADONE_LABEL = "methadone tablets label"
_METHADONE_REG = "42 CFR 8.12(h)(3)(ii), 2024"
_TENFOLD = "local policy: a dose outside the usual range is a likely unit or decimal slip"

DRUGS: dict[str, Drug] = {
    d.id: d
    for d in (
        Drug(
            "buprenorphine", "Buprenorphine", ("sublingual", "buccal"),
            frozenset({"opioid_agonist"}), usual="2–4 mg first dose; 8–16 mg on day 1",
            min_single=_policy("buprenorphine_min_single_mg", _TENFOLD), max_single=_label(_BUP + " (24 mg a day)", 24),
            warn_daily=_label(_BUP + ": above 24 mg a day has shown no added benefit", 24),
            first_day_warn=_policy("bup_day1_warn_mg"),
            aliases=("suboxone", "subutex", "zubsolv"),
        ),
        Drug(
            "methadone", "Methadone", ("oral",),
            frozenset({"opioid_agonist", "qt_prolonging", "cns_depressant"}),
            usual="20–30 mg first dose; first day ordinarily ≤ 40 mg",
            min_single=_policy("methadone_min_single_mg", _TENFOLD),
            max_single=_policy("methadone_max_single_mg", _TENFOLD),
            first_dose_warn=_label(_METHADONE_LABEL + ": initial 20–30 mg", 30),
            first_dose_reason=Limit(50, "regulation", _METHADONE_REG
                                    + ": an initial dose above 50 mg needs the practitioner's "
                                    "documented reason"),
            first_day_warn=_label(_METHADONE_LABEL + ": the first day should not ordinarily "
                                  "exceed 40 mg", 40),
            aliases=("dolophine", "methadose"),
        ),
        Drug(
            "lofexidine", "Lofexidine", ("oral",), frozenset({"alpha2_agonist", "qt_prolonging"}),
            usual="0.54 mg (3 × 0.18 mg) four times daily, 5–6 h apart",
            min_single=Limit(0.18, "label", _LOFEXIDINE + ": 0.18 mg tablets"),
            max_single=_label(_LOFEXIDINE, 0.72), max_daily=_label(_LOFEXIDINE, 2.88),
            min_interval=_label(_LOFEXIDINE + ": 5–6 h between doses", 5),
            max_days=_label(_LOFEXIDINE + ": up to 14 days, then a taper over 2–4 days", 14),
            hepatic={"mild": (0.54, 2.16), "moderate": (0.36, 1.44), "severe": (0.18, 0.72)},
            hepatic_citation="lofexidine label, Table 1 (hepatic impairment)",
            renal={"reduced": (0.36, 1.44), "severe": (0.18, 0.72)},
            renal_citation="lofexidine label, Table 2 (renal impairment)",
            holds=ALPHA2_HOLDS["lofexidine"],
            vitals_before=True, aliases=("lucemyra",),
        ),
        Drug(
            "clonidine", "Clonidine", ("oral",), frozenset({"alpha2_agonist"}),
            usual="0.1–0.2 mg every 4–6 h as needed",
            min_single=_policy("clonidine_min_single_mcg", _TENFOLD, 1000),
            max_single=_policy("clonidine_max_single_mcg", _CLONIDINE, 1000),
            max_daily=_policy("clonidine_max_daily_mcg", _CLONIDINE, 1000),
            min_interval=_policy("clonidine_min_interval_hours", _CLONIDINE + " (every 4–6 h)"),
            holds=ALPHA2_HOLDS["clonidine"],
            vitals_before=True, aliases=("catapres",),
        ),
        Drug(
            "naltrexone", "Naltrexone", ("oral", "intramuscular"), frozenset({"opioid_antagonist"}),
            usual="50 mg by mouth daily; 380 mg intramuscular every 4 weeks",
            min_single=_policy("naltrexone_min_single_mg", _TENFOLD),
            max_single=_label("naltrexone labels (380 mg injection)", 380),
            aliases=("revia", "vivitrol"),
        ),
        Drug(
            "ondansetron", "Ondansetron", ("oral", "intravenous", "intramuscular"),
            frozenset({"qt_prolonging"}), usual="4–8 mg every 8 h as needed",
            min_single=_policy("ondansetron_min_single_mg", _TENFOLD),
            max_single=_label("ondansetron label: no single intravenous dose above 16 mg (QT)", 16),
            aliases=("zofran",),
        ),
        Drug(
            "loperamide", "Loperamide", ("oral",), usual="4 mg, then 2 mg after each loose stool",
            min_single=_policy("loperamide_min_single_mg", _TENFOLD),
            max_single=_label("loperamide label", 4),
            max_daily=_label("loperamide label (prescription): higher doses cause cardiac events", 16),
            aliases=("imodium",),
        ),
        Drug(
            "ibuprofen", "Ibuprofen", ("oral",), usual="400–800 mg every 6–8 h",
            min_single=_policy("ibuprofen_min_single_mg", _TENFOLD),
            max_single=_label("ibuprofen label (prescription)", 800),
            max_daily=_label("ibuprofen label (prescription)", 3200),
            min_interval=_label("ibuprofen label: every 4–6 h at the least", 4),
            aliases=("motrin", "advil"),
        ),
        Drug(
            "acetaminophen", "Acetaminophen", ("oral", "rectal"), usual="325–1000 mg every 4–6 h",
            min_single=_policy("acetaminophen_min_single_mg", _TENFOLD),
            max_single=_label("acetaminophen label", 1000),
            max_daily=_label("acetaminophen label: 4 g a day", 4000),
            min_interval=_label("acetaminophen label: every 4–6 h", 4),
            aliases=("paracetamol", "tylenol"),
        ),
        Drug(
            "hydroxyzine", "Hydroxyzine", ("oral", "intramuscular"),
            frozenset({"cns_depressant", "qt_prolonging"}), usual="25–50 mg every 6 h as needed",
            min_single=_policy("hydroxyzine_min_single_mg", _TENFOLD),
            max_single=_label("hydroxyzine label", 100),
            max_daily=_label("hydroxyzine label: 100 mg four times daily", 400),
            aliases=("vistaril", "atarax"),
        ),
        Drug(
            "methocarbamol", "Methocarbamol", ("oral",), frozenset({"cns_depressant"}),
            usual="750–1500 mg up to four times daily",
            min_single=_policy("methocarbamol_min_single_mg", _TENFOLD),
            max_single=_label("methocarbamol label", 1500),
            max_daily=_label("methocarbamol label: 8 g a day in severe conditions", 8000),
            aliases=("robaxin",),
        ),
        Drug(
            "trazodone", "Trazodone", ("oral",), frozenset({"cns_depressant", "qt_prolonging"}),
            usual="25–100 mg at bedtime",
            min_single=_policy("trazodone_min_single_mg", _TENFOLD),
            max_single=_policy("trazodone_max_single_mg", _TENFOLD),
            max_daily=_label("trazodone label: 400 mg a day (outpatients)", 400),
            aliases=("desyrel",),
        ),
    )
}

#: Free-text drugs recognised by name for the interaction checks (lower case).
_CLASS_NAMES: dict[str, frozenset[str]] = {
    name: frozenset({"benzodiazepine", "cns_depressant"})
    for name in ("diazepam", "lorazepam", "alprazolam", "clonazepam", "chlordiazepoxide",
                 "oxazepam", "temazepam", "midazolam", "valium", "ativan", "xanax", "klonopin",
                 "librium")
} | {
    name: frozenset({"cns_depressant"})
    for name in ("zolpidem", "gabapentin", "pregabalin", "quetiapine", "diphenhydramine",
                 "promethazine", "cyclobenzaprine", "alcohol", "phenobarbital")
} | {
    name: frozenset({"qt_prolonging"})
    for name in ("haloperidol", "citalopram", "escitalopram", "azithromycin", "ciprofloxacin")
}


def drug_classes(drug_id: str, drug_name: str = "") -> frozenset[str]:
    """The interaction classes of a formulary drug, or of a free-text drug by its name."""
    drug = DRUGS.get(drug_id)
    if drug is not None:
        return drug.classes
    found: set[str] = set()
    text = drug_name.lower()
    for name, classes in _CLASS_NAMES.items():
        if name in text:
            found |= classes
    for other in DRUGS.values():
        if any(name in text for name in other.names()):
            found |= other.classes
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Interaction:
    """A pair of classes that warns when both are ordered: the text and its source."""

    first: str
    second: str
    text: str
    kind: Kind
    citation: str


INTERACTIONS: tuple[Interaction, ...] = (
    Interaction("opioid_agonist", "cns_depressant",
                "opioid with a benzodiazepine or other CNS depressant: profound sedation, "
                "respiratory depression, death", "label",
                "FDA boxed warning (opioids with benzodiazepines or other CNS depressants)"),
    Interaction("qt_prolonging", "qt_prolonging",
                "both prolong the QT interval: ECG advised", "label",
                "lofexidine and methadone labels (QT prolongation)"),
    Interaction("alpha2_agonist", "alpha2_agonist",
                "two alpha-2 agonists: added hypotension and bradycardia", "label",
                "lofexidine label: avoid with other drugs that lower pulse or blood pressure"),
)


@dataclass(frozen=True, slots=True)
class PatientFacts:
    """What the rules need to know of the patient, as recorded (``None`` = not recorded).

    ``hepatic``: one of :data:`HEPATIC`; ``renal``: one of :data:`RENAL` (or derived from
    ``egfr``); ``qtc_ms`` with ``qtc_on`` (ISO date); ``pregnant``: ``"yes"``/``"no"``/…;
    ``allergies``: the recorded text; ``benzodiazepine_use`` / ``alcohol_use``: co-use at intake.
    """

    weight_kg: float | None = None
    hepatic: str | None = None
    renal: str | None = None
    egfr: float | None = None
    qtc_ms: int | None = None
    qtc_on: str | None = None
    pregnant: str | None = None
    allergies: str = ""
    benzodiazepine_use: bool = False
    alcohol_use: bool = False

    def __post_init__(self) -> None:
        if self.hepatic is not None and self.hepatic not in HEPATIC:
            raise ValueError(f"hepatic must be one of {HEPATIC}, got {self.hepatic!r}")
        if self.renal is not None and self.renal not in RENAL:
            raise ValueError(f"renal must be one of {RENAL}, got {self.renal!r}")

    @property
    def renal_category(self) -> str | None:
        """The recorded category, else the one the eGFR falls in, else None."""
        return self.renal if self.renal is not None else renal_category(self.egfr)


def renal_category(egfr: float | None) -> str | None:
    """eGFR (mL/min/1.73 m²) → ``normal`` (≥ 90), ``reduced`` (30–89), ``severe`` (< 30)."""
    if egfr is None:
        return None
    if egfr >= 90:
        return "normal"
    return "reduced" if egfr >= 30 else "severe"
