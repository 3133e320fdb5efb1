"""Events of the evaluation service.

Streams: `evaluation_round-<round>` (definition, close, tally, rule outcomes),
`ballot_roll-<round>.<shard>` (participation only: "voter X has voted"),
`ballot_box-<round>` (sealed ballots: no voter, no actor, no time of their own),
`talk-<talk>`, `study_test-<test>`, `assessment-<bureau>.<year>` (each publication of
the year-end assessment table). Events other services consume carry every id they
need (bureau, unit, person), so no consumer reads these streams.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from eventing.aggregate import DomainEvent, DomainEventRegistry

registry = DomainEventRegistry()
event = registry.event

# -- rounds ---------------------------------------------------------------------


@event
@dataclass(frozen=True)
class RoundOpened(DomainEvent):
    round_id: str
    bureau_id: str
    year: int
    kind: str
    title: str
    opens_at: datetime
    closes_at: datetime
    subjects: list[dict[str, Any]]
    electorate: list[list[str]]  # [voter_id, constituency]
    weights: dict[str, str]  # constituency -> exact weight ("1", "3/2")
    threshold: str  # exact fraction of valid votes, e.g. "3/10"
    min_ballots: int
    talk_working_days: int
    shards: int
    ballot_bytes: int
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class DutyReportAttached(DomainEvent):
    round_id: str
    bureau_id: str
    person_id: str
    title: str
    summary: str
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class RoundClosed(DomainEvent):
    round_id: str
    bureau_id: str
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class RoundTallied(DomainEvent):
    """Counts only, per subject; no ballot as such survives the close."""

    round_id: str
    bureau_id: str
    issued: int  # eligible voters
    returned: int  # voters recorded as having voted
    in_box: int  # sealed ballots found in the box
    counted: int  # ballots matched to a participation (at most one per voter)
    discarded: int  # sealed ballots without a participation (refused votes)
    valid: int  # counted ballots with at least one choice
    void: bool
    void_reason: str
    subjects: list[dict[str, Any]]
    on: date


@event
@dataclass(frozen=True)
class CommentsReleased(DomainEvent):
    """Free-text comments of one subject, shuffled, in chunks."""

    round_id: str
    bureau_id: str
    subject_id: str
    comments: list[str]


@event
@dataclass(frozen=True)
class AdmonishmentTalkRequired(DomainEvent):
    """The 30% rule fired: fair + poor exceeded the threshold of valid votes."""

    round_id: str
    bureau_id: str
    subject_id: str
    subject_kind: str
    unit_id: str
    person_id: str | None  # who is admonished: a team's main leader, or the cadre
    talk_id: str
    fair_poor: str  # weighted, exact
    valid: str  # weighted, exact
    share: str  # fair_poor / valid, exact
    threshold: str
    due_on: date


@event
@dataclass(frozen=True)
class LowestRatedStaffFlagged(DomainEvent):
    round_id: str
    bureau_id: str
    subject_id: str
    unit_id: str
    person_id: str | None
    head_id: str | None
    talk_id: str
    mean_score: str
    due_on: date


# -- the roll and the box -------------------------------------------------------


@event
@dataclass(frozen=True)
class VoterParticipated(DomainEvent):
    """Voter X has voted: nothing about the choices, the day only."""

    round_id: str
    bureau_id: str
    voter_id: str
    receipt_digest: str
    on: date


@event
@dataclass(frozen=True)
class RollClosed(DomainEvent):
    round_id: str
    bureau_id: str


@event
@dataclass(frozen=True)
class BallotSealed(DomainEvent):
    """A ballot, sealed under the round's key, padded to the round's fixed size."""

    round_id: str
    bureau_id: str
    nonce: str
    ciphertext: str


# -- talks ----------------------------------------------------------------------


@event
@dataclass(frozen=True)
class TalkRequired(DomainEvent):
    talk_id: str
    bureau_id: str
    kind: str
    person_id: str | None  # with whom
    held_by: str  # who holds it: a person id, or "district" / "leading_group"
    unit_id: str | None
    reason: str
    source_id: str  # the round, inspection or test that required it
    due_on: date
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class TalkHeld(DomainEvent):
    talk_id: str
    bureau_id: str
    held_on: date
    held_by: str
    record: str
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class TalkBecameOverdue(DomainEvent):
    """Recorded once, the first check after the due day passed unheld."""

    talk_id: str
    bureau_id: str
    kind: str
    person_id: str | None
    held_by: str
    due_on: date
    noticed_on: date


# -- study tests ----------------------------------------------------------------


@event
@dataclass(frozen=True)
class StudyTestHeld(DomainEvent):
    test_id: str
    bureau_id: str
    unit_id: str
    year: int
    title: str
    held_on: date
    pass_mark: str
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class TestScoresRecorded(DomainEvent):
    test_id: str
    bureau_id: str
    scores: list[list[str]]  # [person_id, score]
    source: str  # "entered" or "xlsx"
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class TestSpotChecked(DomainEvent):
    test_id: str
    bureau_id: str
    checked_on: date
    finding: str
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class UnitFlaggedForCriticism(DomainEvent):
    """The unit's test fell below the campaign's bar: a notice of criticism."""

    test_id: str
    bureau_id: str
    unit_id: str
    mean: str
    bar: str
    actor: str
    at: datetime


# -- study and mobilisation -----------------------------------------------------


@event
@dataclass(frozen=True)
class StudySessionHeld(DomainEvent):
    session_id: str
    bureau_id: str
    unit_id: str
    held_on: date
    friday: bool  # the Friday study day (周五学习日)
    topic: str
    lecturer: str
    expected: list[str]
    attended: list[str]
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class SpeechContestHeld(DomainEvent):
    contest_id: str
    bureau_id: str
    unit_id: str | None  # None: bureau-wide
    year: int
    title: str  # 假如我是服务对象
    held_on: date
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class SpeechEntered(DomainEvent):
    contest_id: str
    bureau_id: str
    person_id: str
    unit_id: str
    speech_title: str
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class SpeechScored(DomainEvent):
    contest_id: str
    bureau_id: str
    person_id: str
    score: str
    actor: str
    at: datetime


# -- institutional innovations and model windows --------------------------------


@event
@dataclass(frozen=True)
class InnovationSubmitted(DomainEvent):
    innovation_id: str
    bureau_id: str
    unit_id: str
    year: int
    title: str
    summary: str
    submitted_on: date
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class InnovationReviewed(DomainEvent):
    innovation_id: str
    bureau_id: str
    verdict: str  # shortlisted | returned
    remarks: str
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class InnovationsSelected(DomainEvent):
    """The year-end selection (年底评选): ranked innovations, rank 1 the best."""

    bureau_id: str
    year: int
    ranked: list[list[str]]  # [innovation_id, unit_id, rank]
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class ModelNominated(DomainEvent):
    nomination_id: str
    bureau_id: str
    unit_id: str
    year: int
    kind: str  # model_window | model_office
    reason: str
    actor: str
    at: datetime


@event
@dataclass(frozen=True)
class ModelAwarded(DomainEvent):
    nomination_id: str
    bureau_id: str
    unit_id: str
    year: int
    kind: str
    actor: str
    at: datetime


# -- the year-end assessment ----------------------------------------------------


@event
@dataclass(frozen=True)
class AssessmentPublished(DomainEvent):
    """The leading group office published (定格) the bureau's year-end assessment
    table as the figures stood at `as_of`; a later publication replaces it."""

    bureau_id: str
    year: int
    as_of: datetime  # the moment the figures stand at
    published_at: datetime
    published_by: str
    note: str | None
    formula: str
    weights: dict[str, str]  # input -> exact weight ("3/10")
    units: tuple[dict[str, Any], ...]  # UnitScore.to_dict(weights, rank), ranked
