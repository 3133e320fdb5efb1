"""The organization domain: pure rules and events, no I/O (one aggregate per module)."""

from __future__ import annotations

from services.organization.domain.account import Account, LoginOutcome, LoginPolicy
from services.organization.domain.bureau import Bureau
from services.organization.domain.campaign import Campaign, PhaseDates
from services.organization.domain.events import registry
from services.organization.domain.person import Person
from services.organization.domain.unit import Unit

__all__ = [
    "Account",
    "Bureau",
    "Campaign",
    "LoginOutcome",
    "LoginPolicy",
    "Person",
    "PhaseDates",
    "Unit",
    "registry",
]
