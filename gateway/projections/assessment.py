"""The year-end assessment table (年终考核表) as last published (from the evaluation
service).

Each `AssessmentPublished` on stream `assessment-<bureau_id>.<year>` carries the whole
table of one bureau and year; it replaces the rows of that bureau-year (a unit left
out of a later publish leaves the table). What the service computes live on request
(`assess_units`) is not projected: only what the office published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from psycopg import sql
from psycopg.types.json import Jsonb

from eventing.events import Envelope
from gateway.projections.base import Connection, Projection, Tables

ENTRIES = (
    "entry_id text PRIMARY KEY, bureau_id text NOT NULL, year integer NOT NULL, "
    "unit_id text NOT NULL, rank integer, score text, score_decimal numeric, "
    "incomplete boolean NOT NULL, missing text[] NOT NULL, inputs jsonb NOT NULL, "
    "as_of timestamptz, published_at timestamptz NOT NULL, published_by text, "
    "note text, version integer NOT NULL"
)
COLUMNS = (
    "entry_id, bureau_id, year, unit_id, rank, score, score_decimal, incomplete, "
    "missing, inputs, as_of, published_at, published_by, note, version"
)
# typed: the values go through SELECT (for the version guard), not VALUES
VALUES = (
    "%s, %s, %s, %s, %s::integer, %s::text, %s::numeric, %s, %s::text[], %s, "
    "%s::timestamptz, %s::timestamptz, %s::text, %s::text, %s"
)


def entry_id(bureau_id: str, year: int, unit_id: str) -> str:
    """A row's id: the stream's id and the unit (`b01.2026/b01.u001`)."""
    return f"{bureau_id}.{year}/{unit_id}"


class AssessmentProjection(Projection):
    """One row per unit of each bureau-year's last published assessment."""

    name = "assessment"
    categories = ("assessment",)
    tables: ClassVar[Mapping[str, str]] = {"assessment": ENTRIES}
    indexes: ClassVar[Mapping[str, Sequence[str]]] = {
        # serves the replacement of a bureau-year and the view's filters; a table
        # holds a bureau's few dozen units a year: sorting them needs no index
        "assessment": ["UNIQUE (bureau_id, year, unit_id)"],
    }

    def apply(self, conn: Connection, tables: Tables, envelope: Envelope) -> None:
        if envelope.type != "AssessmentPublished":
            return
        data = envelope.data
        bureau, year = data["bureau_id"], int(data["year"])
        table = tables["assessment"]
        # a table is replaced only by a later publish of the same stream: applying
        # an event again (or an older one) changes nothing
        conn.execute(
            sql.SQL(
                "DELETE FROM {} WHERE bureau_id = %s AND year = %s AND version <= %s"
            ).format(table),
            (bureau, year, envelope.version),
        )
        rows = [self._row(envelope, unit) for unit in data.get("units") or ()]
        if not rows:
            return
        with conn.cursor() as cur:
            cur.executemany(
                sql.SQL(
                    "INSERT INTO {table} (" + COLUMNS + ") SELECT " + VALUES + " "
                    "WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE bureau_id = %s "
                    "AND year = %s AND version > %s) "
                    "ON CONFLICT (entry_id) DO NOTHING"
                ).format(table=table),
                [(*row, bureau, year, envelope.version) for row in rows],
            )

    @staticmethod
    def _row(envelope: Envelope, unit: Mapping[str, Any]) -> tuple[Any, ...]:
        data = envelope.data
        bureau, year = data["bureau_id"], int(data["year"])
        return (
            entry_id(bureau, year, unit["unit_id"]), bureau, year, unit["unit_id"],
            unit.get("rank"), unit.get("score"), unit.get("score_decimal"),
            bool(unit.get("incomplete")), list(unit.get("missing") or ()),
            Jsonb(unit.get("inputs") or {}), data.get("as_of"),
            data.get("published_at") or envelope.recorded_at,
            data.get("published_by") or envelope.actor, data.get("note"),
            envelope.version,
        )  # fmt: skip
