"""Publicity quota compliance per unit and decided period.

Filters: bureau_id (district scope only), unit_id, kind (unit kind), period_type
(week | half_month | month), met (bool), period_from / period_to (period end date,
inclusive). Sorts: period_end (default "-period_end").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psycopg import sql

from gateway.queries import common as q
from services.organization.domain.model import UnitKind

NAME = "publicity_compliance"
FILTERS: dict[str, q.Parser] = {
    "bureau_id": q.an_id,
    "unit_id": q.an_id,
    "kind": q.one_of(UnitKind),
    "period_type": q.one_of(("week", "half_month", "month")),
    "met": q.a_bool,
    "period_from": q.a_date,
    "period_to": q.a_date,
}
SORTS = q.sorts(("period_end", (("period_end", "date"),)), id_column="period_id")
COLUMNS = (
    "period_id, bureau_id, unit_id, kind, period_type, period_start, period_end, "
    "required, submitted, met, reason, info_officer_id, decided_at, version"
)


def publicity_compliance(
    conn: q.Connection,
    scope: q.Scope,
    filters: Mapping[str, Any] | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> q.Page:
    """Decided quota periods visible to `scope`: met or missed, and why."""
    given = q.parse_filters(filters, FILTERS)
    chosen = q.choose_sort(sort, SORTS, "-period_end")
    where = q.scoped_where(scope, given)
    if "unit_id" in given:
        where.add("unit_id = %s", given["unit_id"])
    for name in ("kind", "period_type"):
        if name in given:
            where.add(sql.SQL("{} = ANY(%s)").format(sql.Identifier(name)), given[name])
    if "met" in given:
        where.add("met = %s", given["met"])
    if "period_from" in given:
        where.add("period_end >= %s", given["period_from"])
    if "period_to" in given:
        where.add("period_end <= %s", given["period_to"])
    return q.fetch_page(
        conn,
        select=sql.SQL(COLUMNS),
        source=q.table(NAME),
        where=where,
        sort=chosen,
        cursor=cursor,
        limit=q.check_limit(limit),
        position_of=[NAME],
    )
