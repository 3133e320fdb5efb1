"""The organization service for real: `nameko run`, RabbitMQ RPC, PostgreSQL store."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.errors import InvalidInput
from services.common.rpc import deserializable
from services.organization.domain import errors as org_errors
from services.organization.domain.errors import (
    AccountLocked,
    ImportInvalid,
    InvalidCredentials,
    OtherBureau,
    PersonNotInUnit,
    PhasesInvalid,
    UnitHeadTaken,
)
from services.organization.samples import sample_rows, write_rows
from tests.support.fixtures import processes  # noqa: F401 - fixture by name
from tests.support.nameko_run import NamekoServices
from tests.support.processes import Processes

pytestmark = pytest.mark.integration

deserializable(org_errors)  # typed errors arrive as their classes on this side too

B01 = {"bureau_id": "b01", "actor": "account:admin01"}
B02 = {"bureau_id": "b02", "actor": "account:admin02"}
DISTRICT = {"actor": "account:district"}


@pytest.fixture
def organization(
    processes: Processes,  # noqa: F811
    tmp_path: Path,
    store_db: str,
    amqp_uri: str,
) -> Iterator[Any]:
    """The organization service running on an empty store, and an RPC proxy to it:
    for one test alone (each of these imports its own chart for bureau b01, or
    expects b01 not to be imported at all)."""
    NamekoServices(processes, tmp_path, store_db, amqp_uri).start(
        "services.organization.service", "rpc-organization"
    )
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60) as proxy:
        yield proxy.organization


@pytest.fixture(scope="module")
def two_bureaus(
    tmp_path_factory: pytest.TempPathFactory,
    module_store_db: str,
    module_amqp_uri: str,
) -> Iterator[Any]:
    """The organization service with bureaus b01 and b02 imported, started once for
    the rule tests (starting and stopping it is most of a test's time). Module-scoped:
    those tests are refused and change nothing, but for the concurrent appointment,
    which is the only one to touch unit b02.u002 and its people. The module's own
    vhost and store keep it apart from `organization`'s services, which would
    otherwise share its RPC queue over two stores."""
    started = Processes(tmp_path_factory.mktemp("organization_rpc"))
    try:
        NamekoServices(
            started, started.directory, module_store_db, module_amqp_uri
        ).start("services.organization.service", "rpc-organization")
        with ClusterRpcProxy({"AMQP_URI": module_amqp_uri}, timeout=60) as proxy:
            proxy.organization.import_org_chart(
                workbook(bureaus=2, units=2, people_per_unit=3), DISTRICT
            )
            yield proxy.organization
    finally:
        started.stop_all()


def workbook(**size: int) -> dict[str, str]:
    rows = sample_rows(**size)
    return {"workbook": base64.b64encode(write_rows(rows)).decode()}


class TestImportOverRpc:
    def test_a_bureau_of_20_units_and_300_people_imports_once(self, organization):
        data = workbook(bureaus=1, units=20, people_per_unit=15, seed=11)
        first = organization.import_org_chart(data, B01)
        assert first["rows"] == 351
        assert organization.import_org_chart(data, B01)["events"] == 0
        exported = organization.export_org_chart({}, B01)
        assert organization.import_org_chart(exported, B01)["events"] == 0
        unit = organization.get_unit({"unit_id": "b01.u007"}, B01)
        assert unit["head_id"] == "b01.007001"
        assert unit["hotline"]["answered_by"] == "b01.007002"

    def test_a_workbook_with_bad_rows_is_refused_whole_with_every_reason(
        self, organization
    ):
        rows = sample_rows(units=3, people_per_unit=4)
        rows["people"][3][1]["position"] = "chairman"
        rows["units"][2][1]["kind"] = ""
        data = {"workbook": base64.b64encode(write_rows(rows)).decode()}
        with pytest.raises(ImportInvalid) as raised:
            organization.import_org_chart(data, B01)
        problems = {(r["sheet"], r["column"]) for r in raised.value.details["rows"]}
        assert ("人员", "职务") in problems
        assert ("单位", "单位类型") in problems
        with pytest.raises(Exception):  # noqa: B017 - nothing was imported at all
            organization.get_bureau({}, B01)


class TestRulesOverRpc:
    def test_two_heads_for_one_unit_are_refused_in_both_languages(self, two_bureaus):
        with pytest.raises(UnitHeadTaken) as raised:
            two_bureaus.appoint_unit_head(
                {"unit_id": "b01.u001", "person_id": "b01.001002"}, B01
            )
        assert raised.value.message("zh-CN").startswith("单位 b01.u001 已有一把手")
        assert "already has a head" in raised.value.message("en")

    def test_an_info_officer_from_another_unit_is_refused(self, two_bureaus):
        with pytest.raises(PersonNotInUnit):
            two_bureaus.appoint_info_officer(
                {"unit_id": "b01.u001", "person_id": "b01.002003"}, B01
            )

    def test_a_liaison_for_a_unit_of_another_bureau_is_refused(self, two_bureaus):
        with pytest.raises(OtherBureau):
            two_bureaus.assign_liaison(
                {"member_id": "b01.001001", "unit_id": "b02.u001"}, B01
            )

    def test_overlapping_phases_are_refused(self, two_bureaus):
        phases = [
            {"phase": "study", "starts_on": "2026-02-01", "ends_on": "2026-03-10"},
            {
                "phase": "find_problems",
                "starts_on": "2026-03-01",
                "ends_on": "2026-06-30",
            },
            {"phase": "rectify", "starts_on": "2026-07-01", "ends_on": "2026-09-30"},
            {"phase": "evaluate", "starts_on": "2026-10-01", "ends_on": "2026-12-31"},
        ]
        with pytest.raises(PhasesInvalid):
            two_bureaus.launch_campaign({"year": 2026, "phases": phases}, B01)

    def test_bad_input_names_the_fields(self, two_bureaus):
        with pytest.raises(InvalidInput) as raised:
            two_bureaus.register_unit({"code": "has space", "kind": "shop"}, B01)
        assert set(raised.value.details["fields"]) == {"code", "name", "kind"}

    def test_concurrent_head_appointments_have_one_winner(
        self, two_bureaus, module_amqp_uri
    ):
        two_bureaus.appoint_unit_head(
            {"unit_id": "b02.u002", "person_id": "b02.002001"}, B02
        )
        two_bureaus.record_departure(
            {"person_id": "b02.002001", "left_on": "2026-03-01"}, B02
        )
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def appoint(person_id: str) -> None:
            with ClusterRpcProxy({"AMQP_URI": module_amqp_uri}, timeout=60) as proxy:
                barrier.wait()
                try:
                    proxy.organization.appoint_unit_head(
                        {"unit_id": "b02.u002", "person_id": person_id}, B02
                    )
                    outcomes.append("appointed")
                except UnitHeadTaken:
                    outcomes.append("refused")

        threads = [
            threading.Thread(target=appoint, args=(p,))
            for p in ("b02.002002", "b02.002003")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(outcomes) == ["appointed", "refused"]
        head = two_bureaus.get_unit({"unit_id": "b02.u002"}, B02)["head_id"]
        assert head in ("b02.002002", "b02.002003")


class TestAccountsOverRpc:
    def test_login_lockout_and_api_keys(self, organization):
        organization.import_org_chart(workbook(units=1, people_per_unit=2), B01)
        organization.open_account(
            {"username": "zhangwei", "person_id": "b01.001001",
             "password": "correct horse 9"}, B01)  # fmt: skip
        who = organization.verify_credentials(
            {"username": "zhangwei", "password": "correct horse 9"}, {"actor": "login"}
        )
        assert "unit_head" in who["roles"] and "committee_member" in who["roles"]
        for _ in range(4):
            with pytest.raises(InvalidCredentials):
                organization.verify_credentials(
                    {"username": "zhangwei", "password": "nope"}, {"actor": "login"}
                )
        with pytest.raises(AccountLocked):
            organization.verify_credentials(
                {"username": "zhangwei", "password": "nope"}, {"actor": "login"}
            )
        organization.open_account({"username": "exporter", "kind": "service"}, B01)
        key = organization.issue_api_key({"username": "exporter", "label": "ci"}, B01)
        assert organization.verify_api_key({"api_key": key["api_key"]})["roles"] == [
            "api_client"
        ]
