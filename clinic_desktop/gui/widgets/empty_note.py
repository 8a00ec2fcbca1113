"""The short muted line an empty list or table shows instead of nothing: what the emptiness
means and the next step ("No orders yet — a prescriber adds one with New order…"). Shown only
while the model has no rows; it follows the model's resets, insertions and removals."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QLabel, QWidget


class EmptyNote(QLabel):
    """``EmptyNote(table.model(), text, "Orders empty", parent)``: put it in the layout by the
    view; ``setText`` changes what it says when the next step depends on something else."""

    def __init__(self, model: QAbstractItemModel, text: str, name: str, parent: QWidget) -> None:
        super().__init__(text, parent)
        self.setProperty("role", "muted")
        self.setWordWrap(True)
        self.setAccessibleName(name)
        self._model = model
        model.modelReset.connect(self.follow_model)
        model.rowsInserted.connect(self.follow_model)
        model.rowsRemoved.connect(self.follow_model)
        model.layoutChanged.connect(self.follow_model)
        self.follow_model()

    def follow_model(self, *_args) -> None:
        self.setVisible(self._model.rowCount() == 0)
