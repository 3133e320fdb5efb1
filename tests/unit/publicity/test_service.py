"""The Nameko entrypoints over a fake organization service: payloads in, dicts
out, typed errors that survive RPC, the consumers of other services' events and
the quota timer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from nameko.exceptions import deserialize, serialize
from nameko.testing.services import worker_factory

from eventing.events import Envelope, Metadata, NewEvent
from eventing.store.memory import MemoryEventStore
from services.common.errors import InvalidInput, NotFound
from services.publicity.domain.errors import NotTheInfoOfficer, UnsafeBody
from services.publicity.domain.model import derived_id
from services.publicity.handlers import MemoryOrgChart
from services.publicity.service import EXPECTED, PublicityService
from tests.unit.publicity.factory import (
    AFFILIATED,
    BUREAU,
    CLERK,
    LEADER,
    OFFICE,
    OFFICER_A,
    STATION,
    Clock,
    beijing,
    world,
)

AS_OFFICER = {"bureau_id": BUREAU, "actor": OFFICER_A}
AS_OFFICE = {"bureau_id": BUREAU, "actor": OFFICE}


class FakeOrganization:
    """The organization service's RPCs publicity calls, over a MemoryOrgChart."""

    def __init__(self, chart: MemoryOrgChart) -> None:
        self.chart = chart

    def get_bureau(self, payload: Any, context: dict[str, Any]) -> dict[str, Any]:
        bureau = context["bureau_id"]
        return {
            "leading_group": {p: "member" for p in self.chart.leading_group(bureau)},
            "leading_group_office": sorted(self.chart.office(bureau)),
        }

    def get_unit(self, payload: Any, context: dict[str, Any]) -> dict[str, Any]:
        unit = self.chart.unit(context["bureau_id"], payload["unit_id"])
        if unit is None:
            raise NotFound(kind="unit", id=payload["unit_id"])
        return {
            "unit_id": unit.unit_id,
            "name": "城建监察大队",
            "kind": unit.kind,
            "info_officer_id": unit.info_officer_id,
            "hotline": {"number": "0311-8000000", "answered_by": "zjj.001002"},
        }

    def get_person(self, payload: Any, context: dict[str, Any]) -> dict[str, Any]:
        if payload["person_id"] != "zjj.001002":
            raise NotFound(kind="person", id=payload["person_id"])
        return {"person_id": payload["person_id"], "name": "李娜"}

    def list_units(self, payload: Any, context: dict[str, Any]) -> Any:
        return {
            "units": [
                self.get_unit({"unit_id": unit.unit_id}, context)
                for unit in self.chart.units(context["bureau_id"])
            ]
        }

    def get_campaign(self, payload: Any, context: dict[str, Any]) -> dict[str, Any]:
        campaign = self.chart.campaign(context["bureau_id"], payload["year"])
        if campaign is None:
            raise NotFound(kind="campaign", id=str(payload["year"]))
        return {
            "phases": [
                {"starts_on": campaign.starts_on.isoformat()},
                {"ends_on": campaign.ends_on.isoformat()},
            ],
            "settings": campaign.settings,
        }


@pytest.fixture
def store() -> MemoryEventStore:
    return MemoryEventStore()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(store: MemoryEventStore, clock: Clock) -> PublicityService:
    return worker_factory(
        PublicityService,
        store=store,
        clock=clock,
        config={},
        organization=FakeOrganization(world().org),
    )


def delivered(
    store: MemoryEventStore,
    service_name: str,
    stream: str,
    type_: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    """An event of another service as the relay delivers it (a Nameko payload)."""
    store.append(
        stream,
        [NewEvent(type_, data)],
        store.stream_version(stream),
        Metadata(service=service_name, bureau_id=BUREAU, actor="someone"),
    )
    envelope: Envelope = store.read_stream(stream)[-1]
    return envelope.to_dict()


class TestEntrypoints:
    def test_an_article_goes_from_submission_to_publication(self, service):
        article = service.submit_article(
            {"unit_id": AFFILIATED, "title": "一次告知制", "body": "做法……"},
            AS_OFFICER,
        )
        article_id = article["article_id"]
        service.review_article(
            {"article_id": article_id, "outcome": "accepted"}, AS_OFFICE
        )
        published = service.publish_article(
            {
                "article_id": article_id,
                "channel": "bulletin",
                "published_on": "2026-02-02",
                "issue": "2026年第3期",
            },
            AS_OFFICE,
        )
        assert published["state"] == "published"
        assert service.get_article({"article_id": article_id}, AS_OFFICE) == published

    def test_typed_errors_cross_rpc_as_their_classes(self, service):
        with pytest.raises(NotTheInfoOfficer) as raised:
            service.submit_article(
                {"unit_id": AFFILIATED, "title": "t", "body": "b"},
                {"bureau_id": BUREAU, "actor": CLERK},
            )
        assert raised.type in EXPECTED
        again = deserialize(serialize(raised.value))
        assert isinstance(again, NotTheInfoOfficer)
        assert again.details == {"person_id": CLERK, "unit_id": AFFILIATED}
        with pytest.raises(UnsafeBody):
            service.submit_article(
                {"unit_id": AFFILIATED, "title": "t", "body": "<svg onload=x()>"},
                AS_OFFICER,
            )

    def test_indicators_follow_the_contract(self, service, clock):
        service.submit_article(
            {"unit_id": AFFILIATED, "title": "t", "body": "b"}, AS_OFFICER
        )
        answer = service.get_indicators(
            {"bureau_id": BUREAU, "from": "2026-02-01", "to": "2026-02-28"},
            {"actor": "service:evaluation"},
        )
        assert answer["units"][AFFILIATED] == {
            "submitted": 1,
            "accepted": 0,
            "published": 0,
            "acceptance_rate": "0",
            "quota_compliance_rate": None,
            "missed_periods": 0,
        }
        assert set(answer["bureau"]) == set(answer["units"][AFFILIATED])
        with pytest.raises(NotFound):
            service.get_indicators(
                {"bureau_id": "jtj", "from": "2026-02-01", "to": "2026-02-28"},
                AS_OFFICE,
            )
        with pytest.raises(InvalidInput) as raised:
            service.get_indicators(
                {"from": "2026-03-01", "to": "2026-02-01"}, AS_OFFICE
            )
        assert raised.value.details["fields"] == {"to": "out_of_range"}

    def test_the_timer_decides_periods_of_every_known_bureau(self, service, clock):
        service.observe_units({"since": "2026-02-01"}, AS_OFFICE)
        clock.now = beijing(date(2026, 2, 16), 1)
        answer = service.decide_quota_periods()
        [run] = answer["bureaus"]
        assert run["bureau_id"] == BUREAU and run["units"] == 3
        assert (run["met"], run["missed"]) == (0, 4)  # 2 weeks + 2 half-months
        again = service.decide_quota_periods()
        assert (again["bureaus"][0]["met"], again["bureaus"][0]["missed"]) == (0, 0)
        periods = service.list_quota_periods({"unit_id": STATION}, AS_OFFICE)
        assert [p["reason"] for p in periods["periods"]] == ["too_few_articles"]


class TestConsumers:
    def test_a_unit_going_through_the_motions_gets_one_draft_notice(
        self, service, store
    ):
        payload = delivered(
            store,
            "ledger",
            "inspection_tour-t1",
            "UnitNoticedForFormality",
            {"tour_id": "t1", "bureau_id": BUREAU, "unit_id": AFFILIATED,
             "reasons": "问题不具体、不细化", "actor": LEADER,
             "at": "2026-06-20T02:00:00+00:00"},
        )  # fmt: skip
        service.on_unit_noticed_for_formality(payload)
        service.on_unit_noticed_for_formality(payload)  # redelivered
        [notice] = service.list_notices({}, AS_OFFICE)["notices"]
        assert notice["kind"] == "criticism" and notice["state"] == "drafted"
        assert notice["unit_id"] == AFFILIATED
        assert "问题不具体" in notice["body"]
        assert notice["notice_id"] == derived_id(
            "n", BUREAU, f"formality/t1/{AFFILIATED}"
        )

    def test_evaluation_flags_are_tolerated_with_missing_fields(self, service, store):
        service.on_unit_flagged_for_criticism(
            delivered(store, "evaluation", "study_test-x1", "UnitFlaggedForCriticism",
                      {"unit_id": STATION, "test_id": "x1"})
        )  # fmt: skip
        service.on_unit_flagged_for_criticism(
            delivered(store, "evaluation", "study_test-x2", "UnitFlaggedForCriticism",
                      {})
        )  # fmt: skip
        notices = service.list_notices({}, AS_OFFICE)["notices"]
        assert [n["unit_id"] for n in notices] == [STATION, None]
        assert notices[0]["source"]["service"] == "evaluation"

    def test_an_escalated_item_gets_one_draft_notice_whatever_its_level(
        self, service, store
    ):
        for level in (1, 2):
            service.on_item_escalated(
                delivered(store, "ledger", "ledger_item-i1", "ItemEscalated",
                          {"item_id": "i1", "unit_id": AFFILIATED, "level": level,
                           "overdue_days": 7 * level, "deadline": "2026-05-31"})
            )  # fmt: skip
        [notice] = service.list_notices({}, AS_OFFICE)["notices"]
        assert "i1" in notice["body"]

    def test_an_award_becomes_a_commendation_once(self, service, store):
        data = {"nomination_id": "a1", "kind": "model_office", "unit_id": AFFILIATED,
                "year": 2026}  # fmt: skip
        stream = "model_nomination-a1"
        payload = delivered(store, "evaluation", stream, "ModelAwarded", data)
        service.on_award_granted(payload)
        service.on_award_granted(payload)
        service.on_award_granted(
            delivered(
                store,
                "evaluation",
                "model_nomination-a2",
                "ModelAwarded",
                {"kind": "?"},
            )
        )
        [event] = store.read_all(0, categories=["commendation"])
        assert event.data["kind"] == "model_office"

    def test_an_award_without_a_year_counts_in_beijings_year_not_utcs(
        self, service, store
    ):
        payload = delivered(
            store,
            "evaluation",
            "model_nomination-a3",
            "ModelAwarded",
            {"nomination_id": "a3", "kind": "model_window", "unit_id": AFFILIATED},
        )
        # 1 January 2027, 01:00 in Beijing: still 2026 in UTC
        payload["recorded_at"] = "2026-12-31T17:00:00.000000+00:00"
        service.on_award_granted(payload)
        [event] = store.read_all(0, categories=["commendation"])
        assert event.data["year"] == 2027

    def test_hotlines_and_disclosures_reach_the_board(self, service, store):
        service.on_hotline_published(
            delivered(store, "organization", f"unit-{AFFILIATED}", "HotlinePublished",
                      {"number": "0311-8000000", "answered_by": "zjj.001002"})
        )  # fmt: skip
        service.on_disclosure_published(
            delivered(store, "ledger", f"window_disclosures-{AFFILIATED}",
                      "DisclosurePublished",
                      {"bureau_id": BUREAU, "unit_id": AFFILIATED, "kind": "process",
                       "content": "办事流程", "version": 1})
        )  # fmt: skip
        events = store.read_stream(f"board_listing-{AFFILIATED}")
        assert [e.type for e in events] == ["HotlineListed", "DisclosureListed"]
        assert events[0].data["unit_id"] == AFFILIATED
        assert events[0].data["answered_by_name"] == "李娜"  # for the public

    def test_organization_events_record_the_units_profile_as_of_then(
        self, service, store
    ):
        payload = delivered(
            store, "organization", f"unit-{STATION}", "UnitKindChanged",
            {"kind": "station"},
        )  # fmt: skip
        service.on_unit_kind_changed(payload)
        [observed] = store.read_stream(f"publicity_unit-{STATION}")
        assert observed.data["kind"] == "station"
        assert datetime.fromisoformat(str(observed.data["observed_at"])) == (
            datetime.fromisoformat(str(payload["recorded_at"]))
        )
        assert observed.recorded_at.tzinfo is UTC or observed.recorded_at.utcoffset()
