"""Token buckets per client for the public endpoints.

`SharedTokenBuckets` keeps them in PostgreSQL (gateway.rate_buckets), so every worker
of `gateway.workers` and every replica takes from one bucket per client: the limit
is the limit whatever the number of processes. When that database does not answer,
each process falls back to its own `TokenBuckets` (then a client whose connections
reach N processes gets at most N times the rate) rather than refusing the public.
The complaints service limits receipt-code lookups again on its side.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Protocol

log = logging.getLogger(__name__)


class Limiter(Protocol):
    def take(self, client: str) -> bool:
        """True if `client` may make one more request now."""


class TokenBuckets:
    """`rate` requests a second per client, bursts up to `burst` (this process)."""

    def __init__(self, rate: float, burst: int, clients: int = 10_000) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self.clients = clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.clients:
            self._buckets.popitem(last=False)
        return allowed


class BucketStore(Protocol):
    def take_token(
        self, scope: str, client: str, rate: float, burst: int, prune: bool = False
    ) -> bool: ...


class SharedTokenBuckets:
    """`rate` requests a second per client and `scope`, bursts up to `burst`, in
    buckets every gateway process shares (`store`: the gateway's Sessions).

    One database round trip per public request; every `prune_every` takes, buckets
    idle long enough to be full again are deleted first, so the table holds about
    the clients of the last `burst / rate` seconds.
    """

    def __init__(
        self,
        store: BucketStore,
        scope: str,
        rate: float,
        burst: int,
        prune_every: int = 1000,
    ) -> None:
        self.fallback = TokenBuckets(rate, burst)  # validates rate and burst
        self.store = store
        self.scope = scope
        self.rate = rate
        self.burst = burst
        self.prune_every = prune_every
        self._takes = 0
        self._warned = 0.0
        self._lock = threading.Lock()

    def take(self, client: str) -> bool:
        with self._lock:
            self._takes += 1
            prune = self._takes % self.prune_every == 0
        try:
            return self.store.take_token(
                self.scope, client, self.rate, self.burst, prune=prune
            )
        except Exception as error:  # the database is down or refuses: limit here
            now = time.monotonic()
            if now - self._warned > 60:
                self._warned = now
                log.warning(
                    "rate limits of %s fall back to this process's own buckets: %r",
                    self.scope,
                    error,
                )
            return self.fallback.take(client)
