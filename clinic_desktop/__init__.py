"""Clinic Desktop: offline records for opioid-detox clinics."""

__version__ = "0.1.0"
APP_NAME = "Clinic Desktop"
APP_ID = "clinic-desktop"
ORG_NAME = "Clinic Desktop"
