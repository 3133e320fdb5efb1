"""The campaign overview: each bureau's campaign per year, its phase, and its counts.

Counts are derived at read time from `ledger_board` (items first found in the
campaign's year) and `complaint_queue` (complaints received in that year, local
time), two grouped queries per page, so they always agree with the boards.
Filters: bureau_id (district scope only), year. Sorts: year (default "-year").
The position is the lowest checkpoint of the three projections read; answers are
cached while those checkpoints stand still (as the unit dashboard's).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row

from gateway.queries import common as q

NAME = "campaign_overview"
CACHE = q.PageCache()
FILTERS: dict[str, q.Parser] = {"bureau_id": q.an_id, "year": q.an_int(2000, 2100)}
SORTS = q.sorts(("year", (("year", "integer"),)), id_column="campaign_id")
COLUMNS = (
    "campaign_id, bureau_id, year, name, phases, settings, launched_at, "
    "last_event_at, version"
)
LEDGER_COUNTS = """
SELECT bureau_id, extract(year FROM first_found_on)::int AS year,
       count(*) AS total,
       count(*) FILTER (WHERE status = 'open') AS open,
       count(*) FILTER (WHERE status = 'submitted') AS submitted,
       count(*) FILTER (WHERE status = 'closed') AS closed,
       count(*) FILTER (WHERE status = 'closed' AND on_time) AS closed_on_time,
       count(*) FILTER (WHERE status <> 'closed' AND deadline < %(today)s::date)
         AS overdue
  FROM readmodel.ledger_board
 WHERE bureau_id = ANY(%(bureaus)s)
   AND first_found_on >= make_date(%(low)s, 1, 1)
   AND first_found_on < make_date(%(high)s + 1, 1, 1)
 GROUP BY 1, 2
"""
COMPLAINT_COUNTS = """
SELECT bureau_id,
       extract(year FROM received_at AT TIME ZONE %(zone)s)::int AS year,
       status, count(*) AS n,
       count(*) FILTER (WHERE current_due < %(today)s::date) AS overdue,
       count(*) FILTER (WHERE outcome IN ('substantiated', 'partly_substantiated'))
         AS substantiated
  FROM readmodel.complaint_queue
 WHERE bureau_id = ANY(%(bureaus)s)
   AND received_at >= make_date(%(low)s, 1, 1)::timestamp AT TIME ZONE %(zone)s
   AND received_at < make_date(%(high)s + 1, 1, 1)::timestamp AT TIME ZONE %(zone)s
 GROUP BY 1, 2, 3
"""


def campaign_overview(
    conn: q.Connection,
    scope: q.Scope,
    filters: Mapping[str, Any] | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    today: date | None = None,
) -> q.Page:
    """Campaigns visible to `scope`, each with `phase_today` and `counts`."""
    given = q.parse_filters(filters, FILTERS)
    chosen = q.choose_sort(sort, SORTS, "-year")
    size = q.check_limit(limit)
    day = q.today_in_zone(today)
    wanted = given.get("bureau_id")  # a district caller's narrowing, in the key
    where = q.scoped_where(scope, given)
    if "year" in given:
        where.add("year = %s", given["year"])
    read = [NAME, "ledger_board", "complaint_queue"]
    at = q.RECENT.get(conn, "campaign_overview", lambda: q.positions(conn, *read))
    key = (scope.bureau_id, wanted, q.frozen(given), chosen.name, cursor, size, day,
           at)  # fmt: skip
    cached = CACHE.get(conn, key)
    if cached is not None:
        return cached
    page = q.fetch_page(
        conn,
        select=sql.SQL(COLUMNS),
        source=q.table(NAME),
        where=where,
        sort=chosen,
        cursor=cursor,
        limit=size,
        position_of=read,
    )
    if page.items:
        _add_counts(conn, page.items, day)
    for item in page.items:
        item["phase_today"] = phase_on(item["phases"], day)
    CACHE.put(conn, key, page)
    return page


def phase_on(phases: list[dict[str, str]], day: date) -> str | None:
    """The phase `day` falls in (as the organization service's Campaign.phase_on)."""
    text = day.isoformat()
    for phase in phases:
        if phase["starts_on"] <= text <= phase["ends_on"]:
            return phase["phase"]
    return None


def _add_counts(conn: q.Connection, items: list[q.Row], day: date) -> None:
    years = [item["year"] for item in items]
    params = {
        "bureaus": sorted({item["bureau_id"] for item in items}),
        "low": min(years),
        "high": max(years),
        "today": day,
        "zone": q.ZONE.key,
    }
    with conn.cursor(row_factory=dict_row) as cur:
        ledger = {
            (r.pop("bureau_id"), r.pop("year")): r
            for r in cur.execute(LEDGER_COUNTS, params, prepare=False).fetchall()
        }
        complaints: dict[tuple[str, int], dict[str, int]] = {}
        for r in cur.execute(COMPLAINT_COUNTS, params, prepare=False).fetchall():
            counts = complaints.setdefault(
                (r["bureau_id"], r["year"]),
                {"total": 0, "overdue": 0, "substantiated": 0},
            )
            counts[r["status"]] = r["n"]
            counts["total"] += r["n"]
            counts["overdue"] += r["overdue"]
            counts["substantiated"] += r["substantiated"]
    empty_ledger = dict.fromkeys(
        ("total", "open", "submitted", "closed", "closed_on_time", "overdue"), 0
    )
    for item in items:
        key = (item["bureau_id"], item["year"])
        item["counts"] = {
            "ledger": ledger.get(key, empty_ledger),
            "complaints": complaints.get(
                key, {"total": 0, "overdue": 0, "substantiated": 0}
            ),
        }
