"""Readiness: can the gateway reach RabbitMQ, the event store and the read models now?

Each check is bounded by a timeout and uses only green-friendly I/O (psycopg with
PSYCOPG_WAIT_FUNC=wait_select, kombu over eventlet's sockets), so a slow dependency
never stalls the other requests of the process.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import psycopg
from kombu import Connection
from nameko.extensions import DependencyProvider

from eventing.config import Settings

TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class DependencyState:
    """One dependency's state: reachable or not, and why not."""

    name: str
    ok: bool
    error: str | None = None

    def to_dict(self) -> dict[str, str]:
        if self.ok:
            return {"status": "ok"}
        return {"status": "failed", "error": self.error or "unknown error"}


def _failure(name: str, error: BaseException) -> DependencyState:
    reason = str(error).strip() or type(error).__name__
    return DependencyState(name, ok=False, error=reason.splitlines()[0])


def check_rabbitmq(uri: str, timeout: float = TIMEOUT_SECONDS) -> DependencyState:
    """Open and close one AMQP connection (login and vhost included), one attempt."""
    try:
        with Connection(uri, connect_timeout=timeout) as connection:
            connection.connect()
    except Exception as error:
        return _failure("rabbitmq", error)
    return DependencyState("rabbitmq", ok=True)


def check_postgres(
    name: str, conninfo: str, timeout: float = TIMEOUT_SECONDS
) -> DependencyState:
    """Connect and run `SELECT 1`; the timeout bounds both connect and statement."""
    millis = int(timeout * 1000)
    try:
        with psycopg.connect(
            conninfo,
            connect_timeout=max(1, round(timeout)),
            options=f"-c statement_timeout={millis}",
            autocommit=True,
        ) as connection:
            connection.execute("SELECT 1")
    except Exception as error:
        return _failure(name, error)
    return DependencyState(name, ok=True)


def check_tcp(
    name: str, uri: str, default_port: int, timeout: float = TIMEOUT_SECONDS
) -> DependencyState:
    """Open a TCP connection to the URI's host and port (EventStoreDB for now)."""
    parts = urlsplit(uri)
    address = (parts.hostname or "127.0.0.1", parts.port or default_port)
    try:
        socket.create_connection(address, timeout=timeout).close()
    except OSError as error:
        return _failure(name, error)
    return DependencyState(name, ok=True)


def check_all(
    amqp_uri: str, eventstore_uri: str, readmodel_uri: str
) -> list[DependencyState]:
    """Check every dependency in turn; each check is bounded by TIMEOUT_SECONDS."""
    if eventstore_uri.startswith(("esdb://", "esdb+discover://")):
        eventstore = check_tcp("eventstore", eventstore_uri, 2113)
    else:
        eventstore = check_postgres("eventstore", eventstore_uri)
    return [
        check_rabbitmq(amqp_uri),
        eventstore,
        check_postgres("readmodel", readmodel_uri),
    ]


class Readiness(DependencyProvider):  # type: ignore[misc]
    """Gives workers a callable that checks every dependency of the gateway."""

    def setup(self) -> None:
        if os.environ.get("PSYCOPG_WAIT_FUNC") != "wait_select":
            raise RuntimeError(
                "set PSYCOPG_WAIT_FUNC=wait_select before starting a Nameko service: "
                "psycopg would otherwise block the eventlet hub"
            )
        settings = Settings.from_env()
        config = self.container.config
        self.amqp_uri = str(config.get("AMQP_URI") or settings.amqp_uri)
        self.eventstore_uri = settings.eventstore_uri
        self.readmodel_uri = settings.readmodel_database_url

    def get_dependency(self, worker_ctx: Any) -> Callable[[], list[DependencyState]]:
        return lambda: check_all(self.amqp_uri, self.eventstore_uri, self.readmodel_uri)
