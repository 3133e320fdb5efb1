"""The org chart as an Excel workbook (.xlsx): read rows, write the template, export.

Sheets and columns are those of `domain.workbook.SHEETS`. A header cell may hold the
Chinese title, the English key, or both ("单位代码 (unit_code)"); unknown columns are
ignored, so bureaus may keep notes beside the data.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from services.organization.domain.chart import OrgChart
from services.organization.domain.errors import ImportInvalid
from services.organization.domain.model import Position, UnitKind
from services.organization.domain.workbook import SHEETS, WORDS, RowError, Rows

MAX_BYTES = 20 * 1024 * 1024
# the template the README links to; regenerate: python -m services.organization.template
TEMPLATE_PATH = Path(__file__).parent / "templates" / "org-chart-template.xlsx"
KEY_IN_HEADER = re.compile(r"\(([a-z_]+)\)|（([a-z_]+)）")
INSTRUCTIONS = "说明 Instructions"


def _header_key(sheet: str, text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    match = KEY_IN_HEADER.search(text)
    if match:
        return match.group(1) or match.group(2)
    words = text.split()
    for key, title in SHEETS[sheet][1]:
        if words and words[0] in (key, title):
            return key
    return None


def _find_sheet(book: Any, key: str) -> Any:
    title = SHEETS[key][0]
    for sheet in book.worksheets:
        words = sheet.title.split()
        if words and words[0] in (title, key):
            return sheet
    return None


def _unreadable(reason_zh: str, reason_en: str) -> ImportInvalid:
    error = RowError("file", 0, "file", "bad_format", reason_zh, reason_en)
    return ImportInvalid(count=1, rows=[error.to_dict()])


def read_workbook(data: bytes) -> Rows:
    """Rows of each known sheet as (Excel row number, {column key: value})."""
    if len(data) > MAX_BYTES:
        raise _unreadable("文件超过 20 MB", "the file is larger than 20 MB")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a bad file
        raise _unreadable(
            "不是有效的 .xlsx 文件",
            f"not a valid .xlsx workbook ({type(error).__name__})",
        ) from None
    rows: Rows = {}
    try:
        for key in SHEETS:
            sheet = _find_sheet(book, key)
            if sheet is None:
                continue
            found: list[tuple[int, dict[str, Any]]] = []
            columns: list[str | None] = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number == 1:
                    columns = [_header_key(key, cell) for cell in values]
                    continue
                cells = {
                    column: value
                    for column, value in zip(columns, values, strict=False)
                    if column is not None and value not in (None, "")
                }
                if cells:
                    found.append((number, cells))
            rows[key] = found
    finally:
        book.close()
    return rows


def _styled_book() -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    return book


def _add_sheet(book: openpyxl.Workbook, key: str, rows: list[list[Any]]) -> None:
    title, columns = SHEETS[key]
    sheet = book.create_sheet(title)
    sheet.append([f"{label} ({column})" for column, label in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        sheet.append(row)
    for index, (_, label) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            12, len(label) * 3
        )
    sheet.freeze_panes = "A2"


def _bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template() -> bytes:
    """An empty workbook with every sheet, its headers, and the accepted values."""
    book = _styled_book()
    for key in SHEETS:
        _add_sheet(book, key, [])
    notes = book.create_sheet(INSTRUCTIONS)
    notes.append(["列 Column", "可填写 Accepted values"])
    for column, words in WORDS.items():
        accepted = "、".join(f"{zh} / {en}" for zh, en in words.items())
        notes.append([column, accepted])
    notes.append(["是/否 yes/no", "是、否、yes、no、1、0（空白即否 blank means no）"])
    notes.append(["工号 employee_no", "本局内唯一 unique within the bureau"])
    notes.append(
        ["导入 Import", "任何一行有误则整个文件不导入；重复导入同一文件不会产生变化"]
    )
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 100
    return _bytes(book)


def _zh(kind: str, value: str) -> str:
    for zh, en in WORDS[kind].items():
        if en == value:
            return zh
    return value


def export_chart(chart: OrgChart, bureau_ids: list[str]) -> bytes:
    """The chart of the given bureaus, in the import format (export then import is a
    no-op)."""
    bureaus, units, people, liaisons, evaluators = [], [], [], [], []
    for bureau_id in sorted(bureau_ids):
        bureau = chart.bureaus.get(bureau_id)
        if bureau is None or not bureau.registered:
            continue
        bureaus.append([bureau.id, bureau.name, bureau.district_id])
        number = {p.id: p.employee_no for p in chart.people_of(bureau_id)}
        for unit in chart.units_of(bureau_id):
            hotline, answerer = unit.hotline or ("", "")
            units.append(
                [
                    bureau.id,
                    unit.code,
                    unit.name,
                    _zh("kind", UnitKind(unit.kind).value),
                    "是" if unit.service_window else "否",
                    hotline,
                    number.get(answerer, ""),
                    number.get(unit.head_id or "", ""),
                    number.get(unit.info_officer_id or "", ""),
                ]
            )
        unit_code = {u.id: u.code for u in chart.units_of(bureau_id)}
        for person in chart.people_of(bureau_id):
            if not person.active:
                continue
            role = bureau.leading_group.get(person.id)
            people.append(
                [
                    bureau.id,
                    person.employee_no,
                    person.name,
                    unit_code.get(person.unit_id, ""),
                    _zh("position", Position(person.position).value),
                    person.phone,
                    "是" if person.id in bureau.committee else "否",
                    _zh("leading_group", role.value) if role else "",
                    "是" if person.id in bureau.office else "否",
                ]
            )
        for member, unit_ids in sorted(bureau.liaisons.items()):
            for unit_id in sorted(unit_ids):
                liaisons.append(
                    [bureau.id, number.get(member, ""), unit_code.get(unit_id, "")]
                )
        for evaluator_id, (name, constituency, org) in sorted(
            bureau.evaluators.items()
        ):
            evaluators.append(
                [bureau.id, evaluator_id, name, _zh("constituency", constituency), org]
            )
    book = _styled_book()
    for key, rows in (
        ("bureaus", bureaus),
        ("units", units),
        ("people", people),
        ("liaisons", liaisons),
        ("evaluators", evaluators),
    ):
        _add_sheet(book, key, rows)
    return _bytes(book)
