"""Wakes the eventlet hub once a second, so SIGTERM stops the gateway promptly.

`nameko run` answers SIGTERM by scheduling the stop on the hub. An idle hub sleeps up
to 60 s in epoll, which Python resumes after the signal handler (PEP 475): a service
with only HTTP entrypoints ignored SIGTERM for up to a minute (measured: 55 s, then
honcho's SIGKILL). Services with AMQP consumers wake every second anyway; the gateway
has none yet.
"""

from __future__ import annotations

from typing import Any

import eventlet
from nameko.extensions import DependencyProvider

INTERVAL_SECONDS = 1.0


class HubWakeup(DependencyProvider):  # type: ignore[misc]
    """A green thread that sleeps in short steps while the container runs."""

    def start(self) -> None:
        self._ticker = self.container.spawn_managed_thread(
            self._tick, identifier="hub_wakeup"
        )

    def stop(self) -> None:
        self._ticker.kill()

    def kill(self) -> None:
        self._ticker.kill()

    def _tick(self) -> None:
        while True:
            eventlet.sleep(INTERVAL_SECONDS)

    def get_dependency(self, worker_ctx: Any) -> None:
        return None
