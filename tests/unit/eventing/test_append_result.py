"""AppendResult: what an append answers at once, and what it makes only when asked."""

from __future__ import annotations

import pytest

from eventing.store.base import AppendResult


def never() -> list[object]:
    raise AssertionError("the envelopes were made")


class TestPositionsWithoutEnvelopes:
    def test_positions_come_from_the_store_s_loader_and_no_envelope_is_made(self):
        kept = [7, 9]  # what an adapter's loader keeps once read back

        result = AppendResult(
            "ledger_item-1",
            2,
            load=never,  # type: ignore[arg-type]
            types=["Opened", "Planned"],
            last_position=9,
            load_positions=lambda: kept,
        )
        assert result.positions == [7, 9]
        assert result.last_position == 9 and result.types == ["Opened", "Planned"]
        result.positions.append(11)  # a copy: what the loader keeps stays as it was
        assert result.positions == [7, 9] and kept == [7, 9]

    def test_without_a_loader_positions_come_from_the_envelopes(self):
        result = AppendResult(
            "ledger_item-1", 1, load=never, types=["Opened"], last_position=3
        )  # type: ignore[arg-type]
        with pytest.raises(AssertionError, match="envelopes were made"):
            _ = result.positions
