"""Fixtures shared by tests/integration and tests/e2e (their conftests import them)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from eventing.store import EventStore, open_store
from tests.support.broker import EventQueue
from tests.support.processes import Process, Processes, free_port


@pytest.fixture
def store_uri(store_db: str) -> str:
    """The per-test event-store database (a postgresql:// URI)."""
    return store_db


@pytest.fixture
def store(store_uri: str) -> Iterator[EventStore]:
    """An open PostgreSQL event store on the per-test database."""
    opened = open_store(store_uri, pool_size=4)
    yield opened
    opened.close()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    """Child processes of one test; every one still running is stopped at the end."""
    started = Processes(tmp_path)
    yield started
    started.stop_all()


class Relays:
    """Starts `python -m eventing relay` subprocesses on the per-test store."""

    def __init__(self, processes: Processes, store_uri: str, amqp_uri: str) -> None:
        self.processes = processes
        self.store_uri = store_uri
        self.amqp_uri = amqp_uri

    def start(
        self, name: str, *, amqp_uri: str | None = None, window: int = 500
    ) -> Process:
        env = {
            "EVENTSTORE_URI": self.store_uri,
            "AMQP_URI": amqp_uri or self.amqp_uri,
            "RELAY_METRICS_PORT": str(free_port()),
            "RELAY_WINDOW": str(window),
            "LOG_LEVEL": "INFO",
        }
        return self.processes.python(
            f"relay-{name}", ["-m", "eventing", "relay", "--name", name], env
        )


@pytest.fixture
def relays(processes: Processes, store_uri: str, amqp_uri: str) -> Relays:
    return Relays(processes, store_uri, amqp_uri)


@pytest.fixture
def relay_name() -> str:
    return f"relay_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def event_queue(amqp_uri: str) -> Iterator[EventQueue]:
    """A queue recording every event of service `backlog` published from now on."""
    queue = EventQueue(amqp_uri, "backlog")
    yield queue
    queue.delete()
