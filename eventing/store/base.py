"""The EventStore port: what every adapter (memory, postgres, esdb) must do.

Versions count a stream's events from 1; `expected_version` is the version the writer
saw (NO_STREAM = 0 for a stream that must not exist yet, None for "any").
Global positions are integers that only grow in the order every reader sees; they are
not dense. `read_all(after=p)` returns events strictly after position p.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from eventing.errors import EventTooLarge, InvalidEvent
from eventing.events import (
    Envelope,
    Metadata,
    NewEvent,
    check_stream_name,
    decode_json,
    encode_json,
)
from eventing.integrity import BrokenLink, verify_stream

MAX_BATCH = 10_000


class AppendResult:
    """What an append wrote: the stream's new version and the stored envelopes.

    A store may pass `load` instead of the envelopes: they are made on the first
    use of `envelopes`. EventStoreDB answers an append with its last event's
    position only, so its `load` reads the others back; PostgreSQL's only decodes
    the payloads again. `positions` comes from `load_positions` when the store
    passes one (no payload decoded, no envelope made), else from the envelopes.
    The version, the types and the last position never need `load`, and they are
    all the system's callers use (repositories, metrics, the gateway).
    """

    __slots__ = (
        "_envelopes",
        "_last",
        "_load",
        "_load_positions",
        "_types",
        "stream",
        "version",
    )

    def __init__(
        self,
        stream: str,
        version: int,
        envelopes: list[Envelope] | None = None,
        *,
        load: Callable[[], list[Envelope]] | None = None,
        types: Sequence[str] = (),
        last_position: int | None = None,
        load_positions: Callable[[], list[int]] | None = None,
    ) -> None:
        if (envelopes is None) == (load is None):
            raise ValueError("an AppendResult takes either envelopes or load")
        if load is not None and (not types or last_position is None):
            raise ValueError("a loaded AppendResult needs its types and last position")
        self.stream = stream
        self.version = version
        self._envelopes = envelopes
        self._load = load
        self._types = list(types)
        self._last = last_position
        self._load_positions = load_positions

    @property
    def envelopes(self) -> list[Envelope]:
        if self._envelopes is None:
            assert self._load is not None
            self._envelopes = self._load()
            self._load = None
        return self._envelopes

    @property
    def positions(self) -> list[int]:
        if self._envelopes is None and self._load_positions is not None:
            return list(self._load_positions())
        return [envelope.position for envelope in self.envelopes]

    @property
    def types(self) -> list[str]:
        if self._envelopes is None:
            return list(self._types)
        return [envelope.type for envelope in self._envelopes]

    @property
    def last_position(self) -> int:
        if self._envelopes is None and self._last is not None:
            return self._last
        return self.envelopes[-1].position

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AppendResult):
            return NotImplemented
        return (self.stream, self.version, self.envelopes) == (
            other.stream,
            other.version,
            other.envelopes,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = "not read yet" if self._envelopes is None else len(self._envelopes)
        return (
            f"AppendResult(stream={self.stream!r}, version={self.version}, "
            f"envelopes={shown})"
        )


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of checking every stream's hash chain."""

    streams: int
    events: int
    broken: list[BrokenLink]

    @property
    def ok(self) -> bool:
        return not self.broken


StopFlag = Callable[[], bool]


class EventStore(abc.ABC):
    """Append-only event log with per-stream optimistic concurrency."""

    max_event_bytes: int = 1024 * 1024

    @abc.abstractmethod
    def append(
        self,
        stream: str,
        events: Sequence[NewEvent],
        expected_version: int | None,
        metadata: Metadata,
    ) -> AppendResult:
        """Append atomically, or raise (WrongExpectedVersion, ...) writing nothing."""

    @abc.abstractmethod
    def read_stream(
        self,
        stream: str,
        from_version: int = 1,
        *,
        as_of: datetime | None = None,
        limit: int | None = None,
    ) -> list[Envelope]:
        """A stream's events in version order; `as_of` keeps those recorded by then."""

    @abc.abstractmethod
    def stream_version(self, stream: str) -> int:
        """The stream's current version (0 when it has no events)."""

    @abc.abstractmethod
    def read_all(
        self,
        after: int = 0,
        limit: int = 1000,
        *,
        categories: Sequence[str] | None = None,
        bureau_id: str | None = None,
    ) -> list[Envelope]:
        """Events in global order after `after`; never skips a later commit."""

    @abc.abstractmethod
    def head(self) -> int:
        """The position of the last event a follower can read now (0 when empty)."""

    def latest(self) -> int:
        """The position of the last committed event, readable by followers yet or
        not: once an append has returned, its events are at or below it (what a
        writer hands back as X-Position to read its own write). Adapters without
        follower gaps answer their head."""
        return self.head()

    @abc.abstractmethod
    def wait_for_new(self, after: int, timeout: float) -> None:
        """Block until an event after `after` may be readable, or `timeout` passes."""

    @abc.abstractmethod
    def iter_streams(self) -> Iterator[tuple[str, list[Envelope]]]:
        """Every stream with its events in version order (for verification)."""

    def close(self) -> None:  # noqa: B027 - adapters without resources need nothing
        """Release connections."""

    def subscribe_batches(
        self,
        after: int = 0,
        *,
        batch_size: int = 500,
        categories: Sequence[str] | None = None,
        bureau_id: str | None = None,
        stop: StopFlag | None = None,
        idle_wait: float = 0.5,
    ) -> Iterator[list[Envelope]]:
        """Catch up from `after`, then follow live; ends when `stop()` is true."""
        position = after
        should_stop = stop or (lambda: False)
        while not should_stop():
            batch = self.read_all(
                position, batch_size, categories=categories, bureau_id=bureau_id
            )
            if batch:
                position = batch[-1].position
                yield batch
            else:
                self.wait_for_new(position, idle_wait)

    def subscribe(
        self,
        after: int = 0,
        *,
        categories: Sequence[str] | None = None,
        bureau_id: str | None = None,
        stop: StopFlag | None = None,
    ) -> Iterator[Envelope]:
        """subscribe_batches, one event at a time."""
        for batch in self.subscribe_batches(
            after, categories=categories, bureau_id=bureau_id, stop=stop
        ):
            yield from batch

    def verify(self) -> VerifyReport:
        """Check every stream's hash chain; name the first broken link of each."""
        streams = events = 0
        broken: list[BrokenLink] = []
        for stream, envelopes in self.iter_streams():
            streams += 1
            events += len(envelopes)
            link = verify_stream(stream, envelopes)
            if link is not None:
                broken.append(link)
        return VerifyReport(streams, events, broken)

    # -- helpers for adapters -------------------------------------------------------

    def _validate_batch(
        self, stream: str, events: Sequence[NewEvent]
    ) -> tuple[str, list[bytes], list[str]]:
        """Check names and sizes before writing; return the category, the payloads
        (canonical JSON) and the event ids."""
        category = check_stream_name(stream)
        if not events:
            raise InvalidEvent("an append needs at least one event")
        if len(events) > MAX_BATCH:
            raise InvalidEvent(f"an append takes at most {MAX_BATCH} events")
        payloads: list[bytes] = []
        ids: list[str] = []
        for event in events:
            if not isinstance(event, NewEvent):
                raise InvalidEvent(f"expected NewEvent, got {type(event).__name__}")
            data = event.data
            payload = encode_json(data if type(data) is dict else dict(data))
            if len(payload) > self.max_event_bytes:
                raise EventTooLarge(event.type, len(payload), self.max_event_bytes)
            payloads.append(payload)
            ids.append(event.event_id)
        if len(ids) > 1 and len(set(ids)) != len(ids):
            raise InvalidEvent("an append may not carry the same event id twice")
        return category, payloads, ids


def stored_envelopes(
    stream: str,
    expected: int,
    events: Sequence[NewEvent],
    payloads: Sequence[bytes | str],
    metadata: Metadata,
    recorded_at: datetime,
    links: Sequence[tuple[int, str, str]],
) -> list[Envelope]:
    """The envelopes of an append that wrote `events` after version `expected`;
    `links` gives each event's (position, prev_hash, hash) as the adapter stored it."""
    shared = metadata.fields()
    return [
        Envelope(
            event.event_id,
            event.type,
            event.schema_version,
            stream,
            expected + offset + 1,
            position,
            recorded_at,
            *shared,
            decode_json(payload),
            prev_hash,
            link,
        )
        for offset, (event, payload, (position, prev_hash, link)) in enumerate(
            zip(events, payloads, links, strict=True)
        )
    ]


class Waiter:
    """A condition that in-process adapters use to wake followers."""

    def __init__(self) -> None:
        self._condition = threading.Condition()

    def notify(self) -> None:
        with self._condition:
            self._condition.notify_all()

    def wait(self, ready: Callable[[], bool], timeout: float) -> None:
        with self._condition:
            self._condition.wait_for(ready, timeout)
