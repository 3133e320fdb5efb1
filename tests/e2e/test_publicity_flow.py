"""From other services' events to the public board, every part real: the
organization, ledger and publicity services under `nameko run`, the relay,
RabbitMQ, PostgreSQL.

The org chart is imported: the relay delivers UnitRegistered and HotlinePublished,
and publicity records each unit's profile as of then and lists its hotline. An
inspection tour finds a unit going through the motions (走过场): the relay
delivers UnitNoticedForFormality, publicity drafts the notice of criticism, the
leading group approves it, the office publishes it. Replaying every event from
position 0 drafts nothing twice."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from services.common.errors import NotFound
from services.common.rpc import POSITION, deserializable
from services.organization.samples import sample_rows, write_rows
from services.publicity.domain import errors as publicity_errors
from services.publicity.domain.errors import NotApproved
from services.publicity.domain.model import derived_id
from tests.support.broker import rabbitmqctl, vhost_of
from tests.support.fixtures import Relays
from tests.support.nameko_run import NamekoServices
from tests.support.processes import Process
from tests.support.store import reset_checkpoint
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

deserializable(publicity_errors)

NOTICE_QUEUE = (
    "evt-ledger-UnitNoticedForFormality--publicity.on_unit_noticed_for_formality"
)
UNIT_QUEUE = "evt-organization-UnitRegistered--publicity.on_unit_registered"
BUREAU = "b01"
UNIT = "b01.u002"
ADMIN = {"bureau_id": BUREAU, "actor": "account:admin01"}
LEADER = {"bureau_id": BUREAU, "actor": "b01.001001"}  # committee, leading group
OFFICE = {"bureau_id": BUREAU, "actor": "b01.001002"}  # leading group office


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

    def count(self, sql: str, *args: Any) -> int:
        with psycopg.connect(self.store_uri, autocommit=True) as conn:
            row = conn.execute(sql, args).fetchone()
        return int(row[0]) if row else 0

    def queue_idle(self, queue: str) -> bool:
        listed = rabbitmqctl(
            "list_queues", "-p", vhost_of(self.amqp_uri), "name", "messages"
        )
        for line in listed.splitlines():
            fields = line.split("\t")
            if fields[0] == queue:
                return fields[1].strip() == "0"
        return False

    def notice(self, notice_id: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = self.rpc.publicity.get_notice(
                {"notice_id": notice_id}, OFFICE
            )
        except NotFound:
            return None
        return found


@pytest.fixture
def system(
    nameko_services: NamekoServices,
    relays: Relays,
    relay_name: str,
    rpc: Any,
    store_uri: str,
    amqp_uri: str,
) -> System:
    started = nameko_services.start_all(
        ("services.organization.service", "rpc-organization"),
        ("services.ledger.service", "rpc-ledger"),
        # The consumers' queues must exist before the relay publishes to them.
        ("services.publicity.service", "rpc-publicity", NOTICE_QUEUE, UNIT_QUEUE),
    )
    rows = sample_rows(units=3, people_per_unit=4, seed=5)
    rpc.organization.import_org_chart(
        {"workbook": base64.b64encode(write_rows(rows)).decode()}, ADMIN
    )
    return System(started, relays, relay_name, rpc, store_uri, amqp_uri)


class TestFromATourToAPublishedNotice:
    def test_a_unit_going_through_the_motions_is_noticed_once_and_published(
        self, system: System
    ) -> None:
        system.start_relay()
        # The org chart reaches publicity: profiles as of registration, hotlines.
        wait_until(
            lambda: (
                system.count(
                    "SELECT count(*) FROM eventing.events WHERE type = 'HotlineListed'"
                )
                == 3
            ),
            timeout=60,
            interval=0.3,
            describe=lambda: "three hotlines on the public board",
        )
        registered_at = system.count(
            "SELECT count(*) FROM eventing.events p JOIN eventing.events o "
            "ON o.stream = ('unit-' || (p.data->>'unit_id')) "
            "AND o.type = 'UnitRegistered' WHERE p.type = 'UnitProfileObserved' "
            "AND (p.data->>'observed_at')::timestamptz = o.recorded_at"
        )
        assert registered_at == 3  # each unit known from its registration
        named = system.count(
            "SELECT count(*) FROM eventing.events WHERE type = 'HotlineListed' "
            "AND data->>'answered_by_name' IS NOT NULL"
        )
        assert named == 3  # the public sees who answers

        ledger = system.rpc.ledger
        tour = ledger.start_tour(
            {"title": "上半年作风建设巡查", "inspector_ids": [LEADER["actor"]],
             "started_on": "2026-06-15"},
            LEADER,
        )  # fmt: skip
        ledger.record_tour_findings(
            {"tour_id": tour["tour_id"], "unit_id": UNIT,
             "verdict": "going_through_motions",
             "findings": [{"category": "false", "description": "台账照抄",
                           "open_item": False}],
             "remarks": "问题不具体、不细化"},
            LEADER,
        )  # fmt: skip

        notice_id = derived_id("n", BUREAU, f"formality/{tour['tour_id']}/{UNIT}")
        drafted = wait_until(
            lambda: system.notice(notice_id),
            timeout=60,
            interval=0.3,
            describe=lambda: "the drafted notice of criticism",
        )
        assert drafted["state"] == "drafted" and drafted["unit_id"] == UNIT
        assert drafted["source"]["event"] == "UnitNoticedForFormality"

        publicity = system.rpc.publicity
        with pytest.raises(NotApproved):
            publicity.publish_notice({"notice_id": notice_id}, OFFICE)
        publicity.approve_notice({"notice_id": notice_id}, LEADER)
        published = publicity.publish_notice({"notice_id": notice_id}, OFFICE)
        assert published["state"] == "published"

        # Every event again, from the start: nothing is drafted or listed twice.
        assert system.relay is not None and system.relay.terminate() == 0
        reset_checkpoint(system.store_uri, system.relay_name, 0)
        system.start_relay()
        wait_until(
            lambda: system.queue_idle(NOTICE_QUEUE) and system.queue_idle(UNIT_QUEUE),
            timeout=60,
            interval=0.3,
            describe=lambda: "publicity's queues to drain",
        )
        assert (
            system.count(
                "SELECT count(*) FROM eventing.events WHERE type = 'NoticeDrafted'"
            )
            == 1
        )
        assert (
            system.count(
                "SELECT count(*) FROM eventing.events WHERE type = 'HotlineListed'"
            )
            == 3
        )
        # a command's answer also says where its events end (_position); the
        # notice read back is the rest of it
        assert publicity.get_notice({"notice_id": notice_id}, OFFICE) == {
            k: v for k, v in published.items() if k != POSITION
        }
        assert all(p.alive() for p in system.processes)
