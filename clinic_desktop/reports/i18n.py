"""The fixed text of printed documents, one JSON catalogue per language in ``catalogues/``.

Adding a language is adding ``catalogues/<code>.json`` with the same keys (a test holds every
catalogue to English's keys and placeholders). Names and free text print as entered.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CATALOGUES = Path(__file__).with_name("catalogues")
FALLBACK = "en"


@cache
def catalogue(language: str) -> dict[str, str]:
    """The catalogue of ``language`` (an ISO code as the patient record keeps it); English for a
    language without one."""
    path = CATALOGUES / f"{language}.json"
    if not path.is_file():
        path = CATALOGUES / f"{FALLBACK}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def languages() -> list[str]:
    """The codes of the languages a plan can be printed in."""
    return sorted(p.stem for p in CATALOGUES.glob("*.json"))


def text(language: str, key: str, **values: object) -> str:
    """One fixed text in ``language``, its ``{placeholders}`` filled in."""
    template = catalogue(language).get(key) or catalogue(FALLBACK)[key]
    return template.format(**values) if values else template
