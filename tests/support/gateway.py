"""The whole system for HTTP tests: the services by `nameko run`, the gateway on a free
port, a sample org chart of two bureaus, and accounts for every role."""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nameko.standalone.rpc import ClusterRpcProxy

from eventing.migrate import apply
from services.organization.samples import sample_rows, write_rows
from tests.support.nameko_run import NamekoServices
from tests.support.processes import Process, Processes, free_port
from tests.support.waiting import wait_until

PASSWORD = "Zhengfeng-2026!"
SERVICES = Path(__file__).parents[2] / "services"

# username -> (bureau, person or None, granted roles)
ACCOUNTS: dict[str, tuple[str, str | None, list[str]]] = {
    "admin01": ("b01", "b01.003003", ["bureau_admin"]),
    "office01": ("b01", "b01.001002", []),  # on the leading group office
    "leader01": ("b01", "b01.001001", []),  # committee member, head of b01.u001
    "head02": ("b01", "b01.002001", []),  # head of b01.u002
    "officer02": ("b01", "b01.002004", []),  # info officer of b01.u002
    "clerk02": ("b01", "b01.002002", []),  # staff of b01.u002
    "inv01": ("b01", "b01.003002", ["investigator"]),
    "district": ("b01", "b01.003004", ["district_official"]),
    "admin02": ("b02", "b02.003003", ["bureau_admin"]),
    "office02": ("b02", "b02.001002", []),
    "bot01": ("b01", None, ["api_client"]),
}


@dataclass
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str]


@dataclass
class Http:
    """A tiny JSON client over urllib (the API's own contract, nothing hidden)."""

    base: str
    token: str | None = None
    language: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def as_(self, token: str | None) -> Http:
        return Http(self.base, token, self.language, dict(self.extra))

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Answer:
        data = raw
        all_headers = {**self.extra, **(headers or {})}
        if body is not None:
            data = json.dumps(body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        if self.token:
            all_headers.setdefault("Authorization", f"Bearer {self.token}")
        if self.language:
            all_headers.setdefault("Accept-Language", self.language)
        url = path if path.startswith("http") else self.base + path
        request = urllib.request.Request(url, data, all_headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return Answer(
                    response.status, _decode(response.read()), response.headers
                )
        except urllib.error.HTTPError as error:
            # headers: case-insensitive, as HTTP says
            return Answer(error.code, _decode(error.read()), error.headers)

    def get(self, path: str, **kw: Any) -> Answer:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.request("POST", path, body if body is not None else {}, **kw)


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


@dataclass
class System:
    """What a test gets: the HTTP client, tokens per account, RPC for setup."""

    http: Http
    tokens: dict[str, str]
    rpc: Any
    gateway: Process
    amqp_uri: str
    readmodel_db: str
    store_db: str

    def as_(self, username: str | None) -> Http:
        return self.http.as_(self.tokens[username] if username else None)

    def login(self, username: str, password: str = PASSWORD) -> Answer:
        return self.http.post(
            "/api/v1/auth/login", {"username": username, "password": password}
        )


def start_gateway(
    processes: Processes,
    store_db: str,
    readmodel_db: str,
    amqp_uri: str,
    tmp_path: Path,
    extra_env: Mapping[str, str] | None = None,
) -> tuple[Process, str]:
    port = free_port()
    secret = tmp_path / "token-secret"
    secret.write_text("test-secret-" + str(port) * 8)
    process = processes.python(
        "gateway",
        [
            "-m",
            "nameko",
            "run",
            "--config",
            str(Path(__file__).resolve().parents[2] / "deploy" / "nameko.yaml"),
            "gateway.service",
        ],
        {
            "PSYCOPG_WAIT_FUNC": "wait_select",
            "EVENTSTORE_URI": store_db,
            "READMODEL_DATABASE_URL": readmodel_db,
            "AMQP_URI": amqp_uri,
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(port),
            "GATEWAY_TOKEN_SECRET_FILE": str(secret),
            **(extra_env or {}),
        },
    )
    base = f"http://127.0.0.1:{port}"

    def live() -> bool:
        if not process.alive():
            raise AssertionError(f"gateway exited:\n{process.tail()}")
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    wait_until(live, timeout=40, interval=0.2, describe=lambda: process.tail())
    return process, base


def start_system(
    processes: Processes,
    tmp_path: Path,
    store_db: str,
    readmodel_db: str,
    amqp_uri: str,
    services: tuple[str, ...] = (
        "organization",
        "complaints",
        "ledger",
        "evaluation",
        "publicity",
    ),
    projector: bool = False,
    relay: bool = False,
    gateway_env: Mapping[str, str] | None = None,
) -> tuple[System, ClusterRpcProxy]:
    for service in services:
        migrations = SERVICES / service / "migrations"
        if migrations.is_dir():
            apply(store_db, migrations, table=f"{service}_service")
    nameko = NamekoServices(processes, tmp_path, store_db, amqp_uri)
    config = json.loads(nameko.config.read_text())  # JSON is YAML
    nameko.config.write_text(json.dumps({**config, "BLOB_DIR": str(tmp_path)}))
    nameko.start_all(
        *((f"services.{name}.service", f"rpc-{name}") for name in services)
    )
    gateway, base = start_gateway(
        processes, store_db, readmodel_db, amqp_uri, tmp_path, gateway_env
    )
    if relay:  # after the services: their event queues exist, nothing is lost
        processes.python(
            "relay",
            ["-m", "eventing", "relay", "--name", f"relay_{uuid.uuid4().hex[:8]}"],
            {
                "EVENTSTORE_URI": store_db,
                "AMQP_URI": amqp_uri,
                "RELAY_METRICS_PORT": str(free_port()),
            },
        )
    if projector:
        processes.python(
            "projector",
            ["-m", "gateway.projector", "run"],
            {
                "EVENTSTORE_URI": store_db,
                "READMODEL_DATABASE_URL": readmodel_db,
                "PROJECTOR_METRICS_PORT": str(free_port()),
            },
        )
    cluster = ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60)
    rpc = cluster.start()
    rows = sample_rows(bureaus=2, units=3, people_per_unit=4, seed=3)
    for bureau in ("b01", "b02"):
        own = {
            sheet: [row for row in sheet_rows if row[1].get("bureau_code") == bureau]
            for sheet, sheet_rows in rows.items()
        }
        workbook = base64.b64encode(write_rows(own)).decode()
        rpc.organization.import_org_chart(
            {"workbook": workbook}, {"bureau_id": bureau, "actor": "account:setup"}
        )
    for username, (bureau, person, roles) in ACCOUNTS.items():
        kind = "service" if "api_client" in roles else "person"
        rpc.organization.open_account(
            {
                "username": username,
                "kind": kind,
                "person_id": person,
                "password": None if kind == "service" else PASSWORD,
                "roles": roles,
            },
            {"bureau_id": bureau, "actor": "account:setup"},
        )
    http = Http(base)
    tokens: dict[str, str] = {}
    for username, (_, _, roles) in ACCOUNTS.items():
        if "api_client" in roles:
            continue
        answer = http.post(
            "/api/v1/auth/login", {"username": username, "password": PASSWORD}
        )
        assert answer.status == 200, answer.body
        tokens[username] = answer.body["access_token"]
    system = System(http, tokens, rpc, gateway, amqp_uri, readmodel_db, store_db)
    if projector:  # every view built once before the tests look at them
        client = system.as_("office01")
        wait_until(
            lambda: (
                all(
                    client.get(f"/api/v1/views/{name}").status == 200
                    for name in ("ledger-board", "complaint-queue", "unit-dashboard")
                )
                and system.http.get("/api/v1/public/bureaus/b01/board").status == 200
            ),
            timeout=60,
            interval=0.3,
            describe=lambda: "the projector to build every view",
        )
    return system, cluster


def eventually(check: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def read_own_write(client: Http, path: str, timeout: float = 60.0) -> Answer:
    """GET a view with `min_position` until it says it has caught up (each call
    waits at most 5 s on the server; a loaded machine may need several)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get(path)
        if answer.status != 200 or answer.body.get("caught_up") is not False:
            return answer
        if time.monotonic() > deadline:
            return answer


@contextmanager
def running(
    directory: Path, store_db: str, readmodel_db: str, amqp_uri: str, **options: Any
) -> Iterator[System]:
    """start_system, and everything it started stopped again at the end."""
    processes = Processes(directory)
    try:
        system, cluster = start_system(
            processes, directory, store_db, readmodel_db, amqp_uri, **options
        )
        try:
            yield system
        finally:
            cluster.stop()
    finally:
        processes.stop_all()
