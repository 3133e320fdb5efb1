"""The public endpoints' rate limits hold across gateway processes: the buckets live in
PostgreSQL, so N workers or replicas do not give a client N times the rate."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from gateway.api.ratelimit import SharedTokenBuckets
from gateway.api.sessions import Sessions

pytestmark = pytest.mark.integration


@pytest.fixture
def sessions(readmodel_db: str) -> Iterator[list[Sessions]]:
    """Two gateway processes' sessions over one database (as two workers have)."""
    opened = [Sessions(readmodel_db, min_size=1, max_size=4) for _ in range(2)]
    for each in opened:
        each.open()
    yield opened
    for each in opened:
        each.close()


class Broken:
    """A database that does not answer."""

    def take_token(self, *args: object, **kwargs: object) -> bool:
        raise OSError("connection refused")


class TestSharedBuckets:
    def test_two_processes_take_from_one_bucket(self, sessions):
        first, second = (
            SharedTokenBuckets(each, "api", rate=0.01, burst=6) for each in sessions
        )
        taken = [
            limiter.take("203.0.113.7") for _ in range(5) for limiter in (first, second)
        ]
        assert taken == [True] * 6 + [False] * 4
        # another client and another scope have buckets of their own
        assert first.take("203.0.113.8") is True
        assert SharedTokenBuckets(sessions[0], "open311", 0.01, 6).take("203.0.113.7")

    def test_concurrent_takes_never_exceed_the_burst(self, sessions):
        limiters = [SharedTokenBuckets(s, "api", rate=0.01, burst=10) for s in sessions]
        results: list[bool] = []
        lock = threading.Lock()

        def hammer(limiter: SharedTokenBuckets) -> None:
            for _ in range(10):
                allowed = limiter.take("198.51.100.9")
                with lock:
                    results.append(allowed)

        threads = [
            threading.Thread(target=hammer, args=(limiters[n % 2],)) for n in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(results) == 40
        assert results.count(True) == 10

    def test_an_empty_bucket_refills_at_the_rate(self, sessions):
        limiter = SharedTokenBuckets(sessions[0], "api", rate=10.0, burst=2)
        assert [limiter.take("192.0.2.1") for _ in range(3)] == [True, True, False]
        time.sleep(0.25)  # 2.5 tokens' worth, capped at the burst of 2
        assert [limiter.take("192.0.2.1") for _ in range(3)] == [True, True, False]

    def test_idle_full_buckets_are_pruned(self, sessions):
        limiter = SharedTokenBuckets(
            sessions[0], "api", rate=100.0, burst=1, prune_every=3
        )
        limiter.take("192.0.2.50")
        limiter.take("192.0.2.51")
        time.sleep(0.05)  # both full again after 0.01 s
        limiter.take("192.0.2.52")  # the third take prunes first
        with sessions[0].pool.connection() as conn:
            clients = {
                row[0]
                for row in conn.execute(
                    "SELECT client FROM gateway.rate_buckets WHERE scope = 'api'"
                )
            }
        assert clients == {"192.0.2.52"}

    def test_without_the_database_each_process_limits_on_its_own(self, caplog):
        limiter = SharedTokenBuckets(Broken(), "api", rate=0.01, burst=3)
        assert [limiter.take("192.0.2.9") for _ in range(4)] == [True] * 3 + [False]
        assert "fall back" in caplog.text
