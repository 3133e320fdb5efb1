"""The pieces around intake and the clock: units and campaign settings from the
organization (through the OrgDirectory port), duplicate detection at intake, the
warning ladder as the scheduler runs it, the calendar-fallback metric, receipt-code
rate limiting and indicators over any period."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from nameko.exceptions import RemoteError
from prometheus_client import REGISTRY

from eventing.aggregate import CommandContext
from eventing.store.memory import MemoryEventStore
from services.common.errors import InvalidInput, NotFound
from services.complaints import commands as c
from services.complaints.directory import (
    MemoryOrganization,
    MemoryOrgDirectory,
    RpcOrgDirectory,
)
from services.complaints.domain.model import Outcome, Satisfaction
from services.complaints.handlers import LADDER_ACTOR, ComplaintHandlers
from services.complaints.protection import commands as p
from services.complaints.protection.errors import RateLimited
from services.complaints.protection.keys import MemoryKeyStore
from services.complaints.protection.ratelimit import RateLimiter, caller_key
from tests.unit.complaints.factory import directory
from tests.unit.complaints.test_handlers import (
    AS_INVESTIGATOR,
    INVESTIGATOR,
    JTJ,
    ZJJ,
    Clock,
    conclude,
    investigating,
    receive,
    report,
    types,
)

LADDER = ("DeadlineDueSoon", "ComplaintOverdue", "CriticismProposed")


@pytest.fixture
def org() -> MemoryOrgDirectory:
    return directory()


@pytest.fixture
def handlers(
    store: MemoryEventStore, clock: Clock, org: MemoryOrgDirectory
) -> ComplaintHandlers:
    return ComplaintHandlers(store, clock, MemoryKeyStore(), org)


@pytest.fixture
def clock() -> Clock:
    return Clock()  # 10:00 in Beijing, Monday 2 March 2026


@pytest.fixture
def store() -> MemoryEventStore:
    return MemoryEventStore()


def ladder_events(store: MemoryEventStore, cid: str) -> list[tuple[str, Any]]:
    return [
        (e.type, e.data)
        for e in store.read_stream(f"complaint-{cid}")
        if e.type in LADDER
    ]


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class TestUnits:
    @pytest.mark.parametrize("unit", ["zjj.u999", "jtj.u001"])
    def test_an_unknown_unit_or_another_bureaus_is_refused_and_nothing_written(
        self, handlers, store, unit
    ):
        with pytest.raises(NotFound) as raised:
            handlers.receive(report(unit_id=unit), ZJJ)
        assert raised.value.details == {"kind": "unit", "id": unit}
        assert store.read_all() == []

    def test_a_report_against_the_bureau_itself_needs_no_unit(self, handlers, org):
        answer = handlers.receive(report(unit_id=None), ZJJ)
        assert answer["complaint"]["unit_id"] is None
        assert not [call for call in org.calls if call[0] == "unit"]

    def test_a_transfer_to_an_unknown_unit_is_refused(self, handlers, store):
        cid, _ = receive(handlers)
        with pytest.raises(NotFound):
            handlers.transfer(
                c.TransferComplaint(cid, "jtj.u001", "非本单位职责", "zjj.p-head"), ZJJ
            )
        assert "ComplaintTransferred" not in types(store, f"complaint-{cid}")
        moved = handlers.transfer(
            c.TransferComplaint(cid, "zjj.u004", "非本单位职责", "zjj.p-head"), ZJJ
        )
        assert moved["unit_id"] == "zjj.u004"


class TestCampaignSettings:
    def test_the_bureaus_campaign_of_the_year_sets_the_deadlines(
        self, store, clock, org
    ):
        org.campaigns[("zjj", 2026)] = {
            "complaints": {"acceptance_working_days": 2, "reply_working_days": 1}
        }
        org.campaigns[("zjj", 2025)] = {"complaints": {"acceptance_working_days": 9}}
        handlers = ComplaintHandlers(store, clock, MemoryKeyStore(), org)
        cid, _ = investigating(handlers)
        assert handlers.complaint(cid, ZJJ)["due"]["acceptance"] == "2026-03-04"
        concluded = conclude(handlers, cid, Outcome.UNSUBSTANTIATED)
        assert concluded["due"]["reply"] == "2026-03-03"
        assert concluded["settings_warning"] is None
        assert ("settings", 2026) in org.calls

    def test_no_campaign_means_the_defaults_and_a_warning_never_a_refusal(
        self, handlers, store
    ):
        answer = handlers.receive(report(), ZJJ)
        assert answer["complaint"]["due"]["acceptance"] == "2026-03-03"
        assert answer["complaint"]["due"]["investigation"] == "2026-03-23"
        assert "2026" in answer["settings_warning"]
        assert "no campaign" in answer["settings_warning"]
        assert len(store.read_all()) > 0


class TestRpcDirectory:
    """The Nameko adapter over a proxy shaped like organization's RPC."""

    def test_a_missing_campaign_over_rpc_falls_back_with_a_warning(self, org):
        rpc = RpcOrgDirectory(MemoryOrganization(org))
        found = rpc.complaint_settings(2026, ZJJ)
        assert found.settings == {} and found.warning is not None
        org.campaigns[("zjj", 2026)] = {
            "complaints": {"investigation_working_days": 10},
            "timezone": "Asia/Urumqi",
            "ledger": {"default_deadline_days": 30},
        }
        found = rpc.complaint_settings(2026, ZJJ)
        assert found.warning is None
        assert found.settings == {
            "complaints": {"investigation_working_days": 10},
            "timezone": "Asia/Urumqi",
        }

    def test_other_organization_errors_are_not_swallowed(self):
        class Down:
            def get_campaign(self, payload: Any, context: Any) -> Any:
                raise RemoteError("ConnectionError", "organization is down")

        with pytest.raises(RemoteError):
            RpcOrgDirectory(Down()).complaint_settings(2026, ZJJ)

    def test_a_unit_answered_for_another_bureau_is_still_not_found(self):
        class Lax:
            def get_unit(self, payload: Any, context: Any) -> Any:
                return {"unit_id": payload["unit_id"], "bureau_id": "jtj"}

        with pytest.raises(NotFound):
            RpcOrgDirectory(Lax()).unit("jtj.u001", ZJJ)


class TestDuplicates:
    def test_a_similar_report_on_the_same_unit_is_flagged_never_dropped(
        self, handlers, store
    ):
        first, _ = receive(handlers)
        answer = handlers.receive(
            report(description="窗口办事拖拉，材料齐全仍让我跑了三趟"), ZJJ
        )
        second = answer["complaint"]["complaint_id"]
        assert answer["complaint"]["duplicate_of"] == first
        assert answer["duplicates"][0]["complaint_id"] == first
        assert types(store, f"complaint-{second}") == [
            "ComplaintReceived",
            "DuplicateFlagged",
        ]
        assert handlers.complaint(second, ZJJ)["state"] == "received"

    def test_another_unit_other_text_or_a_closed_case_is_no_duplicate(
        self, handlers, store
    ):
        first, _ = receive(handlers)
        handlers.reject(c.RejectComplaint(first, "不属于受理范围"), ZJJ)
        again = handlers.receive(report(), ZJJ)["complaint"]
        assert again["duplicate_of"] is None  # the first is no longer open
        other_unit = handlers.receive(report(unit_id="zjj.u004"), ZJJ)["complaint"]
        assert other_unit["duplicate_of"] is None
        other_text = handlers.receive(
            report(description="收费标准不公示，多收了材料费"), ZJJ
        )["complaint"]
        assert other_text["duplicate_of"] is None

    def test_another_bureaus_open_case_is_not_looked_at(self, handlers):
        handlers.receive(report(unit_id="jtj.u001"), JTJ)
        answer = handlers.receive(report(unit_id=None), ZJJ)
        assert answer["complaint"]["duplicate_of"] is None


class TestWarningLadder:
    def test_due_soon_is_raised_once_per_deadline(self, handlers, store, clock):
        cid, _ = receive(handlers)
        handlers.run_ladder()
        handlers.run_ladder()  # hourly runs on the same day add nothing
        assert ladder_events(store, cid) == [
            (
                "DeadlineDueSoon",
                {
                    "stage": "acceptance",
                    "deadline": "2026-03-03",
                    "working_days_left": 1,
                    "actor": LADDER_ACTOR,
                    "at": clock.now.isoformat(),
                    "reason": "",
                },
            )
        ]

    def test_every_overdue_day_raises_its_reminder_then_criticism_once(
        self, handlers, store, clock
    ):
        cid, _ = receive(handlers)  # acceptance due Tuesday 3 March
        overdue = []
        for _ in range(10):  # 3 .. 12 March
            clock.advance(1)
            handlers.run_ladder()
            handlers.run_ladder()
        events = ladder_events(store, cid)
        overdue = [d for t, d in events if t == "ComplaintOverdue"]
        assert [d["days_overdue"] for d in overdue] == list(range(1, 10))
        assert all(d["copy_supervising_leader"] for d in overdue)
        assert overdue[0]["day"] == "2026-03-04" and overdue[0]["unit_id"] == "zjj.u003"
        criticism = [d for t, d in events if t == "CriticismProposed"]
        # More than 5 working days after 3 March: Wednesday 11 March.
        assert len(criticism) == 1
        assert criticism[0]["working_days_overdue"] == 6
        assert criticism[0]["days_overdue"] == 8
        view = handlers.complaint(cid, ZJJ)
        assert view["days_overdue"] == 9
        assert view["ladder"]["overdue_reminders"] == 9
        assert view["ladder"]["last_overdue"]["days_overdue"] == 9
        assert view["ladder"]["criticism_proposed"] == ["acceptance:2026-03-03"]

    def test_a_missed_day_of_the_scheduler_still_shows_the_full_count(
        self, handlers, store, clock
    ):
        cid, _ = receive(handlers)
        clock.advance(6)  # the scheduler was down until Sunday 8 March
        handlers.run_ladder()
        (reminder,) = [
            d for t, d in ladder_events(store, cid) if t == "ComplaintOverdue"
        ]
        assert reminder["days_overdue"] == 5

    def test_the_overdue_gauge_counts_the_bureaus_late_cases(self, handlers, clock):
        late, _ = receive(handlers)
        clock.advance(2)
        on_time, _ = receive(handlers, unit_id="zjj.u004")
        answer = handlers.run_ladder()
        assert answer["overdue"] == {"zjj": [late]}
        assert sample("complaints_overdue", bureau="zjj") == 1
        handlers.accept(c.AcceptComplaint(late, ""), ZJJ)
        handlers.accept(c.AcceptComplaint(on_time, ""), ZJJ)
        assert handlers.run_ladder()["overdue"] == {"zjj": []}
        assert sample("complaints_overdue", bureau="zjj") == 0

    def test_one_bureaus_failure_does_not_stop_the_others(self, store, clock, org):
        class Flaky(MemoryOrgDirectory):
            down = False

            def complaint_settings(self, year: int, ctx: CommandContext) -> Any:
                if self.down and ctx.bureau_id == "jtj":
                    raise RemoteError("ConnectionError", "organization is down")
                return super().complaint_settings(year, ctx)

        flaky = Flaky(org.units)
        handlers = ComplaintHandlers(store, clock, MemoryKeyStore(), flaky)
        handlers.receive(report(unit_id="jtj.u001"), JTJ)
        cid, _ = receive(handlers)
        flaky.down = True
        answer = handlers.run_ladder()
        assert answer["failed"] == {"jtj": "RemoteError"}
        assert [t for t, _ in ladder_events(store, cid)] == ["DeadlineDueSoon"]

    def test_closed_and_rejected_cases_raise_nothing(self, handlers, store, clock):
        cid, _ = receive(handlers)
        handlers.reject(c.RejectComplaint(cid, "不属于受理范围"), ZJJ)
        clock.advance(20)
        handlers.run_ladder()
        assert ladder_events(store, cid) == []

    def test_the_ladder_follows_the_running_deadline(self, handlers, store, clock):
        cid, _ = investigating(handlers)  # accepted: investigation due 23 March
        clock.advance(19)  # Saturday 21 March: one working day left
        handlers.run_ladder()
        assert ladder_events(store, cid)[0][1]["stage"] == "investigation"
        conclude(handlers, cid, Outcome.UNSUBSTANTIATED)
        handlers.reply(c.ReplyToReporter(cid, "经查不属实"), ZJJ)
        handlers.record_satisfaction(
            c.RecordSatisfaction(cid, Satisfaction.SATISFIED, ""), ZJJ
        )
        clock.advance(30)
        handlers.run_ladder()  # replied: no deadline runs
        assert [t for t, _ in ladder_events(store, cid)] == ["DeadlineDueSoon"]

    def test_the_campaigns_due_soon_setting_is_used(self, store, clock, org):
        org.campaigns[("zjj", 2026)] = {
            "complaints": {"investigation_working_days": 2, "due_soon_working_days": 0}
        }
        handlers = ComplaintHandlers(store, clock, MemoryKeyStore(), org)
        cid, _ = investigating(handlers)  # investigation due Wednesday 4 March
        handlers.run_ladder()  # two working days left: the default (2) would warn
        assert ladder_events(store, cid) == []
        clock.advance(2)  # the deadline day itself
        handlers.run_ladder()
        assert [d["working_days_left"] for _, d in ladder_events(store, cid)] == [0]
        assert handlers.complaint(cid, AS_INVESTIGATOR)["investigator_id"] == (
            INVESTIGATOR
        )


class TestCalendarFallbackMetric:
    def test_a_deadline_in_an_unknown_year_is_counted_and_shown(self, handlers, clock):
        clock.now = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)
        before = sample("complaints_calendar_fallbacks_total", year="2027")
        answer = handlers.receive(report(), ZJJ)["complaint"]
        assert answer["assumed_years"] == [2027]
        assert "2027" in answer["calendar_warning"]
        after = sample("complaints_calendar_fallbacks_total", year="2027")
        assert after == before + 1  # investigation runs into 2027; acceptance not

    def test_a_known_year_is_not_counted(self, handlers):
        before = sample("complaints_calendar_fallbacks_total", year="2026")
        handlers.receive(report(), ZJJ)
        assert sample("complaints_calendar_fallbacks_total", year="2026") == before


class TestRateLimit:
    def test_a_caller_gets_n_lookups_a_minute_then_rate_limited(self):
        now = [0.0]
        limiter = RateLimiter(limit=2, window=60.0, clock=lambda: now[0])
        limiter.hit("client:a")
        limiter.hit("client:a")
        with pytest.raises(RateLimited) as raised:
            limiter.hit("client:a")
        assert raised.value.details == {"retry_after": 60}
        assert "秒后再试" in raised.value.message("zh-CN")
        limiter.hit("client:b")  # another caller is not affected
        now[0] = 60.5
        limiter.hit("client:a")  # the window slid on

    def test_the_caller_key_is_the_client_then_the_actor(self):
        assert caller_key({"client": "203.0.113.7", "actor": "x"}) == (
            "client:203.0.113.7"
        )
        assert caller_key({"actor": "zjj.p-1"}) == "actor:zjj.p-1"
        assert caller_key(None) == "anonymous"

    def test_wrong_codes_count_too(self, store, clock, org):
        limiter = RateLimiter(limit=2, window=60.0)
        handlers = ComplaintHandlers(
            store, clock, MemoryKeyStore(), org, limiter=limiter
        )
        _, code = receive(handlers)
        for guess in ("AAAA-BBBB", "CCCC-DDDD"):
            with pytest.raises(Exception) as raised:
                handlers.follow(p.FollowComplaint(guess), ZJJ, "client:x")
            assert not isinstance(raised.value, RateLimited)
        with pytest.raises(RateLimited):
            handlers.follow(p.FollowComplaint(code), ZJJ, "client:x")
        with pytest.raises(RateLimited):
            handlers.add_information(
                p.AddInformation(code, "补充", ()), ZJJ, "client:x"
            )
        assert handlers.follow(p.FollowComplaint(code), ZJJ, "client:y")["state"]


class TestIndicators:
    def test_any_period_is_replayed_from_the_events(self, handlers, clock):
        cid, _ = receive(handlers)  # received 2 March, accepted in time
        handlers.accept(c.AcceptComplaint(cid, ""), ZJJ)
        clock.advance(31)  # 2 April
        late, _ = receive(handlers, unit_id="zjj.u004")
        clock.advance(5)  # acceptance of the second missed
        march = handlers.indicators(
            c.IndicatorsQuery.parse({"from": "2026-03-01", "to": "2026-03-31"}), ZJJ
        )
        assert march["indicators"]["response"] == {
            "numerator": 1,
            "denominator": 1,
            "rate": 1.0,
        }
        april = handlers.indicators(
            c.IndicatorsQuery.parse({"from": "2026-04-01", "to": "2026-04-30"}), ZJJ
        )
        assert april["as_of"] == "2026-04-07"
        assert april["indicators"]["response"]["rate"] == 0.0
        unit = handlers.indicators(
            c.IndicatorsQuery.parse(
                {"from": "2026-03-01", "to": "2026-04-30", "unit_id": "zjj.u003"}
            ),
            ZJJ,
        )
        assert unit["indicators"]["response"]["denominator"] == 1
        assert late

    def test_another_bureaus_cases_never_count(self, handlers):
        receive(handlers)
        jtj = handlers.indicators(
            c.IndicatorsQuery.parse({"from": "2026-01-01", "to": "2026-12-31"}), JTJ
        )
        assert jtj["indicators"]["substantiation"]["denominator"] == 0
        assert jtj["indicators"]["response"]["denominator"] == 0

    def test_a_bad_period_is_invalid_input(self):
        with pytest.raises(InvalidInput) as raised:
            c.IndicatorsQuery.parse({"from": "2026-13-01"})
        assert raised.value.details["fields"] == {
            "from": "not_a_date",
            "to": "required",
        }


def test_the_ladder_actor_is_a_system_actor() -> None:
    assert CommandContext(bureau_id="zjj", actor=LADDER_ACTOR).actor.startswith(
        "system:"
    )
