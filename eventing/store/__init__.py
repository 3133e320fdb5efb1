"""Event store adapters, chosen by the EVENTSTORE_URI scheme."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from eventing.errors import StoreUnavailable
from eventing.store.base import AppendResult, EventStore, VerifyReport

__all__ = ["AppendResult", "EventStore", "VerifyReport", "open_store"]


def open_store(
    uri: str,
    *,
    clock: Callable[[], datetime] | None = None,
    max_event_bytes: int = 1024 * 1024,
    notify: bool = True,
    pool_size: int = 10,
) -> EventStore:
    """The adapter for `uri`: postgresql://..., memory:// or esdb[+discover]://..."""
    kwargs: dict[str, object] = {"max_event_bytes": max_event_bytes}
    if clock is not None:
        kwargs["clock"] = clock
    if uri.startswith(("postgresql://", "postgres://")):
        from eventing.store.postgres import PostgresEventStore

        return PostgresEventStore(
            uri,
            notify=notify,
            pool_size=pool_size,
            **kwargs,  # type: ignore[arg-type]
        )
    if uri.startswith("memory://"):
        from eventing.store.memory import MemoryEventStore

        return MemoryEventStore(**kwargs)  # type: ignore[arg-type]
    if uri.startswith(("esdb://", "esdb+discover://")):
        from eventing.store.esdb import EsdbEventStore

        return EsdbEventStore(uri, **kwargs)  # type: ignore[arg-type]
    raise StoreUnavailable(
        f"unsupported EVENTSTORE_URI scheme: {uri.split(':', 1)[0]!r}"
    )
