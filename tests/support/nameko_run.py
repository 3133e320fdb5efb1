"""Test-only Nameko services run for real with `nameko run`, one process each."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from nameko.standalone.rpc import ClusterRpcProxy

from services.organization.passwords import MIN_MEMORY_KIB, MIN_TIME_COST
from services.organization.samples import sample_rows, write_rows
from tests.support.broker import consumers_of
from tests.support.processes import REPO, Process, Processes, free_port
from tests.support.waiting import wait_until

SERVICES = "tests.support.services"
DEPLOY_CONFIG = REPO / "deploy" / "nameko.yaml"


class NamekoServices:
    """Starts `nameko run` processes for the classes of tests/support/services.py."""

    def __init__(
        self, processes: Processes, directory: Path, store_uri: str, amqp_uri: str
    ) -> None:
        self.processes = processes
        self.store_uri = store_uri
        self.amqp_uri = amqp_uri
        self.config = directory / "nameko.yaml"
        # JSON is YAML; the broker, and the container class deploy/nameko.yaml names
        deployed = yaml.safe_load(DEPLOY_CONFIG.read_text())
        self.config.write_text(
            json.dumps(
                {
                    "AMQP_URI": amqp_uri,
                    "max_workers": 10,
                    "SERVICE_CONTAINER_CLS": deployed["SERVICE_CONTAINER_CLS"],
                    # the least argon2id cost accepted (OWASP's minimum): the
                    # default's 0.2-0.37 s a hash was half of a whole system's
                    # start (its eleven accounts are opened, then signed in)
                    "PASSWORD_HASH_MEMORY_KIB": MIN_MEMORY_KIB,
                    "PASSWORD_HASH_TIME_COST": MIN_TIME_COST,
                }
            )
        )

    def start(self, service_class: str, *ready_queues: str) -> Process:
        """Run one service (a class of tests/support/services.py, or a module path
        such as services.organization.service); return once each of `ready_queues`
        has a consumer."""
        [process] = self.start_all((service_class, *ready_queues))
        return process

    def start_all(self, *services: tuple[str, ...]) -> list[Process]:
        """Run several services at once, each given as (service_class,
        *ready_queues) as `start` takes them; return once every queue has a
        consumer. Started one after the other, each waited about 1.5 s for its
        consumers before the next began."""
        started = [(self._launch(service[0]), service) for service in services]
        for process, (service_class, *ready_queues) in started:
            wait_until(
                lambda queues=ready_queues: all(
                    consumers_of(self.amqp_uri, q) > 0 for q in queues
                ),
                timeout=30,
                interval=0.2,
                describe=lambda p=process, c=service_class: (
                    f"{c} to consume; log:\n{p.tail()}"
                ),
            )
        return [process for process, _ in started]

    def _launch(self, service_class: str) -> Process:
        target = (
            service_class if "." in service_class else f"{SERVICES}:{service_class}"
        )
        return self.processes.python(
            service_class,
            ["-m", "nameko", "run", "--config", str(self.config), target],
            {
                "PSYCOPG_WAIT_FUNC": "wait_select",
                "EVENTSTORE_URI": self.store_uri,
                "AMQP_URI": self.amqp_uri,
                # not the service's default port: another of its kind may be
                # running (a module's next to a test's own, a developer's make start)
                "METRICS_PORT": str(free_port()),
            },
        )


@contextmanager
def with_organization(
    service: str,
    directory: Path,
    store_uri: str,
    amqp_uri: str,
    config: Mapping[str, Any] | None = None,
) -> Iterator[Any]:
    """Organization, holding bureau b01 of a small sample chart (3 units of 4
    people), and `service` (services.<service>.service) run by `nameko run`, with
    `config` added to their Nameko config; an RPC proxy. Every process it started
    is stopped again at the end."""
    processes = Processes(directory)
    try:
        services = NamekoServices(processes, directory, store_uri, amqp_uri)
        written = json.loads(services.config.read_text())  # JSON is YAML
        services.config.write_text(json.dumps({**written, **(config or {})}))
        services.start_all(
            ("services.organization.service", "rpc-organization"),
            (f"services.{service}.service", f"rpc-{service}"),
        )
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60) as proxy:
            rows = sample_rows(units=3, people_per_unit=4, seed=3)
            proxy.organization.import_org_chart(
                {"workbook": base64.b64encode(write_rows(rows)).decode()},
                {"bureau_id": "b01", "actor": "account:admin01"},
            )
            yield proxy
    finally:
        # Stopped together, a timer's call to organization in flight waited out
        # its 15 s bound and the service was killed (publicity's quota timer runs
        # every second here): 14 s of teardown, against 5 s one after the other.
        processes.stop_all(last_started_first=True)
