"""The Nameko service container every service runs in (`SERVICE_CONTAINER_CLS`).

deploy/nameko.yaml names it, so `nameko run --config deploy/nameko.yaml ...` uses it.

`nameko run` answers every SIGTERM by starting `stop()` again. Nameko 2.14's stop is
not safe to repeat while it runs: the second one stops each extension a second time,
a Timer raises ("Trying to re-send() an already-triggered event") and the RPC
consumer a KeyError, and the process never exits (measured: the ledger service, two
SIGTERMs 50 ms apart, still running after ten minutes). Two SIGTERMs are the usual
case, not a corner: honcho signals a process's whole group and supervise.sh passes
the signal on to its child too. Here a second stop waits for the first.

Nameko's consumers (RPC, events, RPC replies) share one kombu consume loop per
process, which notices a request to cancel a consumer, and then its own end, only
between two reads of the broker, each waiting up to a second when no message comes:
an idle service took 1.1-1.3 s to stop, and one with an RPC proxy or a timer up to
3 s (the reply consumer is stopped after the workers). Here the loop reads with a
shorter wait, so a stop is noticed within a tenth of a second; an idle loop wakes
ten times a second instead of once, for nothing but a timer.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from typing import Any

from kombu.mixins import ConsumerMixin
from nameko.containers import ServiceContainer
from nameko.messaging import QueueConsumer

log = logging.getLogger(__name__)

CONSUME_POLL_SECONDS = 0.1
"""How long the consume loop waits for a message before it looks for requests to
cancel a consumer or to stop (kombu's default: 1 s)."""


class StopOnceContainer(ServiceContainer):  # type: ignore[misc]
    """A ServiceContainer whose stop() runs once (a repeat waits for it to end) and
    whose consumers notice it within CONSUME_POLL_SECONDS."""

    _stop_started = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for extension in self.subextensions:
            if isinstance(extension, QueueConsumer):
                # what the container spawns at start: ConsumerMixin.run, whose
                # keywords go to consume()
                extension.run = functools.partial(
                    ConsumerMixin.run, extension, safety_interval=CONSUME_POLL_SECONDS
                )

    def stop(self) -> None:
        if self._stop_started:
            log.info("%s: already stopping", self.service_name)
            # a container that died with an error has stopped all the same
            with contextlib.suppress(Exception):
                self._died.wait()
            return
        self._stop_started = True
        super().stop()
