"""Open311 GeoReport v2 for real: the gateway and the complaints service by `nameko
run`, a form POST as an Open311 client sends it, the report followed by its code."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

from tests.support.gateway import Answer, System

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

CODE = re.compile(r"^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$")


GATEWAY_SYSTEM = {"services": ("organization", "complaints"), "projector": False}


def post_form(
    system: System, path: str, fields: dict[str, str], key: str | None = None
) -> Answer:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return system.http.as_(None).request(
        "POST", "/open311/v2/" + path, raw=urlencode(fields).encode(), headers=headers
    )


def get(system: System, path: str, **query: str) -> Answer:
    suffix = "?" + urlencode(query) if query else ""
    return system.http.as_(None).get("/open311/v2/" + path + suffix)


REPORT = {
    "jurisdiction_id": "b01",
    "service_code": "lax",
    "description": "工作时间窗口无人，群众等候四十分钟",
    "attribute[unit]": "b01.u002",
    "first_name": "三",
    "last_name": "张",
    "phone": "13800000000",
    "address_string": "政务服务中心二楼",
}


class TestAnOpen311Client:
    def test_lists_the_five_problems_as_services_in_json_and_xml(self, system):
        answer = get(system, "services.json")
        assert answer.status == 200, answer.body
        assert [s["service_code"] for s in answer.body] == [
            "hollow",
            "false",
            "lax",
            "slow",
            "low",
        ]
        xml = get(system, "services/lax.xml", jurisdiction_id="b01")
        assert xml.status == 200, xml.body
        root = ET.fromstring(xml.body.encode())
        assert root.findtext("attributes/attribute/code") == "unit"

    def test_files_a_report_and_follows_it_by_the_receipt_code(self, system):
        created = post_form(system, "requests.json", REPORT)
        assert created.status == 201, created.body
        [receipt] = created.body
        code = receipt["service_request_id"]
        assert CODE.match(code), code
        followed = get(system, f"requests/{code}.json", jurisdiction_id="b01")
        assert followed.status == 200, followed.body
        [case] = followed.body
        assert (case["status"], case["service_code"]) == ("open", "lax")
        assert case["description"].startswith(REPORT["description"])
        assert "【地点】政务服务中心二楼" in case["description"]
        assert "13800000000" not in str(case) and "张三" not in str(case)
        listed = get(
            system, "requests.xml", jurisdiction_id="b01", service_request_id=code
        )
        root = ET.fromstring(listed.body.encode())
        assert root.findtext("request/service_request_id") == code

    def test_another_bureau_cannot_follow_the_report(self, system):
        [receipt] = post_form(system, "requests.json", REPORT).body
        other = get(
            system,
            f"requests/{receipt['service_request_id']}.json",
            jurisdiction_id="b02",
        )
        assert other.status == 404
        assert other.body[0]["code"] == 404

    def test_refuses_what_it_cannot_file_in_open311s_error_format(self, system):
        unknown_unit = post_form(
            system, "requests.json", {**REPORT, "attribute[unit]": "b01.u999"}
        )
        assert unknown_unit.status == 400, unknown_unit.body
        assert unknown_unit.body[0]["code"] == 400
        no_jurisdiction = {k: v for k, v in REPORT.items() if k != "jurisdiction_id"}
        missing = post_form(system, "requests.xml", no_jurisdiction)
        assert missing.status == 400
        assert ET.fromstring(missing.body.encode()).findtext("error/code") == "400"
        assert get(system, "requests.json", jurisdiction_id="b01").status == 400
        no_unit = {k: v for k, v in REPORT.items() if k != "attribute[unit]"}
        nowhere = post_form(
            system, "requests.json", {**no_unit, "jurisdiction_id": "b99"}
        )
        assert nowhere.status == 404, nowhere.body

    def test_a_retried_post_with_an_idempotency_key_files_one_report(self, system):
        key = "open311-retry-0001"
        first = post_form(system, "requests.json", REPORT, key=key)
        again = post_form(system, "requests.json", REPORT, key=key)
        assert (first.status, again.status) == (201, 201), again.body
        assert again.body == first.body  # the same receipt code, shown again
        assert again.headers.get("Idempotent-Replayed") == "true"
        other = post_form(
            system, "requests.json", {**REPORT, "service_code": "slow"}, key=key
        )
        assert other.status == 422, other.body
        without = post_form(system, "requests.json", REPORT)
        assert without.status == 201, without.body
        assert without.body != first.body  # no key: a second report, as before
