"""Who is calling: signed access tokens, refresh tokens, API keys, and the roles model.

- Access token: a JWT (HS256) valid for a few minutes with the principal's username,
  bureau, roles and a token id (`jti`); logout puts the `jti` on a revocation list until
  it would have expired anyway.
- Refresh token: an opaque random string, stored only as its SHA-256 in the gateway's
  database; each use rotates it (the old one is revoked); logout revokes it.
- API key: for machine clients (service accounts), verified by the organization
  service; verified keys are remembered for a short time so a busy client does not cost
  an RPC per request. A key is forgotten as soon as its account's events show a change
  (a key revoked, the account disabled, roles granted or taken): the cache reads the
  account events at most every ACCOUNT_EVENTS_REFRESH_SECONDS, so a revocation made
  through any gateway worker or replica takes effect everywhere within that time.

The signing secret comes from GATEWAY_TOKEN_SECRET or the file named by
GATEWAY_TOKEN_SECRET_FILE; a local run without either gets a random secret kept in
var/secrets (never in the repository).
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

from gateway.api.errors import unauthenticated

ACCESS_TTL_SECONDS = 900
REFRESH_TTL_SECONDS = 7 * 24 * 3600
ISSUER = "rectification-gateway"
VERIFIED_CACHE = 4096  # tokens remembered as verified (per gateway process)

# Every role there is; the endpoint table says which of them may call what.
ROLES = (
    "district_official",
    "bureau_admin",
    "leading_group",
    "leading_group_office",
    "committee_member",
    "unit_head",
    "info_officer",
    "investigator",
    "staff",
    "api_client",
)
DISTRICT_ROLES = frozenset({"district_official"})


@dataclass(frozen=True)
class Principal:
    """The caller as the gateway knows it after authentication."""

    username: str
    bureau_id: str | None
    roles: frozenset[str]
    person_id: str | None = None
    kind: str = "person"  # person | service
    token_id: str | None = None
    expires_at: int | None = None

    @property
    def actor(self) -> str:
        return self.person_id or f"account:{self.username}"

    @property
    def district(self) -> bool:
        return bool(self.roles & DISTRICT_ROLES)

    def may(self, allowed: Iterable[str]) -> bool:
        return bool(self.roles & frozenset(allowed))

    @classmethod
    def from_answer(cls, answer: dict[str, Any], kind: str = "person") -> Principal:
        """From the organization service's principal answer."""
        person = answer.get("person") or {}
        return cls(
            username=str(answer["username"]),
            bureau_id=answer.get("bureau_id"),
            roles=frozenset(str(r) for r in answer.get("roles") or ()),
            person_id=person.get("person_id"),
            kind=str(answer.get("kind") or kind),
        )


# RFC 7518 section 3.2: an HS256 key at least as long as the hash's output
MIN_SECRET_BYTES = 32


def load_secret(env: dict[str, str] | None = None, root: Path | None = None) -> bytes:
    """The token signing secret: environment, a file, or a generated local one.
    A given secret shorter than MIN_SECRET_BYTES is refused (ValueError naming the
    setting): a short HMAC key can be guessed offline from any token it signed."""
    source = os.environ if env is None else env
    if source.get("GATEWAY_TOKEN_SECRET"):
        return _long_enough(
            source["GATEWAY_TOKEN_SECRET"].encode(), "GATEWAY_TOKEN_SECRET"
        )
    if source.get("GATEWAY_TOKEN_SECRET_FILE"):
        name = source["GATEWAY_TOKEN_SECRET_FILE"]
        return _long_enough(
            Path(name).read_bytes().strip(), f"GATEWAY_TOKEN_SECRET_FILE ({name})"
        )
    path = (root or Path.cwd()) / "var" / "secrets" / "gateway-token-secret"
    if not path.exists():
        # several gateway workers start at once: each writes its own candidate
        # whole, then links it into place; the first link wins and every worker
        # reads that one (never a half-written file, never two secrets)
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_bytes().strip()


def _long_enough(secret: bytes, setting: str) -> bytes:
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(
            f"{setting}: the token signing secret is {len(secret)} bytes long; it "
            f"must be at least {MIN_SECRET_BYTES} (RFC 7518 3.2), for example the "
            "output of: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    return secret


def digest(secret_text: str) -> str:
    return hashlib.sha256(secret_text.encode()).hexdigest()


@dataclass
class TokenSigner:
    """Issues and checks access tokens."""

    secret: bytes
    access_ttl: int = ACCESS_TTL_SECONDS
    clock: Any = field(default=time.time)
    _verified: dict[str, Principal] = field(default_factory=dict, repr=False)

    def issue(self, principal: Principal) -> tuple[str, Principal]:
        now = int(self.clock())
        jti = uuid.uuid4().hex
        claims = {
            "iss": ISSUER,
            "sub": principal.username,
            "bureau": principal.bureau_id,
            "roles": sorted(principal.roles),
            "person": principal.person_id,
            "kind": principal.kind,
            "jti": jti,
            "iat": now,
            "exp": now + self.access_ttl,
        }
        token = jwt.encode(claims, self.secret, algorithm="HS256")
        return token, Principal(
            principal.username,
            principal.bureau_id,
            principal.roles,
            principal.person_id,
            principal.kind,
            jti,
            now + self.access_ttl,
        )

    def verify(self, token: str) -> Principal:
        """The token's principal. A token already verified is taken from a small
        cache until it expires (signature and claims were checked the first time;
        revocation is checked per request elsewhere)."""
        known = self._verified.get(token)
        if known is not None:
            if (known.expires_at or 0) + 5 >= self.clock():
                return known
            self._verified.pop(token, None)
        principal = self._decode(token)
        if len(self._verified) >= VERIFIED_CACHE:
            self._verified.clear()
        self._verified[token] = principal
        return principal

    def _decode(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "jti", "sub"]},
                leeway=5,
            )
        except jwt.ExpiredSignatureError:
            raise unauthenticated("token_expired") from None
        except jwt.PyJWTError:
            raise unauthenticated("token_invalid") from None
        if int(claims["exp"]) + 5 < self.clock():  # this signer's clock decides
            raise unauthenticated("token_expired")
        return Principal(
            username=str(claims["sub"]),
            bureau_id=claims.get("bureau"),
            roles=frozenset(claims.get("roles") or ()),
            person_id=claims.get("person"),
            kind=str(claims.get("kind") or "person"),
            token_id=str(claims["jti"]),
            expires_at=int(claims["exp"]),
        )


def new_refresh_token() -> str:
    return "rt." + secrets.token_urlsafe(32)


ACCOUNT_EVENTS_REFRESH_SECONDS = 2.0

AccountChanges = Callable[[int | None], tuple[int, set[str]]]
"""Given a position (None: none yet), the position reached and the usernames whose
account streams have events after the given one (none for None)."""

log = logging.getLogger(__name__)


class KeyCache:
    """Verified API keys for a short time (by their digest, never the key itself).

    With `changes` (the account events of the store), every `refresh` seconds at
    most the cache forgets the keys of every account that changed since it last
    looked, whichever worker took the change. Until it has looked once, or after it
    could not look, it remembers nothing: each key is then verified per request.
    A key verified while the cache looked (`mark()` moved before `put`) is not
    remembered either, so a change the cache has already read past cannot be missed.
    """

    def __init__(
        self,
        ttl: float = 30.0,
        size: int = 1024,
        *,
        changes: AccountChanges | None = None,
        refresh: float = ACCOUNT_EVENTS_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.size = size
        self._changes = changes
        self._refresh = refresh
        self._clock = clock
        self._after: int | None = None
        self._looked_at = -float("inf")
        self._entries: dict[str, tuple[float, Principal]] = {}

    def mark(self) -> int | None:
        """Where the cache has read the account events to; hand it back to `put`."""
        self._look()
        return self._after

    def get(self, key: str) -> Principal | None:
        self._look()
        entry = self._entries.get(digest(key))
        if entry is None or entry[0] < self._clock():
            return None
        return entry[1]

    def put(self, key: str, principal: Principal, mark: int | None = None) -> None:
        if self._changes is not None and (mark is None or mark != self._after):
            return  # verified before the cache's last look, or with no look yet
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[digest(key)] = (self._clock() + self.ttl, principal)

    def _look(self) -> None:
        if self._changes is None:
            return
        now = self._clock()
        if now - self._looked_at < self._refresh:
            return
        self._looked_at = now  # one look at a time per interval, not one per request
        try:
            after, changed = self._changes(self._after)
        except Exception as error:  # the store unreachable: verify every key
            log.warning("account events unreadable, API keys not cached: %r", error)
            self._entries.clear()
            self._after = None
            return
        if changed:
            self._entries = {
                hashed: entry
                for hashed, entry in self._entries.items()
                if entry[1].username not in changed
            }
        self._after = after
