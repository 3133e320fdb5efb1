"""A tiny test domain: orders are placed; an audit records each placed order once."""

from __future__ import annotations

from dataclasses import dataclass

from eventing.aggregate import Aggregate, DomainEvent, DomainEventRegistry

registry = DomainEventRegistry()


@registry.event
@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    order_id: str


@registry.event
@dataclass(frozen=True)
class OrderAudited(DomainEvent):
    order_id: str
    placed_event_id: str


class Order(Aggregate):
    """An order that can be placed once."""

    category = "order"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.placed = False

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, OrderPlaced):
            self.placed = True

    def place(self) -> None:
        if not self.placed:
            self._raise(OrderPlaced(self.id))


class OrderAudit(Aggregate):
    """The audit trail of one order: how often it was audited (once, if idempotent)."""

    category = "orderaudit"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.entries = 0

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, OrderAudited):
            self.entries += 1

    def record(self, placed_event_id: str) -> None:
        # No "already audited" rule on purpose: only the consumer's idempotence
        # keeps a redelivered OrderPlaced from being recorded twice.
        self._raise(OrderAudited(self.id, placed_event_id))
