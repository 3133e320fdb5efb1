"""The public board: what the public may see without logging in.

Published articles, public commitments (and whether they were kept), notices of
criticism and commendation (a withdrawn notice leaves the board), commendations,
and each service window's current four disclosures (四亮, from the ledger's
`window_disclosures`). Hotlines come from the org chart (`org_units`) at query time.
Only the public fields are kept: no author, maker or approver ids, no drafts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from psycopg import sql

from eventing.events import Envelope
from gateway.projections.base import Connection, Projection, Tables

COLUMNS = (
    "entry_id text PRIMARY KEY, bureau_id text NOT NULL, unit_id text, "
    "kind text NOT NULL, subkind text, title text NOT NULL, body text NOT NULL, "
    "published_at timestamptz NOT NULL, published_on date, issue text, "
    "year integer, status text, remarks text, "
    "withdrawn boolean NOT NULL DEFAULT false, version integer NOT NULL"
)
INSERT = (
    "INSERT INTO {} (entry_id, bureau_id, unit_id, kind, subkind, title, body, "
    "published_at, published_on, issue, year, version) VALUES "
    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (entry_id) DO "
    "UPDATE SET subkind = EXCLUDED.subkind, title = EXCLUDED.title, "
    "body = EXCLUDED.body, published_at = EXCLUDED.published_at, "
    "published_on = EXCLUDED.published_on, issue = EXCLUDED.issue, "
    "withdrawn = false, version = EXCLUDED.version"
)


def _entry(envelope: Envelope) -> tuple[Any, ...] | None:
    """(entry_id, unit_id, kind, subkind, title, body, published_on, issue, year)."""
    d, kind = envelope.data, envelope.type
    if kind == "ArticlePublished":
        return (
            f"article:{d['article_id']}",
            d["unit_id"],
            "article",
            d["channel"],
            d["title"],
            d["html"],
            d["published_on"],
            d.get("issue"),
            None,
        )
    if kind == "CommitmentPublished":
        return (
            f"commitment:{d['commitment_id']}",
            d["unit_id"],
            "commitment",
            d["channel"],
            "",
            d["text"],
            d["made_on"],
            None,
            None,
        )
    if kind == "NoticePublished":
        return (
            f"notice:{d['notice_id']}",
            d["unit_id"],
            "notice",
            d["kind"],
            d["title"],
            d["html"],
            None,
            None,
            None,
        )
    if kind == "CommendationAnnounced":
        return (
            f"commendation:{d['commendation_id']}",
            d["unit_id"],
            "commendation",
            d["kind"],
            d["title"],
            d["citation"],
            None,
            None,
            d["year"],
        )
    if kind in ("DisclosurePublished", "DisclosureReplaced"):
        return (
            f"disclosure:{d['unit_id']}:{d['kind']}",
            d["unit_id"],
            "disclosure",
            d["kind"],
            "",
            d["content"],
            None,
            None,
            None,
        )
    return None


class PublicBoardProjection(Projection):
    """Everything published on the public board, newest first by default."""

    name = "public_board"
    categories = (
        "article",
        "commitment",
        "notice",
        "commendation",
        "window_disclosures",
    )
    tables: ClassVar[Mapping[str, str]] = {"public_board": COLUMNS}
    indexes: ClassVar[Mapping[str, Sequence[str]]] = {
        "public_board": [
            "(bureau_id, published_at, entry_id)",
            "(bureau_id, kind, published_at)",
            "(bureau_id, unit_id)",
        ]
    }

    def apply(self, conn: Connection, tables: Tables, envelope: Envelope) -> None:
        table, d = tables["public_board"], envelope.data
        entry = _entry(envelope)
        if entry is not None:
            entry_id, unit_id, kind, subkind, title, body, on, issue, year = entry
            conn.execute(
                sql.SQL(INSERT).format(table),
                (entry_id, d["bureau_id"], unit_id, kind, subkind, title, body,
                 envelope.recorded_at, on, issue, year, envelope.version),
            )  # fmt: skip
        elif envelope.type == "CommitmentReviewed":
            conn.execute(
                sql.SQL(
                    "UPDATE {} SET status = %s, remarks = %s, version = %s "
                    "WHERE entry_id = %s"
                ).format(table),
                (d["status"], d["remarks"], envelope.version,
                 f"commitment:{d['commitment_id']}"),
            )  # fmt: skip
        elif envelope.type == "NoticeWithdrawn":
            conn.execute(
                sql.SQL(
                    "UPDATE {} SET withdrawn = true, version = %s WHERE entry_id = %s"
                ).format(table),
                (envelope.version, f"notice:{d['notice_id']}"),
            )
