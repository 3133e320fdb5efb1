"""Prometheus metrics shared by every process (names follow Prometheus conventions)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

COMMANDS = Counter(
    "commands_total",
    "Commands handled, by service, command type and outcome.",
    ["service", "command", "outcome"],
)
COMMAND_SECONDS = Histogram(
    "command_duration_seconds",
    "Time to handle a command, from receipt to durable append.",
    ["service", "command"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_APPENDED = Counter(
    "events_appended_total", "Events appended to the store.", ["service", "type"]
)
FOLLOWER_POSITION = Gauge(
    "follower_position", "Global position a follower has finished.", ["follower"]
)
FOLLOWER_LAG_EVENTS = Gauge(
    "follower_lag_events",
    "Events stored but not yet handled by a follower (counted up to 1000).",
    ["follower"],
)
FOLLOWER_LAG_SECONDS = Gauge(
    "follower_lag_seconds",
    "Age of the oldest event a follower has not handled yet (0 when caught up).",
    ["follower"],
)
RELAY_PUBLISHED = Counter(
    "relay_published_total", "Events published and confirmed by RabbitMQ.", ["exchange"]
)
RELAY_FAILURES = Counter(
    "relay_failures_total",
    "Publish attempts that failed (nack, timeout, lost connection), by reason.",
    ["reason"],
)
CONSUMER_DUPLICATES = Counter(
    "consumer_duplicates_dropped_total",
    "Redelivered events whose effect had already happened.",
    ["consumer"],
)


def serve(port: int, addr: str = "127.0.0.1") -> None:
    """Expose /metrics of this process on addr:port (a background thread)."""
    start_http_server(port, addr=addr)
