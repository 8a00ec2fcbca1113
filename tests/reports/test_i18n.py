"""Every catalogue says everything English says, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from clinic_desktop.reports import i18n


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("language", i18n.languages())
def test_every_catalogue_has_every_key_and_placeholder(language):
    english, other = i18n.catalogue("en"), i18n.catalogue(language)
    assert set(other) == set(english)
    for key, template in english.items():
        assert other[key].strip(), key
        assert placeholders(other[key]) == placeholders(template), key


def test_spanish_is_offered_and_an_unknown_language_falls_back_to_english():
    assert {"en", "es"} <= set(i18n.languages())
    assert i18n.text("es", "page_of", page=1, pages=3) == "Página 1 de 3"
    assert i18n.text("vi", "page_of", page=1, pages=3) == "Page 1 of 3"
