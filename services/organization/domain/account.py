"""Account: a login for a person, or a service account with API keys for machines.

Password hashing is a port (`PasswordHasher`) so the rules stay pure; the adapter uses
argon2id. Failed logins are events, so lockout survives restarts and shows in the audit.
"""

from __future__ import annotations

import enum
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import NotFound
from services.organization.domain.errors import (
    AccountDisabled,
    AlreadyExists,
    InvalidApiKey,
    InvalidCredentials,
    RoleNotGrantable,
    WeakPassword,
)
from services.organization.domain.events import (
    AccountDisabled as AccountDisabledEvent,
)
from services.organization.domain.events import (
    AccountEnabled,
    AccountLockedOut,
    AccountOpened,
    ApiKeyIssued,
    ApiKeyRevoked,
    LoginFailed,
    LoginSucceeded,
    PasswordChanged,
    PasswordRehashed,
    RolesGranted,
    RolesRevoked,
)
from services.organization.domain.model import GRANTABLE_ROLES, AccountKind, Role

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]{2,63}$")


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, hashed: str, password: str) -> bool: ...

    def needs_rehash(self, hashed: str) -> bool:
        """Whether `hashed` was made at another cost than this hasher's."""
        ...


@dataclass(frozen=True)
class LoginPolicy:
    """Lock an account for `lock_for` after `max_failures` wrong passwords in a row."""

    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)
    min_password_length: int = 10


class LoginOutcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    DISABLED = "disabled"


def check_password_strength(password: str, policy: LoginPolicy) -> None:
    strong = (
        len(password) >= policy.min_password_length
        and any(c.isalpha() for c in password)
        and any(c.isdigit() for c in password)
    )
    if not strong:
        raise WeakPassword(min_length=policy.min_password_length)


def check_grantable(roles: list[Role]) -> None:
    for role in roles:
        if role not in GRANTABLE_ROLES:
            raise RoleNotGrantable(role=role.value)


class Account(Aggregate):
    """Stream `account-<username>`: the stream name makes usernames unique."""

    category = "account"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.opened = False
        self.kind = AccountKind.PERSON
        self.bureau_id = ""
        self.person_id: str | None = None
        self.roles: set[str] = set()
        self.password_hash: str | None = None
        self.failures = 0
        self.locked_until: datetime | None = None
        self.disabled = False
        self.api_keys: dict[str, str] = {}  # key id -> sha256 of the secret

    @property
    def username(self) -> str:
        return self.id

    def open(
        self,
        kind: AccountKind,
        bureau_id: str,
        person_id: str | None,
        roles: list[Role],
        password_hash: str | None,
    ) -> None:
        if self.opened:
            raise AlreadyExists(kind="account", id=self.id)
        check_grantable(roles)
        if kind is AccountKind.SERVICE and not roles:
            roles = [Role.API_CLIENT]
        self._raise(
            AccountOpened(
                self.id,
                kind,
                bureau_id,
                person_id,
                tuple(sorted(r.value for r in roles)),
                password_hash,
            )
        )

    def login(
        self, password: str, hasher: PasswordHasher, now: datetime, policy: LoginPolicy
    ) -> LoginOutcome:
        """Check a password; records failures and lockouts, and hashes a right
        password again when `hasher` would make its hash at another cost. Raises
        nothing: the caller saves what happened, then answers."""
        self.require()
        if self.disabled:
            return LoginOutcome.DISABLED
        if self.locked_until is not None and now < self.locked_until:
            return LoginOutcome.LOCKED
        if self.password_hash is None or not hasher.verify(
            self.password_hash, password
        ):
            self._raise(LoginFailed(now))
            if self.failures >= policy.max_failures:
                self._raise(AccountLockedOut(now + policy.lock_for))
                return LoginOutcome.LOCKED
            return LoginOutcome.WRONG
        if self.failures:
            self._raise(LoginSucceeded(now))
        if hasher.needs_rehash(self.password_hash):
            # the one moment the password itself is at hand: a cost raised (or
            # lowered) since it was set reaches it at its next sign-in
            self._raise(PasswordRehashed(hasher.hash(password)))
        return LoginOutcome.OK

    def change_password(
        self, old: str, new: str, hasher: PasswordHasher, policy: LoginPolicy
    ) -> None:
        self.require()
        if self.disabled:
            raise AccountDisabled()
        if self.password_hash is None or not hasher.verify(self.password_hash, old):
            raise InvalidCredentials()
        check_password_strength(new, policy)
        self._raise(PasswordChanged(hasher.hash(new)))

    def reset_password(self, new_hash: str) -> None:
        """An administrator sets a new password (strength checked by the caller)."""
        self.require()
        self._raise(PasswordChanged(new_hash))

    def disable(self, reason: str) -> None:
        self.require()
        if not self.disabled:
            self._raise(AccountDisabledEvent(reason))

    def enable(self) -> None:
        self.require()
        if self.disabled:
            self._raise(AccountEnabled())

    def grant(self, roles: list[Role]) -> None:
        self.require()
        check_grantable(roles)
        new = tuple(sorted({r.value for r in roles} - self.roles))
        if new:
            self._raise(RolesGranted(new))

    def revoke(self, roles: list[Role]) -> None:
        self.require()
        gone = tuple(sorted({r.value for r in roles} & self.roles))
        if gone:
            self._raise(RolesRevoked(gone))

    def issue_api_key(self, key_id: str, label: str, key_hash: str) -> None:
        self.require()
        if self.kind is not AccountKind.SERVICE:
            raise InvalidApiKey(reason="only service accounts hold API keys")
        self._raise(ApiKeyIssued(key_id, label, key_hash))

    def revoke_api_key(self, key_id: str) -> None:
        self.require()
        if key_id not in self.api_keys:
            raise NotFound(kind="api_key", id=key_id)
        self._raise(ApiKeyRevoked(key_id))

    def accepts_api_key(self, key_id: str, key_hash: str) -> bool:
        stored = self.api_keys.get(key_id)
        return (
            self.opened
            and not self.disabled
            and stored is not None
            and hmac.compare_digest(stored, key_hash)
        )

    def require(self) -> None:
        if not self.opened:
            raise NotFound(kind="account", id=self.id)

    @staticmethod
    def valid_username(username: str) -> bool:
        return bool(USERNAME.match(username))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case AccountOpened():
                self.opened = True
                self.kind, self.bureau_id = event.kind, event.bureau_id
                self.person_id, self.roles = event.person_id, set(event.roles)
                self.password_hash = event.password_hash
            case PasswordChanged(password_hash=hashed):
                self.password_hash = hashed
                self.failures, self.locked_until = 0, None
            case PasswordRehashed(password_hash=hashed):
                self.password_hash = hashed
            case LoginFailed():
                self.failures += 1
            case AccountLockedOut(until=until):
                self.locked_until, self.failures = until, 0
            case LoginSucceeded():
                self.failures, self.locked_until = 0, None
            case AccountDisabledEvent():
                self.disabled = True
            case AccountEnabled():
                self.disabled, self.failures, self.locked_until = False, 0, None
            case RolesGranted(roles=roles):
                self.roles |= set(roles)
            case RolesRevoked(roles=roles):
                self.roles -= set(roles)
            case ApiKeyIssued(key_id=key_id, key_hash=key_hash):
                self.api_keys[key_id] = key_hash
            case ApiKeyRevoked(key_id=key_id):
                self.api_keys.pop(key_id, None)
