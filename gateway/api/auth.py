"""Who is calling: signed access tokens, refresh tokens, API keys, and the roles model.

- Access token: a JWT (HS256) valid for a few minutes with the principal's username,
  bureau, roles and a token id (`jti`); logout puts the `jti` on a revocation list until
  it would have expired anyway.
- Refresh token: an opaque random string, stored only as its SHA-256 in the gateway's
  database; each use rotates it (the old one is revoked); logout revokes it.
- API key: for machine clients (service accounts), verified by the organization
  service; verified keys are remembered for a short time so a busy client does not cost
  an RPC per request (a revoked key stops working within that time).

The signing secret comes from GATEWAY_TOKEN_SECRET or the file named by
GATEWAY_TOKEN_SECRET_FILE; a local run without either gets a random secret kept in
var/secrets (never in the repository).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
import uuid
from collections.abc import Iterable
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


def load_secret(env: dict[str, str] | None = None, root: Path | None = None) -> bytes:
    """The token signing secret: environment, a file, or a generated local one."""
    source = os.environ if env is None else env
    if source.get("GATEWAY_TOKEN_SECRET"):
        return source["GATEWAY_TOKEN_SECRET"].encode()
    if source.get("GATEWAY_TOKEN_SECRET_FILE"):
        return Path(source["GATEWAY_TOKEN_SECRET_FILE"]).read_bytes().strip()
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


class KeyCache:
    """Verified API keys for a short time (by their digest, never the key itself)."""

    def __init__(self, ttl: float = 30.0, size: int = 1024) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, key: str) -> Principal | None:
        entry = self._entries.get(digest(key))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, principal: Principal) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[digest(key)] = (time.monotonic() + self.ttl, principal)

    def forget(self, key: str) -> None:
        self._entries.pop(digest(key), None)
