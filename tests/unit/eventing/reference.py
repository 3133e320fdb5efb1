"""Plain reference forms the fast paths of eventing must equal, byte for byte."""

from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Canonical JSON the slow, obvious way (what encode_json must give)."""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode()
