"""Receipt codes: unguessable, shown to the reporter once, kept only as a hash."""

from __future__ import annotations

import secrets

from services.complaints.domain.model import hash_receipt_code

# No 0/O, 1/I/L: read out over the phone. 16 symbols of 31: over 79 bits.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS, GROUP = 4, 4


def new_receipt_code() -> str:
    """A fresh code such as `K7Q2-M9XD-4TZP-8HRN`."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP))
    return "-".join(symbols[i : i + GROUP] for i in range(0, len(symbols), GROUP))


def normalise(code: str) -> str:
    """Case, spaces and dashes as the reporter typed them do not matter."""
    symbols = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(symbols[i : i + GROUP] for i in range(0, len(symbols), GROUP))


def hash_code(code: str) -> str:
    """The stored form of a code (SHA-256 hex of its normal form)."""
    return hash_receipt_code(normalise(code))
