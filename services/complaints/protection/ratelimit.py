"""An in-process limiter for receipt-code lookups, per caller key.

The gateway limits too; this one protects the service from a caller that reaches it
directly. A sliding window: at most `limit` lookups per `window` seconds per key.
Every lookup counts, found or not, so guessing codes gains nothing from misses.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from services.complaints.protection.errors import RateLimited

ANONYMOUS = "anonymous"


def caller_key(context: Mapping[str, Any] | None) -> str:
    """Who is looking: the gateway's client (e.g. its IP) or else the actor."""
    raw = context or {}
    for name in ("client", "actor"):
        value = raw.get(name)
        if isinstance(value, str) and value.strip():
            return f"{name}:{value.strip()}"
    return ANONYMOUS


class RateLimiter:
    """At most `limit` hits per `window` seconds per key; thread-safe."""

    def __init__(
        self,
        limit: int = 10,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window positive")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Count one lookup for `key`, or raise RateLimited (not counted)."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                retry_after = max(1, math.ceil(hits[0] + self.window - now))
                raise RateLimited(retry_after=retry_after)
            hits.append(now)
            if len(self._hits) > self.max_keys:
                self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        for key in [
            k for k, h in self._hits.items() if not h or h[-1] <= now - self.window
        ]:
            del self._hits[key]
