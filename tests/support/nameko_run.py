"""Test-only Nameko services run for real with `nameko run`, one process each."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.broker import consumers_of
from tests.support.processes import Process, Processes
from tests.support.waiting import wait_until

SERVICES = "tests.support.services"


class NamekoServices:
    """Starts `nameko run` processes for the classes of tests/support/services.py."""

    def __init__(
        self, processes: Processes, directory: Path, store_uri: str, amqp_uri: str
    ) -> None:
        self.processes = processes
        self.store_uri = store_uri
        self.amqp_uri = amqp_uri
        self.config = directory / "nameko.yaml"
        # JSON is YAML; the broker and deploy/nameko.yaml's container class
        self.config.write_text(
            json.dumps(
                {
                    "AMQP_URI": amqp_uri,
                    "max_workers": 10,
                    "SERVICE_CONTAINER_CLS": "eventing.containers.StopOnceContainer",
                }
            )
        )

    def start(self, service_class: str, *ready_queues: str) -> Process:
        """Run one service (a class of tests/support/services.py, or a module path
        such as services.organization.service); return once each of `ready_queues`
        has a consumer."""
        target = (
            service_class if "." in service_class else f"{SERVICES}:{service_class}"
        )
        process = self.processes.python(
            service_class,
            [
                "-m",
                "nameko",
                "run",
                "--config",
                str(self.config),
                target,
            ],
            {
                "PSYCOPG_WAIT_FUNC": "wait_select",
                "EVENTSTORE_URI": self.store_uri,
                "AMQP_URI": self.amqp_uri,
            },
        )
        wait_until(
            lambda: all(consumers_of(self.amqp_uri, q) > 0 for q in ready_queues),
            timeout=30,
            interval=0.2,
            describe=lambda: f"{service_class} to consume; log:\n{process.tail()}",
        )
        return process
