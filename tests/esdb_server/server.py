"""An in-memory test double of EventStoreDB's gRPC API: the subset esdbclient calls.

Built on the protocol modules esdbclient ships (esdbclient.protos.Grpc). It serves,
on 127.0.0.1 without TLS:

- streams.Streams/BatchAppend: atomic appends with an expected stream revision
  (revision / no_stream / any / stream_exists), wrong-expected-version errors carrying
  the actual revision, idempotent retries of the same event ids at the same revision;
- streams.Streams/Append: the same through the client-streaming call;
- both refuse an append over `max_append_size` (the server's MaxAppendSize, 1 MiB by
  default), counted as the server counts it: each event's data, metadata and twice
  its type's length;
- streams.Streams/Read: a stream forwards or backwards from a revision; $all forwards
  from a position (inclusive) or backwards from the end or a position (exclusive),
  with stream-name or event-type filters (regex or prefixes) and a count; catch-up
  subscriptions to $all (confirmation, events after the position, then live);
- gossip.Gossip/Read: one alive leader, so esdb+discover:// works.

Like the real server, each event's commit position equals its prepare position and
positions are log offsets: they grow in $all order but are not dense.

Test-only levers (never in the real server): `edit_event` / `delete_event` reach
behind the log to tamper with a stored event; `drop_subscriptions` ends every live
subscription with UNAVAILABLE, as a lost connection would; `append_delay` slows
appends down.
"""

from __future__ import annotations

import bisect
import re
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from esdbclient.protos.Grpc import (
    gossip_pb2,
    gossip_pb2_grpc,
    shared_pb2,
    status_pb2,
    streams_pb2,
    streams_pb2_grpc,
)
from google.protobuf import any_pb2, empty_pb2

# google.rpc.Code's numbers: Status.code is that enum's number
FAILED_PRECONDITION: Any = 9
INVALID_ARGUMENT: Any = 3
MAX_APPEND_SIZE = 1024 * 1024  # the real server's default MaxAppendSize
LOG_START = 1024  # the real log starts with system records; positions are offsets
RECORD_OVERHEAD = 96


@dataclass
class Record:
    """One stored event."""

    stream: str
    revision: int
    position: int
    event_id: str
    type: str
    content_type: str
    custom_metadata: bytes
    data: bytes
    created: int  # .NET ticks since the Unix epoch, as the real server sends
    deleted: bool = False


@dataclass
class _Log:
    records: list[Record] = field(default_factory=list)
    streams: dict[str, list[Record]] = field(default_factory=dict)
    next_position: int = LOG_START


class _TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit


class _Rejected(Exception):
    def __init__(self, current: int | None) -> None:
        self.current = current  # the stream's last revision, None when it has none


class EsdbTestServer:
    """Start with `start()`; `uri` is what esdbclient connects to; `stop()` ends it."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_append_size: int = MAX_APPEND_SIZE,
    ) -> None:
        self.host = host
        self.max_append_size = max_append_size
        self._requested_port = port
        self.port = 0
        self._log = _Log()
        self._changed = threading.Condition()
        self._generation = 0  # bumped by drop_subscriptions
        self._server: grpc.Server | None = None
        self.append_delay = 0.0
        self.calls: dict[str, int] = {}

    # -- life cycle ------------------------------------------------------------------

    def start(self) -> EsdbTestServer:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=64))
        streams_pb2_grpc.add_StreamsServicer_to_server(_Streams(self), server)  # type: ignore[no-untyped-call]
        gossip_pb2_grpc.add_GossipServicer_to_server(_Gossip(self), server)  # type: ignore[no-untyped-call]
        self.port = server.add_insecure_port(f"{self.host}:{self._requested_port}")
        server.start()
        self._server = server
        return self

    def stop(self, grace: float | None = 0.2) -> None:
        if self._server is not None:
            with self._changed:
                self._generation += 1
                self._changed.notify_all()
            self._server.stop(grace).wait(5)
            self._server = None

    @property
    def uri(self) -> str:
        return f"esdb://{self.host}:{self.port}?Tls=false"

    @property
    def discover_uri(self) -> str:
        return f"esdb+discover://{self.host}:{self.port}?Tls=false"

    def __enter__(self) -> EsdbTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test levers -----------------------------------------------------------------

    def _find(self, stream: str, revision: int) -> Record:
        for record in self._log.streams[stream]:
            if record.revision == revision and not record.deleted:
                return record
        raise KeyError((stream, revision))

    def edit_event(self, stream: str, revision: int, data: bytes) -> None:
        """Overwrite a stored event's data behind the API (tamper test)."""
        with self._changed:
            self._find(stream, revision).data = data

    def delete_event(self, stream: str, revision: int) -> None:
        """Remove a stored event behind the API, leaving a gap (tamper test)."""
        with self._changed:
            self._find(stream, revision).deleted = True

    def drop_subscriptions(self) -> None:
        """End every open subscription with UNAVAILABLE (a dropped connection)."""
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def _count(self, name: str) -> None:
        with self._changed:
            self.calls[name] = self.calls.get(name, 0) + 1

    # -- the store -------------------------------------------------------------------

    def append(
        self,
        stream: str,
        expected: str | int,
        proposed: list[Any],
    ) -> tuple[Record | None, int]:
        """Append atomically; (last record, last revision), or raise _TooLarge
        (checked first, as the server checks while it reads the request) or
        _Rejected."""
        size = 0
        for message in proposed:
            # the server's Event.SizeOnDisk: data, metadata and the type twice
            size += len(message.data) + len(message.custom_metadata)
            size += 2 * len(message.metadata["type"])
            if size > self.max_append_size:
                raise _TooLarge(self.max_append_size)
        if self.append_delay:
            time.sleep(self.append_delay)
        with self._changed:
            existing = self._log.streams.get(stream, [])
            current = existing[-1].revision if existing else None
            ids = [message.id.string for message in proposed]
            if isinstance(expected, int) and expected != current:
                # an idempotent retry: the same ids already follow that revision
                following = [r for r in existing if r.revision > expected]
                if (
                    current is not None
                    and [r.event_id for r in following][: len(ids)] == ids
                ):
                    return following[len(ids) - 1], following[len(ids) - 1].revision
                raise _Rejected(current)
            if expected == "no_stream" and current is not None:
                raise _Rejected(current)
            if expected == "stream_exists" and current is None:
                raise _Rejected(current)
            revision = -1 if current is None else current
            last: Record | None = None
            for message in proposed:
                revision += 1
                metadata = dict(message.metadata)
                last = Record(
                    stream=stream,
                    revision=revision,
                    position=self._log.next_position,
                    event_id=message.id.string,
                    type=metadata.get("type", ""),
                    content_type=metadata.get("content-type", "application/json"),
                    custom_metadata=bytes(message.custom_metadata),
                    data=bytes(message.data),
                    created=time.time_ns() // 100,
                )
                self._log.next_position += (
                    RECORD_OVERHEAD
                    + len(stream)
                    + len(last.data)
                    + len(last.custom_metadata)
                )
                self._log.records.append(last)
                existing.append(last)
            self._log.streams[stream] = existing
            self._changed.notify_all()
            return last, revision

    def snapshot(self) -> list[Record]:
        with self._changed:
            return [r for r in self._log.records if not r.deleted]

    def index_of(self, position: int) -> int:
        """Where the first record at or after `position` is in the log (kept in
        position order): a seek, as the real server's index does, not a scan."""
        with self._changed:
            return bisect.bisect_left(
                self._log.records, position, key=lambda r: r.position
            )

    def records_at(self, index: int, count: int) -> list[Record]:
        """Up to `count` records of the log from `index` (deleted ones included:
        the log only grows, so indexes stay put)."""
        with self._changed:
            return self._log.records[index : index + count]

    def stream_records(self, stream: str) -> list[Record] | None:
        with self._changed:
            found = self._log.streams.get(stream)
            return None if found is None else [r for r in found if not r.deleted]


def _read_event(record: Record) -> streams_pb2.ReadResp:
    recorded = streams_pb2.ReadResp.ReadEvent.RecordedEvent(
        id=shared_pb2.UUID(string=record.event_id),
        stream_identifier=shared_pb2.StreamIdentifier(
            stream_name=record.stream.encode("utf8")
        ),
        stream_revision=record.revision,
        prepare_position=record.position,
        commit_position=record.position,
        metadata={
            "type": record.type,
            "content-type": record.content_type,
            "created": str(record.created),
        },
        custom_metadata=record.custom_metadata,
        data=record.data,
    )
    return streams_pb2.ReadResp(
        event=streams_pb2.ReadResp.ReadEvent(
            event=recorded, commit_position=record.position
        )
    )


def _filter(options: Any) -> Any:
    """A predicate on records from ReadReq.Options' filter (None: everything)."""
    if options.WhichOneof("filter_option") != "filter":
        return lambda record: True
    kind = options.filter.WhichOneof("filter")
    expression = getattr(options.filter, kind)

    def field_of(record: Record) -> str:
        return record.stream if kind == "stream_identifier" else record.type

    if expression.regex:
        pattern = re.compile(expression.regex)
        return lambda record: pattern.search(field_of(record)) is not None
    prefixes = tuple(expression.prefix)
    return lambda record: field_of(record).startswith(prefixes)


class _Streams(streams_pb2_grpc.StreamsServicer):
    def __init__(self, server: EsdbTestServer) -> None:
        self.server = server

    # -- appending -------------------------------------------------------------------

    @staticmethod
    def _expected(options: Any) -> str | int:
        # BatchAppendReq.Options names its oneof expected_stream_position,
        # AppendReq.Options expected_stream_revision; asking a message for a
        # oneof it lacks raises
        oneof = (
            "expected_stream_position"
            if "expected_stream_position" in options.DESCRIPTOR.oneofs_by_name
            else "expected_stream_revision"
        )
        which = options.WhichOneof(oneof)
        if which in ("stream_position", "revision"):
            return int(getattr(options, which))
        return str(which)

    def BatchAppend(
        self, request_iterator: Iterator[Any], context: grpc.ServicerContext
    ) -> Iterator[streams_pb2.BatchAppendResp]:
        self.server._count("BatchAppend")
        pending: dict[str, tuple[Any, list[Any]]] = {}
        for request in request_iterator:
            key = request.correlation_id.string
            if request.HasField("options"):
                pending[key] = (request.options, [])
            options, messages = pending[key]
            messages.extend(request.proposed_messages)
            if not request.is_final:
                continue
            del pending[key]
            stream = options.stream_identifier.stream_name.decode("utf8")
            expected = self._expected(options)
            response = streams_pb2.BatchAppendResp(
                correlation_id=request.correlation_id,
                stream_identifier=options.stream_identifier,
            )
            try:
                last, revision = self.server.append(stream, expected, messages)
            except _TooLarge as too_large:
                details = any_pb2.Any()
                details.Pack(
                    shared_pb2.MaximumAppendSizeExceeded(maxAppendSize=too_large.limit)
                )
                response.error.CopyFrom(
                    status_pb2.Status(
                        code=INVALID_ARGUMENT,
                        message="MaximumAppendSizeExceeded",
                        details=details,
                    )
                )
            except _Rejected as rejected:
                wrong = shared_pb2.WrongExpectedVersion()
                if rejected.current is None:
                    wrong.current_no_stream.CopyFrom(empty_pb2.Empty())
                else:
                    wrong.current_stream_revision = rejected.current
                if isinstance(expected, int):
                    wrong.expected_stream_position = expected
                elif expected == "no_stream":
                    wrong.expected_no_stream.CopyFrom(empty_pb2.Empty())
                else:
                    wrong.expected_stream_exists.CopyFrom(empty_pb2.Empty())
                details = any_pb2.Any()
                details.Pack(wrong)
                response.error.CopyFrom(
                    status_pb2.Status(
                        code=FAILED_PRECONDITION,
                        message="WrongExpectedVersion",
                        details=details,
                    )
                )
            else:
                response.success.current_revision = revision
                if last is not None:
                    response.success.position.commit_position = last.position
                    response.success.position.prepare_position = last.position
            yield response

    def Append(
        self, request_iterator: Iterator[Any], context: grpc.ServicerContext
    ) -> streams_pb2.AppendResp:
        self.server._count("Append")
        options = next(request_iterator).options
        messages = [request.proposed_message for request in request_iterator]
        stream = options.stream_identifier.stream_name.decode("utf8")
        expected = self._expected(options)
        response = streams_pb2.AppendResp()
        try:
            last, revision = self.server.append(stream, expected, messages)
        except _TooLarge as too_large:
            # the server throws here (RpcExceptions.MaxAppendSizeExceeded): the
            # status and the trailers its clients read
            context.set_trailing_metadata(
                (
                    ("exception", "maximum-append-size-exceeded"),
                    ("maximum-append-size", str(too_large.limit)),
                )
            )
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"Maximum Append Size of {too_large.limit} Exceeded.",
            )
        except _Rejected as rejected:
            wrong = response.wrong_expected_version
            if rejected.current is None:
                wrong.current_no_stream.CopyFrom(shared_pb2.Empty())
            else:
                wrong.current_revision = rejected.current
        else:
            response.success.current_revision = revision
            if last is not None:
                response.success.position.commit_position = last.position
                response.success.position.prepare_position = last.position
        return response

    # -- reading ---------------------------------------------------------------------

    def Read(
        self, request: streams_pb2.ReadReq, context: grpc.ServicerContext
    ) -> Iterator[streams_pb2.ReadResp]:
        options = request.options
        backwards = options.read_direction == streams_pb2.ReadReq.Options.Backwards
        if options.WhichOneof("stream_option") == "stream":
            self.server._count("ReadStream")
            if options.WhichOneof("count_option") == "subscription":
                context.abort(grpc.StatusCode.UNIMPLEMENTED, "stream subscriptions")
            yield from self._read_stream(options, backwards)
            return
        if options.WhichOneof("count_option") == "subscription":
            self.server._count("SubscribeAll")
            yield from self._subscribe_all(options, context)
            return
        self.server._count("ReadAll")
        yield from self._read_all(options, backwards)

    def _read_stream(
        self, options: Any, backwards: bool
    ) -> Iterator[streams_pb2.ReadResp]:
        stream_options = options.stream
        stream = stream_options.stream_identifier.stream_name.decode("utf8")
        records = self.server.stream_records(stream)
        if not records:
            yield streams_pb2.ReadResp(
                stream_not_found=streams_pb2.ReadResp.StreamNotFound(
                    stream_identifier=stream_options.stream_identifier
                )
            )
            return
        which = stream_options.WhichOneof("revision_option")
        if backwards:
            records.reverse()
            if which == "revision":
                records = [r for r in records if r.revision <= stream_options.revision]
        elif which == "revision":
            records = [r for r in records if r.revision >= stream_options.revision]
        elif which == "end":
            records = []
        for record in records[: options.count]:
            yield _read_event(record)

    def _read_all(
        self, options: Any, backwards: bool
    ) -> Iterator[streams_pb2.ReadResp]:
        which = options.all.WhichOneof("all_option")
        wanted = _filter(options)
        sent = 0
        if backwards:
            records = self.server.snapshot()
            records.reverse()
            if which == "position":
                bound = options.all.position.commit_position
                records = [r for r in records if r.position < bound]
            for record in records:
                if sent >= options.count:
                    break
                if wanted(record):
                    sent += 1
                    yield _read_event(record)
            return
        if which == "end":
            return
        index = 0
        if which == "position":
            index = self.server.index_of(options.all.position.commit_position)
        while sent < options.count:
            chunk = self.server.records_at(index, 512)
            if not chunk:
                return
            index += len(chunk)
            for record in chunk:
                if sent >= options.count:
                    return
                if not record.deleted and wanted(record):
                    sent += 1
                    yield _read_event(record)

    def _subscribe_all(
        self, options: Any, context: grpc.ServicerContext
    ) -> Iterator[streams_pb2.ReadResp]:
        server = self.server
        yield streams_pb2.ReadResp(
            confirmation=streams_pb2.ReadResp.SubscriptionConfirmation(
                subscription_id=str(uuid.uuid4())
            )
        )
        wanted = _filter(options)
        which = options.all.WhichOneof("all_option")
        with server._changed:
            generation = server._generation
            if which == "end":
                after = server._log.next_position
            elif which == "position":
                after = options.all.position.commit_position
            else:
                after = -1
        index = 0
        while context.is_active():
            with server._changed:
                log = server._log.records

                def arrived(log: list[Record] = log, index: int = index) -> bool:
                    return len(log) > index or server._generation != generation

                server._changed.wait_for(arrived, timeout=0.2)
                if server._generation != generation:
                    context.abort(grpc.StatusCode.UNAVAILABLE, "connection dropped")
                fresh = [r for r in log[index:] if not r.deleted]
                index = len(log)
            for record in fresh:
                if record.position > after and wanted(record):
                    yield _read_event(record)


class _Gossip(gossip_pb2_grpc.GossipServicer):
    def __init__(self, server: EsdbTestServer) -> None:
        self.server = server

    def Read(
        self, request: shared_pb2.Empty, context: grpc.ServicerContext
    ) -> gossip_pb2.ClusterInfo:
        self.server._count("Gossip")
        return gossip_pb2.ClusterInfo(
            members=[
                gossip_pb2.MemberInfo(
                    instance_id=shared_pb2.UUID(string=str(uuid.uuid4())),
                    time_stamp=time.time_ns() // 100,
                    state=gossip_pb2.MemberInfo.VNodeState.Leader,
                    is_alive=True,
                    http_end_point=gossip_pb2.EndPoint(
                        address=self.server.host, port=self.server.port
                    ),
                )
            ]
        )
