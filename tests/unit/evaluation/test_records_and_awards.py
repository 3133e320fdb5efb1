"""Study sessions and attendance, the speech contest, innovations from June with a
ranked year-end selection, model windows and offices."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.common.errors import InvalidInput
from services.evaluation import commands as c
from services.evaluation import record_commands as rc
from services.evaluation.domain.errors import (
    AlreadyExists,
    InnovationNotOpen,
    NotShortlisted,
)
from tests.unit.evaluation.factory import OFFICE, UNIT, UNIT2, World, staff


def session(world: World, held_on: str, attended: list[str]) -> dict:
    payload = {
        "unit_id": UNIT,
        "held_on": held_on,
        "topic": "区委「一二三四五」发展思路",
        "lecturer": "区委党校 王教授",
        "expected": [staff(0), staff(1), staff(2), staff(3)],
        "attended": attended,
    }
    return world.handlers.record_study_session(
        rc.RecordStudySession.parse(payload), OFFICE
    )


class TestStudySessions:
    def test_attendance_is_rated_per_unit_and_person(self):
        world = World()
        first = session(world, "2026-02-13", [staff(0), staff(1), staff(2)])
        assert first["friday_study_day"] is True
        session(world, "2026-02-18", [staff(0)])
        report = world.handlers.attendance(2026, OFFICE)
        assert report["units"][UNIT] == {"attended": 4, "expected": 8, "rate": "4/8"}
        assert report["people"][staff(0)]["rate"] == "2/2"
        assert report["people"][staff(3)]["rate"] == "0/2"
        assert (report["sessions"], report["friday_sessions"]) == (2, 1)

    def test_someone_not_expected_cannot_attend(self):
        world = World()
        with pytest.raises(InvalidInput):
            session(world, "2026-02-13", ["b01.999999"])


class TestDaysStillToCome:
    """Sessions, contests, tests and spot checks are recorded once they happened
    (the clock says 2 November 2026, 10:00 in Beijing)."""

    def test_a_session_or_contest_on_a_day_to_come_is_refused(self):
        world = World()
        with pytest.raises(InvalidInput) as raised:
            session(world, "2026-11-03", [staff(0)])
        assert raised.value.details["fields"] == {"held_on": "out_of_range"}
        assert session(world, "2026-11-02", [staff(0)])["held_on"] == "2026-11-02"
        with pytest.raises(InvalidInput) as raised:
            world.handlers.hold_speech_contest(
                rc.HoldSpeechContest.parse({"year": 2026, "held_on": "2026-12-01"}),
                OFFICE,
            )
        assert raised.value.details["fields"] == {"held_on": "out_of_range"}

    def test_a_study_test_or_spot_check_on_a_day_to_come_is_refused(self):
        world = World()
        future = date(2026, 11, 3)
        with pytest.raises(InvalidInput) as raised:
            world.handlers.hold_study_test(
                c.HoldStudyTest(UNIT, 2026, "区情区况闭卷测试", future), OFFICE
            )
        assert raised.value.details["fields"] == {"held_on": "out_of_range"}
        test_id = world.handlers.hold_study_test(
            c.HoldStudyTest(UNIT, 2026, "区情区况闭卷测试", date(2026, 2, 24)), OFFICE
        )["test_id"]
        with pytest.raises(InvalidInput) as raised:
            world.handlers.spot_check(c.SpotCheck(test_id, future, "抽查"), OFFICE)
        assert raised.value.details["fields"] == {"checked_on": "out_of_range"}


class TestTheSpeechContest:
    def test_entries_are_scored_and_ranked(self):
        world = World()
        contest = world.handlers.hold_speech_contest(
            rc.HoldSpeechContest.parse({"year": 2026, "held_on": "2026-02-20"}), OFFICE
        )
        assert contest["title"] == "假如我是服务对象"
        for n, score in enumerate([88, 93.5, 79]):
            world.handlers.enter_speech(
                rc.SpeechEntry.parse(
                    {
                        "contest_id": contest["contest_id"],
                        "person_id": staff(n),
                        "speech_title": "换位思考",
                        "score": score,
                    }
                ),
                OFFICE,
            )
        result = world.handlers.get_speech_contest(contest["contest_id"], OFFICE)
        assert [r["person_id"] for r in result["ranking"]] == [
            staff(1),
            staff(0),
            staff(2),
        ]
        assert result["ranking"][0]["score"] == "187/2"


class TestInnovations:
    def submit(self, world: World, unit: str = UNIT) -> str:
        answer = world.handlers.submit_innovation(
            rc.SubmitInnovation(unit, 2026, "并联审批一次办结制", "..."), OFFICE
        )
        return str(answer["innovation_id"])

    def test_submissions_open_in_june(self):
        world = World()
        world.clock.now = world.clock.now.replace(month=5, day=29)
        with pytest.raises(InnovationNotOpen):
            self.submit(world)
        world.clock.now += timedelta(days=4)
        assert self.submit(world)

    def test_only_shortlisted_innovations_are_ranked_at_year_end(self):
        world = World()
        first, second, third = (
            self.submit(world),
            self.submit(world, UNIT2),
            self.submit(world),
        )
        for innovation, verdict in (
            (first, "shortlisted"),
            (second, "shortlisted"),
            (third, "returned"),
        ):
            world.handlers.review_innovation(
                rc.ReviewInnovation(innovation, verdict, ""), OFFICE
            )
        with pytest.raises(NotShortlisted):
            world.handlers.select_innovations(
                rc.SelectInnovations(2026, (first, third)), OFFICE
            )
        selected = world.handlers.select_innovations(
            rc.SelectInnovations(2026, (second, first)), OFFICE
        )
        assert [(r["unit_id"], r["rank"]) for r in selected["ranked"]] == [
            (UNIT2, 1),
            (UNIT, 2),
        ]
        with pytest.raises(AlreadyExists):
            world.handlers.select_innovations(
                rc.SelectInnovations(2026, (first,)), OFFICE
            )


class TestModelWindows:
    def test_a_nominated_window_is_awarded_once(self):
        world = World()
        nominated = world.handlers.nominate_model(
            rc.NominateModel(UNIT, 2026, "model_window", "四亮工程落实到位"), OFFICE
        )
        awarded = world.handlers.award_model(nominated["nomination_id"], OFFICE)
        assert awarded["awarded"] is True
        with pytest.raises(AlreadyExists):
            world.handlers.award_model(nominated["nomination_id"], OFFICE)

    def test_an_unknown_kind_is_refused(self):
        with pytest.raises(InvalidInput):
            rc.NominateModel.parse(
                {"unit_id": UNIT, "year": 2026, "kind": "model_hero", "reason": "x"}
            )
