"""The whole path: a Nameko RPC appends, the relay publishes, another service's
@event_handler sees it, exactly once in effect, even across relay crashes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from eventing.store import EventStore
from tests.support.fixtures import Relays
from tests.support.nameko_run import NamekoServices
from tests.support.processes import Process
from tests.support.store import (
    checkpoint,
    checkpoint_watch,
    last_position,
    reset_checkpoint,
)
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

ORDERS = 300
AUDIT_QUEUE = "evt-orders-OrderPlaced--audit.on_order_placed"


@dataclass
class System:
    """The two services and relays, all real processes, plus an RPC client."""

    audit: Process
    orders: Process
    relays: Relays
    relay_name: str
    rpc: Any
    store: EventStore
    store_uri: str
    relay: Process | None = None

    def start_relay(self, window: int = 500) -> Process:
        self.relay = self.relays.start(self.relay_name, window=window)
        return self.relay

    def place(self, order_ids: list[str]) -> dict[str, str]:
        """Place orders by RPC; each reply must come after its event is durable."""
        placed = {}
        for order_id in order_ids:
            reply = self.rpc.orders.place(order_id)
            # Another connection reads the event back as soon as the reply arrives.
            [stored] = self.store.read_stream(f"order-{order_id}")
            assert (stored.event_id, stored.position) == (
                reply["event_id"],
                reply["position"],
            )
            placed[order_id] = stored.event_id
        return placed

    def audit_entries(self) -> dict[str, int]:
        """Events per `orderaudit-*` stream."""
        with psycopg.connect(self.store_uri, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT stream, count(*) FROM eventing.events "
                "WHERE category = 'orderaudit' GROUP BY stream"
            ).fetchall()
        return {str(stream): int(count) for stream, count in rows}

    def wait_audited(self, order_ids: list[str]) -> None:
        expected = {f"orderaudit-{order_id}" for order_id in order_ids}
        wait_until(
            lambda: set(self.audit_entries()) == expected,
            timeout=60,
            interval=0.2,
            describe=self.explain(f"{len(expected)} audited orders"),
        )

    def duplicates_dropped(self) -> float:
        return float(self.rpc.audit.duplicates_dropped())

    def explain(self, goal: str) -> Callable[[], str]:
        """A failure message: what was awaited, the state, the processes' logs."""

        def describe() -> str:
            running = [self.audit, self.orders, *filter(None, [self.relay])]
            logs = "\n".join(
                f"--- {process.argv[-1]}:\n{process.tail(15)}" for process in running
            )
            position = checkpoint(self.store_uri, self.relay_name)
            return (
                f"{goal}; have {len(self.audit_entries())} audited, relay at "
                f"{position} of {last_position(self.store_uri)}\n{logs}"
            )

        return describe


@pytest.fixture
def system(
    nameko_services: NamekoServices,
    relays: Relays,
    relay_name: str,
    rpc: Any,
    store: EventStore,
    store_uri: str,
) -> System:
    # The consumer's queue must exist before anything is published to its
    # exchange: RabbitMQ drops messages no queue is bound for.
    audit, orders = nameko_services.start_all(
        ("AuditService", AUDIT_QUEUE, "rpc-audit"), ("OrdersService", "rpc-orders")
    )
    return System(audit, orders, relays, relay_name, rpc, store, store_uri)


def new_orders(count: int) -> list[str]:
    return [uuid.uuid4().hex for _ in range(count)]


class TestOrderPlacedReachesTheAuditExactlyOnce:
    def test_every_order_is_audited_once_though_the_relay_is_killed_midway(
        self, system: System
    ) -> None:
        order_ids = new_orders(ORDERS)
        before_crash, after_crash = order_ids[: ORDERS // 2], order_ids[ORDERS // 2 :]

        placed = system.place(before_crash)
        # Small windows over a backlog, killed at its first checkpoint: mid-stream,
        # with a window published but not yet checkpointed.
        relay = system.start_relay(window=10)
        with checkpoint_watch(system.store_uri, system.relay_name) as position:
            wait_until(
                lambda: position() > 0,
                timeout=30,
                interval=0.002,
                describe=system.explain("the relay's first confirmed window"),
            )
            relay.kill()
            assert position() < last_position(system.store_uri), "it had finished"
        placed |= system.place(after_crash)
        system.start_relay()
        system.wait_audited(order_ids)

        assert set(system.audit_entries().values()) == {1}
        for order_id in order_ids:
            [audited] = system.store.read_stream(f"orderaudit-{order_id}")
            assert audited.causation_id == placed[order_id]
            assert audited.data == {
                "order_id": order_id,
                "placed_event_id": placed[order_id],
            }
        assert system.audit.alive() and system.orders.alive()

    def test_a_replay_of_every_order_is_dropped_as_duplicates_and_changes_nothing(
        self, system: System
    ) -> None:
        order_ids = new_orders(ORDERS // 3)
        relay = system.start_relay()
        system.place(order_ids)
        system.wait_audited(order_ids)
        dropped = system.duplicates_dropped()

        assert relay.terminate() == 0
        reset_checkpoint(system.store_uri, system.relay_name, 0)
        system.start_relay()
        wait_until(
            lambda: system.duplicates_dropped() >= dropped + len(order_ids),
            timeout=60,
            interval=0.2,
            describe=system.explain(f"{len(order_ids)} more duplicates dropped"),
        )

        entries = system.audit_entries()
        assert set(entries) == {f"orderaudit-{order_id}" for order_id in order_ids}
        assert set(entries.values()) == {1}
        assert system.duplicates_dropped() == dropped + len(order_ids)
