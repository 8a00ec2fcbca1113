"""Clinic-wide settings kept in the database, with their shipped defaults.

Per-user preferences and window geometry live in QSettings on each workstation instead.
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    "clinic_name": "",
    "clinic_address": "",
    "clinic_phone": "",
    "phone_region": "US",
    "lockout_attempts": 5,
    "lockout_minutes": 15,
    "idle_lock_minutes": 10,
    "cows_interval_hours": 4,
}

LABELS: dict[str, str] = {
    "clinic_name": "Clinic name",
    "clinic_address": "Clinic address",
    "clinic_phone": "Clinic phone",
    "phone_region": "Default phone region",
    "lockout_attempts": "Failed sign-ins before the account locks",
    "lockout_minutes": "Minutes an account stays locked",
    "idle_lock_minutes": "Minutes idle before the screen locks",
    "cows_interval_hours": "Hours between COWS reassessments (local policy default)",
}

INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "lockout_attempts": (3, 20),
    "lockout_minutes": (1, 24 * 60),
    "idle_lock_minutes": (1, 120),
    "cows_interval_hours": (1, 24),
}
