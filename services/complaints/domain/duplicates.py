"""Duplicate detection: a report like an open one is flagged to merge, never dropped.

Similarity is the Jaccard index of character bigrams of the normalised texts, which
works for Chinese (no word boundaries) as well as for Latin script.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


def normalise(text: str) -> str:
    """NFKC, lower case, letters and digits only (spaces and punctuation dropped)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def _bigrams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similarity(a: str, b: str) -> float:
    """0.0 (nothing shared) to 1.0 (the same after normalising)."""
    left, right = _bigrams(normalise(a)), _bigrams(normalise(b))
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


@dataclass(frozen=True)
class OpenCase:
    """What duplicate detection needs to know of an open complaint."""

    complaint_id: str
    unit_id: str | None
    description: str
    received_on: date


@dataclass(frozen=True)
class DuplicateMatch:
    complaint_id: str
    similarity: float


def find_duplicates(
    unit_id: str | None,
    description: str,
    received_on: date,
    open_cases: Iterable[OpenCase],
    within_days: int = 30,
    threshold: float = 0.6,
) -> list[DuplicateMatch]:
    """Open cases against the same unit, received within `within_days` before this
    one, whose text is at least `threshold` similar; most similar first."""
    matches = [
        DuplicateMatch(case.complaint_id, round(score, 4))
        for case in open_cases
        if case.unit_id == unit_id
        and 0 <= (received_on - case.received_on).days <= within_days
        and (score := similarity(description, case.description)) >= threshold
    ]
    return sorted(matches, key=lambda m: (-m.similarity, m.complaint_id))
