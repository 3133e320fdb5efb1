"""Aggregates load from their streams and save with optimistic concurrency."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

import pytest

from eventing.aggregate import (
    Aggregate,
    CommandContext,
    DomainEvent,
    DomainEventRegistry,
    RecentStreams,
    Repository,
)
from eventing.errors import DuplicateEvent, PreconditionFailed, WrongExpectedVersion
from eventing.events import Metadata, NewEvent
from eventing.store.memory import MemoryEventStore

registry = DomainEventRegistry()


@registry.event
@dataclass(frozen=True)
class TallyOpened(DomainEvent):
    tally_id: str


@registry.event
@dataclass(frozen=True)
class TallyIncremented(DomainEvent):
    by: int


class TallyClosedError(Exception):
    code = "tally_closed"


class Tally(Aggregate):
    """A counter: enough of an aggregate to exercise the repository."""

    category = "tally"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.opened = False
        self.total = 0

    def open(self) -> None:
        if not self.opened:
            self._raise(TallyOpened(self.id))

    def increment(self, by: int) -> None:
        if self.total + by > 10:
            raise TallyClosedError("a tally stops at 10")
        self._raise(TallyIncremented(by))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case TallyOpened():
                self.opened = True
            case TallyIncremented(by=by):
                self.total += by


@pytest.fixture
def store() -> MemoryEventStore:
    return MemoryEventStore()


@pytest.fixture
def repository(store: MemoryEventStore) -> Repository[Tally]:
    return Repository(store, registry, Tally, service="tallies")


CTX = CommandContext(bureau_id="bureau-a", actor="clerk-1")


class TestLoadAndSave:
    def test_a_saved_aggregate_loads_back_with_its_state_and_version(
        self, repository: Repository[Tally], store: MemoryEventStore
    ):
        tally = repository.load("t1")
        tally.open()
        tally.increment(3)
        repository.save(tally, CTX)
        loaded = repository.load("t1")
        assert (loaded.opened, loaded.total, loaded.version) == (True, 3, 2)
        [first, _] = store.read_stream("tally-t1")
        assert (first.service, first.bureau_id, first.actor) == (
            "tallies",
            "bureau-a",
            "clerk-1",
        )

    def test_saving_with_nothing_new_writes_nothing(
        self, repository: Repository[Tally]
    ):
        assert repository.save(repository.load("t1"), CTX) is None

    def test_a_rule_broken_in_the_domain_writes_nothing(
        self, repository: Repository[Tally], store: MemoryEventStore
    ):
        with pytest.raises(TallyClosedError):
            repository.execute("t1", lambda t: t.increment(11), CTX)
        assert store.stream_version("tally-t1") == 0


class TestConcurrentCommands:
    def test_a_command_that_lost_a_race_is_decided_again_on_fresh_state(
        self, repository: Repository[Tally], store: MemoryEventStore
    ):
        repository.execute("t1", lambda t: t.open(), CTX)
        raced = {"done": False}

        def increment_while_someone_else_does(tally: Tally) -> int:
            if not raced["done"]:
                raced["done"] = True
                store.append(
                    "tally-t1",
                    [NewEvent("TallyIncremented", {"by": 5})],
                    1,
                    Metadata("tallies"),
                )
            tally.increment(4)
            return tally.total

        total, result = repository.execute("t1", increment_while_someone_else_does, CTX)
        assert total == 9
        assert result is not None and result.version == 3

    def test_retries_are_bounded(self, store: MemoryEventStore):
        repository = Repository(store, registry, Tally, service="tallies", retries=2)
        attempts = {"n": 0}

        def always_raced(tally: Tally) -> None:
            attempts["n"] += 1
            store.append(
                "tally-t1",
                [NewEvent("TallyIncremented", {"by": 0})],
                None,
                Metadata("tallies"),
            )
            tally.increment(1)

        with pytest.raises(WrongExpectedVersion):
            repository.execute("t1", always_raced, CTX)
        assert attempts["n"] == 3


class TestCausedCommands:
    def test_a_command_caused_by_the_same_event_cannot_write_twice(
        self, repository: Repository[Tally], store: MemoryEventStore
    ):
        cause = CommandContext(
            "bureau-a", "service:tallies", causation_id=str(uuid.uuid4())
        )
        repository.execute("t1", lambda t: t.open(), CTX)
        repository.execute("t1", lambda t: t.increment(1), cause)
        with pytest.raises(DuplicateEvent):
            repository.execute("t1", lambda t: t.increment(1), cause)
        assert repository.load("t1").total == 1


class TestExpectedVersionOfTheCaller:
    """If-Match: a caller who read version n of a record writes only on version n."""

    def _opened(self, repository: Repository[Tally]) -> None:
        tally = repository.load("t1")
        tally.open()
        repository.save(tally, CTX)  # version 1

    def test_a_write_on_the_version_the_caller_read_goes_through(
        self, repository: Repository[Tally]
    ):
        self._opened(repository)
        ctx = replace(CTX, expected_stream="tally-t1", expected_version=1)
        repository.execute("t1", lambda t: t.increment(2), ctx)
        assert repository.load("t1").version == 2

    def test_a_write_on_a_newer_version_fails_without_retry_and_writes_nothing(
        self, repository: Repository[Tally], store: MemoryEventStore
    ):
        self._opened(repository)
        repository.execute("t1", lambda t: t.increment(1), CTX)  # someone else
        ctx = replace(CTX, expected_stream="tally-t1", expected_version=1)
        with pytest.raises(PreconditionFailed) as failed:
            repository.execute("t1", lambda t: t.increment(2), ctx)
        assert (failed.value.expected, failed.value.actual) == (1, 2)
        assert len(store.read_stream("tally-t1")) == 2

    def test_the_expectation_binds_only_the_named_stream(
        self, repository: Repository[Tally]
    ):
        ctx = replace(CTX, expected_stream="tally-other", expected_version=7)
        tally = repository.load("t1")
        tally.open()
        assert repository.save(tally, ctx) is not None


class CountingStore(MemoryEventStore):
    """A memory store that counts stream reads."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def read_stream(self, stream, from_version=1, *, as_of=None, limit=None):
        self.reads += 1
        return super().read_stream(stream, from_version, as_of=as_of, limit=limit)


def _behind_its_back(store: MemoryEventStore, version: int, by: int) -> None:
    """Another process (another replica, a migration) writes to tally-t1."""
    store.append(
        "tally-t1",
        [NewEvent("TallyIncremented", {"by": by})],
        version,
        Metadata("tallies"),
    )


class TestCommandsFromRecentStreams:
    """A command starts from the events the store last wrote; only its append at
    their version is taken as proof they were current."""

    @pytest.fixture
    def store(self) -> CountingStore:
        return CountingStore()

    def test_a_second_command_does_not_read_the_stream_again(
        self, store: CountingStore
    ):
        repository = Repository(store, registry, Tally, service="tallies")
        repository.execute("t1", lambda t: t.open(), CTX)
        reads = store.reads
        total, result = repository.execute(
            "t1", lambda t: (t.increment(2), t.total)[1], CTX
        )
        assert store.reads == reads
        assert total == 2 and result is not None and result.version == 2
        assert repository.load("t1").total == 2

    def test_repositories_built_per_call_share_what_their_store_wrote(
        self, store: CountingStore
    ):
        Repository(store, registry, Tally, service="tallies").execute(
            "t1", lambda t: t.open(), CTX
        )
        reads = store.reads
        Repository(store, registry, Tally, service="tallies").execute(
            "t1", lambda t: t.increment(1), CTX
        )
        assert store.reads == reads
        other = CountingStore()
        Repository(other, registry, Tally, service="tallies").execute(
            "t1", lambda t: t.open(), CTX
        )
        assert other.reads == 1  # another store: nothing shared

    def test_a_write_made_elsewhere_is_seen_before_a_rule_is_decided(
        self, store: CountingStore
    ):
        repository = Repository(store, registry, Tally, service="tallies")
        repository.execute("t1", lambda t: (t.open(), t.increment(3)), CTX)
        _behind_its_back(store, 2, 5)  # the stored total is now 8
        with pytest.raises(TallyClosedError):
            repository.execute("t1", lambda t: t.increment(4), CTX)
        assert repository.load("t1").total == 8
        assert store.stream_version("tally-t1") == 3

    def test_a_rule_broken_only_on_the_remembered_events_is_decided_again(
        self, store: CountingStore
    ):
        repository = Repository(store, registry, Tally, service="tallies")
        repository.execute("t1", lambda t: (t.open(), t.increment(9)), CTX)
        _behind_its_back(store, 2, -9)  # the stored total is now 0
        total, _ = repository.execute("t1", lambda t: (t.increment(4), t.total)[1], CTX)
        assert total == 4
        assert repository.load("t1").total == 4

    def test_an_answer_that_appends_nothing_comes_from_the_stored_stream(
        self, store: CountingStore
    ):
        repository = Repository(store, registry, Tally, service="tallies")
        repository.execute("t1", lambda t: (t.open(), t.increment(1)), CTX)
        _behind_its_back(store, 2, 6)
        total, result = repository.execute("t1", lambda t: t.total, CTX)
        assert (total, result) == (7, None)

    def test_if_match_on_the_stored_version_goes_through_after_a_write_elsewhere(
        self, store: CountingStore
    ):
        repository = Repository(store, registry, Tally, service="tallies")
        repository.execute("t1", lambda t: t.open(), CTX)
        _behind_its_back(store, 1, 1)  # version 2, which the caller read
        ctx = replace(CTX, expected_stream="tally-t1", expected_version=2)
        _, result = repository.execute("t1", lambda t: t.increment(2), ctx)
        assert result is not None and result.version == 3
        stale = replace(CTX, expected_stream="tally-t1", expected_version=2)
        with pytest.raises(PreconditionFailed) as failed:
            repository.execute("t1", lambda t: t.increment(1), stale)
        assert (failed.value.expected, failed.value.actual) == (2, 3)

    def test_queries_always_read_the_store(self, store: CountingStore):
        repository = Repository(store, registry, Tally, service="tallies")
        repository.execute("t1", lambda t: t.open(), CTX)
        _behind_its_back(store, 1, 4)
        reads = store.reads
        assert repository.load("t1").total == 4
        assert store.reads == reads + 1


class TestRecentStreams:
    def test_the_least_recently_used_streams_go_first_within_the_bound(self):
        recent = RecentStreams(max_events=8)
        opened = TallyOpened("x")
        recent.put((Tally, "tally-a"), [opened] * 2)
        recent.put((Tally, "tally-b"), [opened] * 2)
        recent.put((Tally, "tally-c"), [opened] * 2)
        assert recent.get((Tally, "tally-a")) is not None  # a is now the newest
        recent.put((Tally, "tally-d"), [opened] * 2)
        recent.put((Tally, "tally-e"), [opened] * 2)
        assert recent.get((Tally, "tally-b")) is None
        assert [recent.get((Tally, f"tally-{s}")) is not None for s in "acde"] == [
            True
        ] * 4

    def test_a_shorter_list_never_replaces_a_longer_one(self):
        recent = RecentStreams(max_events=100)
        key = (Tally, "tally-a")
        recent.put(key, [TallyOpened("a"), TallyIncremented(1)])
        recent.put(key, [TallyOpened("a")])
        assert recent.get(key) == (TallyOpened("a"), TallyIncremented(1))

    def test_a_stream_too_long_to_keep_is_not_kept(self):
        recent = RecentStreams(max_events=8)
        key = (Tally, "tally-a")
        recent.put(key, [TallyOpened("a")])
        recent.put(key, [TallyIncremented(1)] * 3)
        assert recent.get(key) is None
