"""The event-sourcing library every service uses. It holds no domain code."""

from __future__ import annotations
