"""The org-chart workbook: sheets, columns, accepted words, and row errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# sheet key -> (sheet title, [(column key, column title)])
SHEETS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "bureaus": (
        "局",
        [("bureau_code", "局代码"), ("name", "局名称"), ("district", "所属区")],
    ),
    "units": (
        "单位",
        [
            ("bureau_code", "局代码"),
            ("unit_code", "单位代码"),
            ("name", "单位名称"),
            ("kind", "单位类型"),
            ("service_window", "服务窗口"),
            ("hotline", "监督投诉电话"),
            ("hotline_answerer", "接听人工号"),
            ("head", "一把手工号"),
            ("info_officer", "信息员工号"),
        ],
    ),
    "people": (
        "人员",
        [
            ("bureau_code", "局代码"),
            ("employee_no", "工号"),
            ("name", "姓名"),
            ("unit_code", "单位代码"),
            ("position", "职务"),
            ("phone", "联系电话"),
            ("committee", "局党委委员"),
            ("leading_group", "领导小组"),
            ("office", "领导小组办公室"),
        ],
    ),
    "liaisons": (
        "包保",
        [
            ("bureau_code", "局代码"),
            ("member", "党委委员工号"),
            ("unit_code", "包保单位代码"),
        ],
    ),
    "evaluators": (
        "外部评议人",
        [
            ("bureau_code", "局代码"),
            ("evaluator_id", "编号"),
            ("name", "姓名"),
            ("constituency", "界别"),
            ("organisation", "工作单位"),
        ],
    ),
}

# Chinese words accepted for enum cells, besides the English values themselves.
WORDS: dict[str, dict[str, str]] = {
    "kind": {"局属单位": "affiliated_unit", "机关科室": "office", "站所": "station"},
    "position": {
        "一把手": "unit_head",
        "班子成员": "deputy_head",
        "中层干部": "middle_manager",
        "一般干部": "staff",
    },
    "leading_group": {"组长": "leader", "副组长": "deputy_leader", "成员": "member"},
    "constituency": {
        "人大代表": "deputy",
        "政协委员": "committee_member",
        "企业代表": "enterprise",
        "个体工商户": "small_business",
        "服务对象": "service_recipient",
    },
}
YES = {"是", "yes", "y", "true", "1", "√"}
NO = {"否", "no", "n", "false", "0", ""}

Rows = dict[str, list[tuple[int, dict[str, Any]]]]


@dataclass(frozen=True)
class RowError:
    """One problem in the workbook, with both languages' wording."""

    sheet: str
    row: int
    column: str
    reason: str
    message_zh: str
    message_en: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "sheet": SHEETS[self.sheet][0] if self.sheet in SHEETS else self.sheet,
            "sheet_key": self.sheet,
            "row": self.row,
            "column": column_title(self.sheet, self.column),
            "column_key": self.column,
            "reason": self.reason,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


def column_title(sheet: str, column: str) -> str:
    for key, title in SHEETS.get(sheet, ("", []))[1]:
        if key == column:
            return title
    return column


def cell_text(value: Any) -> str:
    """Cells may hold numbers (employee numbers typed as 1001): read them as text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
