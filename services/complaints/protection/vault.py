"""Sealing a reporter's name and contact with their own key (AES-256-GCM)."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.complaints.protection.keys import KeyStore

NONCE_BYTES = 12


@dataclass(frozen=True)
class Identity:
    """Who reported, as they gave it."""

    name: str | None
    contact: str | None


@dataclass(frozen=True)
class Sealed:
    """Ciphertext and nonce, base64, as they go into an event."""

    nonce: str
    ciphertext: str


class IdentityVault:
    """Seals identities under per-reporter keys; opens them while the key exists."""

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys

    def seal(self, reporter_ref: str, identity: Identity) -> Sealed:
        key = self.keys.create(reporter_ref)
        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps({"name": identity.name, "contact": identity.contact})
        # The ref as associated data: a sealed identity opens only under its own ref.
        data = AESGCM(key).encrypt(nonce, plain.encode(), reporter_ref.encode())
        return Sealed(_b64(nonce), _b64(data))

    def open(self, reporter_ref: str, sealed: Sealed) -> Identity | None:
        """The identity, or None once the key is destroyed (or never matched)."""
        key = self.keys.get(reporter_ref)
        if key is None:
            return None
        try:
            plain = AESGCM(key).decrypt(
                base64.b64decode(sealed.nonce),
                base64.b64decode(sealed.ciphertext),
                reporter_ref.encode(),
            )
        except InvalidTag:
            return None
        raw = json.loads(plain)
        return Identity(raw.get("name"), raw.get("contact"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
