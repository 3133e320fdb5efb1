"""Institutional innovations (制度创新) and model windows / offices (示范窗口/科室).

Innovations are submitted from June of the campaign's year, reviewed (shortlisted or
returned), and selected at year end with ranks; the ranks feed the assessment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import NotFound
from services.evaluation.domain.errors import (
    AlreadyExists,
    InnovationNotOpen,
    NotShortlisted,
)
from services.evaluation.domain.events import (
    InnovationReviewed,
    InnovationsSelected,
    InnovationSubmitted,
    ModelAwarded,
    ModelNominated,
)

SUBMISSIONS_FROM_MONTH = 6  # 6月份开始申报


class Innovation(Aggregate):
    category = "innovation"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.submitted: InnovationSubmitted | None = None
        self.verdict: str | None = None

    @property
    def bureau_id(self) -> str | None:
        return self.submitted.bureau_id if self.submitted else None

    def submit(self, submitted: InnovationSubmitted) -> None:
        if self.submitted is not None:
            raise AlreadyExists(kind_zh="制度创新", kind_en="innovation", id=self.id)
        opens = date(submitted.year, SUBMISSIONS_FROM_MONTH, 1)
        if not opens <= submitted.submitted_on <= date(submitted.year, 12, 31):
            raise InnovationNotOpen(year=submitted.year, opens_on=opens.isoformat())
        self._raise(submitted)

    def review(self, verdict: str, remarks: str, actor: str, at: datetime) -> None:
        s = self._submitted()
        self._raise(
            InnovationReviewed(self.id, s.bureau_id, verdict, remarks, actor, at)
        )

    def _submitted(self) -> InnovationSubmitted:
        if self.submitted is None:
            raise NotFound(kind="innovation", id=self.id)
        return self.submitted

    def apply(self, event: DomainEvent) -> None:
        match event:
            case InnovationSubmitted():
                self.submitted = event
            case InnovationReviewed():
                self.verdict = event.verdict


class InnovationSelection(Aggregate):
    """The year-end selection of one bureau and year (`<bureau>.<year>`)."""

    category = "innovation_selection"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.selected: InnovationsSelected | None = None

    def select(
        self,
        bureau_id: str,
        year: int,
        ranked: Sequence[Innovation],
        actor: str,
        at: datetime,
    ) -> None:
        if self.selected is not None:
            raise AlreadyExists(kind_zh="年度评选", kind_en="selection", id=self.id)
        for innovation in ranked:
            if innovation.verdict != "shortlisted":
                raise NotShortlisted(innovation_id=innovation.id)
        rows = [
            [i.id, i.submitted.unit_id if i.submitted else "", str(n)]
            for n, i in enumerate(ranked, start=1)
        ]
        self._raise(InnovationsSelected(bureau_id, year, rows, actor, at))

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, InnovationsSelected):
            self.selected = event


class ModelNomination(Aggregate):
    """A unit nominated as a model window or office, and its award."""

    category = "model_nomination"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.nominated: ModelNominated | None = None
        self.awarded: ModelAwarded | None = None

    @property
    def bureau_id(self) -> str | None:
        return self.nominated.bureau_id if self.nominated else None

    def nominate(self, nominated: ModelNominated) -> None:
        if self.nominated is not None:
            raise AlreadyExists(kind_zh="提名", kind_en="nomination", id=self.id)
        self._raise(nominated)

    def award(self, actor: str, at: datetime) -> None:
        n = self.nominated
        if n is None:
            raise NotFound(kind="nomination", id=self.id)
        if self.awarded is not None:
            raise AlreadyExists(kind_zh="授牌", kind_en="award", id=self.id)
        self._raise(
            ModelAwarded(self.id, n.bureau_id, n.unit_id, n.year, n.kind, actor, at)
        )

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ModelNominated():
                self.nominated = event
            case ModelAwarded():
                self.awarded = event
