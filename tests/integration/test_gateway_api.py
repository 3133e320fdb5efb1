"""The HTTP API for real: gateway, organization, complaints and ledger by `nameko run`,
RabbitMQ RPC, PostgreSQL; every request through urllib as a client would send it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jwt
import pytest

from eventing.store import open_store
from tests.support.gateway import System, eventually, read_own_write

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

ITEM = {
    "level": "unit",
    "unit_id": "b01.u002",
    "category": "slow",
    "source": "spot_check",
    "reference": "抽查-2026-01",
    "description": "窗口审批环节多，材料齐全仍需往返两次",
    "found_on": "2026-01-05",
}


def open_item(system: System, **fields: Any) -> dict[str, Any]:
    answer = system.as_("officer02").post("/api/v1/ledger/items", {**ITEM, **fields})
    assert answer.status == 201, answer.body
    return dict(answer.body)


class TestSigningIn:
    def test_a_login_gives_tokens_and_the_roles_of_the_org_chart(self, system):
        answer = system.login("head02")
        assert answer.status == 200
        assert answer.body["token_type"] == "Bearer"
        assert "unit_head" in answer.body["principal"]["roles"]
        me = system.http.as_(answer.body["access_token"]).get("/api/v1/auth/me")
        assert me.status == 200
        assert me.body["username"] == "head02"
        assert me.body["acting_bureau_id"] == "b01"

    def test_a_wrong_password_is_401_in_the_language_asked(self, system):
        zh = system.login("head02", "wrong-password")
        assert zh.status == 401
        assert zh.body["code"] == "invalid_credentials"
        assert zh.headers["Content-Language"] == "zh-CN"
        english = system.http.post(
            "/api/v1/auth/login",
            {"username": "head02", "password": "wrong-password"},
            headers={"Accept-Language": "en-GB,en;q=0.9"},
        )
        assert english.status == 401
        assert english.body["message"] != zh.body["message"]
        assert english.body["message"].isascii()

    def test_no_token_a_forged_token_and_an_expired_token_are_refused(
        self, system, tmp_path
    ):
        assert system.http.get("/api/v1/bureau").body["details"] == {
            "reason": "missing"
        }
        forged = jwt.encode(
            {
                "sub": "admin01",
                "roles": ["bureau_admin"],
                "jti": "x",
                "iat": 1,
                "exp": int(time.time()) + 60,
                "iss": "rectification-gateway",
            },
            "not-the-secret-" * 3,  # as long as a real one: only its value is wrong
            algorithm="HS256",
        )
        refused = system.http.as_(forged).get("/api/v1/bureau")
        assert (refused.status, refused.body["details"]["reason"]) == (
            401,
            "token_invalid",
        )
        secret = _secret(system)
        expired = jwt.encode(
            {
                "sub": "admin01",
                "roles": ["bureau_admin"],
                "jti": "y",
                "iat": 1,
                "exp": int(time.time()) - 60,
                "iss": "rectification-gateway",
            },
            secret,
            algorithm="HS256",
        )
        refused = system.http.as_(expired).get("/api/v1/bureau")
        assert (refused.status, refused.body["details"]["reason"]) == (
            401,
            "token_expired",
        )

    def test_a_refresh_token_works_once_and_logout_revokes_the_access_token(
        self, system
    ):
        first = system.login("clerk02").body
        second = system.http.post(
            "/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]}
        )
        assert second.status == 200
        again = system.http.post(
            "/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]}
        )
        assert again.status == 401
        client = system.http.as_(second.body["access_token"])
        assert client.get("/api/v1/bureau").status == 200
        out = client.post(
            "/api/v1/auth/logout", {"refresh_token": second.body["refresh_token"]}
        )
        assert out.status == 200
        after = client.get("/api/v1/bureau")
        assert (after.status, after.body["details"]["reason"]) == (
            401,
            "token_revoked",
        )

    def test_an_api_key_signs_a_machine_client_in(self, system):
        issued = system.as_("admin01").post("/api/v1/accounts/bot01/api-keys", {})
        assert issued.status == 201, issued.body
        key = issued.body["api_key"]
        bot = system.http.as_(None)
        answer = bot.post("/api/v1/ledger/items", ITEM, headers={"X-Api-Key": key})
        assert answer.status == 201, answer.body
        wrong = bot.get("/api/v1/bureau", headers={"X-Api-Key": key + "x"})
        assert wrong.status == 401

    def test_a_revoked_api_key_stops_working_within_seconds(self, system):
        """The gateway remembers a verified key; the revocation reaches it through
        the account's events, not only through the worker that took it."""
        admin = system.as_("admin01")
        issued = admin.post("/api/v1/accounts/bot01/api-keys", {})
        assert issued.status == 201, issued.body
        headers = {"X-Api-Key": issued.body["api_key"]}
        bot = system.http.as_(None)
        for _ in range(3):  # verified once, then remembered
            assert bot.get("/api/v1/bureau", headers=headers).status == 200
        revoked = admin.post(
            "/api/v1/accounts/bot01/api-keys/revoke",
            {"key_id": issued.body["key_id"]},
        )
        assert revoked.status == 200, revoked.body
        deadline = time.monotonic() + 10  # the cache looks every 2 s
        while (answer := bot.get("/api/v1/bureau", headers=headers)).status == 200:
            assert time.monotonic() < deadline, "the revoked key still works"
            time.sleep(0.2)
        assert (answer.status, answer.body["details"]["reason"]) == (
            401,
            "api_key_invalid",
        )


def _secret(system: System) -> str:
    # the gateway's secret file is beside its log (tests/support/gateway.py)
    log = Path(system.gateway.log_path)
    return (log.parent / "token-secret").read_text()


class TestCommandsAndQueries:
    def test_a_ledger_item_is_opened_read_and_planned_through_http(self, system):
        item = open_item(system)
        read = system.as_("head02").get(f"/api/v1/ledger/items/{item['item_id']}")
        assert read.status == 200
        assert read.headers["ETag"] == f'"{read.body["version"]}"'
        planned = system.as_("leader01").post(
            f"/api/v1/ledger/items/{item['item_id']}/plan",
            {
                "measures": ["精简审批材料清单"],
                "leader_id": "b01.001001",
                "deadline": "2026-03-31",
            },
            headers={"If-Match": read.headers["ETag"]},
        )
        assert planned.status == 200, planned.body
        assert int(planned.headers["X-Position"]) > 0

    def test_a_stale_if_match_is_412_and_writes_nothing(self, system):
        item = open_item(system)
        path = f"/api/v1/ledger/items/{item['item_id']}"
        etag = system.as_("head02").get(path).headers["ETag"]
        note = {"note": "已召开整改会议"}
        first = system.as_("officer02").post(
            path + "/progress", note, headers={"If-Match": etag}
        )
        assert first.status == 200, first.body
        second = system.as_("officer02").post(
            path + "/progress", note, headers={"If-Match": etag}
        )
        assert second.status == 412
        assert second.body["code"] == "precondition_failed"
        assert system.as_("head02").get(path).body["version"] == int(
            first.headers["ETag"].strip('"')
        )

    def test_a_retried_post_with_the_same_idempotency_key_creates_once(self, system):
        client = system.as_("officer02")
        key = {"Idempotency-Key": "open-item-0001-abcdef"}
        first = client.post("/api/v1/ledger/items", ITEM, headers=key)
        again = client.post("/api/v1/ledger/items", ITEM, headers=key)
        assert first.status == again.status == 201
        assert first.body["item_id"] == again.body["item_id"]
        assert again.headers.get("Idempotent-Replayed") == "true"
        other = client.post(
            "/api/v1/ledger/items", {**ITEM, "reference": "另一件"}, headers=key
        )
        assert (other.status, other.body["code"]) == (422, "idempotency_key_reused")

    def test_bad_input_is_a_4xx_with_field_errors_never_a_500(self, system):
        client = system.as_("officer02")
        missing = client.post("/api/v1/ledger/items", {"level": "unit"})
        assert missing.status == 400
        assert missing.body["code"] == "invalid_input"
        assert missing.body["details"]["fields"]["category"] == "required"
        assert (
            client.request(
                "POST",
                "/api/v1/ledger/items",
                raw=b"{not json",
                headers={"Content-Type": "application/json"},
            ).body["code"]
            == "malformed_json"
        )
        wrong_type = client.request(
            "POST",
            "/api/v1/ledger/items",
            raw=b"level=unit",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert wrong_type.status == 415
        assert client.post("/api/v1/ledger/items", [1, 2]).status == 400
        assert client.get("/api/v1/no/such/thing").status == 404
        assert client.request("DELETE", "/api/v1/ledger/items").status == 405


class TestWhoMayDoWhat:
    def test_a_role_outside_the_route_is_403(self, system):
        refused = system.as_("clerk02").post(
            "/api/v1/units", {"code": "u009", "name": "新单位", "kind": "office"}
        )
        assert refused.status == 403
        assert "bureau_admin" in refused.body["details"]["allowed_roles"]

    def test_one_bureau_never_reads_another_bureaus_records(self, system):
        item = open_item(system)
        path = f"/api/v1/ledger/items/{item['item_id']}"
        assert system.as_("admin02").get(path).status == 404
        asked = system.as_("admin02").get(path, headers={"X-Bureau-Id": "b01"})
        assert asked.status == 403

    def test_a_district_official_reads_another_bureau_but_does_not_write_there(
        self, system
    ):
        other = system.as_("office02").post(
            "/api/v1/ledger/items", {**ITEM, "unit_id": "b02.u002"}
        )
        assert other.status == 201, other.body
        path = f"/api/v1/ledger/items/{other.body['item_id']}"
        district = system.as_("district")  # an account of b01
        assert district.get(path).status == 404  # acting in b01 by default
        b02 = {"X-Bureau-Id": "b02"}
        assert district.get(path, headers=b02).status == 200
        refused = district.post(
            "/api/v1/ledger/items", {**ITEM, "unit_id": "b02.u002"}, headers=b02
        )
        assert refused.status == 403


class TestPublicAndMeta:
    def test_a_member_of_the_public_reports_and_follows_by_receipt_code(self, system):
        public = system.http.as_(None)
        report = {
            "unit_id": "b01.u002",
            "channel": "secret_visit",  # not the public's to claim: web form
            "category": "slow",
            "description": "窗口工作人员上班时间玩手机，群众排队无人办理",
        }
        answer = public.post("/api/v1/public/bureaus/b01/reports", report)
        assert answer.status == 201, answer.body
        assert set(answer.body) == {
            "receipt_code",
            "bureau_id",
            "status",
            "received_at",
            "note",
        }
        code = answer.body["receipt_code"]
        followed = public.get(f"/api/v1/public/bureaus/b01/reports/{code}")
        assert followed.status == 200, followed.body
        assert "b01.00" not in str(followed.body)  # no internal names of people
        store = open_store(system.store_db)
        try:
            # read_all is follower-safe: it stops below any transaction still running
            # on the PostgreSQL server, another test run's included, so it may take
            # a moment to reach the report's events
            received = eventually(
                lambda: [
                    e.data
                    for e in store.read_all(limit=100_000, categories=["complaint"])
                    if e.type == "ComplaintReceived"
                    and e.data["description"] == report["description"]
                ],
                timeout=30,
            )
        finally:
            store.close()
        assert [r["channel"] for r in received] == ["web_form"]
        unknown = public.get("/api/v1/public/bureaus/b01/reports/AAAA-BBBB-CCCC-DDDD")
        assert unknown.status in (400, 404)
        nowhere = public.post("/api/v1/public/bureaus/b99/reports", report)
        assert nowhere.status == 404

    def test_the_openapi_document_describes_every_route_the_server_has(self, system):
        doc = system.http.get("/api/v1/openapi.json").body
        assert doc["openapi"] == "3.1.0"
        operations = {
            op["operationId"]
            for methods in doc["paths"].values()
            for op in methods.values()
        }
        assert {"login", "ledger_open_item", "public_report"} <= operations
        assert doc["paths"]["/api/v1/ledger/items"]["post"]["x-roles"]
        page = system.http.get("/api/v1/docs")
        assert page.status == 200 and "openapi.json" in page.body

    def test_requests_are_counted_by_route_template(self, system):
        open_item(system)
        metrics = system.http.get("/metrics").body
        assert 'route="/api/v1/ledger/items"' in metrics
        assert "gateway_http_request_duration_seconds_bucket" in metrics


class TestViews:
    """Read models through HTTP (the projector runs beside the gateway)."""

    def test_a_command_then_its_view_read_your_own_write(self, system):
        opened = system.as_("officer02").post(
            "/api/v1/ledger/items", {**ITEM, "reference": "自己写自己读"}
        )
        assert opened.status == 201
        position = opened.headers["X-Position"]
        board = read_own_write(
            system.as_("head02"),
            f"/api/v1/views/ledger-board?min_position={position}&limit=200",
        )
        assert board.status == 200, board.body
        assert board.body["caught_up"] is True
        assert board.body["position"] >= int(position)
        ids = [row["item_id"] for row in board.body["items"]]
        assert opened.body["item_id"] in ids

    def test_a_position_past_the_store_s_end_is_answered_at_once(self, system):
        """Nobody's write is there yet: a wait for it would only hold a gateway
        worker, for any caller, an anonymous one on a public view too."""
        for client, path in (
            (system.as_("head02"), "/api/v1/views/ledger-board"),
            (system.http.as_(None), "/api/v1/public/bureaus/b01/board"),
        ):
            started = time.monotonic()
            answer = client.get(f"{path}?min_position=9000000000000000")
            waited = time.monotonic() - started
            assert answer.status == 200, answer.body
            assert answer.body["caught_up"] is False
            assert waited < 2.5  # the wait configured here is the default, 5 s

    def test_a_view_shows_one_bureau_and_the_district_sees_all(self, system):
        mine = system.as_("office02").post(
            "/api/v1/ledger/items", {**ITEM, "unit_id": "b02.u001"}
        )
        position = mine.headers["X-Position"]
        query = f"/api/v1/views/ledger-board?min_position={position}&limit=200"
        read_own_write(system.as_("head02"), query)
        b01 = system.as_("head02").get(query).body["items"]
        b02 = system.as_("admin02").get(query).body["items"]
        district = system.as_("district").get(query).body["items"]
        assert {row["bureau_id"] for row in b01} == {"b01"}
        assert {row["bureau_id"] for row in b02} == {"b02"}
        assert {row["bureau_id"] for row in district} == {"b01", "b02"}

    def test_pages_follow_the_cursor_without_repeats(self, system):
        for n in range(5):
            last = system.as_("officer02").post(
                "/api/v1/ledger/items", {**ITEM, "reference": f"分页-{n}"}
            )
            assert last.status == 201, last.body
        client = system.as_("head02")
        # the board is a projection: the first page waits until it holds the last item
        first = read_own_write(
            client,
            "/api/v1/views/ledger-board?limit=2"
            f"&min_position={last.headers['X-Position']}",
        )
        assert first.status == 200
        assert first.body["caught_up"] is True
        seen = [row["item_id"] for row in first.body["items"]]
        cursor = first.body["next_cursor"]
        while cursor:
            page = client.get(f"/api/v1/views/ledger-board?limit=2&cursor={cursor}")
            seen += [row["item_id"] for row in page.body["items"]]
            cursor = page.body["next_cursor"]
        assert len(seen) == len(set(seen))
        assert last.body["item_id"] in seen and len(seen) >= 5

    def test_a_bad_filter_or_cursor_is_400(self, system):
        client = system.as_("head02")
        assert client.get("/api/v1/views/ledger-board?sort=nonsense").status == 400
        assert client.get("/api/v1/views/ledger-board?cursor=%%%").status == 400
        assert client.get("/api/v1/views/ledger-board?limit=0").status == 400

    def test_the_public_board_and_hotlines_need_no_login(self, system):
        public = system.http.as_(None)
        hotlines = public.get("/api/v1/public/bureaus/b01/hotlines")
        assert hotlines.status == 200, hotlines.body
        assert all(row["bureau_id"] == "b01" for row in hotlines.body["items"])
        board = public.get("/api/v1/public/bureaus/b01/board")
        assert board.status == 200, board.body


class TestAnEvaluationRoundThroughHttp:
    def test_staff_vote_once_anonymously_and_the_30_percent_rule_fires(self, system):
        voters = ["head02", "officer02", "clerk02", "leader01", "office01", "inv01"]
        me = {u: system.as_(u).get("/api/v1/auth/me").body for u in voters}
        opened = system.as_("office01").post(
            "/api/v1/evaluation/rounds",
            {
                "kind": "leadership",
                "title": "2026 年领导班子评议",
                "year": 2026,
                "opens_at": "2026-01-01T00:00:00+08:00",
                "closes_at": "2030-01-01T00:00:00+08:00",
                "subjects": [{"kind": "team", "unit_id": "b01.u002"}],
                "electorate": [
                    {"voter_id": me[u]["person_id"], "constituency": "staff"}
                    for u in voters
                ],
            },
        )
        assert opened.status == 201, opened.body
        round_id = opened.body["round_id"]
        ballots = f"/api/v1/evaluation/rounds/{round_id}/ballots"
        options = ["poor", "fair", "good", "excellent", "excellent", "good"]
        for username, option in zip(voters, options, strict=True):
            cast = system.as_(username).post(
                ballots,
                {"choices": [{"subject_id": "b01.u002", "option": option}]},
            )
            assert cast.status == 201, cast.body
            assert username not in str(cast.body)
        again = system.as_("head02").post(
            ballots, {"choices": [{"subject_id": "b01.u002", "option": "good"}]}
        )
        assert (again.status, again.body["code"]) == (409, "already_voted")
        outsider = system.as_("admin01").post(
            ballots, {"choices": [{"subject_id": "b01.u002", "option": "good"}]}
        )
        assert outsider.status == 403
        closed = system.as_("office01").post(
            f"/api/v1/evaluation/rounds/{round_id}/close", {}
        )
        assert closed.status == 200, closed.body
        assert closed.body["reconciliation"]["valid"] == 6
        [admonished] = closed.body["admonishments"]  # 2 of 6 > 30%
        assert admonished["person_id"] == "b01.002001"  # the unit's head
        talks = system.as_("office01").get("/api/v1/evaluation/talks")
        assert talks.status == 200, talks.body
        assert admonished["talk_id"] in str(talks.body)


class TestTheAuditTrail:
    def test_history_state_as_of_and_verify_of_one_record(self, system):
        item = open_item(system)
        stream = f"ledger_item-{item['item_id']}"
        before_plan = datetime.now(UTC).isoformat()
        time.sleep(0.05)
        planned = system.as_("leader01").post(
            f"/api/v1/ledger/items/{item['item_id']}/plan",
            {
                "measures": ["推行一次告知制"],
                "leader_id": "b01.001001",
                "deadline": "2026-04-30",
            },
        )
        assert planned.status == 200, planned.body
        office = system.as_("office01")
        history = office.get(f"/api/v1/audit/streams/{stream}/history")
        assert history.status == 200, history.body
        events = history.body["events"]
        assert [e["type"] for e in events] == [
            "ItemOpened",
            "MeasureAdded",
            "SupervisorNamed",
            "DeadlineSet",
        ]
        assert events[0]["actor"] == "b01.002004"
        assert all(e["hash"] for e in events)
        # X-Position is where the command's own events end (the service says so)
        assert int(planned.headers["X-Position"]) == events[-1]["position"]
        assert "_position" not in planned.body
        then = office.get(f"/api/v1/audit/streams/{stream}/state")
        assert then.status == 400  # `at` is required
        at = quote(before_plan)
        then = office.get(f"/api/v1/audit/streams/{stream}/state?at={at}")
        assert then.status == 200, then.body
        assert then.body["state"]["leader_id"] is None
        now = office.get(
            f"/api/v1/audit/streams/{stream}/state?at="
            + quote(datetime.now(UTC).isoformat())
        )
        assert now.body["state"]["leader_id"] == "b01.001001"
        verified = office.get(f"/api/v1/audit/verify?stream={stream}")
        assert verified.status == 200
        assert verified.body["intact"] is True

    def test_the_trail_is_the_bureau_s_own_and_not_for_every_role(self, system):
        item = open_item(system)
        path = f"/api/v1/audit/streams/ledger_item-{item['item_id']}/history"
        assert system.as_("admin02").get(path).status == 404
        assert system.as_("clerk02").get(path).status == 403
        assert system.as_("office01").get("/api/v1/audit/verify").status == 403


class TestPublicityThroughHttp:
    def test_an_article_is_reviewed_published_and_reaches_the_public_board(
        self, system
    ):
        article_in = {
            "unit_id": "b01.u002",
            "title": "房管所推行一次告知制",
            "body": "## 做法\n\n群众办事一次告知所需材料。",
            "body_format": "markdown",
            "channel": "website",
        }
        scripted = {**article_in, "body": article_in["body"] + "<script>x()</script>"}
        refused = system.as_("officer02").post("/api/v1/publicity/articles", scripted)
        assert (refused.status, refused.body["code"]) == (400, "unsafe_body")
        submitted = system.as_("officer02").post(
            "/api/v1/publicity/articles", article_in
        )
        assert submitted.status == 201, submitted.body
        article = submitted.body["article_id"]
        not_officer = system.as_("clerk02").post(
            "/api/v1/publicity/articles",
            {"unit_id": "b01.u002", "title": "x", "body": "y", "channel": "website"},
        )
        assert not_officer.status == 403
        early = system.as_("office01").post(
            f"/api/v1/publicity/articles/{article}/publication",
            {"channel": "website", "published_on": "2026-03-02"},
        )
        assert early.status == 409  # not accepted yet
        reviewed = system.as_("office01").post(
            f"/api/v1/publicity/articles/{article}/review", {"outcome": "accepted"}
        )
        assert reviewed.status == 200, reviewed.body
        published = system.as_("office01").post(
            f"/api/v1/publicity/articles/{article}/publication",
            {"channel": "website", "published_on": "2026-03-02"},
        )
        assert published.status == 200, published.body
        position = published.headers["X-Position"]
        board = read_own_write(
            system.http.as_(None),
            f"/api/v1/public/bureaus/b01/board?min_position={position}",
        )
        assert board.status == 200, board.body
        assert "房管所推行一次告知制" in str(board.body["items"])
        assert "<script" not in str(board.body)
