"""The last (version, hash) a store has seen of each stream, bounded (LRU).

A stored event never changes, so a remembered pair stays true: appending at that
version, an adapter can chain the new hashes itself (the store's own concurrency check
still refuses a writer that lost a race). Shared by the PostgreSQL and EventStoreDB
adapters.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from eventing.events import GENESIS_HASH


class StreamHeads:
    """Remembered stream heads; `prev_hash` answers only for the exact version."""

    def __init__(self, size: int = 100_000) -> None:
        self._size = size
        self._known: OrderedDict[str, tuple[int, str]] = OrderedDict()
        self._lock = threading.Lock()

    def prev_hash(self, stream: str, expected: int) -> str | None:
        if expected == 0:
            return GENESIS_HASH
        with self._lock:
            known = self._known.get(stream)
        return known[1] if known is not None and known[0] == expected else None

    def remember(self, stream: str, version: int, hash: str) -> None:
        """Keep the newest pair seen (a late reader never moves a head back)."""
        with self._lock:
            known = self._known.get(stream)
            if known is not None:
                if known[0] > version:
                    return
                self._known.move_to_end(stream)  # a new key is set at the end
            self._known[stream] = (version, hash)
            if len(self._known) > self._size:
                self._known.popitem(last=False)
