"""Reporter protection: sealed identities, crypto-shredding, receipt codes."""

from __future__ import annotations

from services.complaints.protection.keys import (
    KeyStore,
    MemoryKeyStore,
    PostgresKeyStore,
)
from services.complaints.protection.receipts import hash_code, new_receipt_code
from services.complaints.protection.records import ReceiptCode, Reporter, registry
from services.complaints.protection.vault import Identity, IdentityVault, Sealed

__all__ = [
    "Identity",
    "IdentityVault",
    "KeyStore",
    "MemoryKeyStore",
    "PostgresKeyStore",
    "ReceiptCode",
    "Reporter",
    "Sealed",
    "hash_code",
    "new_receipt_code",
    "registry",
]
