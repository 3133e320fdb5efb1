"""Checkpointed catch-up subscriptions over the store: catch up, then follow live.

Two ways to keep the checkpoint:
- `Subscription`: the handler's effect lives elsewhere (RabbitMQ, another service); the
  checkpoint is saved after the handler returns, so a crash in between redelivers the
  batch (at-least-once; consumers are idempotent by event id).
- `TransactionalSubscription`: the handler writes PostgreSQL rows; rows and checkpoint
  commit in one transaction, so a crash can neither lose nor double an event.
`exclusive()` keeps two copies of one subscription from racing: the second waits as a
standby on a PostgreSQL advisory lock until the first goes away.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import psycopg

from eventing.events import Envelope
from eventing.store.base import EventStore

log = logging.getLogger(__name__)

Connection = psycopg.Connection[Any]


class Checkpoints(Protocol):
    """Where a follower keeps the position of the last event it finished."""

    def load(self, name: str) -> int: ...

    def save(self, name: str, position: int) -> None: ...


class MemoryCheckpoints:
    """Checkpoints in a dict, for unit tests."""

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}

    def load(self, name: str) -> int:
        return self.positions.get(name, 0)

    def save(self, name: str, position: int) -> None:
        self.positions[name] = position


LOAD_SQL = "SELECT position FROM eventing.checkpoints WHERE name = %s"
SAVE_SQL = (
    "INSERT INTO eventing.checkpoints (name, position) VALUES (%s, %s) "
    "ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()"
)


class PostgresCheckpoints:
    """Checkpoints in `eventing.checkpoints` of any migrated database."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = psycopg.connect(self.conninfo, autocommit=True)
        return self._conn

    def load(self, name: str) -> int:
        with self._lock:
            row = self._connection().execute(LOAD_SQL, (name,)).fetchone()
        return int(row[0]) if row else 0

    def save(self, name: str, position: int) -> None:
        with self._lock:
            self._connection().execute(SAVE_SQL, (name, position))

    @staticmethod
    def load_in(conn: Connection, name: str) -> int:
        row = conn.execute(LOAD_SQL, (name,)).fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def save_in(conn: Connection, name: str, position: int) -> None:
        """Save inside the caller's transaction."""
        conn.execute(SAVE_SQL, (name, position))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class Subscription:
    """Hands batches to `handler` and saves the checkpoint after each one."""

    def __init__(
        self,
        name: str,
        store: EventStore,
        checkpoints: Checkpoints,
        handler: Callable[[list[Envelope]], None],
        *,
        categories: Sequence[str] | None = None,
        batch_size: int = 500,
    ) -> None:
        self.name = name
        self.store = store
        self.checkpoints = checkpoints
        self.handler = handler
        self.categories = categories
        self.batch_size = batch_size
        self.position = 0

    def run(self, stop: threading.Event) -> None:
        """Catch up from the checkpoint, then follow live until `stop` is set."""
        self.position = self.checkpoints.load(self.name)
        for batch in self.store.subscribe_batches(
            self.position,
            batch_size=self.batch_size,
            categories=self.categories,
            stop=stop.is_set,
        ):
            self.handler(batch)
            self.position = batch[-1].position
            self.checkpoints.save(self.name, self.position)


class TransactionalSubscription:
    """Runs `handler(conn, batch)` and saves the checkpoint in the same transaction."""

    def __init__(
        self,
        name: str,
        store: EventStore,
        conninfo: str,
        handler: Callable[[Connection, list[Envelope]], None],
        *,
        categories: Sequence[str] | None = None,
        batch_size: int = 500,
    ) -> None:
        self.name = name
        self.store = store
        self.conninfo = conninfo
        self.handler = handler
        self.categories = categories
        self.batch_size = batch_size
        self.position = 0

    def run(self, stop: threading.Event) -> None:
        with psycopg.connect(self.conninfo) as conn:
            with conn.transaction():
                self.position = PostgresCheckpoints.load_in(conn, self.name)
            for batch in self.store.subscribe_batches(
                self.position,
                batch_size=self.batch_size,
                categories=self.categories,
                stop=stop.is_set,
            ):
                with conn.transaction():
                    self.handler(conn, batch)
                    PostgresCheckpoints.save_in(conn, self.name, batch[-1].position)
                self.position = batch[-1].position


def lock_key(name: str) -> int:
    """A stable advisory-lock key for a subscription name."""
    return zlib.crc32(f"eventing.subscription:{name}".encode())


class Lease:
    """Leadership held through a session-level advisory lock.

    `held()` checks, at most every `check_every` seconds, that the session still holds
    the lock: if PostgreSQL restarted or killed the session, the lock is gone and a
    standby may already be running, so the holder must stop.
    """

    def __init__(self, conn: Connection, key: int, check_every: float = 2.0) -> None:
        self._conn = conn
        self._key = key
        self._check_every = check_every
        self._checked = time.monotonic()
        self._held = True

    def held(self) -> bool:
        if not self._held or time.monotonic() - self._checked < self._check_every:
            return self._held
        self._checked = time.monotonic()
        try:
            row = self._conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND pid = pg_backend_pid() AND granted "
                "AND ((classid::bigint << 32) | objid::bigint) = %s",
                (self._key,),
            ).fetchone()
            self._held = bool(row and row[0])
        except psycopg.Error:
            self._held = False
        if not self._held:
            log.warning("leadership lost: the lock session is gone")
        return self._held


@contextlib.contextmanager
def exclusive(
    conninfo: str,
    name: str,
    stop: threading.Event,
    poll: float = 1.0,
) -> Iterator[Lease | None]:
    """Hold the advisory lock for `name` (a Lease); None if stopped while waiting.

    The lock lives as long as the session: if this process dies, PostgreSQL releases it
    and a standby takes over from the shared checkpoint.
    """
    conn = psycopg.connect(conninfo, autocommit=True)
    key = lock_key(name)
    try:
        announced = False
        while not stop.is_set():
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            if row and row[0]:
                yield Lease(conn, key)
                return
            if not announced:
                log.info("%s is running elsewhere; waiting as standby", name)
                announced = True
            time.sleep(poll)
        yield None
    finally:
        conn.close()
