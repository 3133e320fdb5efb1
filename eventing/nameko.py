"""Nameko dependency providers: event store, clock and metrics.

Run a service with `nameko run --config deploy/nameko.yaml services.<name>.service`,
with PSYCOPG_WAIT_FUNC=wait_select in the environment (psycopg reads it at import;
without it a query blocks every green thread of the process). deploy/Procfile does so.
"""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from nameko.extensions import DependencyProvider

from eventing import metrics
from eventing.config import Settings
from eventing.errors import EventingError
from eventing.store import EventStore, open_store


def _setting(config: dict[str, Any], key: str, default: str) -> str:
    return str(config.get(key) or os.environ.get(key) or default)


class EventStoreProvider(DependencyProvider):  # type: ignore[misc]
    """Opens the event store when the container starts; workers share it (pooled)."""

    store: EventStore

    def setup(self) -> None:
        if os.environ.get("PSYCOPG_WAIT_FUNC") != "wait_select":
            raise RuntimeError(
                "set PSYCOPG_WAIT_FUNC=wait_select before starting a Nameko service: "
                "psycopg would otherwise block the eventlet hub"
            )
        defaults = Settings.from_env()
        config = self.container.config
        self.store = open_store(
            _setting(config, "EVENTSTORE_URI", defaults.eventstore_uri),
            max_event_bytes=defaults.max_event_bytes,
            notify=defaults.notify,
        )

    def stop(self) -> None:
        self.store.close()

    def get_dependency(self, worker_ctx: Any) -> EventStore:
        return self.store


class ClockProvider(DependencyProvider):  # type: ignore[misc]
    """Gives workers the current time as a callable; tests replace it."""

    def get_dependency(self, worker_ctx: Any) -> Callable[[], datetime]:
        return lambda: datetime.now(UTC)


class CommandMetrics(DependencyProvider):  # type: ignore[misc]
    """Counts every entrypoint call by outcome and times it (commands_total, ...)."""

    def setup(self) -> None:
        self._started: weakref.WeakKeyDictionary[Any, float] = (
            weakref.WeakKeyDictionary()
        )

    def worker_setup(self, worker_ctx: Any) -> None:
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(
        self, worker_ctx: Any, result: Any = None, exc_info: Any = None
    ) -> None:
        service = self.container.service_name
        command = worker_ctx.entrypoint.method_name
        started = self._started.pop(worker_ctx, None)
        if started is not None:
            metrics.COMMAND_SECONDS.labels(service, command).observe(
                time.perf_counter() - started
            )
        if exc_info is None:
            outcome = "ok"
        else:
            error = exc_info[1]
            outcome = error.code if isinstance(error, EventingError) else "error"
        metrics.COMMANDS.labels(service, command, outcome).inc()

    def get_dependency(self, worker_ctx: Any) -> None:
        return None
