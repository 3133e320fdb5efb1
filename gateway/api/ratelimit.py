"""Token buckets per client for the public endpoints (per gateway process).

Each gateway process limits on its own, every worker of `gateway.workers` and every
replica: with N processes a client whose connections reach all of them gets at most
N times the rate (one keep-alive connection stays with one worker). The complaints
service limits receipt-code lookups again on its side.
"""

from __future__ import annotations

import time
from collections import OrderedDict


class TokenBuckets:
    """`rate` requests a second per client, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int, clients: int = 10_000) -> None:
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
