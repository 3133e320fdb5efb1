"""Handlers wired to the in-memory store, a settable clock and a readable hasher."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eventing.aggregate import CommandContext
from eventing.store.memory import MemoryEventStore
from services.organization.handlers import OrganizationHandlers
from tests.support.hashers import PlainHasher


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> MemoryEventStore:
    return MemoryEventStore()


@pytest.fixture
def org(store: MemoryEventStore, clock: Clock) -> OrganizationHandlers:
    return OrganizationHandlers(store, clock, PlainHasher(), import_workers=2)


@pytest.fixture
def zjj() -> CommandContext:
    return CommandContext(bureau_id="zjj", actor="admin-zjj")


@pytest.fixture
def jtj() -> CommandContext:
    return CommandContext(bureau_id="jtj", actor="admin-jtj")
