"""A report like an open one is flagged to merge, never dropped."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.errors import InvalidInput
from services.complaints.domain import OpenCase, find_duplicates
from services.complaints.domain.duplicates import normalise, similarity
from services.complaints.domain.errors import IllegalTransition
from services.complaints.domain.events import DuplicateFlagged
from tests.unit.complaints.factory import later, received, replied

OPEN = [
    OpenCase("c-1", "zjj.bgs", "窗口办事拖拉，材料齐全仍让跑三趟。", date(2026, 3, 1)),
    OpenCase("c-2", "zjj.bgs", "工作人员上班时间玩手机", date(2026, 3, 2)),
    OpenCase("c-3", "zjj.zfk", "窗口办事拖拉，材料齐全仍让跑三趟", date(2026, 3, 2)),
]


class TestSimilarity:
    def test_spacing_punctuation_and_width_do_not_matter(self):
        assert normalise("Ａ窗口， 办事 拖拉!") == "a窗口办事拖拉"
        assert similarity("窗口办事拖拉。", "窗口 办事拖拉") == 1.0

    def test_unrelated_texts_are_not_similar(self):
        assert similarity("窗口办事拖拉", "上班时间玩手机") == 0.0

    def test_empty_text_is_similar_to_nothing(self):
        assert similarity("", "窗口") == 0.0


class TestFindingDuplicates:
    def test_a_similar_report_on_the_same_unit_within_the_interval_is_flagged(self):
        matches = find_duplicates(
            "zjj.bgs", "窗口办事拖拉，材料齐全还让跑了三趟", date(2026, 3, 5), OPEN
        )
        assert [m.complaint_id for m in matches] == ["c-1"]
        assert matches[0].similarity >= 0.6

    def test_the_same_text_about_another_unit_is_not_a_duplicate(self):
        matches = find_duplicates(
            "zjj.zfk", OPEN[1].description, date(2026, 3, 5), OPEN
        )
        assert matches == []

    def test_an_old_report_is_outside_the_interval(self):
        assert (
            find_duplicates("zjj.bgs", OPEN[0].description, date(2026, 4, 20), OPEN, 30)
            == []
        )

    @pytest.mark.parametrize("within", [4, 10])
    def test_the_interval_is_configurable(self, within):
        matches = find_duplicates(
            "zjj.bgs", OPEN[0].description, date(2026, 3, 5), OPEN, within
        )
        assert [m.complaint_id for m in matches] == ["c-1"]

    def test_matches_come_most_similar_first(self):
        cases = [
            OpenCase("a", "u", "窗口办事拖拉让跑三趟", date(2026, 3, 1)),
            OpenCase("b", "u", "窗口办事拖拉让跑三趟，态度差", date(2026, 3, 1)),
        ]
        matches = find_duplicates(
            "u", "窗口办事拖拉让跑三趟", date(2026, 3, 2), cases, 30, 0.3
        )
        assert [m.complaint_id for m in matches] == ["a", "b"]


class TestFlagging:
    def test_a_flagged_report_stays_open_and_remembers_its_twin(self):
        complaint = received()
        complaint.flag_duplicate("c-1", 0.8, "system", later(0.01))
        (event,) = complaint.pending()[-1:]
        assert isinstance(event, DuplicateFlagged)
        assert complaint.duplicate_of == "c-1"
        assert complaint.is_open

    def test_a_report_is_not_its_own_duplicate(self):
        complaint = received()
        with pytest.raises(InvalidInput):
            complaint.flag_duplicate(complaint.id, 1.0, "system", later(0.01))

    def test_a_replied_case_is_no_longer_flagged(self):
        with pytest.raises(IllegalTransition):
            replied().flag_duplicate("c-1", 0.9, "system", later(20))
