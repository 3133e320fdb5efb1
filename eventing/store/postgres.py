"""PostgreSQL event store (the default adapter).

Global order that followers can trust
-------------------------------------
A row's position is `xid8 * 2^20 + n`: the appending transaction's id, then the event's
ordinal within the append. Every append is one autocommit statement, so one
transaction writes one batch. A follower reads only positions below
`pg_snapshot_xmin(pg_current_snapshot()) * 2^20`: every transaction whose id is below
the snapshot's xmin has finished, and every transaction that has not yet written will
get an id at or above it. So no event can ever commit later with a position a follower
has already passed. Writers never wait for each other (no table lock); the price is
that one long transaction holding an id holds followers back, which is why the store's
sessions bound statement and idle-in-transaction time, and why lag is alerted on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
import psycopg.errors
from psycopg_pool import ConnectionPool, PoolTimeout

from eventing.errors import (
    DuplicateEvent,
    EventingError,
    StoreUnavailable,
    WrongExpectedVersion,
)
from eventing.events import Envelope, Metadata, NewEvent, decode_json, utc_iso
from eventing.integrity import digest_with_payload
from eventing.store.base import AppendResult, EventStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

POSITION_SHIFT = 1_048_576  # 2^20: room for MAX_BATCH events per transaction
NOTIFY_CHANNEL = "eventing_events"
SESSION_OPTIONS = (
    "-c timezone=UTC -c statement_timeout=30000 "
    "-c idle_in_transaction_session_timeout=10000"
)
COLUMNS = (
    "event_id::text, type, schema_version, stream, version, position, recorded_at, "
    "service, bureau_id, actor, correlation_id, causation_id, data, "
    "encode(prev_hash, 'hex'), encode(hash, 'hex')"
)
SAFE_BOUND = (
    f"(SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint * {POSITION_SHIFT})"
)
APPEND_SQL = (
    "SELECT out_position, encode(out_prev_hash, 'hex'), encode(out_hash, 'hex') "
    "FROM eventing.append_events(%s, %s, %s, %s::uuid[], %s, %s, %s, %s, %s, %s, %s, "
    "%s, %s, %s, %s)"
)
CONNECTION_ERRORS = (psycopg.OperationalError, PoolTimeout)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _envelope(row: tuple[Any, ...]) -> Envelope:
    return Envelope(*row)


class PostgresEventStore(EventStore):
    """EventStore on one PostgreSQL table; thread- and green-thread-safe."""

    def __init__(
        self,
        conninfo: str,
        *,
        clock: Clock = _utc_now,
        max_event_bytes: int = 1024 * 1024,
        notify: bool = True,
        pool_size: int = 10,
        connect_timeout: float = 10.0,
        retries: int = 3,
    ) -> None:
        self._conninfo = conninfo
        self._clock = clock
        self.max_event_bytes = max_event_bytes
        self._notify = notify
        self._retries = retries
        self._check_reachable(connect_timeout)
        self._pool = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "options": SESSION_OPTIONS},
            timeout=connect_timeout,
            open=True,
            name="eventing-store",
        )
        self._listener: psycopg.Connection[Any] | None = None
        self._listener_lock = threading.Lock()

    def _check_reachable(self, timeout: float) -> None:
        """Fail at start with a clear reason rather than on the first command."""
        try:
            with psycopg.connect(
                self._conninfo, connect_timeout=max(1, int(timeout))
            ) as conn:
                found = conn.execute(
                    "SELECT to_regclass('eventing.events') IS NOT NULL"
                ).fetchone()
        except psycopg.OperationalError as error:
            raise StoreUnavailable(f"cannot reach the event store: {error}") from error
        if not found or not found[0]:
            raise StoreUnavailable(
                "the event store schema is missing: run `python -m eventing migrate`"
            )

    # -- writing ---------------------------------------------------------------------

    def append(
        self,
        stream: str,
        events: Sequence[NewEvent],
        expected_version: int | None,
        metadata: Metadata,
    ) -> AppendResult:
        category, payloads = self._validate_batch(stream, events)
        for attempt in range(self._retries + 1):
            try:
                expected = expected_version
                if expected is None:
                    expected = self.stream_version(stream)
                return self._append_once(
                    stream, category, events, payloads, expected, metadata
                )
            except WrongExpectedVersion:
                if expected_version is None and attempt < self._retries:
                    continue  # "any version": someone else appended; take the new end
                raise
            except CONNECTION_ERRORS as error:
                written = self._already_written(events)
                if written is not None:
                    return written  # the commit happened; only the reply was lost
                if attempt == self._retries:
                    raise StoreUnavailable(
                        f"event store unreachable: {error}"
                    ) from error
                time.sleep(min(2.0, 0.1 * 2**attempt))
        raise EventingError("unreachable")  # pragma: no cover - loop always returns

    def _append_once(
        self,
        stream: str,
        category: str,
        events: Sequence[NewEvent],
        payloads: list[bytes],
        expected: int,
        metadata: Metadata,
    ) -> AppendResult:
        recorded_at = self._clock()
        recorded_text = utc_iso(recorded_at)
        digests = [
            digest_with_payload(
                [
                    event.event_id,
                    event.type,
                    event.schema_version,
                    stream,
                    expected + offset + 1,
                    recorded_text,
                    metadata.service,
                    metadata.bureau_id,
                    metadata.actor,
                    metadata.correlation_id,
                    metadata.causation_id,
                ],
                payload,
            )
            for offset, (event, payload) in enumerate(
                zip(events, payloads, strict=True)
            )
        ]
        texts = [payload.decode("utf-8") for payload in payloads]
        params = (
            stream,
            category,
            expected,
            [event.event_id for event in events],
            [event.type for event in events],
            [event.schema_version for event in events],
            metadata.service,
            metadata.bureau_id,
            metadata.actor,
            metadata.correlation_id,
            metadata.causation_id,
            recorded_at,
            texts,
            digests,
            self._notify,
        )
        try:
            with self._pool.connection() as conn:
                rows = conn.execute(APPEND_SQL, params).fetchall()
        except psycopg.errors.UniqueViolation as error:
            if error.diag.constraint_name == "events_event_id":
                raise DuplicateEvent([e.event_id for e in events]) from None
            raise WrongExpectedVersion(
                stream, expected, self.stream_version(stream)
            ) from None
        except psycopg.DatabaseError as error:
            if error.sqlstate == "EV001":
                actual = int(error.diag.message_primary or 0)
                raise WrongExpectedVersion(stream, expected, actual) from None
            raise
        envelopes = [
            Envelope(
                event.event_id,
                event.type,
                event.schema_version,
                stream,
                expected + offset + 1,
                position,
                recorded_at,
                metadata.service,
                metadata.bureau_id,
                metadata.actor,
                metadata.correlation_id,
                metadata.causation_id,
                decode_json(text),
                prev_hash,
                link,
            )
            for offset, (event, text, (position, prev_hash, link)) in enumerate(
                zip(events, texts, rows, strict=True)
            )
        ]
        return AppendResult(stream, expected + len(events), envelopes)

    def _already_written(self, events: Sequence[NewEvent]) -> AppendResult | None:
        """After a lost connection: did the append commit? Read it back if so."""
        try:
            with self._pool.connection() as conn:
                rows = conn.execute(
                    f"SELECT {COLUMNS} FROM eventing.events "
                    "WHERE event_id = ANY(%s::uuid[]) ORDER BY position",
                    ([e.event_id for e in events],),
                ).fetchall()
        except CONNECTION_ERRORS:
            return None
        if len(rows) != len(events):
            return None
        envelopes = [_envelope(row) for row in rows]
        return AppendResult(envelopes[0].stream, envelopes[-1].version, envelopes)

    # -- reading ---------------------------------------------------------------------

    def _query(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        try:
            with self._pool.connection() as conn:
                return conn.execute(sql, params).fetchall()
        except CONNECTION_ERRORS as error:
            raise StoreUnavailable(f"event store unreachable: {error}") from error

    def read_stream(
        self,
        stream: str,
        from_version: int = 1,
        *,
        as_of: datetime | None = None,
        limit: int | None = None,
    ) -> list[Envelope]:
        sql = (
            f"SELECT {COLUMNS} FROM eventing.events WHERE stream = %s AND version >= %s"
        )
        params: list[Any] = [stream, from_version]
        if as_of is not None:
            sql += " AND recorded_at <= %s"
            params.append(as_of)
        sql += " ORDER BY version"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        return [_envelope(row) for row in self._query(sql, params)]

    def stream_version(self, stream: str) -> int:
        rows = self._query(
            "SELECT coalesce(max(version), 0) FROM eventing.events WHERE stream = %s",
            (stream,),
        )
        return int(rows[0][0])

    def read_all(
        self,
        after: int = 0,
        limit: int = 1000,
        *,
        categories: Sequence[str] | None = None,
        bureau_id: str | None = None,
    ) -> list[Envelope]:
        sql = (
            f"SELECT {COLUMNS} FROM eventing.events "
            f"WHERE position > %s AND position < {SAFE_BOUND}"
        )
        params: list[Any] = [after]
        if categories:
            sql += " AND category = ANY(%s)"
            params.append(list(categories))
        if bureau_id is not None:
            sql += " AND bureau_id = %s"
            params.append(bureau_id)
        sql += " ORDER BY position LIMIT %s"
        params.append(limit)
        return [_envelope(row) for row in self._query(sql, params)]

    def head(self) -> int:
        rows = self._query(
            "SELECT coalesce(max(position), 0) FROM eventing.events "
            f"WHERE position < {SAFE_BOUND}",
            (),
        )
        return int(rows[0][0])

    def wait_for_new(self, after: int, timeout: float) -> None:
        """Sleep on LISTEN until an append notifies (a hint) or the timeout passes."""
        with self._listener_lock:
            try:
                if self._listener is None or self._listener.closed:
                    self._listener = psycopg.connect(
                        self._conninfo, autocommit=True, options=SESSION_OPTIONS
                    )
                    self._listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
                for _ in self._listener.notifies(timeout=timeout, stop_after=1):
                    break
            except psycopg.OperationalError as error:
                log.warning("event store listener lost: %s", error)
                if self._listener is not None:
                    self._listener.close()
                self._listener = None
                time.sleep(min(timeout, 1.0))

    def iter_streams(self) -> Iterator[tuple[str, list[Envelope]]]:
        with (
            psycopg.connect(self._conninfo, options=SESSION_OPTIONS) as conn,
            conn.cursor(name="eventing_verify") as cursor,
        ):
            cursor.itersize = 5000
            cursor.execute(
                f"SELECT {COLUMNS} FROM eventing.events ORDER BY stream, version"
            )
            current: str | None = None
            events: list[Envelope] = []
            for row in cursor:
                envelope = _envelope(row)
                if envelope.stream != current:
                    if current is not None:
                        yield current, events
                    current, events = envelope.stream, []
                events.append(envelope)
            if current is not None:
                yield current, events

    def close(self) -> None:
        self._pool.close()
        with self._listener_lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
