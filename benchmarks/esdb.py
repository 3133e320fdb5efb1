"""EventStoreDB rows: the `esdb` adapter against raw esdbclient calls.

Both sides talk to the same EventStoreDB test double (tests/esdb_server), started
here on loopback in a child process (`python -m benchmarks.esdb`), in the same run,
samples alternated, so the ratio is the cost of the adapter itself over the esdbclient
calls it is built on. The test double is a Python gRPC server sharing the machine's
CPUs with the client: its absolute figures say nothing about a real EventStoreDB.
On a machine with two CPUs or more the server runs pinned to the last CPU and this
process to the others while the rows run (both sides alike): unpinned, the scheduler
moving the two processes over two cores made samples of one side vary by a third
from one run to the next (read of 20,000 events, raw: 11,600 to 17,900 ev/s).

- append 1 event/call: `EsdbEventStore.append(new stream, [NewEvent], 0, Metadata)`
  vs `client.append_to_stream(new stream, NO_STREAM, [NewEvent])` carrying the same
  JSON payload and a metadata blob of the same size.
- append B events/call: the same with B events per call. The server answers an
  append with the last event's position only; the adapter reads the others back
  when `result.positions` (or `envelopes`) is first asked for, which no caller in
  the system does. A second row asks for them: ours with `result.positions`, raw
  with its own `get_stream` of the first B - 1 events.
- catch-up read of N events: `store.read_all` page by page (`read_batch` a page) until
  N envelopes vs the same esdbclient calls made by hand: `client.read_all` from the
  last position read, `read_batch` a page, the adapter's stream filter, each event's
  data and metadata JSON-decoded (what the envelope is made of) and the page kept
  until the next one, as the port's caller keeps the list `read_all` returns.
  A third side, printed as a note and not judged, is one `client.read_all(limit=N)`
  stream that keeps no event: the difference is what reading in pages costs any
  caller (measured: holding a page of 1,000 decoded events costs the calling thread
  about 4 us per event, the decoded memory being cold when the next page reuses it).

Samples of the append rows: each is 2 x `duration` seconds in which the two sides take
turns of TURN (50 ms; a few calls of 100 events, some 40 of one event), and gives both
sides' rates over that same stretch of time; the row is judged by the median of the
samples' ratios. Back-to-back samples of 1.5 s a side (`alternate`, as the other rows
are taken) moved too much with this machine's speed: within one run, pairs of the
batched append ranged from 77% to 115% and the medians' ratio from 88% to 111%
between runs, where samples taken in turns ranged from 86% to 96% and their median
from 90% to 92% (three runs each of `/tmp` scripts beside this module, 2026-11-27).
The catch-up row keeps `alternate`-like samples of whole reads of N events.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import statistics
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from time import perf_counter
from typing import Any

from esdbclient import EventStoreDBClient, StreamState
from esdbclient import NewEvent as EsdbNewEvent

from benchmarks import fixtures
from benchmarks.measure import Comparison, Op, interleave
from benchmarks.settings import Sizes
from eventing.events import GENESIS_HASH, Metadata, NewEvent
from eventing.store.esdb import EsdbEventStore

POPULATE_BATCH = 500
TURN = 0.05  # seconds a side runs before the other takes its turn (append rows)
REPO = Path(__file__).resolve().parents[1]
_numbers = itertools.count(1)


def raw_metadata() -> bytes:
    """What the baseline sends as each event's metadata: the same fields and size as
    the adapter's metadata JSON, with placeholder hashes."""
    meta = fixtures.METADATA
    return json.dumps(
        {
            "schema_version": 1,
            "service": meta.service,
            "bureau_id": meta.bureau_id,
            "actor": meta.actor,
            "correlation_id": meta.correlation_id,
            "causation_id": meta.causation_id,
            "recorded_at": "2024-05-17T08:00:00.000000+00:00",
            "prev_hash": GENESIS_HASH,
            "hash": GENESIS_HASH,
        },
        separators=(",", ":"),
    ).encode("utf-8")


def serve() -> None:
    """`python -m benchmarks.esdb`: run the test server on loopback, print its URI,
    stop when stdin closes (the parent exited or closed the pipe)."""
    from tests.esdb_server import EsdbTestServer  # the test double, test-only

    # The double keeps the whole log as Python objects, and the append rows grow it
    # to about a million records: a full collection then walks them all (measured:
    # 0.13 s at 200,000 records, 0.61 s at 1,000,000), a stall of a large part of
    # one 1.5 s sample of whichever side it lands on. Young garbage is still
    # collected; the full collections, of the log, no longer run.
    gc.set_threshold(*gc.get_threshold()[:2], 1_000_000_000)
    server = EsdbTestServer().start()
    try:
        print(server.uri, flush=True)
        sys.stdin.read()
    finally:
        server.stop()


class ServerProcess:
    """The test server in a child process of its own, as a real server would be:
    its work does not compete with the measured client for this process's GIL."""

    def __init__(self) -> None:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.esdb"],
            cwd=REPO,  # `tests` and `benchmarks` are packages at the repository root
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._child.stdout is not None
        self.pid = self._child.pid
        self.uri = self._child.stdout.readline().strip()
        if not self.uri.startswith("esdb://"):
            self.stop()
            raise RuntimeError("the EventStoreDB test server did not start")

    def stop(self) -> None:
        if self._child.stdin is not None:
            self._child.stdin.close()
        try:
            self._child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()


def _pin(server_pid: int) -> set[int] | None:
    """The server on the last CPU this process may use, this process on the rest;
    this process's CPUs before (None: too few CPUs to pin, nothing changed)."""
    mine = os.sched_getaffinity(0)
    if len(mine) < 2:
        return None
    last = max(mine)
    os.sched_setaffinity(server_pid, {last})
    os.sched_setaffinity(0, mine - {last})
    return mine


class EsdbBench:
    """Owns the test server, the adapter and the raw client for the esdb rows."""

    def __init__(self, sizes: Sizes) -> None:
        self.sizes = sizes
        self.server = ServerProcess()
        self._cpus = _pin(self.server.pid)
        self.store: EsdbEventStore | None = None
        self.client: EventStoreDBClient | None = None
        try:
            self.store = EsdbEventStore(self.server.uri)
            self.client = EventStoreDBClient(self.server.uri)
        except BaseException:
            self.close()
            raise
        self._metadata = raw_metadata()
        self._populated = 0

    def close(self) -> None:
        try:
            if self.store is not None:
                self.store.close()
            if self.client is not None:
                self.client.close()
        finally:
            self.server.stop()
            if self._cpus is not None:
                os.sched_setaffinity(0, self._cpus)

    # -- appends ---------------------------------------------------------------------

    def _ours(self, size: int, positions: bool = False) -> Op:
        """`store.append` of `size` new events to a new stream; with `positions`,
        then every event's position asked for (the adapter reads them back: the
        server's answer carries the last one only)."""
        store = self.store
        assert store is not None

        def op() -> int:
            first = next(_numbers)
            for _ in range(size - 1):
                next(_numbers)
            result = store.append(
                fixtures.next_stream("esdb"),
                [fixtures.new_event(first + i) for i in range(size)],
                0,
                fixtures.METADATA,
            )
            if positions and len(result.positions) != size:
                raise RuntimeError(f"{len(result.positions)} positions of {size}")
            return size

        return op

    def _raw(self, size: int, read_back: bool = False) -> Op:
        """`append_to_stream` of `size` new events to a new stream; with `read_back`,
        then `get_stream` of all but the last of them (what the adapter reads back
        for their positions, see `EsdbEventStore._positions`)."""
        client, metadata = self.client, self._metadata
        assert client is not None

        def op() -> int:
            first = next(_numbers)
            for _ in range(size - 1):
                next(_numbers)
            stream = fixtures.next_stream("raw")
            client.append_to_stream(
                stream,
                current_version=StreamState.NO_STREAM,
                events=[
                    EsdbNewEvent(
                        type=fixtures.EVENT_TYPE,
                        data=json.dumps(fixtures.payload(first + i)).encode("utf-8"),
                        metadata=metadata,
                        content_type="application/json",
                        id=uuid.uuid4(),
                    )
                    for i in range(size)
                ],
                timeout=10.0,
            )
            if read_back and size > 1:
                written = client.get_stream(
                    stream, stream_position=0, limit=size - 1, timeout=10.0
                )
                if len(written) != size - 1:
                    raise RuntimeError(f"read back {len(written)} of {size - 1}")
            return size

        return op

    def append_row(self, size: int, read_back: bool = False) -> Comparison:
        """Each sample both sides in turns of TURN seconds, as long as two of the
        other rows' samples (one a side): see the module's note on samples."""
        return interleave(
            self._ours(size, read_back),
            self._raw(size, read_back),
            duration=2 * self.sizes.duration,
            reps=self.sizes.reps,
            warmup=self.sizes.warmup,
            block=TURN,
        )

    def single(self) -> Comparison:
        return self.append_row(1)

    def batched(self) -> Comparison:
        return self.append_row(self.sizes.batch)

    def batched_with_read_back(self) -> Comparison:
        return self.append_row(self.sizes.batch, read_back=True)

    # -- catch-up read -----------------------------------------------------------------

    def populate(self, count: int) -> None:
        """Append events through the store until the log holds at least `count`
        (streams of up to 500 events, the three services' categories)."""
        store = self.store
        assert store is not None
        while self._populated < count:
            size = min(POPULATE_BATCH, count - self._populated)
            service = fixtures.SERVICES[
                (self._populated // POPULATE_BATCH) % len(fixtures.SERVICES)
            ]
            meta = Metadata(
                service=service,
                bureau_id=fixtures.METADATA.bureau_id,
                actor=fixtures.METADATA.actor,
                correlation_id=fixtures.METADATA.correlation_id,
            )
            events = [
                NewEvent(fixtures.EVENT_TYPE, fixtures.payload(self._populated + i))
                for i in range(size)
            ]
            store.append(fixtures.next_stream(service), events, 0, meta)
            self._populated += size

    def read_ours(self, limit: int) -> float:
        """`store.read_all` page after page from position 0; envelopes per second."""
        store = self.store
        assert store is not None
        seen, position, page = 0, 0, self.sizes.read_batch
        start = perf_counter()
        while seen < limit:
            batch = store.read_all(position, min(page, limit - seen))
            if not batch:
                break
            seen += len(batch)
            position = batch[-1].position
        elapsed = perf_counter() - start
        if seen < limit:
            raise RuntimeError(f"read_all read {seen} events, expected {limit}")
        return seen / elapsed

    def raw_pages(self, limit: int) -> Iterator[list[tuple[int, Any, Any]]]:
        """The calls `store.read_all` makes, by hand: `client.read_all` page after
        page from position 0, `read_batch` a page, through the adapter's stream
        filter, each from the last position read (inclusive, as the server reads:
        that event is dropped); each page's events as (commit position, data,
        metadata), JSON-decoded, until `limit` events."""
        client, store = self.client, self.store
        assert client is not None and store is not None
        include = store.stream_filter()
        seen, after, size = 0, 0, self.sizes.read_batch
        while seen < limit:
            page = [
                (
                    event.commit_position or 0,
                    json.loads(event.data),
                    json.loads(event.metadata),
                )
                for event in client.read_all(
                    commit_position=after or None,
                    limit=min(size, limit - seen) + (1 if after else 0),
                    filter_include=include,
                    filter_by_stream_name=True,
                    timeout=10.0,
                )
                if (event.commit_position or 0) > after
            ]
            if not page:
                return
            yield page
            seen += len(page)
            after = page[-1][0]

    def read_raw_pages(self, limit: int) -> float:
        """`raw_pages` until `limit` events, each page kept until the next (as the
        caller of `store.read_all` keeps the list it returns); events per second."""
        seen = 0
        start = perf_counter()
        for page in self.raw_pages(limit):
            seen += len(page)
        elapsed = perf_counter() - start
        if seen < limit:
            raise RuntimeError(f"read_all pages read {seen} events, expected {limit}")
        return seen / elapsed

    def read_raw(self, limit: int) -> float:
        """One `client.read_all(limit=N)` stream from the start of the log; each
        event's data and metadata JSON-decoded (the adapter's envelope is made of
        both) and dropped; events per second."""
        client = self.client
        assert client is not None
        seen = 0
        decoded: object = None
        start = perf_counter()
        for event in client.read_all(limit=limit, timeout=600.0):
            decoded = json.loads(event.data)
            json.loads(event.metadata)
            seen += 1
        elapsed = perf_counter() - start
        if seen < limit or not isinstance(decoded, dict):
            raise RuntimeError(f"read_all read {seen} events, expected {limit}")
        return seen / elapsed

    def catchup(self) -> Comparison:
        """Fill the log first (nothing else appends here before this row runs)."""
        n = self.sizes.esdb_read_events
        self.populate(n)
        warm = min(n, 5_000)
        self.read_ours(warm)
        self.read_raw_pages(warm)
        self.read_raw(warm)
        result = Comparison()
        stream: list[float] = []
        for rep in range(self.sizes.reps):
            sides = [
                (self.read_ours, result.ours),
                (self.read_raw_pages, result.baseline),
                (self.read_raw, stream),
            ]
            if rep % 2:
                sides.reverse()
            for sample, rates in sides:
                rates.append(sample(n))
        one = statistics.median(stream)
        result.notes.append(
            f"one raw read_all(limit={n:,}) stream that keeps no event (not judged): "
            f"median {one:,.0f} ev/s; ours {result.ours_median / one:.0%} of it, "
            f"the raw pages {result.baseline_median / one:.0%} of it"
        )
        return result


if __name__ == "__main__":
    serve()
