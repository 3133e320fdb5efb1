"""How many gateway processes `python -m gateway.workers` starts."""

from __future__ import annotations

import pytest

from gateway import workers


@pytest.mark.parametrize(("cpus", "expected"), [(1, 1), (2, 1), (3, 1), (8, 4)])
def test_by_default_half_the_cpus_and_at_least_one(
    monkeypatch: pytest.MonkeyPatch, cpus: int, expected: int
) -> None:
    monkeypatch.setattr(workers.os, "cpu_count", lambda: cpus)
    assert workers.worker_count({}) == expected


def test_an_unknown_cpu_count_gives_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers.os, "cpu_count", lambda: None)
    assert workers.worker_count({"GATEWAY_WORKERS": " "}) == 1


def test_gateway_workers_says_how_many() -> None:
    assert workers.worker_count({"GATEWAY_WORKERS": "3"}) == 3


@pytest.mark.parametrize("given", ["0", "65", "two", "-1", "1.5"])
def test_anything_else_is_a_clear_error(given: str) -> None:
    with pytest.raises(SystemExit, match="GATEWAY_WORKERS must be a whole number"):
        workers.worker_count({"GATEWAY_WORKERS": given})
