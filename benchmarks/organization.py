"""Issue 4's row: importing a district's org chart from .xlsx through the handlers.

Ours: events written per second by the whole import (read the workbook, check every
row, plan, write), timed once on an empty store. Baseline: the foundation's raw append
rate in the same run and database (single-event appends through the port by as many
threads as the import uses). The target is absolute: the import finishes within 120 s.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from time import perf_counter

from benchmarks.measure import Comparison, run_threads
from benchmarks.settings import Sizes
from eventing.aggregate import CommandContext
from eventing.events import Metadata, NewEvent
from eventing.store.postgres import PostgresEventStore
from services.organization.handlers import OrganizationHandlers
from services.organization.passwords import Argon2Hasher
from services.organization.samples import sample_rows, write_rows
from services.organization.xlsx import read_workbook

WORKERS = 4


class OrgImportBench:
    """One district import, then the raw append rate on the same database."""

    def __init__(self, db: str, sizes: Sizes) -> None:
        self.db = db
        self.sizes = sizes

    def compare(self) -> Comparison:
        sizes = self.sizes
        workbook = write_rows(
            sample_rows(
                bureaus=sizes.org_bureaus,
                units=sizes.org_units,
                people_per_unit=sizes.org_people,
            )
        )
        store = PostgresEventStore(self.db, pool_size=WORKERS + 2, notify=sizes.notify)
        try:
            org = OrganizationHandlers(
                store, lambda: datetime.now(UTC), Argon2Hasher(), import_workers=WORKERS
            )
            started = perf_counter()
            result = org.import_chart(
                read_workbook(workbook), CommandContext(None, "bench")
            )
            elapsed = perf_counter() - started
            raw = run_threads([self._raw_append(store)] * WORKERS, sizes.duration * 2)
        finally:
            store.close()
        comparison = Comparison(ours=[result["events"] / elapsed], baseline=[raw])
        comparison.elapsed = elapsed
        comparison.notes.append(
            f"{result['rows']:,} rows, {result['events']:,} events in {elapsed:.1f} s"
        )
        return comparison

    @staticmethod
    def _raw_append(store: PostgresEventStore):  # type: ignore[no-untyped-def]
        meta = Metadata(service="bench", bureau_id="b00", actor="bench")
        numbers = itertools.count()

        def op() -> int:
            n = next(numbers)
            store.append(
                f"raw-{uuid.uuid4().hex}", [NewEvent("Appended", {"n": n})], 0, meta
            )
            return 1

        return op
