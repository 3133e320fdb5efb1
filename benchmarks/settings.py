"""Sizes and endpoints of a run: defaults, environment variables, command-line flags."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from eventing.config import DEFAULTS


def _knob(default: object, text: str) -> Any:
    return field(default=default, metadata={"help": text})


@dataclass(frozen=True)
class Sizes:
    """Every knob of a run. Each has an environment variable BENCH_<NAME>."""

    duration: float = _knob(1.5, "seconds per measured sample (write rows, row 6)")
    warmup: float = _knob(1.0, "seconds each side runs before it is measured")
    reps: int = _knob(7, "measured samples per side; the median is reported")
    writers: int = _knob(4, "threads in the concurrent-writer rows")
    batch: int = _knob(100, "events per append in the batched row")
    batch_baseline: str = _knob(
        "unnest", "plain batched INSERT: unnest | values | executemany"
    )
    read_events: int = _knob(200_000, "events in the catch-up read")
    read_batch: int = _knob(1000, "events per page (ours) / per fetch (cursor)")
    relay_events: int = _knob(50_000, "messages per relay sample")
    relay_window: int = _knob(500, "publisher-confirm window")
    relay_reps: int = _knob(3, "measured samples per side in the relay rows")
    relay_sync: bool = _knob(
        False, "baseline clock stops only after a round trip on its channel"
    )
    notify: bool = _knob(True, "the store's NOTIFY wake-up (on in production)")
    org_bureaus: int = _knob(30, "bureaus in the org-chart import")
    org_units: int = _knob(25, "units per bureau in the org-chart import")
    org_people: int = _knob(60, "people per unit in the org-chart import")
    http_clients: int = _knob(16, "concurrent HTTP clients in the gateway rows")
    http_items_per_client: int = _knob(20, "ledger items each HTTP client rotates over")
    dashboard_units: int = _knob(100, "units of the bureau in the read-model rows")
    dashboard_items: int = _knob(10_000, "ledger items of that bureau")
    dashboard_clients: int = _knob(32, "concurrent clients of the dashboard row")
    rebuild_events: int = _knob(1_000_000, "events in the store for the rebuild row")
    rebuild_reps: int = _knob(3, "measured rebuilds (and raw reads), median reported")
    vote_voters: int = _knob(5_000, "voters of the evaluation round row")
    vote_clients: int = _knob(32, "parallel HTTP clients casting their votes")
    esdb_read_events: int = _knob(
        20_000, "events in the EventStoreDB catch-up read (test server)"
    )


QUICK = Sizes(
    duration=0.3,
    warmup=0.1,
    reps=1,
    read_events=5_000,
    relay_events=2_000,
    relay_reps=1,
    org_bureaus=2,
    org_units=3,
    org_people=5,
    http_clients=4,
    http_items_per_client=2,
    dashboard_units=5,
    dashboard_items=50,
    dashboard_clients=4,
    rebuild_events=2_000,
    rebuild_reps=1,
    vote_voters=50,
    vote_clients=4,
    esdb_read_events=2_000,
)


@dataclass(frozen=True)
class Settings:
    sizes: Sizes
    postgres: str  # conninfo of the server (its database name is ignored)
    amqp_uri: str  # broker URI (its vhost is replaced by a throwaway one)
    only: tuple[str, ...]  # row keys to run; empty = all


def _coerce(kind: type, raw: str) -> object:
    if kind is bool:
        return raw.lower() not in ("0", "false", "no", "off", "")
    return kind(raw)


def _sizes_from_env(base: Sizes) -> Sizes:
    changes: dict[str, Any] = {}
    for f in fields(Sizes):
        raw = os.environ.get(f"BENCH_{f.name.upper()}")
        if raw is not None:
            changes[f.name] = _coerce(type(getattr(base, f.name)), raw)
    return replace(base, **changes)


ROWS = (
    "single",
    "concurrent",
    "batched",
    "catchup",
    "relay",
    "eventsourcing",
    "organization",
    "gateway",
    "views",
    "votes",
    "esdb",
)


def parse(argv: Sequence[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Event-store and relay benchmarks, each against a baseline "
        "measured in the same run. Every size also reads BENCH_<NAME> from the "
        "environment (e.g. BENCH_READ_EVENTS=50000); flags win over the environment.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes: a smoke run of a few seconds"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=ROWS,
        default=[],
        help="run only this row (repeatable)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES")
        or os.environ.get("EVENTSTORE_URI")
        or DEFAULTS["EVENTSTORE_URI"],
        help="PostgreSQL server (a throwaway bench_<hex> database is created on it)",
    )
    parser.add_argument(
        "--amqp",
        default=os.environ.get("BENCH_AMQP")
        or os.environ.get("AMQP_URI")
        or DEFAULTS["AMQP_URI"],
        help="RabbitMQ broker (a throwaway bench_<hex> vhost is created on it)",
    )
    for f in fields(Sizes):
        if isinstance(f.default, bool):
            continue
        parser.add_argument(
            "--" + f.name.replace("_", "-"),
            type=type(f.default),
            default=None,
            metavar=type(f.default).__name__.upper(),
            help=f"{f.metadata['help']} (default {f.default})",
        )
    parser.add_argument(
        "--no-notify",
        action="store_true",
        help="append without the store's NOTIFY wake-up (diagnosis only)",
    )
    args = parser.parse_args(argv)
    sizes = _sizes_from_env(QUICK if args.quick else Sizes())
    changes: dict[str, Any] = {
        f.name: getattr(args, f.name)
        for f in fields(Sizes)
        if getattr(args, f.name, None) is not None
    }
    if args.no_notify:
        changes["notify"] = False
    sizes = replace(sizes, **changes)
    return Settings(
        sizes=sizes,
        postgres=args.postgres,
        amqp_uri=args.amqp,
        only=tuple(args.only),
    )
