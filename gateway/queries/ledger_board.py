"""The ledger board: ledger items with their overdue state, filtered and paged.

Filters: unit_id, person_id, leader_id, level, category, check_dimension, source,
status (open | submitted | closed; several as a list or "a,b"), overdue (bool),
escalated (bool), deadline_from / deadline_to (dates, inclusive), found_from /
found_to (first found, inclusive), bureau_id (district scope only).
Sorts: deadline (default; items without a deadline last), found_on, last_event_at,
each also descending with a leading "-".
An item is overdue when it is not closed and its deadline is before `today` (the
bureau's local date, Asia/Shanghai, unless given).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from psycopg import sql

from gateway.queries import common as q
from services.ledger.domain.model import Category, CheckDimension, Level, Source

NAME = "ledger_board"
STATUSES = ("open", "submitted", "closed")
OVERDUE = "(status <> 'closed' AND deadline < %s::date)"

FILTERS: dict[str, q.Parser] = {
    "bureau_id": q.an_id,
    "unit_id": q.an_id,
    "person_id": q.an_id,
    "leader_id": q.an_id,
    "level": q.one_of(Level),
    "category": q.one_of(Category),
    "check_dimension": q.one_of(CheckDimension),
    "source": q.one_of(Source),
    "status": q.one_of(STATUSES),
    "overdue": q.a_bool,
    "escalated": q.a_bool,
    "deadline_from": q.a_date,
    "deadline_to": q.a_date,
    "found_from": q.a_date,
    "found_to": q.a_date,
}
SORTS = q.sorts(
    ("deadline", (("deadline_key", "date"),)),
    ("found_on", (("first_found_on", "date"),)),
    ("last_event_at", (("last_event_at", "timestamptz"),)),
    id_column="item_id",
)
COLUMNS = (
    "item_id, bureau_id, unit_id, person_id, level, category, check_dimension, "
    "source, reference, description, status, first_found_on, found_on, leader_id, "
    "deadline, measures, notes, rejections, reopenings, verified_on, on_time, "
    "overdue_since, escalation_level, opened_at, last_event_at, version"
)
EQUALS = ("unit_id", "person_id", "leader_id")
ANY_OF = ("level", "category", "check_dimension", "source", "status")


def ledger_board(
    conn: q.Connection,
    scope: q.Scope,
    filters: Mapping[str, Any] | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    today: date | None = None,
) -> q.Page:
    """Ledger items visible to `scope`; each with `overdue` and `overdue_days`."""
    given = q.parse_filters(filters, FILTERS)
    chosen = q.choose_sort(sort, SORTS, "deadline")
    size = q.check_limit(limit)
    day = q.today_in_zone(today)
    where = q.scoped_where(scope, given)
    add_item_filters(where, given, day)
    select = sql.SQL(
        COLUMNS + ", " + OVERDUE + " AS overdue, CASE WHEN " + OVERDUE
        + " THEN %s::date - deadline ELSE 0 END AS overdue_days"
    )  # fmt: skip
    return q.fetch_page(
        conn,
        select=select,
        select_params=[day, day, day],
        source=q.table(NAME),
        where=where,
        sort=chosen,
        cursor=cursor,
        limit=size,
        position_of=[NAME],
    )


def add_item_filters(where: q.Where, given: Mapping[str, Any], day: date) -> None:
    """The board's filters as SQL (shared with the unit dashboard's drill-down)."""
    q.match(where, given, EQUALS, ANY_OF)
    if "overdue" in given:
        where.add(
            OVERDUE if given["overdue"] else f"NOT COALESCE({OVERDUE}, false)", day
        )
    if "escalated" in given:
        where.add(
            "escalation_level > 0" if given["escalated"] else "escalation_level = 0"
        )
    for name, column, op in (
        ("deadline_from", "deadline", ">="),
        ("deadline_to", "deadline", "<="),
        ("found_from", "first_found_on", ">="),
        ("found_to", "first_found_on", "<="),
    ):
        if name in given:
            where.add(f"{column} {op} %s", given[name])
