"""Fixtures for end-to-end tests: real Nameko services, relay, RabbitMQ, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.fixtures import (  # noqa: F401 - fixtures are found by name
    processes,
    relay_name,
    relays,
    store,
    store_uri,
)
from tests.support.nameko_run import NamekoServices
from tests.support.processes import Processes


@pytest.fixture(scope="module")
def amqp_uri(module_amqp_uri: str) -> str:
    """End-to-end modules get a vhost each: a relay of one module must never feed
    its events to the durable queues another module's services left behind."""
    return module_amqp_uri


@pytest.fixture
def nameko_services(
    processes: Processes,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
    store_uri: str,  # noqa: F811
    amqp_uri: str,
) -> NamekoServices:
    return NamekoServices(processes, tmp_path, store_uri, amqp_uri)


@pytest.fixture
def rpc(amqp_uri: str) -> Iterator[Any]:
    """A standalone Nameko RPC proxy into the run's vhost (no eventlet needed)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as proxy:
        yield proxy
