"""Filters of the read-model queries: parsing and checking what callers send.

Every parser takes (field name, raw value) and answers the value in its Python form,
or raises InvalidInput naming the field and the reason (see services.common.errors).
Values may come as query-string text ("true", "a,b", "2026-06-30") or typed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from psycopg import sql

from services.common.errors import InvalidInput


@dataclass
class Where:
    """A conjunction of SQL conditions and their parameters."""

    parts: list[sql.Composable] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, condition: str | sql.Composable, *params: Any) -> None:
        self.parts.append(
            sql.SQL(condition) if isinstance(condition, str) else condition
        )
        self.params.extend(params)

    def sql(self) -> sql.Composable:
        if not self.parts:
            return sql.SQL("TRUE")
        return sql.SQL(" AND ").join(sql.SQL("({})").format(p) for p in self.parts)


Parser = Callable[[str, Any], Any]


def check_filters(filters: Mapping[str, Any] | None, allowed: Iterable[str]) -> None:
    unknown = sorted(set(filters or {}) - set(allowed))
    if unknown:
        raise InvalidInput(fields=dict.fromkeys(unknown, "not_allowed"))


def one_of(choices: Iterable[str]) -> Parser:
    """A filter that takes one or several values (a list or "a,b") from `choices`."""
    allowed = frozenset(choices)

    def parse(name: str, value: Any) -> list[str]:
        values = value.split(",") if isinstance(value, str) else value
        if not isinstance(values, list | tuple) or not values:
            raise InvalidInput(fields={name: "not_allowed"})
        if any(not isinstance(v, str) or v not in allowed for v in values):
            raise InvalidInput(fields={name: "not_allowed"})
        return list(values)

    return parse


def an_id(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(fields={name: "required"})
    if len(value) > 200:
        raise InvalidInput(fields={name: "too_long"})
    return value


def a_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0", "no"):
        return False
    raise InvalidInput(fields={name: "not_allowed"})


def a_date(name: str, value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(fields={name: "not_a_date"}) from None


def an_int(low: int, high: int) -> Parser:
    def parse(name: str, value: Any) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise InvalidInput(fields={name: "not_a_number"}) from None
        if isinstance(value, bool) or not low <= number <= high:
            raise InvalidInput(fields={name: "out_of_range"})
        return number

    return parse


def parse_filters(
    filters: Mapping[str, Any] | None, parsers: Mapping[str, Parser]
) -> dict[str, Any]:
    """Every filter given, validated; unknown names and bad values: InvalidInput."""
    check_filters(filters, parsers)
    return {
        name: parsers[name](name, value)
        for name, value in (filters or {}).items()
        if value is not None
    }
