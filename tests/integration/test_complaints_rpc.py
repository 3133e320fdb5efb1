"""The complaints service for real: `nameko run`, RabbitMQ RPC, PostgreSQL store,
and the organization service it asks for units and campaign settings."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from eventing.migrate import apply
from eventing.store import open_store
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.rpc import deserializable
from services.complaints.domain import errors as complaint_errors
from services.complaints.domain.deadlines import (
    ChineseWorkCalendar,
    add_working_days,
)
from services.complaints.domain.errors import (
    AccountabilityNotApplicable,
    AttachmentMissing,
    FindingsRequired,
    IllegalTransition,
)
from services.complaints.protection import errors as protection_errors
from services.complaints.protection.errors import (
    IdentityAccessDenied,
    IdentityForgotten,
)
from services.organization.samples import sample_rows, write_rows
from tests.support.fixtures import processes  # noqa: F401 - fixture by name
from tests.support.nameko_run import NamekoServices
from tests.support.processes import Processes

pytestmark = pytest.mark.integration

deserializable(complaint_errors, protection_errors)  # typed errors on this side too

MIGRATIONS = Path(__file__).parents[2] / "services" / "complaints" / "migrations"
# The bureau and units of organization's sample workbook (b01, units b01.u001..3).
INVESTIGATOR = "b01.p-investigator"
STAFF = {"bureau_id": "b01", "actor": "b01.p-operator"}
AS_INVESTIGATOR = {"bureau_id": "b01", "actor": INVESTIGATOR}
OFFICE = {
    "bureau_id": "b01",
    "actor": "b01.p-office",
    "roles": ["leading_group_office"],
}
REPORT = {
    "unit_id": "b01.u003",
    "channel": "hotline",
    "category": "slow",
    "description": "窗口办事拖拉，材料齐全仍让跑三趟",
    "reporter_name": "王小明",
    "reporter_contact": "13800000000",
}


@pytest.fixture(scope="module")
def blob_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the module's complaints service keeps attachments: module-scoped, as
    that service is (content-addressed, so tests' files never clash)."""
    return tmp_path_factory.mktemp("complaints_blobs")


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory,
    blob_dir: Path,
    module_store_db: str,
    module_amqp_uri: str,
) -> Iterator[Any]:
    """Organization and complaints for the tests that work on complaints of their
    own (random ids) and read only those (another test's like report may flag theirs
    a duplicate, which changes none of their steps), started once: starting and
    stopping them is most of a test's time. Module-scoped; the module's own vhost
    and store keep them apart from `own_cluster`'s services, which would otherwise
    share their RPC queues over two stores."""
    directory = tmp_path_factory.mktemp("complaints_rpc")
    started = Processes(directory)
    try:
        apply(module_store_db, MIGRATIONS, table="complaints_service")
        services = NamekoServices(started, directory, module_store_db, module_amqp_uri)
        config = {"BLOB_DIR": str(blob_dir)}
        with organization_and_complaints(services, config) as proxy:
            yield proxy
    finally:
        started.stop_all()


@pytest.fixture
def own_cluster(
    processes: Processes,  # noqa: F811
    tmp_path: Path,
    store_db: str,
    amqp_uri: str,
) -> Iterator[Any]:
    """The same services for one test alone, on an empty store (attachments under
    tmp_path): for a test that counts events in the whole log, launches this year's
    campaign (every later complaint would follow it), or expects its report to be
    the only open case like it (duplicate detection picks among all of them)."""
    apply(store_db, MIGRATIONS, table="complaints_service")
    services = NamekoServices(processes, tmp_path, store_db, amqp_uri)
    with organization_and_complaints(services, {"BLOB_DIR": str(tmp_path)}) as proxy:
        yield proxy


@contextlib.contextmanager
def organization_and_complaints(
    services: NamekoServices, config: dict[str, str]
) -> Iterator[Any]:
    """Organization and complaints run by `services` (with `config` added to their
    Nameko config), bureau b01 imported from the sample workbook; a proxy."""
    written = json.loads(services.config.read_text())  # JSON is YAML
    services.config.write_text(json.dumps({**written, **config}))
    services.start_all(
        ("services.organization.service", "rpc-organization"),
        ("services.complaints.service", "rpc-complaints"),
    )
    rows = sample_rows(bureaus=1, units=3, people_per_unit=2, seed=5)
    workbook = {"workbook": base64.b64encode(write_rows(rows)).decode()}
    with ClusterRpcProxy({"AMQP_URI": services.amqp_uri}, timeout=60) as proxy:
        proxy.organization.import_org_chart(workbook, STAFF)
        yield proxy


@pytest.fixture
def complaints(cluster: Any) -> Any:
    return cluster.complaints


@pytest.fixture
def own_complaints(own_cluster: Any) -> Any:
    return own_cluster.complaints


def investigating(complaints: Any) -> tuple[str, str]:
    answer = complaints.receive_complaint(REPORT, STAFF)
    cid = answer["complaint"]["complaint_id"]
    complaints.accept_complaint({"complaint_id": cid}, STAFF)
    complaints.assign_investigator(
        {"complaint_id": cid, "investigator_id": INVESTIGATOR}, STAFF
    )
    complaints.start_investigation({"complaint_id": cid}, AS_INVESTIGATOR)
    return cid, answer["receipt_code"]


class TestAReportFromIntakeToClosure:
    def test_a_substantiated_report_is_handled_to_a_resolved_closure(
        self, complaints, module_store_db
    ):
        cid, code = investigating(complaints)
        concluded = complaints.conclude_investigation(
            {
                "complaint_id": cid,
                "outcome": "substantiated",
                "findings": "查实：窗口人员多次要求重复提交材料",
            },
            AS_INVESTIGATOR,
        )
        assert concluded["state"] == "concluded"
        complaints.decide_accountability(
            {
                "complaint_id": cid,
                "kind": "written_self_criticism",
                "person_ids": ["zjj.p-clerk"],
                "reason": "情节较轻",
            },
            OFFICE,
        )
        complaints.reply_to_reporter(
            {"complaint_id": cid, "reply": "经查属实，已责令整改"}, STAFF
        )
        complaints.record_satisfaction(
            {"complaint_id": cid, "satisfaction": "satisfied"}, STAFF
        )
        closed = complaints.close_complaint(
            {"complaint_id": cid, "resolved": True, "reason": "已整改到位"}, STAFF
        )

        assert closed["state"] == "closed"
        assert closed["resolved"] is True
        public = complaints.follow_complaint({"receipt_code": code}, STAFF)
        assert public == {
            **public,
            "state": "closed",
            "replies": ["经查属实，已责令整改"],
        }
        store = open_store(module_store_db)
        try:
            types = [e.type for e in store.read_stream(f"complaint-{cid}")]
            assert "ComplaintSubstantiated" in types
            assert "AccountabilityDecided" in types
            assert store.verify().ok
        finally:
            store.close()


class TestTypedErrorsOverRpc:
    def test_a_reply_before_the_conclusion_is_an_illegal_transition(self, complaints):
        cid, _ = investigating(complaints)
        with pytest.raises(IllegalTransition) as raised:
            complaints.reply_to_reporter(
                {"complaint_id": cid, "reply": "已处理"}, STAFF
            )
        assert raised.value.details["state"] == "investigating"
        assert "不能执行" in raised.value.message("zh-CN")

    def test_a_conclusion_without_findings_is_refused(self, complaints):
        cid, _ = investigating(complaints)
        with pytest.raises(InvalidInput) as raised:
            complaints.conclude_investigation(
                {"complaint_id": cid, "outcome": "substantiated", "findings": ""},
                AS_INVESTIGATOR,
            )
        assert raised.value.details["fields"] == {"findings": "required"}

    def test_accountability_on_an_unsubstantiated_case_is_refused(self, complaints):
        cid, _ = investigating(complaints)
        complaints.conclude_investigation(
            {"complaint_id": cid, "outcome": "unsubstantiated", "findings": "查无实据"},
            AS_INVESTIGATOR,
        )
        with pytest.raises(AccountabilityNotApplicable):
            complaints.decide_accountability(
                {"complaint_id": cid, "kind": "none", "reason": "不属实"}, OFFICE
            )

    def test_two_conclusions_at_once_one_wins_and_the_other_conflicts(
        self, complaints, module_amqp_uri
    ):
        cid, _ = investigating(complaints)
        outcomes: list[object] = []
        barrier = threading.Barrier(2)

        def conclude(outcome: str) -> None:
            with ClusterRpcProxy({"AMQP_URI": module_amqp_uri}, timeout=60) as proxy:
                barrier.wait()
                try:
                    proxy.complaints.conclude_investigation(
                        {"complaint_id": cid, "outcome": outcome, "findings": "查明"},
                        AS_INVESTIGATOR,
                    )
                    outcomes.append("ok")
                except (Conflict, IllegalTransition) as error:
                    outcomes.append(type(error))

        threads = [
            threading.Thread(target=conclude, args=(o,))
            for o in ("substantiated", "unsubstantiated")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        # One wins; the other lost the race (Conflict) or came in after it
        # (IllegalTransition): either way a typed error, and one conclusion only.
        assert outcomes.count("ok") == 1
        assert len(outcomes) == 2
        assert complaints.get_complaint({"complaint_id": cid}, STAFF)["state"] == (
            "concluded"
        )

    def test_findings_of_only_spaces_are_findings_required(self, complaints):
        cid, _ = investigating(complaints)
        with pytest.raises((FindingsRequired, InvalidInput)):
            complaints.conclude_investigation(
                {"complaint_id": cid, "outcome": "substantiated", "findings": "   "},
                AS_INVESTIGATOR,
            )


class TestReporterProtectionOverRpc:
    def test_forgetting_a_reporter_shreds_the_identity_and_keeps_the_log(
        self, own_complaints, store_db
    ):
        complaints = own_complaints  # counts identity views in the whole log
        cid, _ = investigating(complaints)
        seen = complaints.read_reporter_identity({"complaint_id": cid}, OFFICE)
        assert seen["name"] == "王小明"
        with pytest.raises(IdentityAccessDenied):
            complaints.read_reporter_identity({"complaint_id": cid}, STAFF)

        complaints.forget_reporter(
            {"complaint_id": cid, "reason": "举报人要求删除个人信息"}, OFFICE
        )

        with pytest.raises(IdentityForgotten):
            complaints.read_reporter_identity({"complaint_id": cid}, AS_INVESTIGATOR)
        store = open_store(store_db)
        try:
            types = [e.type for e in store.read_all()]
            assert types.count("ReporterIdentityViewed") == 1
            assert "ReporterForgotten" in types
            assert store.verify().ok
        finally:
            store.close()


class TestOrganizationOverRpc:
    def test_intake_checks_the_unit_and_follows_the_campaign(self, own_cluster):
        # launches this year's campaign, and expects none before it
        complaints, organization = own_cluster.complaints, own_cluster.organization
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        for unit in ("b01.u999", "b02.u001"):
            with pytest.raises(NotFound):
                complaints.receive_complaint({**REPORT, "unit_id": unit}, STAFF)

        # No campaign this year: the defaults, and the answer says so.
        first = complaints.receive_complaint(REPORT, STAFF)
        assert str(today.year) in first["settings_warning"]
        calendar = ChineseWorkCalendar()
        assert first["complaint"]["due"]["investigation"] == (
            add_working_days(today, 15, calendar).isoformat()
        )

        organization.launch_campaign(
            {
                "year": today.year,
                "settings": {"complaints": {"investigation_working_days": 5}},
            },
            STAFF,
        )
        second = complaints.receive_complaint(
            {**REPORT, "unit_id": "b01.u001", "description": "收费不公示"}, STAFF
        )
        assert second["settings_warning"] is None
        assert second["complaint"]["due"]["investigation"] == (
            add_working_days(today, 5, calendar).isoformat()
        )

    def test_a_duplicate_is_flagged_and_the_ladder_warns_once(self, own_complaints):
        complaints = own_complaints  # no other open case like REPORT to match
        first = complaints.receive_complaint(REPORT, STAFF)["complaint"]
        second = complaints.receive_complaint(REPORT, STAFF)
        assert second["complaint"]["duplicate_of"] == first["complaint_id"]
        complaints.run_warning_ladder({}, STAFF)
        complaints.run_warning_ladder({}, STAFF)
        view = complaints.get_complaint({"complaint_id": first["complaint_id"]}, STAFF)
        # Acceptance is due the next working day: always within "due soon".
        assert view["ladder"]["due_soon"] == [f"acceptance:{view['due']['acceptance']}"]
        period = {"from": "2026-01-01", "to": "2030-12-31", "unit_id": "b01.u003"}
        figures = complaints.get_indicators(period, STAFF)
        assert figures["unit_id"] == "b01.u003"


class TestAttachments:
    def test_an_uploaded_file_is_stored_referenced_and_downloaded(
        self, complaints, blob_dir
    ):
        photo = "窗口排队现场".encode() * 1000
        sha = hashlib.sha256(photo).hexdigest()
        upload = {
            "name": "现场.jpg",
            "content_type": "image/jpeg",
            "content": base64.b64encode(photo).decode(),
        }
        meta = complaints.upload_attachment(upload, STAFF)
        assert meta == {
            "name": "现场.jpg",
            "media_type": "image/jpeg",
            "size": len(photo),
            "sha256": sha,
        }
        assert (blob_dir / sha[:2] / sha[2:]).read_bytes() == photo
        ghost = {**meta, "sha256": hashlib.sha256(b"ghost").hexdigest()}
        with pytest.raises(AttachmentMissing):
            complaints.receive_complaint({**REPORT, "attachments": [ghost]}, STAFF)
        answer = complaints.receive_complaint({**REPORT, "attachments": [meta]}, STAFF)
        cid = answer["complaint"]["complaint_id"]
        got = complaints.download_attachment(
            {"complaint_id": cid, "sha256": sha}, STAFF
        )
        assert base64.b64decode(got["content"]) == photo
        other = {"bureau_id": "b02", "actor": "b02.p-operator"}
        with pytest.raises(NotFound):
            complaints.download_attachment({"complaint_id": cid, "sha256": sha}, other)
