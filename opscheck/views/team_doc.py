"""The team doc (`models.team_doc`): a path in the platform checkout, or gs://; its MODEL section describes a model."""

from __future__ import annotations

from opscheck.views.base import Context, View, Warmer, once


class TeamDoc(View):
    """The team doc (`models.team_doc`): a path in the platform checkout, or gs://."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.name = self._platform.config.models.team_doc

    @once
    def text(self) -> str:
        if self.name.startswith("gs://"):
            return self._platform.storage.read(self.name).decode("utf-8")
        return self._platform.checkout.read(self.name)

    def warmers(self) -> list[Warmer]:
        return [lambda: self.text]
