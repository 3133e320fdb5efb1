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
    Records the timeout of every wait_for_position call."""

    def __init__(self, applied: dict[str, int]) -> None:
        self.applied = applied
        self.waits: list[float] = []

    def wait_for_position(
        self, conn: Any, name: str, wanted: int, timeout_s: float
    ) -> bool:
        self.waits.append(timeout_s)
        return self.applied[name] >= wanted


@pytest.fixture
def projections(monkeypatch: pytest.MonkeyPatch) -> Projections:
    found = Projections({"ledger_board": 100, "org_chart": 100})
    monkeypatch.setattr(views.q, "wait_for_position", found.wait_for_position)
    return found


def view(latest: Any, wait: float = 5.0) -> Views:
    return Views(None, wait, latest=latest)  # type: ignore[arg-type]  # no pool used


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
