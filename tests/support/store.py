"""Event-store shortcuts for tests: URIs, backlogs, checkpoints."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator

import psycopg

from eventing.events import Metadata, NewEvent
from eventing.store.base import EventStore


def append_backlog(
    store: EventStore,
    count: int,
    *,
    service: str = "backlog",
    event_type: str = "ThingHappened",
    per_append: int = 100,
    payload_bytes: int = 0,
) -> list[str]:
    """Append `count` events in batches to fresh streams; their ids in store order."""
    ids: list[str] = []
    metadata = Metadata(service=service, actor="test")
    filler = "x" * payload_bytes
    while len(ids) < count:
        size = min(per_append, count - len(ids))
        events = [
            NewEvent(event_type, {"n": len(ids) + i, "filler": filler})
            for i in range(size)
        ]
        store.append(f"thing-{uuid.uuid4().hex}", events, 0, metadata)
        ids.extend(event.event_id for event in events)
    return ids


def checkpoint(conninfo: str, name: str) -> int:
    """The relay's (or any follower's) saved position; 0 if it has none."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(
            "SELECT position FROM eventing.checkpoints WHERE name = %s", (name,)
        ).fetchone()
    return int(row[0]) if row else 0


@contextlib.contextmanager
def checkpoint_watch(conninfo: str, name: str) -> Iterator[Callable[[], int]]:
    """A cheap way to poll a checkpoint often: one connection for every look."""
    with psycopg.connect(conninfo, autocommit=True) as conn:

        def position() -> int:
            row = conn.execute(
                "SELECT position FROM eventing.checkpoints WHERE name = %s", (name,)
            ).fetchone()
            return int(row[0]) if row else 0

        yield position


def reset_checkpoint(conninfo: str, name: str, position: int = 0) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            "UPDATE eventing.checkpoints SET position = %s WHERE name = %s",
            (position, name),
        )


def last_position(conninfo: str) -> int:
    """The highest position stored, committed or not visible to followers yet.

    Not `store.head()`: followers only read below the cluster-wide oldest running
    transaction, so head() can lag behind what this test has already appended.
    """
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute("SELECT coalesce(max(position), 0) FROM eventing.events")
        return int(row.fetchone()[0])  # type: ignore[index]


def positions_by_id(conninfo: str) -> dict[str, int]:
    """Every stored event id with its global position."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT event_id::text, position FROM eventing.events"
        ).fetchall()
    return {str(event_id): int(position) for event_id, position in rows}
