"""The application layer of the evaluation service: load, decide, append."""

from __future__ import annotations

from typing import Any

from services.evaluation.handlers.activities import ActivityHandlers
from services.evaluation.handlers.assessment import (
    IndicatorSources,
    NoSources,
    RpcIndicatorSources,
)
from services.evaluation.handlers.awards import AwardHandlers
from services.evaluation.handlers.base import SERVICE, DefinitionCache
from services.evaluation.handlers.orgchart import MemoryOrgChart, OrgChart, RpcOrgChart
from services.evaluation.handlers.publication import PublicationHandlers
from services.evaluation.handlers.rounds import RoundHandlers
from services.evaluation.handlers.studies import StudyHandlers
from services.evaluation.handlers.talks import TalkHandlers


class EvaluationHandlers(
    RoundHandlers,
    TalkHandlers,
    StudyHandlers,
    ActivityHandlers,
    AwardHandlers,
    PublicationHandlers,
):
    """Every use case of the service, over one store, clock, org chart and keys;
    `sources` answers the assessment's outside inputs (none by default)."""

    def __init__(
        self, *args: Any, sources: IndicatorSources | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sources = sources or NoSources()


__all__ = [
    "SERVICE",
    "DefinitionCache",
    "EvaluationHandlers",
    "IndicatorSources",
    "MemoryOrgChart",
    "NoSources",
    "OrgChart",
    "RpcIndicatorSources",
    "RpcOrgChart",
]
