"""Sorting and keyset cursors of the read-model queries.

A cursor is base64url of JSON `[sort, [key values as text], id]`: the last row's sort
key, so the next page starts strictly after it (no OFFSET, stable under inserts).
A cursor is only valid with the sort it was made for.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from gateway.queries.filters import an_int
from services.common.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class Sort:
    """A sort a query offers: key columns with their SQL types, then a unique id."""

    name: str
    keys: tuple[tuple[str, str], ...]  # (SQL expression, type for the cursor cast)
    id_column: str
    descending: bool = False

    def order_by(self) -> sql.Composable:
        way = sql.SQL(" DESC" if self.descending else " ASC")
        parts = [sql.SQL(expr) + way for expr, _ in self.keys]
        parts.append(sql.Identifier(self.id_column) + way)
        return sql.SQL(", ").join(parts)

    def key_select(self) -> sql.Composable:
        return sql.SQL(", ").join(
            sql.SQL("({})::text AS {}").format(sql.SQL(expr), sql.Identifier(f"_k{n}"))
            for n, (expr, _) in enumerate(self.keys)
        )

    def after(self, cursor: Cursor) -> tuple[sql.Composable, list[Any]]:
        """The keyset condition: rows strictly after the cursor in this order."""
        left = sql.SQL(", ").join(
            [sql.SQL(expr) for expr, _ in self.keys] + [sql.Identifier(self.id_column)]
        )
        right = sql.SQL(", ").join(
            [sql.SQL("%s::" + cast) for _, cast in self.keys] + [sql.SQL("%s")]
        )
        op = sql.SQL("<" if self.descending else ">")
        condition = sql.SQL("({}) {} ({})").format(left, op, right)
        return condition, [*cursor.keys, cursor.id]


def sorts(
    *specs: tuple[str, tuple[tuple[str, str], ...]], id_column: str
) -> dict[str, Sort]:
    """Every sort as `name` (ascending) and `-name` (descending)."""
    answer: dict[str, Sort] = {}
    for name, keys in specs:
        answer[name] = Sort(name, keys, id_column)
        answer["-" + name] = Sort("-" + name, keys, id_column, descending=True)
    return answer


@dataclass(frozen=True)
class Cursor:
    sort: str
    keys: list[str]
    id: str

    def encode(self) -> str:
        raw = json.dumps([self.sort, self.keys, self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, sort: Sort) -> Cursor:
        try:
            padded = text + "=" * (-len(text) % 4)
            name, keys, id_ = json.loads(base64.urlsafe_b64decode(padded.encode()))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise InvalidInput(fields={"cursor": "bad_format"}) from None
        if (
            name != sort.name
            or not isinstance(keys, list)
            or len(keys) != len(sort.keys)
            or not all(isinstance(k, str) for k in keys)
            or not isinstance(id_, str)
        ):
            raise InvalidInput(fields={"cursor": "bad_format"})
        return cls(name, keys, id_)


def choose_sort(sort: str | None, offered: Mapping[str, Sort], default: str) -> Sort:
    chosen = offered.get(sort or default)
    if chosen is None:
        raise InvalidInput(fields={"sort": "not_allowed"})
    return chosen


def check_limit(limit: Any) -> int:
    size: int = an_int(1, MAX_LIMIT)("limit", DEFAULT_LIMIT if limit is None else limit)
    return size
