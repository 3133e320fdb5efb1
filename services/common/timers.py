"""A Nameko timer whose interval the service's config (or environment) may set."""

from __future__ import annotations

import os
from typing import Any

from nameko.timer import Timer


class ConfiguredTimer(Timer):  # type: ignore[misc]
    """`@configured_timer(3600, "LEDGER_ESCALATION_INTERVAL")`: every 3600 s unless
    the config or the environment sets the key (seconds)."""

    def __init__(
        self, interval: float, key: str, eager: bool = False, **kwargs: Any
    ) -> None:
        self.key = key
        super().__init__(interval, eager=eager, **kwargs)

    def setup(self) -> None:
        raw = self.container.config.get(self.key) or os.environ.get(self.key)
        if raw:
            self.interval = float(raw)


configured_timer = ConfiguredTimer.decorator
