"""Every operation of /api/v1: path, roles, and the service method or local handler.

Roles (see gateway.api.auth.ROLES): a bureau's accounts act in their own bureau only;
`district_official` may name any bureau (header `X-Bureau-Id`) and reads across them.
The services check the finer rules themselves (only the assigned investigator
concludes, nobody verifies their own item, ...); this table is the coarse gate.
"""

from __future__ import annotations

from gateway.api.catalogue.access import AUDIT, AUTH, EXPORTS, META, PUBLIC, VIEW_ROUTES
from gateway.api.catalogue.complaints import COMPLAINTS
from gateway.api.catalogue.evaluation import EVALUATION
from gateway.api.catalogue.ledger import LEDGER
from gateway.api.catalogue.organization import ORGANIZATION
from gateway.api.catalogue.publicity import PUBLICITY
from gateway.api.routes import Route


def routes() -> list[Route]:
    return [
        *META,
        *AUTH,
        *ORGANIZATION,
        *COMPLAINTS,
        *LEDGER,
        *EVALUATION,
        *PUBLICITY,
        *PUBLIC,
        *VIEW_ROUTES,
        *AUDIT,
        *EXPORTS,
    ]
