"""The overdose and crisis sheet every discharge offers (CLINICAL.md §7: every discharge prints
something, against medical advice too), printable with no plan at all.

It is a :class:`.plan.PlanDocument` made of the plan's own page-1 sections — the crisis lines
box, the overdose box, "Who to call when" — built by the plan's section builders and laid out by
the plan's renderer (:func:`.plan_pdf.render_plan_pdf`), in the patient's language, on one
page in normal print (``one_page``: "Who to call when" boxed too, narrower margins)::

    doc = build_overdose_sheet(language="es", patient=PlanPatient(...), clinic=settings,
                               helplines=[...], given_at=clock.now())
    pdf = plan_pdf.render_plan_pdf(doc)

``overdose`` is the plan's overdose part when there is a plan (so the sheet says a naloxone kit
was given only when the plan records one), else None (it says where to get one free);
``naltrexone`` adds the naltrexone lines when naltrexone is the plan's medicine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from clinic_desktop.reports import i18n
from clinic_desktop.reports.document import (
    PAGE_SIZES,
    Contact,
    PlanClinic,
    PlanPatient,
    format_date,
)
from clinic_desktop.reports.plan import (
    PlanDocument,
    _clinic,
    _crisis,
    _patient,
    overdose_section,
    who_to_call_section,
)

__all__ = ["SHEET_SECTIONS", "build_overdose_sheet"]

#: The sheet's sections, in print order.
SHEET_SECTIONS = ("crisis", "overdose", "who_to_call")


def build_overdose_sheet(
    *,
    language: str,
    patient: PlanPatient | Mapping[str, Any],
    clinic: PlanClinic | Mapping[str, Any] | None,
    helplines: Sequence[Contact | None] | Mapping[str, Contact | None] | None,
    given_at: dt.datetime,
    overdose: Mapping[str, Any] | None = None,
    naltrexone: bool = False,
    page_size: str = "letter",
    large_print: bool = False,
    phone_region: str = "US",
) -> PlanDocument:
    """The sheet as printed, in ``language`` (English when there is no catalogue for it)."""
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be one of {sorted(PAGE_SIZES)}, not {page_size!r}")
    language = language if language in i18n.languages() else i18n.FALLBACK
    at = _clinic(clinic)
    sections = (
        _crisis(language, helplines, phone_region),
        overdose_section(language, overdose, naltrexone=naltrexone),
        who_to_call_section(language, at, phone_region, sheet=True),
    )
    return PlanDocument(
        language=language, page_size=page_size, large_print=bool(large_print),
        title=i18n.text(language, "sheet_title"), clinic=at, patient=_patient(patient, language, phone_region),
        prepared=i18n.text(language, "sheet_given", date=format_date(language, given_at, region=phone_region)),
        version="",
        date_of_birth_label=i18n.text(language, "date_of_birth"), mrn_label=i18n.text(language, "mrn"),
        footer_private=i18n.text(language, "sheet_footer_private"),
        page_of=i18n.catalogue(language).get("page_of") or i18n.catalogue(i18n.FALLBACK)["page_of"],
        sections=sections, crisis_more=i18n.text(language, "crisis_more"), one_page=True)
