"""Operator commands: `python -m eventing migrate|relay|verify|tail`."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Sequence

from eventing.config import Settings
from eventing.logs import configure_logging

log = logging.getLogger("eventing")


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handle(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stop


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from pathlib import Path

    from eventing.migrate import apply, ensure_database, migrate_store, migrate_tracking

    applied: list[str] = []
    if settings.eventstore_uri.startswith("postgres"):
        applied += migrate_store(settings.eventstore_uri)
    applied += migrate_tracking(settings.readmodel_database_url)
    # Each service's own tables (services/<name>/migrations: its keys) live in
    # KEYS_DATABASE_URL: the store's database by default, the read model's with
    # EventStoreDB (eventing.config.keys_database).
    ensure_database(settings.keys_database_url)
    services = Path(__file__).resolve().parent.parent / "services"
    for directory in sorted(services.glob("*/migrations")):
        table = f"{directory.parent.name}_service"
        applied += apply(settings.keys_database_url, directory, table=table)
    print(
        f"migrations applied: {len(applied)}"
        + (f" ({', '.join(applied)})" if applied else "")
    )
    return 0


def _store(settings: Settings):  # type: ignore[no-untyped-def]
    from eventing.store import open_store

    return open_store(
        settings.eventstore_uri,
        max_event_bytes=settings.max_event_bytes,
        notify=settings.notify,
        pool_size=2,
    )


def cmd_relay(settings: Settings, args: argparse.Namespace) -> int:
    from eventing import health, metrics
    from eventing.relay import Relay
    from eventing.subscription import PostgresCheckpoints, exclusive

    stop = _stop_on_signals()
    checkpoint_db = (
        settings.eventstore_uri
        if settings.eventstore_uri.startswith("postgres")
        else settings.readmodel_database_url
    )
    probes = [
        health.eventstore(settings.eventstore_uri),
        health.rabbitmq(settings.amqp_uri),
    ]
    if checkpoint_db != settings.eventstore_uri:
        probes.append(health.postgres("checkpoints", checkpoint_db))
    metrics.serve(args.metrics_port or settings.relay_metrics_port, probes=probes)
    store = _store(settings)
    relay = Relay(
        store,
        PostgresCheckpoints(checkpoint_db),
        settings.amqp_uri,
        name=args.name,
        window=settings.relay_window,
        exclude_categories=settings.relay_exclude_categories,
    )
    try:
        while not stop.is_set():
            # wait as a standby until this relay holds the lock; if the lock is lost
            # (PostgreSQL restarted), stop publishing and queue for it again
            with exclusive(checkpoint_db, args.name, stop) as lease:
                if lease is not None:
                    relay.run(stop, lease.held)
    finally:
        store.close()
    return 0


def cmd_verify(settings: Settings, _args: argparse.Namespace) -> int:
    store = _store(settings)
    try:
        report = store.verify()
    finally:
        store.close()
    for link in report.broken:
        print(f"BROKEN {link.stream} at version {link.version}: {link.reason}")
    state = "intact" if report.ok else f"{len(report.broken)} broken"
    print(f"verified {report.streams} streams, {report.events} events: {state}")
    return 0 if report.ok else 1


def cmd_tail(settings: Settings, args: argparse.Namespace) -> int:
    stop = _stop_on_signals()
    store = _store(settings)
    if args.after is not None:
        after = args.after
    else:
        after = 0 if args.from_start else store.head()
    try:
        for envelope in store.subscribe(
            after, categories=args.category or None, stop=stop.is_set
        ):
            if args.json:
                print(json.dumps(envelope.to_dict(), ensure_ascii=False), flush=True)
            else:
                print(
                    f"{envelope.position} {envelope.recorded_at:%Y-%m-%dT%H:%M:%S} "
                    f"{envelope.stream}@{envelope.version} {envelope.type} "
                    f"bureau={envelope.bureau_id} actor={envelope.actor}",
                    flush=True,
                )
    finally:
        store.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eventing")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create the databases and apply migrations")
    relay = commands.add_parser("relay", help="publish stored events to RabbitMQ")
    relay.add_argument("--name", default="relay")
    relay.add_argument("--metrics-port", type=int, default=None)
    commands.add_parser("verify", help="check every stream's hash chain")
    tail = commands.add_parser("tail", help="follow events as they are stored")
    tail.add_argument(
        "--after", type=int, default=None, help="start after this position"
    )
    tail.add_argument(
        "--from-start", action="store_true", help="start at the beginning"
    )
    tail.add_argument("--category", action="append", help="only this stream category")
    tail.add_argument("--json", action="store_true", help="one JSON envelope per line")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    configure_logging("eventing", settings.log_level)
    handlers = {
        "migrate": cmd_migrate,
        "relay": cmd_relay,
        "verify": cmd_verify,
        "tail": cmd_tail,
    }
    try:
        return handlers[args.command](settings, args)
    except Exception as error:
        from eventing.errors import EventingError

        if isinstance(error, EventingError):
            print(f"error [{error.code}]: {error}", file=sys.stderr)
            return 2
        raise
