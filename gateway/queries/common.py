"""What every read-model query shares: scope, filters, sort, keyset cursor, freshness.

A query is a plain function over a psycopg connection (autocommit or not: it only
reads, and leaves transactions to the caller). It answers a `Page`: the items, an
opaque cursor for the next page (None on the last) and the projection's checkpoint
position read *before* the rows, so the rows are at least that fresh.

Filters are parsed in `filters.py`, sorts and keyset cursors live in `paging.py`;
their names are re-exported here so a query needs one import (`common as q`).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from gateway.queries.filters import Parser as Parser
from gateway.queries.filters import Where as Where
from gateway.queries.filters import a_bool as a_bool
from gateway.queries.filters import a_date as a_date
from gateway.queries.filters import an_id as an_id
from gateway.queries.filters import an_int as an_int
from gateway.queries.filters import one_of as one_of
from gateway.queries.filters import parse_filters as parse_filters
from gateway.queries.paging import DEFAULT_LIMIT as DEFAULT_LIMIT
from gateway.queries.paging import MAX_LIMIT as MAX_LIMIT
from gateway.queries.paging import Cursor as Cursor
from gateway.queries.paging import Sort as Sort
from gateway.queries.paging import check_limit as check_limit
from gateway.queries.paging import choose_sort as choose_sort
from gateway.queries.paging import sorts as sorts
from services.common.errors import InvalidInput

ZONE = ZoneInfo("Asia/Shanghai")
SCHEMA = "readmodel"
Connection = psycopg.Connection[Any]
Row = dict[str, Any]


@dataclass(frozen=True)
class Scope:
    """Whose rows a caller may see: one bureau's, or (None) the whole district's."""

    bureau_id: str | None

    @classmethod
    def district(cls) -> Scope:
        return cls(None)

    def where(self, column: str = "bureau_id") -> tuple[sql.Composable, list[Any]]:
        if self.bureau_id is None:
            return sql.SQL("TRUE"), []
        return sql.SQL("{} = %s").format(sql.Identifier(column)), [self.bureau_id]


@dataclass(frozen=True)
class Page:
    """One page of a query's answer."""

    items: list[Row]
    next_cursor: str | None
    position: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "next_cursor": self.next_cursor,
            "position": self.position,
        }

    @cached_property
    def encoded(self) -> bytes:
        """`to_dict()` as UTF-8 JSON, encoded once: a cached dashboard page is
        answered many times between two checkpoints."""
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str).encode()


def scoped_where(scope: Scope, given: dict[str, Any]) -> Where:
    """A query's conditions, starting with its scope (narrowed by the `bureau_id`
    filter a district caller may give, which is taken out of `given`)."""
    narrowed = scoped_bureau(scope, given.pop("bureau_id", None))
    where = Where()
    condition, params = narrowed.where()
    where.add(condition, *params)
    return where


def match(
    where: Where,
    given: Mapping[str, Any],
    equals: Iterable[str] = (),
    any_of: Iterable[str] = (),
) -> None:
    """Equality filters (`column = value`) and list filters (`column = ANY(list)`)."""
    for name in equals:
        if name in given:
            where.add(sql.SQL("{} = %s").format(sql.Identifier(name)), given[name])
    for name in any_of:
        if name in given:
            where.add(sql.SQL("{} = ANY(%s)").format(sql.Identifier(name)), given[name])


def scoped_bureau(scope: Scope, wanted: str | None) -> Scope:
    """A district caller may narrow to one bureau; a bureau caller only to its own."""
    if wanted is None:
        return scope
    if scope.bureau_id is not None and wanted != scope.bureau_id:
        raise InvalidInput(fields={"bureau_id": "not_allowed"})
    return Scope(wanted)


def today_in_zone(today: date | None) -> date:
    return today if today is not None else datetime.now(ZONE).date()


# -- running ---------------------------------------------------------------------------


def table(name: str) -> sql.Composed:
    return sql.SQL(".").join([sql.Identifier(SCHEMA), sql.Identifier(name)])


def positions(conn: Connection, *projections: str) -> tuple[int, ...]:
    """The checkpoint of each projection (0 for one that never ran)."""
    rows = conn.execute(
        "SELECT name, position FROM eventing.checkpoints WHERE name = ANY(%s)",
        ([f"projection:{p}" for p in projections],),
    ).fetchall()
    found = {name: int(pos) for name, pos in rows}
    return tuple(found.get(f"projection:{p}", 0) for p in projections)


def position(conn: Connection, *projections: str) -> int:
    """The checkpoint of a projection (the lowest of several): how fresh rows are."""
    return min(positions(conn, *projections))


T = TypeVar("T")
CHECKPOINT_TTL_SECONDS = 0.05
_FRESH: ContextVar[bool] = ContextVar("fresh_checkpoints", default=False)


class RecentCheckpoints:
    """The checkpoints a dashboard reads, shared by this process's requests for
    `ttl` seconds (a microcache). With the page cached, that small query was the
    whole cost of an answer: at 32 connections the dashboard's rate went from 2,300
    to 3,300 answers/s (--only views, full size, wrk).
    An answer may then reflect the read model as it was up to `ttl` ago; its
    `position` still says which checkpoints it reflects. A read that waited for
    `min_position` runs inside `fresh_checkpoints()` and reads them anew."""

    def __init__(
        self,
        ttl: float = CHECKPOINT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.clock = clock
        self._seen: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, conn: Connection, key: Hashable, read: Callable[[], T]) -> T:
        """`read()`'s answer for `key` in `conn`'s database, reused while fresh."""
        where = (_database(conn), key)
        began = self.clock()
        if not _FRESH.get():
            with self._lock:
                seen = self._seen.get(where)
            if seen is not None and began - seen[0] < self.ttl:
                return cast(T, seen[1])
        value = read()
        with self._lock:  # stamped with when the read began; a later read stays
            kept = self._seen.get(where)
            if kept is None or kept[0] <= began:
                self._seen[where] = (began, value)
        return value


@contextmanager
def fresh_checkpoints() -> Iterator[None]:
    """Within: RecentCheckpoints reads anew (a request that asked min_position)."""
    token = _FRESH.set(True)
    try:
        yield
    finally:
        _FRESH.reset(token)


RECENT = RecentCheckpoints()


class PageCache:
    """Answers of the aggregating queries (dashboards), reused while every
    projection they read stands at the same checkpoint: read-model rows change only
    in the transaction that moves their projection's checkpoint, so an equal key
    (arguments, today, checkpoints) means an equal answer. Bounded, per process."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conn: Connection, key: Hashable) -> Page | None:
        """The cached page itself: read-only for callers (the API only serialises
        it; copying it cost more than the query it saves)."""
        with self._lock:
            page = self._pages.get((_database(conn), key))
            if page is not None:
                self._pages.move_to_end((_database(conn), key))
        return page

    def put(self, conn: Connection, key: Hashable, page: Page) -> None:
        with self._lock:
            self._pages[(_database(conn), key)] = page
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def _database(conn: Connection) -> tuple[str, int, str]:
    return (conn.info.host, conn.info.port, conn.info.dbname)


def frozen(given: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Parsed filters as a hashable key."""
    return tuple(
        sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in given.items())
    )


def wait_for_position(
    conn: Connection,
    projection_name: str,
    position_wanted: int,
    timeout_s: float,
    poll_s: float = 0.02,
) -> bool:
    """Read-your-own-writes: wait (bounded) until the projection has applied the
    event at `position_wanted`; answer whether it did within `timeout_s`."""
    deadline = time.monotonic() + max(timeout_s, 0.0)
    while True:
        if position(conn, projection_name) >= position_wanted:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(poll_s, max(deadline - time.monotonic(), 0.0)))
        poll_s = min(poll_s * 2, 0.25)


def json_safe(row: Mapping[str, Any]) -> Row:
    return {
        key: value.isoformat() if isinstance(value, date | datetime) else value
        for key, value in row.items()
        if not key.startswith("_k")
    }


def fetch_page(
    conn: Connection,
    *,
    select: sql.Composable,
    source: sql.Composable,
    where: Where,
    sort: Sort,
    cursor: str | None,
    limit: int,
    select_params: Sequence[Any] = (),
    position_of: Sequence[str],
) -> Page:
    """Run one keyset-paginated query; the position is read before the rows."""
    at = position(conn, *position_of)
    condition = Where(list(where.parts), list(where.params))
    if cursor:
        after, params = sort.after(Cursor.decode(cursor, sort))
        condition.add(after, *params)
    query = sql.SQL("SELECT {}, {} FROM {} WHERE {} ORDER BY {} LIMIT %s").format(
        select, sort.key_select(), source, condition.sql(), sort.order_by()
    )
    # never prepared: a generic plan cannot see which bureau or units are asked
    # for, and measured 3x slower on the dashboard's year filter
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            query, [*select_params, *condition.params, limit + 1], prepare=False
        ).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = Cursor(
            sort.name,
            [last[f"_k{n}"] for n in range(len(sort.keys))],
            str(last[sort.id_column]),
        ).encode()
    return Page([json_safe(r) for r in rows], next_cursor, at)
