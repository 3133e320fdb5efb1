"""Two test-only Nameko services: `orders` places orders, `audit` records each once.

Run with `nameko run --config <yaml> tests.support.services:OrdersService` (and
`:AuditService`), PSYCOPG_WAIT_FUNC=wait_select and EVENTSTORE_URI in the environment.
"""

from __future__ import annotations

from typing import Any

from nameko.events import event_handler
from nameko.rpc import rpc
from prometheus_client import REGISTRY

from eventing.aggregate import CommandContext, Repository
from eventing.consumer import caused_by, idempotent
from eventing.events import Envelope
from eventing.nameko import CommandMetrics, EventStoreProvider
from eventing.store import EventStore
from tests.support.orders import Order, OrderAudit, registry


class OrdersService:
    """Places orders.

    RPC `orders.place("7f3c")` -> {"event_id": "...", "position": 123, ...}
    """

    name = "orders"
    store: EventStore = EventStoreProvider()
    metrics = CommandMetrics()

    @rpc
    def place(self, order_id: str) -> dict[str, Any]:
        """Append OrderPlaced to `order-<order_id>`; reply once it is durable."""
        orders = Repository(self.store, registry, Order, service=self.name)
        _, result = orders.execute(
            order_id, Order.place, CommandContext(bureau_id="b1", actor="tester")
        )
        if result is None:
            return {"event_id": None, "position": None, "stream": f"order-{order_id}"}
        placed = result.envelopes[0]
        return {
            "event_id": placed.event_id,
            "position": placed.position,
            "stream": placed.stream,
        }


class AuditService:
    """Records every placed order on `orderaudit-<order_id>`, once per order."""

    name = "audit"
    store: EventStore = EventStoreProvider()

    @event_handler("orders", "OrderPlaced")
    @idempotent("audit")
    def on_order_placed(self, envelope: Envelope) -> None:
        """Consumes OrderPlaced; a redelivery raises DuplicateEvent, dropped."""
        audits = Repository(self.store, registry, OrderAudit, service=self.name)
        audits.execute(
            envelope.data["order_id"],
            lambda audit: audit.record(envelope.event_id),
            caused_by(envelope, self.name),
        )

    @rpc
    def duplicates_dropped(self) -> float:
        """This process's consumer_duplicates_dropped_total{consumer="audit"}."""
        sample = REGISTRY.get_sample_value(
            "consumer_duplicates_dropped_total", {"consumer": "audit"}
        )
        return float(sample or 0.0)
