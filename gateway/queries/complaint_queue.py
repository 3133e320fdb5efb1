"""The complaint queue: complaints with the deadline they run against, paged.

Filters: unit_id, investigator_id, channel, category, status (several as a list or
"a,b"), outcome, accountability, open (bool: not rejected or closed), overdue (bool:
open and its running deadline before `today`), received_from / received_to (local
dates, inclusive), bureau_id (district scope only).
Sorts: due (default; the running deadline, none last), received_at, last_event_at,
each also descending with a leading "-".
No reporter data is in the queue (see gateway/projections/complaint_queue.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from psycopg import sql

from gateway.queries import common as q
from services.complaints.domain.model import (
    AccountabilityKind,
    Category,
    Channel,
    Outcome,
    State,
)

NAME = "complaint_queue"
CLOSED = ("rejected", "closed")
IS_OPEN = "(status NOT IN ('rejected', 'closed'))"
OVERDUE = f"({IS_OPEN} AND current_due < %s::date)"

FILTERS: dict[str, q.Parser] = {
    "bureau_id": q.an_id,
    "unit_id": q.an_id,
    "investigator_id": q.an_id,
    "channel": q.one_of(Channel),
    "category": q.one_of(Category),
    "status": q.one_of(s for s in State if s is not State.NEW),
    "outcome": q.one_of(Outcome),
    "accountability": q.one_of(AccountabilityKind),
    "open": q.a_bool,
    "overdue": q.a_bool,
    "received_from": q.a_date,
    "received_to": q.a_date,
}
SORTS = q.sorts(
    ("due", (("due_key", "date"),)),
    ("received_at", (("received_at", "timestamptz"),)),
    ("last_event_at", (("last_event_at", "timestamptz"),)),
    id_column="complaint_id",
)
COLUMNS = (
    "complaint_id, bureau_id, unit_id, channel, category, status, anonymous, "
    "received_at, acceptance_due, investigation_due, reply_due, current_due, "
    "investigator_id, outcome, accountability, satisfaction, resolved, extended, "
    "reopen_count, duplicate_of, concluded_on_time, criticism_proposed, "
    "last_event_at, version"
)
EQUALS = ("unit_id", "investigator_id")
ANY_OF = ("channel", "category", "status", "outcome", "accountability")


def complaint_queue(
    conn: q.Connection,
    scope: q.Scope,
    filters: Mapping[str, Any] | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    today: date | None = None,
) -> q.Page:
    """Complaints visible to `scope`; each with `overdue` and `days_overdue`."""
    given = q.parse_filters(filters, FILTERS)
    chosen = q.choose_sort(sort, SORTS, "due")
    size = q.check_limit(limit)
    day = q.today_in_zone(today)
    where = q.scoped_where(scope, given)
    q.match(where, given, EQUALS, ANY_OF)
    if "open" in given:
        where.add(IS_OPEN if given["open"] else f"NOT {IS_OPEN}")
    if "overdue" in given:
        where.add(
            OVERDUE if given["overdue"] else f"NOT COALESCE({OVERDUE}, false)", day
        )
    # received_at is an instant; the bounds are local (Asia/Shanghai) days
    if "received_from" in given:
        where.add("received_at >= (%s::date)::timestamp AT TIME ZONE %s",
                  given["received_from"], q.ZONE.key)  # fmt: skip
    if "received_to" in given:
        where.add("received_at < (%s::date)::timestamp AT TIME ZONE %s",
                  given["received_to"] + timedelta(days=1), q.ZONE.key)  # fmt: skip
    select = sql.SQL(
        COLUMNS + ", COALESCE(" + OVERDUE + ", false) AS overdue, CASE WHEN "
        + OVERDUE + " THEN %s::date - current_due ELSE 0 END AS days_overdue"
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
