"""Prometheus metrics of the complaints service (eventing.metrics style)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

COMPLAINTS_OVERDUE = Gauge(
    "complaints_overdue",
    "Open complaints past their running deadline at the last ladder run, by bureau.",
    ["bureau"],
)
CALENDAR_FALLBACKS = Counter(
    "complaints_calendar_fallbacks_total",
    "Deadline computations that assumed Monday-Friday for a year whose official "
    "holiday schedule is not known, by year.",
    ["year"],
)
LADDER_EVENTS = Counter(
    "complaints_ladder_events_total",
    "Warning-ladder events raised (due soon, overdue, criticism proposed), by type.",
    ["type"],
)
