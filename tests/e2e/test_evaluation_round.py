"""A round from open to admonishment, every part real: the organization and
evaluation services under `nameko run`, PostgreSQL, the relay and RabbitMQ.

A leadership round is opened over a unit's team; six voters vote, four of them
fair or poor; the close tallies and applies the 30% rule; the relay publishes
AdmonishmentTalkRequired for the unit's main leader on `evaluation.events`, where a
consumer sees it. The sealed ballots it also publishes name no voter."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from eventing.migrate import apply
from services.organization.samples import sample_rows, write_rows
from tests.support.broker import EventQueue, Received
from tests.support.fixtures import Relays
from tests.support.nameko_run import NamekoServices

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

MIGRATIONS = Path(__file__).parents[2] / "services" / "evaluation" / "migrations"
ADMIN = {"bureau_id": "b01", "actor": "account:admin01"}
OFFICE = {"bureau_id": "b01", "actor": "b01.001002"}
HEAD = "b01.002001"  # main leader of b01.u002 in the sample chart


@pytest.fixture
def evaluation_events(amqp_uri: str) -> Iterator[EventQueue]:
    """Bound before anything is published: records every evaluation event."""
    queue = EventQueue(amqp_uri, "evaluation")
    yield queue
    queue.delete()


@pytest.fixture
def system(
    nameko_services: NamekoServices, rpc: Any, store_uri: str, amqp_uri: str
) -> Any:
    apply(store_uri, MIGRATIONS, table="evaluation_service")
    nameko_services.start_all(
        ("services.organization.service", "rpc-organization"),
        ("services.evaluation.service", "rpc-evaluation"),
    )
    rows = sample_rows(units=3, people_per_unit=4, seed=5)
    rpc.organization.import_org_chart(
        {"workbook": base64.b64encode(write_rows(rows)).decode()}, ADMIN
    )
    return rpc


class TestFromOpenToAdmonishment:
    def test_a_team_over_thirty_percent_reaches_consumers_as_admonishment(
        self,
        system: Any,
        relays: Relays,
        relay_name: str,
        evaluation_events: EventQueue,
    ) -> None:
        relays.start(relay_name)
        evaluation = system.evaluation
        now = datetime.now(UTC)
        voters = [f"rep.{uuid.uuid4().hex[:8]}" for _ in range(6)]
        opened = evaluation.open_round(
            {
                "kind": "leadership",
                "title": "局属单位领导班子评议",
                "year": now.year,
                "opens_at": (now - timedelta(minutes=1)).isoformat(),
                "closes_at": (now + timedelta(hours=2)).isoformat(),
                "subjects": [{"kind": "team", "unit_id": "b01.u002"}],
                "electorate": [
                    {"voter_id": v, "constituency": "grassroots"} for v in voters
                ],
            },
            OFFICE,
        )
        round_id = opened["round_id"]
        for voter, option in zip(
            voters, ["good", "excellent", "fair", "fair", "poor", "poor"], strict=True
        ):
            evaluation.cast_vote(
                {
                    "round_id": round_id,
                    "choices": [{"subject_id": "b01.u002", "option": option}],
                },
                {"bureau_id": "b01", "actor": voter},
            )
        closed = evaluation.close_round({"round_id": round_id}, OFFICE)
        assert closed["admonishments"][0]["share"] == "2/3"

        def admonished(received: list[Received]) -> bool:
            return any(m.routing_key == "AdmonishmentTalkRequired" for m in received)

        received = evaluation_events.collect(admonished, timeout=60)
        [message] = [m for m in received if m.routing_key == "AdmonishmentTalkRequired"]
        assert message.exchange == "evaluation.events"
        data = message.body["data"]  # the envelope as JSON
        assert data["person_id"] == HEAD
        assert data["unit_id"] == "b01.u002"
        assert data["round_id"] == round_id
        assert (data["share"], data["threshold"]) == ("2/3", "3/10")

        sealed = [m for m in received if m.routing_key == "BallotSealed"]
        assert len(sealed) == 6
        published = json.dumps([m.body for m in sealed])
        assert not any(voter in published for voter in voters)
        assert {m.body["actor"] for m in sealed} == {"anonymous"}
