"""Planning an import: every bad row reported at once; a repeated import is a no-op."""

from __future__ import annotations

import copy
from typing import Any

from services.organization.domain.chart import OrgChart
from services.organization.domain.events import (
    BureauRegistered,
    PersonRegistered,
    PersonTransferred,
    UnitHeadAppointed,
    UnitHeadVacated,
    UnitRegistered,
)
from services.organization.domain.importing import ImportPlan, plan_import


def workbook() -> dict[str, list[tuple[int, dict[str, Any]]]]:
    return {
        "bureaus": [(2, {"bureau_code": "zjj", "name": "住建局", "district": "d1"})],
        "units": [
            (
                2,
                {
                    "bureau_code": "zjj",
                    "unit_code": "jcdd",
                    "name": "城建监察大队",
                    "kind": "局属单位",
                    "service_window": "是",
                    "hotline": "0311-5551234",
                    "hotline_answerer": 1002,
                    "head": 1001,
                    "info_officer": 1002,
                },
            ),
            (
                3,
                {
                    "bureau_code": "zjj",
                    "unit_code": "bgs",
                    "name": "办公室",
                    "kind": "office",
                    "service_window": "否",
                    "head": "2001",
                },
            ),
        ],
        "people": [
            (
                2,
                {
                    "bureau_code": "zjj",
                    "employee_no": 1001,
                    "name": "张伟",
                    "unit_code": "jcdd",
                    "position": "一把手",
                    "committee": "是",
                    "leading_group": "成员",
                },
            ),
            (
                3,
                {
                    "bureau_code": "zjj",
                    "employee_no": "1002",
                    "name": "李娜",
                    "unit_code": "jcdd",
                    "position": "一般干部",
                    "phone": 13800000000,
                },
            ),
            (
                4,
                {
                    "bureau_code": "zjj",
                    "employee_no": "2001",
                    "name": "王强",
                    "unit_code": "bgs",
                    "position": "unit_head",
                    "office": "是",
                },
            ),
        ],
        "liaisons": [(2, {"bureau_code": "zjj", "member": "1001", "unit_code": "bgs"})],
        "evaluators": [
            (
                2,
                {
                    "bureau_code": "zjj",
                    "evaluator_id": "e1",
                    "name": "赵敏",
                    "constituency": "人大代表",
                    "organisation": "区人大",
                },
            ),
        ],
    }


def saved(plan: ImportPlan) -> list[tuple[str, int, Any]]:
    """What the store would hold after the plan: (stream, version, event) in order."""
    written = []
    for phase in plan.phases:
        for aggregate, start, end in phase:
            for offset, event in enumerate(aggregate.pending()[start:end]):
                written.append(
                    (aggregate.stream, aggregate.version + 1 + offset, event)
                )
            aggregate.version += end - start
    return written


def chart_from(history: list[tuple[str, int, Any]]) -> OrgChart:
    chart = OrgChart()
    for stream, version, event in history:
        chart.add(stream, version, event)
    return chart


class TestAValidWorkbook:
    def test_it_plans_bureaus_then_units_then_people_then_posts(self):
        plan = plan_import(workbook(), OrgChart())
        assert plan.errors == []
        first_types = [
            {type(e).__name__ for a, s, t in phase for e in a.pending()[s:t]}
            for phase in plan.phases
        ]
        assert first_types[0] == {BureauRegistered.__name__}
        assert first_types[1] == {UnitRegistered.__name__}
        assert first_types[2] == {PersonRegistered.__name__}
        assert UnitHeadAppointed.__name__ in first_types[3]
        assert plan.rows == 8

    def test_numbers_typed_into_cells_read_as_codes(self):
        chart = OrgChart()
        plan_import(workbook(), chart)
        assert chart.people["zjj.1001"].registered
        assert chart.people["zjj.1002"].phone == "13800000000"
        assert chart.units["zjj.jcdd"].head_id == "zjj.1001"
        assert chart.units["zjj.jcdd"].hotline == ("0311-5551234", "zjj.1002")
        assert chart.bureaus["zjj"].liaison_of("zjj.bgs") == ["zjj.1001"]

    def test_importing_the_same_workbook_again_plans_nothing(self):
        history = saved(plan_import(workbook(), OrgChart()))
        again = plan_import(workbook(), chart_from(history))
        assert again.errors == []
        assert again.event_count == 0

    def test_a_person_moved_to_another_unit_leaves_their_post_behind(self):
        history = saved(plan_import(workbook(), OrgChart()))
        moved = workbook()
        moved["people"][0][1]["unit_code"] = "bgs"
        moved["people"][0][1]["position"] = "staff"
        moved["units"][0][1]["head"] = None
        chart = chart_from(history)
        plan = plan_import(moved, chart)
        assert plan.errors == []
        events = [e for p in plan.phases for a, s, t in p for e in a.pending()[s:t]]
        assert PersonTransferred("zjj.jcdd", "zjj.bgs") in events
        assert UnitHeadVacated("zjj.1001") in events
        assert chart.units["zjj.jcdd"].head_id is None


class TestABadWorkbook:
    def test_every_problem_is_reported_at_once_and_nothing_is_planned(self):
        rows = copy.deepcopy(workbook())
        rows["units"].append(
            (
                4,
                {
                    "bureau_code": "zjj",
                    "unit_code": "ck",
                    "name": "仓库",
                    "kind": "warehouse",
                },
            )
        )
        rows["people"].append(
            (5, {"bureau_code": "zjj", "employee_no": "3001", "name": "周杰",
                 "unit_code": "nowhere", "position": "staff"})
        )  # fmt: skip
        rows["people"].append(
            (6, {"bureau_code": "zjj", "employee_no": "1002", "name": "李娜",
                 "unit_code": "jcdd", "position": "staff"})
        )  # fmt: skip
        rows["liaisons"][0][1]["member"] = "2001"  # not a committee member
        plan = plan_import(rows, OrgChart())
        found = {(e.sheet, e.row, e.column, e.reason) for e in plan.errors}
        assert found == {
            ("units", 4, "kind", "not_allowed"),
            ("people", 5, "unit_code", "unknown"),
            ("people", 6, "employee_no", "duplicate"),
            ("liaisons", 2, "member", "not_committee_member"),
        }
        assert plan.phases == []

    def test_a_head_from_another_unit_is_named_with_the_rule_it_breaks(self):
        rows = workbook()
        rows["units"][1][1]["head"] = "1002"  # 1002 works in jcdd, not bgs
        plan = plan_import(rows, OrgChart())
        [error] = plan.errors
        assert (error.sheet, error.row, error.column) == ("units", 3, "head")
        assert error.reason == "person_not_in_unit"
        assert "不是单位" in error.message_zh
        assert error.to_dict()["column"] == "一把手工号"
        assert error.to_dict()["sheet"] == "单位"

    def test_missing_required_cells_are_named_in_both_languages(self):
        rows = workbook()
        rows["evaluators"][0][1]["name"] = "  "
        [error] = plan_import(rows, OrgChart()).errors
        assert error.column == "name"
        assert error.message_zh == "姓名必填"
        assert error.message_en == "name is required"
