"""What every service's org-chart adapter shares: asking the organization service
by RPC in a bureau's name, as the service itself (`service:<name>`)."""

from __future__ import annotations

from typing import Any


class OrganizationRpc:
    """Base of the RPC adapters of the services' OrgChart ports."""

    actor = "service"

    def __init__(self, organization: Any) -> None:
        self.organization = organization

    def _context(self, bureau_id: str) -> dict[str, str]:
        return {"bureau_id": bureau_id, "actor": self.actor}

    def _bureau(self, bureau_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.organization.get_bureau(
            {}, self._context(bureau_id)
        )
        return answer
