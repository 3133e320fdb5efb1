"""Running projections: live, exactly once, and rebuilt beside the live tables.

Each batch is one transaction that first takes the projection's advisory lock, then
re-reads the checkpoint: if another projector (or a rebuild's swap) moved it since the
batch was read, the batch is dropped and read again. So several projectors may run at
once (they take turns per batch) and no event is ever applied twice or skipped.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime

import psycopg
from psycopg import sql

from eventing import metrics
from eventing.store.base import EventStore
from eventing.subscription import PostgresCheckpoints
from gateway.projections.base import SCHEMA, Connection, Projection, Tables

log = logging.getLogger(__name__)

REBUILD_SUFFIX = "__rebuild"


def _lock_key(projection: Projection) -> int:
    return zlib.crc32(f"projection:{projection.name}".encode())


def step(
    conn: Connection,
    store: EventStore,
    projection: Projection,
    tables: Tables,
    checkpoint: str,
    after: int,
    batch_size: int,
    locked: bool = False,
) -> tuple[int, bool]:
    """Apply one batch after `after`; return (new position, whether events were seen).

    With `locked`, the caller already holds the projection's lock in an open
    transaction (the rebuild's final catch-up). With no event of its categories
    left, the checkpoint still moves up to the store's head (see `_idle`)."""
    batch = store.read_all(after, batch_size, categories=projection.categories)
    if not batch:
        return _idle(conn, store, projection, checkpoint, after, locked)
    with conn.transaction():
        if not locked:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(projection),))
        current = PostgresCheckpoints.load_in(conn, checkpoint)
        if current != after:  # someone else moved it: read again from there
            return current, True
        # pipeline mode: the batch's statements go out without a round trip each
        with conn.pipeline():
            projection.apply_batch(conn, tables, batch)
        PostgresCheckpoints.save_in(conn, checkpoint, batch[-1].position)
    return batch[-1].position, True


def _idle(
    conn: Connection,
    store: EventStore,
    projection: Projection,
    checkpoint: str,
    after: int,
    locked: bool,
) -> tuple[int, bool]:
    """Move an idle projection's checkpoint to the head: its position then says how
    fresh it is (a dashboard reading several projections reports the lowest, and a
    projection whose categories are quiet would otherwise hold it at an old value).

    Safe because the head is read first: every event up to it is readable, and a
    second look finding none of this projection's categories after `after` means
    none of them lies up to the head."""
    head = store.head()
    if head <= after:
        return after, False
    if store.read_all(after, 1, categories=projection.categories):
        return after, True  # one arrived meanwhile: the next step applies it
    with conn.transaction():
        if not locked:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(projection),))
        current = PostgresCheckpoints.load_in(conn, checkpoint)
        if current != after:
            return current, True
        PostgresCheckpoints.save_in(conn, checkpoint, head)
    return head, False


def observe(store: EventStore, projection: Projection, position: int) -> None:
    """Position and lag of a projection, for /metrics (follower_* gauges)."""
    follower = projection.checkpoint
    metrics.FOLLOWER_POSITION.labels(follower).set(position)
    ahead = store.read_all(position, 1000, categories=projection.categories)
    metrics.FOLLOWER_LAG_EVENTS.labels(follower).set(len(ahead))
    age = (datetime.now(UTC) - ahead[0].recorded_at).total_seconds() if ahead else 0.0
    metrics.FOLLOWER_LAG_SECONDS.labels(follower).set(max(age, 0.0))


class Projector:
    """Keeps a set of projections up to date, round robin, until stopped."""

    def __init__(
        self,
        store: EventStore,
        conninfo: str,
        projections: Sequence[Projection],
        batch_size: int = 500,
        observe_every: float = 5.0,
    ) -> None:
        self.store = store
        self.conninfo = conninfo
        self.projections = list(projections)
        self.batch_size = batch_size
        self.observe_every = observe_every

    def run(self, stop: threading.Event) -> None:
        with psycopg.connect(self.conninfo) as conn:
            positions = {}
            for projection in self.projections:
                tables = Tables(list(projection.tables))
                with conn.transaction():
                    # IF NOT EXISTS is not safe against a concurrent creator
                    conn.execute(
                        "SELECT pg_advisory_xact_lock(%s)", (_lock_key(projection),)
                    )
                    projection.create(conn, tables)
                    positions[projection.name] = PostgresCheckpoints.load_in(
                        conn, projection.checkpoint
                    )
            observed = 0.0
            while not stop.is_set():
                if time.monotonic() - observed >= self.observe_every:
                    observed = time.monotonic()
                    for projection in self.projections:
                        observe(self.store, projection, positions[projection.name])
                busy = False
                for projection in self.projections:
                    position, moved = step(
                        conn,
                        self.store,
                        projection,
                        Tables(list(projection.tables)),
                        projection.checkpoint,
                        positions[projection.name],
                        self.batch_size,
                    )
                    positions[projection.name] = position
                    busy = busy or moved
                if not busy:
                    self.store.wait_for_new(min(positions.values(), default=0), 0.5)


def rebuild(
    store: EventStore, conninfo: str, projection: Projection, batch_size: int = 5000
) -> int:
    """Build `projection` again from position zero beside the live tables, then swap
    them in; the live tables keep serving until the swap. Returns the position."""
    live = Tables(list(projection.tables))
    shadow = Tables(list(projection.tables), REBUILD_SUFFIX)
    shadow_checkpoint = f"{projection.checkpoint}:rebuild"
    with psycopg.connect(conninfo) as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(projection),))
            projection.drop(conn, shadow)
            projection.create(conn, shadow, indexes=False)
            projection.create(conn, live)
            PostgresCheckpoints.save_in(conn, shadow_checkpoint, 0)
        position, moved = 0, True
        while moved:  # catch up without blocking the live projector
            position, moved = step(
                conn, store, projection, shadow, shadow_checkpoint, position, batch_size
            )
        with conn.transaction():  # indexes built once, before the swap
            projection.create(conn, shadow)
        # statistics too: a freshly filled table has none until autovacuum comes
        # round (its queries planned on guesses until then, and then that ANALYZE
        # running beside them): the swapped-in tables are ready from the start
        for table in projection.tables:
            conn.execute(sql.SQL("ANALYZE {}").format(shadow[table]))
        conn.commit()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(projection),))
            moved = True
            while moved:  # the last events, with the live projector held back
                position, moved = step(
                    conn, store, projection, shadow, shadow_checkpoint, position,
                    batch_size, locked=True,
                )  # fmt: skip
            _swap(conn, projection, live, shadow)
            PostgresCheckpoints.save_in(conn, projection.checkpoint, position)
            conn.execute(
                "DELETE FROM eventing.checkpoints WHERE name = %s", (shadow_checkpoint,)
            )
    log.info("rebuilt %s up to position %d", projection.name, position)
    return position


def _swap(
    conn: Connection, projection: Projection, live: Tables, shadow: Tables
) -> None:
    """Drop the live tables and give their names to the shadow tables, and the
    shadow's index names (primary key included) to the indexes, so the next rebuild
    can create its shadow again."""
    for table in projection.tables:
        old, new = shadow.physical(table), live.physical(table)
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(live[table]))
        conn.execute(
            sql.SQL("ALTER TABLE {} RENAME TO {}").format(
                shadow[table], sql.Identifier(new)
            )
        )
        indexes = conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s",
            (SCHEMA, new),
        ).fetchall()
        for (index,) in indexes:
            if index.startswith(old):
                conn.execute(
                    sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                        sql.SQL(".").join(
                            [sql.Identifier(SCHEMA), sql.Identifier(index)]
                        ),
                        sql.Identifier(new + index[len(old) :]),
                    )
                )
