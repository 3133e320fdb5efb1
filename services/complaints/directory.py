"""What the complaints service needs from the organization service, behind a port.

`OrgDirectory`: is a unit one of the caller's bureau, and what are the bureau's
complaint settings for a year. `RpcOrgDirectory` asks `organization` over Nameko RPC
(`get_unit`, `get_campaign`); `MemoryOrgDirectory` is the fake for tests. A year
without a campaign is no reason to refuse a report: the defaults apply and the
answer carries a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from nameko.exceptions import RemoteError

from eventing.aggregate import CommandContext
from services.common.errors import NotFound

NO_CAMPAIGN = "campaign_not_found"  # organization's PlanYearUnknown


@dataclass(frozen=True)
class ComplaintSettings:
    """The campaign settings a deadline policy is built from, and why if defaults."""

    settings: Mapping[str, Any] = field(default_factory=dict)
    warning: str | None = None


def defaults_warning(year: int) -> str:
    return (
        f"本局 {year} 年未开展活动，期限按默认值（1/15/3 个工作日）计算 / "
        f"no campaign for {year}: default deadlines (1/15/3 working days) apply"
    )


class OrgDirectory(Protocol):
    def unit(self, unit_id: str, ctx: CommandContext) -> Mapping[str, Any]:
        """The unit, or NotFound when unknown or of another bureau."""
        ...

    def complaint_settings(self, year: int, ctx: CommandContext) -> ComplaintSettings:
        """The bureau's campaign settings for `year` (defaults, warning if none)."""
        ...


def rpc_context(ctx: CommandContext) -> dict[str, Any]:
    return {
        "bureau_id": ctx.bureau_id,
        "actor": ctx.actor,
        "correlation_id": ctx.correlation_id,
    }


def _campaign_missing(error: Exception) -> bool:
    """organization's PlanYearUnknown, as its class or as a nameko RemoteError."""
    return (
        getattr(error, "code", None) == NO_CAMPAIGN
        or getattr(error, "exc_type", None) == "PlanYearUnknown"
    )


class RpcOrgDirectory:
    """Over a Nameko RPC proxy to `organization` (RpcProxy or ClusterRpcProxy's)."""

    def __init__(self, organization: Any) -> None:
        self.organization = organization

    def unit(self, unit_id: str, ctx: CommandContext) -> Mapping[str, Any]:
        unit: Mapping[str, Any] = self.organization.get_unit(
            {"unit_id": unit_id}, rpc_context(ctx)
        )
        if unit.get("bureau_id") != ctx.bureau_id:
            raise NotFound(kind="unit", id=unit_id)
        return unit

    def complaint_settings(self, year: int, ctx: CommandContext) -> ComplaintSettings:
        try:
            campaign = self.organization.get_campaign({"year": year}, rpc_context(ctx))
        except Exception as error:
            if _campaign_missing(error):
                return ComplaintSettings({}, defaults_warning(year))
            raise
        settings = campaign.get("settings") or {}
        return ComplaintSettings(
            {
                "complaints": dict(settings.get("complaints") or {}),
                **(
                    {"timezone": settings["timezone"]} if "timezone" in settings else {}
                ),
            }
        )


class MemoryOrgDirectory:
    """The fake: units per bureau, settings per (bureau, year)."""

    def __init__(
        self,
        units: Mapping[str, str] | None = None,
        campaigns: Mapping[tuple[str, int], Mapping[str, Any]] | None = None,
    ) -> None:
        self.units: dict[str, str] = dict(units or {})  # unit id -> bureau id
        self.campaigns = dict(campaigns or {})
        self.calls: list[tuple[str, Any]] = []

    def unit(self, unit_id: str, ctx: CommandContext) -> Mapping[str, Any]:
        self.calls.append(("unit", unit_id))
        if self.units.get(unit_id) != ctx.bureau_id:
            raise NotFound(kind="unit", id=unit_id)
        return {"unit_id": unit_id, "bureau_id": ctx.bureau_id}

    def complaint_settings(self, year: int, ctx: CommandContext) -> ComplaintSettings:
        self.calls.append(("settings", year))
        settings = self.campaigns.get((str(ctx.bureau_id), year))
        if settings is None:
            return ComplaintSettings({}, defaults_warning(year))
        return ComplaintSettings(settings)


class MemoryOrganization:
    """A stand-in for the `organization` RPC proxy, backed by a MemoryOrgDirectory
    (for worker_factory tests of the RPC adapter)."""

    def __init__(self, directory: MemoryOrgDirectory) -> None:
        self.directory = directory

    def get_unit(self, payload: dict[str, Any], context: dict[str, Any]) -> Any:
        ctx = CommandContext(context.get("bureau_id"), context.get("actor"))
        return dict(self.directory.unit(str(payload["unit_id"]), ctx))

    def get_campaign(self, payload: dict[str, Any], context: dict[str, Any]) -> Any:
        bureau, year = context.get("bureau_id"), int(payload["year"])
        settings = self.directory.campaigns.get((str(bureau), year))
        if settings is None:  # as nameko delivers organization's PlanYearUnknown
            raise RemoteError("PlanYearUnknown", f"no campaign in {year}")
        return {"year": year, "bureau_id": bureau, "settings": dict(settings)}
