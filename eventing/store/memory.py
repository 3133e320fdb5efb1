"""In-memory event store: the fake for unit tests. Same contract as the others."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

from eventing.errors import DuplicateEvent, WrongExpectedVersion
from eventing.events import GENESIS_HASH, Envelope, Metadata, NewEvent, decode_json
from eventing.integrity import chain, content_digest
from eventing.store.base import AppendResult, EventStore, Waiter

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class MemoryEventStore(EventStore):
    """Keeps events in lists; thread-safe; positions are 1, 2, 3, ..."""

    def __init__(self, clock: Clock = _utc_now, max_event_bytes: int = 1024 * 1024):
        self._clock = clock
        self.max_event_bytes = max_event_bytes
        self._lock = threading.Lock()
        self._log: list[Envelope] = []
        self._streams: dict[str, list[Envelope]] = {}
        self._ids: set[str] = set()
        self._waiter = Waiter()

    def append(
        self,
        stream: str,
        events: Sequence[NewEvent],
        expected_version: int | None,
        metadata: Metadata,
    ) -> AppendResult:
        _, payloads, _ = self._validate_batch(stream, events)
        recorded_at = self._clock()
        with self._lock:
            existing = self._streams.get(stream, [])
            actual = len(existing)
            if expected_version is not None and expected_version != actual:
                raise WrongExpectedVersion(stream, expected_version, actual)
            seen = [e.event_id for e in events if e.event_id in self._ids]
            if seen:
                raise DuplicateEvent(seen)
            prev = existing[-1].hash if existing else GENESIS_HASH
            stored: list[Envelope] = []
            for offset, (event, payload) in enumerate(
                zip(events, payloads, strict=True)
            ):
                data = decode_json(payload)
                version = actual + offset + 1
                digest = content_digest(
                    event_id=event.event_id,
                    type=event.type,
                    schema_version=event.schema_version,
                    stream=stream,
                    version=version,
                    recorded_at=recorded_at,
                    service=metadata.service,
                    bureau_id=metadata.bureau_id,
                    actor=metadata.actor,
                    correlation_id=metadata.correlation_id,
                    causation_id=metadata.causation_id,
                    data=data,
                )
                link = chain(bytes.fromhex(prev), digest).hex()
                stored.append(
                    Envelope(
                        event_id=event.event_id,
                        type=event.type,
                        schema_version=event.schema_version,
                        stream=stream,
                        version=version,
                        position=len(self._log) + offset + 1,
                        recorded_at=recorded_at,
                        service=metadata.service,
                        bureau_id=metadata.bureau_id,
                        actor=metadata.actor,
                        correlation_id=metadata.correlation_id,
                        causation_id=metadata.causation_id,
                        data=data,
                        prev_hash=prev,
                        hash=link,
                    )
                )
                prev = link
            self._streams[stream] = existing + stored
            self._log.extend(stored)
            self._ids.update(e.event_id for e in stored)
        self._waiter.notify()
        return AppendResult(stream, actual + len(stored), stored)

    def read_stream(
        self,
        stream: str,
        from_version: int = 1,
        *,
        as_of: datetime | None = None,
        limit: int | None = None,
    ) -> list[Envelope]:
        with self._lock:
            found = [
                e
                for e in self._streams.get(stream, [])
                if e.version >= from_version
                and (as_of is None or e.recorded_at <= as_of)
            ]
        return found[:limit] if limit is not None else found

    def stream_version(self, stream: str) -> int:
        with self._lock:
            return len(self._streams.get(stream, []))

    def read_all(
        self,
        after: int = 0,
        limit: int = 1000,
        *,
        categories: Sequence[str] | None = None,
        bureau_id: str | None = None,
    ) -> list[Envelope]:
        with self._lock:
            tail = self._log[max(after, 0) :]
        wanted = set(categories) if categories else None
        found: list[Envelope] = []
        for envelope in tail:
            if wanted is not None and envelope.category not in wanted:
                continue
            if bureau_id is not None and envelope.bureau_id != bureau_id:
                continue
            found.append(envelope)
            if len(found) >= limit:
                break
        return found

    def head(self) -> int:
        with self._lock:
            return len(self._log)

    def wait_for_new(self, after: int, timeout: float) -> None:
        self._waiter.wait(lambda: len(self._log) > after, timeout)

    def iter_streams(self) -> Iterator[tuple[str, list[Envelope]]]:
        with self._lock:
            streams = {name: list(events) for name, events in self._streams.items()}
        yield from sorted(streams.items())

    def tamper(self, stream: str, version: int, envelope: Envelope | None) -> None:
        """Test helper: replace (None: delete) a stored event behind the chain."""
        with self._lock:
            events = self._streams[stream]
            if envelope is None:
                del events[version - 1]
            else:
                events[version - 1] = envelope
