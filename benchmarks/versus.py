"""Row 6: saving single-event aggregates, ours against the `eventsourcing` library.

Theirs: an `eventsourcing.application.Application` with PERSISTENCE_MODULE =
eventsourcing.postgres (PostgresApplicationRecorder: a transaction that takes
LOCK TABLE ... IN EXCLUSIVE MODE, NOTIFYs and inserts), its tables in the same
throwaway database. Ours: eventing.aggregate.Repository.save over PostgresEventStore.
Each operation creates a new aggregate whose creation is one event carrying the same
ten fields, and saves it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from psycopg.conninfo import conninfo_to_dict

from benchmarks import fixtures
from benchmarks.measure import Comparison, Op, alternate, run_for, run_threads
from benchmarks.settings import Sizes
from eventing.aggregate import (
    Aggregate,
    CommandContext,
    DomainEvent,
    DomainEventRegistry,
    Repository,
)
from eventing.store.postgres import PostgresEventStore

registry = DomainEventRegistry()


@registry.event
@dataclass(frozen=True)
class ComplaintRegistered(DomainEvent):
    complaint_id: str
    bureau_id: str
    channel: str
    category: str
    summary: str
    reporter_ref: str
    anonymous: bool
    attachments: int
    received_on: str
    tags: tuple[str, ...]


class Complaint(Aggregate):
    category = "complaint"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.summary = ""

    def register(self, fields: dict[str, Any]) -> None:
        self._raise(ComplaintRegistered(**fields))

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ComplaintRegistered):
            self.summary = event.summary


def _fields(n: int) -> dict[str, Any]:
    fields = fixtures.payload(n)
    fields["tags"] = tuple(fields["tags"])
    return fields


def _their_env(conninfo: str) -> dict[str, str]:
    params = conninfo_to_dict(conninfo)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(params["dbname"]),
        "POSTGRES_HOST": str(params.get("host") or "127.0.0.1"),
        "POSTGRES_PORT": str(params.get("port") or "5432"),
        "POSTGRES_USER": str(params.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(params.get("password") or ""),
        "POSTGRES_POOL_SIZE": "8",
    }


def _their_application(conninfo: str) -> tuple[Any, Any]:
    """Their Application and aggregate class (imported only when this row runs)."""
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate as TheirAggregate
    from eventsourcing.domain import event

    class TheirComplaint(TheirAggregate):
        @event("Registered")
        def __init__(
            self,
            complaint_id: str,
            bureau_id: str,
            channel: str,
            category: str,
            summary: str,
            reporter_ref: str,
            anonymous: bool,
            attachments: int,
            received_on: str,
            tags: tuple[str, ...],
        ) -> None:
            self.summary = summary

    class Complaints(Application[uuid.UUID]):
        name = "BenchComplaints"

    return Complaints(env=_their_env(conninfo)), TheirComplaint


class VersusBench:
    def __init__(self, store: PostgresEventStore, conninfo: str, sizes: Sizes) -> None:
        self.sizes = sizes
        self.repository = Repository(store, registry, Complaint, service="complaints")
        self.context = CommandContext(bureau_id="bureau-07", actor="officer-42")
        self.app, self.their_class = _their_application(conninfo)
        self._n = 0

    def close(self) -> None:
        self.app.close()

    def _ours(self) -> Op:
        def op() -> int:
            self._n += 1
            complaint = Complaint(str(uuid.uuid4()))
            complaint.register(_fields(self._n))
            self.repository.save(complaint, self.context)
            return 1

        return op

    def _theirs(self) -> Op:
        def op() -> int:
            self._n += 1
            self.app.save(self.their_class(**_fields(self._n)))
            return 1

        return op

    def compare(self, writers: int) -> Comparison:
        if writers == 1:
            ours, theirs = self._ours(), self._theirs()
            return alternate(
                lambda d: run_for(ours, d),
                lambda d: run_for(theirs, d),
                duration=self.sizes.duration,
                reps=self.sizes.reps,
                warmup=self.sizes.warmup,
            )
        ours_ops = [self._ours() for _ in range(writers)]
        their_ops = [self._theirs() for _ in range(writers)]
        return alternate(
            lambda d: run_threads(ours_ops, d),
            lambda d: run_threads(their_ops, d),
            duration=self.sizes.duration,
            reps=self.sizes.reps,
            warmup=self.sizes.warmup,
        )
