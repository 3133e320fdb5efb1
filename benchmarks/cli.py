"""`python -m benchmarks`: run every row, print one table, exit 0.

It reports; it does not judge: a row that misses its target says FAIL in the table
and the exit status stays 0 (a row that could not run at all says ERROR).
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from time import perf_counter
from types import FrameType

import psycopg
from psycopg.conninfo import make_conninfo

from benchmarks import sandbox
from benchmarks.measure import Comparison
from benchmarks.report import Row, Target, details, table
from benchmarks.settings import Settings, parse

log = logging.getLogger("benchmarks")


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _load() -> str:
    try:
        with open("/proc/loadavg", encoding="ascii") as loadavg:
            return "load " + " ".join(loadavg.read().split()[:3])
    except OSError:
        return "load unknown"


def _memory() -> str:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            kb = int(meminfo.readline().split()[1])
        return f"{kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        return "RAM unknown"


def _server_facts(server: str) -> str:
    try:
        with psycopg.connect(make_conninfo(server, dbname="postgres")) as conn:
            version = conn.execute("SHOW server_version").fetchone()
            fsync = conn.execute("SHOW fsync").fetchone()
            sync = conn.execute("SHOW synchronous_commit").fetchone()
        assert version and fsync and sync
        return (
            f"PostgreSQL {version[0]} (fsync={fsync[0]}, synchronous_commit={sync[0]})"
        )
    except psycopg.Error as error:
        return "PostgreSQL unreachable: " + " ".join(str(error).split())


def _plan(settings: Settings) -> dict[str, list[Row]]:
    s = settings.sizes
    plain = "plain autocommit single-row INSERT into a same-shape table (bigserial)"
    rows = {
        "single": [Row("append 1 event/call, 1 writer", "ev/s", Target(0.70), plain)],
        "concurrent": [
            Row(
                f"append 1 event/call, {s.writers} writers",
                "ev/s",
                Target(0.50),
                f"{plain}, {s.writers} connections",
            )
        ],
        "batched": [
            Row(
                f"append {s.batch} events/call, 1 writer",
                "ev/s",
                Target(0.70, floor=30_000),
                f"plain {s.batch}-row INSERT per transaction "
                f"({s.batch_baseline}) into the same-shape table",
            )
        ],
        "catchup": [
            Row(
                f"catch-up read of {s.read_events:,} events",
                "ev/s",
                Target(0.60),
                f"server-side cursor scan (itersize {s.read_batch}), json decoded",
            )
        ],
        "relay": [
            Row(
                f"relay: publish_window, confirms, window {s.relay_window}",
                "msg/s",
                Target(0.40),
                "unconfirmed persistent basic_publish of the same messages",
            ),
            Row(
                "relay: Relay loop (read, confirm, checkpoint)",
                "msg/s",
                Target(0.40),
                "unconfirmed persistent basic_publish of the same messages",
            ),
        ],
        "eventsourcing": [
            Row(
                "save 1-event aggregates vs eventsourcing, 1 writer",
                "agg/s",
                Target(times=1.5),
                _their_version(),
            ),
            Row(
                f"save 1-event aggregates vs eventsourcing, {s.writers} writers",
                "agg/s",
                Target(times=1.5),
                _their_version(),
            ),
        ],
        "organization": [
            Row(
                f"org chart import, {s.org_bureaus}x{s.org_units}x{s.org_people} "
                f"= {s.org_bureaus * s.org_units * s.org_people:,} people (.xlsx)",
                "ev/s",
                Target(within=120),
                "raw single-event appends through the port, 4 threads, same run",
            )
        ],
        "gateway": [
            Row(
                f"command through HTTP, {s.http_clients} clients",
                "req/s",
                Target(0.40),
                f"bare Nameko RPC echo, {s.http_clients} threads, same payload",
            ),
            Row(
                f"p99 latency of that command, {s.http_clients} clients",
                "ms",
                Target(at_most=50),
                "p99 of the echo calls",
            ),
        ],
        "votes": [
            Row(
                f"evaluation round, {s.vote_voters:,} voters casting through HTTP, "
                f"{s.vote_clients} clients",
                "votes/s",
                Target(within=120),
                "GET /api/v1/auth/me through the same gateway, same tokens",
            ),
        ],
        "views": [
            Row(
                f"projection rebuild (ledger_board), {s.rebuild_events:,} events",
                "ev/s",
                Target(0.50),
                "raw catch-up read of the same events (server-side cursor, JSON)",
            ),
            Row(
                f"p99 of the unit dashboard, {s.dashboard_clients} clients, "
                f"{s.dashboard_items:,} items",
                "ms",
                Target(at_most=30),
                "p99 of GET /health on the same gateway, same clients",
            ),
        ],
        "esdb": _esdb_plan(settings),
    }
    return {key: value for key, value in rows.items() if key in settings.only} or rows


def _esdb_plan(settings: Settings) -> list[Row]:
    s = settings.sizes
    raw = "raw esdbclient append_to_stream, same server, same payload and metadata size"
    return [
        Row("esdb: append 1 event/call", "ev/s", Target(0.90), raw),
        Row(f"esdb: append {s.batch} events/call", "ev/s", Target(0.90), raw),
        Row(
            f"esdb: append {s.batch} events/call, every position asked for",
            "ev/s",
            Target(0.90),
            f"raw append_to_stream, then get_stream of its first {s.batch - 1} "
            "events (the server answers with the last position only; ours reads "
            "the others back when result.positions is asked for)",
        ),
        Row(
            f"esdb: catch-up read of {s.esdb_read_events:,} events, "
            f"{s.read_batch:,} a page",
            "ev/s",
            Target(0.90),
            f"raw esdbclient read_all page by page, {s.read_batch:,} a page from the "
            "last position read, the adapter's stream filter; data and metadata "
            "JSON-decoded, each page kept until the next",
        ),
    ]


def _their_version() -> str:
    try:
        from importlib.metadata import version

        return f"eventsourcing {version('eventsourcing')} Application, PostgreSQL"
    except Exception:
        return "eventsourcing (not installed)"


def _run(row: Row, measure: Callable[[], Comparison]) -> None:
    _progress(f"{row.what} ...")
    started = perf_counter()
    try:
        row.result = measure()
    except Exception as error:
        row.error = f"{type(error).__name__}: {error}"
        log.debug("row failed", exc_info=True)
        traceback.print_exc(file=sys.stderr)
    _progress(f"{row.what}: done in {perf_counter() - started:.1f}s")


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so the throwaway database and vhost are dropped."""

    def handle(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _group_errors(plan: dict[str, list[Row]], keys: Sequence[str]) -> Iterator[None]:
    """A failure outside any row (database unreachable, ...) marks the group ERROR."""
    try:
        yield
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        for key in keys:
            for row in plan.get(key, []):
                if row.result is None and row.error is None:
                    row.error = f"{type(error).__name__}: {error}"


def _write_rows(settings: Settings, plan: dict[str, list[Row]], db: str) -> None:
    from benchmarks.writes import WriteBench

    bench = WriteBench(db, settings.sizes)
    try:
        if "single" in plan:
            _run(plan["single"][0], bench.single)
        if "concurrent" in plan:
            _run(plan["concurrent"][0], bench.concurrent)
        if "batched" in plan:
            _run(plan["batched"][0], bench.batched)
    finally:
        bench.close()


def _versus_rows(settings: Settings, rows: list[Row], db: str) -> None:
    """Row 6 in a database of its own, so both sides start from empty tables."""
    from benchmarks.versus import VersusBench
    from eventing.store.postgres import PostgresEventStore

    sizes = settings.sizes
    store = PostgresEventStore(
        db, pool_size=max(sizes.writers, 4) + 1, notify=sizes.notify
    )
    try:
        versus = VersusBench(store, db, sizes)
        try:
            one, many = rows
            _run(one, lambda: versus.compare(1))
            _run(many, lambda: versus.compare(sizes.writers))
        finally:
            versus.close()
    finally:
        store.close()


def _read_rows(
    settings: Settings, plan: dict[str, list[Row]], db: str, rid: str
) -> None:
    from benchmarks.reads import ReadBench, populate
    from eventing.store.postgres import PostgresEventStore

    sizes = settings.sizes
    store = PostgresEventStore(db, notify=sizes.notify)
    try:
        count = max(
            sizes.read_events if "catchup" in plan else 0,
            sizes.relay_events if "relay" in plan else 0,
        )
        _progress(f"populating {count:,} events through the store ...")
        started = perf_counter()
        populate(store, count)
        _progress(f"populated in {perf_counter() - started:.1f}s")
        if "catchup" in plan:
            _run(plan["catchup"][0], ReadBench(store, db, sizes).compare)
        if "relay" in plan:
            _relay_rows(settings, plan["relay"], store, db, rid)
    finally:
        store.close()


def _relay_rows(
    settings: Settings, rows: list[Row], store: object, db: str, rid: str
) -> None:
    from benchmarks.publish import PublishBench

    if not sandbox.rabbitmqctl_available():
        for row in rows:
            row.error = "rabbitmqctl not found: cannot create a throwaway vhost"
        return
    with sandbox.vhost(settings.amqp_uri, f"bench_{rid}") as uri:
        bench = PublishBench(store, db, uri, settings.sizes)  # type: ignore[arg-type]
        try:
            windows, loop = rows
            _run(windows, lambda: bench.compare(bench.windows))
            _run(loop, lambda: bench.compare(bench.relay))
        finally:
            bench.close()


def _gateway_rows(settings: Settings, rows: list[Row], db: str, uri: str) -> None:
    from benchmarks.gateway import GatewayBench

    bench = GatewayBench(settings.postgres, db, uri, settings.sizes)
    try:
        throughput, latency = rows
        _run(throughput, bench.compare)
        _run(latency, bench.latency_row)
    finally:
        bench.close()


def _votes_rows(settings: Settings, rows: list[Row], db: str, uri: str) -> None:
    from benchmarks.gateway import GatewayBench
    from benchmarks.votes import VotesBench

    bench = GatewayBench(
        settings.postgres,
        db,
        uri,
        settings.sizes,
        modules=(
            "services.organization.service",
            "services.evaluation.service",
            "gateway.service",
        ),
    )
    try:
        bench.system.start()
        _run(rows[0], VotesBench(bench.system, settings.sizes).compare)
    finally:
        bench.close()


def _views_rows(settings: Settings, rows: list[Row], db: str) -> None:
    from benchmarks.views import ViewsBench

    bench = ViewsBench(db, settings.sizes)
    try:
        rebuilt, dashboard = rows
        _run(rebuilt, bench.rebuild_row)
        _run(dashboard, bench.dashboard_row)
    finally:
        bench.close()


def _esdb_rows(settings: Settings, rows: list[Row]) -> None:
    """The EventStoreDB adapter against raw esdbclient, on the test double."""
    from benchmarks.esdb import EsdbBench

    bench = EsdbBench(settings.sizes)
    try:
        single, batched, batched_read_back, catchup = rows
        _run(catchup, bench.catchup)  # first: it reads the start of the log
        _run(single, bench.single)
        _run(batched, bench.batched)
        _run(batched_read_back, bench.batched_with_read_back)
    finally:
        bench.close()


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse(argv)
    logging.basicConfig(
        level=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        format="%(levelname)s %(name)s: %(message)s",
    )
    plan = _plan(settings)
    rid = sandbox.run_id()
    load_at_start = _load()
    started = perf_counter()
    write_keys = ("single", "concurrent", "batched")
    read_keys = ("catchup", "relay")
    with _terminate_cleanly():
        if any(key in plan for key in write_keys):
            name = f"bench_{rid}"
            with (
                _group_errors(plan, write_keys),
                sandbox.store_database(settings.postgres, name) as db,
            ):
                _write_rows(settings, plan, db)
        if "eventsourcing" in plan:
            name = f"bench_{rid}_es"
            with (
                _group_errors(plan, ["eventsourcing"]),
                sandbox.store_database(settings.postgres, name) as db,
            ):
                _versus_rows(settings, plan["eventsourcing"], db)
        if "organization" in plan:
            name = f"bench_{rid}_org"
            with (
                _group_errors(plan, ["organization"]),
                sandbox.store_database(settings.postgres, name) as db,
            ):
                from benchmarks.organization import OrgImportBench

                _run(
                    plan["organization"][0], OrgImportBench(db, settings.sizes).compare
                )
        if "gateway" in plan:
            name = f"bench_{rid}_gw"
            with (
                _group_errors(plan, ["gateway"]),
                sandbox.store_database(settings.postgres, name) as db,
                sandbox.vhost(settings.amqp_uri, f"bench_{rid}_gw") as uri,
            ):
                _gateway_rows(settings, plan["gateway"], db, uri)
        if "votes" in plan:
            name = f"bench_{rid}_votes"
            with (
                _group_errors(plan, ["votes"]),
                sandbox.store_database(settings.postgres, name) as db,
                sandbox.vhost(settings.amqp_uri, name) as uri,
            ):
                _votes_rows(settings, plan["votes"], db, uri)
        if "views" in plan:
            name = f"bench_{rid}_views"
            with (
                _group_errors(plan, ["views"]),
                sandbox.store_database(settings.postgres, name) as db,
            ):
                _views_rows(settings, plan["views"], db)
        if "esdb" in plan:
            with _group_errors(plan, ["esdb"]):
                _esdb_rows(settings, plan["esdb"])
        if any(key in plan for key in read_keys):
            name = f"bench_{rid}_read"
            with (
                _group_errors(plan, read_keys),
                sandbox.store_database(settings.postgres, name) as db,
            ):
                _read_rows(settings, plan, db, rid)
    rows = [row for group in plan.values() for row in group]
    print(
        f"Machine: {os.cpu_count()} CPUs, {_memory()}, {load_at_start} at start, "
        f"{platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; "
        f"{_server_facts(settings.postgres)}"
    )
    print(f"Sizes: {settings.sizes}")
    print(table(rows))
    print("Samples (each median is over these):")
    print(details(rows))
    print(
        f"Total time {perf_counter() - started:.0f}s, {_load()} at the end (run {rid})."
    )
    # A missed target is a finding, not a failure; a row that could not be measured
    # at all (ERROR) means the benchmark itself is broken.
    return 1 if any(row.result is None for row in rows) else 0
