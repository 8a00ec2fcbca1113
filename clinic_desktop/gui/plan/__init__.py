"""The aftercare plan screen's parts (DESIGN.md convention 17): the shell is
:class:`clinic_desktop.gui.plan_screen.PlanScreen`; here are one small class per section, each
with ``build / load / read / validate`` (:mod:`.section`), the rows they list (:mod:`.rows`),
the directory contacts they show (:mod:`.contacts`, :mod:`.directory_picker`), the consents
panel (:mod:`.consent_panel`) and the discharge dialog.

The sections, their order and labels come from :data:`clinic_desktop.core.plan.SECTIONS`; what
must be filled in before finalizing is :func:`clinic_desktop.core.plan.missing_to_finalize`.
"""
