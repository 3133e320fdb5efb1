"""EvaluationRound: a round's subjects, electorate and window, its close and tally."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import NotFound
from services.evaluation.domain.errors import (
    AlreadyExists,
    RoundAlreadyClosed,
    RoundNotOpenYet,
    VotingClosed,
    WindowInvalid,
)
from services.evaluation.domain.events import (
    AdmonishmentTalkRequired,
    CommentsReleased,
    DutyReportAttached,
    LowestRatedStaffFlagged,
    RoundClosed,
    RoundOpened,
    RoundTallied,
)
from services.evaluation.domain.model import RoundKind, Subject, SubjectKind
from services.evaluation.domain.tally import OpenedBallot, lowest_rated, tally

COMMENTS_PER_EVENT = 400


@dataclass(frozen=True)
class RoundDefinition:
    """What a round is, as opened: immutable, so processes may cache it."""

    round_id: str
    bureau_id: str
    year: int
    kind: RoundKind
    title: str
    opens_at: datetime
    closes_at: datetime
    subjects: tuple[Subject, ...]
    electorate: dict[str, str]  # voter -> constituency
    weights: dict[str, Fraction]
    threshold: Fraction
    min_ballots: int
    talk_working_days: int
    shards: int
    ballot_bytes: int

    @classmethod
    def of(cls, e: RoundOpened) -> RoundDefinition:
        return cls(
            e.round_id,
            e.bureau_id,
            e.year,
            RoundKind(e.kind),
            e.title,
            e.opens_at,
            e.closes_at,
            tuple(Subject.from_dict(s) for s in e.subjects),
            {voter: constituency for voter, constituency in e.electorate},
            {k: Fraction(v) for k, v in e.weights.items()},
            Fraction(e.threshold),
            e.min_ballots,
            e.talk_working_days,
            e.shards,
            e.ballot_bytes,
        )

    @property
    def subject_ids(self) -> list[str]:
        return [s.subject_id for s in self.subjects]

    def check_window(self, now: datetime) -> None:
        if now < self.opens_at:
            raise RoundNotOpenYet(
                round_id=self.round_id, opens_at=self.opens_at.isoformat()
            )
        if now >= self.closes_at:
            raise VotingClosed(round_id=self.round_id)


@dataclass(frozen=True)
class Count:
    """What the close found: participations and the ballots matched to them."""

    returned: int
    in_box: int
    counted: Sequence[OpenedBallot]


def talk_id_for(round_id: str, subject_id: str) -> str:
    return f"{round_id}.{subject_id}"


class EvaluationRound(Aggregate):
    """A round of democratic evaluation (评议)."""

    category = "evaluation_round"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.definition: RoundDefinition | None = None
        self.closed = False
        self.tallied: RoundTallied | None = None
        self.duty_reports: list[DutyReportAttached] = []
        self.comments: dict[str, list[str]] = {}
        self.admonishments: list[AdmonishmentTalkRequired] = []
        self.flagged: list[LowestRatedStaffFlagged] = []

    @property
    def bureau_id(self) -> str | None:
        return self.definition.bureau_id if self.definition else None

    def open(self, opened: RoundOpened) -> None:
        if self.definition is not None:
            raise AlreadyExists(kind_zh="评议", kind_en="round", id=self.id)
        if opened.closes_at <= opened.opens_at:
            raise WindowInvalid()
        self._raise(opened)

    def attach_duty_report(
        self, person_id: str, title: str, summary: str, actor: str, at: datetime
    ) -> None:
        """述职 of a middle manager, attached to a staff round before it closes."""
        d = self._defined()
        if self.closed:
            raise RoundAlreadyClosed(round_id=self.id)
        self._raise(
            DutyReportAttached(
                self.id, d.bureau_id, person_id, title, summary, actor, at
            )
        )

    def close(self, actor: str, at: datetime) -> None:
        """Stop voting; a round closed but not yet tallied may be closed again
        (the tally resumes), one already tallied may not."""
        d = self._defined()
        if self.tallied is not None:
            raise RoundAlreadyClosed(round_id=self.id)
        if not self.closed:
            self._raise(RoundClosed(self.id, d.bureau_id, actor, at))

    def record_tally(self, count: Count, on: date, due_on: date) -> RoundTallied:
        """Tally the matched ballots, reconcile, and raise what the rules require."""
        d = self._defined()
        if self.tallied is not None:
            raise RoundAlreadyClosed(round_id=self.id)
        issued = len(d.electorate)
        void_reason = ""
        if count.returned > issued:
            void_reason = "more_voters_recorded_than_eligible"
        elif len(count.counted) > count.returned:
            void_reason = "more_ballots_than_voters"
        valid_ballots = [b for b in count.counted if b.choices]
        results = (
            []
            if void_reason
            else tally(d.subjects, valid_ballots, d.weights, d.threshold, d.min_ballots)
        )
        tallied = RoundTallied(
            self.id,
            d.bureau_id,
            issued,
            count.returned,
            count.in_box,
            len(count.counted),
            max(count.in_box - len(count.counted), 0),
            len(valid_ballots),
            bool(void_reason),
            void_reason,
            [r.to_dict() for r in results]
            or [_withheld(s, "round_void") for s in d.subjects],
            on,
        )
        self._raise(tallied)
        for result in results:
            comments = list(result.comments) if result.published else []
            random.SystemRandom().shuffle(comments)
            for start in range(0, len(comments), COMMENTS_PER_EVENT):
                chunk = comments[start : start + COMMENTS_PER_EVENT]
                self._raise(
                    CommentsReleased(
                        self.id, d.bureau_id, result.subject.subject_id, chunk
                    )
                )
            if result.rule.triggered:
                s = result.subject
                fair_poor = result.weighted.get("fair", Fraction(0)) + (
                    result.weighted.get("poor", Fraction(0))
                )
                self._raise(
                    AdmonishmentTalkRequired(
                        self.id,
                        d.bureau_id,
                        s.subject_id,
                        s.kind.value,
                        s.unit_id,
                        s.answerable_id,
                        talk_id_for(self.id, s.subject_id),
                        str(fair_poor),
                        str(result.weighted_valid),
                        str(result.rule.share),
                        str(d.threshold),
                        due_on,
                    )
                )
        for low in lowest_rated(results):
            s = low.subject
            self._raise(
                LowestRatedStaffFlagged(
                    self.id,
                    d.bureau_id,
                    s.subject_id,
                    s.unit_id,
                    s.person_id,
                    s.head_id,
                    talk_id_for(self.id, s.subject_id),
                    str(low.mean_score),
                    due_on,
                )
            )
        return tallied

    def _defined(self) -> RoundDefinition:
        if self.definition is None:
            raise NotFound(kind="round", id=self.id)
        return self.definition

    def apply(self, event: DomainEvent) -> None:
        match event:
            case RoundOpened():
                self.definition = RoundDefinition.of(event)
            case DutyReportAttached():
                self.duty_reports.append(event)
            case RoundClosed():
                self.closed = True
            case RoundTallied():
                self.closed = True
                self.tallied = event
            case CommentsReleased():
                self.comments.setdefault(event.subject_id, []).extend(event.comments)
            case AdmonishmentTalkRequired():
                self.admonishments.append(event)
            case LowestRatedStaffFlagged():
                self.flagged.append(event)


def _withheld(subject: Subject, reason: str) -> dict[str, Any]:
    return {
        "subject_id": subject.subject_id,
        "kind": subject.kind.value,
        "unit_id": subject.unit_id,
        "person_id": subject.person_id,
        "valid": 0,
        "published": False,
        "withheld_reason": reason,
        "counts": {},
        "weighted": {},
        "weighted_valid": None,
        "rule": {"triggered": False, "reason": reason, "share": None},
        "mean_score": None,
        "grade": None,
        "rank": None,
    }


__all__ = ["Count", "EvaluationRound", "RoundDefinition", "SubjectKind"]
