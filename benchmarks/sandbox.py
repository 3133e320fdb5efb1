"""Throwaway resources: a fresh PostgreSQL database and RabbitMQ vhost per run.

Nothing a benchmark does can touch user data: every database is created under a
random `bench_<hex>` name and dropped (WITH (FORCE)) when the run ends, and every
message goes to a `bench_<hex>` vhost that is deleted afterwards.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from eventing.migrate import ensure_database, migrate_store

log = logging.getLogger("benchmarks")


def run_id() -> str:
    return secrets.token_hex(4)


def _admin(server: str) -> str:
    return make_conninfo(server, dbname="postgres")


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(_admin(server), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


@contextlib.contextmanager
def store_database(server: str, name: str) -> Iterator[str]:
    """A migrated event-store database named `name`; dropped on exit."""
    if not name.startswith("bench_"):
        raise ValueError(f"refusing to use a database not named bench_*: {name}")
    conninfo = make_conninfo(server, dbname=name)
    if not ensure_database(conninfo):
        # Never drop a database this run did not create.
        raise RuntimeError(f"database {name} already exists; not touching it")
    try:
        migrate_store(conninfo)
        yield conninfo
    finally:
        drop_database(server, name)


def rabbitmqctl_available() -> bool:
    return shutil.which("rabbitmqctl") is not None


def _ctl(*args: str) -> None:
    subprocess.run(
        ["rabbitmqctl", "-q", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=60,
    )


def _with_vhost(amqp_uri: str, vhost: str) -> tuple[str, str]:
    """The URI pointing at `vhost`, and the user name to grant it to."""
    parts = urlsplit(amqp_uri)
    user = parts.username or "guest"
    return urlunsplit(parts._replace(path="/" + quote(vhost, safe=""))), user


@contextlib.contextmanager
def vhost(amqp_uri: str, name: str) -> Iterator[str]:
    """A fresh RabbitMQ vhost (via rabbitmqctl) usable by the URI's user."""
    if not name.startswith("bench_"):
        raise ValueError(f"refusing to use a vhost not named bench_*: {name}")
    uri, user = _with_vhost(amqp_uri, name)
    _ctl("add_vhost", name)
    try:
        _ctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        yield uri
    finally:
        try:
            _ctl("delete_vhost", name)
        except (subprocess.SubprocessError, OSError) as error:
            log.warning("could not delete vhost %s: %s", name, error)
