"""Prometheus metrics shared by every process (names follow Prometheus conventions).

Base units (`_seconds`), counters end in `_total`, labels are bounded: service, command
(an entrypoint's method name), outcome (`ok`, a typed error's code, or `error`), event
type, follower name, exchange. Never a bureau, person or complaint id. Every process
serves them with `serve()` (see eventing.health: /metrics, /health, /ready).

A Nameko process runs its workers as green threads of one process, so its one default
registry already aggregates every worker; no multiprocess mode is needed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from eventing import health
from eventing.events import Envelope, Metadata, NewEvent
from eventing.health import EndpointServer, Probe
from eventing.store.base import AppendResult, EventStore, VerifyReport

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)

COMMANDS = Counter(
    "commands_total",
    "Entrypoint calls (RPC commands and queries, event handlers, timers) handled, "
    "by service, command (method name) and outcome (ok, a typed error's code, error).",
    ["service", "command", "outcome"],
)
COMMAND_SECONDS = Histogram(
    "command_duration_seconds",
    "Time to handle a command, from receipt to durable append.",
    ["service", "command"],
    buckets=LATENCY_BUCKETS,
)
RPC_ERRORS = Counter(
    "rpc_errors_total",
    "RPC calls that failed with an untyped error (a bug or an unreachable "
    "dependency, not a refused command), by service, method and error class.",
    ["service", "method", "error"],
)
EVENTS_APPENDED = Counter(
    "events_appended_total", "Events appended to the store.", ["service", "type"]
)
APPEND_SECONDS = Histogram(
    "eventstore_append_duration_seconds",
    "Time of one append to the event store (one stream, one or more events).",
    ["service"],
    buckets=LATENCY_BUCKETS,
)
APPEND_ERRORS = Counter(
    "eventstore_append_errors_total",
    "Appends that raised (concurrency conflicts included), by service and error class.",
    ["service", "error"],
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
CONSUMER_REDELIVERIES = Counter(
    "consumer_redeliveries_total",
    "Messages RabbitMQ delivered again (flagged redelivered), by service and handler.",
    ["service", "handler"],
)
CONSUMER_DEAD_LETTERED = Counter(
    "consumer_dead_lettered_total",
    "Messages whose handler failed and that were not requeued (acknowledged and "
    "dropped, or sent to the queue's dead-letter exchange), by service and handler.",
    ["service", "handler"],
)


def serve(
    port: int, addr: str | None = None, probes: Sequence[Probe] | None = None
) -> EndpointServer:
    """Serve /metrics, /health and /ready of this process on addr:port (a background
    thread). `addr` defaults to METRICS_HOST (127.0.0.1): 0.0.0.0 in a container.
    Without `probes`, /ready checks the event store and the read-model database of
    the environment's settings (what the projector needs)."""
    host = addr or os.environ.get("METRICS_HOST") or "127.0.0.1"
    if probes is None:
        from eventing.config import Settings

        settings = Settings.from_env()
        probes = [
            health.eventstore(settings.eventstore_uri),
            health.postgres("readmodel", settings.readmodel_database_url),
        ]
    return EndpointServer(host, port, probes)


LAST_APPENDED: ContextVar[int | None] = ContextVar("last_appended", default=None)
"""The position of the last event appended through an InstrumentedStore in this
context: each Nameko worker runs in a green thread of its own, so an RPC entrypoint
that sets it to None first reads, after its handler, where its own events end
(services.common.rpc.translated hands that back; the gateway's X-Position)."""


class InstrumentedStore(EventStore):
    """An event store that times appends, counts appended events by type and notes
    the last position appended (LAST_APPENDED)."""

    def __init__(self, inner: EventStore, service: str) -> None:
        self.inner = inner
        self.service = service
        self.max_event_bytes = inner.max_event_bytes

    def append(
        self,
        stream: str,
        events: Sequence[NewEvent],
        expected_version: int | None,
        metadata: Metadata,
    ) -> AppendResult:
        started = time.perf_counter()
        try:
            result = self.inner.append(stream, events, expected_version, metadata)
        except Exception as error:
            APPEND_ERRORS.labels(self.service, type(error).__name__).inc()
            raise
        finally:
            APPEND_SECONDS.labels(self.service).observe(time.perf_counter() - started)
        for event_type in result.types:
            EVENTS_APPENDED.labels(self.service, event_type).inc()
        last, known = result.last_position, LAST_APPENDED.get()
        if known is None or last > known:
            LAST_APPENDED.set(last)
        return result

    def read_stream(
        self,
        stream: str,
        from_version: int = 1,
        *,
        as_of: datetime | None = None,
        limit: int | None = None,
    ) -> list[Envelope]:
        return self.inner.read_stream(stream, from_version, as_of=as_of, limit=limit)

    def stream_version(self, stream: str) -> int:
        return self.inner.stream_version(stream)

    def read_all(
        self,
        after: int = 0,
        limit: int = 1000,
        *,
        categories: Sequence[str] | None = None,
        bureau_id: str | None = None,
    ) -> list[Envelope]:
        return self.inner.read_all(
            after, limit, categories=categories, bureau_id=bureau_id
        )

    def head(self) -> int:
        return self.inner.head()

    def latest(self) -> int:
        return self.inner.latest()

    def wait_for_new(self, after: int, timeout: float) -> None:
        self.inner.wait_for_new(after, timeout)

    def iter_streams(self) -> Iterator[tuple[str, list[Envelope]]]:
        return self.inner.iter_streams()

    def verify(self) -> VerifyReport:
        return self.inner.verify()

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        # adapter-specific extras (pools, conninfo) stay reachable
        return getattr(self.inner, name)
