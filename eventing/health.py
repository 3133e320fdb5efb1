"""The operations endpoint of a process: /metrics, /health and /ready on one port.

`/metrics` is Prometheus' text format (this process's default registry); `/health`
answers 200 while the process runs; `/ready` runs the process's dependency checks, each
bounded by a timeout, and answers 200 `{"status": "ready", "dependencies": {...}}`
or 503 `{"code": "not_ready", "message": "unreachable: <names>", "dependencies": ...}`.

The server is a small threaded WSGI server: plain threads in the relay and the
projector, green threads in a Nameko process (eventlet patches threading and sockets;
psycopg must use PSYCOPG_WAIT_FUNC=wait_select there, as every Nameko process does).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import REGISTRY, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Check:
    """One dependency's state: reachable or not, and why not."""

    name: str
    ok: bool
    error: str | None = None

    def to_dict(self) -> dict[str, str]:
        if self.ok:
            return {"status": "ok"}
        return {"status": "failed", "error": self.error or "unknown error"}


Probe = Callable[[], Check]


def _reason(error: BaseException) -> str:
    """An error's message, its first line (its type's name when it has none)."""
    return (str(error).strip() or type(error).__name__).splitlines()[0]


def _failed(name: str, error: BaseException) -> Check:
    return Check(name, ok=False, error=_reason(error))


def postgres(name: str, conninfo: str, timeout: float = TIMEOUT_SECONDS) -> Probe:
    """A probe that connects and runs `SELECT 1` (bounded by `timeout`)."""

    def probe() -> Check:
        import psycopg

        try:
            with psycopg.connect(
                conninfo,
                connect_timeout=max(1, round(timeout)),
                options=f"-c statement_timeout={int(timeout * 1000)}",
                autocommit=True,
            ) as conn:
                conn.execute("SELECT 1")
        except Exception as error:
            return _failed(name, error)
        return Check(name, ok=True)

    return probe


def addresses(uri: str, default_port: int) -> list[tuple[str, int]]:
    """The (host, port) of each of a URI's hosts. EventStoreDB's cluster URIs name
    several seeds, separated by commas (esdb://a:2113,b:2113,c:2113 or
    esdb+discover://...), which urlsplit's `.port` refuses; user info and query are
    left out. ValueError for a port that is not one."""
    netloc = urlsplit(uri).netloc.rpartition("@")[2]
    found = []
    for seed in netloc.split(","):
        parts = urlsplit("//" + seed.strip())
        found.append((parts.hostname or "127.0.0.1", parts.port or default_port))
    return found


def tcp(
    name: str, uri: str, default_port: int, timeout: float = TIMEOUT_SECONDS
) -> Probe:
    """A probe that opens a TCP connection to the URI's host and port; for a URI of
    several hosts (a cluster's seeds), to each in turn until one accepts, within
    `timeout` in all. A URI whose port is not one fails the probe, saying so."""

    def probe() -> Check:
        try:
            targets = addresses(uri, default_port)
        except ValueError as error:
            return _failed(name, error)
        each = max(timeout / len(targets), 0.2)
        errors = []
        for host, port in targets:
            try:
                socket.create_connection((host, port), timeout=each).close()
            except OSError as error:
                errors.append(f"{host}:{port}: {_reason(error)}")
                continue
            return Check(name, ok=True)
        return Check(name, ok=False, error="; ".join(errors))

    return probe


def rabbitmq(uri: str, timeout: float = TIMEOUT_SECONDS) -> Probe:
    """A probe that opens and closes one AMQP connection (login and vhost included)."""

    def probe() -> Check:
        from kombu import Connection

        try:
            with Connection(uri, connect_timeout=timeout) as connection:
                connection.connect()
        except Exception as error:
            return _failed("rabbitmq", error)
        return Check("rabbitmq", ok=True)

    return probe


def eventstore(uri: str) -> Probe:
    """The event store's probe: PostgreSQL `SELECT 1`, or TCP for EventStoreDB (a gRPC
    call from an eventlet process would block the hub)."""
    if uri.startswith(("esdb://", "esdb+discover://")):
        return tcp("eventstore", uri, 2113)
    return postgres("eventstore", uri)


def readiness(probes: Sequence[Probe]) -> tuple[int, dict[str, Any]]:
    """Run every probe in turn; the HTTP status and JSON body of /ready."""
    checks = [probe() for probe in probes]
    dependencies = {check.name: check.to_dict() for check in checks}
    failed = [check.name for check in checks if not check.ok]
    if failed:
        return 503, {
            "code": "not_ready",
            "message": "unreachable: " + ", ".join(failed),
            "dependencies": dependencies,
        }
    return 200, {"status": "ready", "dependencies": dependencies}


StartResponse = Callable[..., Any]


def application(
    probes: Sequence[Probe],
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI app: /metrics, /health, /ready; 404 for anything else."""
    metrics_app = make_wsgi_app(REGISTRY)

    def respond(
        start: StartResponse, status: int, body: dict[str, Any]
    ) -> Iterable[bytes]:
        reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
        data = json.dumps(body).encode()
        start(
            f"{status} {reason}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def app(environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path == "/metrics":
            result: Iterable[bytes] = metrics_app(environ, start)
            return result
        if path == "/health":
            return respond(start, 200, {"status": "ok"})
        if path == "/ready":
            return respond(start, *readiness(probes))
        return respond(start, 404, {"code": "not_found", "message": path})

    return app


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: a scrape every few seconds would drown the JSON logs."""

    def log_message(self, format: str, *args: Any) -> None:
        return None


class EndpointServer:
    """A running /metrics + /health + /ready server; `close()` stops it."""

    def __init__(self, host: str, port: int, probes: Sequence[Probe]) -> None:
        self._server = make_server(
            host,
            port,
            application(probes),
            ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        self.port = int(self._server.server_port)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics-endpoint", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
