"""A closed round raises what its rules require: an admonishment talk for a team's
main leader or a leader, a head's talk for the lowest-rated staff, tracked to done."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.common.errors import InvalidInput
from services.evaluation import commands as c
from services.evaluation.domain.errors import TalkAlreadyHeld, TalkOfYourOwn
from tests.unit.evaluation.factory import (
    HEAD,
    HEAD2,
    OFFICE,
    UNIT,
    World,
    close,
    open_round,
    staff,
    vote,
    voters,
)


def cast(world, round_id, roll, subject_id, *options, **extra):
    for voter, option in zip(roll, options, strict=False):
        vote(
            world,
            round_id,
            voter["voter_id"],
            {"subject_id": subject_id, "option": option, **extra},
        )


class TestTheThirtyPercentRule:
    def test_a_team_over_thirty_percent_gets_its_main_leader_admonished(self):
        world = World()
        roll = voters(10)
        round_id = open_round(world, electorate=roll)["round_id"]
        cast(
            world,
            round_id,
            roll,
            "team-u001",
            *["good"] * 6,
            "fair",
            "fair",
            "poor",
            "poor",
        )
        result = close(world, round_id)
        [admonished] = result["admonishments"]
        assert admonished["person_id"] == HEAD
        assert admonished["share"] == "2/5"
        # Closed Friday 2026-11-02? The clock says Monday 2 Nov: 10 working days on.
        assert admonished["due_on"] == "2026-11-16"
        talk = world.handlers.get_talk(admonished["talk_id"], OFFICE)
        assert talk["kind"] == "admonishment"
        assert talk["held_by"] == "district"
        assert talk["state"] == "pending"

    def test_exactly_thirty_percent_requires_no_talk(self):
        world = World()
        roll = voters(10)
        round_id = open_round(world, electorate=roll)["round_id"]
        cast(world, round_id, roll, "team-u001", *["good"] * 7, "fair", "poor", "poor")
        result = close(world, round_id)
        assert result["admonishments"] == []
        [team] = [r for r in result["results"] if r["subject_id"] == "team-u001"]
        assert team["rule"] == {
            "triggered": False,
            "reason": "not_exceeded",
            "share": "3/10",
        }

    def test_a_leader_over_the_threshold_is_admonished_in_person(self):
        world = World()
        roll = voters(5)
        round_id = open_round(world, electorate=roll)["round_id"]
        cast(world, round_id, roll, "leader-h2", "poor", "poor", "good", "good", "good")
        [admonished] = close(world, round_id)["admonishments"]
        assert admonished["person_id"] == HEAD2

    def test_the_campaign_threshold_is_used(self):
        world = World()
        world.set_evaluation(threshold=0.5, min_ballots=3)
        roll = voters(4)
        round_id = open_round(world, electorate=roll)["round_id"]
        cast(world, round_id, roll, "team-u001", "poor", "poor", "good", "good")
        assert close(world, round_id)["admonishments"] == []


class TestStaffRounds:
    def test_the_lowest_rated_staff_get_a_talk_with_their_head(self):
        world = World()
        roll = voters(5)
        subjects = [
            {"kind": "staff", "person_id": staff(n), "subject_id": f"s{n}"}
            for n in range(3)
        ]
        round_id = open_round(world, kind="staff", subjects=subjects, electorate=roll)[
            "round_id"
        ]
        for v in roll:
            vote(
                world,
                round_id,
                v["voter_id"],
                {"subject_id": "s0", "option": "excellent", "score": 95},
                {"subject_id": "s1", "option": "good", "score": 85},
                {"subject_id": "s2", "option": "fair", "score": 62},
            )
        result = close(world, round_id)
        grades = {r["subject_id"]: (r["grade"], r["rank"]) for r in result["results"]}
        assert grades == {"s0": ("excellent", 1), "s1": ("good", 2), "s2": ("fair", 3)}
        [low] = result["lowest_rated"]
        assert low["person_id"] == staff(2) and low["head_id"] == HEAD
        talk = world.handlers.get_talk(low["talk_id"], OFFICE)
        assert talk["kind"] == "head_talk" and talk["held_by"] == HEAD

    def test_a_staff_round_needs_a_score_with_every_choice(self):
        world = World()
        roll = voters(5)
        subjects = [{"kind": "staff", "person_id": staff(0), "subject_id": "s0"}]
        round_id = open_round(world, kind="staff", subjects=subjects, electorate=roll)[
            "round_id"
        ]
        from services.common.errors import InvalidInput

        with pytest.raises(InvalidInput):
            vote(
                world,
                round_id,
                roll[0]["voter_id"],
                {"subject_id": "s0", "option": "good"},
            )

    def test_a_middle_manager_duty_report_is_attached_to_the_staff_round(self):
        world = World()
        subjects = [{"kind": "staff", "person_id": staff(0), "subject_id": "s0"}]
        round_id = open_round(world, kind="staff", subjects=subjects)["round_id"]
        world.handlers.attach_duty_report(
            c.AttachDutyReport(round_id, staff(1), "2026 年述职", "全年工作…"), OFFICE
        )
        found = world.handlers.get_round(c.RoundRef(round_id), OFFICE)
        assert found["duty_reports"][0]["person_id"] == staff(1)


class TestTalks:
    def require(self, world, **fields):
        payload = {
            "kind": "inspection",
            "person_id": HEAD,
            "held_by": "b01.009001",
            "unit_id": UNIT,
            "reason": "巡查发现走过场",
            "source_id": "tour-2026-h2",
            **fields,
        }
        return world.handlers.require_talk(c.RequireTalk.parse(payload), OFFICE)

    def test_a_talk_not_held_in_time_becomes_overdue_visibly(self):
        world = World()
        talk = self.require(world)
        assert talk["due_on"] == "2026-11-16"  # ten working days after 2 Nov
        world.clock.now += timedelta(days=15)
        listed = world.handlers.list_talks(True, OFFICE)
        assert [t["talk_id"] for t in listed["talks"]] == [talk["talk_id"]]
        assert listed["talks"][0]["state"] == "overdue"

    def test_the_scheduler_records_an_overdue_talk_once_and_never_a_held_one(self):
        world = World()
        late = self.require(world)
        held = self.require(world)
        world.clock.now += timedelta(days=8)  # 10 November
        world.handlers.hold_talk(
            c.HoldTalk(held["talk_id"], date(2026, 11, 10), "谈话记录…"), OFFICE
        )
        assert world.handlers.mark_overdue_talks()["marked_overdue"] == []
        world.clock.now += timedelta(days=7)
        assert world.handlers.mark_overdue_talks()["marked_overdue"] == [
            late["talk_id"]
        ]
        assert world.handlers.mark_overdue_talks()["marked_overdue"] == []
        [event] = [e for e in world.store.read_all(0) if e.type == "TalkBecameOverdue"]
        assert event.data["due_on"] == "2026-11-16"

    def test_ten_working_days_skip_the_national_day_holiday(self):
        world = World()
        world.clock.now = world.clock.now.replace(month=9, day=28)
        assert self.require(world)["due_on"] == "2026-10-16"

    def test_a_held_talk_records_when_and_what_and_cannot_be_held_again(self):
        world = World()
        talk = self.require(world)
        with pytest.raises(InvalidInput):  # 2 November: not held on the 5th yet
            world.handlers.hold_talk(
                c.HoldTalk(talk["talk_id"], date(2026, 11, 5), "谈话记录…"), OFFICE
            )
        world.clock.now += timedelta(days=4)
        held = world.handlers.hold_talk(
            c.HoldTalk(talk["talk_id"], date(2026, 11, 5), "谈话记录…"), OFFICE
        )
        assert held["state"] == "held" and held["held_on"] == "2026-11-05"
        with pytest.raises(TalkAlreadyHeld):
            world.handlers.hold_talk(
                c.HoldTalk(talk["talk_id"], date(2026, 11, 6), "again"), OFFICE
            )

    def test_the_person_talked_to_cannot_record_their_own_talk(self):
        world = World()
        talk = self.require(world)
        as_them = replace(OFFICE, actor=HEAD)
        with pytest.raises(TalkOfYourOwn):
            world.handlers.hold_talk(
                c.HoldTalk(talk["talk_id"], date(2026, 11, 5), "自己说自己"), as_them
            )


class TestReconciliation:
    def opened_round(self, world):
        from services.evaluation.domain import EvaluationRound

        round_id = open_round(world, electorate=voters(3))["round_id"]
        found = world.handlers.rounds.load(round_id)
        assert isinstance(found, EvaluationRound)
        return found

    def test_more_ballots_than_voters_voids_the_round_with_its_reason(self):
        from services.evaluation.domain import Count
        from services.evaluation.domain.model import Option
        from services.evaluation.domain.tally import Choice, OpenedBallot

        world = World()
        found = self.opened_round(world)
        ballot = OpenedBallot("staff", {"team-u001": Choice(Option.POOR)})
        tallied = found.record_tally(
            Count(returned=2, in_box=3, counted=[ballot] * 3),
            date(2026, 11, 6),
            date(2026, 11, 20),
        )
        assert tallied.void and tallied.void_reason == "more_ballots_than_voters"
        assert all(s["withheld_reason"] == "round_void" for s in tallied.subjects)
        assert found.admonishments == []

    def test_more_voters_than_the_electorate_voids_the_round(self):
        from services.evaluation.domain import Count

        world = World()
        found = self.opened_round(world)
        tallied = found.record_tally(
            Count(returned=4, in_box=4, counted=[]),
            date(2026, 11, 6),
            date(2026, 11, 20),
        )
        assert tallied.void_reason == "more_voters_recorded_than_eligible"
