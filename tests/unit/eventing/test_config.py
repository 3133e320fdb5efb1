"""Where the services' keys live: KEYS_DATABASE_URL, or a PostgreSQL database the
deployment already has (never the append-only log)."""

from __future__ import annotations

import pytest

from eventing.config import Settings, keys_database, seconds_setting
from eventing.nameko import keys_database_url

PG_STORE = "postgresql://postgres@db:5432/rectification"
READ = "postgresql://postgres@db:5432/rectification_read"
ESDB = "esdb://esdb:2113?Tls=false"


def test_by_default_the_keys_live_in_the_postgresql_event_store() -> None:
    assert keys_database(None, PG_STORE, READ) == PG_STORE
    assert (
        Settings.from_env({}).keys_database_url == Settings.from_env({}).eventstore_uri
    )


def test_with_eventstoredb_they_live_in_the_read_model_database() -> None:
    assert keys_database("", ESDB, READ) == READ
    settings = Settings.from_env(
        {"EVENTSTORE_URI": ESDB, "READMODEL_DATABASE_URL": READ}
    )
    assert settings.keys_database_url == READ


def test_keys_database_url_says_where_they_live_whatever_the_store() -> None:
    keys = "postgresql://keys@vault-db:5432/keys"
    for store in (PG_STORE, ESDB):
        env = {"EVENTSTORE_URI": store, "KEYS_DATABASE_URL": keys}
        assert Settings.from_env(env).keys_database_url == keys


def test_a_service_reads_its_config_before_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("EVENTSTORE_URI", PG_STORE)
    monkeypatch.delenv("KEYS_DATABASE_URL", raising=False)
    assert keys_database_url({}) == PG_STORE
    assert (
        keys_database_url({"EVENTSTORE_URI": ESDB, "READMODEL_DATABASE_URL": READ})
        == READ
    )
    assert (
        keys_database_url({"KEYS_DATABASE_URL": "postgresql:///k"}) == "postgresql:///k"
    )


class TestSecondsSettings:
    def test_zero_is_refused_where_a_wait_must_be_some_time(self) -> None:
        with pytest.raises(ValueError, match="seconds from above 0 to 600"):
            seconds_setting("PROBE", "0", 15.0, 600.0, zero_allowed=False)
        assert seconds_setting("PROBE", "0", 15.0, 600.0) == 0.0
        assert seconds_setting("PROBE", "0.5", 15.0, 600.0, zero_allowed=False) == 0.5
