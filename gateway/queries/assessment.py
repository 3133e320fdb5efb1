"""The year-end assessment table (年终考核表) as last published, one row per unit.

Filters: bureau_id (district scope only), year, unit_id, incomplete (bool).
Sorts: rank (default; units without a score last), score (equal two-decimal scores
in rank order; without a score lowest), unit_id; ties by entry id (bureau.year/unit).
`score` is the exact fraction and `score_decimal` its two-decimal form, both as text
(as the service publishes them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psycopg import sql

from gateway.queries import common as q

NAME = "assessment"
FILTERS: dict[str, q.Parser] = {
    "bureau_id": q.an_id,
    "year": q.an_int(2000, 2100),
    "unit_id": q.an_id,
    "incomplete": q.a_bool,
}
# keyset keys must never be NULL: a unit without a score has no rank either
NO_RANK = 2147483647
SORTS = q.sorts(
    ("rank", ((f"COALESCE(rank, {NO_RANK})", "integer"),)),
    (
        "score",
        (
            ("COALESCE(score_decimal, -1)", "numeric"),
            (f"COALESCE(-rank, -{NO_RANK})", "integer"),
        ),
    ),
    ("unit_id", (("unit_id", "text"),)),
    id_column="entry_id",
)
COLUMNS = (
    "entry_id, bureau_id, year, unit_id, rank, score, "
    "score_decimal::text AS score_decimal, incomplete, missing, inputs, as_of, "
    "published_at, published_by, note, version"
)


def assessment(
    conn: q.Connection,
    scope: q.Scope,
    filters: Mapping[str, Any] | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> q.Page:
    """Each unit's row of the published year-end assessments visible to `scope`."""
    given = q.parse_filters(filters, FILTERS)
    where = q.scoped_where(scope, given)
    q.match(where, given, equals=("year", "unit_id", "incomplete"))
    return q.fetch_page(
        conn,
        select=sql.SQL(COLUMNS),
        source=q.table(NAME),
        where=where,
        sort=q.choose_sort(sort, SORTS, "rank"),
        cursor=cursor,
        limit=q.check_limit(limit),
        position_of=[NAME],
    )
