"""The argon2id hasher and its cost settings (PASSWORD_HASH_MEMORY_KIB,
PASSWORD_HASH_TIME_COST)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.organization.passwords import (
    MIN_MEMORY_KIB,
    MIN_TIME_COST,
    Argon2Hasher,
    hasher_from_settings,
)
from services.organization.service import PasswordHasherProvider

CHEAPEST = Argon2Hasher(MIN_MEMORY_KIB, MIN_TIME_COST)


class TestTheHasher:
    def test_the_default_is_rfc_9106s_low_memory_profile(self):
        hashed = Argon2Hasher().hash("s3cret-Pass")
        assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")

    def test_a_password_verifies_and_a_wrong_one_does_not(self):
        hashed = CHEAPEST.hash("s3cret-Pass")
        assert hashed.startswith(f"$argon2id$v=19$m={MIN_MEMORY_KIB},t=2,p=4$")
        assert CHEAPEST.verify(hashed, "s3cret-Pass")
        assert not CHEAPEST.verify(hashed, "s3cret-pass")
        assert not CHEAPEST.verify("not a hash", "s3cret-Pass")

    def test_a_password_set_under_one_cost_still_signs_in_under_another(self):
        dear, cheap = Argon2Hasher(), CHEAPEST
        assert cheap.verify(dear.hash("s3cret-Pass"), "s3cret-Pass")
        assert dear.verify(cheap.hash("s3cret-Pass"), "s3cret-Pass")

    def test_a_hash_made_at_another_cost_is_due_for_rehashing(self):
        cheap = CHEAPEST.hash("s3cret-Pass")
        assert not CHEAPEST.needs_rehash(cheap)
        assert Argon2Hasher(MIN_MEMORY_KIB, 3).needs_rehash(cheap)
        assert Argon2Hasher(65_536, 2).needs_rehash(cheap)
        assert not CHEAPEST.needs_rehash("not a hash")  # refused by verify anyway

    @pytest.mark.parametrize(
        ("memory", "passes"), [(MIN_MEMORY_KIB - 1, 2), (65_536, 1), (65_536, 21)]
    )
    def test_a_cost_below_owasps_minimum_or_absurdly_high_is_refused(
        self, memory, passes
    ):
        with pytest.raises(ValueError, match="argon2"):
            Argon2Hasher(memory, passes)


class TestTheSettings:
    def test_unset_or_blank_settings_give_the_default(self):
        for given in (None, "", "  "):
            hasher = hasher_from_settings(given, given)
            assert (hasher.memory_kib, hasher.time_cost) == (65_536, 3)

    def test_whole_numbers_in_range_are_taken(self):
        hasher = hasher_from_settings("19456", 2)
        assert (hasher.memory_kib, hasher.time_cost) == (19_456, 2)

    @pytest.mark.parametrize(
        ("memory", "passes", "named"),
        [
            ("64MiB", None, "PASSWORD_HASH_MEMORY_KIB"),
            ("8192", None, "PASSWORD_HASH_MEMORY_KIB"),
            ("-65536", None, "PASSWORD_HASH_MEMORY_KIB"),
            ("99999999999", None, "PASSWORD_HASH_MEMORY_KIB"),
            (None, "1", "PASSWORD_HASH_TIME_COST"),
            (None, "2.5", "PASSWORD_HASH_TIME_COST"),
            (None, "three", "PASSWORD_HASH_TIME_COST"),
        ],
    )
    def test_anything_else_is_refused_naming_the_setting(self, memory, passes, named):
        with pytest.raises(ValueError, match=named):
            hasher_from_settings(memory, passes)


class TestTheProvider:
    def _provider(self, config):
        provider = PasswordHasherProvider()
        provider.container = SimpleNamespace(config=config)
        return provider

    def test_the_service_config_sets_the_cost(self, monkeypatch):
        monkeypatch.delenv("PASSWORD_HASH_MEMORY_KIB", raising=False)
        monkeypatch.setenv("PASSWORD_HASH_TIME_COST", "4")
        provider = self._provider({"PASSWORD_HASH_MEMORY_KIB": 19456})
        provider.setup()
        hasher = provider.get_dependency(None)
        assert (hasher.memory_kib, hasher.time_cost) == (19_456, 4)

    def test_a_bad_setting_fails_the_start(self, monkeypatch):
        monkeypatch.setenv("PASSWORD_HASH_MEMORY_KIB", "1024")
        with pytest.raises(ValueError, match="PASSWORD_HASH_MEMORY_KIB"):
            self._provider({}).setup()
