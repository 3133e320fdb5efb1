"""Read-model projections: tables in the read-model database, fed from the event store.

A projection names its tables (schema `readmodel`) and applies one event at a time
inside a transaction that also moves its checkpoint (eventing.checkpoints, name
`projection:<name>`), so a killed projector neither loses nor doubles an event.

Rebuild without downtime: the same projection is built from position zero into shadow
tables (`<table>__rebuild`) while the live one keeps serving; once the shadow has
caught up, one transaction locks the live checkpoint (the live projector waits), applies
the last events to the shadow, swaps the tables by renaming, and hands the shadow's
checkpoint to the live name.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import psycopg
from psycopg import sql

from eventing.events import Envelope

SCHEMA = "readmodel"
Connection = psycopg.Connection[Any]


class Tables:
    """Physical names of a projection's tables: live, or the rebuild's shadow."""

    def __init__(self, names: Sequence[str], suffix: str = "") -> None:
        self._names = {name: f"{name}{suffix}" for name in names}
        self.suffix = suffix

    def __getitem__(self, name: str) -> sql.Composed:
        return sql.SQL(".").join(
            [sql.Identifier(SCHEMA), sql.Identifier(self._names[name])]
        )

    def physical(self, name: str) -> str:
        return self._names[name]


class Projection(abc.ABC):
    """One read model: its tables and how each event changes them."""

    name: ClassVar[str]
    categories: ClassVar[tuple[str, ...]]
    # table name -> column definitions (what goes inside CREATE TABLE (...))
    tables: ClassVar[Mapping[str, str]]
    # table name -> index definitions, each "(columns)" or "UNIQUE (columns)"
    indexes: ClassVar[Mapping[str, Sequence[str]]] = {}

    @property
    def checkpoint(self) -> str:
        return f"projection:{self.name}"

    @abc.abstractmethod
    def apply(self, conn: Connection, tables: Tables, envelope: Envelope) -> None:
        """Change the rows for one event; runs inside the batch's transaction."""

    def apply_batch(
        self, conn: Connection, tables: Tables, envelopes: Sequence[Envelope]
    ) -> None:
        """Change the rows for a batch of events, in order (one transaction).
        A projection may fold the batch and write less often; the default applies
        them one at a time."""
        for envelope in envelopes:
            self.apply(conn, tables, envelope)

    def create(self, conn: Connection, tables: Tables, *, indexes: bool = True) -> None:
        """Create the tables (if missing) under their physical names; with
        `indexes=False` only the tables (a rebuild adds the indexes once filled:
        building an index once is far cheaper than keeping it up row by row)."""
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(SCHEMA))
        )
        for table, columns in self.tables.items():
            conn.execute(
                sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(
                    tables[table],
                    sql.SQL(columns),
                )
            )
            if not indexes:
                continue
            for n, index in enumerate(self.indexes.get(table, ())):
                unique = index.startswith("UNIQUE")
                columns_sql = index.removeprefix("UNIQUE").strip()
                conn.execute(
                    sql.SQL("CREATE {} INDEX IF NOT EXISTS {} ON {} {}").format(
                        sql.SQL("UNIQUE" if unique else ""),
                        sql.Identifier(f"{tables.physical(table)}_i{n}"),
                        tables[table],
                        sql.SQL(columns_sql),
                    )
                )

    def drop(self, conn: Connection, tables: Tables) -> None:
        for table in self.tables:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(tables[table]))
