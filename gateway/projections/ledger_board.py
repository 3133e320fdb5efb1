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

# event type -> the columns it changes: ("set", column, data field or None for
# NULL, or a constant given as ("=", value)), ("add", column, 1) or
# ("max", column, data field). One table serves both one event and a batch folded
# in memory (each item's events of a batch become one UPDATE).
Op = tuple[str, str, Any]
UPDATES: dict[str, tuple[Op, ...]] = {
    "MeasureAdded": (("add", "measures", 1),),
    "SupervisorNamed": (("set", "leader_id", "leader_id"),),
    "DeadlineSet": (("set", "deadline", "deadline"),),
    "ProgressNoted": (("add", "notes", 1),),
    "RectificationSubmitted": (("set", "status", ("=", "submitted")),),
    "ItemVerified": (
        ("set", "status", ("=", "closed")),
        ("set", "verified_on", "verified_on"),
        ("set", "on_time", "on_time"),
    ),
    "RectificationRejected": (
        ("set", "status", ("=", "open")),
        ("add", "rejections", 1),
    ),
    "ItemReopened": (
        ("set", "status", ("=", "open")),
        ("set", "found_on", "found_on"),
        ("set", "deadline", "deadline"),
        ("set", "verified_on", None),
        ("set", "on_time", None),
        ("add", "reopenings", 1),
        ("set", "overdue_since", None),
        ("set", "escalation_level", ("=", 0)),
    ),
    "ItemOverdue": (("set", "overdue_since", "on"),),
    "ItemEscalated": (("max", "escalation_level", "level"),),
}


class _Change:
    """One item's changes within a batch, folded: later sets win, additions sum,
    a maximum keeps the greatest; a set then an addition is a set of the sum."""

    def __init__(self) -> None:
        self.sets: dict[str, Any] = {}
        self.adds: dict[str, int] = {}
        self.maxes: dict[str, Any] = {}
        self.version = 0
        self.at: Any = None

    def take(self, ops: tuple[Op, ...], data: Mapping[str, Any]) -> None:
        for op, column, source in ops:
            if op == "set":
                value = (
                    None
                    if source is None
                    else source[1]
                    if isinstance(source, tuple)
                    else data[source]
                )
                self.sets[column] = value
                self.adds.pop(column, None)
                self.maxes.pop(column, None)
            elif op == "add":  # as SQL: NULL + n stays NULL
                if column in self.sets:
                    if self.sets[column] is not None:
                        self.sets[column] += source
                else:
                    self.adds[column] = self.adds.get(column, 0) + source
            else:  # max, as SQL's GREATEST: NULLs are ignored
                value = data[source]
                if column in self.sets:
                    known = self.sets[column]
                    self.sets[column] = value if known is None else max(known, value)
                else:
                    self.maxes[column] = max(self.maxes.get(column, value), value)

    def statement(self) -> tuple[str, tuple[Any, ...]]:
        """The SET clause (its shape) and the values, in order."""
        parts, values = [], []
        for column, value in sorted(self.sets.items()):
            parts.append(f"{column} = %s")
            values.append(value)
        for column, amount in sorted(self.adds.items()):
            parts.append(f"{column} = {column} + %s")
            values.append(amount)
        for column, value in sorted(self.maxes.items()):
            parts.append(f"{column} = GREATEST({column}, %s)")
            values.append(value)
        parts.append("version = %s, last_event_at = %s")
        values += [self.version, self.at]
        return ", ".join(parts), tuple(values)


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
        self.apply_batch(conn, tables, [envelope])

    def apply_batch(
        self, conn: Connection, tables: Tables, envelopes: Sequence[Envelope]
    ) -> None:
        """Insert the items opened in the batch, then one UPDATE per changed item
        with its events folded (grouped by statement shape, sent as executemany)."""
        opened: list[tuple[Any, ...]] = []
        changes: dict[str, _Change] = {}
        for envelope in envelopes:
            data, kind = envelope.data, envelope.type
            item_id = envelope.stream.split("-", 1)[1]
            if kind == "ItemOpened":
                opened.append(
                    (item_id, data["bureau_id"], data["unit_id"], data["person_id"],
                     data["level"], data["category"], data["check_dimension"],
                     data["source"], data["reference"], data["description"],
                     data["found_on"], data["found_on"], envelope.recorded_at,
                     envelope.recorded_at, envelope.version)
                )  # fmt: skip
                continue
            change = changes.setdefault(item_id, _Change())
            change.take(UPDATES.get(kind, ()), data)
            change.version = envelope.version
            change.at = envelope.recorded_at
        table = tables["ledger_board"]
        with conn.cursor() as cursor:
            if opened:
                cursor.executemany(
                    sql.SQL(
                        "INSERT INTO {} (item_id, bureau_id, unit_id, person_id, "
                        "level, category, check_dimension, source, reference, "
                        "description, status, first_found_on, found_on, opened_at, "
                        "last_event_at, version) VALUES (%s, %s, %s, %s, %s, %s, "
                        "%s, %s, %s, %s, 'open', %s, %s, %s, %s, %s)"
                    ).format(table),
                    opened,
                )
            shapes: dict[str, list[tuple[Any, ...]]] = {}
            for item_id, change in changes.items():
                clause, values = change.statement()
                shapes.setdefault(clause, []).append((*values, item_id))
            for clause, rows in shapes.items():
                cursor.executemany(
                    sql.SQL("UPDATE {} SET " + clause + " WHERE item_id = %s").format(
                        table
                    ),
                    rows,
                )
