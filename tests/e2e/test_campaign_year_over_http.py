"""A whole campaign year of bureau b01, driven through the HTTP API only.

Everything real: the five services and the gateway under `nameko run`, the projector,
the relay (for the cross-service events), RabbitMQ, PostgreSQL. The tests are the
year's phases, in order, sharing what they made in `YEAR`:

1. study (学习提高): the campaign is launched, units file implementation plans and
   hold their mobilisation meeting, the bureau head's public commitment is published,
   closed-book tests are held and spot-checked; the poor unit is flagged, and
   publicity drafts the notice of criticism from evaluation's
   `UnitFlaggedForCriticism` (via the relay), which the leading group approves and
   the office publishes.
2. find problems (查摆问题): a member of the public reports anonymously and follows
   the case by receipt code; accepted, assigned, investigated, substantiated,
   accountability decided, replied; the ledger opens the complaint's item (via the
   relay); an info officer's article is accepted and published.
3. rectify (整改落实): the item gets measures, a supervising leader and a deadline
   (If-Match), progress, a submission, and is closed (销号) by the leader.
4. evaluate (广泛评议): a leadership round where fair + poor > 30% requires an
   admonishment talk, which is held; the year-end assessment ranks the units.
5. throughout: the overview and dashboard count it all, the audit trail names the
   actors and its chain is intact (one stream as the office, every record as a
   district official), the exports answer, and a named reporter's identity appears
   in no answer a staff member or the public fetched; the office alone reads it, on
   request, and that read is recorded.

The services run on the real clock: dates of the year's past phases are in the past
on purpose, deadlines still to come are after today. The phases build on each other:
run the module as a whole (a phase whose predecessor failed is skipped).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from tests.support.gateway import Answer, Http, System

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

BUREAU = "b01"
POOR_UNIT = "b01.u003"  # its closed-book test falls below the bar
WINDOW = "b01.u002"  # 房产管理所: the window the public reports and that is evaluated
LEADER = "b01.001001"  # committee member, head of the leading group (leader01)
OFFICE = "b01.001002"  # on the leading group office (office01)
INVESTIGATOR = "b01.003002"  # inv01
HEAD02 = "b01.002001"  # head of b01.u002 (head02)
OFFICER02 = "b01.002004"  # info officer of b01.u002 (officer02)
# the reporter who gives a name and a number: never to be seen again
REPORTER_NAME = "欧阳青禾"
REPORTER_PHONE = "13912345678"

ZONE = ZoneInfo("Asia/Shanghai")
TODAY = datetime.now(ZONE).date()  # the services' clock: the bureau's today
YEAR_NO = TODAY.year  # this year's campaign (2026 when this was written)
DEADLINE = TODAY + timedelta(days=21)  # the rectification's, still to come
# The phase of today on the seed's calendar (Feb / Mar–Jun / Jul–Sep / Oct–Dec).
PHASE_TODAY = {1: None, 2: "study", 7: "rectify", 8: "rectify", 9: "rectify"}.get(
    TODAY.month, "find_problems" if TODAY.month < 7 else "evaluate"
)


def day(month_day: str) -> str:
    """A date of this campaign year, e.g. day("02-10")."""
    return f"{YEAR_NO}-{month_day}"


# What each phase leaves for the next ones, and every answer a user read.
YEAR: dict[str, Any] = {}
FETCHED: list[tuple[str, Any]] = []


# the whole system (tests/conftest.py) with a relay: notices and ledger items
# come from other services' events
GATEWAY_SYSTEM = {"relay": True}


# -- helpers ------------------------------------------------------------------------


def ok(answer: Answer, status: int = 200) -> Any:
    assert answer.status == status, (answer.status, answer.body)
    return answer.body


def seen(what: str, answer: Answer) -> Answer:
    """Remember an answer (for the reporter-identity check at the end)."""
    FETCHED.append((what, answer.body))
    return answer


def view(
    client: Http,
    name: str,
    after: int | None = None,
    shows: Callable[[dict[str, Any]], bool] | None = None,
    **filters: Any,
) -> dict[str, Any]:
    """A view's first page; with `after`, read as of that position (see read)."""
    query = "&".join(
        f"{k}={quote(str(v))}" for k, v in {"limit": 200, **filters}.items()
    )
    path = f"/api/v1/views/{name}?{query}"
    if after is None:
        return dict(ok(seen(name, client.get(path))))
    return read(client, path, after, shows or (lambda body: True))


def read(
    client: Http, path: str, after: int, shows: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Read your own write: GET `path` with `min_position=after` (a command's
    X-Position) and answer the body once `shows(body)`.

    The API promises the first answer already shows the command's own events
    (X-Position is where they end); a `shows` that needs more than those (rows a
    consumer of the events writes later) may not hold at once. So a first answer
    without the write is tolerated and reported as a warning; for a read of the
    command's own events, that warning is a bug to chase.
    """
    url = f"{path}&min_position={after}"
    first = dict(ok(seen(path, client.get(url))))
    assert first["caught_up"] is True, first
    assert first["position"] >= after
    if shows(first):
        return first

    def fresh() -> dict[str, Any] | None:
        body = dict(ok(seen(path, client.get(url))))
        return body if shows(body) else None

    later: dict[str, Any] = until(fresh, f"{path} shows the write", timeout=15)
    warnings.warn(
        f"stale read-your-write: GET {url} answered caught_up at position "
        f"{first['position']} without the write; it showed at {later['position']}",
        stacklevel=2,
    )
    return later


def until(check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def on_board(system: System, text: str, after: int) -> None:
    """The public board, read as of `after`, shows `text`."""
    read(
        system.http.as_(None),
        f"/api/v1/public/bureaus/{BUREAU}/board?limit=200",
        after,
        lambda body: text in str(body["items"]),
    )


def needs(phase: str) -> None:
    """Skip a phase whose predecessor did not finish."""
    if YEAR.get(phase) != "done":
        pytest.skip(f"{phase} did not finish")


def position(answer: Answer) -> int:
    return int(answer.headers["X-Position"])


# -- the year -----------------------------------------------------------------------


class TestACampaignYearOverHttp:
    def test_1_study_plans_commitment_tests_and_a_notice_of_criticism(
        self, system: System
    ) -> None:
        office = system.as_("office01")

        # The leading group office launches the year's campaign (seed's calendar).
        launched = ok(
            office.post(
                "/api/v1/campaigns",
                {"year": YEAR_NO, "name": f"{YEAR_NO} 作风建设整改年"},
            ),
            201,
        )
        assert [p["phase"] for p in launched["phases"]] == [
            "study",
            "find_problems",
            "rectify",
            "evaluate",
        ]
        again = office.post("/api/v1/campaigns", {"year": YEAR_NO})
        assert again.status == 409, again.body  # one campaign a year
        today = ok(office.get(f"/api/v1/campaigns/{YEAR_NO}/phase-today"))
        assert today["phase"] == PHASE_TODAY  # "evaluate": late November

        # Each unit files its own implementation plan; the window holds its meeting.
        head02 = system.as_("head02")
        plan = ok(
            head02.post(
                f"/api/v1/units/{WINDOW}/implementation-plan",
                {
                    "year": YEAR_NO,
                    "title": "房产管理所作风建设整改年实施方案",
                    "summary": "一、指导思想……二、方法步骤……",
                    "filed_on": day("02-10"),
                },
            )
        )
        assert plan["plans"][str(YEAR_NO)]["filed_on"] == day("02-10")
        ok(
            system.as_("leader01").post(
                "/api/v1/units/b01.u001/implementation-plan",
                {
                    "year": YEAR_NO,
                    "title": "城建监察大队实施方案",
                    "summary": "围绕五个问题开展整改",
                    "filed_on": day("02-09"),
                },
            )
        )
        meeting = ok(
            head02.post(
                f"/api/v1/units/{WINDOW}/mobilisation",
                {
                    "year": YEAR_NO,
                    "held_on": day("02-06"),
                    "attended": 4,
                    "expected": 4,
                },
            )
        )
        assert meeting["mobilisations"][str(YEAR_NO)]["attended"] == 4
        no_campaign = head02.post(
            f"/api/v1/units/{WINDOW}/implementation-plan",
            {"year": 2031, "title": "x", "summary": "y", "filed_on": "2031-02-10"},
        )
        assert no_campaign.status in (404, 409), no_campaign.body
        not_head = system.as_("clerk02").post(
            f"/api/v1/units/{WINDOW}/implementation-plan",
            {"year": YEAR_NO, "title": "x", "summary": "y", "filed_on": day("02-10")},
        )
        assert not_head.status == 403

        # The bureau head's public commitment (公开承诺), published on the board.
        made = ok(
            office.post(
                "/api/v1/publicity/commitments",
                {
                    "unit_id": None,
                    "maker_id": LEADER,
                    "text": "承诺：群众办事一次告知、限时办结",
                    "made_on": day("02-12"),
                    "channel": "tv_interview",
                },
            ),
            201,
        )
        published = office.post(
            f"/api/v1/publicity/commitments/{made['commitment_id']}/publication", {}
        )
        assert ok(published)["status"] == "published"
        on_board(system, "群众办事一次告知、限时办结", position(published))

        # Closed-book tests: the window passes, the poor unit falls below the bar.
        def hold_test(unit: str, scores: dict[str, float]) -> dict[str, Any]:
            held = ok(
                office.post(
                    "/api/v1/evaluation/tests",
                    {
                        "unit_id": unit,
                        "year": YEAR_NO,
                        "title": "区情区况闭卷测试",
                        "held_on": day("02-24"),
                    },
                ),
                201,
            )
            return dict(
                ok(
                    office.post(
                        f"/api/v1/evaluation/tests/{held['test_id']}/scores",
                        {
                            "scores": [
                                {"person_id": p, "score": s} for p, s in scores.items()
                            ]
                        },
                    )
                )
            )

        good = hold_test(
            WINDOW,
            {"b01.002001": 92, "b01.002002": 85, "b01.002003": 78, OFFICER02: 88.5},
        )
        assert good["flagged_for_criticism"] is False
        poor = hold_test(
            POOR_UNIT,
            {"b01.003001": 61, INVESTIGATOR: 55, "b01.003003": 48, "b01.003004": 66},
        )
        assert poor["summary"]["takers"] == 4
        assert poor["summary"]["mean_decimal"] == "57.50"
        assert poor["flagged_for_criticism"] is True
        checked = ok(
            office.post(
                f"/api/v1/evaluation/tests/{poor['test_id']}/spot-check",
                {"checked_on": day("03-02"), "finding": "抽查 2 人，成绩属实"},
            )
        )
        assert checked["spot_checks"][0]["finding"] == "抽查 2 人，成绩属实"
        YEAR["poor_test"] = poor["test_id"]

        # The relay delivers UnitFlaggedForCriticism: publicity drafts the notice.
        def drafted() -> dict[str, Any] | None:
            notices = ok(office.get("/api/v1/publicity/notices"))["notices"]
            return next(
                (
                    n
                    for n in notices
                    if n["unit_id"] == POOR_UNIT
                    and (n.get("source") or {}).get("event")
                    == "UnitFlaggedForCriticism"
                ),
                None,
            )

        notice = until(drafted, "the drafted notice of criticism", timeout=30)
        assert notice["kind"] == "criticism"
        assert notice["state"] == "drafted"
        assert notice["title"] == "关于学习测试成绩较差单位的通报"
        path = f"/api/v1/publicity/notices/{notice['notice_id']}"
        early = office.post(path + "/publication", {})
        assert early.status == 409, early.body  # not approved yet
        assert office.post(path + "/approval", {}).status == 403  # office: no
        approved = ok(system.as_("leader01").post(path + "/approval", {}))
        assert approved["approver_id"] == LEADER
        out = office.post(path + "/publication", {})
        assert ok(out)["state"] == "published"
        on_board(system, "关于学习测试成绩较差单位的通报", position(out))
        YEAR["phase 1"] = "done"

    def test_2_find_problems_a_public_report_is_investigated_and_substantiated(
        self, system: System
    ) -> None:
        needs("phase 1")
        public = system.http.as_(None)
        office = system.as_("office01")
        description = "房产管理所窗口工作人员上班时间炒股、玩游戏，群众排队无人办理"
        reported = ok(
            public.post(
                f"/api/v1/public/bureaus/{BUREAU}/reports",
                {"unit_id": WINDOW, "category": "lax", "description": description},
            ),
            201,
        )
        receipt = reported["receipt_code"]
        follow = f"/api/v1/public/bureaus/{BUREAU}/reports/{receipt}"
        first = ok(seen("follow", public.get(follow)))
        assert (first["state"], first["outcome"], first["replies"]) == (
            "received",
            None,
            [],
        )
        YEAR["follow"] = follow

        # A second report, by name: its reporter must never be shown to anyone.
        named = ok(
            public.post(
                f"/api/v1/public/bureaus/{BUREAU}/reports",
                {
                    "unit_id": "b01.u001",
                    "category": "slow",
                    "description": "城建监察大队办理投诉拖延一个月未回复",
                    "reporter_name": REPORTER_NAME,
                    "reporter_contact": REPORTER_PHONE,
                },
            ),
            201,
        )
        assert REPORTER_NAME not in str(named) and REPORTER_PHONE not in str(named)
        code = named["receipt_code"]
        seen("follow", public.get(f"/api/v1/public/bureaus/{BUREAU}/reports/{code}"))

        # The office finds the anonymous report in its queue.
        def queued() -> list[dict[str, Any]]:
            page = view(office, "complaint-queue", unit_id=WINDOW, category="lax")
            return [row for row in page["items"] if row["channel"] == "web_form"]

        [row] = until(queued, "the report in the complaint queue")
        assert row["anonymous"] is True
        assert row["status"] == "received"
        cid = row["complaint_id"]
        YEAR["complaint"] = cid
        base = f"/api/v1/complaints/{cid}"
        ok(office.post(base + "/accept", {"reason": "属于受理范围"}))
        ok(office.post(base + "/assign", {"investigator_id": INVESTIGATOR}))
        inv = system.as_("inv01")
        ok(inv.post(base + "/investigation", {}))
        concluded = ok(
            inv.post(
                base + "/conclusion",
                {
                    "outcome": "substantiated",
                    "findings": "查实：窗口两名工作人员上班炒股，群众等候逾 40 分钟",
                },
            )
        )
        assert concluded["outcome"] == "substantiated"
        decided = ok(
            office.post(
                base + "/accountability",
                {
                    "kind": "written_self_criticism",
                    "person_ids": ["b01.002002"],
                    "reason": "窗口首问责任人",
                },
            )
        )
        assert decided["accountability"] == "written_self_criticism"
        reply = "经查属实，已责令相关人员作出书面检查，窗口纪律已整顿"
        ok(office.post(base + "/reply", {"reply": reply}))
        later = ok(seen("follow", public.get(follow)))
        assert later["outcome"] == "substantiated"
        assert later["replies"] == [reply]
        assert "b01.00" not in str(later)  # no internal names of people
        staff_view = ok(seen("complaint", office.get(base)))
        assert staff_view["anonymous"] is True

        # Substantiated → the relay → the ledger opens the complaint's one item.
        def item() -> dict[str, Any] | None:
            answer = seen(
                "ledger item", office.get(f"/api/v1/ledger/complaint-items/{cid}")
            )
            return dict(answer.body) if answer.status == 200 else None

        opened = until(item, "the complaint's ledger item", timeout=30)
        assert opened["source"] == "complaint"
        assert opened["reference"] == cid
        assert opened["unit_id"] == WINDOW
        assert opened["category"] == "lax"
        assert opened["state"] == "open"
        YEAR["item"] = opened["item_id"]

        # The window's info officer reports its own rectification; published.
        officer = system.as_("officer02")
        article = ok(
            officer.post(
                "/api/v1/publicity/articles",
                {
                    "unit_id": WINDOW,
                    "title": "房产管理所整顿窗口纪律",
                    "body": "## 做法\n\n实行首问负责制，工作时间手机集中管理。",
                    "body_format": "markdown",
                    "channel": "website",
                },
            ),
            201,
        )
        path = f"/api/v1/publicity/articles/{article['article_id']}"
        ok(office.post(path + "/review", {"outcome": "accepted"}))
        out = office.post(
            path + "/publication",
            {"channel": "website", "published_on": TODAY.isoformat()},
        )
        ok(out)
        on_board(system, "房产管理所整顿窗口纪律", position(out))
        YEAR["phase 2"] = "done"

    def test_3_rectify_the_item_is_planned_worked_and_closed_by_its_leader(
        self, system: System
    ) -> None:
        needs("phase 2")
        item = YEAR["item"]
        path = f"/api/v1/ledger/items/{item}"
        head02, officer = system.as_("head02"), system.as_("officer02")
        etag = head02.get(path).headers["ETag"]
        planned = head02.post(
            path + "/plan",
            {
                "measures": ["工作时间手机集中保管", "窗口首问负责制", "每周纪律抽查"],
                "leader_id": LEADER,
                "deadline": DEADLINE.isoformat(),
            },
            headers={"If-Match": etag},
        )
        body = ok(planned)
        assert body["leader_id"] == LEADER
        assert body["deadline"] == DEADLINE.isoformat()
        stale = officer.post(
            path + "/progress", {"note": "已召开整改会议"}, headers={"If-Match": etag}
        )
        assert stale.status == 412, stale.body  # moved on since that read
        noted = officer.post(
            path + "/progress",
            {"note": "已召开整改会议，手机集中柜已启用"},
            headers={"If-Match": planned.headers["ETag"]},
        )
        ok(noted)
        ok(
            officer.post(
                path + "/submission",
                {"summary": "三项措施全部落实，连续四周抽查无违纪"},
                headers={"If-Match": noted.headers["ETag"]},
            )
        )
        # 销号 by the supervising leader, today (before the deadline); not by the
        # unit that did the work.
        verdict = {
            "verdict": "verified",
            "verified_on": TODAY.isoformat(),
            "remarks": "整改到位，同意销号",
        }
        assert officer.post(path + "/verification", verdict).status == 403
        own = head02.post(path + "/verification", verdict)
        assert (own.status, own.body["code"]) == (403, "not_a_verifier")
        closed = system.as_("leader01").post(path + "/verification", verdict)
        body = ok(closed)
        assert body["state"] == "closed"
        assert body["verifier_id"] == LEADER
        board = view(
            system.as_("head02"),
            "ledger-board",
            position(closed),
            lambda body: any(
                r["item_id"] == item and r["status"] == "closed" for r in body["items"]
            ),
            unit_id=WINDOW,
        )
        [row] = [r for r in board["items"] if r["item_id"] == item]
        assert row["status"] == "closed"
        assert row["on_time"] is True
        assert row["overdue"] is False
        assert row["leader_id"] == LEADER
        assert row["verified_on"] == TODAY.isoformat()
        YEAR["closed_at"] = position(closed)

        # With its problem closed, the report itself reaches its end.
        cid = YEAR["complaint"]
        ended = system.as_("office01").post(
            f"/api/v1/complaints/{cid}/close",
            {"resolved": True, "reason": "已整改到位并销号"},
        )
        assert ok(ended)["state"] == "closed"
        followed = ok(seen("follow", system.http.as_(None).get(YEAR["follow"])))
        assert followed["state"] == "closed"
        YEAR["complaint_closed_at"] = position(ended)
        YEAR["phase 3"] = "done"

    def test_4_evaluate_a_leadership_round_a_talk_and_the_assessment(
        self, system: System
    ) -> None:
        needs("phase 3")
        office = system.as_("office01")
        voters = ["head02", "officer02", "clerk02", "leader01", "office01", "inv01"]
        people = {
            u: system.as_(u).get("/api/v1/auth/me").body["person_id"] for u in voters
        }
        opened = ok(
            office.post(
                "/api/v1/evaluation/rounds",
                {
                    "kind": "leadership",
                    "title": f"{YEAR_NO} 年房产管理所领导班子评议",
                    "year": YEAR_NO,
                    "opens_at": f"{TODAY - timedelta(days=7)}T09:00:00+08:00",
                    "closes_at": f"{TODAY + timedelta(days=30)}T17:00:00+08:00",
                    "subjects": [{"kind": "team", "unit_id": WINDOW}],
                    "electorate": [
                        {"voter_id": people[u], "constituency": "staff"} for u in voters
                    ],
                },
            ),
            201,
        )
        round_id = opened["round_id"]
        ballots = f"/api/v1/evaluation/rounds/{round_id}/ballots"
        options = ["good", "excellent", "fair", "poor", "good", "excellent"]
        for username, option in zip(voters, options, strict=True):
            cast = system.as_(username).post(
                ballots, {"choices": [{"subject_id": WINDOW, "option": option}]}
            )
            assert cast.status == 201, cast.body
            assert people[username] not in str(cast.body)
        closed = office.post(f"/api/v1/evaluation/rounds/{round_id}/close", {})
        result = ok(closed)
        assert result["reconciliation"]["valid"] == 6
        [admonished] = result["admonishments"]  # 2 of 6 = 33% > 30%
        assert admonished["person_id"] == HEAD02  # the team's main leader
        talk = f"/api/v1/evaluation/talks/{admonished['talk_id']}"
        pending = ok(office.get(talk))
        assert pending["state"] == "pending"
        assert pending["person_id"] == HEAD02
        assert pending["due_on"] > TODAY.isoformat()
        held = ok(
            system.as_("leader01").post(
                talk + "/held",
                {"held_on": TODAY.isoformat(), "record": "指出班子作风问题，限期整改"},
            )
        )
        assert held["state"] == "held"
        assert held["held_on"] == TODAY.isoformat()
        twice = office.post(
            talk + "/held", {"held_on": TODAY.isoformat(), "record": "again"}
        )
        assert twice.status == 409, twice.body

        results = view(
            office,
            "evaluation-results",
            position(closed),
            lambda body: any(r["round_id"] == round_id for r in body["items"]),
            unit_id=WINDOW,
        )
        [team] = [r for r in results["items"] if r["round_id"] == round_id]
        assert team["rule_triggered"] is True

        # The year-end assessment: every unit ranked, with its formula and inputs.
        assessed = ok(
            seen(
                "assessment",
                office.get(f"/api/v1/evaluation/assessment?year={YEAR_NO}"),
            )
        )
        assert assessed["year"] == YEAR_NO
        assert assessed["formula"].startswith("score = 100 × Σ(weight × part)")
        assert set(assessed["weights"]) == {
            "evaluation",
            "ledger",
            "complaints",
            "publicity",
            "tests",
            "innovation",
        }
        units = {u["unit_id"]: u for u in assessed["units"]}
        assert {WINDOW, POOR_UNIT} <= set(units)
        assert [u["rank"] for u in assessed["units"]] == list(range(1, len(units) + 1))
        scores = [float(u["score_decimal"]) for u in assessed["units"]]
        assert scores == sorted(scores, reverse=True)
        window = units[WINDOW]["inputs"]
        assert window["tests"]["source"] == {"mean": "687/8"}  # 85.875
        assert window["tests"]["part"] == "687/800"
        assert window["ledger"]["source"]["found"] == 1
        assert window["ledger"]["source"]["closed_on_time"] == 1
        assert window["complaints"]["source"]["substantiation"]["numerator"] == 1
        # Only unit (部门单位) rounds feed the assessment, not leadership rounds.
        assert "evaluation" in units[WINDOW]["missing"]
        assert units[POOR_UNIT]["inputs"]["tests"]["source"] == {"mean": "115/2"}

        # The office publishes (定格) the table; the assessment view serves it.
        published = office.post(
            f"/api/v1/evaluation/assessment/{YEAR_NO}/publish", {"note": "年终定格"}
        )
        table = ok(published)
        assert table["version"] == 1
        assert [(u["unit_id"], u["rank"]) for u in table["units"]] == [
            (u["unit_id"], u["rank"]) for u in assessed["units"]
        ]
        board = view(
            system.as_("leader01"),
            "assessment",
            position(published),
            lambda body: len(body["items"]) == len(units),
            year=YEAR_NO,
        )
        assert [(r["unit_id"], r["rank"]) for r in board["items"]] == [
            (u["unit_id"], u["rank"]) for u in table["units"]
        ]
        assert {r["note"] for r in board["items"]} == {"年终定格"}
        YEAR["evaluated_at"] = position(closed)
        YEAR["phase 4"] = "done"

    def test_5_views_audit_exports_and_the_reporter_protected(
        self, system: System
    ) -> None:
        needs("phase 4")
        office = system.as_("office01")
        latest = max(YEAR["closed_at"], YEAR["complaint_closed_at"])

        # The campaign overview counts the year.
        overview = view(
            office,
            "campaign-overview",
            latest,
            lambda body: (
                body["items"][0]["counts"]["ledger"]["closed"] == 1
                and body["items"][0]["counts"]["complaints"].get("closed") == 1
            ),
            year=YEAR_NO,
        )
        [campaign] = overview["items"]
        assert campaign["bureau_id"] == BUREAU
        assert campaign["phase_today"] == PHASE_TODAY
        counts = campaign["counts"]
        assert counts["complaints"]["total"] == 2
        assert counts["complaints"]["substantiated"] == 1
        assert counts["complaints"]["closed"] == 1
        assert counts["ledger"]["total"] == 1
        assert counts["ledger"]["closed"] == 1
        assert counts["ledger"]["closed_on_time"] == 1
        assert counts["ledger"]["overdue"] == 0

        # The window's dashboard.
        dashboard = view(
            office,
            "unit-dashboard",
            YEAR["evaluated_at"],
            lambda body: body["items"][0]["evaluation"]["admonishments"] == 1,
            unit_id=WINDOW,
            year=YEAR_NO,
        )
        [unit] = dashboard["items"]
        assert unit["ledger"]["found"] == 1
        assert unit["ledger"]["closed"] == 1
        assert unit["ledger"]["open"] == 0
        assert unit["complaints"]["received"] == 1
        assert unit["complaints"]["substantiated"] == 1
        assert unit["complaints"]["open"] == 0
        assert unit["evaluation"]["admonishments"] == 1

        # The audit trail of the complaint: who did what, and the chain intact.
        stream = f"complaint-{YEAR['complaint']}"
        history = ok(
            seen("audit", office.get(f"/api/v1/audit/streams/{stream}/history"))
        )
        events = history["events"]
        assert events[0]["type"] == "ComplaintReceived"
        actors = {e["type"]: e["actor"] for e in events}
        assert actors["ComplaintReceived"] == "public"
        assert actors["ComplaintAccepted"] == OFFICE
        assert INVESTIGATOR in {e["actor"] for e in events}
        verified = ok(office.get(f"/api/v1/audit/verify?stream={stream}"))
        assert verified["intact"] is True
        item_stream = f"ledger_item-{YEAR['item']}"
        trail = ok(
            seen("audit", office.get(f"/api/v1/audit/streams/{item_stream}/history"))
        )
        assert LEADER in {e["actor"] for e in trail["events"]}
        assert ok(office.get(f"/api/v1/audit/verify?stream={item_stream}"))["intact"]

        # Exports of the ledger.
        xlsx = seen("ledger.xlsx", office.get("/api/v1/exports/ledger.xlsx"))
        assert xlsx.status == 200
        assert xlsx.headers["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml"
        )
        assert str(xlsx.body).startswith("PK")
        csv = seen("ledger.csv", office.get("/api/v1/exports/ledger.csv"))
        assert csv.status == 200
        header = str(csv.body).lstrip("\ufeff").splitlines()[0]
        assert header.startswith("台账编号,")
        assert "挂名督办领导" in header
        assert YEAR["item"] in str(csv.body)
        complaints = seen(
            "complaints.csv", office.get("/api/v1/exports/complaints.csv")
        )
        assert complaints.status == 200
        assert str(complaints.body).lstrip("\ufeff").startswith("投诉编号,")

        # The named report: the office sees it is not anonymous, never who it is.
        [named] = view(office, "complaint-queue", unit_id="b01.u001")["items"]
        assert named["anonymous"] is False
        assert named["status"] == "received"
        named_path = f"/api/v1/complaints/{named['complaint_id']}"
        assert ok(seen("complaint", office.get(named_path)))["anonymous"] is False
        named_stream = f"complaint-{named['complaint_id']}"
        named_trail = ok(
            seen("audit", office.get(f"/api/v1/audit/streams/{named_stream}/history"))
        )
        assert named_trail["events"][0]["data"]["reporter_ref"] == "[redacted]"
        # Who reported is for the office and the assigned investigator, on request.
        refused = system.as_("clerk02").post(named_path + "/reporter-identity", {})
        assert refused.status == 403
        refused = system.as_("inv01").post(named_path + "/reporter-identity", {})
        assert refused.status == 403, refused.body  # not assigned to this one
        identity = ok(office.post(named_path + "/reporter-identity", {}))
        assert (identity["name"], identity["contact"]) == (
            REPORTER_NAME,
            REPORTER_PHONE,
        )
        assert [r["viewer"] for r in identity["reads"]] == [OFFICE], identity
        seen("audit", office.get(f"/api/v1/audit/streams/{named_stream}/history"))

        # A district official verifies every record's chain.
        everything = ok(system.as_("district").get("/api/v1/audit/verify"))
        assert everything["intact"] is True, everything

        # Everything else a staff member would open about the reports.
        for name in ("complaint-queue", "ledger-board", "unit-dashboard"):
            view(office, name)
        seen(
            "public board",
            system.http.as_(None).get(
                f"/api/v1/public/bureaus/{BUREAU}/board?limit=200"
            ),
        )

        # The named reporter's identity is in none of the answers fetched (the .xlsx
        # is compressed: the .csv exports stand for the exports).
        assert len(FETCHED) > 20
        leaks = [
            what
            for what, body in FETCHED
            if REPORTER_NAME in str(body) or REPORTER_PHONE in str(body)
        ]
        assert leaks == []
        YEAR["phase 5"] = "done"
