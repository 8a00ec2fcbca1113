"""Reusable hand-coded widgets and helpers shared by the screens and dialogs."""
