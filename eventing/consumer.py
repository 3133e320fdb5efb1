"""Idempotent consumers: an event delivered twice has its effect once.

The relay delivers at least once, so every consumer must drop duplicates by event id.
- Effect = new events (the usual case): build the command context with `caused_by`.
  The repository then derives the new events' ids from the causing event's id, and a
  second delivery is refused by the store as a DuplicateEvent, which `idempotent` drops.
- Effect = SQL rows: call `first_delivery(conn, consumer, event_id)` inside the same
  transaction as the rows; it is False when the event was already applied.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import psycopg

from eventing import metrics
from eventing.aggregate import CommandContext
from eventing.errors import DuplicateEvent
from eventing.events import JSON, Envelope

log = logging.getLogger(__name__)

T = TypeVar("T")


def caused_by(envelope: Envelope, actor: str) -> CommandContext:
    """The context for a command that an event causes (same bureau and correlation)."""
    return CommandContext(
        bureau_id=envelope.bureau_id,
        actor=actor,
        correlation_id=envelope.correlation_id or envelope.event_id,
        causation_id=envelope.event_id,
    )


def idempotent(
    consumer: str,
) -> Callable[
    [Callable[[Any, Envelope], T]], Callable[[Any, Mapping[str, JSON]], T | None]
]:
    """Decorate a Nameko @event_handler method taking the envelope.

    The payload Nameko hands over is decoded into an Envelope; a DuplicateEvent raised
    by the effect means the effect already happened, so it is counted and dropped.
    """

    def decorate(
        handler: Callable[[Any, Envelope], T],
    ) -> Callable[[Any, Mapping[str, JSON]], T | None]:
        @functools.wraps(handler)
        def wrapper(self: Any, payload: Mapping[str, JSON]) -> T | None:
            envelope = Envelope.from_dict(payload)
            try:
                return handler(self, envelope)
            except DuplicateEvent:
                metrics.CONSUMER_DUPLICATES.labels(consumer).inc()
                log.info("%s: %s already applied", consumer, envelope.event_id)
                return None

        return wrapper

    return decorate


def first_delivery(conn: psycopg.Connection[Any], consumer: str, event_id: str) -> bool:
    """Record that `consumer` applied `event_id`; False if it already had.

    Call inside the transaction that writes the effect, so both commit or neither.
    """
    cursor = conn.execute(
        "INSERT INTO eventing.processed_events (consumer, event_id) VALUES (%s, %s) "
        "ON CONFLICT DO NOTHING",
        (consumer, event_id),
    )
    fresh = cursor.rowcount == 1
    if not fresh:
        metrics.CONSUMER_DUPLICATES.labels(consumer).inc()
    return fresh
