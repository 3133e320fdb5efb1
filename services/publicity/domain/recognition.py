"""Commendations (先进集体, 先进个人, 示范窗口, 示范科室) and the public board's
listings of hotlines and four-disclosures, which publicity republishes."""

from __future__ import annotations

from datetime import datetime

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import InvalidInput
from services.publicity.domain.events import (
    CommendationAnnounced,
    DisclosureListed,
    HotlineListed,
)
from services.publicity.domain.model import CommendationKind


class Commendation(Aggregate):
    category = "commendation"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.announced: CommendationAnnounced | None = None

    def announce(
        self,
        bureau_id: str,
        kind: CommendationKind,
        unit_id: str | None,
        person_id: str | None,
        title: str,
        citation: str,
        year: int,
        source_reference: str | None,
        actor: str,
        at: datetime,
    ) -> bool:
        """Announce it; False if already announced (a redelivered award)."""
        if self.announced is not None:
            return False
        if kind is CommendationKind.ADVANCED_INDIVIDUAL and not person_id:
            raise InvalidInput(fields={"person_id": "required"})
        if kind is not CommendationKind.ADVANCED_INDIVIDUAL and not unit_id:
            raise InvalidInput(fields={"unit_id": "required"})
        if not title.strip():
            raise InvalidInput(fields={"title": "required"})
        self._raise(
            CommendationAnnounced(
                self.id,
                bureau_id,
                kind.value,
                unit_id,
                person_id,
                title.strip(),
                citation.strip(),
                year,
                source_reference,
                actor,
                at,
            )
        )
        return True

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, CommendationAnnounced):
            self.announced = event


class BoardListing(Aggregate):
    """A unit's entries on the public board: hotline, four disclosures."""

    category = "board_listing"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.hotline: tuple[str, str] | None = None
        self.disclosures: dict[str, int] = {}

    def list_hotline(
        self,
        bureau_id: str,
        number: str,
        answered_by: str,
        answered_by_name: str | None,
        at: datetime,
    ) -> bool:
        if self.hotline == (number, answered_by):
            return False
        self._raise(
            HotlineListed(bureau_id, self.id, number, answered_by, answered_by_name, at)
        )
        return True

    def list_disclosure(
        self, bureau_id: str, kind: str, content: str, version: int, at: datetime
    ) -> bool:
        if self.disclosures.get(kind, 0) >= version:
            return False  # a redelivery or an older version arriving late
        self._raise(DisclosureListed(bureau_id, self.id, kind, content, version, at))
        return True

    def apply(self, event: DomainEvent) -> None:
        match event:
            case HotlineListed(number=number, answered_by=answered_by):
                self.hotline = (number, answered_by)
            case DisclosureListed(kind=kind, version=version):
                self.disclosures[kind] = version
