"""Verified API keys are remembered until their account changes, whichever gateway
worker took the change (the cache reads the account events)."""

from __future__ import annotations

from eventing.events import Metadata, NewEvent
from eventing.store.memory import MemoryEventStore
from gateway.api.auth import KeyCache, Principal
from gateway.service import account_changes

BOT = Principal("bot01", "b01", frozenset({"service"}), kind="service")
OTHER = Principal("bot02", "b01", frozenset({"service"}), kind="service")


class Feed:
    """Account events as the store would give them: (position, username)."""

    def __init__(self) -> None:
        self.events: list[tuple[int, str]] = []
        self.head = 100
        self.reads = 0
        self.down = False

    def append(self, username: str) -> None:
        self.head += 1
        self.events.append((self.head, username))

    def __call__(self, after: int | None) -> tuple[int, set[str]]:
        self.reads += 1
        if self.down:
            raise ConnectionError("store unreachable")
        if after is None:
            return self.head, set()
        fresh = [(p, u) for p, u in self.events if p > after]
        return (fresh[-1][0] if fresh else after), {u for _, u in fresh}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cache_with(feed: Feed, clock: Clock) -> KeyCache:
    return KeyCache(ttl=30.0, changes=feed, refresh=2.0, clock=clock)


def remember(cache: KeyCache, key: str, principal: Principal) -> None:
    """What the gateway does on a miss: mark, verify (elsewhere), put."""
    assert cache.get(key) is None
    cache.put(key, principal, cache.mark())


def test_a_key_is_remembered_until_its_account_changes():
    feed, clock = Feed(), Clock()
    cache = cache_with(feed, clock)
    remember(cache, "ak.bot01.k1.s", BOT)
    remember(cache, "ak.bot02.k2.s", OTHER)
    assert cache.get("ak.bot01.k1.s") == BOT
    feed.append("bot01")  # its key revoked, through another worker
    clock.now += 1.0
    assert cache.get("ak.bot01.k1.s") == BOT  # not looked again yet
    clock.now += 1.5
    assert cache.get("ak.bot01.k1.s") is None
    assert cache.get("ak.bot02.k2.s") == OTHER  # another account: kept


def test_the_events_are_read_at_most_once_per_interval():
    feed, clock = Feed(), Clock()
    cache = cache_with(feed, clock)
    remember(cache, "ak.bot01.k1.s", BOT)
    reads = feed.reads
    for _ in range(100):
        cache.get("ak.bot01.k1.s")
    assert feed.reads == reads
    clock.now += 2.5
    cache.get("ak.bot01.k1.s")
    assert feed.reads == reads + 1


def test_a_key_verified_while_the_cache_looked_is_not_remembered():
    """Verification began before a look that read past the account's change: that
    change is behind the cache already, so the answer must not be kept."""
    feed, clock = Feed(), Clock()
    cache = cache_with(feed, clock)
    mark = cache.mark()
    feed.append("bot01")  # revoked while the RPC was under way
    clock.now += 2.5
    assert cache.get("ak.other") is None  # a look happens here
    cache.put("ak.bot01.k1.s", BOT, mark)
    assert cache.get("ak.bot01.k1.s") is None


def test_with_the_store_unreachable_nothing_is_remembered():
    feed, clock = Feed(), Clock()
    cache = cache_with(feed, clock)
    remember(cache, "ak.bot01.k1.s", BOT)
    feed.down = True
    clock.now += 2.5
    assert cache.get("ak.bot01.k1.s") is None  # forgotten: changes cannot be seen
    cache.put("ak.bot01.k1.s", BOT, cache.mark())
    assert cache.get("ak.bot01.k1.s") is None
    feed.down = False
    feed.append("bot01")  # a change made while the store was out of reach
    clock.now += 2.5
    remember(cache, "ak.bot01.k1.s", BOT)  # verified anew after a good look
    assert cache.get("ak.bot01.k1.s") == BOT


def test_without_account_events_a_key_lives_its_ttl():
    clock = Clock()
    cache = KeyCache(ttl=30.0, clock=clock)
    cache.put("ak.bot01.k1.s", BOT)
    clock.now += 29
    assert cache.get("ak.bot01.k1.s") == BOT
    clock.now += 2
    assert cache.get("ak.bot01.k1.s") is None


class TestTheAccountEventsFeed:
    """gateway.service.account_changes: what the cache reads from the store."""

    def test_it_names_the_accounts_changed_and_moves_past_the_head(self):
        store = MemoryEventStore()
        meta = Metadata("organization")
        changes = account_changes(lambda: store)

        def touch(stream: str) -> None:
            store.append(stream, [NewEvent("Touched", {})], None, meta)

        touch("account-bot01")
        start, changed = changes(None)
        assert (start, changed) == (store.head(), set())  # none before the start
        touch("account-bot02")
        touch("ledger-1")
        touch("account-ops-7")  # a username may hold a dash
        after, changed = changes(start)
        assert changed == {"bot02", "ops-7"}
        touch("ledger-2")  # no account changed: the position still moves on
        again, changed = changes(after)
        assert (again, changed) == (store.head(), set())
        assert again > after
