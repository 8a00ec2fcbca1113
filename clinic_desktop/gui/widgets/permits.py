"""An action a role may not take is shown greyed out, its tooltip saying who may — never hidden,
so nobody wonders where a button went (README "Roles"). The services refuse it anyway."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from clinic_desktop.core.permissions import SignedInUser, who_may

#: The tooltip and status tip the target had before it was first gated (given back when allowed).
_OWN_TIPS = "permitOwnTips"


def gate(target: QAction | QWidget, user: SignedInUser, permission: str, enabled: bool = True) -> bool:
    """Show ``target``, enabled when ``user`` may take ``permission`` and ``enabled`` (the rest of
    the rule, e.g. a selection: it only counts for those who may). When the role may not, its
    tooltip (and an action's status tip) is :func:`who_may`; when it may, its own. Call it again
    whenever ``enabled`` changes. Returns whether the role may."""
    own = target.property(_OWN_TIPS)
    if own is None:
        own = [target.toolTip(), target.statusTip()]
        target.setProperty(_OWN_TIPS, own)
    may = user.can(permission)
    if isinstance(target, QAction) or target.parentWidget() is not None:
        target.setVisible(True)
    # else a button not yet in its layout: it is shown with its parent (shown now, it would open
    # as a window of its own)
    target.setEnabled(may and enabled)
    tip, status = (own[0], own[1]) if may else (who_may(permission), who_may(permission))
    if isinstance(target, QAction):
        target.setStatusTip(status)
    target.setToolTip(tip)
    return may
