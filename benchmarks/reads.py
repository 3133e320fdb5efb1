"""Row 4: catch-up read into envelopes against a raw server-side-cursor scan.

`populate` also provides the events the relay rows publish.
"""

from __future__ import annotations

from time import perf_counter
from typing import Any

import psycopg

from benchmarks import fixtures
from benchmarks.measure import Comparison
from benchmarks.settings import Sizes
from eventing.events import Metadata, NewEvent
from eventing.store.postgres import PostgresEventStore

TYPES = ("ComplaintRegistered", "ComplaintAssigned", "ComplaintConcluded")
POPULATE_BATCH = 500


def populate(store: PostgresEventStore, count: int) -> None:
    """Append `count` events through the store: streams of up to 500 events, three
    services (so the relay publishes to three exchanges) and three event types."""
    written = 0
    while written < count:
        size = min(POPULATE_BATCH, count - written)
        service = fixtures.SERVICES[
            (written // POPULATE_BATCH) % len(fixtures.SERVICES)
        ]
        events = [
            NewEvent(TYPES[(written + i) % len(TYPES)], fixtures.payload(written + i))
            for i in range(size)
        ]
        meta = Metadata(
            service=service,
            bureau_id=fixtures.METADATA.bureau_id,
            actor=fixtures.METADATA.actor,
            correlation_id=fixtures.METADATA.correlation_id,
        )
        store.append(fixtures.next_stream(service), events, 0, meta)
        written += size


class ReadBench:
    def __init__(self, store: PostgresEventStore, conninfo: str, sizes: Sizes) -> None:
        self.store = store
        self.conninfo = conninfo
        self.sizes = sizes

    def ours(self, limit: int) -> float:
        """Catch up from position 0 through subscribe_batches; events per second."""
        seen = [0]
        start = perf_counter()
        for batch in self.store.subscribe_batches(
            0, batch_size=self.sizes.read_batch, stop=lambda: seen[0] >= limit
        ):
            seen[0] += len(batch)
        elapsed = perf_counter() - start
        if seen[0] < limit:
            raise RuntimeError(f"catch-up read {seen[0]} events, expected {limit}")
        return seen[0] / elapsed

    def baseline(self, limit: int) -> float:
        """One server-side cursor over the table in position order; psycopg decodes
        the json data column (json.loads) into Python objects, rows stay tuples."""
        seen = 0
        start = perf_counter()
        with psycopg.connect(self.conninfo) as conn:
            with conn.cursor(name="bench_scan") as cursor:
                cursor.itersize = self.sizes.read_batch
                cursor.execute(
                    "SELECT * FROM eventing.events ORDER BY position LIMIT %s",
                    (limit,),
                )
                last: Any = None
                for last in cursor:  # noqa: B007 - the loop is the measured work
                    seen += 1
            conn.rollback()
        elapsed = perf_counter() - start
        if seen < limit or not isinstance(last[13], dict):
            raise RuntimeError(f"scan read {seen} events, expected {limit}")
        return seen / elapsed

    def compare(self) -> Comparison:
        n = self.sizes.read_events
        warm = min(n, 20_000)
        self.ours(warm)
        self.baseline(warm)
        result = Comparison()
        for rep in range(self.sizes.reps):
            sides = [(self.ours, result.ours), (self.baseline, result.baseline)]
            if rep % 2:
                sides.reverse()
            for sample, rates in sides:
                rates.append(sample(n))
        return result
