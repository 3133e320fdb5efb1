"""The event store contract against the in-memory adapter."""

from __future__ import annotations

import dataclasses

import pytest

from eventing.store.memory import MemoryEventStore
from tests.contract.event_store_contract import EventStoreContract, SettableClock


class TestMemoryEventStore(EventStoreContract):
    @pytest.fixture
    def store(self, clock: SettableClock) -> MemoryEventStore:
        return MemoryEventStore(clock=clock, max_event_bytes=64 * 1024)

    def tamper_edit(self, store, stream, version):  # type: ignore[no-untyped-def]
        [original] = store.read_stream(stream, version, limit=1)
        edited = dataclasses.replace(original, data={"n": 99})
        store.tamper(stream, version, edited)

    def tamper_delete(self, store, stream, version):  # type: ignore[no-untyped-def]
        store.tamper(stream, version, None)
