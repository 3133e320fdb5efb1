"""Evaluation rounds and their published results (never ballots).

`evaluation_rounds` filters: bureau_id (district scope only), year, kind, status
(open | closed | tallied). Sorts: opens_at (default "-opens_at").
`evaluation_results` filters: bureau_id (district scope only), round_id, year,
round_kind, subject_kind, unit_id, person_id, published (bool), rule_triggered (bool).
Sorts: year (default "-year"), valid; ties by result id (round/subject).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psycopg import sql

from gateway.queries import common as q

NAME = "evaluation_results"
ROUND_FILTERS: dict[str, q.Parser] = {
    "bureau_id": q.an_id,
    "year": q.an_int(2000, 2100),
    "kind": q.one_of(("staff", "leadership", "units")),
    "status": q.one_of(("open", "closed", "tallied")),
}
ROUND_SORTS = q.sorts(
    ("opens_at", (("opens_at", "timestamptz"),)), id_column="round_id"
)
RESULT_FILTERS: dict[str, q.Parser] = {
    "bureau_id": q.an_id,
    "round_id": q.an_id,
    "year": q.an_int(2000, 2100),
    "round_kind": q.one_of(("staff", "leadership", "units")),
    "subject_kind": q.one_of(("staff", "team", "leader", "unit")),
    "unit_id": q.an_id,
    "person_id": q.an_id,
    "published": q.a_bool,
    "rule_triggered": q.a_bool,
}
RESULT_SORTS = q.sorts(
    ("year", (("year", "integer"),)),
    ("valid", (("valid", "integer"),)),
    id_column="result_id",
)
ROUND_COLUMNS = (
    "round_id, bureau_id, year, kind, title, opens_at, closes_at, status, subjects, "
    "issued, returned, counted, valid, void, void_reason, tallied_on, admonishments, "
    "last_event_at, version"
)
RESULT_COLUMNS = (
    "result_id, round_id, subject_id, bureau_id, year, round_kind, subject_kind, "
    "unit_id, person_id, valid, published, withheld_reason, counts, weighted, "
    "weighted_valid, rule_triggered, rule_reason, share, mean_score, grade, rank, "
    "admonishment_talk_id, admonishment_due_on, lowest_rated, tallied_on, version"
)


def _where(scope: q.Scope, given: dict[str, Any]) -> q.Where:
    where = q.scoped_where(scope, given)
    for name, value in given.items():
        column = sql.Identifier(name)
        if isinstance(value, list):
            where.add(sql.SQL("{} = ANY(%s)").format(column), value)
        else:
            where.add(sql.SQL("{} = %s").format(column), value)
    return where


def evaluation_rounds(
    conn: q.Connection,
    scope: q.Scope,
    filters: Mapping[str, Any] | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> q.Page:
    """Evaluation rounds visible to `scope`, with their participation counts."""
    given = q.parse_filters(filters, ROUND_FILTERS)
    chosen = q.choose_sort(sort, ROUND_SORTS, "-opens_at")
    return q.fetch_page(
        conn,
        select=sql.SQL(ROUND_COLUMNS),
        source=q.table("evaluation_rounds"),
        where=_where(scope, given),
        sort=chosen,
        cursor=cursor,
        limit=q.check_limit(limit),
        position_of=[NAME],
    )


def evaluation_results(
    conn: q.Connection,
    scope: q.Scope,
    filters: Mapping[str, Any] | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> q.Page:
    """Published results per round and subject, visible to `scope`."""
    given = q.parse_filters(filters, RESULT_FILTERS)
    chosen = q.choose_sort(sort, RESULT_SORTS, "-year")
    return q.fetch_page(
        conn,
        select=sql.SQL(RESULT_COLUMNS),
        source=q.table("evaluation_results"),
        where=_where(scope, given),
        sort=chosen,
        cursor=cursor,
        limit=q.check_limit(limit),
        position_of=[NAME],
    )
