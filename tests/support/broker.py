"""RabbitMQ helpers: a queue that records what the relay published, and rabbitmqctl."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import amqp
import kombu


@dataclass(frozen=True)
class Received:
    """One message as a consumer saw it."""

    exchange: str
    routing_key: str
    message_id: str | None
    content_type: str | None
    body: dict[str, Any]


class EventQueue:
    """A durable queue bound to `<service>.events` (every routing key).

    Declared up front, so it buffers everything published from then on while no
    connection of ours is open; `collect` reads what has arrived.
    """

    def __init__(self, amqp_uri: str, service: str) -> None:
        self.amqp_uri = amqp_uri
        self.exchange = kombu.Exchange(
            f"{service}.events", type="topic", durable=True, auto_delete=False
        )
        self.queue = kombu.Queue(
            f"test-{service}-{uuid.uuid4().hex[:8]}",
            exchange=self.exchange,
            routing_key="#",
            durable=True,
            auto_delete=False,
        )
        self.received: list[Received] = []
        with kombu.Connection(self.amqp_uri) as conn:
            self.queue(conn.default_channel).declare()

    def collect(
        self, until: Callable[[list[Received]], bool], timeout: float
    ) -> list[Received]:
        """Consume until `until(received)` holds; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout

        def record(body: Any, message: kombu.Message) -> None:
            props = message.properties
            self.received.append(
                Received(
                    exchange=message.delivery_info["exchange"],
                    routing_key=message.delivery_info["routing_key"],
                    message_id=props.get("message_id"),
                    content_type=message.content_type,
                    body=json.loads(message.body),
                )
            )
            message.ack()

        with (
            kombu.Connection(self.amqp_uri) as conn,
            conn.Consumer(self.queue, callbacks=[record], prefetch_count=1000),
        ):
            while not until(self.received):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out after {timeout:.0f}s: {len(self.received)} "
                        f"messages on {self.queue.name}"
                    )
                try:
                    conn.drain_events(timeout=min(remaining, 0.5))
                except TimeoutError:
                    continue
        return self.received

    def message_ids(self) -> list[str | None]:
        return [message.message_id for message in self.received]

    def delete(self) -> None:
        with kombu.Connection(self.amqp_uri) as conn:
            self.queue(conn.default_channel).delete()


def vhost_of(amqp_uri: str) -> str:
    return unquote(urlsplit(amqp_uri).path.lstrip("/")) or "/"


def rabbitmqctl(*args: str) -> str:
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        raise AssertionError("rabbitmqctl is needed for this test")
    done = subprocess.run(
        [ctl, "-q", *args], check=True, capture_output=True, text=True, timeout=60
    )
    return done.stdout


def connections_in(vhost: str) -> list[str]:
    """Erlang pids of the connections open in `vhost` (shared broker: only ours)."""
    pids = []
    for line in rabbitmqctl("list_connections", "pid", "vhost").splitlines():
        fields = line.split("\t")
        if len(fields) == 2 and fields[1] == vhost:
            pids.append(fields[0])
    return pids


def close_connections_in(vhost: str, reason: str = "test drops the connection") -> int:
    """Close every connection open in `vhost`; how many were closed."""
    pids = connections_in(vhost)
    for pid in pids:
        rabbitmqctl("close_connection", pid, reason)
    return len(pids)


def consumers_of(amqp_uri: str, queue: str) -> int:
    """How many consumers `queue` has; 0 if it does not exist (yet)."""
    try:
        with kombu.Connection(amqp_uri) as conn:
            declared = conn.default_channel.queue_declare(queue, passive=True)
    except amqp.exceptions.NotFound:
        return 0
    return int(declared.consumer_count)
