"""The ballot-key port: one AES-256 key per round, kept outside the event log.

Made when a round opens, used to seal each ballot and to open them all at close, then
destroyed: from then on the sealed ballots in the log can never be opened again, and
only the round's tally (counts, shuffled comments) remains readable.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import datetime
from typing import Protocol

import psycopg

KEY_BYTES = 32
KEY_TTL = 10.0  # seconds a process keeps a live key it has read


class BallotKeys(Protocol):
    """Where rounds' keys live; `get` is None for an unknown or destroyed one."""

    def create(self, round_id: str) -> bytes: ...

    def get(self, round_id: str) -> bytes | None: ...

    def destroy(self, round_id: str, at: datetime) -> bool: ...


class MemoryBallotKeys:
    """The fake for unit tests: a dict; a destroyed key is gone."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes | None] = {}
        self._lock = threading.Lock()

    def create(self, round_id: str) -> bytes:
        key = secrets.token_bytes(KEY_BYTES)
        with self._lock:
            if round_id in self._keys:
                raise KeyError(f"a key for round {round_id} exists already")
            self._keys[round_id] = key
        return key

    def get(self, round_id: str) -> bytes | None:
        with self._lock:
            return self._keys.get(round_id)

    def destroy(self, round_id: str, at: datetime) -> bool:
        with self._lock:
            if self._keys.get(round_id) is None:
                return False
            self._keys[round_id] = None
            return True


class PostgresBallotKeys:
    """The service's own `ballot_keys` table in the event-store database
    (migrations/0001_ballot_keys.sql); a destroyed key is overwritten with NULL."""

    def __init__(self, conninfo: str, ttl: float = KEY_TTL) -> None:
        self.conninfo = conninfo
        self.ttl = ttl
        # A live key for a few seconds, so a vote does not open a connection for
        # it; short, because a copy in memory outlives the key's destruction.
        self._recent: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    def create(self, round_id: str) -> bytes:
        key = secrets.token_bytes(KEY_BYTES)
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO ballot_keys (round_id, key) VALUES (%s, %s)",
                (round_id, key),
            )
        return key

    def get(self, round_id: str) -> bytes | None:
        now = time.monotonic()
        with self._lock:
            recent = self._recent.get(round_id)
            if recent is not None and now - recent[1] < self.ttl:
                return recent[0]
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            row = conn.execute(
                "SELECT key FROM ballot_keys "
                "WHERE round_id = %s AND destroyed_at IS NULL",
                (round_id,),
            ).fetchone()
        key = None if row is None else bytes(row[0])
        with self._lock:
            if key is None:
                self._recent.pop(round_id, None)
            else:
                if len(self._recent) > 1000:
                    self._recent.clear()
                self._recent[round_id] = (key, now)
        return key

    def destroy(self, round_id: str, at: datetime) -> bool:
        with self._lock:
            self._recent.pop(round_id, None)
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            cursor = conn.execute(
                "UPDATE ballot_keys SET key = NULL, destroyed_at = %s "
                "WHERE round_id = %s AND destroyed_at IS NULL",
                (at, round_id),
            )
            return cursor.rowcount == 1
