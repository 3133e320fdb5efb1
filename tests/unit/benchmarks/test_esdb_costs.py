"""The diagnostic's stubbed hash chain stays inside its `with` block."""

from __future__ import annotations

import pytest

from benchmarks.esdb_costs import chain_stubbed, median_interval
from eventing import integrity
from eventing.store import esdb


def test_the_stub_is_in_place_only_inside_the_block():
    with chain_stubbed():
        assert esdb.encoded_digests is not integrity.encoded_digests
        assert esdb.chain_links("0" * 64, [b"d"]) == [(bytes(32), bytes(32))]
    assert esdb.encoded_digests is integrity.encoded_digests
    assert esdb.chain_links is integrity.chain_links


def test_the_real_chain_is_back_after_an_error():
    with pytest.raises(RuntimeError), chain_stubbed():
        raise RuntimeError("sample failed")
    assert esdb.encoded_digests is integrity.encoded_digests


def test_the_median_s_interval_widens_with_the_square_root_of_the_count():
    assert median_interval([5.0]) == (5.0, 5.0, 5.0)
    # 100 values 0..99: median 49.5; 0.98 * sqrt(100) = 9 places either side
    assert median_interval([float(v) for v in reversed(range(100))]) == (
        49.5,
        40.0,
        59.0,
    )
    # 400 values: 19 places either side of the middle two
    assert median_interval([float(v) for v in range(400)]) == (199.5, 180.0, 219.0)
