"""Fixtures for the operations tests: real processes, PostgreSQL and RabbitMQ."""

from tests.support.fixtures import (  # noqa: F401 - fixtures are found by name
    processes,
    store,
    store_uri,
)
