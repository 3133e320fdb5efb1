"""The dispatcher alone (no server, no services): statuses, the error shape, and a
5xx whose correlation id is the one in the log line."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from gateway.api import catalogue
from gateway.api.app import Api
from gateway.api.auth import Principal, TokenSigner
from gateway.api.errors import timeout
from gateway.api.openapi import document
from gateway.api.routes import Router
from services.common.errors import InvalidInput, NotFound

SIGNER = TokenSigner(b"unit-test-secret-unit-test-secret")


class NoSessions:
    """Idempotency and revocation are not what these tests are about."""

    def is_revoked(self, jti: str) -> bool:
        return False

    def claim(self, owner: str, key: str, hashed: str) -> None:
        return None

    def remember(self, *args: Any) -> None:
        pass

    def release(self, *args: Any) -> None:
        pass


HEAD = 9_999  # what the store's head would say


def api() -> Api:
    return Api(
        Router(catalogue.routes()),
        NoSessions(),  # type: ignore[arg-type]
        SIGNER,
        head=lambda: HEAD,
    )


def send(
    method: str,
    path: str,
    caller: Any,
    body: Any = None,
    roles: tuple[str, ...] = ("leading_group_office", "staff"),
    headers: dict[str, str] | None = None,
) -> tuple[Response, dict[str, Any]]:
    token, _ = SIGNER.issue(
        Principal("office01", "b01", frozenset(roles), "b01.001002")
    )
    builder = EnvironBuilder(
        method=method,
        path=path,
        json=body,
        headers={"Authorization": f"Bearer {token}", **(headers or {})},
    )
    response = api().handle(Request(builder.get_environ()), caller)
    return response, json.loads(response.get_data())


def failing(error: BaseException) -> Any:
    def caller(*args: Any) -> Any:
        raise error

    return caller


def test_a_bug_is_a_500_whose_correlation_id_is_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="gateway.api"):
        response, body = send(
            "GET", "/api/v1/ledger/items/i1", failing(RuntimeError("boom"))
        )
    assert response.status_code == 500
    assert body["code"] == "internal_error"
    cid = body["correlation_id"]
    assert response.headers["X-Correlation-Id"] == cid
    assert cid in body["message"]
    [record] = caplog.records
    assert record.correlation_id == cid  # type: ignore[attr-defined]
    assert "boom" not in json.dumps(body)  # nothing internal to the client


def test_a_client_correlation_id_is_kept() -> None:
    _, body = send(
        "GET",
        "/api/v1/ledger/items/i1",
        failing(RuntimeError("boom")),
        headers={"X-Correlation-Id": "req-42"},
    )
    assert body["correlation_id"] == "req-42"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (NotFound(kind="ledger_item", id="i1"), 404, "not_found"),
        (InvalidInput(fields={"item_id": "bad_format"}), 400, "invalid_input"),
        (timeout(), 504, "upstream_timeout"),
    ],
)
def test_errors_keep_their_code_and_take_their_status(
    error: BaseException, status: int, code: str
) -> None:
    response, body = send("GET", "/api/v1/ledger/items/i1", failing(error))
    assert (response.status_code, body["code"]) == (status, code)


def test_the_message_follows_accept_language() -> None:
    refused = failing(NotFound(kind="ledger_item", id="i1"))
    _, zh = send("GET", "/api/v1/ledger/items/i1", refused)
    _, en = send(
        "GET",
        "/api/v1/ledger/items/i1",
        refused,
        headers={"Accept-Language": "en-US,en;q=0.8"},
    )
    assert zh["message"] == "ledger_item i1 不存在"
    assert en["message"] == "ledger_item i1 does not exist"


def test_no_route_and_a_wrong_method_answer_in_the_same_shape() -> None:
    response, body = send("GET", "/api/v1/nowhere", failing(RuntimeError()))
    assert (response.status_code, body["code"]) == (404, "route_not_found")
    response, body = send("DELETE", "/api/v1/ledger/items", failing(RuntimeError()))
    assert (response.status_code, body["code"]) == (405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_a_role_outside_the_route_never_reaches_the_service() -> None:
    called: list[Any] = []
    response, body = send(
        "POST",
        "/api/v1/units",
        lambda *args: called.append(args) or {},
        body={"code": "u9"},
        roles=("staff",),
    )
    assert (response.status_code, body["code"]) == (403, "forbidden")
    assert called == []


def test_the_payload_is_the_body_with_the_path_and_the_context_the_caller() -> None:
    seen: list[Any] = []

    def caller(service: str, method: str, payload: Any, context: Any) -> Any:
        seen.append((service, method, payload, context))
        return {"item_id": "i1", "version": 3}

    response, _ = send(
        "POST",
        "/api/v1/ledger/items/i1/progress",
        caller,
        body={"note": "进展"},
        headers={"If-Match": '"3"'},
    )
    assert response.status_code == 200
    assert response.headers["ETag"] == '"3"'
    [(service, method, payload, context)] = seen
    assert (service, method) == ("ledger", "note_progress")
    assert payload == {"note": "进展", "item_id": "i1"}
    assert context["bureau_id"] == "b01"
    assert context["actor"] == "b01.001002"
    assert context["expected"] == {"stream": "ledger_item-i1", "version": 3}


class TestXPosition:
    """A command's X-Position is where its own events end when the service says so,
    else the store's head (also at or past them); the key never reaches the client."""

    def test_the_position_the_service_answered_and_not_in_the_body(self) -> None:
        response, body = send(
            "POST",
            "/api/v1/ledger/items/i1/progress",
            lambda *args: {"item_id": "i1", "version": 4, "_position": 1234},
            body={"note": "进展"},
        )
        assert response.status_code == 200
        assert response.headers["X-Position"] == "1234"
        assert response.headers["ETag"] == '"4"'
        assert body == {"item_id": "i1", "version": 4}

    def test_a_command_that_appended_nothing_gets_the_head(self) -> None:
        response, _ = send(
            "POST",
            "/api/v1/ledger/items/i1/progress",
            lambda *args: {"item_id": "i1", "version": 4},
            body={"note": "进展"},
        )
        assert response.headers["X-Position"] == str(HEAD)

    def test_a_query_has_none(self) -> None:
        response, body = send(
            "GET",
            "/api/v1/ledger/items/i1",
            lambda *args: {"item_id": "i1", "version": 4, "_position": 1},
        )
        assert response.status_code == 200
        assert "X-Position" not in response.headers
        assert "_position" not in body


class TestPublishingTheAssessment:
    """POST /evaluation/assessment/{year}/publish: the office's command; the path's
    year reaches the evaluation service as a number."""

    PATH = "/api/v1/evaluation/assessment/2026/publish"

    @staticmethod
    def recording(seen: list[Any]) -> Any:
        def caller(service: str, method: str, payload: Any, context: Any) -> Any:
            seen.append((service, method, payload))
            return {"year": payload["year"], "version": 2, "units": []}

        return caller

    def test_the_paths_year_goes_into_the_payload_as_an_integer(self) -> None:
        seen: list[Any] = []
        response, body = send(
            "POST", self.PATH, self.recording(seen), body={"note": "年终定格"}
        )
        assert response.status_code == 200, body
        assert response.headers["ETag"] == '"2"'
        assert seen == [
            ("evaluation", "publish_assessment", {"note": "年终定格", "year": 2026})
        ]

    def test_the_same_year_in_the_body_is_accepted_and_another_refused(self) -> None:
        seen: list[Any] = []
        response, _ = send("POST", self.PATH, self.recording(seen), body={"year": 2026})
        assert response.status_code == 200
        response, body = send(
            "POST", self.PATH, self.recording(seen), body={"year": 2025}
        )
        assert (response.status_code, body["code"]) == (400, "path_body_mismatch")
        assert len(seen) == 1

    @pytest.mark.parametrize("year", ["twenty", "2026.0", "１２", "9999999999"])
    def test_a_year_that_is_not_an_integer_never_reaches_the_service(
        self, year: str
    ) -> None:
        seen: list[Any] = []
        response, body = send(
            "POST",
            f"/api/v1/evaluation/assessment/{year}/publish",
            self.recording(seen),
            body={},
        )
        assert (response.status_code, body["code"]) == (400, "invalid_input")
        assert body["details"]["fields"] == {"year": "not_a_number"}
        assert seen == []

    @pytest.mark.parametrize(
        "roles", [("committee_member",), ("unit_head", "staff"), ("district_official",)]
    )
    def test_only_the_leading_group_office_publishes(
        self, roles: tuple[str, ...]
    ) -> None:
        seen: list[Any] = []
        response, body = send("POST", self.PATH, self.recording(seen), {}, roles)
        assert (response.status_code, body["code"]) == (403, "forbidden")
        assert seen == []

    def test_the_document_gives_the_year_as_an_integer_and_other_paths_as_text(
        self,
    ) -> None:
        paths = document(catalogue.routes())["paths"]
        publish = paths["/api/v1/evaluation/assessment/{year}/publish"]["post"]
        [year] = [p for p in publish["parameters"] if p["in"] == "path"]
        assert year["schema"] == {"type": "integer", "minimum": 2000, "maximum": 2100}
        assert publish["x-roles"] == ["leading_group", "leading_group_office"]
        campaign = paths["/api/v1/campaigns/{year}"]["get"]["parameters"][0]
        assert campaign["schema"]["type"] == "string"


class TestTheAssessmentView:
    def test_the_view_is_for_leaders_and_the_district_with_its_filters(self) -> None:
        view = document(catalogue.routes())["paths"]["/api/v1/views/assessment"]["get"]
        assert view["x-roles"] == sorted(
            {"leading_group", "leading_group_office", "committee_member",
             "district_official"}
        )  # fmt: skip
        names = {p["name"] for p in view["parameters"]}
        assert {"year", "unit_id", "incomplete", "bureau_id", "cursor"} <= names
        response, body = send(
            "GET", "/api/v1/views/assessment", failing(RuntimeError()), roles=("staff",)
        )
        assert (response.status_code, body["code"]) == (403, "forbidden")
