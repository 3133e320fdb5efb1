"""The ledger domain: pure rules and events, no I/O, no clock."""

from __future__ import annotations

from services.common.ratio import Ratio
from services.ledger.domain.disclosures import WindowDisclosures
from services.ledger.domain.escalation import (
    EscalationPolicy,
    due_escalations,
    is_overdue,
    overdue_days,
)
from services.ledger.domain.events import registry
from services.ledger.domain.indicators import Indicators, Report, indicators
from services.ledger.domain.item import LedgerItem
from services.ledger.domain.model import (
    SupervisorEligibility,
    item_id_for_complaint,
    item_id_for_survey,
    item_id_for_tour,
)
from services.ledger.domain.opening import ItemOpening
from services.ledger.domain.self_analysis import (
    SelfAnalysis,
    publication_target,
    self_analysis_id,
)
from services.ledger.domain.survey import RaisedProblem, Survey
from services.ledger.domain.tours import Finding, InspectionTour

__all__ = [
    "EscalationPolicy",
    "Finding",
    "Indicators",
    "InspectionTour",
    "ItemOpening",
    "LedgerItem",
    "RaisedProblem",
    "Ratio",
    "Report",
    "SelfAnalysis",
    "SupervisorEligibility",
    "Survey",
    "WindowDisclosures",
    "due_escalations",
    "indicators",
    "is_overdue",
    "item_id_for_complaint",
    "item_id_for_survey",
    "item_id_for_tour",
    "overdue_days",
    "publication_target",
    "registry",
    "self_analysis_id",
]
