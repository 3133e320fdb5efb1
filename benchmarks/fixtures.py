"""Shared test data: event payloads, metadata, stream names, the baseline table."""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg

from eventing.events import Metadata, NewEvent

EVENT_TYPE = "ComplaintRegistered"
SERVICES = ("complaints", "ledger", "evaluation")
METADATA = Metadata(
    service="complaints",
    bureau_id="bureau-07",
    actor="officer-42",
    correlation_id="5b0c3c5e-8d7e-4c59-9a3c-7c1f0e9d1a11",
    causation_id=None,
)
ZERO_HASH = bytes(32)

_streams = itertools.count(1)


def next_stream(prefix: str = "complaint") -> str:
    """A stream name never used before in this process."""
    return f"{prefix}-b{next(_streams)}"


def payload(n: int) -> dict[str, Any]:
    """A complaint-sized payload (about 300 bytes of JSON)."""
    return {
        "complaint_id": f"c-{n:09d}",
        "bureau_id": "bureau-07",
        "channel": "web",
        "category": "service-attitude",
        "summary": "Counter staff asked for documents not on the published list "
        "and refused to give a written reason.",
        "reporter_ref": "r-" + str(n % 9973),
        "anonymous": n % 3 == 0,
        "attachments": n % 4,
        "received_on": "2024-05-17",
        "tags": ["front-desk", "documents"],
    }


def new_event(n: int) -> NewEvent:
    return NewEvent(EVENT_TYPE, payload(n))


# -- the baseline table ---------------------------------------------------------------

PLAIN_SCHEMA = """
CREATE SCHEMA IF NOT EXISTS plain;
CREATE TABLE IF NOT EXISTS plain.events (LIKE eventing.events INCLUDING ALL);
CREATE SEQUENCE IF NOT EXISTS plain.events_position_seq OWNED BY plain.events.position;
ALTER TABLE plain.events
    ALTER COLUMN position SET DEFAULT nextval('plain.events_position_seq');
"""
"""Same columns, types, primary key, unique constraints and index as eventing.events;
the position comes from a bigserial-style sequence: no ordering guard at all."""

PLAIN_COLUMNS = (
    "stream, category, version, event_id, type, schema_version, service, bureau_id, "
    "actor, correlation_id, causation_id, recorded_at, data, prev_hash, hash"
)
PLAIN_INSERT = (
    f"INSERT INTO plain.events ({PLAIN_COLUMNS}) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "RETURNING position"
)
PLAIN_INSERT_UNNEST = (
    f"INSERT INTO plain.events ({PLAIN_COLUMNS}) "
    "SELECT %s, %s, v, e, %s, %s, %s, %s, %s, %s, %s, %s, d::json, %s, %s "
    "FROM unnest(%b::int[], %b::uuid[], %b::text[]) AS u(v, e, d) "
    "RETURNING position"
)


def create_plain_table(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(PLAIN_SCHEMA)


def plain_row(stream: str, version: int, n: int) -> tuple[Any, ...]:
    """The parameters of one baseline row: what a plain INSERT of an event sends."""
    meta = METADATA
    return (
        stream,
        stream.split("-", 1)[0],
        version,
        str(uuid.uuid4()),
        EVENT_TYPE,
        1,
        meta.service,
        meta.bureau_id,
        meta.actor,
        meta.correlation_id,
        meta.causation_id,
        datetime.now(UTC),
        json.dumps(payload(n)),
        ZERO_HASH,
        ZERO_HASH,
    )


def plain_batch(stream: str, size: int, n: int) -> tuple[Any, ...]:
    """Parameters of PLAIN_INSERT_UNNEST: `size` rows of one stream in one statement
    (the per-row columns travel as three arrays in binary format)."""
    meta = METADATA
    return (
        stream,
        stream.split("-", 1)[0],
        EVENT_TYPE,
        1,
        meta.service,
        meta.bureau_id,
        meta.actor,
        meta.correlation_id,
        meta.causation_id,
        datetime.now(UTC),
        ZERO_HASH,
        ZERO_HASH,
        list(range(1, size + 1)),
        [str(uuid.uuid4()) for _ in range(size)],
        [json.dumps(payload(n + i)) for i in range(size)],
    )


def plain_values_sql(size: int) -> str:
    """One INSERT ... VALUES (...), (...) statement of `size` rows."""
    row = "(" + ", ".join(["%s"] * 15) + ")"
    return (
        f"INSERT INTO plain.events ({PLAIN_COLUMNS}) VALUES "
        + ", ".join([row] * size)
        + " RETURNING position"
    )
