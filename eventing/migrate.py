"""Schema migrations: numbered SQL files applied once each, in order, under a lock.

Sets live in eventing/migrations/<set>/NNNN_name.sql; other packages (the gateway's read
models) pass their own directory. `ensure_database` creates a missing database first.
"""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
LOCK_KEY = 7_351_220_001  # advisory lock: one migrator at a time per database


def ensure_database(conninfo: str) -> bool:
    """Create the database named in `conninfo` if it is missing; True if created."""
    params = conninfo_to_dict(conninfo)
    name = str(params.get("dbname") or "")
    if not name:
        raise ValueError(f"no database name in {conninfo!r}")
    admin = make_conninfo(conninfo, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists:
            return False
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:
            return False  # another migrator created it first
    log.info("created database %s", name)
    return True


def apply(conninfo: str, directory: Path, *, table: str) -> list[str]:
    """Apply the files in `directory` not yet recorded in `table`; return names."""
    applied: list[str] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        try:
            conn.execute("CREATE SCHEMA IF NOT EXISTS migrations")
            ident = sql.Identifier("migrations", table)
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (name text PRIMARY KEY, "
                    "applied_at timestamptz NOT NULL DEFAULT now())"
                ).format(ident)
            )
            done = {
                row[0]
                for row in conn.execute(sql.SQL("SELECT name FROM {}").format(ident))
            }
            for path in sorted(directory.glob("*.sql")):
                if path.name in done:
                    continue
                with conn.transaction():
                    conn.execute(path.read_text(encoding="utf-8"))
                    conn.execute(
                        sql.SQL("INSERT INTO {} (name) VALUES (%s)").format(ident),
                        (path.name,),
                    )
                applied.append(path.name)
                log.info("applied %s/%s", directory.name, path.name)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
    return applied


def migrate_store(conninfo: str) -> list[str]:
    """Create and migrate an event store database (log, append, checkpoints)."""
    ensure_database(conninfo)
    return apply(conninfo, MIGRATIONS / "store", table="eventing_store") + apply(
        conninfo, MIGRATIONS / "tracking", table="eventing_tracking"
    )


def migrate_tracking(conninfo: str) -> list[str]:
    """Create and migrate a database that only keeps checkpoints (read models)."""
    ensure_database(conninfo)
    return apply(conninfo, MIGRATIONS / "tracking", table="eventing_tracking")
