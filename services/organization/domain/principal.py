"""Who an account is and what it may do: granted roles plus those of the org chart."""

from __future__ import annotations

from services.organization.domain.account import Account
from services.organization.domain.bureau import Bureau
from services.organization.domain.model import Role
from services.organization.domain.person import Person
from services.organization.domain.unit import Unit


def roles_of(
    account: Account, person: Person | None, unit: Unit | None, bureau: Bureau
) -> list[str]:
    """Granted roles, plus: staff for anyone still in the bureau; unit_head and
    info_officer for who holds those posts; committee_member, leading_group and
    leading_group_office for the bureau's members of each."""
    roles = set(account.roles)
    if person is not None and person.active:
        roles.add(Role.STAFF.value)
        if unit is not None and unit.head_id == person.id:
            roles.add(Role.UNIT_HEAD.value)
        if unit is not None and unit.info_officer_id == person.id:
            roles.add(Role.INFO_OFFICER.value)
        if person.id in bureau.committee:
            roles.add(Role.COMMITTEE_MEMBER.value)
        if person.id in bureau.leading_group:
            roles.add(Role.LEADING_GROUP.value)
        if person.id in bureau.office:
            roles.add(Role.LEADING_GROUP_OFFICE.value)
    return sorted(roles)
