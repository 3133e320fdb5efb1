"""The Nameko entrypoints: payloads in, dicts out, typed errors that survive RPC."""

from __future__ import annotations

import inspect

import pytest
from nameko.exceptions import deserialize, serialize
from nameko.testing.services import worker_factory

from eventing.errors import StoreUnavailable
from eventing.store.memory import MemoryEventStore
from services.common.errors import Conflict, InvalidInput, Unavailable
from services.complaints.domain.errors import (
    FindingsRequired,
    IllegalTransition,
    ScheduleInvalid,
)
from services.complaints.protection.errors import (
    IdentityAccessDenied,
    ReceiptCodeUnknown,
)
from services.complaints.protection.keys import MemoryKeyStore
from services.complaints.service import EXPECTED, ComplaintsService
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
def service() -> ComplaintsService:
    return worker_factory(
        ComplaintsService,
        store=MemoryEventStore(),
        clock=Clock(),
        keys=MemoryKeyStore(),
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

    def test_campaign_settings_travel_in_the_payload(self, service):
        settings = {"complaints": {"acceptance_working_days": 3}}
        answer = service.receive_complaint({**REPORT, "settings": settings}, CTX)
        # Three working days after Monday 2 March 2026.
        assert answer["complaint"]["due"]["acceptance"] == "2026-03-05"
        with pytest.raises(InvalidInput):
            service.receive_complaint({**REPORT, "settings": [1]}, CTX)

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
            Conflict(reason="stream moved on"),
        ],
    )
    def test_a_domain_error_arrives_as_its_own_class_with_its_details(self, error):
        assert type(error) in EXPECTED
        received = deserialize(serialize(error))
        assert type(received) is type(error)
        assert received.details == error.details
        assert received.message("zh-CN") == error.message("zh-CN")
