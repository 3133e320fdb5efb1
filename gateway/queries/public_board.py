"""The public board of one bureau, for callers without a login.

`public_board` filters: kind (article | commitment | notice | commendation |
disclosure), unit_id. Sorts: published_at (default "-published_at"). Withdrawn
notices never appear. `public_hotlines`: each unit's published hotline number and
the name of the person answering it (from the org chart; never their phone), sorted
by unit code. Both take the bureau
the public asks about, not a caller's scope: everything here is public.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psycopg import sql

from gateway.queries import common as q

NAME = "public_board"
KINDS = ("article", "commitment", "notice", "commendation", "disclosure")
FILTERS: dict[str, q.Parser] = {"kind": q.one_of(KINDS), "unit_id": q.an_id}
SORTS = q.sorts(
    ("published_at", (("published_at", "timestamptz"),)), id_column="entry_id"
)
COLUMNS = (
    "entry_id, bureau_id, unit_id, kind, subkind, title, body, published_at, "
    "published_on, issue, year, status, remarks"
)
HOTLINE_SORTS = q.sorts(("code", (("code", "text"),)), id_column="unit_id")


def public_board(
    conn: q.Connection,
    bureau_id: str,
    filters: Mapping[str, Any] | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> q.Page:
    """What bureau `bureau_id` has published: articles, commitments, notices,
    commendations and its windows' four disclosures."""
    bureau = q.an_id("bureau_id", bureau_id)
    given = q.parse_filters(filters, FILTERS)
    chosen = q.choose_sort(sort, SORTS, "-published_at")
    where = q.Where()
    where.add("bureau_id = %s", bureau)
    where.add("NOT withdrawn")
    if "kind" in given:
        where.add("kind = ANY(%s)", given["kind"])
    if "unit_id" in given:
        where.add("unit_id = %s", given["unit_id"])
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


def public_hotlines(
    conn: q.Connection,
    bureau_id: str,
    cursor: str | None = None,
    limit: int | None = None,
) -> q.Page:
    """Every unit of `bureau_id` with a published hotline (公示监督投诉电话)."""
    bureau = q.an_id("bureau_id", bureau_id)
    where = q.Where()
    where.add("bureau_id = %s", bureau)
    where.add("hotline_number IS NOT NULL")
    return q.fetch_page(
        conn,
        select=sql.SQL("unit_id, bureau_id, code, name, hotline_number, answered_by"),
        source=sql.SQL(
            "(SELECT u.unit_id, u.bureau_id, u.code, u.name, u.hotline_number, "
            "p.name AS answered_by FROM {} u LEFT JOIN {} p "
            "ON p.person_id = u.hotline_answerer) AS hotlines"
        ).format(q.table("org_units"), q.table("org_people")),
        where=where,
        sort=HOTLINE_SORTS["code"],
        cursor=cursor,
        limit=q.check_limit(limit),
        position_of=["org_chart"],
    )
