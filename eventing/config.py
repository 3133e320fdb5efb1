"""Settings from the environment, each with a working local default.

The README's settings table lists the same names; keep the two in step.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULTS: dict[str, str] = {
    "EVENTSTORE_URI": "postgresql://postgres@127.0.0.1:5432/rectification",
    "READMODEL_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/rectification_read",
    "AMQP_URI": "amqp://guest:guest@127.0.0.1:5672/",
    "GATEWAY_HOST": "127.0.0.1",
    "GATEWAY_PORT": "8000",
    "RELAY_METRICS_PORT": "9101",
    "PROJECTOR_METRICS_PORT": "9102",
    "EVENTSTORE_MAX_EVENT_BYTES": str(1024 * 1024),
    "EVENTSTORE_NOTIFY": "1",
    "RELAY_WINDOW": "500",
    "RELAY_EXCLUDE_CATEGORIES": "account",
    "LOG_LEVEL": "INFO",
    "BLOB_DIR": "var/blobs",
}


def seconds_setting(
    name: str,
    given: object,
    default: float,
    maximum: float,
    zero_allowed: bool = True,
) -> float:
    """A setting of seconds (`name`, as given: None or blank means `default`),
    within 0 (or above it, without `zero_allowed`) and `maximum`; ValueError naming
    the setting and the range for anything else."""
    if given is None or not str(given).strip():
        return default
    try:
        seconds = float(str(given))
    except ValueError:
        seconds = -1.0
    low_ok = seconds >= 0 if zero_allowed else seconds > 0
    if not (low_ok and seconds <= maximum):  # also refuses nan
        low = "0" if zero_allowed else "above 0"
        raise ValueError(
            f"{name} must be seconds from {low} to {maximum:g}, not {given!r}"
        )
    return seconds


def keys_database(explicit: str | None, eventstore_uri: str, readmodel_url: str) -> str:
    """Where the services keep their keys (reporters', voters': the tables of
    services/<name>/migrations): `explicit` (KEYS_DATABASE_URL) if given, else the
    event store's database when that is PostgreSQL, else the read-model database.
    Keys must be deletable (an erasure destroys one), so never in an append-only
    log: with EventStoreDB they need a PostgreSQL database of their own or this one."""
    if explicit:
        return explicit
    if eventstore_uri.startswith("postgres"):
        return eventstore_uri
    return readmodel_url


@dataclass(frozen=True)
class Settings:
    """Process settings; read once at start-up, never at import time."""

    eventstore_uri: str
    readmodel_database_url: str
    amqp_uri: str
    gateway_host: str
    gateway_port: int
    relay_metrics_port: int
    projector_metrics_port: int
    max_event_bytes: int
    notify: bool
    relay_window: int
    relay_exclude_categories: tuple[str, ...]
    log_level: str
    blob_dir: str
    keys_database_url: str

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        source = os.environ if env is None else env

        def get(name: str) -> str:
            return source.get(name) or DEFAULTS[name]

        return cls(
            eventstore_uri=get("EVENTSTORE_URI"),
            readmodel_database_url=get("READMODEL_DATABASE_URL"),
            amqp_uri=get("AMQP_URI"),
            gateway_host=get("GATEWAY_HOST"),
            gateway_port=int(get("GATEWAY_PORT")),
            relay_metrics_port=int(get("RELAY_METRICS_PORT")),
            projector_metrics_port=int(get("PROJECTOR_METRICS_PORT")),
            max_event_bytes=int(get("EVENTSTORE_MAX_EVENT_BYTES")),
            notify=get("EVENTSTORE_NOTIFY") not in ("0", "false", "no"),
            relay_window=int(get("RELAY_WINDOW")),
            relay_exclude_categories=tuple(
                c.strip()
                for c in get("RELAY_EXCLUDE_CATEGORIES").split(",")
                if c.strip()
            ),
            log_level=get("LOG_LEVEL"),
            blob_dir=get("BLOB_DIR"),
            keys_database_url=keys_database(
                source.get("KEYS_DATABASE_URL"),
                get("EVENTSTORE_URI"),
                get("READMODEL_DATABASE_URL"),
            ),
        )


def _host_port(uri: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(uri)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def main(argv: list[str]) -> int:
    """`python -m eventing.config endpoints`: 'pg_host pg_port amqp_host amqp_port'."""
    if argv[1:] != ["endpoints"]:
        print("usage: python -m eventing.config endpoints", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    store = settings.eventstore_uri
    if not store.startswith("postgresql"):
        store = settings.readmodel_database_url
    pg_host, pg_port = _host_port(store, 5432)
    amqp_host, amqp_port = _host_port(settings.amqp_uri, 5672)
    print(pg_host, pg_port, amqp_host, amqp_port)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
