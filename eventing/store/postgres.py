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
that one long transaction holding an id holds followers back — any such transaction on
the same PostgreSQL server, in any database, since transaction ids are server-wide.
The store's sessions bound statement and idle-in-transaction time; give the event
store a server of its own (or keep every other transaction short) and alert on lag.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
import psycopg.errors
from psycopg.types.json import set_json_loads
from psycopg_pool import ConnectionPool, PoolTimeout

from eventing.errors import (
    DuplicateEvent,
    EventingError,
    StoreUnavailable,
    WrongExpectedVersion,
)
from eventing.events import (
    Envelope,
    Metadata,
    NewEvent,
    load_json,
    utc_iso,
)
from eventing.integrity import batch_digests, chain_links
from eventing.store.base import AppendResult, EventStore, stored_envelopes
from eventing.store.heads import StreamHeads

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

POSITION_SHIFT = 1_048_576  # 2^20: room for MAX_BATCH events per transaction
NOTIFY_CHANNEL = "eventing_events"
ANY_RETRIES = 50  # appends at "any version" that met a concurrent writer
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
# A batch: the PL/pgSQL function chains the hashes in order. Arrays go in binary
# format (%b): text-format arrays of JSON payloads cost ~2 ms per 100 events to build.
APPEND_SQL = (
    "SELECT out_position, encode(out_prev_hash, 'hex'), encode(out_hash, 'hex') "
    "FROM eventing.append_events(%b, %b, %b, %b::uuid[], %b::text[], %b::integer[], "
    "%b, %b, %b, %b, %b, %b, %b::text[], %b::bytea[])"
)
_INSERT_COLUMNS = (
    "position, stream, category, version, event_id, type, schema_version, service, "
    "bureau_id, actor, correlation_id, causation_id, recorded_at, data, prev_hash, hash"
)
# When the store knows the previous event's hash (a new stream, or one it has just
# read or written), it chains the hashes itself and the append is a plain INSERT.
INSERT_ONE_SQL = (
    f"INSERT INTO eventing.events ({_INSERT_COLUMNS}) VALUES ("
    f"pg_current_xact_id()::text::bigint * {POSITION_SHIFT} + 1, %b, %b, %b, %b::uuid, "
    "%b, %b, %b, %b, %b, %b, %b, %b, %b::json, %b, %b) RETURNING position"
)
INSERT_MANY_SQL = (
    f"INSERT INTO eventing.events ({_INSERT_COLUMNS}) "
    f"SELECT pg_current_xact_id()::text::bigint * {POSITION_SHIFT} + u.ord, %b, %b, "
    "%b + u.ord::integer, u.event_id, u.type, u.schema_version, %b, %b, %b, %b, %b, "
    "%b, u.data::json, u.prev_hash, u.hash "
    "FROM unnest(%b::uuid[], %b::text[], %b::integer[], %b::text[], %b::bytea[], "
    "%b::bytea[]) WITH ORDINALITY AS u(event_id, type, schema_version, data, "
    "prev_hash, hash, ord) RETURNING position"
)
# One event whose previous hash is not known here: a plain INSERT ... SELECT. The
# previous hash is that of the expected version; if that version is missing nothing is
# inserted (the stream is behind), and if the next version exists the unique
# (stream, version) constraint refuses it (the stream is ahead).
APPEND_ONE_SQL = f"""
INSERT INTO eventing.events (position, stream, category, version, event_id, type,
    schema_version, service, bureau_id, actor, correlation_id, causation_id,
    recorded_at, data, prev_hash, hash)
SELECT pg_current_xact_id()::text::bigint * {POSITION_SHIFT} + 1, %(stream)b,
    %(category)b, %(version)b, %(event_id)b::uuid, %(type)b, %(schema_version)b,
    %(service)b, %(bureau_id)b, %(actor)b, %(correlation_id)b, %(causation_id)b,
    %(recorded_at)b, %(data)b::json, prev.hash, sha256(prev.hash || %(digest)b)
FROM (SELECT CASE WHEN %(expected)b = 0 THEN decode(repeat('00', 32), 'hex')
      ELSE (SELECT e.hash FROM eventing.events e
            WHERE e.stream = %(stream)b AND e.version = %(expected)b)
      END AS hash) AS prev
WHERE prev.hash IS NOT NULL
RETURNING position, encode(prev_hash, 'hex'), encode(hash, 'hex')
"""
CONNECTION_ERRORS = (psycopg.OperationalError, PoolTimeout)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _decode_json_fast(conn: psycopg.Connection[Any]) -> None:
    """Payloads read on this connection decode through load_json (json.loads' value
    or error, without its Python steps) rather than json.loads itself."""
    set_json_loads(load_json, conn)


def _envelope(row: tuple[Any, ...]) -> Envelope:
    return Envelope(*row)


class _Notifier:
    """Wakes followers after appends, from its own session and outside the appends'
    transactions: a NOTIFY inside a transaction holds a database-wide lock through
    its commit, which made concurrent appends commit one at a time. A NOTIFY is itself
    a committed transaction, so at most one is sent per `interval`; pokes in between
    coalesce into the next one. It is only a hint: followers also poll."""

    def __init__(self, conninfo: str, interval: float = 0.005) -> None:
        self._conninfo = conninfo
        self._interval = interval
        self._wake = threading.Event()
        self._closed = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def poke(self) -> None:
        self._wake.set()
        if self._thread is None:
            with self._lock:
                if self._thread is None and not self._closed:
                    self._thread = threading.Thread(
                        target=self._run, name="eventing-notifier", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        while not self._closed:
            if not self._wake.wait(timeout=1.0):
                continue
            self._wake.clear()
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(
                        self._conninfo, autocommit=True, options=SESSION_OPTIONS
                    )
                conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
                time.sleep(self._interval)
            except psycopg.Error as error:
                log.warning(
                    "could not notify followers (they poll meanwhile): %s", error
                )
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.5)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


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
        self._notifier = _Notifier(conninfo) if notify else None
        self._heads = StreamHeads()
        self._retries = retries
        self._check_reachable(connect_timeout)
        self._pool = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "options": SESSION_OPTIONS},
            configure=_decode_json_fast,
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
        category, payloads, _ = self._validate_batch(stream, events)
        # "Any version" must not fail because others write the same stream: it
        # takes the new end and tries again (many more times, with a little jitter,
        # since a busy stream such as a ballot box sees many writers at once).
        attempts = (self._retries if expected_version is not None else ANY_RETRIES) + 1
        for attempt in range(attempts):
            try:
                expected = expected_version
                if expected is None:
                    expected = self.stream_version(stream)
                return self._append_once(
                    stream, category, events, payloads, expected, metadata
                )
            except WrongExpectedVersion:
                if expected_version is None and attempt < attempts - 1:
                    time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 10)))
                    continue  # "any version": someone else appended; take the new end
                raise
            except CONNECTION_ERRORS as error:
                written = self._already_written(events)
                if written is not None:
                    return written  # the commit happened; only the reply was lost
                if attempt >= self._retries:
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
        digests = batch_digests(
            stream, expected, events, payloads, utc_iso(recorded_at), metadata
        )
        texts = [payload.decode("utf-8") for payload in payloads]
        known = self._heads.prev_hash(stream, expected)
        try:
            with self._pool.connection() as conn:
                if known is not None:
                    links = chain_links(known, digests)
                    sql, params = self._insert(
                        stream, category, expected, events, metadata, recorded_at,
                        texts, links,
                    )  # fmt: skip
                    positions = sorted(conn.execute(sql, params).fetchall())
                    rows = [
                        (position, prev.hex(), link.hex())
                        for (position,), (prev, link) in zip(
                            positions, links, strict=True
                        )
                    ]
                elif len(events) == 1:
                    rows = conn.execute(
                        APPEND_ONE_SQL,
                        {
                            "stream": stream,
                            "category": category,
                            "version": expected + 1,
                            "expected": expected,
                            "event_id": events[0].event_id,
                            "type": events[0].type,
                            "schema_version": events[0].schema_version,
                            "service": metadata.service,
                            "bureau_id": metadata.bureau_id,
                            "actor": metadata.actor,
                            "correlation_id": metadata.correlation_id,
                            "causation_id": metadata.causation_id,
                            "recorded_at": recorded_at,
                            "data": texts[0],
                            "digest": digests[0],
                        },
                    ).fetchall()
                else:
                    rows = conn.execute(
                        APPEND_SQL,
                        (
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
                        ),
                    ).fetchall()
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
        if not rows:  # the single-event insert found the stream behind `expected`
            raise WrongExpectedVersion(stream, expected, self.stream_version(stream))
        self._heads.remember(stream, expected + len(events), rows[-1][2])
        if self._notifier is not None:
            self._notifier.poke()
        # the envelopes (each payload decoded again) only if a caller asks for them
        return AppendResult(
            stream,
            expected + len(events),
            load=lambda: stored_envelopes(
                stream, expected, events, texts, metadata, recorded_at, rows
            ),
            types=[event.type for event in events],
            last_position=rows[-1][0],
            load_positions=lambda: [row[0] for row in rows],
        )

    @staticmethod
    def _insert(
        stream: str,
        category: str,
        expected: int,
        events: Sequence[NewEvent],
        meta: Metadata,
        recorded_at: datetime,
        texts: list[str],
        links: list[tuple[bytes, bytes]],
    ) -> tuple[str, tuple[Any, ...]]:
        """The plain INSERT (one row, or many through unnest) and its parameters."""
        if len(events) == 1:
            event = events[0]
            return INSERT_ONE_SQL, (
                stream, category, expected + 1, event.event_id, event.type,
                event.schema_version, meta.service, meta.bureau_id, meta.actor,
                meta.correlation_id, meta.causation_id, recorded_at, texts[0],
                links[0][0], links[0][1],
            )  # fmt: skip
        return INSERT_MANY_SQL, (
            stream, category, expected, meta.service, meta.bureau_id, meta.actor,
            meta.correlation_id, meta.causation_id, recorded_at,
            [e.event_id for e in events], [e.type for e in events],
            [e.schema_version for e in events], texts,
            [prev for prev, _ in links], [link for _, link in links],
        )  # fmt: skip

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
        found = [_envelope(row) for row in self._query(sql, params)]
        if found:
            self._heads.remember(stream, found[-1].version, found[-1].hash)
        return found

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

    def latest(self) -> int:
        # No SAFE_BOUND: a transaction still running anywhere on the server holds
        # the follower-safe head below events that have already committed, the
        # caller's own among them. A projection at or past this position has them.
        rows = self._query("SELECT coalesce(max(position), 0) FROM eventing.events", ())
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
        with psycopg.connect(self._conninfo, options=SESSION_OPTIONS) as conn:
            _decode_json_fast(conn)  # before the cursor, which copies the loaders
            with conn.cursor(name="eventing_verify") as cursor:
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
        if self._notifier is not None:
            self._notifier.close()
        self._pool.close()
        with self._listener_lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
