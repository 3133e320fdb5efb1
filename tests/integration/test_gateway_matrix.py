"""The authorization matrix: every account (one per role) against every endpoint.

The route table is the declared contract (it is also what the OpenAPI document shows
as x-roles); this test checks the running server holds to it: a caller outside a
route's roles gets the gateway's 403 `forbidden`, a caller inside never does, nobody
gets a 5xx, and nothing but the public routes answers without a login."""

from __future__ import annotations

import re

import pytest

from gateway.api import catalogue
from gateway.api.routes import PREFIX, Route
from tests.support.gateway import ACCOUNTS, System

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

SAMPLE_VALUES = {"year": "2026", "bureau_id": "b01", "receipt_code": "AAAA-BBBB-CCCC"}
SKIPPED_TAGS = {
    "auth"
}  # logout would sign the account out mid-matrix; see the API test


def concrete(route: Route) -> str:
    def value(match: re.Match[str]) -> str:
        return SAMPLE_VALUES.get(match.group(1), "nothing-1")

    return PREFIX + re.sub(r"{([a-z_]+)}", value, route.path)


ROUTES = [r for r in catalogue.routes() if r.tag not in SKIPPED_TAGS]


def test_every_route_without_a_login_is_401_unless_public(system: System) -> None:
    wrong = []
    for route in ROUTES:
        body = {} if route.method != "GET" else None
        answer = system.http.request(route.method, concrete(route), body)
        if answer.status >= 500 or (answer.status == 401) == route.public:
            wrong.append((route.method, route.path, answer.status, answer.body))
    assert wrong == []


@pytest.mark.parametrize(
    "username",
    [name for name, (_, _, roles) in ACCOUNTS.items() if "api_client" not in roles],
)
def test_every_account_against_every_route(system: System, username: str) -> None:
    client = system.as_(username)
    roles = set(client.get("/api/v1/auth/me").body["roles"])
    wrong = []
    for route in ROUTES:
        body = {} if route.method != "GET" else None
        answer = client.request(route.method, concrete(route), body)
        refused = answer.status == 403 and answer.body.get("code") == "forbidden"
        allowed = (
            route.public
            or bool(roles & set(route.roles or ()))
            or ("district_official" in roles and route.method == "GET")
        )
        if answer.status >= 500 or refused == allowed:
            wrong.append((route.method, route.path, sorted(roles), answer.status))
    assert wrong == [], f"{username}: {wrong}"


@pytest.mark.parametrize(
    "path", ["/api/v1/units/b01.u001", "/api/v1/people/b01.001001"]
)
def test_another_bureau_sees_nothing_of_b01(system: System, path: str) -> None:
    own = system.as_("admin01").get(path)
    other = system.as_("admin02").get(path)
    assert own.status == 200, own.body
    assert other.status == 404, other.body
    assert own.body["name"] not in str(other.body)
