"""The PostgreSQL key store passes the same contract as the in-memory fake."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest

from eventing.migrate import apply
from services.complaints.protection.keys import KeyStore, PostgresKeyStore
from services.complaints.protection.vault import Identity, IdentityVault
from tests.unit.complaints.test_protection import AT, KeyStoreContract

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parents[2] / "services" / "complaints" / "migrations"


@pytest.fixture
def migrated(store_db: str) -> str:
    apply(store_db, MIGRATIONS, table="complaints_service")
    return store_db


class TestPostgresKeyStore(KeyStoreContract):
    @pytest.fixture
    def keys(self, migrated: str) -> KeyStore:
        return PostgresKeyStore(migrated)

    def test_a_forgotten_identity_cannot_be_opened_and_no_key_bytes_remain(
        self, migrated: str
    ):
        vault = IdentityVault(PostgresKeyStore(migrated))
        ref = uuid.uuid4().hex
        sealed = vault.seal(ref, Identity("王小明", "13800000000"))
        assert vault.open(ref, sealed) == Identity("王小明", "13800000000")

        assert vault.keys.destroy(ref, AT)

        assert vault.open(ref, sealed) is None
        with psycopg.connect(migrated) as conn:
            row = conn.execute(
                "SELECT key, destroyed_at FROM reporter_keys WHERE reporter_ref = %s",
                (ref,),
            ).fetchone()
        assert row is not None
        assert row[0] is None
        assert row[1] == AT

    def test_the_migration_applies_once(self, migrated: str):
        assert apply(migrated, MIGRATIONS, table="complaints_service") == []
