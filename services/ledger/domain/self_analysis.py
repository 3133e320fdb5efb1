"""SelfAnalysis (剖析材料): one person's written self-analysis for a campaign year.

个人查、同事帮、领导点: the person submits, a reviewer accepts it or rejects it as
evasive (避重就轻、敷衍应付); a rejected one needs a written self-criticism (书面检查)
before it is redone (重新查找). Accepted materials are published: committee members'
and unit heads' on the bureau website, everyone else's on their office board.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import NoReturn

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import InvalidInput
from services.ledger.domain.errors import (
    ReviewerIsAuthor,
    SelfCriticismRequired,
    already_exists,
    illegal,
    required,
)
from services.ledger.domain.events import (
    SelfAnalysisAccepted,
    SelfAnalysisRejected,
    SelfAnalysisSubmitted,
    SelfCriticismFiled,
)
from services.ledger.domain.model import (
    LEDGER_NAMESPACE,
    AnalysisState,
    Evidence,
    PublicationTarget,
)

S = AnalysisState


def self_analysis_id(person_id: str, year: int) -> str:
    """One material per person and campaign year."""
    return str(uuid.uuid5(LEDGER_NAMESPACE, f"self-analysis/{person_id}/{year}"))


def publication_target(committee_member: bool, unit_head: bool) -> PublicationTarget:
    """局党委委员和局属单位一把手 on the website, the rest in their office."""
    if committee_member or unit_head:
        return PublicationTarget.WEBSITE
    return PublicationTarget.OFFICE_BOARD


class SelfAnalysis(Aggregate):
    """A person's self-analysis material for one campaign year."""

    category = "self_analysis"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.state = S.NEW
        self.bureau_id = ""
        self.unit_id = ""
        self.person_id = ""
        self.year = 0
        self.target = PublicationTarget.OFFICE_BOARD
        self.text = ""
        self.rejections = 0
        self.self_criticism_filed = False  # since the last rejection

    def submit(
        self,
        bureau_id: str,
        unit_id: str,
        person_id: str,
        year: int,
        target: PublicationTarget,
        text: str,
        actor: str,
        at: datetime,
        attachments: Sequence[Evidence] = (),
    ) -> None:
        """Submit the material, or resubmit it after a self-criticism."""
        if self.state is S.NEW:
            if self.id != self_analysis_id(person_id, year):
                raise InvalidInput(fields={"self_analysis_id": "not_allowed"})
        elif self.state is S.REJECTED:
            if (person_id, year) != (self.person_id, self.year):
                raise InvalidInput(fields={"person_id": "not_allowed"})
            if not self.self_criticism_filed:
                raise SelfCriticismRequired()
        elif self.state is S.SUBMITTED:
            raise already_exists(self.category, self.id)
        else:
            self._illegal("submit")
        if not text.strip():
            raise InvalidInput(fields={"text": "required"})
        self._raise(
            SelfAnalysisSubmitted(
                bureau_id,
                unit_id,
                person_id,
                year,
                target,
                text.strip(),
                tuple(a.to_dict() for a in attachments),
                self.state is S.REJECTED,
                actor,
                at,
            )
        )

    def accept(self, actor: str, at: datetime) -> None:
        self._review("accept", actor)
        self._raise(
            SelfAnalysisAccepted(
                self.bureau_id,
                self.unit_id,
                self.person_id,
                self.year,
                self.target,
                actor,
                at,
            )
        )

    def reject_as_evasive(self, reasons: str, actor: str, at: datetime) -> None:
        """避重就轻、敷衍应付: back to its author for a self-criticism and a redo."""
        self._review("reject", actor)
        self._raise(
            SelfAnalysisRejected(
                self.bureau_id,
                self.unit_id,
                self.person_id,
                self.year,
                required(reasons, "reject"),
                actor,
                at,
            )
        )

    def file_self_criticism(self, text: str, actor: str, at: datetime) -> None:
        """书面检查, by the author, after a rejection and before resubmitting."""
        if self.state is not S.REJECTED or self.self_criticism_filed:
            self._illegal("file_self_criticism")
        if actor != self.person_id:
            raise InvalidInput(fields={"actor": "not_allowed"})
        if not text.strip():
            raise InvalidInput(fields={"text": "required"})
        self._raise(SelfCriticismFiled(text.strip(), actor, at))

    def _review(self, action: str, actor: str) -> None:
        if self.state is not S.SUBMITTED:
            self._illegal(action)
        if actor == self.person_id:
            raise ReviewerIsAuthor()

    def _illegal(self, action: str) -> NoReturn:
        raise illegal(self.category, self.id, self.state.value, action)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case SelfAnalysisSubmitted():
                self.state = S.SUBMITTED
                self.bureau_id = event.bureau_id
                self.unit_id = event.unit_id
                self.person_id = event.person_id
                self.year = event.year
                self.target = event.target
                self.text = event.text
                self.self_criticism_filed = False
            case SelfAnalysisAccepted():
                self.state = S.ACCEPTED
            case SelfAnalysisRejected():
                self.state = S.REJECTED
                self.rejections += 1
            case SelfCriticismFiled():
                self.self_criticism_filed = True
