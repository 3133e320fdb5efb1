"""Fixtures for tests against the real PostgreSQL and RabbitMQ."""

from tests.support.fixtures import (  # noqa: F401 - fixtures are found by name
    event_queue,
    processes,
    relay_name,
    relays,
    store,
    store_uri,
)
