"""The key-store port: one AES-256 key per reporter, kept outside the event log.

Destroying a key is crypto-shredding: the sealed identity in the events stays, but
nobody can open it any more.
"""

from __future__ import annotations

import secrets
import threading
from datetime import datetime
from typing import Protocol

import psycopg

KEY_BYTES = 32


class KeyStore(Protocol):
    """Where reporters' keys live; `get` is None for an unknown or destroyed one."""

    def create(self, reporter_ref: str) -> bytes: ...

    def get(self, reporter_ref: str) -> bytes | None: ...

    def destroy(self, reporter_ref: str, at: datetime) -> bool: ...


class MemoryKeyStore:
    """The fake for unit tests: a dict; a destroyed key is gone."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes | None] = {}
        self._lock = threading.Lock()

    def create(self, reporter_ref: str) -> bytes:
        key = secrets.token_bytes(KEY_BYTES)
        with self._lock:
            if reporter_ref in self._keys:
                raise KeyError(f"a key for {reporter_ref} exists already")
            self._keys[reporter_ref] = key
        return key

    def get(self, reporter_ref: str) -> bytes | None:
        with self._lock:
            return self._keys.get(reporter_ref)

    def destroy(self, reporter_ref: str, at: datetime) -> bool:
        with self._lock:
            if self._keys.get(reporter_ref) is None:
                return False
            self._keys[reporter_ref] = None
            return True


class PostgresKeyStore:
    """The service's own `reporter_keys` table in the event-store database
    (migrations/0001_reporter_keys.sql); a destroyed key is overwritten with NULL."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo

    def create(self, reporter_ref: str) -> bytes:
        key = secrets.token_bytes(KEY_BYTES)
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO reporter_keys (reporter_ref, key) VALUES (%s, %s)",
                (reporter_ref, key),
            )
        return key

    def get(self, reporter_ref: str) -> bytes | None:
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            row = conn.execute(
                "SELECT key FROM reporter_keys "
                "WHERE reporter_ref = %s AND destroyed_at IS NULL",
                (reporter_ref,),
            ).fetchone()
        return None if row is None else bytes(row[0])

    def destroy(self, reporter_ref: str, at: datetime) -> bool:
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            cursor = conn.execute(
                "UPDATE reporter_keys SET key = NULL, destroyed_at = %s "
                "WHERE reporter_ref = %s AND destroyed_at IS NULL",
                (at, reporter_ref),
            )
            return cursor.rowcount == 1
