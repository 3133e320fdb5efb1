"""Sealing ballots: fixed-size plaintext under the round's key (AES-256-GCM).

A ballot is appended at vote time (nothing is held in memory), but sealed: until the
close nobody reading the log can see what it says, and every sealed ballot of a round
has the same length, so its size tells nothing either. The plaintext carries a random
receipt whose SHA-256 is on the voter's participation record: at close the service
counts only ballots whose receipt matches a participation (a vote refused after its
ballot was appended is discarded), then the key is destroyed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.evaluation.domain.model import Option
from services.evaluation.domain.tally import Choice, OpenedBallot

NONCE_BYTES = 12
BASE_BYTES = 256
PER_SUBJECT_BYTES = 40
COMMENT_BYTES = 2400  # all comments of one ballot, JSON-encoded
COMMENT_CHARS = 200  # one comment
_CODES = {"e": Option.EXCELLENT, "g": Option.GOOD, "f": Option.FAIR, "p": Option.POOR}
_CODE_OF = {option: code for code, option in _CODES.items()}


def ballot_bytes(subjects: int) -> int:
    """The fixed plaintext size of a round's ballots."""
    return BASE_BYTES + PER_SUBJECT_BYTES * subjects + COMMENT_BYTES


@dataclass(frozen=True)
class Sealed:
    nonce: str
    ciphertext: str


@dataclass(frozen=True)
class PlainBallot:
    receipt: str
    constituency: str
    choices: Mapping[str, Choice]  # by subject index as text


def new_receipt() -> str:
    return secrets.token_hex(16)


def receipt_digest(receipt: str) -> str:
    return hashlib.sha256(receipt.encode()).hexdigest()


def encode(ballot: PlainBallot, size: int) -> bytes | None:
    """Compact JSON padded with spaces to `size`; None when it does not fit."""
    entries = [
        [key, _CODE_OF[c.option], c.score, c.comment]
        for key, c in sorted(ballot.choices.items())
    ]
    raw = json.dumps(
        {"r": ballot.receipt, "c": ballot.constituency, "v": entries},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    if len(raw) > size:
        return None
    return raw + b" " * (size - len(raw))


def decode(raw: bytes) -> PlainBallot:
    data = json.loads(raw)
    choices = {
        str(key): Choice(_CODES[code], score, comment)
        for key, code, score, comment in data["v"]
    }
    return PlainBallot(str(data["r"]), str(data["c"]), choices)


def seal(key: bytes, round_id: str, plain: bytes) -> Sealed:
    nonce = os.urandom(NONCE_BYTES)
    data = AESGCM(key).encrypt(nonce, plain, round_id.encode())
    return Sealed(_b64(nonce), _b64(data))


def unseal(key: bytes, round_id: str, sealed: Sealed) -> bytes | None:
    try:
        return AESGCM(key).decrypt(
            base64.b64decode(sealed.nonce),
            base64.b64decode(sealed.ciphertext),
            round_id.encode(),
        )
    except (InvalidTag, ValueError):
        return None


def opened(plain: PlainBallot, subject_ids: list[str]) -> OpenedBallot:
    """Index keys back to subject ids, the receipt dropped."""
    return OpenedBallot(
        plain.constituency,
        {
            subject_ids[int(k)]: c
            for k, c in plain.choices.items()
            if k.isdigit() and int(k) < len(subject_ids)
        },
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
