"""Shared fixtures: isolated PostgreSQL databases and a RabbitMQ vhost per test run.

Every run gets its own names (a random run id), so concurrent runs on one machine never
collide; everything a run creates is dropped at its end.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from eventing.migrate import migrate_store, migrate_tracking
from tests.support.vhosts import VhostPool

PG_BASE = os.environ.get("TEST_PG_URI", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_HOST = os.environ.get("TEST_AMQP_HOST", "127.0.0.1:5672")
RUN_ID = uuid.uuid4().hex[:10]


def _db_uri(name: str) -> str:
    """PG_BASE with another database, as a postgresql:// URL (what open_store takes)."""
    return urlunsplit(urlsplit(PG_BASE)._replace(path=f"/{name}"))


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(PG_BASE, autocommit=True)


def _drop(name: str) -> None:
    with _admin() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


@pytest.fixture(scope="session")
def store_template() -> Iterator[str]:
    """A migrated event-store database used as the template for per-test copies."""
    name = f"evtest_{RUN_ID}_tmpl"
    migrate_store(_db_uri(name))
    yield name
    _drop(name)


def _fresh_store(store_template: str) -> Iterator[str]:
    name = f"evtest_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    with _admin() as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(store_template)
            )
        )
    yield _db_uri(name)
    _drop(name)


def _fresh_readmodel() -> Iterator[str]:
    name = f"evtest_{RUN_ID}_rm_{uuid.uuid4().hex[:8]}"
    migrate_tracking(_db_uri(name))
    yield _db_uri(name)
    _drop(name)


@pytest.fixture
def store_db(store_template: str) -> Iterator[str]:
    """A fresh, migrated, empty event-store database for one test; its conninfo."""
    yield from _fresh_store(store_template)


@pytest.fixture(scope="module")
def module_store_db(store_template: str) -> Iterator[str]:
    """Like store_db, shared by the tests of one module (a system started once)."""
    yield from _fresh_store(store_template)


@pytest.fixture(scope="module")
def module_readmodel_db() -> Iterator[str]:
    """Like readmodel_db, shared by the tests of one module."""
    yield from _fresh_readmodel()


@pytest.fixture(scope="session")
def vhost_pool() -> Iterator[VhostPool]:
    """This run's RabbitMQ vhosts (tests.support.vhosts): made ahead, deleted behind,
    every one gone at the end."""
    if shutil.which("rabbitmqctl") is None:
        pytest.fail("rabbitmqctl is needed to create an isolated vhost for this run")
    pool = VhostPool(f"evtest_{RUN_ID}")
    yield pool
    pool.close()


def _vhost_uri(vhost: str) -> str:
    return f"amqp://guest:guest@{AMQP_HOST}/{quote(vhost, safe='')}"


@pytest.fixture(scope="session")
def amqp_uri(vhost_pool: VhostPool) -> Iterator[str]:
    """A RabbitMQ vhost of this run only (guest may use it); its AMQP URI."""
    vhost = vhost_pool.take()
    yield _vhost_uri(vhost)
    vhost_pool.give_back(vhost)


@pytest.fixture
def readmodel_db() -> Iterator[str]:
    """A fresh read-model database (checkpoints table only) for one test."""
    yield from _fresh_readmodel()


@pytest.fixture(scope="module")
def module_amqp_uri(vhost_pool: VhostPool) -> Iterator[str]:
    """A vhost of one module: its durable event queues, and what is left in them
    when its services stop, go with it (never into the next module's services)."""
    vhost = vhost_pool.take()
    yield _vhost_uri(vhost)
    vhost_pool.give_back(vhost)


@pytest.fixture(scope="module")
def system(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    module_store_db: str,
    module_readmodel_db: str,
    module_amqp_uri: str,
) -> Iterator[object]:
    """The whole system for HTTP tests (tests.support.gateway), started once per
    module: the services by `nameko run`, the gateway, the projector. A module may
    set GATEWAY_SYSTEM = {...} (start_system's options, e.g. services=(...))."""
    from tests.support.gateway import running

    options = {"projector": True, **getattr(request.module, "GATEWAY_SYSTEM", {})}
    name = request.module.__name__.rsplit(".", 1)[-1]
    with running(
        tmp_path_factory.mktemp(name),
        module_store_db,
        module_readmodel_db,
        module_amqp_uri,
        **options,
    ) as started:
        yield started
