"""The ledger service for real: `nameko run` of ledger and organization, RabbitMQ
RPC (also ledger → organization for the org chart), PostgreSQL store, the timer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from eventing.store import open_store
from services.common.errors import InvalidInput, NotFound
from services.common.rpc import deserializable
from services.ledger.domain import errors as ledger_errors
from services.ledger.domain.errors import (
    NotSubmittedForVerification,
    OwnItem,
    SupervisorNotEligible,
    SupervisorOfAnotherBureau,
)
from tests.support.nameko_run import with_organization
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

deserializable(ledger_errors)  # typed errors arrive as their classes on this side

ADMIN = {"bureau_id": "b01", "actor": "account:admin01"}
COMMITTEE = "b01.001001"  # on the committee, head of b01.u001
OFFICE = "b01.001002"  # the leading group office
HEAD = "b01.002001"  # head of b01.u002 (and on the committee in the sample)
CLERK = "b01.002004"  # staff of b01.u002
OFFICER = {"bureau_id": "b01", "actor": "b01.002003"}
AS_LEADER = {"bureau_id": "b01", "actor": COMMITTEE}
AS_CLERK = {"bureau_id": "b01", "actor": CLERK}
ITEM = {
    "level": "unit",
    "unit_id": "b01.u002",
    "category": "slow",
    "source": "spot_check",
    "reference": "抽查-2026-01",
    "description": "窗口审批环节多，材料齐全仍需往返两次",
    "found_on": "2026-01-05",
}


def running(
    directory: Path, store_uri: str, amqp_uri: str
) -> AbstractContextManager[Any]:
    """Organization (with a small chart imported) and ledger running, the escalation
    timer every second; a proxy."""
    return with_organization(
        "ledger", directory, store_uri, amqp_uri, {"LEDGER_ESCALATION_INTERVAL": 1}
    )


@pytest.fixture(scope="module")
def proxy(
    tmp_path_factory: pytest.TempPathFactory,
    module_store_db: str,
    module_amqp_uri: str,
) -> Iterator[Any]:
    """The services shared by this module's item tests, started once (starting and
    stopping them is most of a test's time). Module-scoped, so each test opens its
    own items (random ids) and reads only their streams, never the whole log. The
    module's own vhost and store keep them apart from `own_proxy`'s services."""
    with running(
        tmp_path_factory.mktemp("ledger_rpc"), module_store_db, module_amqp_uri
    ) as cluster:
        yield cluster


@pytest.fixture
def own_proxy(tmp_path: Path, store_db: str, amqp_uri: str) -> Iterator[Any]:
    """Services of one test alone, on an empty store: for a test that lists every
    overdue item of the bureau (the timer would escalate other tests' items too)."""
    with running(tmp_path, store_db, amqp_uri) as cluster:
        yield cluster


def opened(ledger: Any, **fields: Any) -> str:
    return str(ledger.open_item({**ITEM, **fields}, OFFICER)["item_id"])


def plan(ledger: Any, item_id: str, leader: str = COMMITTEE) -> dict[str, Any]:
    return dict(
        ledger.plan_rectification(
            {
                "item_id": item_id,
                "measures": ["精简审批材料清单", "推行一次告知制"],
                "leader_id": leader,
                "deadline": "2026-01-31",
            },
            OFFICER,
        )
    )


class TestAnItemOverRpc:
    def test_an_item_is_planned_submitted_and_closed_by_its_leader(
        self, proxy, module_store_db
    ):
        ledger = proxy.ledger
        item_id = opened(ledger)
        assert plan(ledger, item_id)["leader_id"] == COMMITTEE
        with pytest.raises(NotSubmittedForVerification):
            ledger.verify_rectification(
                {
                    "item_id": item_id,
                    "verdict": "verified",
                    "verified_on": "2026-01-20",
                },
                AS_LEADER,
            )
        ledger.submit_rectification({"item_id": item_id, "summary": "已整改"}, OFFICER)
        closed = ledger.verify_rectification(
            {"item_id": item_id, "verdict": "verified", "verified_on": "2026-01-20"},
            AS_LEADER,
        )
        assert closed == {
            **closed,
            "state": "closed",
            "verifier_id": COMMITTEE,
            "verified_on": "2026-01-20",
        }
        store = open_store(module_store_db)
        try:
            types = [e.type for e in store.read_stream(f"ledger_item-{item_id}")]
            assert types[0] == "ItemOpened" and types[-1] == "ItemVerified"
            assert store.verify().ok
        finally:
            store.close()

    def test_the_org_chart_decides_who_may_supervise(self, proxy):
        ledger = proxy.ledger
        item_id = opened(ledger)
        with pytest.raises(SupervisorOfAnotherBureau) as raised:
            plan(ledger, item_id, leader="b02.001001")
        assert "督办" in raised.value.message("zh-CN")
        with pytest.raises(SupervisorNotEligible):
            plan(ledger, item_id, leader=CLERK)
        assert plan(ledger, item_id, leader=HEAD)["leader_id"] == HEAD

    def test_nobody_verifies_their_own_item_over_rpc(self, proxy):
        ledger = proxy.ledger
        item_id = opened(ledger, level="individual", person_id=COMMITTEE)
        plan(ledger, item_id)
        ledger.submit_rectification({"item_id": item_id, "summary": "已整改"}, OFFICER)
        with pytest.raises(OwnItem):
            ledger.verify_rectification(
                {
                    "item_id": item_id,
                    "verdict": "verified",
                    "verified_on": "2026-01-20",
                },
                AS_LEADER,
            )
        office = {"bureau_id": "b01", "actor": OFFICE}
        verified = ledger.verify_rectification(
            {"item_id": item_id, "verdict": "verified", "verified_on": "2026-01-20"},
            office,
        )
        assert verified["verifier_id"] == OFFICE

    def test_bad_input_and_other_bureaus_are_typed_errors(self, proxy):
        ledger = proxy.ledger
        with pytest.raises(InvalidInput) as raised:
            ledger.open_item({**ITEM, "source": "pigeon"}, OFFICER)
        assert set(raised.value.details["fields"]) == {"source"}
        item_id = opened(ledger)
        with pytest.raises(NotFound):
            ledger.get_item({"item_id": item_id}, {"bureau_id": "b02", "actor": "x"})


class TestTheEscalationTimer:
    def test_a_past_deadline_becomes_overdue_and_escalates_on_its_own(
        self, own_proxy, store_db
    ):
        ledger = own_proxy.ledger
        item_id = opened(ledger)
        plan(ledger, item_id)  # deadline 31 January 2026, long past

        def escalated() -> bool:  # the list is eventually consistent
            items = ledger.list_overdue_items({}, OFFICER)["items"]
            return bool(items) and items[0]["escalation_level"] == 2

        wait_until(escalated, timeout=30, interval=0.5, describe=lambda: "level 2")
        [item] = ledger.list_overdue_items({}, OFFICER)["items"]
        assert item["item_id"] == item_id
        assert item["overdue_since"] is not None
        assert item["overdue_days"] > 14
        time.sleep(2.5)  # a few more ticks (one a second) raise nothing again
        store = open_store(store_db)
        try:
            types = [e.type for e in store.read_stream(f"ledger_item-{item_id}")]
        finally:
            store.close()
        assert types.count("ItemOverdue") == 1
        assert types.count("ItemEscalated") == 2
