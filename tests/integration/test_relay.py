"""The relay against the real PostgreSQL and RabbitMQ (the run's own vhost)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

import kombu
import pytest
from prometheus_client import REGISTRY

from eventing.events import Envelope, Metadata, NewEvent
from eventing.relay import Relay
from eventing.store import EventStore, open_store
from eventing.subscription import PostgresCheckpoints
from tests.support.broker import EventQueue, close_connections_in, vhost_of
from tests.support.fixtures import Relays
from tests.support.processes import Process
from tests.support.proxy import SilentableProxy
from tests.support.store import (
    append_backlog,
    checkpoint,
    last_position,
    positions_by_id,
)
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

WINDOW = 500


class RelayThread:
    """A Relay running in a thread of this process, on its own store connection."""

    def __init__(
        self, store_uri: str, amqp_uri: str, name: str, confirm_timeout: float = 30
    ) -> None:
        self.store = open_store(store_uri, pool_size=2)
        self.relay = Relay(
            self.store,
            PostgresCheckpoints(store_uri),
            amqp_uri,
            name=name,
            window=WINDOW,
            confirm_timeout=confirm_timeout,
            max_backoff=1.0,
        )
        self.stopping = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=f"relay-{name}")
        self.thread.start()

    def _run(self) -> None:
        try:
            self.relay.run(self.stopping)
        except BaseException as error:
            self.error = error

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)
        self.store.close()
        if self.thread.is_alive():
            raise AssertionError("the relay thread did not stop within 30s")
        if self.error is not None:
            raise AssertionError("the relay thread crashed") from self.error


class RelayThreads:
    """Starts in-process relays on the test's store; stops them all at the end."""

    def __init__(self, store_uri: str, amqp_uri: str) -> None:
        self.store_uri = store_uri
        self.amqp_uri = amqp_uri
        self.started: list[RelayThread] = []

    def start(
        self, name: str, *, amqp_uri: str | None = None, confirm_timeout: float = 30
    ) -> RelayThread:
        relay = RelayThread(
            self.store_uri, amqp_uri or self.amqp_uri, name, confirm_timeout
        )
        self.started.append(relay)
        return relay

    def stop_all(self) -> None:
        for relay in self.started:
            if relay.thread.is_alive():
                relay.stop()


@pytest.fixture
def relay_threads(store_uri: str, amqp_uri: str) -> Iterator[RelayThreads]:
    started = RelayThreads(store_uri, amqp_uri)
    yield started
    started.stop_all()


def caught_up(store_uri: str, name: str) -> bool:
    """The relay has confirmed everything stored so far."""
    return checkpoint(store_uri, name) == last_position(store_uri) > 0


def wait_caught_up(store_uri: str, name: str, relay: Process | None = None) -> None:
    def describe() -> str:
        stored = last_position(store_uri)
        where = f"checkpoint {checkpoint(store_uri, name)} of {stored}"
        return where if relay is None else f"{where}; relay log:\n{relay.tail()}"

    wait_until(lambda: caught_up(store_uri, name), timeout=60, describe=describe)


def nacks() -> float:
    """Windows this process's relays saw refused (relay_failures_total)."""
    sample = REGISTRY.get_sample_value(
        "relay_failures_total", {"reason": "PublishFailed"}
    )
    return sample or 0.0


def queued(queue: EventQueue) -> int:
    """Messages ready in the queue right now (nobody consumes it meanwhile)."""
    with kombu.Connection(queue.amqp_uri) as conn:
        declared = conn.default_channel.queue_declare(queue.queue.name, passive=True)
    return int(declared.message_count)


def collect_everything(queue: EventQueue) -> list[str | None]:
    """Every message in the queue once the publishers are done; their message ids."""
    total = queued(queue)
    queue.collect(lambda received: len(received) >= total, timeout=60)
    return queue.message_ids()


class TestPublishingInNamekoFormat:
    def test_stored_events_arrive_on_the_services_exchange_as_nameko_events(
        self,
        store: EventStore,
        store_uri: str,
        amqp_uri: str,
        event_queue: EventQueue,
        relay_threads: RelayThreads,
        relay_name: str,
    ) -> None:
        other_service = f"other{uuid.uuid4().hex[:6]}"
        other_queue = EventQueue(amqp_uri, other_service)
        try:
            stream = f"thing-{uuid.uuid4().hex}"
            appended = store.append(
                stream,
                [NewEvent("ThingMade", {"size": 3}), NewEvent("ThingPainted", {})],
                0,
                Metadata(service="backlog", actor="tester", correlation_id="c-1"),
            ).envelopes
            elsewhere = store.append(
                f"thing-{uuid.uuid4().hex}",
                [NewEvent("ThingMade", {"size": 1})],
                0,
                Metadata(service=other_service),
            ).envelopes

            relay_threads.start(relay_name)

            received = event_queue.collect(lambda got: len(got) >= 2, timeout=30)
            others = other_queue.collect(lambda got: len(got) >= 1, timeout=30)
        finally:
            other_queue.delete()

        assert [m.exchange for m in received] == ["backlog.events"] * 2
        assert [m.routing_key for m in received] == ["ThingMade", "ThingPainted"]
        assert [m.message_id for m in received] == [e.event_id for e in appended]
        assert {m.content_type for m in received} == {"application/json"}
        assert [Envelope.from_dict(m.body) for m in received] == appended
        assert [Envelope.from_dict(m.body) for m in others] == elsewhere
        assert others[0].exchange == f"{other_service}.events"

    def test_credential_categories_stay_off_the_bus_but_are_passed_by_the_checkpoint(
        self,
        store: EventStore,
        store_uri: str,
        event_queue: EventQueue,
        relay_threads: RelayThreads,
        relay_name: str,
    ) -> None:
        meta = Metadata(service="backlog")
        store.append(
            f"account-{uuid.uuid4().hex}",
            [NewEvent("AccountOpened", {"password_hash": "$argon2id$..."})],
            0,
            meta,
        )
        [visible] = store.append(
            f"thing-{uuid.uuid4().hex}", [NewEvent("ThingMade", {})], 0, meta
        ).envelopes

        relay_threads.start(relay_name)
        wait_caught_up(store_uri, relay_name)

        received = event_queue.collect(lambda got: len(got) >= 1, timeout=30)
        assert [m.message_id for m in received] == [visible.event_id]
        assert queued(event_queue) == 0

    def test_the_exchange_is_the_durable_topic_exchange_nameko_declares(
        self,
        store: EventStore,
        store_uri: str,
        amqp_uri: str,
        relay_threads: RelayThreads,
        relay_name: str,
    ) -> None:
        service = f"fresh{uuid.uuid4().hex[:6]}"
        store.append(
            f"thing-{uuid.uuid4().hex}",
            [NewEvent("ThingMade", {})],
            0,
            Metadata(service=service),
        )
        relay_threads.start(relay_name)
        wait_caught_up(store_uri, relay_name)

        # A passive=False declare with other properties would fail with
        # PRECONDITION_FAILED; this is exactly what Nameko's EventHandler declares.
        with kombu.Connection(amqp_uri) as conn:
            channel = conn.default_channel
            channel.exchange_declare(
                f"{service}.events", "topic", durable=True, auto_delete=False
            )


class TestCheckpointAfterConfirm:
    def test_the_checkpoint_reaches_the_last_position_once_everything_is_confirmed(
        self,
        store: EventStore,
        store_uri: str,
        event_queue: EventQueue,
        relay_threads: RelayThreads,
        relay_name: str,
    ) -> None:
        ids = append_backlog(store, 3 * WINDOW + 7)

        relay = relay_threads.start(relay_name)
        wait_caught_up(store_uri, relay_name)

        assert checkpoint(store_uri, relay_name) == max(
            positions_by_id(store_uri).values()
        )
        relay.stop()
        assert collect_everything(event_queue) == ids

    def test_a_restarted_relay_publishes_nothing_twice_and_resumes_with_new_events(
        self,
        store: EventStore,
        store_uri: str,
        event_queue: EventQueue,
        relay_threads: RelayThreads,
        relay_name: str,
    ) -> None:
        first = append_backlog(store, WINDOW + 20)
        relay = relay_threads.start(relay_name)
        wait_caught_up(store_uri, relay_name)
        relay.stop()

        restarted = relay_threads.start(relay_name)
        later = append_backlog(store, 30)
        wait_caught_up(store_uri, relay_name)
        restarted.stop()

        # One channel publishes in order: had the restart republished anything, it
        # would sit in the queue before the new events.
        assert collect_everything(event_queue) == first + later

    def test_a_window_rabbitmq_refuses_is_published_again_and_not_checkpointed(
        self,
        store: EventStore,
        store_uri: str,
        amqp_uri: str,
        event_queue: EventQueue,
        relay_threads: RelayThreads,
        relay_name: str,
    ) -> None:
        # A full queue with overflow=reject-publish makes RabbitMQ nack publishes.
        refusing = kombu.Queue(
            f"test-refusing-{uuid.uuid4().hex[:8]}",
            exchange=event_queue.exchange,
            routing_key="#",
            durable=True,
            queue_arguments={"x-max-length": 10, "x-overflow": "reject-publish"},
        )
        with kombu.Connection(amqp_uri) as conn:
            refusing(conn.default_channel).declare()
        nacks_before = nacks()
        ids = append_backlog(store, 2 * WINDOW)

        relay = relay_threads.start(relay_name)
        wait_until(
            lambda: nacks() > nacks_before,
            timeout=30,
            describe="RabbitMQ to nack a window",
        )
        assert checkpoint(store_uri, relay_name) == 0
        with kombu.Connection(amqp_uri) as conn:
            refusing(conn.default_channel).delete()
        wait_caught_up(store_uri, relay_name)
        relay.stop()

        received = collect_everything(event_queue)
        assert set(received) == set(ids)


class TestRelayKilledMidStream:
    def test_every_event_arrives_and_only_the_unconfirmed_window_twice(
        self,
        store: EventStore,
        store_uri: str,
        event_queue: EventQueue,
        relays: Relays,
        relay_name: str,
    ) -> None:
        ids = append_backlog(store, 20_000)
        positions = positions_by_id(store_uri)

        relay = relays.start(relay_name, window=WINDOW)
        wait_until(
            lambda: checkpoint(store_uri, relay_name) > 0,
            timeout=30,
            interval=0.005,
            describe=lambda: f"the first confirmed window; relay log:\n{relay.tail()}",
        )
        relay.kill()
        at_kill = checkpoint(store_uri, relay_name)
        assert at_kill < max(positions.values()), "killed after it had finished"

        restarted = relays.start(relay_name, window=WINDOW)
        wait_caught_up(store_uri, relay_name, restarted)
        assert restarted.terminate() == 0

        received = collect_everything(event_queue)
        assert set(received) == set(ids)
        copies = Counter(received)
        twice = [event_id for event_id, n in copies.items() if n > 1]
        assert len(twice) <= WINDOW
        assert all(positions[str(event_id)] > at_kill for event_id in twice)
        assert max(copies.values()) <= 2


class TestBrokerConnectionLost:
    def test_a_connection_closed_mid_stream_is_reopened_and_nothing_is_lost(
        self,
        store: EventStore,
        store_uri: str,
        amqp_uri: str,
        event_queue: EventQueue,
        relays: Relays,
        relay_name: str,
    ) -> None:
        ids = append_backlog(store, 20_000)
        relay = relays.start(relay_name, window=WINDOW)
        wait_until(
            lambda: checkpoint(store_uri, relay_name) > 0,
            timeout=30,
            interval=0.005,
            describe=lambda: f"the first confirmed window; relay log:\n{relay.tail()}",
        )

        assert close_connections_in(vhost_of(amqp_uri)) >= 1
        # Closing takes a second or two of rabbitmqctl; the relay may have finished
        # the backlog by then. More events make sure it publishes on the closed
        # connection either way, and has to notice and reconnect.
        ids += append_backlog(store, 2_000)
        wait_caught_up(store_uri, relay_name, relay)

        assert relay.alive()
        assert "retrying" in relay.log()
        assert relay.log().count("publishing after position") >= 2
        assert relay.terminate() == 0
        assert set(collect_everything(event_queue)) == set(ids)

    def test_a_connection_closed_while_idle_is_noticed_at_the_next_publish(
        self,
        store: EventStore,
        store_uri: str,
        amqp_uri: str,
        event_queue: EventQueue,
        relays: Relays,
        relay_name: str,
    ) -> None:
        before = append_backlog(store, 10)
        relay = relays.start(relay_name, window=WINDOW)
        wait_caught_up(store_uri, relay_name, relay)

        assert close_connections_in(vhost_of(amqp_uri)) >= 1
        after = append_backlog(store, 10)
        wait_caught_up(store_uri, relay_name, relay)

        assert "retrying" in relay.log()
        assert relay.terminate() == 0
        assert set(collect_everything(event_queue)) == set(before + after)

    def test_an_unreachable_broker_at_start_is_retried_until_sigterm(
        self, store: EventStore, relays: Relays, relay_name: str
    ) -> None:
        append_backlog(store, 3)
        relay = relays.start(relay_name, amqp_uri="amqp://guest:guest@127.0.0.1:1/")

        wait_until(
            lambda: relay.log().count("retrying in") >= 2,
            timeout=20,
            describe=lambda: f"two retries; relay log:\n{relay.tail()}",
        )
        assert relay.alive()
        assert relay.terminate(timeout=5) == 0


@pytest.fixture
def silent_proxy(amqp_uri: str) -> Iterator[tuple[SilentableProxy, str]]:
    """A proxy in front of the broker, and the AMQP URI that goes through it."""
    parts = urlsplit(amqp_uri)
    proxy = SilentableProxy((parts.hostname or "127.0.0.1", parts.port or 5672))
    netloc = f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"
    yield proxy, parts._replace(netloc=netloc).geturl()
    proxy.close()


class TestBrokerGoesSilent:
    def test_a_connection_that_stops_answering_is_abandoned_and_replaced(
        self,
        store: EventStore,
        store_uri: str,
        event_queue: EventQueue,
        relay_threads: RelayThreads,
        relay_name: str,
        silent_proxy: tuple[SilentableProxy, str],
    ) -> None:
        proxy, via_proxy = silent_proxy
        relay = relay_threads.start(relay_name, amqp_uri=via_proxy, confirm_timeout=1)
        before = append_backlog(store, 10)
        wait_caught_up(store_uri, relay_name)

        assert proxy.silence() == 1
        after = append_backlog(store, 10)
        wait_until(
            lambda: caught_up(store_uri, relay_name),
            timeout=20,
            describe="the relay to give up the silent connection and reconnect",
        )
        relay.stop()

        assert set(collect_everything(event_queue)) == set(before + after)

    def test_a_broker_that_stops_reading_mid_window_does_not_block_the_relay(
        self,
        store: EventStore,
        store_uri: str,
        event_queue: EventQueue,
        relay_threads: RelayThreads,
        relay_name: str,
        silent_proxy: tuple[SilentableProxy, str],
    ) -> None:
        proxy, via_proxy = silent_proxy
        relay = relay_threads.start(relay_name, amqp_uri=via_proxy, confirm_timeout=1)
        first = append_backlog(store, 1)
        wait_caught_up(store_uri, relay_name)

        assert proxy.silence() == 1
        # One window of ~32 MB: more than the socket buffers take, so a publish
        # to a peer that reads nothing blocks unless writes are bounded.
        ids = first + append_backlog(store, WINDOW, payload_bytes=64_000)
        wait_until(
            lambda: caught_up(store_uri, relay_name),
            timeout=30,
            describe="the relay to give up the blocked connection and reconnect",
        )
        relay.stop()

        assert set(collect_everything(event_queue)) == set(ids)

    def test_a_stop_is_not_held_up_by_confirms_that_never_come(
        self,
        store: EventStore,
        store_uri: str,
        relay_threads: RelayThreads,
        relay_name: str,
        silent_proxy: tuple[SilentableProxy, str],
    ) -> None:
        proxy, via_proxy = silent_proxy
        relay = relay_threads.start(relay_name, amqp_uri=via_proxy, confirm_timeout=60)
        append_backlog(store, 1)
        wait_caught_up(store_uri, relay_name)
        confirmed = checkpoint(store_uri, relay_name)

        assert proxy.silence() == 1
        append_backlog(store, 5)  # published, but no confirm will ever come
        wait_until(
            lambda: relay.relay.position == confirmed and last_position(store_uri) > 0,
            timeout=5,
            describe="the relay to be waiting on confirms",
        )
        started = time.monotonic()
        relay.stop()
        assert time.monotonic() - started < 10  # not the 60 s confirm timeout
        assert checkpoint(store_uri, relay_name) == confirmed  # nothing unconfirmed


class TestStandbyRelay:
    def test_only_the_leader_publishes_and_the_standby_takes_over_when_it_dies(
        self,
        store: EventStore,
        store_uri: str,
        event_queue: EventQueue,
        relays: Relays,
        relay_name: str,
    ) -> None:
        first = append_backlog(store, 50)
        leader = relays.start(relay_name)
        wait_caught_up(store_uri, relay_name, leader)
        standby = relays.start(relay_name)
        wait_until(
            lambda: "waiting as standby" in standby.log(),
            timeout=30,
            describe=lambda: f"the standby; its log:\n{standby.tail()}",
        )

        second = append_backlog(store, 50)
        wait_caught_up(store_uri, relay_name, leader)
        assert "publishing" not in standby.log()

        leader.kill()
        resumed_at = checkpoint(store_uri, relay_name)
        third = append_backlog(store, 50)
        wait_caught_up(store_uri, relay_name, standby)

        assert f"publishing after position {resumed_at}" in standby.log()
        assert standby.terminate() == 0
        assert collect_everything(event_queue) == first + second + third
