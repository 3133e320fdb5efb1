"""Issue 9's read-model rows: a dashboard query through HTTP, and a projection rebuild.

One bureau (b01) with `dashboard_units` units and `dashboard_items` ledger items, each
item opened, planned and then noted on until the store holds `rebuild_events` events,
written through the ledger's own aggregates (so every event is one the projection
really applies).

- Rebuild: `gateway.projections.runner.rebuild` of `ledger_board` from position zero
  (shadow tables, swap), events per second; baseline: the raw catch-up read of the
  same events (server-side cursor, JSON decoded: benchmarks.reads).
- Dashboard: `GET /api/v1/views/unit-dashboard` on a running gateway at
  `dashboard_clients` concurrent keep-alive clients; the row is the p99 latency;
  baseline: `GET /health` on the same gateway at the same concurrency.
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

import jwt

from benchmarks import wrk
from benchmarks.gateway import Client, _sibling, _threads, _url, command, p99
from benchmarks.measure import Comparison
from benchmarks.reads import ReadBench
from benchmarks.settings import Sizes
from eventing.aggregate import CommandContext, Repository
from eventing.migrate import ensure_database, migrate_tracking
from eventing.store.postgres import PostgresEventStore
from gateway.projections.campaign_overview import CampaignOverviewProjection
from gateway.projections.complaint_queue import ComplaintQueueProjection
from gateway.projections.ledger_board import LedgerBoardProjection
from gateway.projections.org_chart import OrgChartProjection
from gateway.projections.runner import rebuild
from services.ledger.domain import ItemOpening, LedgerItem, SupervisorEligibility
from services.ledger.domain import registry as ledger_registry
from services.ledger.domain.model import Category, CheckDimension, Level, Source
from services.organization.domain import Campaign, Unit
from services.organization.domain import registry as organization_registry
from services.organization.domain.model import UnitKind

REPO = Path(__file__).resolve().parents[1]
BUREAU = "b01"
LEADER = "b01.001001"
AT = datetime(2026, 3, 1, 9, tzinfo=UTC)
CATEGORIES = list(Category)


_CACHED = (
    "the queries reuse an answer while no checkpoint moved (gateway.queries), as "
    "they would between writes; the gateway runs as make run starts it "
    "(gateway.workers)"
)


class ViewsBench:
    """Populates once; then the rebuild row and the dashboard row."""

    def __init__(self, store_db: str, sizes: Sizes) -> None:
        self.sizes = sizes
        self.store_db = store_db
        self.store_url = _url(store_db)
        self.readmodel = _url(_sibling(store_db, "_rm"))
        ensure_database(self.readmodel)
        migrate_tracking(self.readmodel)
        self.store = PostgresEventStore(self.store_url, pool_size=4, notify=False)
        self.gateway: subprocess.Popen[bytes] | None = None
        self.populated = 0

    def close(self) -> None:
        if self.gateway is not None:
            self.gateway.terminate()
            try:
                self.gateway.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.gateway.kill()
        self.store.close()
        from benchmarks.sandbox import drop_database

        drop_database(self.store_db, self.readmodel.rsplit("/", 1)[-1])

    # -- the data -------------------------------------------------------------------

    def populate(self) -> int:
        sizes = self.sizes
        ctx = CommandContext(BUREAU, "bench")
        org: Repository[Any] = Repository(
            self.store, organization_registry, Unit, "organization"
        )
        for n in range(sizes.dashboard_units):
            unit = Unit(f"{BUREAU}.u{n:03d}")
            kind = (UnitKind.OFFICE, UnitKind.STATION, UnitKind.AFFILIATED_UNIT)[n % 3]
            unit.register(BUREAU, f"u{n:03d}", f"单位{n:03d}", kind, n % 4 == 0)
            org.save(unit, ctx)
        campaigns: Repository[Any] = Repository(
            self.store, organization_registry, Campaign, "organization"
        )
        campaign = Campaign(f"{BUREAU}.2026")
        campaign.launch(BUREAU, 2026, "2026 作风建设年", None, None)
        campaigns.save(campaign, ctx)
        items: Repository[Any] = Repository(
            self.store, ledger_registry, LedgerItem, "ledger"
        )
        per_item = max(2, sizes.rebuild_events // max(sizes.dashboard_items, 1))
        eligibility = SupervisorEligibility.of(BUREAU, [LEADER])
        for n in range(sizes.dashboard_items):
            item = LedgerItem(uuid.uuid4().hex)
            source = Source.SELF_INSPECTION if n % 2 else Source.SPOT_CHECK
            item.open(
                ItemOpening(
                    BUREAU,
                    f"{BUREAU}.u{n % sizes.dashboard_units:03d}",
                    None,
                    Level.UNIT,
                    CATEGORIES[n % len(CATEGORIES)],
                    CheckDimension.WORK_STANDARDS
                    if source is Source.SELF_INSPECTION
                    else None,
                    source,
                    f"ref-{n}",
                    "窗口审批环节多，材料齐全仍需往返两次",
                    (),
                    date(2026, 3, 1),
                ),
                "bench",
                AT,
            )
            deadline = date(2026, 6, 30) + timedelta(days=n % 300)
            item.plan(["精简材料"], LEADER, BUREAU, eligibility, deadline, "bench", AT)
            for k in range(per_item - 2):
                item.note_progress(f"第 {k + 1} 次进展", "bench", AT, ())
            items.save(item, ctx)
        self.populated = (
            sizes.dashboard_units + 1 + sizes.dashboard_items * per_item
        )  # events written
        # Vacuumed and analyzed, as autovacuum would have the table on a running
        # system: without statistics, right after a bulk load, the planner takes
        # "position > after" for a handful of rows and sorts everything after the
        # checkpoint for each page (measured: the rebuild at 6% of the raw read
        # instead of ~50%); and autovacuum's own pass over a million fresh rows
        # would otherwise land in the middle of a later measurement (it did: the
        # first dashboard run after a full-size load had twice the p99 of the rest).
        import psycopg

        with psycopg.connect(self.store_url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE eventing.events")
        return self.populated

    # -- rebuild ----------------------------------------------------------------------

    def rebuild_row(self) -> Comparison:
        count = self.populate()
        for projection in (
            OrgChartProjection(),
            ComplaintQueueProjection(),
            CampaignOverviewProjection(),
        ):
            rebuild(self.store, self.readmodel, projection)
        raw = ReadBench(self.store, self.store_url, self.sizes)
        result = Comparison()
        events = len(self.store.read_all(0, limit=10**9, categories=["ledger_item"]))
        for rep in range(self.sizes.rebuild_reps):
            order = ["ours", "raw"] if rep % 2 == 0 else ["raw", "ours"]
            for side in order:
                if side == "ours":
                    started = perf_counter()
                    rebuild(self.store, self.readmodel, LedgerBoardProjection())
                    result.ours.append(events / (perf_counter() - started))
                else:
                    result.baseline.append(raw.baseline(count))
        result.notes.append(
            f"{count:,} events in the store, {events:,} of them ledger_board's "
            f"({self.sizes.dashboard_items:,} items); rate = those events / "
            "rebuild time"
        )
        return result

    # -- the dashboard ----------------------------------------------------------------

    def dashboard_row(self) -> Comparison:
        if not self.populated:
            self.rebuild_row()
        base, secret = self._start_gateway()
        token = jwt.encode(
            {
                "iss": "rectification-gateway",
                "sub": "bench",
                "bureau": BUREAU,
                "roles": ["leading_group_office", "staff"],
                "person": "b01.001002",
                "kind": "person",
                "jti": uuid.uuid4().hex,
                "iat": int(time.time()),
                "exp": int(time.time()) + 3600,
            },
            secret,
            algorithm="HS256",
        )
        clients = self.sizes.dashboard_clients
        check = Client(base, token)
        status, body = check.call("GET", "/api/v1/views/unit-dashboard?limit=50")
        if status != 200 or len(body["items"]) == 0:
            raise RuntimeError(f"dashboard answered {status}: {str(body)[:300]}")
        check.close()

        def dashboard(index: int) -> Any:
            client = Client(base, token)
            path = "/api/v1/views/unit-dashboard?limit=50"

            def op() -> None:
                code, _ = client.call("GET", path)
                if code != 200:
                    raise RuntimeError(f"dashboard answered {code}")

            return op

        def health(index: int) -> Any:
            client = Client(base)

            def op() -> None:
                client.call("GET", "/health")

            return op

        if wrk.available():
            return self._dashboard_by_wrk(base, token)
        ours_latencies: list[float] = []
        their_latencies: list[float] = []
        _threads(clients, dashboard, self.sizes.warmup)
        for rep in range(self.sizes.reps):
            order = [(dashboard, ours_latencies), (health, their_latencies)]
            if rep % 2:
                order.reverse()
            for make, latencies in order:
                _, sample = _threads(clients, make, self.sizes.duration)
                latencies.extend(sample)
        result = Comparison(
            ours=[p99(ours_latencies) * 1000], baseline=[p99(their_latencies) * 1000]
        )
        result.notes.append(
            f"{clients} Python client threads (no wrk, or BENCH_LOAD=threads: their "
            f"GIL waits are in these figures), {len(ours_latencies):,} answers "
            f"over {self.sizes.dashboard_units} units and "
            f"{self.sizes.dashboard_items:,} items; {_CACHED}"
        )
        return result

    def _dashboard_by_wrk(self, base: str, token: str) -> Comparison:
        """The same row with wrk's connections, runs alternated; like every row
        here, the row is the median of its samples (each run's p99), and the note
        lists them all, the worst included."""
        clients, seconds = self.sizes.dashboard_clients, self.sizes.duration
        page = f"{base}/api/v1/views/unit-dashboard?limit=50"
        # every worker's page cache and connection pool warm before measuring
        wrk.run(page, clients, max(self.sizes.warmup, 3.0), token)
        ours: list[wrk.Load] = []
        theirs: list[wrk.Load] = []
        for rep in range(self.sizes.reps):
            order = [(page, token, ours), (f"{base}/health", None, theirs)]
            if rep % 2:
                order.reverse()
            for url, bearer, into in order:
                into.append(wrk.run(url, clients, seconds, bearer))
        result = Comparison(
            ours=[load.p99_ms for load in ours],
            baseline=[load.p99_ms for load in theirs],
        )
        result.notes.append(
            f"wrk, {clients} connections, {self.sizes.reps} runs of {seconds:g} s; "
            f"p99 per run {[round(load.p99_ms, 1) for load in ours]} ms, /health "
            f"{[round(load.p99_ms, 1) for load in theirs]} ms; dashboard "
            f"{statistics.median(load.rate for load in ours):,.0f} answers/s over "
            f"{self.sizes.dashboard_units} units and {self.sizes.dashboard_items:,} "
            f"items; {_CACHED}"
        )
        return result

    def _start_gateway(self) -> tuple[str, str]:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        secret = secrets.token_urlsafe(32)
        env = {
            **os.environ,
            "PSYCOPG_WAIT_FUNC": "wait_select",
            "EVENTSTORE_URI": self.store_url,
            "READMODEL_DATABASE_URL": self.readmodel,
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(port),
            "GATEWAY_TOKEN_SECRET": secret,
            "LOG_LEVEL": "WARNING",
        }
        log = Path(tempfile.mkdtemp(prefix="bench-views-")) / "gateway.log"
        with log.open("wb") as out:
            self.gateway = subprocess.Popen(
                command("gateway.service"),
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.gateway.poll() is not None:
                raise RuntimeError("gateway exited:\n" + log.read_text()[-2000:])
            try:
                with urllib.request.urlopen(base + "/health", timeout=1):
                    return base, secret
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gateway did not start:\n" + log.read_text()[-2000:])
