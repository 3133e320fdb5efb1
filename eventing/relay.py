"""The relay: store -> RabbitMQ, in Nameko's event format, with publisher confirms.

It follows the store's global order from a durable checkpoint and publishes each event
to exchange `<service>.events` (topic, durable), routing key = event type, message id =
event id, body = the envelope as JSON. Confirms are awaited per window of messages, not
one at a time; the checkpoint moves only after every message of the window is confirmed.
Anything that goes wrong (nack, confirm timeout, lost connection, store unreachable)
reconnects with backoff and publishes again from the checkpoint: at-least-once, so every
consumer drops duplicates by event id.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import amqp
import kombu
import kombu.exceptions
import psycopg

from eventing import metrics
from eventing.errors import EventingError, StoreUnavailable
from eventing.events import Envelope
from eventing.store.base import EventStore
from eventing.subscription import Checkpoints

log = logging.getLogger(__name__)

RECOVERABLE = (
    OSError,
    amqp.exceptions.AMQPError,
    kombu.exceptions.OperationalError,
    psycopg.OperationalError,
    StoreUnavailable,
)


CLOSE_TIMEOUT = 2.0
"""Seconds to wait for the broker to acknowledge closing a connection."""

LAG_COUNT_LIMIT = 1000
"""follower_lag_events counts the events ahead of the checkpoint up to this many."""


class PublishFailed(EventingError):
    """RabbitMQ refused (nack) or did not confirm a window in time."""

    code = "publish_failed"


class Stopped(Exception):
    """Told to stop while confirms were outstanding; they are published again later."""


def exchange_for(envelope: Envelope) -> str:
    return f"{envelope.service}.events"


def message_for(envelope: Envelope) -> amqp.Message:
    """The AMQP message a Nameko @event_handler(service, type) consumes."""
    headers = {"nameko.correlation_id": envelope.correlation_id or ""}
    return amqp.Message(
        json.dumps(envelope.to_dict(), ensure_ascii=False),
        content_type="application/json",
        content_encoding="utf-8",
        delivery_mode=2,
        message_id=envelope.event_id,
        headers=headers,
    )


class ConfirmedPublisher:
    """One AMQP channel in confirm mode that publishes windows and awaits their acks."""

    def __init__(self, amqp_uri: str, confirm_timeout: float = 30.0) -> None:
        self._kombu = kombu.Connection(amqp_uri, connect_timeout=5, heartbeat=0)
        self._kombu.connect()
        try:
            self._conn: amqp.Connection = self._kombu.connection
            # Every socket operation without a timeout of its own (writes, the
            # replies to channel.open, confirm.select and exchange.declare) is bounded:
            # a broker that stops reading or answering must not block the relay.
            self._conn.sock.settimeout(confirm_timeout)
            self._channel = self._conn.channel()
            self._channel.confirm_select()
        except BaseException:
            self._drop()
            raise
        self._channel.events["basic_ack"].add(self._on_ack)
        self._channel.events["basic_nack"].add(self._on_nack)
        self._confirm_timeout = confirm_timeout
        self._next_tag = 1
        self._confirmed = 0  # every tag <= this has been acked
        self._pending: set[int] = set()
        self._nacked = False
        self._declared: set[str] = set()

    def _on_ack(self, tag: int, multiple: bool) -> None:
        if multiple:
            self._pending = {t for t in self._pending if t > tag}
        else:
            self._pending.discard(tag)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self._nacked = True
        self._on_ack(tag, multiple)

    def declare(self, exchange: str) -> None:
        if exchange not in self._declared:
            self._channel.exchange_declare(
                exchange, "topic", durable=True, auto_delete=False
            )
            self._declared.add(exchange)

    def publish(self, envelopes: Sequence[Envelope]) -> int:
        """Publish without waiting; the delivery tag to pass to `wait_confirmed`."""
        for envelope in envelopes:
            exchange = exchange_for(envelope)
            self.declare(exchange)
            self._channel.basic_publish(
                message_for(envelope), exchange=exchange, routing_key=envelope.type
            )
            self._pending.add(self._next_tag)
            self._next_tag += 1
        return self._next_tag - 1

    def wait_confirmed(
        self, tag: int, stopping: Callable[[], bool] = lambda: False
    ) -> None:
        """Wait until RabbitMQ has confirmed every message up to `tag`; raise
        PublishFailed if any was nacked or the confirms do not come in time, and
        Stopped if `stopping()` turns true meanwhile (nothing is checkpointed)."""
        deadline = time.monotonic() + self._confirm_timeout
        while self._pending and min(self._pending) <= tag:
            if stopping():
                raise Stopped()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PublishFailed(
                    f"{len(self._pending)} messages not confirmed in time"
                )
            try:
                self._conn.drain_events(timeout=min(remaining, 1.0))
            except TimeoutError:
                continue
        if self._nacked:
            raise PublishFailed("RabbitMQ nacked a message")

    def publish_window(self, envelopes: Sequence[Envelope]) -> None:
        """Publish every envelope, then wait until RabbitMQ has confirmed them all."""
        self.wait_confirmed(self.publish(envelopes))

    def close(self) -> None:
        """Close the connection; wait at most CLOSE_TIMEOUT for the broker's reply."""
        sock = getattr(getattr(self._conn, "transport", None), "sock", None)
        try:
            if sock is not None:
                sock.settimeout(CLOSE_TIMEOUT)
            self._kombu.release()
        except Exception:
            log.debug("closing a broken AMQP connection", exc_info=True)
            self._drop()

    def _drop(self) -> None:
        """Let go of the connection without the close handshake."""
        try:
            self._kombu.collect()
        except Exception:
            log.debug("dropping a broken AMQP connection", exc_info=True)


class Relay:
    """Follows the store and publishes to RabbitMQ; one relay per store at a time."""

    def __init__(
        self,
        store: EventStore,
        checkpoints: Checkpoints,
        amqp_uri: str,
        *,
        name: str = "relay",
        window: int = 500,
        confirm_timeout: float = 30.0,
        max_backoff: float = 10.0,
        exclude_categories: Sequence[str] = ("account",),
    ) -> None:
        self.store = store
        self.exclude = frozenset(exclude_categories)
        self.checkpoints = checkpoints
        self.amqp_uri = amqp_uri
        self.name = name
        self.window = window
        self.confirm_timeout = confirm_timeout
        self.max_backoff = max_backoff
        self.position = 0
        self._lag_counted_at = 0.0

    def run(
        self, stop: threading.Event, leader: Callable[[], bool] = lambda: True
    ) -> None:
        """Publish until `stop` is set or `leader()` turns false (leadership lost),
        reconnecting after any recoverable failure."""
        failures = 0

        def stopping() -> bool:
            return stop.is_set() or not leader()

        while not stopping():
            publisher: ConfirmedPublisher | None = None
            try:
                self.position = self.checkpoints.load(self.name)
                publisher = ConfirmedPublisher(self.amqp_uri, self.confirm_timeout)
                log.info(
                    "relay %s publishing after position %d", self.name, self.position
                )
                self._follow(publisher, stopping)
                failures = 0
            except Stopped:
                log.info("relay %s stopped with confirms outstanding", self.name)
            except (*RECOVERABLE, PublishFailed) as error:
                failures += 1
                metrics.RELAY_FAILURES.labels(type(error).__name__).inc()
                delay = min(self.max_backoff, 0.2 * 2 ** min(failures, 8))
                log.warning("relay %s: %s; retrying in %.1fs", self.name, error, delay)
                stop.wait(delay)
            finally:
                if publisher is not None:
                    publisher.close()

    def _follow(
        self, publisher: ConfirmedPublisher, stopping: Callable[[], bool]
    ) -> None:
        """Read, publish and checkpoint with one window in flight: window N+1 is
        published while N's confirms arrive, and N is checkpointed once confirmed."""
        read_to = self.position
        in_flight: tuple[int | None, list[Envelope]] | None = None

        def settle(tag: int | None, batch: list[Envelope]) -> None:
            if tag is not None:
                publisher.wait_confirmed(tag, stopping)
            self.checkpoints.save(self.name, batch[-1].position)
            self.position = batch[-1].position
            self._observe(batch)

        while not stopping():
            batch = self.store.read_all(read_to, self.window)
            if batch:
                # categories kept off the bus (credentials) are passed over, not
                # published; the checkpoint moves past them all the same
                publishable = [e for e in batch if e.category not in self.exclude]
                tag = publisher.publish(publishable) if publishable else None
                if in_flight is not None:
                    settle(*in_flight)
                in_flight, read_to = (tag, batch), batch[-1].position
            elif in_flight is not None:
                settle(*in_flight)
                in_flight = None
            else:
                metrics.FOLLOWER_LAG_SECONDS.labels(self.name).set(0.0)  # caught up
                metrics.FOLLOWER_LAG_EVENTS.labels(self.name).set(0)
                self.store.wait_for_new(read_to, 0.5)
        if in_flight is not None:
            with contextlib.suppress(Stopped):
                settle(*in_flight)  # record what is confirmed before stopping

    def _observe(self, batch: list[Envelope]) -> None:
        for envelope in batch:
            metrics.RELAY_PUBLISHED.labels(exchange_for(envelope)).inc()
        metrics.FOLLOWER_POSITION.labels(self.name).set(self.position)
        age = (datetime.now(UTC) - batch[-1].recorded_at).total_seconds()
        metrics.FOLLOWER_LAG_SECONDS.labels(self.name).set(max(age, 0.0))
        # counting what is ahead costs a read: at most once a second, up to 1000
        now = time.monotonic()
        if now - self._lag_counted_at >= 1.0:
            self._lag_counted_at = now
            ahead = self.store.read_all(self.position, LAG_COUNT_LIMIT)
            metrics.FOLLOWER_LAG_EVENTS.labels(self.name).set(len(ahead))
