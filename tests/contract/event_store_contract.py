"""The contract every EventStore adapter must honour; subclass once per adapter.

A subclass provides the `store` fixture (a fresh, empty store whose clock is `clock`)
and the two tamper hooks that reach behind the adapter to edit or delete a stored event.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from eventing.errors import (
    DuplicateEvent,
    EventTooLarge,
    InvalidEvent,
    InvalidStreamName,
    WrongExpectedVersion,
)
from eventing.events import GENESIS_HASH, NO_STREAM, Envelope, Metadata, NewEvent
from eventing.store.base import EventStore


class SettableClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def meta(bureau: str = "bureau-a", **extra: str) -> Metadata:
    return Metadata(
        service="complaints",
        bureau_id=bureau,
        actor=extra.get("actor", "user-1"),
        correlation_id=extra.get("correlation_id", str(uuid.uuid4())),
        causation_id=extra.get("causation_id"),
    )


def new_stream(category: str = "complaint") -> str:
    return f"{category}-{uuid.uuid4()}"


def events(*types: str, **data: object) -> list[NewEvent]:
    return [NewEvent(t, {"n": i, **data}) for i, t in enumerate(types)]


def settled(store: EventStore, position: int, seconds: float = 10.0) -> None:
    """Wait until followers can read up to `position`. A store may hold events back
    while an older transaction elsewhere is still open (PostgreSQL's xmin rule); they
    must become readable, in order, once it ends."""
    deadline = time.monotonic() + seconds
    while store.head() < position:
        assert time.monotonic() < deadline, f"head stuck below {position}"
        store.wait_for_new(store.head(), 0.05)


class EventStoreContract:
    """Behaviour shared by every adapter. Subclasses supply the fixtures below."""

    @pytest.fixture
    def clock(self) -> SettableClock:
        return SettableClock()

    @pytest.fixture
    def store(self, clock: SettableClock) -> EventStore:
        raise NotImplementedError

    def tamper_edit(self, store: EventStore, stream: str, version: int) -> None:
        raise NotImplementedError

    def tamper_delete(self, store: EventStore, stream: str, version: int) -> None:
        raise NotImplementedError

    # -- appending -------------------------------------------------------------------

    def test_a_new_stream_gets_versions_from_one_in_order(self, store: EventStore):
        stream = new_stream()
        result = store.append(stream, events("Received", "Accepted"), NO_STREAM, meta())
        assert result.version == 2
        assert [e.version for e in result.envelopes] == [1, 2]
        assert result.positions == sorted(result.positions)
        assert store.stream_version(stream) == 2

    def test_an_append_s_result_is_what_was_stored_even_when_read_later(
        self, store: EventStore
    ):
        """The result's types and last position are there at once; its envelopes
        (each with its position) equal the stored ones, also when asked for only
        after the stream has grown (an adapter may read them back lazily)."""
        stream = new_stream()
        result = store.append(
            stream, events("Opened", "Planned", "Noted"), NO_STREAM, meta()
        )
        assert result.types == ["Opened", "Planned", "Noted"]
        later = store.append(stream, events("Closed"), 3, meta())
        assert later.types == ["Closed"]
        stored = store.read_stream(stream)
        assert result.envelopes == stored[:3]
        assert result.last_position == stored[2].position
        assert result.positions == [e.position for e in stored[:3]]
        assert later.last_position == stored[3].position > result.last_position

    def test_an_append_s_positions_asked_for_first_are_the_stored_ones(
        self, store: EventStore
    ):
        """Positions before envelopes (an adapter may answer them without making
        the envelopes), asked twice, and the envelopes after them."""
        stream = new_stream()
        result = store.append(
            stream, events("Opened", "Planned", "Noted"), NO_STREAM, meta()
        )
        store.append(stream, events("Closed"), 3, meta())
        stored = store.read_stream(stream)
        assert result.positions == [e.position for e in stored[:3]]
        assert result.positions == [e.position for e in stored[:3]]
        assert result.envelopes == stored[:3]

    def test_a_wrong_expected_version_names_the_actual_one_and_writes_nothing(
        self, store: EventStore
    ):
        stream = new_stream()
        store.append(stream, events("Received", "Accepted"), NO_STREAM, meta())
        with pytest.raises(WrongExpectedVersion) as raised:
            store.append(stream, events("Assigned"), 1, meta())
        assert raised.value.actual == 2
        assert raised.value.expected == 1
        with pytest.raises(WrongExpectedVersion):
            store.append(stream, events("Assigned"), NO_STREAM, meta())
        assert [e.type for e in store.read_stream(stream)] == ["Received", "Accepted"]

    def test_any_version_appends_at_the_end(self, store: EventStore):
        stream = new_stream()
        store.append(stream, events("Received"), None, meta())
        result = store.append(stream, events("Accepted"), None, meta())
        assert result.version == 2

    def test_a_batch_with_a_stored_event_id_is_refused_whole(self, store: EventStore):
        first = NewEvent("Received", {"n": 1})
        store.append(new_stream(), [first], NO_STREAM, meta())
        stream = new_stream()
        batch = [
            NewEvent("Received", {"n": 2}),
            NewEvent("Accepted", {}, 1, first.event_id),
        ]
        with pytest.raises(DuplicateEvent):
            store.append(stream, batch, NO_STREAM, meta())
        assert store.read_stream(stream) == []
        assert store.stream_version(stream) == 0

    def test_concurrent_writers_at_one_version_have_exactly_one_winner(
        self, store: EventStore
    ):
        stream = new_stream()
        store.append(stream, events("Received"), NO_STREAM, meta())
        outcomes: list[str] = []
        barrier = threading.Barrier(4)

        def write(n: int) -> None:
            barrier.wait()
            try:
                store.append(stream, [NewEvent("Concluded", {"by": n})], 1, meta())
                outcomes.append("won")
            except WrongExpectedVersion as error:
                assert error.actual == 2
                outcomes.append("lost")

        threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(outcomes) == ["lost", "lost", "lost", "won"]
        assert store.stream_version(stream) == 2

    @pytest.mark.parametrize(
        "name",
        ["", "complaint", "Complaint-1", "complaint-", "-1", "com plaint-1", "c-a b"],
    )
    def test_a_stream_name_that_breaks_the_rule_is_refused(
        self, store: EventStore, name: str
    ):
        with pytest.raises(InvalidStreamName):
            store.append(name, events("Received"), NO_STREAM, meta())

    def test_an_oversized_event_is_refused_and_nothing_is_written(
        self, store: EventStore
    ):
        stream = new_stream()
        huge = "x" * (store.max_event_bytes + 1)
        batch = [NewEvent("Received", {}), NewEvent("Attached", {"blob": huge})]
        with pytest.raises(EventTooLarge):
            store.append(stream, batch, NO_STREAM, meta())
        assert store.stream_version(stream) == 0

    def test_an_empty_batch_is_refused(self, store: EventStore):
        with pytest.raises(InvalidEvent):
            store.append(new_stream(), [], NO_STREAM, meta())

    # -- reading ---------------------------------------------------------------------

    def test_an_event_reads_back_with_every_field_it_was_given(self, store: EventStore):
        stream = new_stream()
        data = {"text": "服务态度差", "nested": {"b": [1, 2.5, None, True]}, "a": ""}
        event = NewEvent("Received", data, schema_version=3)
        m = meta(actor="staff-7", causation_id=str(uuid.uuid4()))
        written = store.append(stream, [event], NO_STREAM, m).envelopes[0]
        [read] = store.read_stream(stream)
        assert read == written
        assert read.event_id == event.event_id
        assert (read.type, read.schema_version, read.data) == ("Received", 3, data)
        assert (read.bureau_id, read.actor) == ("bureau-a", "staff-7")
        assert (read.correlation_id, read.causation_id) == (
            m.correlation_id,
            m.causation_id,
        )
        assert read.service == "complaints"
        assert read.recorded_at.tzinfo is not None

    def test_a_stream_reads_from_a_version_with_a_limit(self, store: EventStore):
        stream = new_stream()
        store.append(stream, events("A1", "A2", "A3", "A4"), NO_STREAM, meta())
        assert [e.version for e in store.read_stream(stream, 2, limit=2)] == [2, 3]
        assert store.read_stream(new_stream()) == []

    def test_a_stream_reads_as_of_a_past_time(
        self, store: EventStore, clock: SettableClock
    ):
        stream = new_stream()
        store.append(stream, events("Received"), NO_STREAM, meta())
        moment = clock.now
        clock.advance(hours=2)
        store.append(stream, events("Accepted"), 1, meta())
        assert [e.type for e in store.read_stream(stream, as_of=moment)] == ["Received"]
        assert len(store.read_stream(stream, as_of=clock.now)) == 2

    def test_read_all_follows_global_order_after_a_position(self, store: EventStore):
        a, b = new_stream(), new_stream()
        first = store.append(a, events("A1"), NO_STREAM, meta())
        store.append(b, events("B1"), NO_STREAM, meta())
        last = store.append(a, events("A2"), 1, meta())
        settled(store, last.last_position)
        everything = store.read_all(0)
        assert [e.type for e in everything] == ["A1", "B1", "A2"]
        positions = [e.position for e in everything]
        assert positions == sorted(set(positions))
        assert [e.type for e in store.read_all(first.last_position)] == ["B1", "A2"]
        assert [e.type for e in store.read_all(0, limit=2)] == ["A1", "B1"]
        assert store.head() == positions[-1]

    def test_read_all_filters_by_category_and_bureau(self, store: EventStore):
        store.append(new_stream("complaint"), events("C1"), NO_STREAM, meta("b1"))
        store.append(new_stream("ledgeritem"), events("L1"), NO_STREAM, meta("b1"))
        last = store.append(
            new_stream("complaint"), events("C2"), NO_STREAM, meta("b2")
        )
        settled(store, last.last_position)
        by_category = store.read_all(0, categories=["complaint"])
        assert [e.type for e in by_category] == ["C1", "C2"]
        by_bureau = store.read_all(0, bureau_id="b1")
        assert [e.type for e in by_bureau] == ["C1", "L1"]
        both = store.read_all(0, categories=["complaint"], bureau_id="b2")
        assert [e.type for e in both] == ["C2"]

    def test_several_categories_are_those_exactly(self, store: EventStore):
        """The org chart reads bureau, unit and person: not publicity_unit, whose
        name ends with one of them (EventStoreDB's filter is a regex)."""
        for category, kind in [
            ("unit", "U1"),
            ("publicity_unit", "P1"),
            ("person", "H1"),
            ("contact_person", "X1"),
            ("bureau", "B1"),
        ]:
            last = store.append(new_stream(category), events(kind), NO_STREAM, meta())
        settled(store, last.last_position)
        wanted = ["bureau", "unit", "person"]
        assert [e.type for e in store.read_all(0, categories=wanted)] == [
            "U1",
            "H1",
            "B1",
        ]
        stop = threading.Event()
        deadline = threading.Timer(20, stop.set)  # a filter that drops events
        deadline.start()
        followed: list[str] = []
        try:
            for envelope in store.subscribe(0, categories=wanted, stop=stop.is_set):
                followed.append(envelope.type)
                if len(followed) == 3:
                    stop.set()
        finally:
            deadline.cancel()
        assert followed == ["U1", "H1", "B1"]

    def test_an_empty_store_has_head_zero_and_nothing_to_read(self, store: EventStore):
        assert store.head() == 0
        assert store.read_all(0) == []

    # -- following -------------------------------------------------------------------

    def test_a_subscription_catches_up_then_follows_live(self, store: EventStore):
        store.append(new_stream(), events("Old1", "Old2"), NO_STREAM, meta())
        seen: list[Envelope] = []
        stop = threading.Event()
        got_three = threading.Event()

        def follow() -> None:
            for envelope in store.subscribe(0, stop=stop.is_set):
                seen.append(envelope)
                if len(seen) >= 3:
                    got_three.set()

        thread = threading.Thread(target=follow)
        thread.start()
        try:
            store.append(new_stream(), events("Live1"), NO_STREAM, meta())
            assert got_three.wait(20), f"saw only {[e.type for e in seen]}"
        finally:
            stop.set()
            thread.join(10)
        assert [e.type for e in seen] == ["Old1", "Old2", "Live1"]
        assert not thread.is_alive()

    # -- tamper evidence ---------------------------------------------------------------

    def test_hashes_chain_each_event_to_the_one_before_it(self, store: EventStore):
        stream = new_stream()
        store.append(stream, events("A1", "A2"), NO_STREAM, meta())
        store.append(stream, events("A3"), 2, meta())
        stored = store.read_stream(stream)
        assert stored[0].prev_hash == GENESIS_HASH
        assert [e.prev_hash for e in stored[1:]] == [e.hash for e in stored[:-1]]
        assert store.verify().ok

    def test_verify_names_an_edited_event(self, store: EventStore):
        stream = new_stream()
        store.append(stream, events("A1", "A2", "A3"), NO_STREAM, meta())
        store.append(new_stream(), events("B1"), NO_STREAM, meta())
        self.tamper_edit(store, stream, 2)
        report = store.verify()
        assert not report.ok
        assert [(b.stream, b.version) for b in report.broken] == [(stream, 2)]
        assert report.streams == 2

    def test_verify_names_a_deleted_event(self, store: EventStore):
        stream = new_stream()
        store.append(stream, events("A1", "A2", "A3"), NO_STREAM, meta())
        self.tamper_delete(store, stream, 2)
        report = store.verify()
        assert [(b.stream, b.version) for b in report.broken] == [(stream, 2)]
        assert "missing" in report.broken[0].reason
