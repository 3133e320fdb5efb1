"""The dashboards' checkpoints are read at most once per interval and process,
except by a request that waited for its own write (min_position)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from gateway.queries.common import RecentCheckpoints, fresh_checkpoints


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def database(name: str) -> Any:
    return SimpleNamespace(info=SimpleNamespace(host="h", port=5432, dbname=name))


def test_positions_are_reused_within_the_interval_then_read_again() -> None:
    clock, reads = Clock(), iter(range(1, 100))
    recent = RecentCheckpoints(ttl=0.05, clock=clock)
    db = database("rm")
    assert recent.get(db, "dash", lambda: next(reads)) == 1
    clock.now += 0.049
    assert recent.get(db, "dash", lambda: next(reads)) == 1
    clock.now += 0.002
    assert recent.get(db, "dash", lambda: next(reads)) == 2


def test_a_request_that_waited_for_its_write_reads_anew_and_shares_it() -> None:
    clock, reads = Clock(), iter(range(1, 100))
    recent = RecentCheckpoints(ttl=0.05, clock=clock)
    db = database("rm")
    assert recent.get(db, "dash", lambda: next(reads)) == 1
    with fresh_checkpoints():
        assert recent.get(db, "dash", lambda: next(reads)) == 2
    assert recent.get(db, "dash", lambda: next(reads)) == 2  # the newer one kept


def test_each_database_and_key_has_its_own() -> None:
    clock = Clock()
    recent = RecentCheckpoints(ttl=0.05, clock=clock)
    assert recent.get(database("a"), "dash", lambda: "a") == "a"
    assert recent.get(database("b"), "dash", lambda: "b") == "b"
    assert recent.get(database("a"), "overview", lambda: "o") == "o"
    assert recent.get(database("a"), "dash", lambda: "x") == "a"
