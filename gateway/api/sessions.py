"""The gateway's own state in the read-model database (schema `gateway`): refresh
tokens, revoked access tokens, idempotency keys with the responses they produced, and
the public endpoints' rate-limit buckets.

None of it is a source of truth about the campaign (that is the event store); losing
it signs people out and forgets which retries were already answered, nothing more.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

from gateway.api.auth import Principal, digest
from gateway.api.errors import ApiError

SCHEMA_SQL = """
CREATE SCHEMA IF NOT EXISTS gateway;
CREATE TABLE IF NOT EXISTS gateway.refresh_tokens (
    token_hash text PRIMARY KEY,
    username text NOT NULL,
    principal jsonb NOT NULL,
    expires_at double precision NOT NULL,
    revoked_at double precision
);
CREATE INDEX IF NOT EXISTS refresh_tokens_username ON gateway.refresh_tokens (username);
CREATE TABLE IF NOT EXISTS gateway.revoked_access (
    jti text PRIMARY KEY,
    expires_at double precision NOT NULL
);
CREATE TABLE IF NOT EXISTS gateway.idempotency (
    owner text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    status integer,
    body bytea,
    headers jsonb,
    created_at double precision NOT NULL,
    PRIMARY KEY (owner, key)
);
-- token buckets of the public endpoints, shared by every gateway worker and replica;
-- unlogged: a crash forgets them (everyone starts with a full bucket) and a take
-- does not wait for a WAL flush
CREATE UNLOGGED TABLE IF NOT EXISTS gateway.rate_buckets (
    scope text NOT NULL,
    client text NOT NULL,
    tokens double precision NOT NULL,
    updated_at timestamptz NOT NULL,
    allowed boolean NOT NULL,
    PRIMARY KEY (scope, client)
);
"""

# One statement takes a token or not, atomically (the row lock orders concurrent
# takes of one client); the database's clock refills, so replicas' clocks agree.
_REFILLED = (
    "least(%(burst)s, b.tokens + %(rate)s * "
    "extract(epoch FROM statement_timestamp() - b.updated_at))"
)
TAKE_TOKEN_SQL = f"""
INSERT INTO gateway.rate_buckets AS b (scope, client, tokens, updated_at, allowed)
VALUES (%(scope)s, %(client)s, %(burst)s - 1, statement_timestamp(), true)
ON CONFLICT (scope, client) DO UPDATE SET
    tokens = {_REFILLED} - CASE WHEN {_REFILLED} >= 1 THEN 1 ELSE 0 END,
    allowed = {_REFILLED} >= 1,
    updated_at = statement_timestamp()
RETURNING allowed
"""
# a bucket idle this long is full again: its row says nothing a missing one doesn't
PRUNE_BUCKETS_SQL = """
DELETE FROM gateway.rate_buckets WHERE scope = %(scope)s
AND updated_at < statement_timestamp() - make_interval(secs => %(full)s)
"""

IDEMPOTENCY_TTL_SECONDS = 24 * 3600
REVOCATIONS_REFRESH_SECONDS = 2.0
IN_PROGRESS_STALE_SECONDS = 120


@dataclass(frozen=True)
class Stored:
    """A response remembered under an idempotency key (status None: in progress)."""

    request_hash: str
    status: int | None
    body: bytes | None
    headers: dict[str, str]


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(
        method.encode() + b" " + path.encode() + b"\n" + body
    ).hexdigest()


class Sessions:
    """Refresh tokens, revocations and idempotency keys over a small pool."""

    def __init__(self, url: str, min_size: int = 2, max_size: int = 16) -> None:
        self.pool = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            kwargs={"autocommit": True},
            open=False,
            timeout=5.0,
        )
        self._schema = False
        self._revoked: set[str] = set()
        self._revoked_at = 0.0

    def open(self, wait: bool = True) -> None:
        """Open the pool (at once with `wait=False`: connections come when the
        database answers); the schema is made on the first use."""
        self.pool.open(wait=wait, timeout=10.0)
        if wait:
            self._ensure_schema()

    def _ensure_schema(self) -> None:
        with self.pool.connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext('gateway.schema'))")
            try:
                conn.execute(SCHEMA_SQL)
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext('gateway.schema'))")
        self._schema = True

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def _conn(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            if not self._schema:
                self._ensure_schema()
            with self.pool.connection() as conn:
                yield conn
        except (PoolTimeout, psycopg.OperationalError):
            raise ApiError(
                503,
                "sessions_unavailable",
                "登录与会话数据库暂时不可用，请稍后重试",
                "The sign-in database is unavailable; try again later",
                headers={"Retry-After": "5"},
            ) from None

    # -- refresh tokens and revocation ------------------------------------------------

    def keep_refresh(self, token: str, principal: Principal, ttl: int) -> None:
        with self._conn() as conn:
            conn.execute(
                "INSERT INTO gateway.refresh_tokens VALUES (%s, %s, %s, %s, NULL)",
                (
                    digest(token),
                    principal.username,
                    Jsonb(_principal_json(principal)),
                    time.time() + ttl,
                ),
            )

    def use_refresh(self, token: str) -> Principal | None:
        """The principal of a live refresh token, revoking it (rotation); None when
        unknown, expired or already used."""
        with self._conn() as conn:
            row = conn.execute(
                "UPDATE gateway.refresh_tokens SET revoked_at = %s "
                "WHERE token_hash = %s AND revoked_at IS NULL AND expires_at > %s "
                "RETURNING principal",
                (time.time(), digest(token), time.time()),
            ).fetchone()
        return _principal_from(row[0]) if row else None

    def revoke_refresh(self, token: str) -> None:
        with self._conn() as conn:
            conn.execute(
                "UPDATE gateway.refresh_tokens SET revoked_at = %s "
                "WHERE token_hash = %s AND revoked_at IS NULL",
                (time.time(), digest(token)),
            )

    def revoke_access(self, jti: str, expires_at: float) -> None:
        with self._conn() as conn:
            conn.execute(
                "INSERT INTO gateway.revoked_access VALUES (%s, %s) "
                "ON CONFLICT DO NOTHING",
                (jti, expires_at),
            )
            conn.execute(
                "DELETE FROM gateway.revoked_access WHERE expires_at < %s",
                (time.time() - 3600,),
            )
        self._revoked.add(jti)

    def is_revoked(self, jti: str) -> bool:
        """Whether an access token was revoked. The list of revoked (and not yet
        expired) tokens is read at most every REVOCATIONS_REFRESH_SECONDS, so a
        logout through another gateway replica takes effect here within that time
        (through this one at once); a query per request would cost every request a
        round trip for an event that happens at logout only."""
        now = time.monotonic()
        if now - self._revoked_at > REVOCATIONS_REFRESH_SECONDS:
            with self._conn() as conn:
                rows = conn.execute(
                    "SELECT jti FROM gateway.revoked_access WHERE expires_at > %s",
                    (time.time() - 60,),
                ).fetchall()
            self._revoked = {row[0] for row in rows}
            self._revoked_at = now
        return jti in self._revoked

    # -- idempotency ------------------------------------------------------------------

    def claim(self, owner: str, key: str, hashed: str) -> Stored | None:
        """Claim a key for this request: None if the claim is ours (go ahead),
        else what is stored under the key (a finished response, or one in progress).
        A claim left in progress by a crashed gateway is taken over after a while."""
        now = time.time()
        with self._conn() as conn:
            inserted = conn.execute(
                "INSERT INTO gateway.idempotency "
                "(owner, key, request_hash, created_at) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT DO NOTHING RETURNING 1",
                (owner, key, hashed, now),
            ).fetchone()
            if inserted:
                return None
            taken = conn.execute(
                "UPDATE gateway.idempotency SET request_hash = %s, created_at = %s "
                "WHERE owner = %s AND key = %s AND ((status IS NULL AND "
                "created_at < %s) OR created_at < %s) RETURNING 1",
                (
                    hashed,
                    now,
                    owner,
                    key,
                    now - IN_PROGRESS_STALE_SECONDS,
                    now - IDEMPOTENCY_TTL_SECONDS,
                ),
            ).fetchone()
            if taken:
                conn.execute(
                    "UPDATE gateway.idempotency SET status = NULL, body = NULL, "
                    "headers = NULL WHERE owner = %s AND key = %s",
                    (owner, key),
                )
                return None
            row = conn.execute(
                "SELECT request_hash, status, body, headers FROM gateway.idempotency "
                "WHERE owner = %s AND key = %s",
                (owner, key),
            ).fetchone()
        if row is None:  # pragma: no cover - deleted between the two statements
            return None
        return Stored(row[0], row[1], bytes(row[2]) if row[2] else None, row[3] or {})

    def remember(
        self,
        owner: str,
        key: str,
        status: int,
        body: bytes,
        headers: dict[str, str],
    ) -> None:
        with self._conn() as conn:
            conn.execute(
                "UPDATE gateway.idempotency SET status = %s, body = %s, headers = %s "
                "WHERE owner = %s AND key = %s",
                (status, body, Jsonb(headers), owner, key),
            )

    def release(self, owner: str, key: str) -> None:
        """Forget a claim whose request failed before any effect (retry may proceed)."""
        with self._conn() as conn:
            conn.execute(
                "DELETE FROM gateway.idempotency WHERE owner = %s AND key = %s "
                "AND status IS NULL",
                (owner, key),
            )

    # -- rate limits ----------------------------------------------------------------

    def take_token(
        self, scope: str, client: str, rate: float, burst: int, prune: bool = False
    ) -> bool:
        """Take one token from the (scope, client) bucket shared by every gateway
        process: True if there was one. With `prune`, first forget the buckets of
        `scope` that have been idle long enough to be full again."""
        params = {"scope": scope, "client": client, "rate": rate, "burst": burst}
        with self._conn() as conn:
            if prune:
                conn.execute(PRUNE_BUCKETS_SQL, {"scope": scope, "full": burst / rate})
            row = conn.execute(TAKE_TOKEN_SQL, params).fetchone()
        return bool(row and row[0])

    def ping(self) -> None:
        with self._conn() as conn:
            conn.execute("SELECT 1")


def _principal_json(principal: Principal) -> dict[str, Any]:
    return {
        "username": principal.username,
        "bureau_id": principal.bureau_id,
        "roles": sorted(principal.roles),
        "person_id": principal.person_id,
        "kind": principal.kind,
    }


def _principal_from(raw: Any) -> Principal:
    data = raw if isinstance(raw, dict) else json.loads(raw)
    return Principal(
        username=data["username"],
        bureau_id=data.get("bureau_id"),
        roles=frozenset(data.get("roles") or ()),
        person_id=data.get("person_id"),
        kind=data.get("kind") or "person",
    )
