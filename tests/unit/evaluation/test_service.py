"""The Nameko entrypoints: payloads in, JSON-safe dicts out, typed errors that
survive RPC, and other services' absence shown as missing inputs."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from nameko.exceptions import deserialize, serialize
from nameko.testing.services import worker_factory

from services.common.errors import NotFound
from services.evaluation.domain.errors import AlreadyVoted
from services.evaluation.handlers import MemoryOrgChart
from services.evaluation.service import EXPECTED, EvaluationService
from tests.unit.evaluation.factory import CLOSES, HEAD, OPENS, UNIT, World, voters

OFFICE = {"bureau_id": "b01", "actor": "b01.009001"}


class FakeOrganization:
    """The organization RPCs the evaluation calls, over a MemoryOrgChart."""

    def __init__(self, chart: MemoryOrgChart) -> None:
        self.chart = chart

    def get_unit(self, payload: Any, context: dict[str, Any]) -> dict[str, Any]:
        unit = self.chart.unit(context["bureau_id"], payload["unit_id"])
        if unit is None:
            raise NotFound(kind="unit", id=payload["unit_id"])
        return {"unit_id": unit.unit_id, "head_id": unit.head_id}

    def get_person(self, payload: Any, context: dict[str, Any]) -> dict[str, Any]:
        person = self.chart.person(context["bureau_id"], payload["person_id"])
        if person is None:
            raise NotFound(kind="person", id=payload["person_id"])
        return {"person_id": person.person_id, "unit_id": person.unit_id}

    def get_campaign(self, payload: Any, context: dict[str, Any]) -> dict[str, Any]:
        raise NotFound(kind="campaign", id=str(payload["year"]))


class Absent:
    """A service that is not deployed: every call fails as nameko's would."""

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any) -> Any:
            raise RuntimeError("UnknownService")

        return call


@pytest.fixture
def service() -> Any:
    world = World()
    return worker_factory(
        EvaluationService,
        store=world.store,
        clock=world.clock,
        keys=world.keys,
        organization=FakeOrganization(world.org),
        ledger=Absent(),
        complaints=Absent(),
        publicity=Absent(),
    )


def rpc_methods() -> list[str]:
    return [
        name
        for name, member in inspect.getmembers(EvaluationService, inspect.isfunction)
        if not name.startswith("_") and name != "handlers"
    ]


class TestEntrypoints:
    @pytest.mark.parametrize("name", rpc_methods())
    def test_every_entrypoint_documents_its_payload(self, name):
        doc = getattr(EvaluationService, name).__doc__ or ""
        assert "{" in doc, name

    def test_typed_errors_cross_rpc_as_their_own_class(self):
        assert AlreadyVoted in EXPECTED
        rebuilt = deserialize(serialize(AlreadyVoted(round_id="r1")))
        assert isinstance(rebuilt, AlreadyVoted)
        assert rebuilt.details == {"round_id": "r1"}

    def test_a_round_runs_through_the_entrypoints_as_json(self, service):
        roll = voters(5)
        opened = service.open_round(
            {
                "kind": "leadership",
                "title": "班子评议",
                "year": 2026,
                "opens_at": OPENS.isoformat(),
                "closes_at": CLOSES.isoformat(),
                "subjects": [{"kind": "team", "unit_id": UNIT}],
                "electorate": roll,
            },
            OFFICE,
        )
        for v in roll:
            service.cast_vote(
                {
                    "round_id": opened["round_id"],
                    "choices": [{"subject_id": UNIT, "option": "poor"}],
                },
                {"bureau_id": "b01", "actor": v["voter_id"]},
            )
        closed = service.close_round({"round_id": opened["round_id"]}, OFFICE)
        assert closed["admonishments"][0]["person_id"] == HEAD
        json.dumps(closed)  # JSON-safe
        talks = service.list_talks({}, OFFICE)
        assert talks["talks"][0]["kind"] == "admonishment"

    def test_services_not_deployed_are_missing_inputs_in_the_assessment(self, service):
        answer = service.assess_units({"year": 2026, "unit_ids": [UNIT]}, OFFICE)
        [unit] = answer["units"]
        assert unit["score"] is None
        assert unit["incomplete"] is True
        assert set(unit["missing"]) == {
            "evaluation", "ledger", "complaints", "publicity", "tests", "innovation"
        }  # fmt: skip

    def test_the_assessment_is_published_through_its_entrypoint_as_json(self, service):
        answer = service.publish_assessment({"year": 2026, "note": "定格"}, OFFICE)
        assert (answer["version"], answer["year"]) == (1, 2026)
        assert answer["published_at"] >= answer["as_of"]
        json.dumps(answer)  # JSON-safe
        again = service.publish_assessment({"year": 2026}, OFFICE)
        assert again["version"] == 2
