"""Issue 9's rows: a command through the HTTP API against a bare Nameko RPC echo.

Ours: `POST /api/v1/ledger/items/{id}/progress` (HTTP → gateway → RPC → ledger → load
the item, append one event → reply), 16 client threads with keep-alive connections,
each rotating over its own items so no stream grows long or sees contention.
Baseline: the same 16 threads calling a bare Nameko `echo` RPC (benchmarks.echo) with
the same payload size, each through its own ClusterRpcProxy. Both run in the same
throwaway database and vhost, with the same Nameko config (deploy/nameko.yaml),
samples alternated. The latency row is the p99 of every measured command.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from time import perf_counter
from typing import Any

from nameko.standalone.rpc import ClusterRpcProxy

from benchmarks.measure import Comparison
from benchmarks.settings import Sizes
from eventing.migrate import ensure_database, migrate_tracking
from services.organization.samples import sample_rows, write_rows

REPO = Path(__file__).resolve().parents[1]
CONFIG = str(REPO / "deploy" / "nameko.yaml")
PASSWORD = "Bench-password-2026!"
NOTE = {"note": "已完成窗口流程梳理，材料清单已公示"}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


MODULES = (
    "services.organization.service",
    "services.ledger.service",
    "benchmarks.echo",
    "gateway.service",
)


def command(module: str) -> list[str]:
    """How `make run` starts `module`: the gateway as its workers (half the CPUs
    unless GATEWAY_WORKERS says), every other one with `nameko run`."""
    if module == "gateway.service":
        return [sys.executable, "-m", "gateway.workers"]
    return [sys.executable, "-m", "nameko", "run", "--config", CONFIG, module]


class System:
    """The processes of a gateway row (by default organization, ledger, echo and
    the gateway), on a throwaway database and vhost, with a sample chart of b01."""

    def __init__(
        self,
        store_db: str,
        readmodel_db: str,
        amqp_uri: str,
        modules: tuple[str, ...] = MODULES,
    ) -> None:
        self.modules = modules
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.amqp_uri = amqp_uri
        self.env = {
            **os.environ,
            "PSYCOPG_WAIT_FUNC": "wait_select",
            "EVENTSTORE_URI": store_db,
            "READMODEL_DATABASE_URL": readmodel_db,
            "AMQP_URI": amqp_uri,
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(self.port),
            "GATEWAY_TOKEN_SECRET": secrets.token_urlsafe(32),
            "LOG_LEVEL": "WARNING",
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs = Path(tempfile.mkdtemp(prefix="bench-gateway-"))

    def start(self) -> None:
        from eventing.migrate import apply

        for module in self.modules:
            migrations = (
                REPO / module.replace(".", "/").rsplit("/", 1)[0] / "migrations"
            )
            if module.startswith("services.") and migrations.is_dir():
                name = module.split(".")[1]
                apply(self.env["EVENTSTORE_URI"], migrations, table=f"{name}_service")
        for module in self.modules:
            with (self.logs / f"{module}.log").open("wb") as log:
                self.processes.append(
                    subprocess.Popen(
                        command(module),
                        cwd=REPO,
                        env=self.env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for module, process in zip(self.modules, self.processes, strict=True):
                if process.poll() is not None:
                    tail = (self.logs / f"{module}.log").read_text()[-2000:]
                    raise RuntimeError(f"{module} exited at start:\n{tail}")
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        with ClusterRpcProxy({"AMQP_URI": self.amqp_uri}, timeout=60) as rpc:
            self._wait_for_services(rpc, deadline)
            rows = sample_rows(bureaus=1, units=3, people_per_unit=4, seed=11)
            workbook = base64.b64encode(write_rows(rows)).decode()
            ctx = {"bureau_id": "b01", "actor": "account:bench"}
            rpc.organization.import_org_chart({"workbook": workbook}, ctx)
            rpc.organization.open_account(
                {
                    "username": "bench",
                    "kind": "person",
                    "person_id": "b01.002004",
                    "password": PASSWORD,
                    "roles": [],
                },
                ctx,
            )
            if "benchmarks.echo" in self.modules:
                rpc.bench_echo.echo({}, {})

    def _wait_for_services(self, rpc: Any, deadline: float) -> None:
        """Until every service consumes its RPC queue (an error answer is fine)."""
        from nameko.exceptions import RemoteError, UnknownService

        probes = {
            "services.organization.service": ("organization", "get_bureau"),
            "services.ledger.service": ("ledger", "get_item"),
            "services.evaluation.service": ("evaluation", "get_round"),
            "benchmarks.echo": ("bench_echo", "echo"),
        }
        for service, method in (probes[m] for m in self.modules if m in probes):
            while True:
                try:
                    getattr(getattr(rpc, service), method)({}, {})
                    break
                except UnknownService:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
                except RemoteError:
                    break

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


class Client:
    """One keep-alive HTTP connection with a token."""

    def __init__(self, base: str, token: str | None = None) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.token = token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        self.conn.request(method, path, data, headers)
        response = self.conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None

    def close(self) -> None:
        self.conn.close()


def _threads(
    count: int, make: Callable[[int], Callable[[], None]], duration: float
) -> tuple[float, list[float]]:
    """`count` threads calling their op for `duration`; (rate, latencies in s)."""
    ops = [make(i) for i in range(count)]
    latencies: list[list[float]] = [[] for _ in range(count)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(count + 1)
    start: dict[str, float] = {}

    def work(index: int) -> None:
        try:
            barrier.wait()
            deadline = start["t"] + duration
            mine = latencies[index]
            op = ops[index]
            while True:
                began = perf_counter()
                op()
                now = perf_counter()
                mine.append(now - began)
                if now >= deadline:
                    break
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=work, args=(i,), daemon=True) for i in range(count)
    ]
    for thread in threads:
        thread.start()
    start["t"] = perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = perf_counter() - start["t"]
    if errors:
        raise errors[0]
    flat = [x for mine in latencies for x in mine]
    return len(flat) / elapsed, flat


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) > 1 else values[0]


class GatewayBench:
    """Command through HTTP vs bare RPC echo, at `clients` concurrency."""

    def __init__(
        self,
        server: str,
        store_db: str,
        amqp_uri: str,
        sizes: Sizes,
        modules: tuple[str, ...] = MODULES,
    ) -> None:
        self.sizes = sizes
        self.readmodel_db = _sibling(store_db, "_rm")
        ensure_database(self.readmodel_db)
        migrate_tracking(self.readmodel_db)
        self.system = System(_url(store_db), _url(self.readmodel_db), amqp_uri, modules)
        self.latency: Comparison | None = None

    def close(self) -> None:
        from psycopg.conninfo import conninfo_to_dict

        from benchmarks.sandbox import drop_database

        self.system.stop()
        drop_database(
            self.readmodel_db, str(conninfo_to_dict(self.readmodel_db)["dbname"])
        )

    def compare(self) -> Comparison:
        sizes = self.sizes
        clients = sizes.http_clients
        self.system.start()
        login = Client(self.system.base)
        status, tokens = login.call(
            "POST", "/api/v1/auth/login", {"username": "bench", "password": PASSWORD}
        )
        if status != 200:
            raise RuntimeError(f"login failed: {status} {tokens}")
        token = tokens["access_token"]
        items: list[list[str]] = []
        opener = Client(self.system.base, token)
        for _ in range(clients):
            mine = []
            for _ in range(sizes.http_items_per_client):
                status, item = opener.call(
                    "POST",
                    "/api/v1/ledger/items",
                    {
                        "level": "unit",
                        "unit_id": "b01.u002",
                        "category": "slow",
                        "source": "spot_check",
                        "reference": "bench",
                        "description": "办事群众反映窗口材料要求不一致",
                        "found_on": "2026-03-01",
                    },
                )
                if status != 201:
                    raise RuntimeError(f"opening an item failed: {status} {item}")
                mine.append(item["item_id"])
            items.append(mine)
        opener.close()
        login.close()

        def ours(index: int) -> Callable[[], None]:
            client = Client(self.system.base, token)
            counter = iter(range(10**9))
            own = items[index]

            def op() -> None:
                item = own[next(counter) % len(own)]
                status, body = client.call(
                    "POST", f"/api/v1/ledger/items/{item}/progress", NOTE
                )
                if status != 200:
                    raise RuntimeError(f"command failed: {status} {body}")

            return op

        proxies: list[Any] = []

        def baseline(index: int) -> Callable[[], None]:
            proxy = ClusterRpcProxy({"AMQP_URI": self.system.amqp_uri}, timeout=30)
            rpc = proxy.start()
            proxies.append(proxy)

            def op() -> None:
                rpc.bench_echo.echo(NOTE, {"bureau_id": "b01", "actor": "bench"})

            return op

        result = Comparison()
        our_latencies: list[float] = []
        their_latencies: list[float] = []
        try:
            _threads(clients, ours, sizes.warmup)
            _threads(clients, baseline, sizes.warmup)
            for rep in range(sizes.reps):
                order = [
                    (ours, result.ours, our_latencies),
                    (baseline, result.baseline, their_latencies),
                ]
                if rep % 2:
                    order.reverse()
                for make, rates, latencies in order:
                    rate, sample = _threads(clients, make, sizes.duration)
                    rates.append(rate)
                    latencies.extend(sample)
        finally:
            for proxy in proxies:
                proxy.stop()
        result.notes.append(
            f"{clients} clients; p99 ours {p99(our_latencies) * 1000:.1f} ms, "
            f"echo {p99(their_latencies) * 1000:.1f} ms; "
            f"{len(our_latencies):,} commands measured"
        )
        self.latency = Comparison(
            ours=[p99(our_latencies) * 1000], baseline=[p99(their_latencies) * 1000]
        )
        return result

    def latency_row(self) -> Comparison:
        if self.latency is None:
            raise RuntimeError("the throughput row did not run")
        return self.latency


def _url(conninfo: str) -> str:
    """A postgresql:// URL for a key=value conninfo (what EVENTSTORE_URI takes)."""
    from urllib.parse import quote

    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(conninfo)
    user = quote(str(params.get("user") or "postgres"))
    password = params.get("password")
    auth = f"{user}:{quote(str(password))}" if password else user
    host = params.get("host") or "127.0.0.1"
    port = params.get("port") or 5432
    return f"postgresql://{auth}@{host}:{port}/{params['dbname']}"


def _sibling(conninfo: str, suffix: str) -> str:
    """The conninfo of a database named like this one plus `suffix`."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(conninfo)
    params["dbname"] = f"{params['dbname']}{suffix}"
    return make_conninfo("", **{k: v for k, v in params.items() if v is not None})
