"""argon2id password hashing: the adapter of the domain's PasswordHasher port.

Its cost is set per deployment (RFC 9106 asks that it be sized to the machine):
PASSWORD_HASH_MEMORY_KIB and PASSWORD_HASH_TIME_COST, from the service config or the
environment. The default is argon2-cffi's own, RFC 9106's low-memory profile (64 MiB,
3 passes: about 0.2 s a hash on a small 2-CPU machine); the least accepted is
OWASP's minimum for argon2id (19 MiB, 2 passes: about 0.03 s there). A hash carries
its own parameters, so a password set under one setting still verifies after the
setting changes; it is hashed again at the new cost at its next successful sign-in
(PasswordRehashed), and a password set from then on gets the new cost at once.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MEMORY_KIB = 65_536  # argon2-cffi's default (RFC 9106, low-memory profile)
TIME_COST = 3
MIN_MEMORY_KIB = 19_456  # OWASP's minimum for argon2id: 19 MiB with 2 passes
MIN_TIME_COST = 2
MAX_MEMORY_KIB = 4_194_304  # 4 GiB
MAX_TIME_COST = 20


class Argon2Hasher:
    """Memory-hard hashing, argon2id, at the given cost."""

    def __init__(self, memory_kib: int = MEMORY_KIB, time_cost: int = TIME_COST):
        if not MIN_MEMORY_KIB <= memory_kib <= MAX_MEMORY_KIB:
            raise ValueError(
                f"argon2 memory (PASSWORD_HASH_MEMORY_KIB) must be from "
                f"{MIN_MEMORY_KIB} to {MAX_MEMORY_KIB} KiB, not {memory_kib}"
            )
        if not MIN_TIME_COST <= time_cost <= MAX_TIME_COST:
            raise ValueError(
                f"argon2 time cost (PASSWORD_HASH_TIME_COST) must be from "
                f"{MIN_TIME_COST} to {MAX_TIME_COST}, not {time_cost}"
            )
        self.memory_kib = memory_kib
        self.time_cost = time_cost
        self._hasher = PasswordHasher(memory_cost=memory_kib, time_cost=time_cost)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, hashed: str, password: str) -> bool:
        try:
            return self._hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hashed: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(hashed)
        except InvalidHashError:  # verify() refuses it anyway
            return False


def _whole_number(name: str, given: object, default: int) -> int:
    if given is None or not str(given).strip():
        return default
    text = str(given).strip()
    if not text.isdigit():
        raise ValueError(f"{name} must be a whole number, not {given!r}")
    return int(text)


def hasher_from_settings(memory_kib: object, time_cost: object) -> Argon2Hasher:
    """The hasher that PASSWORD_HASH_MEMORY_KIB and PASSWORD_HASH_TIME_COST ask for
    (None or blank: the default); ValueError naming the setting for anything else
    (Argon2Hasher checks the range)."""
    return Argon2Hasher(
        _whole_number("PASSWORD_HASH_MEMORY_KIB", memory_kib, MEMORY_KIB),
        _whole_number("PASSWORD_HASH_TIME_COST", time_cost, TIME_COST),
    )
