"""The evaluation domain: pure rules and events, no I/O, no clock."""

from __future__ import annotations

from services.evaluation.domain.events import registry
from services.evaluation.domain.model import (
    Constituency,
    Option,
    RoundKind,
    Subject,
    SubjectKind,
    TalkKind,
)
from services.evaluation.domain.roll import RollShard, shard_id, shard_of
from services.evaluation.domain.round import (
    Count,
    EvaluationRound,
    RoundDefinition,
    talk_id_for,
)
from services.evaluation.domain.study import StudyTest
from services.evaluation.domain.talk import Talk

__all__ = [
    "Constituency",
    "Count",
    "EvaluationRound",
    "Option",
    "RollShard",
    "RoundDefinition",
    "RoundKind",
    "StudyTest",
    "Subject",
    "SubjectKind",
    "Talk",
    "TalkKind",
    "registry",
    "shard_id",
    "shard_of",
    "talk_id_for",
]
