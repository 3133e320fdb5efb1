"""Application layer of the ledger service: load, decide, append. No Nameko.

`LedgerHandlers` answers every command and query of the service; the org chart comes
through the `OrgChart` port (`orgchart.py`), the clock as a callable, the campaign's
`ledger.*` settings as an argument. Split by record: `items.py` (items, verification,
the escalation run, item queries), `campaign.py` (self-analysis, surveys, the four
disclosures, tours, indicators).
"""

from __future__ import annotations

from services.ledger.handlers.base import SERVICE
from services.ledger.handlers.campaign import CampaignHandlers
from services.ledger.handlers.orgchart import (
    MemoryOrgChart,
    OrgChart,
    PersonFacts,
    RpcOrgChart,
    UnitFacts,
)


class LedgerHandlers(CampaignHandlers):
    """Every command and query of the ledger service."""


__all__ = [
    "SERVICE",
    "LedgerHandlers",
    "MemoryOrgChart",
    "OrgChart",
    "PersonFacts",
    "RpcOrgChart",
    "UnitFacts",
]
