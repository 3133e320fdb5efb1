"""Aggregate base, domain events as dataclasses, and the repository that stores them.

A domain event is a frozen dataclass registered with `@registry.event`; its fields
become the payload. An aggregate changes state only by applying events: `_raise(event)`
applies and queues it; the repository appends the queue with the version the aggregate
was loaded at, and on a concurrency conflict reloads and runs the command again, a
bounded number of times.

A repository's commands start from the decoded events of the streams its store last
wrote (`RecentStreams`, shared by every repository on one store object): a command
replays them without reading the stream, and its append at that version proves they
were the whole stream. Anything else (a lost race, a failed If-Match, an error from
the decision, a decision that appends nothing) runs the command again on the stream
as stored, so an answer never rests on a stale copy.
"""

from __future__ import annotations

import dataclasses
import enum
import threading
import types
import typing
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Generic, TypeVar

from eventing.errors import (
    PreconditionFailed,
    UndecodablePayload,
    WrongExpectedVersion,
)
from eventing.events import JSON, Envelope, EventRegistry, Metadata, NewEvent, Upcaster
from eventing.store.base import AppendResult, EventStore


class DomainEvent:
    """Base of domain events: subclasses are frozen dataclasses."""

    schema_version: ClassVar[int] = 1
    upcasters: ClassVar[Mapping[int, Upcaster]] = {}

    def to_data(self) -> dict[str, JSON]:
        return {
            f.name: _to_json(getattr(self, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
        }


E = TypeVar("E", bound=DomainEvent)


def _to_json(value: Any) -> JSON:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, tuple | list):
        return [_to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    return value


def _from_json(hint: Any, value: JSON) -> Any:
    """Rebuild a field from JSON by its type hint (dates, enums, tuples, optionals)."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _from_json(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        args = typing.get_args(hint)
        inner = args[0] if args else Any
        return tuple(_from_json(inner, item) for item in value)
    if origin is list:
        args = typing.get_args(hint)
        return [_from_json(args[0] if args else Any, item) for item in value]
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum):
            return hint(value)
        if issubclass(hint, datetime):
            return datetime.fromisoformat(value)
        if issubclass(hint, date):
            return date.fromisoformat(value)
        if issubclass(hint, uuid.UUID):
            return uuid.UUID(value)
    return value


class DomainEventRegistry(EventRegistry):
    """An EventRegistry that also maps type names to domain event classes."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[DomainEvent]] = {}
        self._hints: dict[str, dict[str, Any]] = {}

    def event(self, cls: type[E]) -> type[E]:
        """Class decorator: register a frozen dataclass as an event type."""
        self.register(cls.__name__, cls.schema_version, cls.upcasters)
        self._classes[cls.__name__] = cls
        return cls

    def to_new_event(self, event: DomainEvent, event_id: str | None = None) -> NewEvent:
        kwargs: dict[str, Any] = {}
        if event_id is not None:
            kwargs["event_id"] = event_id
        return NewEvent(
            type(event).__name__, event.to_data(), type(event).schema_version, **kwargs
        )

    def decode(self, envelope: Envelope) -> DomainEvent:
        """The domain event of an envelope, upcast to the current schema."""
        data = self.upcast(envelope.type, envelope.schema_version, envelope.data)
        cls = self._classes[envelope.type]
        hints = self._hints.get(envelope.type)
        if hints is None:
            hints = typing.get_type_hints(cls)
            self._hints[envelope.type] = hints
        try:
            return cls(
                **{
                    f.name: _from_json(hints[f.name], data[f.name])
                    for f in dataclasses.fields(cls)  # type: ignore[arg-type]
                    if f.name in data
                }
            )
        except (TypeError, ValueError) as error:
            raise UndecodablePayload(
                f"{envelope.type} v{envelope.schema_version} at {envelope.stream}"
                f"@{envelope.version} does not fit {cls.__name__}: {error}"
            ) from error


class Aggregate:
    """Base of event-sourced aggregates: state changes only through applied events."""

    category: ClassVar[str]

    def __init__(self, id: str) -> None:
        self.id = id
        self.version = 0
        self._pending: list[DomainEvent] = []

    @property
    def stream(self) -> str:
        return f"{self.category}-{self.id}"

    def apply(self, event: DomainEvent) -> None:
        """Change state for one event. Subclasses override; no rules, no I/O here."""
        raise NotImplementedError

    def _raise(self, event: DomainEvent) -> None:
        """Apply a new event and queue it for saving."""
        self.apply(event)
        self._pending.append(event)

    def replay(self, events: list[DomainEvent], version: int) -> None:
        for event in events:
            self.apply(event)
        self.version = version

    def pending(self) -> list[DomainEvent]:
        return list(self._pending)

    def mark_saved(self, version: int) -> None:
        self._pending.clear()
        self.version = version


A = TypeVar("A", bound=Aggregate)
R = TypeVar("R")


@dataclass(frozen=True)
class CommandContext:
    """Who issues a command, for whom and why: becomes each event's metadata."""

    bureau_id: str | None
    actor: str | None
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    causation_id: str | None = None
    # The version of one record the caller last read (HTTP If-Match): a save of that
    # stream from any other version fails with PreconditionFailed instead of retrying.
    expected_stream: str | None = None
    expected_version: int | None = None


class RecentStreams:
    """The decoded events of recently written streams, least recently used dropped
    first, at most `max_events` events in all (a decoded ledger ProgressNoted with a
    short note is about 350 bytes: some 7 MB by default). Domain events are frozen,
    so one list serves every command that replays it; each command builds its own
    aggregate."""

    def __init__(self, max_events: int = 20_000) -> None:
        self.max_events = max_events
        self._streams: OrderedDict[tuple[object, str], tuple[DomainEvent, ...]] = (
            OrderedDict()
        )
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[object, str]) -> tuple[DomainEvent, ...] | None:
        with self._lock:
            events = self._streams.get(key)
            if events is not None:
                self._streams.move_to_end(key)
            return events

    def put(self, key: tuple[object, str], events: Sequence[DomainEvent]) -> None:
        """Keep `events` as the whole stream (a longer list than the one kept wins:
        a stream only grows)."""
        if len(events) > self.max_events // 4:
            self.drop(key)  # one huge stream would push out everything else
            return
        with self._lock:
            known = self._streams.get(key)
            if known is not None:
                if len(known) > len(events):
                    return
                self._size -= len(known)
            self._streams[key] = tuple(events)
            self._streams.move_to_end(key)
            self._size += len(events)
            while self._size > self.max_events:
                _, dropped = self._streams.popitem(last=False)
                self._size -= len(dropped)

    def drop(self, key: tuple[object, str]) -> None:
        with self._lock:
            known = self._streams.pop(key, None)
            if known is not None:
                self._size -= len(known)


_RECENT: weakref.WeakKeyDictionary[EventStore, RecentStreams] = (
    weakref.WeakKeyDictionary()
)
_RECENT_LOCK = threading.Lock()


def recent_streams(store: EventStore) -> RecentStreams:
    """The RecentStreams of one store object (a Nameko container opens one store
    and builds its handlers per call: the cache lives as long as the store)."""
    with _RECENT_LOCK:
        recent = _RECENT.get(store)
        if recent is None:
            recent = _RECENT[store] = RecentStreams()
        return recent


class Repository(Generic[A]):
    """Loads aggregates from their streams and saves their new events."""

    def __init__(
        self,
        store: EventStore,
        registry: DomainEventRegistry,
        factory: Callable[[str], A],
        service: str,
        retries: int = 3,
    ) -> None:
        self.store = store
        self.registry = registry
        self.factory = factory
        self.service = service
        self.retries = retries
        self.recent = recent_streams(store)

    def load(self, id: str) -> A:
        """The aggregate as stored (always read: queries answer from this)."""
        return self._load(id)[0]

    def _load(self, id: str) -> tuple[A, list[DomainEvent]]:
        aggregate = self.factory(id)
        envelopes = self.store.read_stream(aggregate.stream)
        events = [self.registry.decode(envelope) for envelope in envelopes]
        aggregate.replay(events, len(events))
        return aggregate, events

    def save(self, aggregate: A, context: CommandContext) -> AppendResult | None:
        """Append the aggregate's pending events at the version it was loaded at."""
        pending = aggregate.pending()
        if not pending:
            return None
        if (
            context.expected_stream == aggregate.stream
            and context.expected_version is not None
            and context.expected_version != aggregate.version
        ):
            raise PreconditionFailed(
                aggregate.stream, context.expected_version, aggregate.version
            )
        ids = _derived_ids(context, aggregate.stream, len(pending))
        result = self.store.append(
            aggregate.stream,
            [
                self.registry.to_new_event(event, event_id)
                for event, event_id in zip(pending, ids, strict=True)
            ],
            aggregate.version,
            Metadata(
                service=self.service,
                bureau_id=context.bureau_id,
                actor=context.actor,
                correlation_id=context.correlation_id,
                causation_id=context.causation_id,
            ),
        )
        aggregate.mark_saved(result.version)
        return result

    def execute(
        self, id: str, decide: Callable[[A], R], context: CommandContext
    ) -> tuple[R, AppendResult | None]:
        """Load, decide, save; on a concurrent write reload and decide again.

        First from the stream's events this store last wrote or read, if it has
        them: the append at their version is the proof they were current."""
        aggregate = self.factory(id)
        key = (self.factory, aggregate.stream)
        known = self.recent.get(key)
        if known is not None:
            done = self._from_recent(aggregate, known, decide, context)
            if done is not None:
                return done
            self.recent.drop(key)
        for attempt in range(self.retries + 1):
            aggregate, events = self._load(id)
            outcome = decide(aggregate)
            pending = aggregate.pending()
            try:
                result = self.save(aggregate, context)
            except WrongExpectedVersion:
                if attempt == self.retries:
                    raise
                continue
            self.recent.put(key, events + pending)
            return outcome, result
        raise AssertionError("unreachable")  # pragma: no cover

    def _from_recent(
        self,
        aggregate: A,
        events: tuple[DomainEvent, ...],
        decide: Callable[[A], R],
        context: CommandContext,
    ) -> tuple[R, AppendResult] | None:
        """The command on the remembered events; None when its answer cannot be
        trusted (nothing appended at their version) and the stored stream decides."""
        aggregate.replay(list(events), len(events))
        try:
            outcome = decide(aggregate)
        except Exception:
            return None  # perhaps stale; the stored stream gives the real answer
        pending = aggregate.pending()
        try:
            result = self.save(aggregate, context)
        except (WrongExpectedVersion, PreconditionFailed):
            return None  # someone else wrote, or If-Match against a stale version
        if result is None:
            return None  # an answer without an append proves nothing current
        self.recent.put((self.factory, aggregate.stream), (*events, *pending))
        return outcome, result


def _derived_ids(context: CommandContext, stream: str, count: int) -> list[str | None]:
    """Event ids derived from the causing event, so a redelivered cause cannot write
    its effect twice (the store rejects a repeated event id); random ids otherwise."""
    if context.causation_id is None:
        return [None] * count
    return [
        str(uuid.uuid5(uuid.NAMESPACE_URL, f"{context.causation_id}/{stream}/{n}"))
        for n in range(count)
    ]
