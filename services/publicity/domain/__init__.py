"""The publicity domain: pure rules and events, no I/O, no clock."""

from __future__ import annotations

from services.publicity.domain.article import Article
from services.publicity.domain.commitment import Commitment
from services.publicity.domain.events import registry
from services.publicity.domain.indicators import Indicators, Report, indicators
from services.publicity.domain.notice import Notice
from services.publicity.domain.periods import (
    DuePeriod,
    Period,
    PeriodType,
    Profile,
    Quota,
    due_periods,
    local_year,
    period_of,
    periods_starting,
    profile_at,
    quotas_from,
    zone_from,
)
from services.publicity.domain.quota import (
    QuotaPeriod,
    UnitProfile,
    counted,
    quota_period_id,
)
from services.publicity.domain.recognition import BoardListing, Commendation

__all__ = [
    "Article",
    "BoardListing",
    "Commendation",
    "Commitment",
    "DuePeriod",
    "Indicators",
    "Notice",
    "Period",
    "PeriodType",
    "Profile",
    "Quota",
    "QuotaPeriod",
    "Report",
    "UnitProfile",
    "counted",
    "due_periods",
    "indicators",
    "local_year",
    "period_of",
    "periods_starting",
    "profile_at",
    "quota_period_id",
    "quotas_from",
    "registry",
    "zone_from",
]
