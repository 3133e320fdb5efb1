"""Readiness: can the gateway reach RabbitMQ, the event store and the read models now?

The checks are eventing.health's (the same every process's /ready runs), each bounded
by a timeout and green-friendly (psycopg with PSYCOPG_WAIT_FUNC=wait_select, kombu over
eventlet's sockets), so a slow dependency never stalls the process's other requests.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from nameko.extensions import DependencyProvider

from eventing import health
from eventing.config import Settings


class Readiness(DependencyProvider):  # type: ignore[misc]
    """Gives workers a callable answering /ready's status and body."""

    def setup(self) -> None:
        if os.environ.get("PSYCOPG_WAIT_FUNC") != "wait_select":
            raise RuntimeError(
                "set PSYCOPG_WAIT_FUNC=wait_select before starting a Nameko service: "
                "psycopg would otherwise block the eventlet hub"
            )
        settings = Settings.from_env()
        config = self.container.config
        self.probes = [
            health.rabbitmq(str(config.get("AMQP_URI") or settings.amqp_uri)),
            health.eventstore(settings.eventstore_uri),
            health.postgres("readmodel", settings.readmodel_database_url),
        ]

    def get_dependency(
        self, worker_ctx: Any
    ) -> Callable[[], tuple[int, dict[str, Any]]]:
        return lambda: health.readiness(self.probes)
