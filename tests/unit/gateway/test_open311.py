"""Open311 GeoReport v2 over the complaints service, with a hand-written fake caller."""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from gateway.api.errors import timeout
from gateway.api.ratelimit import TokenBuckets
from gateway.api.sessions import Stored, request_hash
from gateway.open311 import Open311
from services.common.errors import InvalidInput, NotFound
from services.complaints.protection.errors import RateLimited, ReceiptCodeUnknown


class FakeComplaints:
    """The complaints service as the gateway reaches it: receive and follow."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []
        self.cases: dict[str, dict[str, Any]] = {}
        self.fail: Exception | None = None
        self.bureaus = {"b01", "b02", "b07"}
        self.bureau_lookups: list[str] = []

    def __call__(
        self, service: str, method: str, payload: dict[str, Any], ctx: dict[str, Any]
    ) -> dict[str, Any]:
        if (service, method) == ("organization", "get_bureau"):
            self.bureau_lookups.append(ctx["bureau_id"])
            if ctx["bureau_id"] not in self.bureaus:
                raise NotFound(kind="bureau", id=ctx["bureau_id"])
            return {"bureau_id": ctx["bureau_id"]}
        self.calls.append((service, method, payload, ctx))
        if self.fail is not None:
            raise self.fail
        if method == "receive_complaint":
            code = uuid.uuid4().hex[:16].upper()
            self.cases[code] = {
                "state": "received",
                "category": payload["category"],
                "description": payload["description"],
                "received_at": "2026-03-02T01:00:00+00:00",
                "current_due": "2026-03-03",
                "outcome": None,
                "replies": [],
                "your_additions": [],
            }
            return {"complaint": {"complaint_id": "internal"}, "receipt_code": code}
        if method == "follow_complaint":
            case = self.cases.get(payload["receipt_code"])
            if case is None:
                raise ReceiptCodeUnknown()
            return case
        raise AssertionError(f"unexpected call {service}.{method}")


def request(
    method: str,
    path: str,
    *,
    form: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    client: str = "203.0.113.7",
) -> Request:
    builder = EnvironBuilder(
        method=method,
        path="/open311/v2/" + path,
        data=form,
        query_string=query,
        headers=headers,
        environ_base={"REMOTE_ADDR": client},
    )
    return Request(builder.get_environ())


def body(response: Response) -> Any:
    return json.loads(response.get_data())


def xml(response: Response) -> ET.Element:
    return ET.fromstring(response.get_data())


@pytest.fixture
def complaints() -> FakeComplaints:
    return FakeComplaints()


@pytest.fixture
def open311() -> Open311:
    return Open311(
        ("b01", "b02"), units=lambda bureau: [(f"{bureau}.u001", "办证窗口")]
    )


def report(**fields: str) -> dict[str, str]:
    return {
        "jurisdiction_id": "b01",
        "service_code": "slow",
        "description": "窗口办事拖拉，往返三次",
        **fields,
    }


class TestTheServiceList:
    def test_the_five_problems_are_the_services_with_stable_codes(
        self, open311, complaints
    ):
        answer = open311.handle(request("GET", "services.json"), complaints)
        assert answer.status_code == 200
        services = body(answer)
        assert [s["service_code"] for s in services] == [
            "hollow",
            "false",
            "lax",
            "slow",
            "low",
        ]
        assert services[1]["service_name"].startswith("虚")
        assert all(s["metadata"] is True for s in services)
        assert complaints.calls == []

    def test_the_xml_list_is_well_formed_utf8(self, open311, complaints):
        answer = open311.handle(request("GET", "services.xml"), complaints)
        assert answer.mimetype == "text/xml"
        root = xml(answer)
        assert root.tag == "services"
        assert [s.findtext("service_code") for s in root] == [
            "hollow",
            "false",
            "lax",
            "slow",
            "low",
        ]
        assert root[3].findtext("metadata") == "true"
        assert "慢" in (root[3].findtext("service_name") or "")

    def test_a_definition_lists_the_bureaus_units_as_the_unit_attribute(
        self, open311, complaints
    ):
        answer = open311.handle(
            request("GET", "services/lax.json", query={"jurisdiction_id": "b02"}),
            complaints,
        )
        definition = body(answer)
        assert definition["service_code"] == "lax"
        (unit,) = definition["attributes"]
        assert (unit["code"], unit["datatype"], unit["required"]) == (
            "unit",
            "singlevaluelist",
            False,
        )
        assert unit["values"] == [{"key": "b02.u001", "name": "办证窗口"}]
        root = xml(
            open311.handle(
                request("GET", "services/lax.xml", query={"jurisdiction_id": "b02"}),
                complaints,
            )
        )
        assert root.tag == "service_definition"
        assert root.findtext("attributes/attribute/values/value/key") == "b02.u001"

    def test_without_a_unit_list_the_unit_attribute_is_a_string(self, complaints):
        def broken(bureau: str) -> list[tuple[str, str]]:
            raise OSError("read model down")

        endpoint = Open311(("b01",), units=broken)
        definition = body(
            endpoint.handle(request("GET", "services/slow.json"), complaints)
        )
        assert definition["attributes"][0]["datatype"] == "string"
        assert "values" not in definition["attributes"][0]

    def test_an_unknown_service_code_is_404_in_open311s_error_format(
        self, open311, complaints
    ):
        answer = open311.handle(
            request("GET", "services/nope.json", query={"jurisdiction_id": "b01"}),
            complaints,
        )
        assert answer.status_code == 404
        [error] = body(answer)
        assert error["code"] == 404 and "nope" in error["description"]


class TestFilingAReport:
    def test_a_form_post_files_a_web_form_report_answered_by_its_receipt_code(
        self, open311, complaints
    ):
        answer = open311.handle(
            request(
                "POST", "requests.json", form=report(**{"attribute[unit]": "b01.u002"})
            ),
            complaints,
        )
        assert answer.status_code == 201, answer.get_data()
        [created] = body(answer)
        assert created["service_request_id"] in complaints.cases
        assert "token" not in created
        [(service, method, payload, context)] = complaints.calls
        assert (service, method) == ("complaints", "receive_complaint")
        assert payload["channel"] == "web_form"
        assert (payload["category"], payload["unit_id"]) == ("slow", "b01.u002")
        assert payload["reporter_name"] is None and payload["reporter_contact"] is None
        assert context["bureau_id"] == "b01" and context["actor"] == "public"
        assert context["client"] == "203.0.113.7"

    def test_the_reporters_name_and_contact_go_to_the_sealed_identity_only(
        self, open311, complaints
    ):
        open311.handle(
            request(
                "POST",
                "requests.json",
                form=report(
                    first_name="三",
                    last_name="张",
                    phone="13800000000",
                    email="z@example.cn",
                ),
            ),
            complaints,
        )
        payload = complaints.calls[0][2]
        assert payload["reporter_name"] == "张三"
        assert payload["reporter_contact"] == "13800000000 / z@example.cn"
        assert "13800000000" not in payload["description"]

    def test_a_latin_name_keeps_first_name_first(self, open311, complaints):
        open311.handle(
            request(
                "POST", "requests.json", form=report(first_name="Ann", last_name="Li")
            ),
            complaints,
        )
        assert complaints.calls[0][2]["reporter_name"] == "Ann Li"

    def test_the_location_is_kept_at_the_end_of_the_description(
        self, open311, complaints
    ):
        open311.handle(
            request(
                "POST",
                "requests.json",
                form=report(address_string="政务中心二楼", lat="39.9", long="116.4"),
            ),
            complaints,
        )
        description = complaints.calls[0][2]["description"]
        assert description.startswith("窗口办事拖拉")
        assert "【地点】政务中心二楼（39.900000, 116.400000）" in description

    @pytest.mark.parametrize(
        "fields",
        [
            {"service_code": "potholes"},
            {"description": "  "},
            {"lat": "north", "long": "1"},
            {"lat": "91", "long": "1"},
        ],
    )
    def test_bad_fields_are_400_without_reaching_the_service(
        self, open311, complaints, fields
    ):
        answer = open311.handle(
            request("POST", "requests.json", form=report(**fields)), complaints
        )
        assert answer.status_code == 400
        assert body(answer)[0]["code"] == 400
        assert complaints.calls == []

    def test_a_json_body_is_415(self, open311, complaints):
        built = EnvironBuilder(
            method="POST",
            path="/open311/v2/requests.json",
            data=json.dumps(report()),
            content_type="application/json",
        )
        answer = open311.handle(Request(built.get_environ()), complaints)
        assert answer.status_code == 415

    def test_several_bureaus_require_the_jurisdiction(self, open311, complaints):
        form = report()
        del form["jurisdiction_id"]
        answer = open311.handle(request("POST", "requests.json", form=form), complaints)
        assert answer.status_code == 400
        assert "jurisdiction_id" in body(answer)[0]["description"]
        unknown = open311.handle(
            request("POST", "requests.json", form=report(jurisdiction_id="b99")),
            complaints,
        )
        assert unknown.status_code == 404

    def test_a_bureau_the_org_chart_lacks_gets_no_report(self, complaints):
        endpoint = Open311()  # no list of jurisdictions: any id may be asked for
        unknown = endpoint.handle(
            request("POST", "requests.json", form=report(jurisdiction_id="b99")),
            complaints,
        )
        assert unknown.status_code == 404
        assert complaints.calls == []
        for _ in range(2):
            known = endpoint.handle(
                request("POST", "requests.json", form=report()), complaints
            )
            assert known.status_code == 201
        assert complaints.bureau_lookups == ["b99", "b01"]  # a known one is kept

    def test_one_bureau_is_the_default_jurisdiction(self, complaints):
        form = report()
        del form["jurisdiction_id"]
        answer = Open311(("b07",)).handle(
            request("POST", "requests.json", form=form), complaints
        )
        assert answer.status_code == 201
        assert complaints.calls[0][3]["bureau_id"] == "b07"

    def test_the_services_field_errors_name_the_open311_fields(
        self, open311, complaints
    ):
        complaints.fail = InvalidInput(fields={"reporter_contact": "too_long"})
        answer = open311.handle(
            request(
                "POST",
                "requests.json",
                form=report(),
                headers={"Accept-Language": "en"},
            ),
            complaints,
        )
        assert answer.status_code == 400
        assert "phone/email" in body(answer)[0]["description"]

    def test_an_unknown_unit_is_400_not_404(self, open311, complaints):
        complaints.fail = NotFound(kind="unit", id="b01.u999")
        answer = open311.handle(
            request(
                "POST", "requests.xml", form=report(**{"attribute[unit]": "b01.u999"})
            ),
            complaints,
        )
        assert answer.status_code == 400
        root = xml(answer)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "400"
        assert "b01.u999" in (root.findtext("error/description") or "")


class TestFollowingReports:
    def filed(self, open311: Open311, complaints: FakeComplaints) -> str:
        answer = open311.handle(
            request("POST", "requests.json", form=report()), complaints
        )
        return str(body(answer)[0]["service_request_id"])

    def test_a_report_is_read_back_by_its_receipt_code(self, open311, complaints):
        code = self.filed(open311, complaints)
        answer = open311.handle(
            request("GET", f"requests/{code}.json", query={"jurisdiction_id": "b01"}),
            complaints,
        )
        [case] = body(answer)
        assert case["service_request_id"] == code
        assert (case["status"], case["service_code"]) == ("open", "slow")
        assert case["status_notes"] == "已登记"
        assert case["expected_datetime"] == "2026-03-03T23:59:59+08:00"
        assert complaints.calls[-1][2] == {"receipt_code": code}

    def test_a_closed_case_shows_its_outcome_and_latest_reply(
        self, open311, complaints
    ):
        code = self.filed(open311, complaints)
        complaints.cases[code].update(
            state="closed", outcome="substantiated", replies=["旧", "已整改到位"]
        )
        root = xml(
            open311.handle(
                request(
                    "GET", f"requests/{code}.xml", query={"jurisdiction_id": "b01"}
                ),
                complaints,
            )
        )
        assert root.tag == "service_requests"
        assert root.findtext("request/status") == "closed"
        assert (
            root.findtext("request/status_notes")
            == "已办结；调查结论：属实；答复：已整改到位"
        )
        assert root.findtext("request/lat") is not None  # present, empty

    def test_the_list_answers_only_the_codes_asked_for_and_skips_unknown_ones(
        self, open311, complaints
    ):
        first, second = self.filed(open311, complaints), self.filed(open311, complaints)
        answer = open311.handle(
            request(
                "GET",
                "requests.json",
                query={
                    "jurisdiction_id": "b01",
                    "service_request_id": f"{first}, NOPE-NOPE,{second},{first}",
                },
            ),
            complaints,
        )
        assert [c["service_request_id"] for c in body(answer)] == [first, second]

    def test_there_is_no_public_list_of_all_reports(self, open311, complaints):
        self.filed(open311, complaints)
        answer = open311.handle(
            request("GET", "requests.json", query={"jurisdiction_id": "b01"}),
            complaints,
        )
        assert answer.status_code == 400
        assert "service_request_id" in body(answer)[0]["description"]
        too_many = ",".join(f"C{n}" for n in range(11))
        answer = open311.handle(
            request(
                "GET",
                "requests.json",
                query={"jurisdiction_id": "b01", "service_request_id": too_many},
            ),
            complaints,
        )
        assert answer.status_code == 400

    def test_an_unknown_code_is_404(self, open311, complaints):
        answer = open311.handle(
            request("GET", "requests/AAAA-BBBB.json", query={"jurisdiction_id": "b01"}),
            complaints,
        )
        assert answer.status_code == 404

    def test_the_services_own_lookup_limit_is_429(self, open311, complaints):
        complaints.fail = RateLimited(retry_after=30)
        answer = open311.handle(
            request("GET", "requests/X1.json", query={"jurisdiction_id": "b01"}),
            complaints,
        )
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "30"


class TestTheEnvelope:
    def test_requests_are_rate_limited_per_client(self, complaints):
        endpoint = Open311(("b01",), limits=TokenBuckets(rate=0.001, burst=2))
        statuses = [
            endpoint.handle(request("GET", "services.json"), complaints).status_code
            for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
        other = endpoint.handle(
            request("GET", "services.json", client="198.51.100.1"), complaints
        )
        assert other.status_code == 200
        limited = endpoint.handle(request("GET", "services.xml"), complaints)
        assert xml(limited).findtext("error/code") == "429"
        assert limited.headers["Retry-After"] == "5"

    def test_markup_and_control_characters_stay_well_formed_xml(
        self, open311, complaints
    ):
        nasty = '<script>alert("x")</script> & ]]> \x00\x1b end'
        answer = open311.handle(
            request("POST", "requests.json", form=report(description=nasty)),
            complaints,
        )
        code = body(answer)[0]["service_request_id"]
        raw = open311.handle(
            request("GET", f"requests/{code}.xml", query={"jurisdiction_id": "b01"}),
            complaints,
        ).get_data()
        assert b"<script>" not in raw
        root = ET.fromstring(raw)
        text = root.findtext("request/description") or ""
        assert text.startswith('<script>alert("x")</script> & ]]>')
        assert "\x00" not in text

    @pytest.mark.parametrize(
        "path", ["nothing.json", "services.csv", "services/slow/more.json", ""]
    )
    def test_an_unknown_path_is_404_json(self, open311, complaints, path):
        answer = open311.handle(request("GET", path), complaints)
        assert answer.status_code == 404
        assert body(answer)[0]["code"] == 404

    def test_a_slow_service_is_504_and_a_bug_is_500_with_a_correlation_id(
        self, open311, complaints
    ):
        complaints.fail = timeout()
        answer = open311.handle(
            request("POST", "requests.json", form=report()), complaints
        )
        assert answer.status_code == 504
        complaints.fail = KeyError("bug")
        answer = open311.handle(
            request(
                "POST",
                "requests.json",
                form=report(),
                headers={"X-Correlation-Id": "corr-1"},
            ),
            complaints,
        )
        assert answer.status_code == 500
        assert "corr-1" in body(answer)[0]["description"]
        assert answer.headers["X-Correlation-Id"] == "corr-1"

    def test_an_oversized_form_is_413(self, open311, complaints):
        answer = open311.handle(
            request("POST", "requests.json", form=report(description="x" * 70_000)),
            complaints,
        )
        assert answer.status_code == 413
        assert complaints.calls == []


class MemoryKeys:
    """The gateway's idempotency keys (Sessions.claim/remember/release) in memory."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Stored] = {}

    def claim(self, owner: str, key: str, hashed: str) -> Stored | None:
        found = self.rows.get((owner, key))
        if found is None:
            self.rows[(owner, key)] = Stored(hashed, None, None, {})
        return found

    def remember(
        self, owner: str, key: str, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        hashed = self.rows[(owner, key)].request_hash
        self.rows[(owner, key)] = Stored(hashed, status, body, headers)

    def release(self, owner: str, key: str) -> None:
        if self.rows.get((owner, key), Stored("", 0, None, {})).status is None:
            del self.rows[(owner, key)]


class TestRetriesWithAnIdempotencyKey:
    @pytest.fixture
    def keys(self) -> MemoryKeys:
        return MemoryKeys()

    @pytest.fixture
    def keyed(self, keys: MemoryKeys) -> Open311:
        return Open311(("b01",), keys=keys)

    @staticmethod
    def form(key: str, client: str = "203.0.113.7", **fields: str) -> Request:
        return request(
            "POST",
            "requests.json",
            form=report(**fields),
            headers={"Idempotency-Key": key},
            client=client,
        )

    def post(self, open311: Open311, complaints, key: str, **fields: str) -> Response:
        return open311.handle(self.form(key, **fields), complaints)

    def test_the_same_post_again_gets_the_first_answer_and_files_nothing(
        self, keyed, complaints
    ):
        first = self.post(keyed, complaints, "retry-key-0001")
        again = self.post(keyed, complaints, "retry-key-0001")
        assert (first.status_code, again.status_code) == (201, 201)
        assert body(again) == body(first)
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.headers["Content-Type"] == first.headers["Content-Type"]
        assert len(complaints.cases) == 1

    def test_another_client_address_with_the_same_key_files_its_own(
        self, keyed, complaints
    ):
        self.post(keyed, complaints, "retry-key-0001")
        other = keyed.handle(
            self.form("retry-key-0001", client="198.51.100.9"), complaints
        )
        assert other.status_code == 201 and len(complaints.cases) == 2

    def test_the_key_with_another_form_is_422_and_a_bad_key_400(
        self, keyed, complaints
    ):
        self.post(keyed, complaints, "retry-key-0001")
        reused = self.post(
            keyed, complaints, "retry-key-0001", description="另一件事，窗口推诿"
        )
        assert reused.status_code == 422
        assert body(reused)[0]["code"] == 422
        short = self.post(keyed, complaints, "short")
        assert short.status_code == 400
        assert "Idempotency-Key" in body(short)[0]["description"]
        assert len(complaints.cases) == 1

    def test_while_the_first_is_answered_a_retry_is_409(self, keys, keyed, complaints):
        first = self.form("retry-key-0001")
        owner = "open311:203.0.113.7"
        hashed = request_hash("POST", first.path, first.get_data())
        keys.rows[(owner, "retry-key-0001")] = Stored(hashed, None, None, {})
        busy = self.post(keyed, complaints, "retry-key-0001")
        assert busy.status_code == 409 and busy.headers["Retry-After"] == "1"
        assert complaints.cases == {}

    def test_a_failure_is_not_kept_so_the_retry_runs_again(self, keyed, complaints):
        complaints.fail = timeout()
        failed = self.post(keyed, complaints, "retry-key-0001")
        assert failed.status_code == 504
        complaints.fail = None
        retried = self.post(keyed, complaints, "retry-key-0001")
        assert retried.status_code == 201 and len(complaints.cases) == 1

    def test_without_a_key_store_the_header_changes_nothing(self, open311, complaints):
        for _ in range(2):
            answer = self.post(open311, complaints, "retry-key-0001")
            assert answer.status_code == 201
        assert len(complaints.cases) == 2
