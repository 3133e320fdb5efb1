"""Old events come back in the current shape; unknown ones are named, not guessed."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import ClassVar

import pytest

from eventing.aggregate import DomainEvent, DomainEventRegistry
from eventing.errors import InvalidEvent, UndecodablePayload, UnknownEventType
from eventing.events import Envelope, EventRegistry, Upcaster


def envelope(type: str, schema_version: int, data: dict[str, object]) -> Envelope:
    return Envelope(
        "00000000-0000-0000-0000-000000000001", type, schema_version, "complaint-1",
        1, 1, datetime(2026, 1, 1, tzinfo=UTC), "complaints", None, None, None, None,
        data, "0" * 64, "0" * 64,
    )  # fmt: skip


class Outcome(enum.Enum):
    SUBSTANTIATED = "substantiated"
    UNSUBSTANTIATED = "unsubstantiated"


class TestUpcasting:
    def test_upcasters_chain_from_an_old_version_to_the_current_one(self):
        registry = EventRegistry()
        registry.register(
            "ComplaintConcluded",
            3,
            {
                1: lambda d: {"findings": d["text"]},
                2: lambda d: {**d, "outcome": d.get("outcome", "substantiated")},
            },
        )
        current = registry.upcast("ComplaintConcluded", 1, {"text": "late twice"})
        assert current == {"findings": "late twice", "outcome": "substantiated"}
        assert registry.upcast("ComplaintConcluded", 3, {"x": 1}) == {"x": 1}

    def test_a_registration_without_every_upcaster_is_refused(self):
        with pytest.raises(InvalidEvent, match=r"\[1\]"):
            EventRegistry().register("ComplaintConcluded", 3, {2: dict})

    def test_an_unknown_type_is_named(self):
        with pytest.raises(UnknownEventType, match="Nope"):
            EventRegistry().upcast("Nope", 1, {})

    def test_a_schema_newer_than_the_reader_asks_for_an_upgrade(self):
        registry = EventRegistry()
        registry.register("ComplaintReceived")
        with pytest.raises(UndecodablePayload, match="upgrade"):
            registry.upcast("ComplaintReceived", 2, {})


registry = DomainEventRegistry()


@registry.event
@dataclass(frozen=True)
class ComplaintConcluded(DomainEvent):
    complaint_id: str
    outcome: Outcome
    concluded_on: date
    persons: tuple[str, ...]
    note: str | None = None

    schema_version = 2
    upcasters: ClassVar[Mapping[int, Upcaster]] = {1: lambda d: {**d, "persons": []}}


class TestDomainEvents:
    def test_a_domain_event_round_trips_dates_enums_and_tuples(self):
        event = ComplaintConcluded(
            "c-1", Outcome.SUBSTANTIATED, date(2026, 3, 2), ("p-1", "p-2")
        )
        new = registry.to_new_event(event)
        assert new.schema_version == 2
        assert new.data["concluded_on"] == "2026-03-02"
        decoded = registry.decode(envelope(new.type, 2, dict(new.data)))
        assert decoded == event

    def test_an_old_domain_event_is_upcast_before_it_is_built(self):
        old = {"complaint_id": "c-1", "outcome": "unsubstantiated",
               "concluded_on": "2026-03-02"}  # fmt: skip
        decoded = registry.decode(envelope("ComplaintConcluded", 1, old))
        assert decoded == ComplaintConcluded(
            "c-1", Outcome.UNSUBSTANTIATED, date(2026, 3, 2), ()
        )

    def test_a_payload_that_does_not_fit_the_class_is_undecodable(self):
        bad = {"complaint_id": "c-1", "outcome": "maybe", "concluded_on": "x",
               "persons": []}  # fmt: skip
        with pytest.raises(UndecodablePayload, match="ComplaintConcluded"):
            registry.decode(envelope("ComplaintConcluded", 2, bad))
