"""How long a view waits for a request's min_position (gateway.api.views.Views)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from eventing.errors import StoreUnavailable
from gateway.api import views
from gateway.api.views import Views


class Projections:
    """Stands in for the checkpoints table: each projection's applied position.
    Records the timeout of every wait_for_position call, and moves a clock on by
    the time each wait takes: all of it when the position is not reached in time,
    else until the projection's `ready_at` (a time on that clock)."""

    def __init__(self, applied: dict[str, int]) -> None:
        self.applied = applied
        self.ready_at: dict[str, float] = {}
        self.waits: list[float] = []
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    def wait_for_position(
        self, conn: Any, name: str, wanted: int, timeout_s: float
    ) -> bool:
        self.waits.append(round(timeout_s, 6))
        ready = self.ready_at.get(name, self.now)
        if self.applied[name] >= wanted and ready <= self.now + timeout_s:
            self.now = max(self.now, ready)
            return True
        self.now += timeout_s
        return False


@pytest.fixture
def projections(monkeypatch: pytest.MonkeyPatch) -> Projections:
    found = Projections({"ledger_board": 100, "org_chart": 100})
    monkeypatch.setattr(views.q, "wait_for_position", found.wait_for_position)
    return found


def view(latest: Any, wait: float = 5.0, projections: Any = None) -> Views:
    clock = projections.clock if projections is not None else lambda: 0.0
    return Views(None, wait, latest=latest, clock=clock)  # type: ignore[arg-type]


NAMES = ("ledger_board", "org_chart")


class TestCaughtUp:
    def test_a_position_applied_is_answered_without_waiting_or_asking_the_store(
        self, projections: Projections
    ):
        def latest() -> int:
            raise AssertionError("the store is not asked")

        assert view(latest).caught_up(None, NAMES, 100) is True
        assert projections.waits == [0.0, 0.0]

    def test_a_position_past_the_store_s_end_is_not_waited_for(
        self, projections: Projections
    ):
        assert view(lambda: 150).caught_up(None, NAMES, 151) is False
        assert projections.waits == [0.0]  # one look, then no wait

    def test_a_written_position_not_applied_yet_is_waited_for_as_configured(
        self, projections: Projections
    ):
        assert view(lambda: 150, wait=0.7).caught_up(None, NAMES, 150) is False
        assert projections.waits == [0.0, 0.7]
        projections.waits.clear()
        projections.applied["ledger_board"] = 150
        projections.applied["org_chart"] = 149
        assert view(lambda: 150, wait=0.7).caught_up(None, NAMES, 150) is False
        assert projections.waits == [0.0, 0.0, 0.7, 0.7]

    def test_two_projections_are_waited_for_together_not_each_in_turn(
        self, projections: Projections
    ):
        projections.applied.update(ledger_board=150, org_chart=150)
        projections.ready_at.update(ledger_board=1000.5, org_chart=1001.0)
        waited = view(lambda: 150, wait=0.7, projections=projections)
        assert waited.caught_up(None, NAMES, 150) is False
        # the second gets what the first left of the 0.7 s, not 0.7 s of its own
        assert projections.waits == [0.0, 0.7, 0.2]
        assert projections.now == pytest.approx(1000.7)

        projections.now, projections.waits = 1000.0, []
        projections.ready_at.update(org_chart=1000.6)
        assert waited.caught_up(None, NAMES, 150) is True
        assert projections.waits == [0.0, 0.7, 0.2]
        assert projections.now == pytest.approx(1000.6)

    @pytest.mark.parametrize(
        "failure",
        [StoreUnavailable("no EventStoreDB"), psycopg.OperationalError("gone")],
    )
    def test_when_the_store_cannot_say_the_view_waits_as_configured(
        self, projections: Projections, failure: Exception
    ):
        def latest() -> int:
            raise failure

        assert view(latest, wait=0.7).caught_up(None, NAMES, 151) is False
        assert projections.waits == [0.0, 0.7]

    def test_without_a_store_the_view_waits_as_configured(
        self, projections: Projections
    ):
        assert view(None, wait=0.7).caught_up(None, NAMES, 151) is False
        assert projections.waits == [0.0, 0.7]
