"""The Nameko entrypoints: payloads in, dicts out, typed errors that survive RPC."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import pytest
from nameko.exceptions import deserialize, serialize
from nameko.testing.services import worker_factory

from eventing.errors import StoreUnavailable
from eventing.store.memory import MemoryEventStore
from services.common.errors import Conflict, InvalidInput, NotFound, Unavailable
from services.complaints.directory import MemoryOrganization, MemoryOrgDirectory
from services.complaints.domain.errors import (
    FindingsRequired,
    IllegalTransition,
    ScheduleInvalid,
)
from services.complaints.protection.errors import (
    IdentityAccessDenied,
    RateLimited,
    ReceiptCodeUnknown,
)
from services.complaints.protection.keys import MemoryKeyStore
from services.complaints.protection.ratelimit import RateLimiter
from services.complaints.service import EXPECTED, ComplaintsService
from tests.unit.complaints.factory import directory
from tests.unit.complaints.test_handlers import Clock

CTX = {"bureau_id": "zjj", "actor": "zjj.p-operator"}
OFFICE = {**CTX, "actor": "zjj.p-office", "roles": ["leading_group_office"]}
REPORT = {
    "unit_id": "zjj.u003",
    "channel": "web_form",
    "category": "slow",
    "description": "窗口办事拖拉",
    "reporter_name": "王小明",
}


@pytest.fixture
def org() -> MemoryOrgDirectory:
    return directory({("zjj", 2026): {"complaints": {"acceptance_working_days": 3}}})


@pytest.fixture
def service(org: MemoryOrgDirectory) -> ComplaintsService:
    return worker_factory(
        ComplaintsService,
        store=MemoryEventStore(),
        clock=Clock(),
        keys=MemoryKeyStore(),
        organization=MemoryOrganization(org),
        lookups=RateLimiter(limit=3, window=60.0),
    )


class TestEntrypoints:
    def test_a_report_is_received_and_followed_by_its_receipt_code(self, service):
        answer = service.receive_complaint(REPORT, CTX)
        cid = answer["complaint"]["complaint_id"]
        assert service.get_complaint({"complaint_id": cid}, CTX)["state"] == "received"
        public = service.follow_complaint({"receipt_code": answer["receipt_code"]}, CTX)
        assert public["state"] == "received"

    def test_roles_come_from_the_context(self, service):
        cid = service.receive_complaint(REPORT, CTX)["complaint"]["complaint_id"]
        assert (
            service.read_reporter_identity({"complaint_id": cid}, OFFICE)["name"]
            == "王小明"
        )
        with pytest.raises(IdentityAccessDenied):
            service.read_reporter_identity({"complaint_id": cid}, CTX)

    def test_roles_that_are_not_a_list_are_invalid_input(self, service):
        with pytest.raises(InvalidInput) as raised:
            service.read_reporter_identity(
                {"complaint_id": "x1"}, {**CTX, "roles": "leading_group_office"}
            )
        assert raised.value.details["fields"] == {"context.roles": "bad_format"}

    def test_campaign_settings_come_from_the_organization_not_the_payload(
        self, service
    ):
        answer = service.receive_complaint(REPORT, CTX)
        # Three working days (zjj's 2026 campaign) after Monday 2 March 2026.
        assert answer["complaint"]["due"]["acceptance"] == "2026-03-05"
        assert answer["settings_warning"] is None
        settings = {"complaints": {"acceptance_working_days": 9}}
        with pytest.raises(InvalidInput) as raised:
            service.receive_complaint({**REPORT, "settings": settings}, CTX)
        assert raised.value.details["fields"] == {"settings": "not_allowed"}

    def test_no_campaign_for_the_year_means_defaults_and_a_warning(self, service):
        service.organization.directory.campaigns.clear()
        answer = service.receive_complaint(REPORT, CTX)
        assert answer["complaint"]["due"]["acceptance"] == "2026-03-03"
        assert "2026" in answer["settings_warning"]

    def test_an_unknown_unit_or_one_of_another_bureau_is_not_found(self, service):
        for unit in ("zjj.u999", "jtj.u001"):
            with pytest.raises(NotFound) as raised:
                service.receive_complaint({**REPORT, "unit_id": unit}, CTX)
            assert raised.value.details == {"kind": "unit", "id": unit}
        assert service.store.read_all() == []

    def test_receipt_code_lookups_are_rate_limited_per_client(self, service):
        code = service.receive_complaint(REPORT, CTX)["receipt_code"]
        web = {"bureau_id": "zjj", "actor": "public", "client": "203.0.113.7"}
        for _ in range(3):
            service.follow_complaint({"receipt_code": code}, web)
        with pytest.raises(RateLimited) as raised:
            service.follow_complaint({"receipt_code": "WRONG-CODE"}, web)
        assert raised.value.code == "rate_limited"
        assert "try again" in raised.value.message("en")
        with pytest.raises(RateLimited):
            service.add_information({"receipt_code": code, "text": "补充"}, web)
        other = {**web, "client": "198.51.100.2"}
        assert service.follow_complaint({"receipt_code": code}, other)["state"]

    def test_indicators_over_rpc_for_the_bureau_and_a_unit(self, service):
        service.receive_complaint(REPORT, CTX)
        period = {"from": "2026-03-01", "to": "2026-03-31"}
        bureau = service.get_indicators(period, CTX)
        assert bureau["as_of"] == "2026-03-02"  # today, the period is not over
        assert bureau["indicators"]["response"]["denominator"] == 0  # not yet due
        service.clock.advance(4)  # past the acceptance deadline (5 March), unanswered
        late = service.get_indicators(period, CTX)["indicators"]["response"]
        assert late == {"numerator": 0, "denominator": 1, "rate": 0.0}
        unit = service.get_indicators({**period, "unit_id": "zjj.u003"}, CTX)
        assert unit["unit_id"] == "zjj.u003"
        with pytest.raises(NotFound):
            service.get_indicators({**period, "unit_id": "jtj.u001"}, CTX)
        with pytest.raises(InvalidInput) as raised:
            service.get_indicators({"from": "2026-03-31", "to": "2026-03-01"}, CTX)
        assert raised.value.details["fields"] == {"to": "before_from"}

    def test_the_ladder_runs_as_a_timer_and_on_demand(self, service):
        from services.complaints.service import LADDER_INTERVAL, ConfigTimer

        (timer,) = ComplaintsService.warning_ladder.nameko_entrypoints
        assert isinstance(timer, ConfigTimer)
        assert (timer.interval, timer.config_key) == (3600, LADDER_INTERVAL)
        configured = ConfigTimer(3600, LADDER_INTERVAL)
        configured.container = SimpleNamespace(config={LADDER_INTERVAL: "5"})
        configured.setup()
        assert configured.interval == 5
        cid = service.receive_complaint(REPORT, CTX)["complaint"]["complaint_id"]
        service.clock.advance(30)  # long past every deadline
        answer = service.run_warning_ladder({}, CTX)
        assert answer["overdue"] == {"zjj": [cid]}
        service.warning_ladder()  # the timer's entrypoint: same day, nothing new
        view = service.get_complaint({"complaint_id": cid}, CTX)
        assert view["ladder"]["overdue_reminders"] == 1
        assert view["days_overdue"] > 0

    def test_a_bad_report_names_every_bad_field(self, service):
        with pytest.raises(InvalidInput) as raised:
            service.receive_complaint({"channel": "pigeon", "description": ""}, CTX)
        assert set(raised.value.details["fields"]) == {
            "channel",
            "category",
            "description",
        }

    def test_a_schedule_is_required_and_checked(self, service):
        with pytest.raises(InvalidInput):
            service.load_work_schedule({}, CTX)
        with pytest.raises(ScheduleInvalid):
            service.load_work_schedule(
                {
                    "schedule": {
                        "year": 2027,
                        "holidays": ["2026-01-01"],
                        "workdays": [],
                    }
                },
                CTX,
            )

    def test_an_unreachable_store_is_unavailable_not_a_crash(self, service):
        def down(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise StoreUnavailable("connection refused")

        service.store.read_stream = down
        with pytest.raises(Unavailable):
            service.get_complaint({"complaint_id": "x1"}, CTX)

    def test_every_entrypoint_documents_its_payload(self):
        entrypoints = [
            (name, method)
            for name, method in inspect.getmembers(ComplaintsService)
            if inspect.isfunction(method) and not name.startswith("_")
        ]
        assert len(entrypoints) >= 19
        for name, method in entrypoints:
            assert "{" in (method.__doc__ or ""), name


class TestErrorsOverRpc:
    @pytest.mark.parametrize(
        "error",
        [
            IllegalTransition(complaint_id="c1", state="received", action="reply"),
            FindingsRequired(),
            IdentityAccessDenied(actor="zjj.1", complaint_id="c1"),
            ReceiptCodeUnknown(),
            RateLimited(retry_after=12),
            Conflict(reason="stream moved on"),
        ],
    )
    def test_a_domain_error_arrives_as_its_own_class_with_its_details(self, error):
        assert type(error) in EXPECTED
        received = deserialize(serialize(error))
        assert type(received) is type(error)
        assert received.details == error.details
        assert received.message("zh-CN") == error.message("zh-CN")
