"""The Nameko service container every service runs in (`SERVICE_CONTAINER_CLS`).

deploy/nameko.yaml names it, so `nameko run --config deploy/nameko.yaml ...` uses it.

`nameko run` answers every SIGTERM by starting `stop()` again. Nameko 2.14's stop is
not safe to repeat while it runs: the second one stops each extension a second time,
a Timer raises ("Trying to re-send() an already-triggered event") and the RPC
consumer a KeyError, and the process never exits (measured: the ledger service, two
SIGTERMs 50 ms apart, still running after ten minutes). Two SIGTERMs are the usual
case, not a corner: honcho signals a process's whole group and supervise.sh passes
the signal on to its child too. Here a second stop waits for the first.
"""

from __future__ import annotations

import contextlib
import logging

from nameko.containers import ServiceContainer

log = logging.getLogger(__name__)


class StopOnceContainer(ServiceContainer):  # type: ignore[misc]
    """A ServiceContainer whose stop() runs once; a repeat waits for it to end."""

    _stop_started = False

    def stop(self) -> None:
        if self._stop_started:
            log.info("%s: already stopping", self.service_name)
            # a container that died with an error has stopped all the same
            with contextlib.suppress(Exception):
                self._died.wait()
            return
        self._stop_started = True
        super().stop()
