"""The audit trail over the in-memory store: history, state as of, verification."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from eventing.aggregate import DomainEvent
from eventing.store.memory import MemoryEventStore
from gateway import audit
from services.common.errors import InvalidInput, NotFound
from services.ledger.domain.model import Category
from services.organization.domain import Account
from services.organization.domain import registry as organization
from services.organization.domain.events import AccountOpened
from services.organization.domain.model import AccountKind
from tests.unit.gateway import builders as b

START = datetime(2026, 4, 10, 2, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> MemoryEventStore:
    return MemoryEventStore(clock=clock)


class TestHistory:
    def test_every_event_comes_with_who_when_why_and_its_hash(self, store):
        complaint = b.complaint(store, "zjj", "zjj.u1", stage="closed")
        events = audit.history(store, complaint.stream)["events"]
        assert [e["version"] for e in events] == list(range(1, len(events) + 1))
        assert events[0]["type"] == "ComplaintReceived"
        assert events[0]["actor"] == "tester"
        assert events[0]["correlation_id"]
        closing = events[-1]
        assert closing["type"] == "ComplaintClosed" and closing["reason"] == "办结"
        assert closing["prev_hash"] == events[-2]["hash"]
        assert all(e["position"] > 0 and e["recorded_at"] for e in events)

    def test_reporter_data_stays_redacted(self, store):
        complaint = b.complaint(store, "zjj", "zjj.u1")
        [received] = audit.history(store, complaint.stream)["events"]
        assert received["data"]["reporter_ref"] == audit.REDACTED
        assert received["data"]["receipt_code_hash"] == audit.REDACTED
        assert "reporter-ref-secret" not in str(received)
        assert received["hash"] == store.read_stream(complaint.stream)[0].hash

    def test_another_bureaus_record_is_not_found(self, store):
        item = b.ledger_item(store, "zjj", "zjj.u1")
        assert audit.history(store, item.stream, bureau_id="zjj")["events"]
        with pytest.raises(NotFound):
            audit.history(store, item.stream, bureau_id="jtj")
        with pytest.raises(NotFound):
            audit.history(store, "ledger_item-nothing-here")
        with pytest.raises(InvalidInput):
            audit.history(store, "Not A Stream")


class TestStateAsOf:
    def test_a_ledger_item_is_shown_as_it_stood_by_the_ledger_views(self, store, clock):
        item = b.ledger_item(store, "zjj", "zjj.u1")
        between = clock.advance(days=1)
        clock.advance(days=1)
        item.note_progress("第一轮整改", "info-officer", clock.now)
        b.save(store, b.ledger_registry, item, "ledger", "zjj")
        before = audit.state_as_of(store, item.stream, between)
        now = audit.state_as_of(store, item.stream, clock.advance(seconds=1))
        assert before["rendered_by"] == "ledger.views.item"
        assert before["state"]["notes"] == [] and now["state"]["notes"] == [
            "第一轮整改"
        ]
        assert before["state"]["category"] == Category.SLOW.value
        assert before["version"] == now["version"] - 1

    def test_before_its_first_event_the_record_did_not_exist(self, store, clock):
        item = b.ledger_item(store, "zjj", "zjj.u1")
        answer = audit.state_as_of(store, item.stream, START - timedelta(days=1))
        assert answer["exists"] is False and answer["state"] is None

    def test_a_complaint_is_rendered_by_the_complaints_view_without_reporter(
        self, store
    ):
        complaint = b.complaint(store, "zjj", "zjj.u1", stage="decided")
        answer = audit.state_as_of(store, complaint.stream, START + timedelta(days=1))
        assert answer["rendered_by"] == "complaints.views.complaint"
        assert answer["state"]["state"] == "accountability_decided"
        assert "reporter-ref-secret" not in str(answer)

    def test_a_category_without_a_view_gets_a_redacted_generic_fold(self, store):
        account = Account("zjj.clerk")
        account._raise(
            _opened(username="zjj.clerk", kind=AccountKind.PERSON, bureau_id="zjj",
                    person_id=None, roles=("staff",), password_hash="secret-hash")
        )  # fmt: skip
        b.save(store, organization, account, "organization", "zjj")
        answer = audit.state_as_of(store, account.stream, START + timedelta(days=1))
        assert answer["rendered_by"] == "generic_fold"
        assert answer["state"]["username"] == "zjj.clerk"
        assert answer["state"]["password_hash"] == audit.REDACTED


def _opened(**fields: object) -> DomainEvent:
    return AccountOpened(**fields)  # type: ignore[arg-type]


class TestVerify:
    def test_an_intact_log_verifies(self, store):
        b.ledger_item(store, "zjj", "zjj.u1", state="closed")
        b.complaint(store, "zjj", "zjj.u1", stage="closed")
        answer = audit.verify(store)
        assert answer["intact"] and answer["first_broken"] is None
        assert answer["streams"] == 2

    def test_an_edited_event_is_named_as_the_first_broken_link(self, store):
        item = b.ledger_item(store, "zjj", "zjj.u1", state="closed")
        [third] = store.read_stream(item.stream, 3, limit=1)
        store.tamper(item.stream, 3, dataclasses.replace(third, data={"n": 1}))
        answer = audit.verify(store)
        assert not answer["intact"]
        assert answer["first_broken"]["stream"] == item.stream
        assert answer["first_broken"]["version"] == 3
        one = audit.verify(store, item.stream)
        assert one["first_broken"] == answer["first_broken"]


class TestNewerServices:
    def test_an_evaluation_round_is_rendered_by_its_own_views(self, store):
        round_id = b.evaluation_round(store, "zjj", ["zjj.u1", "zjj.u2"])
        stream = f"evaluation_round-{round_id}"
        answer = audit.state_as_of(store, stream, START + timedelta(days=1))
        assert answer["rendered_by"].startswith("evaluation.views")
        assert answer["state"]["results"]["state"] == "tallied"
        [opened, *_] = audit.history(store, stream)["events"]
        assert opened["data"]["electorate"] == audit.REDACTED
        assert "voter-1" not in str(answer) + str(opened)
