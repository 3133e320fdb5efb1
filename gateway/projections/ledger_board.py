"""The ledger board: one row per ledger item, as the ledger service's events left it.

Whether an item is overdue depends on today, so the board keeps the deadline and the
status and the query decides (`deadline < today AND status <> 'closed'`); the
service's own `ItemOverdue`/`ItemEscalated` are kept as `overdue_since` and
`escalation_level`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from psycopg import sql

from eventing.events import Envelope
from gateway.projections.base import Connection, Projection, Tables

# event type -> (assignments, fields of the event's data they take, in order)
UPDATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "MeasureAdded": ("measures = measures + 1", ()),
    "SupervisorNamed": ("leader_id = %s", ("leader_id",)),
    "DeadlineSet": ("deadline = %s", ("deadline",)),
    "ProgressNoted": ("notes = notes + 1", ()),
    "RectificationSubmitted": ("status = 'submitted'", ()),
    "ItemVerified": (
        "status = 'closed', verified_on = %s, on_time = %s",
        ("verified_on", "on_time"),
    ),
    "RectificationRejected": (
        "status = 'open', rejections = rejections + 1",
        (),
    ),
    "ItemReopened": (
        "status = 'open', found_on = %s, deadline = %s, verified_on = NULL, "
        "on_time = NULL, reopenings = reopenings + 1, overdue_since = NULL, "
        "escalation_level = 0",
        ("found_on", "deadline"),
    ),
    "ItemOverdue": ("overdue_since = %s", ("on",)),
    "ItemEscalated": ("escalation_level = GREATEST(escalation_level, %s)", ("level",)),
}

COLUMNS = (
    "item_id text PRIMARY KEY, bureau_id text NOT NULL, unit_id text, "
    "person_id text, level text NOT NULL, category text NOT NULL, "
    "check_dimension text, source text NOT NULL, reference text NOT NULL, "
    "description text NOT NULL, status text NOT NULL, "
    "first_found_on date NOT NULL, found_on date NOT NULL, leader_id text, "
    "deadline date, measures integer NOT NULL DEFAULT 0, "
    "notes integer NOT NULL DEFAULT 0, rejections integer NOT NULL DEFAULT 0, "
    "reopenings integer NOT NULL DEFAULT 0, verified_on date, on_time boolean, "
    "overdue_since date, escalation_level integer NOT NULL DEFAULT 0, "
    "opened_at timestamptz NOT NULL, last_event_at timestamptz NOT NULL, "
    "version integer NOT NULL, "
    # keyset pagination needs a sort key that is never NULL
    "deadline_key date GENERATED ALWAYS AS "
    "(COALESCE(deadline, '9999-12-31'::date)) STORED"
)


class LedgerBoardProjection(Projection):
    """Every ledger item of every bureau, one row each, for the board's filters."""

    name = "ledger_board"
    categories = ("ledger_item",)
    tables: ClassVar[Mapping[str, str]] = {"ledger_board": COLUMNS}
    indexes: ClassVar[Mapping[str, Sequence[str]]] = {
        "ledger_board": [
            "(bureau_id, deadline_key, item_id)",
            "(bureau_id, last_event_at, item_id)",
            "(bureau_id, first_found_on, item_id)",
            # the unit dashboard's counts: an index-only scan per page of units
            "(bureau_id, unit_id, status) INCLUDE (deadline, on_time, "
            "first_found_on, escalation_level)",
            "(bureau_id, status, deadline_key)",
            "(bureau_id, leader_id)",
            "(deadline_key, item_id)",  # district scope
            "(last_event_at, item_id)",
        ]
    }

    def apply(self, conn: Connection, tables: Tables, envelope: Envelope) -> None:
        data, kind = envelope.data, envelope.type
        item_id = envelope.stream.split("-", 1)[1]
        if kind == "ItemOpened":
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (item_id, bureau_id, unit_id, person_id, level, "
                    "category, check_dimension, source, reference, description, "
                    "status, first_found_on, found_on, opened_at, last_event_at, "
                    "version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                    "'open', %s, %s, %s, %s, %s)"
                ).format(tables["ledger_board"]),
                (item_id, data["bureau_id"], data["unit_id"], data["person_id"],
                 data["level"], data["category"], data["check_dimension"],
                 data["source"], data["reference"], data["description"],
                 data["found_on"], data["found_on"], envelope.recorded_at,
                 envelope.recorded_at, envelope.version),
            )  # fmt: skip
            return
        assignments, fields = UPDATES.get(kind, ("", ()))
        values: tuple[Any, ...] = tuple(data[f] for f in fields)
        set_clause = (assignments + ", " if assignments else "") + (
            "version = %s, last_event_at = %s"
        )
        conn.execute(
            sql.SQL("UPDATE {} SET " + set_clause + " WHERE item_id = %s").format(
                tables["ledger_board"]
            ),
            (*values, envelope.version, envelope.recorded_at, item_id),
        )
