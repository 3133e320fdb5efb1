"""Application layer of the publicity service: load, decide, append. No Nameko.

Split by record: `articles.py` (submission, review, publication), `quotas.py`
(unit profiles, period decisions, indicators), `notices.py` (notices, public
commitments, commendations, the public board's listings). The org chart comes
through the `OrgChart` port (`orgchart.py`), the clock as a callable.
"""

from __future__ import annotations

from services.publicity.handlers.base import SERVICE
from services.publicity.handlers.notices import NoticeHandlers
from services.publicity.handlers.orgchart import (
    CampaignFacts,
    MemoryOrgChart,
    OrgChart,
    RpcOrgChart,
    UnitFacts,
)


class PublicityHandlers(NoticeHandlers):
    """Every command and query of the publicity service."""


__all__ = [
    "SERVICE",
    "CampaignFacts",
    "MemoryOrgChart",
    "OrgChart",
    "PublicityHandlers",
    "RpcOrgChart",
    "UnitFacts",
]
