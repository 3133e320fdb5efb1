"""Nameko dependency providers: event store, clock and metrics.

Run a service with `nameko run --config deploy/nameko.yaml services.<name>.service`,
with PSYCOPG_WAIT_FUNC=wait_select in the environment (psycopg reads it at import;
without it a query blocks every green thread of the process). deploy/Procfile does so.

CommandMetrics also serves the process's /metrics, /health and /ready (eventing.health)
on METRICS_PORT (environment, then the service config; default per service in
METRICS_PORTS; 0 turns it off) at METRICS_HOST (default 127.0.0.1).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from nameko.extensions import DependencyProvider
from nameko.messaging import Consumer
from nameko.rpc import Rpc

from eventing import health, logs, metrics
from eventing.config import Settings, keys_database
from eventing.heap import freeze_startup_heap
from eventing.store import EventStore, open_store


def setting(config: dict[str, Any], key: str, default: str) -> str:
    """A service setting: the Nameko config's, else the environment's, else
    `default`."""
    return str(config.get(key) or os.environ.get(key) or default)


def keys_database_url(config: dict[str, Any]) -> str:
    """Where a service's keys live (eventing.config.keys_database), each setting
    read from the service config, then the environment."""
    defaults = Settings.from_env()
    return keys_database(
        config.get("KEYS_DATABASE_URL") or os.environ.get("KEYS_DATABASE_URL"),
        setting(config, "EVENTSTORE_URI", defaults.eventstore_uri),
        setting(config, "READMODEL_DATABASE_URL", defaults.readmodel_database_url),
    )


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
        self.store = metrics.InstrumentedStore(
            open_store(
                setting(config, "EVENTSTORE_URI", defaults.eventstore_uri),
                max_event_bytes=defaults.max_event_bytes,
                notify=defaults.notify,
            ),
            service=self.container.service_name,
        )

    def stop(self) -> None:
        self.store.close()

    def get_dependency(self, worker_ctx: Any) -> EventStore:
        return self.store


class ClockProvider(DependencyProvider):  # type: ignore[misc]
    """Gives workers the current time as a callable; tests replace it."""

    def get_dependency(self, worker_ctx: Any) -> Callable[[], datetime]:
        return lambda: datetime.now(UTC)


log = logging.getLogger(__name__)

METRICS_PORTS = {
    "organization": 9103,
    "complaints": 9104,
    "ledger": 9105,
    "evaluation": 9106,
    "publicity": 9107,
}
"""Default METRICS_PORT of each service (the relay has 9101, the projector 9102, the
gateway serves /metrics on its own HTTP port)."""


class _Endpoint:
    """The one /metrics server of a process, shared by every container in it."""

    lock = threading.Lock()
    server: health.EndpointServer | None = None
    users = 0

    @classmethod
    def acquire(cls, container: Any) -> None:
        with cls.lock:
            cls.users += 1
            if cls.server is not None or cls.users > 1:
                return
            config = container.config
            default = METRICS_PORTS.get(container.service_name, 0)
            # 0 (in the environment or the config) is a setting: no endpoint
            chosen = os.environ.get("METRICS_PORT") or config.get("METRICS_PORT")
            port = int(default if chosen in (None, "") else chosen)
            if port == 0:
                return
            host = setting(config, "METRICS_HOST", "127.0.0.1")
            probes = [
                health.rabbitmq(
                    str(config.get("AMQP_URI") or Settings.from_env().amqp_uri)
                ),
                health.eventstore(
                    setting(
                        config, "EVENTSTORE_URI", Settings.from_env().eventstore_uri
                    )
                ),
            ]
            try:
                cls.server = metrics.serve(port, host, probes)
            except OSError as error:
                # The service still works without it; Prometheus sees the target
                # down and alerts (ProcessDown), which is where an operator looks.
                log.error("cannot serve /metrics on %s:%d: %s", host, port, error)
                return
            log.info("serving /metrics, /health, /ready on %s:%d", host, port)

    @classmethod
    def release(cls) -> None:
        with cls.lock:
            cls.users = max(0, cls.users - 1)
            if cls.users == 0 and cls.server is not None:
                cls.server.close()
                cls.server = None


def _text(value: Any) -> str | None:
    return str(value)[:200] if isinstance(value, str | int) and value != "" else None


def _log_context(worker_ctx: Any) -> dict[str, str | None]:
    """Ids for the worker's log lines: from the RPC `context` argument ({"bureau_id",
    "actor", "correlation_id"}) or a consumed event's envelope. Ids only: nothing
    else of the payload is read."""
    args = list(getattr(worker_ctx, "args", ()) or ())
    kwargs = dict(getattr(worker_ctx, "kwargs", {}) or {})
    data = getattr(worker_ctx, "data", None) or {}
    fields: dict[str, str | None] = {
        "correlation_id": _text(data.get("correlation_id"))
    }
    if (
        isinstance(worker_ctx.entrypoint, Consumer)
        and args
        and isinstance(args[0], dict)
    ):
        envelope = args[0]
        fields["causation_id"] = _text(envelope.get("event_id"))
        source: Any = envelope
    else:
        source = kwargs.get("context", args[1] if len(args) > 1 else None)
    if isinstance(source, dict):
        fields["correlation_id"] = (
            _text(source.get("correlation_id")) or fields["correlation_id"]
        )
        fields["bureau"] = _text(source.get("bureau_id"))
        fields["actor"] = _text(source.get("actor"))
    return fields


def _outcome(error: BaseException) -> str:
    """A typed error's stable code (DomainError, EventingError); else `error`."""
    code = getattr(type(error), "code", None)
    return code if isinstance(code, str) and code else "error"


class CommandMetrics(DependencyProvider):  # type: ignore[misc]
    """Counts every entrypoint call by outcome and times it (commands_total, ...),
    counts RPC errors and consumer redeliveries and dead letters, and serves the
    process's /metrics, /health and /ready (see the module docstring)."""

    def setup(self) -> None:
        self._started: weakref.WeakKeyDictionary[Any, float] = (
            weakref.WeakKeyDictionary()
        )
        logs.set_process_service(self.container.service_name)
        for entrypoint in self.container.entrypoints:
            if isinstance(entrypoint, Consumer):
                self._watch_redeliveries(entrypoint)

    def start(self) -> None:
        _Endpoint.acquire(self.container)
        freeze_startup_heap()  # every dependency is set up by now

    def stop(self) -> None:
        _Endpoint.release()

    def kill(self) -> None:
        _Endpoint.release()

    def _watch_redeliveries(self, entrypoint: Any) -> None:
        # The worker context does not carry the AMQP message; its redelivered flag
        # is only visible where the consumer receives it.
        handle = entrypoint.handle_message
        labels = (self.container.service_name, entrypoint.method_name)

        def handle_message(body: Any, message: Any) -> Any:
            if (getattr(message, "delivery_info", None) or {}).get("redelivered"):
                metrics.CONSUMER_REDELIVERIES.labels(*labels).inc()
            return handle(body, message)

        entrypoint.handle_message = handle_message

    def worker_setup(self, worker_ctx: Any) -> None:
        self._started[worker_ctx] = time.perf_counter()
        # runs in the worker's own green thread: the log context is the worker's
        logs.bind(service=self.container.service_name, **_log_context(worker_ctx))

    def worker_result(
        self, worker_ctx: Any, result: Any = None, exc_info: Any = None
    ) -> None:
        service = self.container.service_name
        entrypoint = worker_ctx.entrypoint
        command = entrypoint.method_name
        started = self._started.pop(worker_ctx, None)
        if started is not None:
            metrics.COMMAND_SECONDS.labels(service, command).observe(
                time.perf_counter() - started
            )
        if exc_info is None:
            outcome = "ok"
        else:
            error = exc_info[1]
            outcome = _outcome(error)
            if isinstance(entrypoint, Rpc) and outcome == "error":
                metrics.RPC_ERRORS.labels(service, command, type(error).__name__).inc()
            if isinstance(entrypoint, Consumer) and not entrypoint.requeue_on_error:
                metrics.CONSUMER_DEAD_LETTERED.labels(service, command).inc()
        metrics.COMMANDS.labels(service, command, outcome).inc()

    def get_dependency(self, worker_ctx: Any) -> None:
        return None
