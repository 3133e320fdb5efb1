"""A unit's closed-book test: scores entered or imported, the unit summary, spot
checks, and the flag for a notice of criticism below the campaign's bar."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from eventing.aggregate import CommandContext
from services.common.errors import InvalidInput, NotFound
from services.evaluation import commands as c
from services.evaluation.domain.errors import ScoresInvalid
from tests.unit.evaluation.factory import BUREAU, OFFICE, UNIT, World, staff


def held(world: World) -> str:
    cmd = c.HoldStudyTest(UNIT, 2026, "区情区况闭卷测试", date(2026, 2, 24))
    return str(world.handlers.hold_study_test(cmd, OFFICE)["test_id"])


def record(world: World, test_id: str, *scores: float) -> dict:
    rows = [{"person_id": staff(n), "score": s} for n, s in enumerate(scores)]
    cmd = c.RecordScores.parse({"test_id": test_id, "scores": rows})
    return world.handlers.record_scores(cmd, OFFICE)


class TestUnitSummaries:
    def test_the_summary_gives_the_mean_and_the_pass_rate(self):
        world = World()
        answer = record(world, held(world), 90, 80, 55, 75)
        assert answer["summary"] == {
            "takers": 4,
            "mean": "75",
            "mean_decimal": "75.00",
            "passed": 3,
            "pass_rate": "3/4",
        }
        assert answer["flagged_for_criticism"] is False

    def test_a_unit_below_the_bar_is_flagged_for_a_notice_of_criticism(self):
        world = World()
        assert record(world, held(world), 60, 65, 70)["flagged_for_criticism"] is True

    def test_the_campaign_sets_the_bar(self):
        world = World()
        world.org.settings[BUREAU, 2026] = {"tests": {"criticism_below_mean": 60}}
        assert record(world, held(world), 60, 65, 70)["flagged_for_criticism"] is False

    def test_scores_out_of_range_or_repeated_are_refused(self):
        world = World()
        test_id = held(world)
        with pytest.raises(InvalidInput):
            record(world, test_id, 101)
        cmd = c.RecordScores.parse(
            {
                "test_id": test_id,
                "scores": [
                    {"person_id": staff(0), "score": 80},
                    {"person_id": staff(0), "score": 81},
                ],
            }
        )
        with pytest.raises(ScoresInvalid):
            world.handlers.record_scores(cmd, OFFICE)

    def test_scores_are_imported_from_a_workbook(self):
        world = World()
        test_id = held(world)
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["person_id", "score"])
        sheet.append([staff(0), 88])
        sheet.append([staff(1), 92.5])
        data = io.BytesIO()
        book.save(data)
        answer = world.handlers.import_scores(test_id, data.getvalue(), OFFICE)
        assert answer["scores"] == {staff(0): "88", staff(1): "185/2"}

    def test_a_file_that_is_not_a_workbook_is_refused(self):
        world = World()
        with pytest.raises(InvalidInput):
            world.handlers.import_scores(held(world), b"not a workbook", OFFICE)

    def test_a_spot_check_is_recorded(self):
        world = World()
        test_id = held(world)
        cmd = c.SpotCheck(test_id, date(2026, 3, 2), "抽查 5 人，答卷与成绩一致")
        answer = world.handlers.spot_check(cmd, OFFICE)
        assert answer["spot_checks"][0]["finding"].startswith("抽查")

    def test_another_bureau_does_not_see_the_test(self):
        world = World()
        test_id = held(world)
        with pytest.raises(NotFound):
            world.handlers.get_study_test(
                test_id, CommandContext(bureau_id="b02", actor="b02.001001")
            )
