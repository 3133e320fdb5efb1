"""The diagnostic's stubbed hash chain stays inside its `with` block."""

from __future__ import annotations

import pytest

from benchmarks.esdb_costs import chain_stubbed
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
