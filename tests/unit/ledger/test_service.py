"""The Nameko entrypoints: payloads in, dicts out, typed errors that survive RPC,
the complaints consumer and the escalation timer."""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import pytest
from nameko.exceptions import deserialize, serialize
from nameko.testing.services import worker_factory

from eventing.store.memory import MemoryEventStore
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.timers import ConfiguredTimer
from services.ledger.domain import item_id_for_complaint
from services.ledger.domain.errors import (
    NotAVerifier,
    OwnItem,
    SupervisorOfAnotherBureau,
)
from services.ledger.handlers import MemoryOrgChart
from services.ledger.service import EXPECTED, LedgerService
from tests.unit.ledger.test_handlers import (
    COMMITTEE,
    FOREIGN_LEADER,
    OFFICER,
    UNIT,
    Clock,
    org_chart,
    substantiated,
)

CTX = {"bureau_id": "zjj", "actor": OFFICER}
LEADER = {"bureau_id": "zjj", "actor": COMMITTEE}
ITEM = {
    "level": "unit",
    "unit_id": UNIT,
    "category": "slow",
    "source": "spot_check",
    "reference": "spot-check-2026-04",
    "description": "窗口审批环节多",
    "found_on": "2026-04-10",
}


class FakeOrganization:
    """The organization service's RPCs the ledger calls, over a MemoryOrgChart."""

    def __init__(self, chart: MemoryOrgChart) -> None:
        self.chart = chart
        self.calls: list[str] = []

    def get_bureau(self, payload: Any, context: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("get_bureau")
        bureau = context["bureau_id"]
        return {
            "bureau_id": bureau,
            "committee": sorted(self.chart.committee.get(bureau, set())),
            "leading_group_office": sorted(self.chart.office(bureau)),
        }

    def get_unit(self, payload: Any, context: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("get_unit")
        unit = self.chart.unit(context["bureau_id"], payload["unit_id"])
        if unit is None:
            raise NotFound(kind="unit", id=payload["unit_id"])
        return {
            "unit_id": unit.unit_id,
            "service_window": unit.service_window,
            "head_id": unit.head_id,
        }

    def get_person(self, payload: Any, context: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("get_person")
        person = self.chart.person(context["bureau_id"], payload["person_id"])
        if person is None:
            raise NotFound(kind="person", id=payload["person_id"])
        return {"person_id": person.person_id, "unit_id": person.unit_id}

    def get_campaign(self, payload: Any, context: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("get_campaign")
        settings = self.chart.campaign_settings(context["bureau_id"], payload["year"])
        if settings is None:
            from services.organization.domain.errors import PlanYearUnknown

            raise PlanYearUnknown(year=payload["year"])
        return {"settings": settings}


@pytest.fixture
def store() -> MemoryEventStore:
    return MemoryEventStore()


@pytest.fixture
def service(store: MemoryEventStore) -> LedgerService:
    return worker_factory(
        LedgerService,
        store=store,
        clock=Clock(),
        organization=FakeOrganization(org_chart()),
    )


def planned(service: LedgerService) -> str:
    item_id = str(service.open_item(ITEM, CTX)["item_id"])
    service.plan_rectification(
        {
            "item_id": item_id,
            "measures": ["精简材料"],
            "leader_id": COMMITTEE,
            "deadline": "2026-05-31",
        },
        CTX,
    )
    return item_id


class TestEntrypoints:
    def test_an_item_goes_from_opening_to_closure(self, service):
        item_id = planned(service)
        service.submit_rectification({"item_id": item_id, "summary": "已整改"}, CTX)
        with pytest.raises(NotAVerifier):
            service.verify_rectification(
                {
                    "item_id": item_id,
                    "verdict": "verified",
                    "verified_on": "2026-04-10",
                },
                {"bureau_id": "zjj", "actor": "zjj.2005"},
            )
        closed = service.verify_rectification(
            {"item_id": item_id, "verdict": "verified", "verified_on": "2026-04-10"},
            LEADER,
        )
        assert closed["state"] == "closed"
        assert service.get_item({"item_id": item_id}, CTX)["verifier_id"] == COMMITTEE

    def test_the_supervising_leader_is_checked_against_the_organization(self, service):
        item_id = str(service.open_item(ITEM, CTX)["item_id"])
        with pytest.raises(SupervisorOfAnotherBureau):
            service.plan_rectification(
                {"item_id": item_id, "measures": ["x"], "leader_id": FOREIGN_LEADER},
                CTX,
            )
        assert "get_person" in service.organization.calls

    def test_a_bad_payload_names_every_bad_field(self, service):
        with pytest.raises(InvalidInput) as raised:
            service.open_item({"level": "team", "found_on": "yesterday"}, CTX)
        assert {"level", "category", "source", "found_on"} <= set(
            raised.value.details["fields"]
        )
        with pytest.raises(InvalidInput):
            service.get_indicators({"start": "2026-06-30", "end": "2026-01-01"}, CTX)

    def test_settings_travel_in_the_payload(self, service):
        item_id = str(service.open_item(ITEM, CTX)["item_id"])
        planned = service.plan_rectification(
            {
                "item_id": item_id,
                "measures": ["x"],
                "leader_id": COMMITTEE,
                "settings": {"ledger": {"default_deadline_days": 10}},
            },
            CTX,
        )
        assert planned["deadline"] == "2026-04-20"
        with pytest.raises(InvalidInput):
            service.plan_rectification(
                {"item_id": item_id, "measures": ["x"], "leader_id": COMMITTEE,
                 "settings": [1]},
                CTX,
            )  # fmt: skip

    def test_every_entrypoint_documents_its_payload(self):
        entrypoints = [
            (name, method)
            for name, method in inspect.getmembers(LedgerService)
            if inspect.isfunction(method)
            and not name.startswith("_")
            and not name.startswith(("on_", "escalate_"))
        ]
        assert len(entrypoints) >= 22
        for name, method in entrypoints:
            assert "{" in (method.__doc__ or ""), name


class TestTheComplaintsConsumer:
    def test_a_redelivered_complaint_still_opens_exactly_one_item(self, service, store):
        message = substantiated(store, "c7").to_dict()
        for _ in range(3):
            service.on_complaint_substantiated(message)
        item = service.get_complaint_item({"complaint_id": "c7"}, CTX)
        assert item["item_id"] == item_id_for_complaint("c7")
        assert len(store.read_stream(f"ledger_item-{item['item_id']}")) == 1


class TestTheEscalationTimer:
    def test_a_tick_raises_what_is_due_today_once(self, service, store):
        item_id = planned(service)
        service.clock.advance(60)  # 9 June: overdue since 1 June, level 1 on 7 June
        assert service.escalate_overdue_items()["events"] == 2
        assert service.escalate_overdue_items()["events"] == 0
        types = [e.type for e in store.read_stream(f"ledger_item-{item_id}")]
        assert types[-2:] == ["ItemOverdue", "ItemEscalated"]
        [overdue] = service.list_overdue_items({}, CTX)["items"]
        assert overdue["item_id"] == item_id

    def test_the_interval_comes_from_the_config(self):
        timer = ConfiguredTimer(3600, key="LEDGER_ESCALATION_INTERVAL")
        timer.container = SimpleNamespace(config={"LEDGER_ESCALATION_INTERVAL": "60"})
        timer.setup()
        assert timer.interval == 60.0


class TestErrorsOverRpc:
    @pytest.mark.parametrize(
        "error",
        [
            OwnItem(item_id="i1"),
            SupervisorOfAnotherBureau(leader_id="jtj.1", bureau_id="zjj"),
            Conflict(reason="stream moved on"),
        ],
    )
    def test_a_domain_error_arrives_as_its_own_class_with_its_details(self, error):
        assert type(error) in EXPECTED
        received = deserialize(serialize(error))
        assert type(received) is type(error)
        assert received.details == error.details
