"""Run projections to the store's head in a test, the way the projector does."""

from __future__ import annotations

from typing import Any

import psycopg

from eventing.store.base import EventStore
from eventing.subscription import PostgresCheckpoints
from gateway.projections.base import Projection, Tables
from gateway.projections.runner import step


def catch_up(store: EventStore, conninfo: str, *projections: Projection) -> None:
    """Create each projection's tables (if missing) and apply every event."""
    with psycopg.connect(conninfo) as conn:
        for projection in projections:
            tables = Tables(list(projection.tables))
            with conn.transaction():
                projection.create(conn, tables)
            position = PostgresCheckpoints.load_in(conn, projection.checkpoint)
            moved = True
            while moved:
                position, moved = step(
                    conn, store, projection, tables, projection.checkpoint,
                    position, 100,
                )  # fmt: skip


def table_rows(conninfo: str, table: str, order: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo) as conn:
        return conn.execute(
            f"SELECT * FROM readmodel.{table} ORDER BY {order}"
        ).fetchall()
