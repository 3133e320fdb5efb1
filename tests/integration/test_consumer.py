"""The idempotent-consumer helpers against the real PostgreSQL event store."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from prometheus_client import REGISTRY

from eventing.aggregate import CommandContext, Repository
from eventing.consumer import caused_by, first_delivery, idempotent
from eventing.events import Envelope
from eventing.store import EventStore
from tests.support.orders import Order, OrderAudit, registry

pytestmark = pytest.mark.integration


def duplicates_dropped(consumer: str) -> float:
    sample = REGISTRY.get_sample_value(
        "consumer_duplicates_dropped_total", {"consumer": consumer}
    )
    return sample or 0.0


@pytest.fixture
def conn(store_db: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(store_db) as connection:
        yield connection


@pytest.fixture
def consumer() -> str:
    return f"consumer_{uuid.uuid4().hex[:8]}"


class TestFirstDelivery:
    def test_an_event_is_a_first_delivery_once_and_a_redelivery_after(
        self, conn: psycopg.Connection[Any], consumer: str
    ) -> None:
        event_id = str(uuid.uuid4())
        dropped = duplicates_dropped(consumer)

        with conn.transaction():
            assert first_delivery(conn, consumer, event_id) is True
            assert first_delivery(conn, consumer, event_id) is False
        with conn.transaction():
            assert first_delivery(conn, consumer, event_id) is False

        assert duplicates_dropped(consumer) == dropped + 2

    def test_a_rolled_back_effect_leaves_the_event_to_be_applied_again(
        self, conn: psycopg.Connection[Any], consumer: str
    ) -> None:
        event_id = str(uuid.uuid4())

        with pytest.raises(RuntimeError), conn.transaction():
            assert first_delivery(conn, consumer, event_id) is True
            raise RuntimeError("the effect failed")
        with conn.transaction():
            assert first_delivery(conn, consumer, event_id) is True

    def test_each_consumer_applies_an_event_once_for_itself(
        self, conn: psycopg.Connection[Any], consumer: str
    ) -> None:
        event_id = str(uuid.uuid4())

        with conn.transaction():
            assert first_delivery(conn, consumer, event_id) is True
            assert first_delivery(conn, f"{consumer}_other", event_id) is True

    def test_a_concurrent_redelivery_waits_for_the_first_and_is_not_fresh(
        self, store_db: str, conn: psycopg.Connection[Any], consumer: str
    ) -> None:
        event_id = str(uuid.uuid4())
        outcome: list[bool] = []

        def redeliver() -> None:
            with psycopg.connect(store_db) as other, other.transaction():
                outcome.append(first_delivery(other, consumer, event_id))

        with conn.transaction():
            assert first_delivery(conn, consumer, event_id) is True
            racer = threading.Thread(target=redeliver)
            racer.start()
            racer.join(timeout=0.5)
            assert racer.is_alive(), "the redelivery did not wait for the first"
        racer.join(timeout=10)

        assert not racer.is_alive()
        assert outcome == [False]


AUDIT = "test_audit"


class AuditHandler:
    """The shape of a Nameko service's @event_handler, without Nameko."""

    def __init__(self, store: EventStore) -> None:
        self.audits = Repository(store, registry, OrderAudit, service="audit")
        self.calls = 0

    @idempotent(AUDIT)
    def on_order_placed(self, envelope: Envelope) -> int:
        self.calls += 1
        _, result = self.audits.execute(
            envelope.data["order_id"],
            lambda audit: audit.record(envelope.event_id),
            caused_by(envelope, "audit"),
        )
        assert result is not None
        return result.version


def place_order(store: EventStore) -> Envelope:
    orders = Repository(store, registry, Order, service="orders")
    _, result = orders.execute(
        uuid.uuid4().hex, lambda order: order.place(), CommandContext("b1", "tester")
    )
    assert result is not None
    return result.envelopes[0]


class TestIdempotentHandler:
    def test_a_redelivered_event_has_its_effect_once(self, store: EventStore) -> None:
        placed = place_order(store)
        handler = AuditHandler(store)
        dropped = duplicates_dropped(AUDIT)

        assert handler.on_order_placed(placed.to_dict()) == 1
        assert handler.on_order_placed(placed.to_dict()) is None

        assert handler.calls == 2
        assert len(store.read_stream(f"orderaudit-{placed.data['order_id']}")) == 1
        assert duplicates_dropped(AUDIT) == dropped + 1

    def test_the_effect_carries_the_causing_events_tenant_correlation_and_id(
        self, store: EventStore
    ) -> None:
        placed = place_order(store)

        AuditHandler(store).on_order_placed(placed.to_dict())

        [audited] = store.read_stream(f"orderaudit-{placed.data['order_id']}")
        assert audited.causation_id == placed.event_id
        assert audited.correlation_id == placed.correlation_id
        assert audited.bureau_id == "b1"
        assert audited.actor == "audit"

    def test_errors_other_than_a_duplicate_reach_nameko(self, consumer: str) -> None:
        class Failing:
            @idempotent(consumer)
            def on_event(self, envelope: Envelope) -> None:
                raise ValueError(envelope.event_id)

        with pytest.raises(ValueError):
            Failing().on_event(_envelope_dict())


def _envelope_dict() -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "type": "OrderPlaced",
        "schema_version": 1,
        "stream": "order-x1",
        "version": 1,
        "position": 1,
        "recorded_at": "2024-01-01T00:00:00.000000+00:00",
        "service": "orders",
        "bureau_id": None,
        "actor": None,
        "correlation_id": None,
        "causation_id": None,
        "data": {"order_id": "x1"},
        "prev_hash": "0" * 64,
        "hash": "0" * 64,
    }
