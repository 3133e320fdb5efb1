"""The unit dashboard: per unit, its ledger, complaint, publicity, evaluation figures.

Not a projection of its own: a page of units from `org_units`, then one grouped query
per source table over just those units (no per-row subqueries), all answered from the
indexes `(bureau_id, unit_id, status)` of the boards.
Filters: bureau_id (district scope only), unit_id, kind, service_window (bool), year
(counts only items first found / complaints received that year, local time).
Sorts: code (default), name; each also descending with a leading "-".
The position is the lowest checkpoint of the projections read. Answers are cached
while those checkpoints stand still (`common.PageCache`): a dashboard many people
open at once costs one small checkpoint query each until the next event arrives.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row

from gateway.queries import common as q
from services.organization.domain.model import UnitKind

FILTERS: dict[str, q.Parser] = {
    "bureau_id": q.an_id,
    "unit_id": q.an_id,
    "kind": q.one_of(UnitKind),
    "service_window": q.a_bool,
    "year": q.an_int(2000, 2100),
}
SORTS = q.sorts(
    ("code", (("code", "text"),)), ("name", (("name", "text"),)), id_column="unit_id"
)
COLUMNS = "unit_id, bureau_id, code, name, kind, service_window, hotline_number"
LEDGER = """
SELECT unit_id,
       count(*) AS found,
       count(*) FILTER (WHERE status <> 'closed') AS open,
       count(*) FILTER (WHERE status = 'closed') AS closed,
       count(*) FILTER (WHERE status = 'closed' AND on_time) AS closed_on_time,
       count(*) FILTER (WHERE status <> 'closed' AND deadline < %(today)s::date)
         AS overdue,
       count(*) FILTER (WHERE escalation_level > 0 AND status <> 'closed')
         AS escalated
  FROM readmodel.ledger_board
 WHERE bureau_id = ANY(%(bureaus)s) AND unit_id = ANY(%(units)s) {year}
 GROUP BY unit_id
"""
COMPLAINTS = """
SELECT unit_id,
       count(*) AS received,
       count(*) FILTER (WHERE status NOT IN ('rejected', 'closed')) AS open,
       count(*) FILTER (WHERE outcome IN ('substantiated', 'partly_substantiated'))
         AS substantiated,
       count(*) FILTER (WHERE status NOT IN ('rejected', 'closed')
                        AND current_due < %(today)s::date) AS overdue,
       count(*) FILTER (WHERE concluded_on_time) AS concluded_on_time
  FROM readmodel.complaint_queue
 WHERE bureau_id = ANY(%(bureaus)s) AND unit_id = ANY(%(units)s) {year}
 GROUP BY unit_id
"""
PUBLICITY = """
SELECT unit_id, count(*) AS periods,
       count(*) FILTER (WHERE met) AS met,
       count(*) FILTER (WHERE NOT met) AS missed
  FROM readmodel.publicity_compliance
 WHERE bureau_id = ANY(%(bureaus)s) AND unit_id = ANY(%(units)s) {year}
 GROUP BY unit_id
"""
EVALUATION = """
SELECT unit_id, count(*) AS results,
       count(*) FILTER (WHERE published) AS published,
       count(*) FILTER (WHERE rule_triggered) AS admonishments,
       count(*) FILTER (WHERE lowest_rated) AS lowest_rated
  FROM readmodel.evaluation_results
 WHERE bureau_id = ANY(%(bureaus)s) AND unit_id = ANY(%(units)s) {year}
 GROUP BY unit_id
"""
PUBLICITY_YEAR = (
    "AND period_end >= make_date(%(year)s, 1, 1) "
    "AND period_end < make_date(%(year)s + 1, 1, 1)"
)
EVALUATION_YEAR = "AND year = %(year)s"
LEDGER_YEAR = (
    "AND first_found_on >= make_date(%(year)s, 1, 1) "
    "AND first_found_on < make_date(%(year)s + 1, 1, 1)"
)
COMPLAINT_YEAR = (
    "AND received_at >= make_date(%(year)s, 1, 1)::timestamp AT TIME ZONE %(zone)s "
    "AND received_at < make_date(%(year)s + 1, 1, 1)::timestamp AT TIME ZONE %(zone)s"
)
SECTIONS = {  # section -> (query, its year condition, projection, counters)
    "ledger": (LEDGER, LEDGER_YEAR, "ledger_board",
               ("found", "open", "closed", "closed_on_time", "overdue", "escalated")),
    "complaints": (COMPLAINTS, COMPLAINT_YEAR, "complaint_queue",
                   ("received", "open", "substantiated", "overdue",
                    "concluded_on_time")),
    "publicity": (PUBLICITY, PUBLICITY_YEAR, "publicity_compliance",
                  ("periods", "met", "missed")),
    "evaluation": (EVALUATION, EVALUATION_YEAR, "evaluation_results",
                   ("results", "published", "admonishments", "lowest_rated")),
}  # fmt: skip
OPTIONAL = {"publicity": "publicity_compliance", "evaluation": "evaluation_results"}
CACHE = q.PageCache()


def unit_dashboard(
    conn: q.Connection,
    scope: q.Scope,
    filters: Mapping[str, Any] | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    today: date | None = None,
) -> q.Page:
    """Units visible to `scope`, each with `ledger` and `complaints` indicators."""
    given = q.parse_filters(filters, FILTERS)
    chosen = q.choose_sort(sort, SORTS, "code")
    size = q.check_limit(limit)
    day = q.today_in_zone(today)
    wanted = given.get("bureau_id")  # a district caller's narrowing, in the key
    where = q.scoped_where(scope, given)
    if "unit_id" in given:
        where.add("unit_id = %s", given["unit_id"])
    if "kind" in given:
        where.add("kind = ANY(%s)", given["kind"])
    if "service_window" in given:
        where.add("service_window = %s", given["service_window"])
    sections, at = q.RECENT.get(conn, "unit_dashboard", lambda: _sections(conn))
    read = _projections(sections)
    key = (scope.bureau_id, wanted, q.frozen(given), chosen.name, cursor, size, day,
           at)  # fmt: skip
    cached = CACHE.get(conn, key)
    if cached is not None:
        return cached
    page = q.fetch_page(
        conn,
        select=sql.SQL(COLUMNS),
        source=q.table("org_units"),
        where=where,
        sort=chosen,
        cursor=cursor,
        limit=size,
        position_of=read,
    )
    if page.items:
        _add_indicators(conn, page.items, day, given.get("year"), sections)
    CACHE.put(conn, key, page)
    return page


def _projections(sections: list[str]) -> list[str]:
    """The projections the dashboard reads to show these sections."""
    return ["org_chart", *(SECTIONS[name][2] for name in sections)]


_EVERYTHING = _projections(list(SECTIONS))
# One constant statement (names are this module's constants, written in as literals:
# a cached answer costs only this round trip, so not even a parameter to encode).
_SECTIONS_SQL = (
    "SELECT to_regclass('readmodel.publicity_compliance') IS NOT NULL, "
    "to_regclass('readmodel.evaluation_results') IS NOT NULL, "
    "ARRAY(SELECT coalesce(c.position, 0) FROM unnest(ARRAY["
    + ", ".join(f"'projection:{name}'" for name in _EVERYTHING)
    + "]) WITH ORDINALITY AS p(name, n) LEFT JOIN eventing.checkpoints c "
    "ON c.name = p.name ORDER BY p.n)"
)


def _sections(conn: q.Connection) -> tuple[list[str], tuple[int, ...]]:
    """The sections to show and the checkpoints of the projections they read, in one
    round trip: ledger and complaints always; publicity and evaluation once their
    read models exist (their projections may not have run yet)."""
    row = conn.execute(_SECTIONS_SQL).fetchone()
    assert row is not None
    present = dict(zip(OPTIONAL, row[:2], strict=True))
    sections = ["ledger", "complaints", *(n for n in OPTIONAL if present[n])]
    found = dict(zip(_EVERYTHING, (int(p) for p in row[2]), strict=True))
    return sections, tuple(found[name] for name in _projections(sections))


def _add_indicators(
    conn: q.Connection,
    items: list[q.Row],
    day: date,
    year: int | None,
    sections: list[str],
) -> None:
    params = {
        "bureaus": sorted({item["bureau_id"] for item in items}),
        "units": [item["unit_id"] for item in items],
        "today": day,
        "year": year,
        "zone": q.ZONE.key,
    }
    found: dict[str, dict[str, dict[str, int]]] = {}
    with conn.cursor(row_factory=dict_row) as cur:
        for section in sections:
            query, year_sql, _, _ = SECTIONS[section]
            text = query.format(year=year_sql if year is not None else "")
            found[section] = {
                r.pop("unit_id"): r
                for r in cur.execute(text, params, prepare=False).fetchall()
            }
    for item in items:
        for section in sections:
            empty = dict.fromkeys(SECTIONS[section][3], 0)
            item[section] = found[section].get(item["unit_id"], empty)
