"""Bounded waiting: poll a condition until it holds or a deadline passes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    probe: Callable[[], T],
    *,
    timeout: float,
    interval: float = 0.05,
    describe: str | Callable[[], str] = "the condition",
) -> T:
    """Call `probe` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = describe() if callable(describe) else describe
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {text}")
        time.sleep(interval)
