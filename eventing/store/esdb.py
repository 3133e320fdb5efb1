# ruff: noqa: E402 - esdbclient is imported after _import_grpc_with_real_threads()
"""EventStoreDB event store, through esdbclient (EVENTSTORE_URI=esdb://... or
esdb+discover://...).

Mapping onto the port
---------------------
- A stream `complaint-42` is the EventStoreDB stream `<namespace>complaint-42`
  (namespace is empty by default; it lets several stores share one cluster).
- Version n is stream revision n - 1; NO_STREAM (0) is StreamState.NO_STREAM and
  "any" (None) reads the stream's end first, since the adapter needs the previous
  event's hash to chain the new ones.
- A global position is the event's commit position: with gRPC appends each event has
  its own, equal to its prepare position, growing in $all order. An append's answer
  carries only its last event's position (an offset in the server's log, not
  computable here): a multi-event append's result holds its version, types and last
  position, and reads its other events back (one stream read of n - 1 events) only
  when its envelopes or positions are first asked for.
- Event id and type are EventStoreDB's own; every other field of the envelope
  (schema version, service, bureau, actor, correlation, causation, recorded-at and the
  hash chain) travels in the event's metadata JSON, so it round-trips exactly. The
  recorded-at time is the adapter's clock, injectable so that `as_of` reads are
  testable (by default the system's, read straight as text: _UtcNowText).
- Category filters are server-side filters on the stream name (`^<category>-`);
  the bureau filter is applied here.

The server refuses an append over its MaxAppendSize (1 MiB by default, counting each
event's data, metadata and twice its type): that is AppendTooLarge, an EventTooLarge,
and nothing is written.

Known limit: EventStoreDB has no index by event id, so a duplicate id is refused when
the server sees the same ids at the same stream revision (its idempotent-write rule)
or when this process has written or read that id among its last 50,000 to 100,000
(about 12 MB of ids at most); two processes writing one id to two different streams
are not caught.

grpc and eventlet: in a process that eventlet has monkey-patched (Nameko), every gRPC
call runs in a real OS thread and the green thread waits on a pipe, so the hub keeps
serving other green threads. Long-lived subscriptions belong in plain processes.
"""

from __future__ import annotations

import binascii
import dataclasses
import functools
import importlib
import json
import logging
import os
import queue
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from eventing.errors import (
    AppendTooLarge,
    DuplicateEvent,
    EventingError,
    StoreUnavailable,
    UndecodablePayload,
    WrongExpectedVersion,
)
from eventing.events import (
    GENESIS_HASH,
    Envelope,
    Metadata,
    NewEvent,
    all_canonical_ids,
    load_json,
    prebuilt_encoder,
    utc_iso,
)
from eventing.integrity import (
    chain_links,
    encoded_digests,
    plain_shared_json,
    shared_json,
    shared_values,
)
from eventing.store.base import AppendResult, EventStore, StopFlag, stored_envelopes
from eventing.store.heads import StreamHeads

log = logging.getLogger(__name__)


def _green() -> bool:
    """True in a process eventlet has monkey-patched (threads are green)."""
    patcher = sys.modules.get("eventlet.patcher")
    return patcher is not None and bool(patcher.is_monkey_patched("thread"))


def _import_grpc_with_real_threads() -> None:
    """In a green process, import grpc and esdbclient against the original threading,
    queue and time modules: their locks and conditions are then real, so gRPC calls
    work from the real OS threads this adapter runs them in (with green locks they
    hang: a green condition cannot be notified from another OS thread). Import this
    module before anything else imports grpc in a green process."""
    if not _green():
        return
    import eventlet.patcher

    # grpc imports _channel, _simple_stubs and experimental on the first call
    wanted = [
        "grpc",
        "grpc._channel",
        "grpc._simple_stubs",
        "grpc.experimental",
        "esdbclient",
    ]
    if "grpc" in sys.modules:
        log.warning(
            "grpc was imported before eventing.store.esdb in an eventlet process: "
            "gRPC calls may hang on green locks; import eventing.store.esdb first"
        )
    names = ("threading", "queue", "time")
    saved = {name: sys.modules.get(name) for name in names}
    try:
        for name in names:
            sys.modules[name] = eventlet.patcher.original(name)
        for module in wanted:
            if module not in sys.modules:
                importlib.import_module(module)
    finally:
        for name, original in saved.items():
            if original is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = original


_import_grpc_with_real_threads()

from esdbclient import EventStoreDBClient, StreamState
from esdbclient import NewEvent as EsdbNewEvent
from esdbclient.events import RecordedEvent
from esdbclient.exceptions import (
    DeadlineExceeded,
    DiscoveryFailed,
    EventStoreDBClientException,
    GrpcError,
    MaximumAppendSizeExceededError,
    NotFound,
    WrongCurrentVersion,
)

Clock = Callable[[], datetime]
T = TypeVar("T")

TRANSIENT = (GrpcError, DeadlineExceeded, DiscoveryFailed)
_ACTUAL = re.compile(r"last event is (\d+) not")
_MAX_SIZE = re.compile(r"Max size is (\d+)")
_STREAM_ID = r"[a-z][a-z0-9_]{0,62}-.*"
_CONNECTION_CHECK = "eventing_connection_check-0"  # read at start, never written
_COMPACT = prebuilt_encoder(json.JSONEncoder(separators=(",", ":")))


class _CanonicalUuid(uuid.UUID):
    """A uuid.UUID that keeps the canonical text it was made from, and gives it back
    from str(): esdbclient formats every event's id, which already is that text.
    Its number is worked out from the text only when asked for (a comparison, a
    hash): esdbclient never asks."""

    __slots__ = ("_text",)
    _text: str

    # in place of uuid.UUID's slot, which stays empty (typeshed calls it final)
    @property  # type: ignore[misc]
    def int(self) -> int:
        return int(self._text.replace("-", ""), 16)

    def __str__(self) -> str:
        return self._text

    def __reduce__(self) -> tuple[type[uuid.UUID], tuple[str]]:
        return uuid.UUID, (self._text,)  # a copy or unpickling: a plain UUID


# uuid.UUID's __setattr__ refuses every field: they are set through their slots
_new_object, _set_attribute = object.__new__, object.__setattr__
_set_safe = vars(uuid.UUID)["is_safe"].__set__
_set_text = vars(_CanonicalUuid)["_text"].__set__
_UNKNOWN_SAFETY = uuid.SafeUUID.unknown  # as uuid.UUID(text) says


def _esdb_ids(ids: Sequence[str], canonical: bool) -> list[uuid.UUID]:
    """[uuid.UUID(i) for i in ids], without parsing then formatting the usual
    (canonical) form again: equal to those and hashing alike. `canonical` says
    whether the batch's ids all are (all_canonical_ids); else each is parsed."""
    if not canonical:
        return [uuid.UUID(i) for i in ids]
    made: list[uuid.UUID] = []
    for text in ids:
        one = _new_object(_CanonicalUuid)
        _set_safe(one, _UNKNOWN_SAFETY)
        _set_text(one, text)
        made.append(one)
    return made


def _constructed(
    kind: str, data: bytes, metadata: bytes, event_id: uuid.UUID
) -> EsdbNewEvent:
    return EsdbNewEvent(
        type=kind,
        data=data,
        metadata=metadata,
        content_type="application/json",
        id=event_id,
    )


def _filled_in(
    kind: str, data: bytes, metadata: bytes, event_id: uuid.UUID
) -> EsdbNewEvent:
    """An esdbclient NewEvent with its fields filled in as unpickling fills them (a
    new instance's __dict__): its frozen dataclass __init__ sets each field through
    object.__setattr__, 0.86 us per event against 0.35 us here (timeit)."""
    made: EsdbNewEvent = _new_object(EsdbNewEvent)
    _set_attribute(
        made,
        "__dict__",
        {
            "type": kind,
            "data": data,
            "metadata": metadata,
            "content_type": "application/json",
            "id": event_id,
        },
    )
    return made


def _new_event_maker() -> Callable[[str, bytes, bytes, uuid.UUID], EsdbNewEvent]:
    """_filled_in where it makes exactly what the constructor makes (esdbclient's
    NewEvent as pinned: a dataclass of these five fields, no __post_init__, no
    slots), else the constructor itself."""
    names = {f.name for f in dataclasses.fields(EsdbNewEvent)}
    probe = ("Probe", b"{}", b"{}", uuid.UUID(int=1))
    if (
        names != {"type", "data", "metadata", "content_type", "id"}
        or hasattr(EsdbNewEvent, "__post_init__")
        or "__slots__" in vars(EsdbNewEvent)
        or vars(_filled_in(*probe)) != vars(_constructed(*probe))
    ):
        return _constructed
    return _filled_in


_new_esdb_event = _new_event_maker()


def _without_password(text: str, uri: str) -> str:
    """`text` with the password of `uri` (esdb://user:password@host...) shown as
    ***: the message of an error that names the URI goes to logs and /ready."""
    password = urlsplit(uri).password  # the user info only: seeds do not matter
    return text.replace(password, "***") if password else text


class _UtcNowText:
    """The system's UTC time now, as utc_iso(datetime.now(UTC)) writes it, without
    the datetime: the date and time to the second are formatted once a second.
    The default clock of an append, which needs the time as text (its metadata, its
    digest) and as a datetime only when its envelopes are asked for. In the append
    row's loop, datetime.now(UTC) and utc_iso cost about 15 us of the calling
    thread's CPU against a few here (benchmarks/README.md)."""

    def __init__(self, time_ns: Callable[[], int] = time.time_ns) -> None:
        self._time_ns = time_ns
        # (second, its text): one attribute, so a thread never reads one second's
        # text with another's number
        self._second: tuple[int, str] = (-1, "")

    def __call__(self) -> str:
        # floored to the microsecond, as datetime.now() is
        second, micros = divmod(self._time_ns() // 1000, 1_000_000)
        cached = self._second
        if cached[0] != second:
            # utc_iso's form: "YYYY-MM-DDTHH:MM:SS" then ".ffffff+00:00"
            whole = datetime.fromtimestamp(second, UTC).isoformat(timespec="seconds")
            cached = self._second = (second, whole[:19])
        return f"{cached[1]}.{micros:06d}+00:00"


class _SeenIds:
    """Event ids this process has written or read, bounded (see the known limit):
    at least the newest `size` / 2 and at most the newest `size`. They are kept in
    two sets, the newer and the one before it, and the older is dropped whole when
    the newer fills: 0.1 us an id against 0.3 us for keeping the exact newest
    `size` in order (an OrderedDict, timeit, ids cache-cold as under load)."""

    def __init__(self, size: int = 100_000) -> None:
        self._half = max(1, size // 2)
        self._newer: set[str] = set()
        self._older: set[str] = set()
        self._lock = threading.Lock()

    def known(self, ids: Iterable[str]) -> list[str]:
        found: list[str] = []
        with self._lock:  # a loop in this frame: a comprehension is a call
            newer, older = self._newer, self._older
            for i in ids:
                if i in newer or i in older:
                    found.append(i)
        return found

    def add(self, ids: Iterable[str]) -> None:
        with self._lock:
            self._newer.update(ids)
            if len(self._newer) >= self._half:
                self._older, self._newer = self._newer, set()


class _RealThreads:
    """Runs blocking gRPC calls in real OS threads for green (eventlet) callers."""

    def __init__(self, size: int = 8) -> None:
        import eventlet.patcher

        real_threading = eventlet.patcher.original("threading")
        real_queue = eventlet.patcher.original("queue")
        self._jobs: Any = real_queue.Queue()
        for n in range(size):
            real_threading.Thread(
                target=self._work, name=f"esdb-grpc-{n}", daemon=True
            ).start()

    def _work(self) -> None:
        while True:
            call, box, wake = self._jobs.get()
            try:
                box.append((True, call()))
            except BaseException as error:  # handed back to the caller
                box.append((False, error))
            try:
                os.write(wake, b"x")
            except OSError:
                pass  # the caller is gone (its green thread was killed)
            finally:
                os.close(wake)  # only this thread closes the write end

    def run(self, call: Callable[[], T]) -> T:
        from eventlet.hubs import trampoline

        readable, wake = os.pipe()
        box: list[tuple[bool, Any]] = []
        try:
            self._jobs.put((call, box, wake))
            while True:  # wait for the worker's byte: then it is done with `box`
                trampoline(readable, read=True)
                if os.read(readable, 1):
                    break
        finally:
            os.close(readable)
        ok, value = box[0]
        if ok:
            return value  # type: ignore[no-any-return]
        raise value


_END = object()


class EsdbEventStore(EventStore):
    """EventStore on EventStoreDB through esdbclient; thread- and green-thread-safe."""

    def __init__(
        self,
        uri: str,
        *,
        clock: Clock | None = None,
        max_event_bytes: int = 1024 * 1024,
        namespace: str = "",
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        retries: int = 3,
    ) -> None:
        if namespace and not re.fullmatch(r"[a-z0-9_]+", namespace):
            raise ValueError(f"namespace {namespace!r}: lower-case letters, digits, _")
        self._clock = clock  # None: the system's, read as text (_UtcNowText)
        self._now_text = _UtcNowText()
        self.max_event_bytes = max_event_bytes
        self._namespace = namespace
        self._timeout = timeout
        self._retries = retries
        self._heads = StreamHeads()
        self._seen = _SeenIds()
        self._offload: _RealThreads | None = None
        self._offload_lock = threading.Lock()
        self._everything = [re.escape(namespace) + _STREAM_ID]
        try:
            self._client = self._call(lambda: EventStoreDBClient(uri))
            # esdb:// connects lazily: make one bounded call so a missing server
            # fails here, with a clear reason, rather than on the first append. It
            # reads a stream nobody writes, one index lookup on the server: the
            # namespace's head (a filtered read of $all backwards) would scan the
            # whole log on a shared cluster where this namespace is new or quiet,
            # and could outlast connect_timeout on every start.
            self._call(
                lambda: self._client.get_current_version(
                    self._name(_CONNECTION_CHECK), timeout=connect_timeout
                )
            )
        except (EventStoreDBClientException, ValueError) as error:
            raise StoreUnavailable(
                _without_password(f"cannot reach EventStoreDB at {uri}: {error!r}", uri)
            ) from error

    # -- plumbing --------------------------------------------------------------------

    def _call(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """call(*args, **kwargs), a gRPC call; off the eventlet hub when this
        process is green."""
        if not _green():
            return call(*args, **kwargs)
        if self._offload is None:
            with self._offload_lock:
                if self._offload is None:
                    self._offload = _RealThreads()
        return self._offload.run(functools.partial(call, *args, **kwargs))

    def _attempts(
        self, what: str, call: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> tuple[T, int]:
        """call(*args, **kwargs) with bounded retries on transient failures, then
        StoreUnavailable; its value and the number of attempts it took. The
        arguments are passed on rather than closed over in a lambda: an append
        makes one such call, and the closure and the frames it adds cost it
        measurably (see benchmarks/README.md)."""
        attempt = 1
        while True:
            try:
                return self._call(call, *args, **kwargs), attempt
            except TRANSIENT as error:
                if attempt > self._retries:
                    raise StoreUnavailable(
                        f"EventStoreDB {what} failed: {error!r}"
                    ) from error
                log.warning("EventStoreDB %s failed, retrying: %r", what, error)
                time.sleep(min(2.0, 0.1 * 2 ** (attempt - 1)))
                attempt += 1

    def _retrying(
        self, what: str, call: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> T:
        """A call with bounded retries on transient failures, then StoreUnavailable."""
        return self._attempts(what, call, *args, **kwargs)[0]

    def _name(self, stream: str) -> str:
        return self._namespace + stream

    def stream_filter(self, categories: Sequence[str] | None = None) -> list[str]:
        """The server-side stream-name filter that read_all and subscriptions read
        through: `categories`' streams, or (None) every stream of this store's
        namespace. One regex, its categories an alternation in one group:
        esdbclient joins a list as "^" + "|".join(list) + "$", which anchors only
        the first at the start and the last at the end, and the server searches
        (.NET IsMatch) rather than matches, so ["unit-.*", "person-.*"] would also
        take publicity_unit's and contact_person's streams."""
        if not categories:
            return self._everything
        names = "|".join(re.escape(c) for c in categories)
        return [f"{re.escape(self._namespace)}(?:{names})-.*"]

    def _envelope(self, event: RecordedEvent) -> Envelope:
        # positional arguments, in Envelope's field order: this runs for every event
        # read, and keywords cost a measurable share of it
        try:
            meta = load_json(event.metadata)
            get = meta.get
            stream = event.stream_name
            envelope = Envelope(
                str(event.id),
                event.type,
                int(meta["schema_version"]),
                stream[len(self._namespace) :] if self._namespace else stream,
                event.stream_position + 1,
                int(event.commit_position or 0),
                datetime.fromisoformat(meta["recorded_at"]),
                meta["service"],
                get("bureau_id"),
                get("actor"),
                get("correlation_id"),
                get("causation_id"),
                load_json(event.data),
                meta["prev_hash"],
                meta["hash"],
            )
        except (KeyError, TypeError, ValueError) as error:
            raise UndecodablePayload(
                f"event {event.id} in {event.stream_name} is not an envelope: {error}"
            ) from error
        return envelope

    # -- writing ---------------------------------------------------------------------

    def append(
        self,
        stream: str,
        events: Sequence[NewEvent],
        expected_version: int | None,
        metadata: Metadata,
    ) -> AppendResult:
        _, payloads, ids = self._validate_batch(stream, events)
        seen = self._seen.known(ids)
        if seen:
            raise DuplicateEvent(seen)
        attempt = 0
        while True:
            expected = expected_version
            prev = None if expected is None else self._heads.prev_hash(stream, expected)
            try:
                if prev is None:
                    actual, prev = self._end_of(stream)
                    if expected is not None and expected != actual:
                        raise WrongExpectedVersion(stream, expected, actual)
                    expected = actual
                assert expected is not None  # prev came with a version
                return self._append_once(
                    stream, events, ids, payloads, expected, prev, metadata
                )
            except WrongExpectedVersion:
                attempt += 1
                if expected_version is None and attempt <= self._retries:
                    continue  # "any version": someone else appended; take the new end
                raise

    def _end_of(self, stream: str) -> tuple[int, str]:
        """The stream's version and last hash (0 and GENESIS_HASH when empty)."""
        name = self._name(stream)
        try:
            found = self._retrying(
                "read",
                lambda: self._client.get_stream(
                    name, backwards=True, limit=1, timeout=self._timeout
                ),
            )
        except NotFound:
            return 0, GENESIS_HASH
        if not found:
            return 0, GENESIS_HASH
        last = self._envelope(found[0])
        self._heads.remember(stream, last.version, last.hash)
        return last.version, last.hash

    def _append_once(
        self,
        stream: str,
        events: Sequence[NewEvent],
        ids: list[str],
        payloads: list[bytes],
        expected: int,
        prev: str,
        metadata: Metadata,
    ) -> AppendResult:
        clock = self._clock
        recorded_at = None if clock is None else clock()
        recorded_text = (
            self._now_text() if recorded_at is None else utc_iso(recorded_at)
        )
        # the fields the events share, in canonical JSON, for the digests and (when
        # plain, as usual) for every event's metadata JSON too
        plain = plain_shared_json(recorded_text, metadata)
        fields = plain if plain is not None else shared_json(recorded_text, metadata)
        canonical = all_canonical_ids(ids)
        # a name check_stream_name accepted is ASCII letters, digits and "_.:-":
        # its JSON is itself in quotes
        digests = encoded_digests(
            b'"%s"' % stream.encode(),
            expected,
            events,
            payloads,
            b",".join(fields),
            canonical,
        )
        # every event's metadata JSON: {"schema_version": v, <the shared fields>,
        # "prev_hash": p, "hash": h}, the bytes json.dumps gives (ASCII-escaped:
        # the plain fields are, the others are encoded so)
        meta = plain
        if meta is None:
            values = shared_values(recorded_text, metadata)
            meta = [_COMPACT(value).encode() for value in values]
        middle = (
            b',"service":%s,"bureau_id":%s,"actor":%s,"correlation_id":%s,'
            b'"causation_id":%s,"recorded_at":%s,"prev_hash":"'
            % (meta[1], meta[2], meta[3], meta[4], meta[5], meta[0])
        )
        # One loop, in this frame, makes the outgoing events and the types: in the
        # append row's loop, where this code runs cold between two gRPC calls, each
        # call and comprehension (a function in Python 3.11) costs several times
        # its timeit figure (benchmarks/README.md).
        hexlify = binascii.hexlify  # bytes.hex() then .encode(), in one step
        new_esdb_event = _new_esdb_event
        links = chain_links(prev, digests)
        outgoing: list[EsdbNewEvent] = []
        types: list[str] = []
        for event, payload, (p, h), esdb_id in zip(
            events, payloads, links, _esdb_ids(ids, canonical), strict=True
        ):
            kind = event.type
            outgoing.append(
                new_esdb_event(
                    kind,
                    payload,
                    b'{"schema_version":%d%s%s","hash":"%s"}'
                    % (event.schema_version, middle, hexlify(p), hexlify(h)),
                    esdb_id,
                )
            )
            types.append(kind)
        state: int | StreamState = (
            StreamState.NO_STREAM if expected == 0 else expected - 1
        )
        name = self._name(stream)
        try:
            # The same events (same ids, same revision) on every retry: the server
            # treats a repeat of a write that did commit as a no-op success.
            commit_position, attempts = self._attempts(
                "append",
                self._client.append_to_stream,
                name,
                current_version=state,
                events=outgoing,
                timeout=self._timeout,
            )
        except WrongCurrentVersion as error:
            raise WrongExpectedVersion(
                stream, expected, self._actual_version(stream, error)
            ) from None
        except MaximumAppendSizeExceededError as error:
            # the server's MaxAppendSize, counted as it counts (Event.SizeOnDisk)
            size = sum(
                len(e.data) + len(e.metadata) + 2 * len(e.type) for e in outgoing
            )
            found = _MAX_SIZE.search(str(error))
            limit = int(found.group(1)) if found else 0
            raise AppendTooLarge(len(events), size, limit) from None
        self._heads.remember(stream, expected + len(events), links[-1][1].hex())
        self._seen.add(ids)
        # after a retry the answer may be that of a repeat of a write that had
        # already committed: then the last position too comes from the log
        last = commit_position if attempts == 1 else None

        read_back: list[int] = []

        def positions() -> list[int]:
            # read back once, whether positions or envelopes are asked for first
            if not read_back:
                read_back.extend(self._positions(name, expected, outgoing, last))
            return read_back

        def envelopes() -> list[Envelope]:
            return stored_envelopes(
                stream,
                expected,
                events,
                payloads,
                metadata,
                recorded_at or datetime.fromisoformat(recorded_text),
                [
                    (position, p.hex(), h.hex())
                    for position, (p, h) in zip(positions(), links, strict=True)
                ],
            )

        version = expected + len(events)
        if last is None:
            return AppendResult(stream, version, envelopes())
        # the envelopes only when asked: for a batch, the other events' positions
        # cost a read of the stream
        return AppendResult(
            stream,
            version,
            load=envelopes,
            types=types,
            last_position=last,
            load_positions=positions,
        )

    def _positions(
        self,
        name: str,
        expected: int,
        outgoing: Sequence[EsdbNewEvent],
        last: int | None,
    ) -> list[int]:
        """The commit positions of the events `outgoing` just written after revision
        `expected` - 1. EventStoreDB gives each event of an append its own commit
        position (a log offset, which depends on the size of every record written
        before it, so it cannot be computed here), but the append's answer carries
        only the last one (`last`); the others are read back from the stream."""
        count = len(outgoing)
        wanted = count if last is None else count - 1
        if wanted == 0:
            assert last is not None
            return [last]
        written = self._retrying(
            "read",
            lambda: self._client.get_stream(
                name, stream_position=expected, limit=wanted, timeout=self._timeout
            ),
        )
        positions = [int(e.commit_position or 0) for e in written]
        if last is not None:
            positions.append(last)
        if [e.id for e in written] != [e.id for e in outgoing[:wanted]]:
            raise EventingError(
                f"reading back the events just appended to {name} after revision "
                f"{expected - 1} gave other events"
            )
        if len(positions) != count or positions != sorted(set(positions)):
            raise EventingError(
                f"{count} events were written to {name} after revision "
                f"{expected - 1}, but EventStoreDB gave them the positions "
                f"{positions} (EventStoreDB before 22.10 gives none on stream reads)"
            )
        return positions

    def _actual_version(self, stream: str, error: WrongCurrentVersion) -> int:
        """The version the server reported (its revision + 1; 0: no stream)."""
        text = str(error)
        if "does not exist" in text:
            return 0
        found = _ACTUAL.search(text)
        if found:
            return int(found.group(1)) + 1
        return self.stream_version(stream)

    # -- reading ---------------------------------------------------------------------

    def read_stream(
        self,
        stream: str,
        from_version: int = 1,
        *,
        as_of: datetime | None = None,
        limit: int | None = None,
    ) -> list[Envelope]:
        name = self._name(stream)
        count = sys.maxsize if limit is None or as_of is not None else limit
        try:
            events = self._retrying(
                "read",
                lambda: self._client.get_stream(
                    name,
                    stream_position=max(from_version - 1, 0),
                    limit=count,
                    timeout=self._timeout,
                ),
            )
        except NotFound:
            return []
        found = [self._envelope(event) for event in events]
        if found and as_of is None and limit is None:
            self._heads.remember(stream, found[-1].version, found[-1].hash)
        self._seen.add(e.event_id for e in found)
        if as_of is not None:
            found = [e for e in found if e.recorded_at <= as_of]
        return found[:limit] if limit is not None else found

    def stream_version(self, stream: str) -> int:
        name = self._name(stream)
        current = self._retrying(
            "read",
            lambda: self._client.get_current_version(name, timeout=self._timeout),
        )
        return 0 if current is StreamState.NO_STREAM else int(current) + 1

    def _read_all_page(
        self, after: int, count: int, include: list[str]
    ) -> list[RecordedEvent]:
        """Up to `count` events of `include` streams at or after `after` (inclusive,
        like the server); the caller drops the one at `after`."""
        return list(
            self._retrying(
                "read",
                lambda: list(
                    self._client.read_all(
                        commit_position=after if after > 0 else None,
                        filter_include=include,
                        filter_by_stream_name=True,
                        limit=count,
                        timeout=self._timeout,
                    )
                ),
            )
        )

    def _read_all_envelopes(
        self, after: int, count: int, include: list[str]
    ) -> tuple[list[Envelope], int]:
        """Like _read_all_page, but each event strictly after `after` is turned into
        an envelope as it arrives, while the server is still sending the rest of the
        page; (envelopes, events received)."""

        def page() -> tuple[list[Envelope], int]:
            found: list[Envelope] = []
            received = 0
            envelope = self._envelope
            for event in self._client.read_all(
                commit_position=after if after > 0 else None,
                filter_include=include,
                filter_by_stream_name=True,
                limit=count,
                timeout=self._timeout,
            ):
                received += 1
                if (event.commit_position or 0) > after:
                    found.append(envelope(event))
            return found, received

        return self._retrying("read", page)

    def read_all(
        self,
        after: int = 0,
        limit: int = 1000,
        *,
        categories: Sequence[str] | None = None,
        bureau_id: str | None = None,
    ) -> list[Envelope]:
        include = self.stream_filter(categories)
        found: list[Envelope] = []
        position = after
        while len(found) < limit:
            wanted = limit - len(found)
            count = (wanted if bureau_id is None else max(wanted, 500)) + 1
            fresh, received = self._read_all_envelopes(position, count, include)
            for envelope in fresh:
                position = envelope.position
                if bureau_id is None or envelope.bureau_id == bureau_id:
                    found.append(envelope)
                    if len(found) >= limit:
                        break
            if received < count or not fresh:
                break
        return found

    def head(self) -> int:
        return int(
            self._retrying(
                "read",
                lambda: self._client.get_commit_position(
                    filter_include=self._everything,
                    filter_by_stream_name=True,
                    timeout=self._timeout,
                ),
            )
        )

    def wait_for_new(self, after: int, timeout: float) -> None:
        """Poll the head (cheap: one backwards read of one event) until it moves."""
        deadline = time.monotonic() + timeout
        while self.head() <= after:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(0.05, left))

    def iter_streams(self) -> Iterator[tuple[str, list[Envelope]]]:
        names: set[str] = set()
        position = 0
        while True:
            page = self._read_all_page(position, 5001, self._everything)
            fresh = [e for e in page if int(e.commit_position or 0) > position]
            if not fresh:
                break
            for event in fresh:
                names.add(event.stream_name[len(self._namespace) :])
            position = int(fresh[-1].commit_position or 0)
        for stream in sorted(names):
            yield stream, self.read_stream(stream)

    # -- following -------------------------------------------------------------------

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
        """A server-side catch-up subscription to $all from `after`, then live.

        A dropped subscription is reopened from the last position delivered, so
        nothing is lost or delivered twice; bounded backoff between attempts.
        """
        position = after
        should_stop = stop or (lambda: False)
        failures = 0
        include = self.stream_filter(categories)
        while not should_stop():
            start = position if position > 0 else None
            try:
                subscription = self._call(
                    functools.partial(
                        self._client.subscribe_to_all,
                        commit_position=start,
                        filter_include=include,
                        filter_by_stream_name=True,
                    )
                )
            except TRANSIENT as error:
                failures += 1
                if failures > self._retries:
                    raise StoreUnavailable(
                        f"EventStoreDB subscription failed: {error!r}"
                    ) from error
                time.sleep(min(2.0, 0.1 * 2**failures))
                continue
            inbox: queue.Queue[object] = queue.Queue(maxsize=batch_size * 2)
            closed = threading.Event()
            pump = threading.Thread(
                target=self._pump,
                args=(subscription, inbox, closed),
                name="esdb-subscription",
                daemon=True,
            )
            pump.start()
            try:
                while not should_stop():
                    try:
                        item = inbox.get(timeout=idle_wait)
                    except queue.Empty:
                        continue
                    items = [item]
                    while len(items) < batch_size and isinstance(
                        items[-1], RecordedEvent
                    ):
                        try:
                            items.append(inbox.get_nowait())
                        except queue.Empty:
                            break
                    batch: list[Envelope] = []
                    failed: object = None
                    for entry in items:
                        if not isinstance(entry, RecordedEvent):
                            failed = entry
                            break
                        envelope = self._envelope(entry)
                        if envelope.position <= position:
                            continue  # already delivered before a reconnect
                        position = envelope.position
                        if bureau_id is None or envelope.bureau_id == bureau_id:
                            batch.append(envelope)
                    if batch:
                        failures = 0
                        yield batch
                    if failed is not None:
                        if isinstance(failed, BaseException) and not isinstance(
                            failed, TRANSIENT
                        ):
                            raise failed
                        log.warning(
                            "EventStoreDB subscription dropped at %s, resuming: %r",
                            position,
                            failed,
                        )
                        failures += 1
                        if failures > self._retries:
                            raise StoreUnavailable(
                                f"EventStoreDB subscription keeps failing: {failed!r}"
                            )
                        time.sleep(min(2.0, 0.1 * 2**failures))
                        break
            finally:
                closed.set()
                subscription.stop()
                pump.join(timeout=5)

    @staticmethod
    def _pump(
        subscription: Iterable[RecordedEvent],
        inbox: queue.Queue[object],
        closed: threading.Event,
    ) -> None:
        """Move events from the gRPC stream into `inbox` (its own thread)."""

        def put(item: object) -> None:
            while not closed.is_set():
                try:
                    inbox.put(item, timeout=0.2)
                    return
                except queue.Full:
                    continue

        try:
            for event in subscription:
                put(event)
                if closed.is_set():
                    return
            put(_END)
        except Exception as error:
            if not closed.is_set():
                put(error)

    def close(self) -> None:
        self._call(self._client.close)
