"""Typed errors of the eventing library, each with a stable machine-readable code."""

from __future__ import annotations


class EventingError(Exception):
    """Base of every error the eventing library raises on purpose."""

    code = "eventing_error"


class WrongExpectedVersion(EventingError):
    """The stream was not at the version the writer expected; nothing was written."""

    code = "wrong_expected_version"

    def __init__(self, stream: str, expected: int | None, actual: int) -> None:
        super().__init__(
            f"stream {stream!r} is at version {actual}, expected {expected}"
        )
        self.stream = stream
        self.expected = expected
        self.actual = actual


class PreconditionFailed(EventingError):
    """The caller named the version of a record it had read (HTTP If-Match) and the
    record has moved on since; nothing was written and no retry is attempted."""

    code = "precondition_failed"

    def __init__(self, stream: str, expected: int, actual: int) -> None:
        super().__init__(
            f"stream {stream!r} is at version {actual}, the caller read {expected}"
        )
        self.stream = stream
        self.expected = expected
        self.actual = actual


class DuplicateEvent(EventingError):
    """An event with this id is already in the store; nothing was written."""

    code = "duplicate_event"

    def __init__(self, event_ids: list[str]) -> None:
        super().__init__(f"events already stored: {', '.join(event_ids)}")
        self.event_ids = event_ids


class InvalidStreamName(EventingError):
    """A stream name breaks the naming rule '<category>-<id>'."""

    code = "invalid_stream_name"


class EventTooLarge(EventingError):
    """An event's encoded payload is over the configured limit; nothing was written."""

    code = "event_too_large"

    def __init__(self, event_type: str, size: int, limit: int) -> None:
        super().__init__(
            f"event {event_type} is {size} bytes encoded, the limit is {limit}"
        )
        self.size = size
        self.limit = limit


class AppendTooLarge(EventTooLarge):
    """An append's events together are over the event store's limit for one append
    (EventStoreDB's MaxAppendSize, 1 MiB by default, counts each event's data,
    metadata and twice its type's length); nothing was written. An EventTooLarge, so
    whoever answers that one answers this too."""

    code = "append_too_large"

    def __init__(self, count: int, size: int, limit: int) -> None:
        EventingError.__init__(
            self,
            f"an append of {count} event(s) is {size} bytes as the event store counts "
            + (
                f"them, over its limit of {limit} for one append"
                if limit
                else "them, over its limit for one append"
            ),
        )
        self.count = count
        self.size = size
        self.limit = limit


class UnknownEventType(EventingError):
    """No event class is registered under this type name."""

    code = "unknown_event_type"


class UndecodablePayload(EventingError):
    """A payload cannot be encoded or decoded as the event's schema says."""

    code = "undecodable_payload"


class InvalidEvent(EventingError):
    """An event to append is malformed (empty batch, bad field, bad type name)."""

    code = "invalid_event"


class StoreUnavailable(EventingError):
    """The event store cannot be reached; the operation may be retried."""

    code = "store_unavailable"
