"""Clinic-wide settings kept in the database, with their shipped defaults.

Two kinds live here: the clinic's own details, sign-in and screen-lock settings, and the
decision-support thresholds of CLINICAL.md §3 (``PROTOCOL_KEYS``, the fields of
:class:`clinic_desktop.core.protocols.ProtocolSettings`). The thresholds' defaults are read from
that dataclass, so the settings and the prompts can never disagree about a default.

Per-user preferences and window geometry live in QSettings on each workstation instead.
"""

from __future__ import annotations

from typing import Any

from clinic_desktop.core import plan as plan_rules
from clinic_desktop.core import units
from clinic_desktop.core.protocols import ProtocolSettings

_PROTOCOL_DEFAULTS = ProtocolSettings()

#: The decision-support thresholds, in ProtocolSettings' declaration order.
PROTOCOL_KEYS: tuple[str, ...] = ProtocolSettings.field_names()

DEFAULTS: dict[str, Any] = {
    "clinic_name": "",
    "clinic_address": "",
    "clinic_phone": "",
    "phone_region": "US",
    # "auto": °F and lb in the United States and its territories, else °C and kg (core.units).
    units.SETTING: units.AUTO,
    "lockout_attempts": 5,
    "lockout_minutes": 15,
    "idle_lock_minutes": 10,
    "directory_stale_days": 180,
    "plan_page_size": "letter",
    # The logo image itself (PNG or JPEG), base64-encoded: in the database, so every workstation
    # of a shared server prints it. "" = no logo.
    "clinic_logo": "",
    # Backups the app makes itself while someone is signed in (SQLite only): into this folder
    # ("" = off), every so many hours, keeping the newest so many (core.services.backup).
    "backup.folder": "",
    "backup.every_hours": 24,
    "backup.keep": 14,
    **{key: getattr(_PROTOCOL_DEFAULTS, key) for key in PROTOCOL_KEYS},
}

#: How a dose unit in a setting's key is written out in its label.
UNIT_WORDS: dict[str, str] = {"mg": "mg", "mcg": "micrograms"}

#: What staff read for each setting, with its unit. The protocol ones begin with their drug
#: ("Lofexidine: hold if heart rate is below (beats/min)"), so each makes sense on its own (an
#: error message, a screen reader); a dialog that groups them by drug may show the rest alone.
LABELS: dict[str, str] = {
    "clinic_name": "Clinic name",
    "clinic_address": "Clinic address",
    "clinic_phone": "Clinic phone",
    "phone_region": "Default phone region",
    units.SETTING: "Vitals units (temperature and weight)",
    "lockout_attempts": "Failed sign-ins before the account locks",
    "lockout_minutes": "Minutes an account stays locked",
    "idle_lock_minutes": "Minutes idle before the screen locks",
    "directory_stale_days": "Days before a directory contact is flagged as not verified",
    "plan_page_size": "Paper size of new aftercare plans",
    "clinic_logo": "Clinic logo (printed on plans and letters)",
    "backup.folder": "Backup folder (a USB drive or a share; blank: no automatic backups)",
    "backup.every_hours": "Hours between automatic backups",
    "backup.keep": "Backups kept in the folder (the oldest are removed)",
    "bup_min_cows": "Buprenorphine: minimum COWS score before the first dose",
    "bup_min_hours_short_acting": "Buprenorphine: minimum hours since a short-acting opioid",
    "bup_min_hours_extended": "Buprenorphine: minimum hours since an extended-release opioid",
    "bup_min_hours_methadone": "Buprenorphine: minimum hours since methadone",
    "naltrexone_opioid_free_days_short": "Naltrexone: opioid-free days after a short-acting opioid",
    "naltrexone_opioid_free_days_long":
        "Naltrexone: opioid-free days after methadone or buprenorphine",
    "lofexidine_hold_sbp": "Lofexidine: hold if systolic BP is below (mmHg)",
    "lofexidine_hold_dbp": "Lofexidine: hold if diastolic BP is below (mmHg)",
    "lofexidine_hold_hr": "Lofexidine: hold if heart rate is below (beats/min)",
    "clonidine_hold_sbp": "Clonidine: hold if systolic BP is below (mmHg)",
    "clonidine_hold_hr": "Clonidine: hold if heart rate is below (beats/min)",
    "cows_interval_hours": "Hours between COWS reassessments",
    "checkin_craving_flag": "Check-in: flag a craving at or above (0–10)",
    "checkin_anxiety_flag": "Check-in: flag an anxiety at or above (0–10)",
    "checkin_mood_flag": "Check-in: flag a mood at or below (0–10)",
    "clonidine_max_single_mcg": "Clonidine: largest single dose (micrograms)",
    "clonidine_max_daily_mcg": "Clonidine: most in any 24 hours (micrograms)",
    "clonidine_min_interval_hours": "Clonidine: fewest hours between doses",
    "alpha2_vitals_minutes": "Lofexidine and clonidine: vitals taken at most this many minutes before a dose",
    "methadone_qtc_warn_ms": "Methadone: warn when the QTc is above (ms)",
    "methadone_qtc_stop_ms": "Methadone: stop when the QTc is above (ms)",
    "bup_day1_warn_mg": "Buprenorphine: warn when the first day's total is above (mg)",
    **{f"{drug}_min_single_{unit}": f"{drug.capitalize()}: lowest usual single dose ({UNIT_WORDS[unit]})"
       for drug, unit in (("buprenorphine", "mg"), ("methadone", "mg"), ("clonidine", "mcg"),
                          ("naltrexone", "mg"), ("ondansetron", "mg"), ("loperamide", "mg"),
                          ("ibuprofen", "mg"), ("acetaminophen", "mg"), ("hydroxyzine", "mg"),
                          ("methocarbamol", "mg"), ("trazodone", "mg"))},
    "methadone_max_single_mg": "Methadone: largest single dose (mg)",
    "trazodone_max_single_mg": "Trazodone: largest single dose (mg)",
}

#: Settings that take one of a few values: key → (value → what staff read).
CHOICES: dict[str, dict[str, str]] = {
    "plan_page_size": dict(plan_rules.PAGE_SIZES),
    units.SETTING: dict(units.CHOICES),
}

#: The image files a clinic logo may be chosen from (PNG or JPEG; the bytes decide, not the name).
LOGO_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg")
#: The largest logo image stored (bytes): a letterhead logo needs far less.
LOGO_MAX_BYTES = 256 * 1024

#: Inclusive bounds of every whole-number setting. The protocol ones are clinically sane limits
#: (for clinical review): a threshold outside them is far more likely a typing slip than policy.
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "lockout_attempts": (3, 20),
    "lockout_minutes": (1, 24 * 60),
    "idle_lock_minutes": (1, 120),
    "directory_stale_days": (30, 730),  # CLINICAL.md §4: flagged before it goes on a plan
    "backup.every_hours": (1, 7 * 24),
    "backup.keep": (1, 365),
    "bup_min_cows": (0, 48),  # the whole COWS scale
    "bup_min_hours_short_acting": (1, 96),
    "bup_min_hours_extended": (1, 96),
    "bup_min_hours_methadone": (1, 96),
    "naltrexone_opioid_free_days_short": (1, 30),
    "naltrexone_opioid_free_days_long": (1, 30),
    "lofexidine_hold_sbp": (60, 140),
    "lofexidine_hold_dbp": (30, 100),
    "lofexidine_hold_hr": (30, 100),
    "clonidine_hold_sbp": (60, 140),
    "clonidine_hold_hr": (30, 100),
    "cows_interval_hours": (1, 24),
    "checkin_craving_flag": (0, 10),
    "checkin_anxiety_flag": (0, 10),
    "checkin_mood_flag": (0, 10),
    "clonidine_max_single_mcg": (50, 300),
    "clonidine_max_daily_mcg": (200, 2400),
    "clonidine_min_interval_hours": (1, 12),
    "alpha2_vitals_minutes": (15, 240),
    "methadone_qtc_warn_ms": (400, 500),
    "methadone_qtc_stop_ms": (450, 550),
    "bup_day1_warn_mg": (8, 32),
    # The usual dose range (a tenfold-slip guard): never past the label's own limits.
    "methadone_max_single_mg": (100, 400),
    "clonidine_min_single_mcg": (10, 100),
    "ibuprofen_min_single_mg": (50, 400),
    "acetaminophen_min_single_mg": (40, 500),
    "hydroxyzine_min_single_mg": (5, 25),
    "methocarbamol_min_single_mg": (100, 750),
    "trazodone_max_single_mg": (100, 400),
}

#: Inclusive bounds of every decimal setting (ProtocolSettings' ``float`` fields), given to
#: :data:`DECIMAL_PLACES` places.
DECIMAL_RANGES: dict[str, tuple[float, float]] = {
    "buprenorphine_min_single_mg": (0.1, 4.0),
    "methadone_min_single_mg": (0.5, 10.0),
    "naltrexone_min_single_mg": (5.0, 50.0),
    "ondansetron_min_single_mg": (0.5, 4.0),
    "loperamide_min_single_mg": (0.5, 2.0),
    "trazodone_min_single_mg": (5.0, 50.0),
}
DECIMAL_PLACES = 1

#: Every number setting's bounds, whole or decimal.
RANGES: dict[str, tuple[float, float]] = {**INTEGER_RANGES, **DECIMAL_RANGES}

#: The protocol settings as shown for editing: (group title, keys in display order). Every key
#: of PROTOCOL_KEYS is in exactly one group.
PROTOCOL_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Buprenorphine induction", (
        "bup_min_cows",
        "bup_min_hours_short_acting",
        "bup_min_hours_extended",
        "bup_min_hours_methadone",
        "bup_day1_warn_mg",
    )),
    ("Naltrexone", (
        "naltrexone_opioid_free_days_short",
        "naltrexone_opioid_free_days_long",
    )),
    ("Methadone", (
        "methadone_qtc_warn_ms",
        "methadone_qtc_stop_ms",
    )),
    ("Lofexidine holds", (
        "lofexidine_hold_sbp",
        "lofexidine_hold_dbp",
        "lofexidine_hold_hr",
    )),
    ("Clonidine", (
        "clonidine_hold_sbp",
        "clonidine_hold_hr",
        "clonidine_max_single_mcg",
        "clonidine_max_daily_mcg",
        "clonidine_min_interval_hours",
    )),
    ("Vitals and reassessment", (
        "alpha2_vitals_minutes",
        "cows_interval_hours",
    )),
    ("Daily check-in flags", (
        "checkin_craving_flag",
        "checkin_anxiety_flag",
        "checkin_mood_flag",
    )),
    # In the formulary's order of drugs, lowest before largest.
    ("Usual dose range", (
        "buprenorphine_min_single_mg",
        "methadone_min_single_mg",
        "methadone_max_single_mg",
        "clonidine_min_single_mcg",
        "naltrexone_min_single_mg",
        "ondansetron_min_single_mg",
        "loperamide_min_single_mg",
        "ibuprofen_min_single_mg",
        "acetaminophen_min_single_mg",
        "hydroxyzine_min_single_mg",
        "methocarbamol_min_single_mg",
        "trazodone_min_single_mg",
        "trazodone_max_single_mg",
    )),
)

#: Cross-field rules between protocol settings: (lower key, higher key, strictly lower?, message).
#: The message is shown next to the changed setting(s); ``{lower}`` and ``{higher}`` are filled
#: with the two values.
PROTOCOL_ORDER: tuple[tuple[str, str, bool, str], ...] = (
    ("lofexidine_hold_dbp", "lofexidine_hold_sbp", True,
     ("The diastolic hold threshold ({lower} mmHg) must be lower than the systolic one "
      "({higher} mmHg).")),
    ("bup_min_hours_short_acting", "bup_min_hours_extended", False,
     ("The wait after a short-acting opioid ({lower} h) cannot be longer than the wait after an "
      "extended-release one ({higher} h).")),
    ("bup_min_hours_short_acting", "bup_min_hours_methadone", False,
     ("The wait after a short-acting opioid ({lower} h) cannot be longer than the wait after "
      "methadone ({higher} h).")),
    ("naltrexone_opioid_free_days_short", "naltrexone_opioid_free_days_long", False,
     ("The opioid-free days after a short-acting opioid ({lower}) cannot be more than after "
      "methadone or buprenorphine ({higher}).")),
    ("methadone_qtc_warn_ms", "methadone_qtc_stop_ms", False,
     "The QTc that warns ({lower} ms) cannot be above the QTc that stops methadone ({higher} ms)."),
    ("clonidine_max_single_mcg", "clonidine_max_daily_mcg", False,
     ("A single clonidine dose ({lower} micrograms) cannot be more than the 24-hour maximum "
      "({higher} micrograms).")),
    ("clonidine_min_single_mcg", "clonidine_max_single_mcg", True,
     ("The lowest usual clonidine dose ({lower} micrograms) must be below the largest single dose "
      "({higher} micrograms).")),
)
