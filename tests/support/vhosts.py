"""RabbitMQ vhosts for one test run, made ahead of the modules that take them and
deleted behind them, in a thread of their own.

rabbitmqctl boots an Erlang VM for every call (0.75 s each on an idle 2-CPU machine,
more under the suite's load), and a vhost takes three: add, permissions, delete.
About fifteen modules take a vhost of their own, which cost each of them over two
seconds of setup and teardown. Here the next vhost is made while a module's tests
run, and a used one is deleted while the next module's run.
"""

from __future__ import annotations

import queue
import threading
import uuid
from collections.abc import Callable

from tests.support.broker import rabbitmqctl

WAIT_SECONDS = 180  # for one vhost to be made, jobs queued before it included


class VhostPool:
    """Vhosts named `<prefix>_<random>`, which guest may use."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._ready: queue.Queue[str | BaseException] = queue.Queue()
        self._ordered = 0  # asked for and not taken yet
        self._failures: list[BaseException] = []
        self._worker = threading.Thread(
            target=self._work, name="vhost-pool", daemon=True
        )
        self._worker.start()

    def take(self) -> str:
        """A vhost of the caller's own (made now if none is ready). Another is
        ordered behind it, for the next caller."""
        if self._ordered == 0:
            self._order()
        try:
            made = self._ready.get(timeout=WAIT_SECONDS)
        except queue.Empty:
            raise AssertionError(f"no vhost made in {WAIT_SECONDS} s") from None
        self._ordered -= 1
        if isinstance(made, BaseException):
            raise made
        self._order()
        return made

    def give_back(self, vhost: str) -> None:
        """Delete `vhost` (in the background) with whatever is left in it."""
        self._jobs.put(lambda: self._delete(vhost))

    def close(self) -> None:
        """Delete every vhost made and not taken, wait for every deletion; raise
        the first failure of a deletion."""
        self._jobs.put(None)
        self._worker.join(timeout=WAIT_SECONDS)
        while not self._ready.empty():
            left = self._ready.get()
            if isinstance(left, str):
                self._delete(left)
        if self._failures:
            raise self._failures[0]

    def _order(self) -> None:
        self._ordered += 1
        self._jobs.put(self._make)

    def _make(self) -> None:
        vhost = f"{self._prefix}_{uuid.uuid4().hex[:6]}"
        try:
            rabbitmqctl("add_vhost", vhost)
        except BaseException as error:  # handed to the taker
            self._ready.put(error)
            return
        try:
            rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        except BaseException as error:
            self._ready.put(error)
            self._delete(vhost)
        else:
            self._ready.put(vhost)

    def _delete(self, vhost: str) -> None:
        try:
            rabbitmqctl("delete_vhost", vhost)
        except BaseException as error:  # raised by close()
            self._failures.append(error)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            job()
