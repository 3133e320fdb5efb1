"""Read-model queries: plain functions over a psycopg connection (see common.py).

Each takes the caller's `Scope` (a bureau, or None for district-wide), filters, a
sort, an opaque keyset cursor and a limit, and answers a `Page` (`.to_dict()` gives
`{"items", "next_cursor", "position"}`); bad input raises
`services.common.errors.InvalidInput`.
"""

from __future__ import annotations

from gateway.queries.assessment import assessment
from gateway.queries.campaign_overview import campaign_overview
from gateway.queries.common import Page, Scope, wait_for_position
from gateway.queries.complaint_queue import complaint_queue
from gateway.queries.evaluation import evaluation_results, evaluation_rounds
from gateway.queries.ledger_board import ledger_board
from gateway.queries.public_board import public_board, public_hotlines
from gateway.queries.publicity_compliance import publicity_compliance
from gateway.queries.unit_dashboard import unit_dashboard

__all__ = [
    "Page",
    "Scope",
    "assessment",
    "campaign_overview",
    "complaint_queue",
    "evaluation_results",
    "evaluation_rounds",
    "ledger_board",
    "public_board",
    "public_hotlines",
    "publicity_compliance",
    "unit_dashboard",
    "wait_for_position",
]
