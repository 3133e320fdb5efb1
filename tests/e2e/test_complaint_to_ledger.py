"""From a complaint to a closed ledger item, every part real: the organization,
complaints and ledger services under `nameko run`, the relay, RabbitMQ, PostgreSQL.

A report is filed and substantiated; the relay delivers ComplaintSubstantiated; the
ledger opens the complaint's one item; the unit plans and submits its
rectification; the supervising leader (a party committee member) verifies it: 销号.
Replaying every event from position 0 opens nothing twice."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from eventing.migrate import apply
from services.common.errors import NotFound
from services.common.rpc import POSITION, deserializable
from services.ledger.domain import errors as ledger_errors
from services.ledger.domain import item_id_for_complaint
from services.organization.samples import sample_rows, write_rows
from tests.support.broker import rabbitmqctl, vhost_of
from tests.support.fixtures import Relays
from tests.support.nameko_run import NamekoServices
from tests.support.processes import Process
from tests.support.store import checkpoint, last_position, reset_checkpoint
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

deserializable(ledger_errors)  # the ledger's typed errors arrive as their classes

MIGRATIONS = Path(__file__).parents[2] / "services" / "complaints" / "migrations"
LEDGER_QUEUE = (
    "evt-complaints-ComplaintSubstantiated--ledger.on_complaint_substantiated"
)

BUREAU = "b01"
ADMIN = {"bureau_id": BUREAU, "actor": "account:admin01"}
COMMITTEE = "b01.001001"  # party committee member: the supervising leader
INVESTIGATOR = "b01.001003"
OPERATOR = {"bureau_id": BUREAU, "actor": "b01.001004"}
AS_INVESTIGATOR = {"bureau_id": BUREAU, "actor": INVESTIGATOR}
OFFICER = {"bureau_id": BUREAU, "actor": "b01.002004"}  # keeps the unit's ledger
AS_LEADER = {"bureau_id": BUREAU, "actor": COMMITTEE}


@dataclass
class System:
    processes: list[Process]
    relays: Relays
    relay_name: str
    rpc: Any
    store_uri: str
    amqp_uri: str
    relay: Process | None = None

    def start_relay(self) -> Process:
        self.relay = self.relays.start(self.relay_name)
        return self.relay

    def substantiate(self, description: str) -> str:
        """File a report at unit b01.u002 and take it to a substantiated finding."""
        complaints = self.rpc.complaints
        answer = complaints.receive_complaint(
            {
                "unit_id": "b01.u002",
                "channel": "hotline",
                "category": "slow",
                "description": description,
                "reporter_name": "王小明",
                "reporter_contact": "13800000000",
            },
            OPERATOR,
        )
        cid = str(answer["complaint"]["complaint_id"])
        complaints.accept_complaint({"complaint_id": cid}, OPERATOR)
        complaints.assign_investigator(
            {"complaint_id": cid, "investigator_id": INVESTIGATOR}, OPERATOR
        )
        complaints.start_investigation({"complaint_id": cid}, AS_INVESTIGATOR)
        concluded = complaints.conclude_investigation(
            {
                "complaint_id": cid,
                "outcome": "substantiated",
                "findings": "查实：窗口人员多次要求重复提交材料",
            },
            AS_INVESTIGATOR,
        )
        assert concluded["state"] == "concluded"
        return cid

    def item_of(self, complaint_id: str) -> dict[str, Any] | None:
        try:
            item: dict[str, Any] = self.rpc.ledger.get_complaint_item(
                {"complaint_id": complaint_id}, OFFICER
            )
        except NotFound:
            return None
        return item

    def wait_for_item(self, complaint_id: str) -> dict[str, Any]:
        return wait_until(
            lambda: self.item_of(complaint_id),
            timeout=60,
            interval=0.2,
            describe=self.explain(f"the ledger item of complaint {complaint_id}"),
        )

    def ledger_streams(self) -> dict[str, int]:
        """Events per `ledger_item-*` stream, and how many opened it."""
        with psycopg.connect(self.store_uri, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT stream, count(*) FROM eventing.events "
                "WHERE category = 'ledger_item' AND type = 'ItemOpened' "
                "GROUP BY stream"
            ).fetchall()
        return {str(stream): int(count) for stream, count in rows}

    def ledger_queue_idle(self) -> bool:
        """Nothing ready or unacknowledged in the ledger's queue of the run's vhost."""
        listed = rabbitmqctl(
            "list_queues", "-p", vhost_of(self.amqp_uri), "name", "messages"
        )
        for line in listed.splitlines():
            fields = line.split("\t")
            if fields[0] == LEDGER_QUEUE:
                return fields[1].strip() == "0"
        return False

    def explain(self, goal: str) -> Callable[[], str]:
        def describe() -> str:
            running = [*self.processes, *filter(None, [self.relay])]
            logs = "\n".join(f"--- {p.argv[-1]}:\n{p.tail(15)}" for p in running)
            position = checkpoint(self.store_uri, self.relay_name)
            return (
                f"{goal}; relay at {position} of {last_position(self.store_uri)}"
                f"\n{logs}"
            )

        return describe


@pytest.fixture
def system(
    nameko_services: NamekoServices,
    relays: Relays,
    relay_name: str,
    rpc: Any,
    store_uri: str,
    amqp_uri: str,
) -> System:
    apply(store_uri, MIGRATIONS, table="complaints_service")
    started = nameko_services.start_all(
        ("services.organization.service", "rpc-organization"),
        ("services.complaints.service", "rpc-complaints"),
        # The consumer's queue must exist before the relay publishes to it.
        ("services.ledger.service", "rpc-ledger", LEDGER_QUEUE),
    )
    rows = sample_rows(units=3, people_per_unit=4, seed=5)
    rpc.organization.import_org_chart(
        {"workbook": base64.b64encode(write_rows(rows)).decode()}, ADMIN
    )
    return System(started, relays, relay_name, rpc, store_uri, amqp_uri)


class TestFromAComplaintToAClosedLedgerItem:
    def test_a_substantiated_complaint_is_rectified_and_closed_exactly_once(
        self, system: System
    ) -> None:
        system.start_relay()
        cid = system.substantiate("窗口办事拖拉，材料齐全仍让跑三趟")

        item = system.wait_for_item(cid)
        item_id = item_id_for_complaint(cid)
        assert item == {
            **item,
            "item_id": item_id,
            "bureau_id": BUREAU,
            "unit_id": "b01.u002",
            "level": "unit",
            "category": "slow",
            "source": "complaint",
            "reference": cid,
            "description": "查实：窗口人员多次要求重复提交材料",
            "state": "open",
        }

        ledger = system.rpc.ledger
        planned = ledger.plan_rectification(
            {
                "item_id": item_id,
                "measures": ["一次性告知所需材料", "窗口首问负责制"],
                "leader_id": COMMITTEE,
            },
            OFFICER,
        )
        assert planned["leader_id"] == COMMITTEE and planned["deadline"]
        ledger.note_progress({"item_id": item_id, "note": "清单已上墙"}, OFFICER)
        ledger.submit_rectification(
            {"item_id": item_id, "summary": "材料清单已精简，首问负责制已落实"},
            OFFICER,
        )
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
        closed = ledger.verify_rectification(
            {
                "item_id": item_id,
                "verdict": "verified",
                "verified_on": today,
                "remarks": "整改到位，同意销号",
            },
            AS_LEADER,
        )
        assert closed == {
            **closed,
            "state": "closed",
            "verifier_id": COMMITTEE,
            "verified_on": today,
        }
        assert isinstance(closed.pop(POSITION), int)  # where its events end
        # The unit's ledger folds the bureau's events as followers read them (below
        # the cluster's oldest running transaction): eventually consistent.
        wait_until(
            lambda: (
                ledger.list_unit_items({"unit_id": "b01.u002"}, OFFICER)["items"]
                == [closed]
            ),
            timeout=30,
            interval=0.2,
            describe=system.explain("the closed item in the unit's ledger"),
        )

        # The report itself, to its end: accountability, the reply, the reporter's
        # verdict, closed as resolved (有举必查, 有查必果).
        complaints = system.rpc.complaints
        complaints.decide_accountability(
            {"complaint_id": cid, "kind": "written_self_criticism",
             "person_ids": ["b01.002003"], "reason": "窗口首问责任人"},
            OPERATOR,
        )  # fmt: skip
        complaints.reply_to_reporter(
            {"complaint_id": cid, "reply": "经查属实，已整改并销号，材料清单已公示"},
            OPERATOR,
        )
        complaints.record_satisfaction(
            {"complaint_id": cid, "satisfaction": "satisfied"}, OPERATOR
        )
        case = complaints.close_complaint(
            {"complaint_id": cid, "resolved": True, "reason": "已整改到位"}, OPERATOR
        )
        assert (case["state"], case["resolved"]) == ("closed", True)

        # Every event again, from the start: the complaint opens nothing twice.
        assert system.relay is not None and system.relay.terminate() == 0
        reset_checkpoint(system.store_uri, system.relay_name, 0)
        system.start_relay()
        # A second complaint after the replay: once its item is there, the replayed
        # ComplaintSubstantiated (earlier in the same queue) has been consumed.
        second = system.substantiate("同一窗口再次被投诉推诿扯皮")
        system.wait_for_item(second)
        wait_until(
            system.ledger_queue_idle,
            timeout=60,
            interval=0.2,
            describe=system.explain("the ledger's queue to drain"),
        )

        assert system.ledger_streams() == {
            f"ledger_item-{item_id}": 1,
            f"ledger_item-{item_id_for_complaint(second)}": 1,
        }
        again = ledger.get_item({"item_id": item_id}, OFFICER)
        assert again == closed
        assert all(p.alive() for p in system.processes)
