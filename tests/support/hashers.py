"""A fake of the organization service's password hashing port, for tests that need
accounts but not argon2's cost: readable hashes, enough to test the rules."""

from __future__ import annotations


class PlainHasher:
    """hash(p) is "plain:" + p; any other form is one to hash again."""

    def hash(self, password: str) -> str:
        return f"plain:{password}"

    def verify(self, hashed: str, password: str) -> bool:
        return hashed == f"plain:{password}"

    def needs_rehash(self, hashed: str) -> bool:
        return not hashed.startswith("plain:")
