"""调查问计帮查: a survey's problems each become a ledger item in one command."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from services.common.errors import InvalidInput
from services.ledger.domain import LedgerItem, RaisedProblem, Survey
from services.ledger.domain.errors import AlreadyExists
from services.ledger.domain.events import SurveyRecorded
from services.ledger.domain.model import Category, Level, Source, SurveyKind
from services.ledger.domain.survey import item_openings
from tests.unit.ledger.factory import BUREAU, CLERK, INFO_OFFICER, UNIT, later

HELD_ON = date(2026, 3, 20)


def recorded(problems=None) -> Survey:
    survey = Survey(str(uuid.uuid4()))
    survey.record(
        BUREAU,
        UNIT,
        SurveyKind.FORUM,
        HELD_ON,
        ["某建筑公司 张经理", "个体户 李女士"],
        problems
        or [
            RaisedProblem(Category.SLOW, "施工许可审批慢"),
            RaisedProblem(Category.LAX, "窗口人员上班时间玩手机", CLERK),
        ],
        INFO_OFFICER,
        later(0),
    )
    return survey


class TestSurvey:
    def test_a_survey_records_participants_and_problems(self):
        (event,) = recorded().pending()
        assert isinstance(event, SurveyRecorded)
        assert len(event.participants) == 2 and len(event.problems) == 2

    def test_each_problem_becomes_an_item_opening(self):
        survey = recorded()
        assert survey.recorded is not None
        openings = item_openings(survey.recorded)
        assert [o.level for _, o in openings] == [Level.UNIT, Level.INDIVIDUAL]
        assert {o.source for _, o in openings} == {Source.SURVEY}
        assert {o.reference for _, o in openings} == {survey.id}
        assert {o.found_on for _, o in openings} == {HELD_ON}

    def test_the_openings_open_items_whose_ids_are_stable(self):
        survey = recorded()
        assert survey.recorded is not None
        first = item_openings(survey.recorded)
        again = item_openings(survey.recorded)
        assert [i for i, _ in first] == [i for i, _ in again]
        for item_id, opening in first:
            item = LedgerItem(item_id)
            item.open(opening, INFO_OFFICER, later(1))
            assert item.person_id == opening.person_id

    def test_a_survey_needs_participants(self):
        with pytest.raises(InvalidInput):
            Survey("s").record(
                BUREAU,
                UNIT,
                SurveyKind.VISIT,
                HELD_ON,
                [" "],
                [RaisedProblem(Category.LOW, "x")],
                INFO_OFFICER,
                later(0),
            )

    def test_a_problem_needs_a_description(self):
        with pytest.raises(InvalidInput) as caught:
            recorded([RaisedProblem(Category.LOW, "  ")])
        assert caught.value.details["fields"] == {"problems[0].description": "required"}

    def test_a_survey_is_recorded_once(self):
        survey = recorded()
        with pytest.raises(AlreadyExists):
            survey.record(
                BUREAU,
                UNIT,
                SurveyKind.FORUM,
                HELD_ON,
                ["x"],
                [RaisedProblem(Category.LOW, "y")],
                INFO_OFFICER,
                later(0),
            )
