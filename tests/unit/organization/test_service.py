"""The Nameko entrypoints: payloads in, dicts out, typed errors that survive RPC."""

from __future__ import annotations

import base64

import pytest
from nameko.exceptions import deserialize, serialize
from nameko.testing.services import worker_factory

from eventing.errors import StoreUnavailable
from eventing.store.memory import MemoryEventStore
from services.common.errors import Conflict, InvalidInput, Unavailable
from services.organization.domain.errors import ImportInvalid, UnitHeadTaken
from services.organization.samples import sample_rows, write_rows
from services.organization.service import OrganizationService

CTX = {"bureau_id": "b01", "actor": "account:admin"}
DISTRICT = {"actor": "account:district"}


@pytest.fixture
def service(clock) -> OrganizationService:  # type: ignore[no-untyped-def]
    return worker_factory(OrganizationService, store=MemoryEventStore(), clock=clock)


class TestEntrypoints:
    def test_a_workbook_imports_over_rpc_and_exports_back(self, service):
        data = write_rows(sample_rows(units=3, people_per_unit=4))
        result = service.import_org_chart(
            {"workbook": base64.b64encode(data).decode()}, CTX
        )
        assert result["events"] > 0
        exported = service.export_org_chart({}, CTX)
        again = service.import_org_chart({"workbook": exported["workbook"]}, CTX)
        assert again["events"] == 0
        assert service.get_unit({"unit_id": "b01.u001"}, CTX)["head_id"] == "b01.001001"

    def test_a_file_that_is_not_base64_is_invalid_input(self, service):
        with pytest.raises(InvalidInput) as raised:
            service.import_org_chart({"workbook": "not base64 !!"}, CTX)
        assert raised.value.details["fields"] == {"workbook": "bad_format"}

    def test_context_without_an_actor_is_refused(self, service):
        with pytest.raises(InvalidInput) as raised:
            service.get_bureau({}, {"bureau_id": "b01"})
        assert "context.actor" in raised.value.details["fields"]

    def test_an_unreachable_store_is_unavailable_not_a_crash(self, service):
        def down(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise StoreUnavailable("connection refused")

        service.store.read_stream = down
        with pytest.raises(Unavailable):
            service.get_unit({"unit_id": "b01.u001"}, CTX)


class TestErrorsOverRpc:
    @pytest.mark.parametrize(
        "error",
        [
            UnitHeadTaken(unit_id="b01.u1", head_id="b01.1"),
            InvalidInput(fields={"name": "required"}),
            ImportInvalid(count=1, rows=[{"row": 3, "message_zh": "姓名必填"}]),
            Conflict(reason="stream moved on"),
        ],
    )
    def test_a_domain_error_arrives_as_its_own_class_with_its_details(self, error):
        received = deserialize(serialize(error))
        assert type(received) is type(error)
        assert received.details == error.details
        assert received.message("zh-CN") == error.message("zh-CN")
