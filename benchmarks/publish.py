"""Row 5: the relay publishing with confirms against unconfirmed persistent publishing.

Both sides publish the same stored events as the same AMQP messages
(eventing.relay.message_for: JSON envelope, delivery_mode 2, message id = event id) to
the same durable topic exchanges `<service>.events`, and one durable queue bound to
every exchange stores each message, so the broker really routes and persists them.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable
from time import perf_counter
from typing import Any

import kombu

from benchmarks import fixtures
from benchmarks.measure import Comparison
from benchmarks.settings import Sizes
from eventing.events import Envelope
from eventing.relay import ConfirmedPublisher, Relay, exchange_for, message_for
from eventing.store.postgres import PostgresEventStore
from eventing.subscription import PostgresCheckpoints

QUEUE = "bench.sink"


def _connect(uri: str) -> Any:
    conn = kombu.Connection(uri, connect_timeout=5, heartbeat=0)
    conn.connect()
    return conn


class _StopAt:
    """Checkpoints that record when the relay saves a position at or past `target`."""

    def __init__(self, inner: PostgresCheckpoints, target: int) -> None:
        self.inner = inner
        self.target = target
        self.stop = threading.Event()
        self.reached_at = 0.0
        self.position = 0

    def load(self, name: str) -> int:
        return self.inner.load(name)

    def save(self, name: str, position: int) -> None:
        self.inner.save(name, position)
        if position >= self.target and not self.stop.is_set():
            self.reached_at = perf_counter()
            self.position = position
            self.stop.set()


class PublishBench:
    def __init__(
        self,
        store: PostgresEventStore,
        conninfo: str,
        amqp_uri: str,
        sizes: Sizes,
    ) -> None:
        self.store = store
        self.conninfo = conninfo
        self.amqp_uri = amqp_uri
        self.sizes = sizes
        self.envelopes = self._load(sizes.relay_events)
        self.positions = [e.position for e in self.envelopes]
        self._admin = _connect(amqp_uri)
        self._channel = self._admin.channel()
        self._channel.queue_declare(QUEUE, durable=True, auto_delete=False)
        for service in fixtures.SERVICES:
            exchange = f"{service}.events"
            self._channel.exchange_declare(
                exchange, "topic", durable=True, auto_delete=False
            )
            self._channel.queue_bind(QUEUE, exchange, "#")
        self._runs = 0

    def _load(self, count: int) -> list[Envelope]:
        envelopes: list[Envelope] = []
        after = 0
        while len(envelopes) < count:
            batch = self.store.read_all(after, min(5000, count - len(envelopes)))
            if not batch:
                raise RuntimeError(f"only {len(envelopes)} events to relay")
            envelopes.extend(batch)
            after = batch[-1].position
        return envelopes

    def close(self) -> None:
        try:
            self._channel.queue_delete(QUEUE)
        finally:
            self._admin.release()

    def _settle(self, expected: int) -> None:
        """Check the queue holds every message, then empty it for the next sample."""
        deadline = perf_counter() + 30
        while True:
            _, stored, _ = self._channel.queue_declare(QUEUE, passive=True)
            if stored >= expected:
                break
            if perf_counter() > deadline:
                raise RuntimeError(f"queue holds {stored} messages, not {expected}")
            time.sleep(0.05)
        self._channel.queue_purge(QUEUE)

    # -- the sides ---------------------------------------------------------------------

    def windows(self, count: int) -> float:
        """ConfirmedPublisher.publish_window over the envelopes, window by window."""
        publisher = ConfirmedPublisher(self.amqp_uri)
        window = self.sizes.relay_window
        envelopes = self.envelopes[:count]
        try:
            start = perf_counter()
            for i in range(0, len(envelopes), window):
                publisher.publish_window(envelopes[i : i + window])
            elapsed = perf_counter() - start
        finally:
            publisher.close()
        self._settle(len(envelopes))
        return len(envelopes) / elapsed

    def relay(self, count: int) -> float:
        """The Relay loop itself (store reads, confirms, checkpoint writes, metrics)
        from an empty checkpoint until it has saved the position of the last event."""
        self._runs += 1
        target = self.positions[count - 1]
        checkpoints = _StopAt(PostgresCheckpoints(self.conninfo), target)
        relay = Relay(
            self.store,
            checkpoints,
            self.amqp_uri,
            name=f"bench-relay-{self._runs}",
            window=self.sizes.relay_window,
        )
        errors: list[BaseException] = []

        def run() -> None:
            try:
                relay.run(checkpoints.stop)
            except BaseException as error:
                errors.append(error)
                checkpoints.stop.set()

        thread = threading.Thread(target=run, daemon=True)
        start = perf_counter()
        thread.start()
        finished = checkpoints.stop.wait(timeout=600)
        thread.join(timeout=60)
        checkpoints.inner.close()
        if errors:
            raise errors[0]
        if not finished or not checkpoints.reached_at:
            raise RuntimeError("the relay did not reach the last event in time")
        published = bisect.bisect_right(self.positions, checkpoints.position)
        self._settle(published)
        return published / (checkpoints.reached_at - start)

    def unconfirmed(self, count: int) -> float:
        """basic_publish of the same messages on a channel without confirm mode. The
        clock stops when the last publish has been handed to the socket (the strictest
        baseline); with relay_sync it stops after one more synchronous round trip on
        the channel, i.e. once the broker has taken every publish off the socket."""
        envelopes = self.envelopes[:count]
        conn = _connect(self.amqp_uri)
        try:
            channel = conn.channel()
            for exchange in {exchange_for(e) for e in envelopes}:
                channel.exchange_declare(
                    exchange, "topic", durable=True, auto_delete=False
                )
            publish = channel.basic_publish
            start = perf_counter()
            for envelope in envelopes:
                publish(
                    message_for(envelope),
                    exchange=exchange_for(envelope),
                    routing_key=envelope.type,
                )
            if self.sizes.relay_sync:
                channel.queue_declare(QUEUE, passive=True)
            elapsed = perf_counter() - start
            channel.close()
        finally:
            conn.release()
        self._settle(len(envelopes))
        return len(envelopes) / elapsed

    def compare(self, ours: Callable[[int], float]) -> Comparison:
        n = len(self.envelopes)
        warm = min(n, 5 * self.sizes.relay_window)
        ours(warm)
        self.unconfirmed(warm)
        result = Comparison()
        for rep in range(self.sizes.relay_reps):
            sides = [(ours, result.ours), (self.unconfirmed, result.baseline)]
            if rep % 2:
                sides.reverse()
            for sample, rates in sides:
                rates.append(sample(n))
        return result
