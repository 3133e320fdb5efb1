"""Rows 1-3: appends through the port against plain INSERTs into a same-shape table."""

from __future__ import annotations

import itertools
from typing import Any

import psycopg

from benchmarks import fixtures
from benchmarks.measure import Comparison, Op, alternate, run_for, run_threads
from benchmarks.settings import Sizes
from eventing.store.postgres import SESSION_OPTIONS, PostgresEventStore

_numbers = itertools.count(1)


def _connect(conninfo: str) -> psycopg.Connection[Any]:
    # The same session settings the store uses, so neither side gets an advantage.
    return psycopg.connect(conninfo, autocommit=True, options=SESSION_OPTIONS)


class WriteBench:
    """Owns the store and the baseline connections for the write rows."""

    def __init__(self, conninfo: str, sizes: Sizes) -> None:
        self.sizes = sizes
        self.conninfo = conninfo
        fixtures.create_plain_table(conninfo)
        self.store = PostgresEventStore(
            conninfo, pool_size=max(sizes.writers, 4) + 1, notify=sizes.notify
        )
        self.plain = [_connect(conninfo) for _ in range(max(sizes.writers, 1))]

    def close(self) -> None:
        self.store.close()
        for conn in self.plain:
            conn.close()

    # -- one event per append --------------------------------------------------------

    def _ours_single(self) -> Op:
        store = self.store

        def op() -> int:
            store.append(
                fixtures.next_stream(),
                [fixtures.new_event(next(_numbers))],
                0,
                fixtures.METADATA,
            )
            return 1

        return op

    def _plain_single(self, conn: psycopg.Connection[Any]) -> Op:
        def op() -> int:
            row = fixtures.plain_row(fixtures.next_stream(), 1, next(_numbers))
            conn.execute(fixtures.PLAIN_INSERT, row).fetchone()
            return 1

        return op

    def single(self) -> Comparison:
        ours, plain = self._ours_single(), self._plain_single(self.plain[0])
        return self._compare(
            lambda d: run_for(ours, d),
            lambda d: run_for(plain, d),
        )

    def concurrent(self) -> Comparison:
        n = self.sizes.writers
        ours = [self._ours_single() for _ in range(n)]
        plain = [self._plain_single(conn) for conn in self.plain[:n]]
        return self._compare(
            lambda d: run_threads(ours, d),
            lambda d: run_threads(plain, d),
        )

    # -- a batch per append ------------------------------------------------------------

    def _ours_batch(self) -> Op:
        store, size = self.store, self.sizes.batch

        def op() -> int:
            first = next(_numbers)
            for _ in range(size - 1):
                next(_numbers)
            store.append(
                fixtures.next_stream(),
                [fixtures.new_event(first + i) for i in range(size)],
                0,
                fixtures.METADATA,
            )
            return size

        return op

    def _plain_batch_unnest(self) -> Op:
        conn, size = self.plain[0], self.sizes.batch

        def op() -> int:
            params = fixtures.plain_batch(fixtures.next_stream(), size, next(_numbers))
            conn.execute(fixtures.PLAIN_INSERT_UNNEST, params).fetchall()
            return size

        return op

    def _plain_batch_values(self) -> Op:
        conn, size = self.plain[0], self.sizes.batch
        statement = fixtures.plain_values_sql(size)

        def op() -> int:
            stream = fixtures.next_stream()
            params: list[Any] = []
            for version in range(1, size + 1):
                params.extend(fixtures.plain_row(stream, version, next(_numbers)))
            conn.execute(statement, params).fetchall()
            return size

        return op

    def _plain_batch_executemany(self) -> Op:
        conn, size = self.plain[0], self.sizes.batch

        def op() -> int:
            stream = fixtures.next_stream()
            rows = [
                fixtures.plain_row(stream, v, next(_numbers))
                for v in range(1, size + 1)
            ]
            with conn.transaction(), conn.cursor() as cursor:
                cursor.executemany(fixtures.PLAIN_INSERT, rows)
            return size

        return op

    def batched(self) -> Comparison:
        ours = self._ours_batch()
        baselines = {
            "unnest": self._plain_batch_unnest,
            "values": self._plain_batch_values,
            "executemany": self._plain_batch_executemany,
        }
        try:
            plain = baselines[self.sizes.batch_baseline]()
        except KeyError:
            raise ValueError(
                f"batch_baseline must be one of {sorted(baselines)}"
            ) from None
        return self._compare(
            lambda d: run_for(ours, d),
            lambda d: run_for(plain, d),
        )

    def _compare(self, ours: Any, baseline: Any) -> Comparison:
        return alternate(
            ours,
            baseline,
            duration=self.sizes.duration,
            reps=self.sizes.reps,
            warmup=self.sizes.warmup,
        )
