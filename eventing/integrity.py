"""The per-stream hash chain: tamper evidence for every stored event.

digest = sha256(canonical JSON of every field an event carries except its position)
hash   = sha256(prev_hash || digest); a stream's first prev_hash is 32 zero bytes

Editing any field of a stored event changes its digest; deleting or reordering events
breaks the link to the next event's prev_hash. `verify_stream` names the first break.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventing.events import (
    GENESIS_HASH,
    JSON,
    Envelope,
    Metadata,
    NewEvent,
    all_canonical_ids,
    encode_json,
    is_event_type,
    utc_iso,
)


def canonical_fields(
    *,
    event_id: str,
    type: str,
    schema_version: int,
    stream: str,
    version: int,
    recorded_at: datetime,
    service: str,
    bureau_id: str | None,
    actor: str | None,
    correlation_id: str | None,
    causation_id: str | None,
) -> list[JSON]:
    """Every field an event's digest covers besides its payload, in their one order."""
    return [
        event_id,
        type,
        schema_version,
        stream,
        version,
        utc_iso(recorded_at),
        service,
        bureau_id,
        actor,
        correlation_id,
        causation_id,
    ]


def content_digest(*, data: JSON, **fields: Any) -> bytes:
    """sha256 of an event's canonical form; `fields` are canonical_fields' arguments."""
    return digest_with_payload(canonical_fields(**fields), encode_json(data))


def digest_with_payload(fields: list[JSON], payload: bytes) -> bytes:
    """The digest of `fields + [data]` given data already in canonical JSON.

    Equal to sha256(encode_json(fields + [data])): the canonical list form has no
    spaces, so the payload can be spliced in without encoding it again.
    """
    head = encode_json(fields)
    return hashlib.sha256(head[:-1] + b"," + payload + b"]").digest()


def chain(prev_hash: bytes, digest: bytes) -> bytes:
    """The link: sha256(prev_hash || digest)."""
    return hashlib.sha256(prev_hash + digest).digest()


# printable ASCII but '"' and '\\': such a text's JSON is itself between quotes
_PLAIN_TEXT = re.compile(r"[ !#-\[\]-~]*\Z")


def shared_values(recorded_at: str, metadata: Metadata) -> tuple[str | None, ...]:
    """The fields an append's events share, in the digest's order."""
    return (recorded_at, *metadata.fields())


def shared_json(recorded_at: str, metadata: Metadata) -> list[bytes]:
    """The canonical JSON of each field every event of one append shares, in the
    digest's order: recorded_at (as `utc_iso` gives it), service, bureau_id, actor,
    correlation_id, causation_id. Each is `encode_json` of the value."""
    plain = plain_shared_json(recorded_at, metadata)
    if plain is not None:
        return plain
    return [encode_json(value) for value in shared_values(recorded_at, metadata)]


def plain_shared_json(recorded_at: str, metadata: Metadata) -> list[bytes] | None:
    """shared_json when every field is None or text in printable ASCII without '"'
    or '\\' (ids and names, as usual), whose JSON is the same in every encoder's
    form (canonical or ASCII-escaped): checked together in one match and quoted as
    they are. None when some field needs escaping."""
    values = shared_values(recorded_at, metadata)
    try:
        if _PLAIN_TEXT.match("".join([v for v in values if v is not None])) is None:
            return None
    except TypeError:  # a value that is not text: encode_json says what is wrong
        return None
    # str.encode: the text joined above, whatever a subclass's own encode() does
    return [b"null" if v is None else b'"%s"' % str.encode(v) for v in values]


def batch_digests(
    stream: str,
    expected: int,
    events: Sequence[NewEvent],
    payloads: Sequence[bytes],
    recorded_at: str,
    metadata: Metadata,
) -> list[bytes]:
    """The digest of each event of one append (versions `expected` + 1, + 2, ...),
    `payloads` in canonical JSON and `recorded_at` as `utc_iso` gives it.

    Equal to `digest_with_payload(canonical_fields(...), payload)` for each event.
    """
    return encoded_digests(
        encode_json(stream),
        expected,
        events,
        payloads,
        b",".join(shared_json(recorded_at, metadata)),
        all_canonical_ids([event.event_id for event in events]),
    )


def encoded_digests(
    stream_json: bytes,
    expected: int,
    events: Sequence[NewEvent],
    payloads: Sequence[bytes],
    shared: bytes,
    ids_canonical: bool,
) -> list[bytes]:
    """batch_digests from its parts already encoded: the stream name's JSON, the
    `shared_json` fields joined by commas, and whether every event id is canonical
    (`all_canonical_ids`). Every adapter's append computes these, so they are on
    the hot path of every command; an adapter that also needs the parts for its own
    use (EventStoreDB's metadata) encodes them once.

    The fields the batch shares are encoded once, and per event only its id, type,
    schema version and version, whose canonical JSON needs no escaping when the id
    is a canonical UUID, the type CamelCase and the schema version an int.
    """
    sha256 = hashlib.sha256
    digests = []
    version = expected
    for event, payload in zip(events, payloads, strict=True):
        version += 1
        event_id, kind, schema = event.event_id, event.type, event.schema_version
        if ids_canonical and type(schema) is int and is_event_type(kind):
            whole = b'["%s","%s",%d,%s,%d,%s,%s]' % (
                event_id.encode(),
                kind.encode(),
                schema,
                stream_json,
                version,
                shared,
                payload,
            )
        else:  # an id in another form, or a type or version set past NewEvent
            head = encode_json([event_id, kind, schema])[:-1]
            whole = b"%s,%s,%d,%s,%s]" % (head, stream_json, version, shared, payload)
        digests.append(sha256(whole).digest())
    return digests


def chain_links(prev_hash: str, digests: Sequence[bytes]) -> list[tuple[bytes, bytes]]:
    """(prev_hash, hash) of each new event, chained from the previous event's hash
    (hex; GENESIS_HASH for a new stream)."""
    links = []
    prev = bytes.fromhex(prev_hash)
    sha256 = hashlib.sha256
    for digest in digests:
        link = sha256(prev + digest).digest()
        links.append((prev, link))
        prev = link
    return links


def envelope_digest(envelope: Envelope) -> bytes:
    return content_digest(
        event_id=envelope.event_id,
        type=envelope.type,
        schema_version=envelope.schema_version,
        stream=envelope.stream,
        version=envelope.version,
        recorded_at=envelope.recorded_at,
        service=envelope.service,
        bureau_id=envelope.bureau_id,
        actor=envelope.actor,
        correlation_id=envelope.correlation_id,
        causation_id=envelope.causation_id,
        data=envelope.data,
    )


@dataclass(frozen=True)
class BrokenLink:
    """The first place a stream's chain does not hold, and why."""

    stream: str
    version: int
    reason: str


def verify_stream(stream: str, envelopes: Iterable[Envelope]) -> BrokenLink | None:
    """Check one stream's events, in version order; None when the chain holds."""
    prev = GENESIS_HASH
    expected_version = 1
    for envelope in envelopes:
        if envelope.version != expected_version:
            return BrokenLink(
                stream,
                expected_version,
                f"version {expected_version} is missing (found {envelope.version})",
            )
        if envelope.prev_hash != prev:
            return BrokenLink(
                stream, envelope.version, "prev_hash does not match the event before"
            )
        recomputed = chain(bytes.fromhex(prev), envelope_digest(envelope)).hex()
        if recomputed != envelope.hash:
            return BrokenLink(
                stream, envelope.version, "content does not match its hash (edited)"
            )
        prev = envelope.hash
        expected_version += 1
    return None
