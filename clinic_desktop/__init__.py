"""Clinic Desktop: offline records for opioid-detox clinics."""

__version__ = "0.1.0"
APP_NAME = "Clinic Desktop"
APP_ID = "clinic-desktop"
#: The reverse-DNS id of the desktop entry and AppStream metadata the .deb installs
#: (org.clinicdesktop.ClinicDesktop.desktop); Wayland compositors find the icon through it.
DESKTOP_ID = "org.clinicdesktop.ClinicDesktop"
ORG_NAME = "Clinic Desktop"
