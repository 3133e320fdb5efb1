"""Realistic sample org charts (for demos, tests and benchmarks), as workbook rows.

rows = sample_rows(bureaus=1, units=20, people_per_unit=15, seed=7)
data = write_rows(rows)     # .xlsx bytes in the import format
"""

from __future__ import annotations

import io
import random
from typing import Any

import openpyxl

from services.organization.domain.workbook import SHEETS, Rows

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文辉斌波宇浩"
BUREAU_NAMES = [
    "住房和城乡建设局",
    "交通运输局",
    "水务局",
    "市场监督管理局",
    "自然资源局",
]
UNIT_NAMES = [
    ("城建监察大队", "affiliated_unit", True),
    ("房产管理所", "station", True),
    ("建筑工程质量监督站", "station", True),
    ("办公室", "office", False),
    ("规划建设科", "office", False),
    ("政务服务窗口", "station", True),
    ("市政工程处", "affiliated_unit", False),
    ("征收安置办", "office", True),
    ("园林绿化所", "affiliated_unit", False),
    ("安全生产科", "office", False),
]
CONSTITUENCIES = ["人大代表", "政协委员", "企业代表", "个体工商户", "服务对象"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(
        rng.choice(GIVEN) for _ in range(rng.randint(1, 2))
    )


def sample_rows(
    bureaus: int = 1,
    units: int = 20,
    people_per_unit: int = 15,
    seed: int = 1,
    district: str = "d01",
) -> Rows:
    """A district's org chart: every unit has a head, an info officer, a hotline."""
    rng = random.Random(seed)
    rows: Rows = {key: [] for key in SHEETS}
    for b in range(bureaus):
        code = f"b{b + 1:02d}"
        label = BUREAU_NAMES[b % len(BUREAU_NAMES)]
        bureau = {
            "bureau_code": code,
            "name": f"{label}{b + 1:02d}",
            "district": district,
        }
        rows["bureaus"].append((len(rows["bureaus"]) + 2, bureau))
        committee: list[str] = []
        unit_codes: list[str] = []
        for u in range(units):
            unit_code = f"u{u + 1:03d}"
            unit_codes.append(unit_code)
            base, kind, window = UNIT_NAMES[u % len(UNIT_NAMES)]
            numbers = [f"{u + 1:03d}{p + 1:03d}" for p in range(people_per_unit)]
            for p, number in enumerate(numbers):
                position = (
                    "一把手" if p == 0 else "中层干部" if p in (1, 2) else "一般干部"
                )
                is_committee = p == 0 and u < 7
                if is_committee:
                    committee.append(number)
                rows["people"].append(
                    (
                        len(rows["people"]) + 2,
                        {
                            "bureau_code": code,
                            "employee_no": number,
                            "name": _name(rng),
                            "unit_code": unit_code,
                            "position": position,
                            "phone": f"13{rng.randint(100000000, 999999999)}",
                            "committee": "是" if is_committee else "否",
                            "leading_group": ("组长" if u == 0 else "成员")
                            if is_committee
                            else "",
                            "office": "是" if u == 0 and p in (1, 2) else "否",
                        },
                    )
                )
            rows["units"].append(
                (
                    len(rows["units"]) + 2,
                    {
                        "bureau_code": code,
                        "unit_code": unit_code,
                        "name": f"{base}{u // len(UNIT_NAMES) + 1}",
                        "kind": kind,
                        "service_window": "是" if window else "否",
                        "hotline": f"0311-{8000000 + b * 1000 + u}",
                        "hotline_answerer": numbers[min(1, len(numbers) - 1)],
                        "head": numbers[0],
                        "info_officer": numbers[-1],
                    },
                )
            )
        for i, unit_code in enumerate(unit_codes):
            if committee:
                rows["liaisons"].append(
                    (
                        len(rows["liaisons"]) + 2,
                        {
                            "bureau_code": code,
                            "member": committee[i % len(committee)],
                            "unit_code": unit_code,
                        },
                    )
                )
        for e in range(10):
            rows["evaluators"].append(
                (
                    len(rows["evaluators"]) + 2,
                    {
                        "bureau_code": code,
                        "evaluator_id": f"e{e + 1:02d}",
                        "name": _name(rng),
                        "constituency": CONSTITUENCIES[e % len(CONSTITUENCIES)],
                        "organisation": "区人大常委会" if e % 5 == 0 else "辖区企业",
                    },
                )
            )
    return rows


def write_rows(rows: Rows) -> bytes:
    """Rows as an .xlsx workbook in the import format (headers in both languages)."""
    book = openpyxl.Workbook(write_only=True)
    for key, (title, columns) in SHEETS.items():
        sheet = book.create_sheet(title)
        sheet.append([f"{label} ({column})" for column, label in columns])
        for _, cells in rows.get(key, []):
            sheet.append([_cell(cells.get(column)) for column, _ in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    return "" if value is None else value
