"""The complaints domain: pure rules and events, no I/O, no clock."""

from __future__ import annotations

from services.common.ratio import Ratio
from services.complaints.domain.complaint import Complaint
from services.complaints.domain.deadlines import (
    ChineseWorkCalendar,
    DeadlinePolicy,
    WorkCalendar,
    YearSchedule,
    add_working_days,
)
from services.complaints.domain.duplicates import OpenCase, find_duplicates
from services.complaints.domain.events import registry
from services.complaints.domain.indicators import Indicators, indicators
from services.complaints.domain.ladder import (
    Alert,
    Rung,
    apply_ladder,
    complaint_warning,
    warning_for,
)

__all__ = [
    "Alert",
    "ChineseWorkCalendar",
    "Complaint",
    "DeadlinePolicy",
    "Indicators",
    "OpenCase",
    "Ratio",
    "Rung",
    "WorkCalendar",
    "YearSchedule",
    "add_working_days",
    "apply_ladder",
    "complaint_warning",
    "find_duplicates",
    "indicators",
    "registry",
    "warning_for",
]
