"""Exports of the leading group office's lists as .xlsx and CSV, headers in Chinese.

`GET /api/v1/exports/{list_name}.{fmt}` (fmt: `xlsx` | `csv`), the list's own query
filters as query parameters (e.g. `/exports/ledger.xlsx?overdue=true`). Lists:
`ledger` (问题台账), `complaints` (投诉办理, no reporter data), `publicity` (信息报送
达标), `evaluation` (民主评议结果), `assessment` (年终考核).

A list is a `Spec`: its columns, each a key of the row, a zh and an en header, a
formatter to a cell value and a kind (text, int, date, datetime, percent, number).
Only the spec's columns are ever written, whatever else a row holds.
CSV is UTF-8 with a BOM (Excel reads Chinese right) and neutralises formula
injection (a text cell starting with = + - @ TAB or CR gets a leading '); in .xlsx
every text cell is stored as a string, never as a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from werkzeug.wrappers import Response

from gateway.api import errors
from gateway.api.app import Call
from gateway.api.errors import ApiError
from gateway.queries import common as q
from gateway.queries.complaint_queue import complaint_queue
from gateway.queries.evaluation import evaluation_results
from gateway.queries.ledger_board import ledger_board
from gateway.queries.publicity_compliance import publicity_compliance
from services.common.errors import is_english

ZONE = ZoneInfo("Asia/Shanghai")
Row = Mapping[str, Any]
Cell = str | int | float | date | datetime | None
Formatter = Callable[[Any, Row, str], Cell]
Fetch = Callable[[str, Call], list[dict[str, Any]]]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# value -> (zh, en), for every coded value a list shows
LABELS: dict[str, tuple[str, str]] = {
    # five problems, five checks
    "hollow": ("空", "hollow"),
    "false": ("虚", "false"),
    "lax": ("散", "lax"),
    "slow": ("慢", "slow"),
    "low": ("低", "low"),
    "institutions": ("制度建设", "institutions"),
    "mindset": ("思想观念", "mindset"),
    "service_attitude": ("服务态度", "service attitude"),
    "work_standards": ("工作标准", "work standards"),
    "discipline": ("工作纪律", "discipline"),
    # ledger
    "unit": ("单位", "unit"),
    "individual": ("个人", "individual"),
    "survey": ("调查问计帮查", "survey"),
    "self_inspection": ("单位内部查找", "self-inspection"),
    "focused_rectification": ("集中整治严查", "focused rectification"),
    "spot_check": ("抽查", "spot check"),
    "cross_check": ("交叉互查", "cross check"),
    "complaint": ("举报投诉", "complaint"),
    "deputy_inspection": ("人大政协视察", "deputy inspection"),
    "secret_visit": ("明察暗访", "secret visit"),
    "inspection_tour": ("巡查", "inspection tour"),
    "open": ("整改中", "open"),
    "submitted": ("待验收", "submitted"),
    "closed": ("已办结", "closed"),
    # complaints
    "hotline": ("监督投诉电话", "hotline"),
    "web_form": ("网上举报", "web form"),
    "letter": ("来信", "letter"),
    "visit": ("来访", "visit"),
    "deputy_referral": ("人大政协转办", "deputy referral"),
    "received": ("已登记", "received"),
    "accepted": ("已受理", "accepted"),
    "rejected": ("不予受理", "rejected"),
    "assigned": ("已指派", "assigned"),
    "investigating": ("调查中", "investigating"),
    "concluded": ("已出结论", "concluded"),
    "accountability_decided": ("已问责", "accountability decided"),
    "replied": ("已答复", "replied"),
    "satisfaction_recorded": ("已回访", "satisfaction recorded"),
    "substantiated": ("属实", "substantiated"),
    "partly_substantiated": ("部分属实", "partly substantiated"),
    "unsubstantiated": ("不属实", "unsubstantiated"),
    "none": ("不予问责", "none"),
    "written_self_criticism": ("书面检查", "written self-criticism"),
    "notice_of_criticism": ("通报批评", "notice of criticism"),
    "admonishment_talk": ("诫勉谈话", "admonishment talk"),
    "discipline_referral": ("移送纪检", "discipline referral"),
    "satisfied": ("满意", "satisfied"),
    "basically_satisfied": ("基本满意", "basically satisfied"),
    "dissatisfied": ("不满意", "dissatisfied"),
    # publicity, evaluation
    "affiliated_unit": ("局属单位", "affiliated unit"),
    "office": ("机关科室", "office"),
    "station": ("站所", "station"),
    "week": ("周", "week"),
    "half_month": ("半月", "half-month"),
    "month": ("月", "month"),
    "staff": ("一般干部", "staff"),
    "leadership": ("领导班子和领导干部", "leadership"),
    "units": ("部门单位", "units"),
    "team": ("领导班子", "leadership team"),
    "leader": ("领导干部", "leader"),
}
# a ledger item's "closed" is 已销号; a complaint's is 已办结
LEDGER_STATUS = {**LABELS, "closed": ("已销号", "closed")}


# -- formatters ------------------------------------------------------------------------


def plain(value: Any, row: Row, language: str) -> Cell:
    if value is None or isinstance(value, str | int | float | date):
        return value
    if isinstance(value, list | tuple):
        return "；".join(str(v) for v in value)
    return str(value)


def label(
    table: Mapping[str, tuple[str, str]] = LABELS,
) -> Formatter:
    def fmt(value: Any, row: Row, language: str) -> Cell:
        if value is None:
            return None
        zh, en = table.get(str(value), (str(value), str(value)))
        return en if is_english(language) else zh

    return fmt


def yes_no(value: Any, row: Row, language: str) -> Cell:
    if value is None:
        return None
    if is_english(language):
        return "yes" if value else "no"
    return "是" if value else "否"


def day(value: Any, row: Row, language: str) -> Cell:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(ZONE).date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def local_time(value: Any, row: Row, language: str) -> Cell:
    """An instant as the bureau's wall-clock time (Asia/Shanghai), to the minute."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZONE).replace(tzinfo=None)
    return moment.replace(second=0, microsecond=0)


def ratio(value: Any, row: Row, language: str) -> Cell:
    """An exact fraction as text ("3/10") or a number, as a float."""
    if value is None or value == "":
        return None
    return round(float(Fraction(str(value))), 4)


def named(id_key: str, name_key: str) -> Formatter:
    """The name the fetcher looked up for an id, else the id itself."""

    def fmt(value: Any, row: Row, language: str) -> Cell:
        name, ident = row.get(name_key), row.get(id_key)
        return str(name) if name else (str(ident) if ident else None)

    return fmt


def count_of(option: str) -> Formatter:
    def fmt(value: Any, row: Row, language: str) -> Cell:
        counts = row.get("counts") or {}
        return int(counts[option]) if option in counts else None

    return fmt


# -- the specs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an export."""

    key: str
    zh: str
    en: str
    format: Formatter = plain
    kind: str = "text"  # text | int | number | percent | date | datetime
    width: int | None = None

    def header(self, language: str) -> str:
        return self.en if is_english(language) else self.zh


@dataclass(frozen=True)
class Spec:
    """One exportable list: its file title and its columns."""

    name: str
    zh: str
    en: str
    columns: tuple[Column, ...]


C = Column
UNIT = C("unit_id", "单位", "Unit", named("unit_id", "unit_name"), width=24)
SPECS: dict[str, Spec] = {
    spec.name: spec
    for spec in (
        Spec("ledger", "问题台账", "Problem ledger", (
            C("item_id", "台账编号", "Item id", width=12),
            UNIT,
            C("level", "层级", "Level", label()),
            C("person_id", "责任人", "Person", named("person_id", "person_name")),
            C("category", "问题类别", "Category", label()),
            C("check_dimension", "五查五看", "Check", label()),
            C("source", "问题来源", "Source", label()),
            C("reference", "来源编号", "Reference"),
            C("description", "问题描述", "Description", width=50),
            C("first_found_on", "发现日期", "Found on", day, "date"),
            C("leader_id", "挂名督办领导", "Supervising leader",
              named("leader_id", "leader_name")),
            C("deadline", "整改时限", "Deadline", day, "date"),
            C("measures", "措施数", "Measures", kind="int"),
            C("status", "状态", "Status", label(LEDGER_STATUS)),
            C("overdue", "是否逾期", "Overdue", yes_no),
            C("overdue_days", "逾期天数", "Days overdue", kind="int"),
            C("escalation_level", "督办升级次数", "Escalations", kind="int"),
            C("verified_on", "销号日期", "Closed on", day, "date"),
        )),
        Spec("complaints", "投诉办理", "Complaints", (
            C("complaint_id", "投诉编号", "Complaint id", width=12),
            C("received_at", "登记时间", "Received", local_time, "datetime"),
            C("channel", "渠道", "Channel", label()),
            UNIT,
            C("category", "问题类别", "Category", label()),
            C("status", "办理状态", "Status", label()),
            C("acceptance_due", "受理时限", "Acceptance due", day, "date"),
            C("investigation_due", "调查时限", "Investigation due", day, "date"),
            C("reply_due", "答复时限", "Reply due", day, "date"),
            C("current_due", "当前时限", "Current deadline", day, "date"),
            C("overdue", "是否逾期", "Overdue", yes_no),
            C("days_overdue", "逾期天数", "Days overdue", kind="int"),
            C("extended", "是否延期", "Extended", yes_no),
            C("investigator_id", "调查人", "Investigator",
              named("investigator_id", "investigator_name")),
            C("outcome", "调查结论", "Outcome", label()),
            C("accountability", "问责方式", "Accountability", label()),
            C("satisfaction", "满意度", "Satisfaction", label()),
            C("resolved", "是否解决", "Resolved", yes_no),
            C("reopen_count", "重办次数", "Reopened", kind="int"),
        )),
        Spec("publicity", "信息报送达标情况", "Publicity quota compliance", (
            UNIT,
            C("kind", "单位类型", "Unit kind", label()),
            C("period_type", "考核周期", "Period", label()),
            C("period_start", "起始日期", "From", day, "date"),
            C("period_end", "截止日期", "To", day, "date"),
            C("required", "应报篇数", "Required", kind="int"),
            C("submitted", "已报篇数", "Submitted", kind="int"),
            C("met", "是否达标", "Met", yes_no),
            C("reason", "说明", "Reason", width=30),
            C("info_officer_id", "信息员", "Info officer",
              named("info_officer_id", "info_officer_name")),
        )),
        Spec("evaluation", "民主评议结果", "Evaluation results", (
            C("year", "年度", "Year", kind="int"),
            C("round_kind", "评议类型", "Round", label()),
            C("subject_kind", "评议对象类别", "Subject kind", label()),
            UNIT,
            C("person_id", "被评议人", "Person", named("person_id", "person_name")),
            C("valid", "有效票", "Valid ballots", kind="int"),
            C("excellent", "优秀", "Excellent", count_of("excellent"), "int"),
            C("good", "良好", "Good", count_of("good"), "int"),
            C("fair", "一般", "Fair", count_of("fair"), "int"),
            C("poor", "较差", "Poor", count_of("poor"), "int"),
            C("share", "一般和较差占比", "Fair + poor share", ratio, "percent"),
            C("rule_triggered", "超过30%", "Over 30%", yes_no),
            C("mean_score", "平均分", "Mean score", ratio, "number"),
            C("grade", "等次", "Grade"),
            C("rank", "名次", "Rank", kind="int"),
            C("published", "已公布", "Published", yes_no),
            C("withheld_reason", "未公布原因", "Withheld because"),
        )),
        Spec("assessment", "年终考核", "Year-end assessment", (
            C("rank", "名次", "Rank", kind="int"),
            UNIT,
            C("total", "总分", "Total", ratio, "number"),
            C("evaluation", "评议得分", "Evaluation", ratio, "number"),
            C("ledger", "台账销号得分", "Ledger", ratio, "number"),
            C("complaints", "投诉办理得分", "Complaints", ratio, "number"),
            C("publicity", "信息报送得分", "Publicity", ratio, "number"),
            C("tests", "学习测试得分", "Tests", ratio, "number"),
            C("innovation", "制度创新得分", "Innovation", ratio, "number"),
            C("missing", "缺少的数据", "Missing inputs"),
        )),
    )
}  # fmt: skip


# -- the writers -----------------------------------------------------------------------


def cells(row: Row, spec: Spec, language: str) -> list[Cell]:
    return [c.format(row.get(c.key), row, language) for c in spec.columns]


def _text(value: Cell, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if kind == "percent" and isinstance(value, int | float):
        return f"{value:.2%}"
    return str(value)


def neutralise(text: str) -> str:
    """A text that a spreadsheet would take for a formula, made inert."""
    return "'" + text if text.startswith(DANGEROUS) else text


def to_csv(rows: Sequence[Row], spec: Spec, language: str = "zh-CN") -> bytes:
    """UTF-8 with a BOM, CRLF line ends, one header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(c.header(language)) for c in spec.columns])
    for row in rows:
        writer.writerow(
            # numbers are numbers: only text can smuggle a formula in
            value if isinstance(value, int | float) and c.kind != "percent"
            else neutralise(_text(value, c.kind))
            for c, value in zip(spec.columns, cells(row, spec, language), strict=True)
        )  # fmt: skip
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "percent": "0.00%",
    "number": "0.00",
}


def to_xlsx(rows: Sequence[Row], spec: Spec, language: str = "zh-CN") -> bytes:
    """One sheet: a bold, frozen header row with a filter, widths to fit."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = (spec.en if is_english(language) else spec.zh)[:31]
    widths = [_width(c.header(language)) for c in spec.columns]
    for col, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=col, value=column.header(language))
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for col, (column, value) in enumerate(
            zip(spec.columns, cells(row, spec, language), strict=True), start=1
        ):
            if isinstance(value, str):
                value = _ILLEGAL_XLSX.sub("", value)
            cell = sheet.cell(row=r, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif column.kind in NUMBER_FORMATS and value is not None:
                cell.number_format = NUMBER_FORMATS[column.kind]
            widths[col - 1] = max(widths[col - 1], _width(_text(value, column.kind)))
    for col, column in enumerate(spec.columns, start=1):
        wanted = column.width or min(max(widths[col - 1] + 2, 8), 60)
        sheet.column_dimensions[get_column_letter(col)].width = wanted
    sheet.freeze_panes = "A2"
    if spec.columns:
        last = get_column_letter(len(spec.columns))
        sheet.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 1)}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _width(text: str) -> int:
    """Display width: a CJK character is two columns wide."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


# -- the HTTP handler ------------------------------------------------------------------


def filename(spec: Spec, bureau: str | None, today: date, fmt: str) -> tuple[str, str]:
    """(ASCII fallback, UTF-8 name): `ledger-b01-2026-11-27.xlsx`,
    `问题台账-b01-2026-11-27.xlsx`."""
    tag = re.sub(r"[^A-Za-z0-9_.-]", "_", bureau or "all")
    return (
        f"{spec.name}-{tag}-{today.isoformat()}.{fmt}",
        f"{spec.zh}-{tag}-{today.isoformat()}.{fmt}",
    )


def content_disposition(ascii_name: str, utf8_name: str) -> str:
    """RFC 6266 with an RFC 5987 `filename*` for the Chinese name."""
    fallback = re.sub(r"[^A-Za-z0-9_.-]", "_", ascii_name)
    return (
        f'attachment; filename="{fallback}"; '
        f"filename*=UTF-8''{quote(utf8_name, safe='')}"
    )


def export(call: Call, fetch: Fetch, today: date | None = None) -> Response:
    """`GET /api/v1/exports/ledger.xlsx?overdue=true` -> the file, as an attachment.
    `call.values`: {"list_name": "ledger", "fmt": "xlsx"}."""
    spec = SPECS.get(call.values.get("list_name", ""))
    fmt = call.values.get("fmt", "")
    if spec is None or fmt not in ("csv", "xlsx"):
        raise errors.route_not_found(call.request.path)
    rows = fetch(spec.name, call)
    if fmt == "csv":
        data, mimetype = to_csv(rows, spec, call.language), CSV
    else:
        data, mimetype = to_xlsx(rows, spec, call.language), XLSX
    bureau = scope_of(call).bureau_id or "district"
    names = filename(spec, bureau, today or datetime.now(ZONE).date(), fmt)
    return Response(
        data,
        status=200,
        content_type=mimetype,
        headers={
            "Content-Disposition": content_disposition(*names),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "X-Export-Rows": str(len(rows)),
        },
    )


# -- the data --------------------------------------------------------------------------

Connect = Callable[[], AbstractContextManager[q.Connection]]
Query = Callable[..., q.Page]
QUERIES: dict[str, Query] = {
    "ledger": ledger_board,
    "complaints": complaint_queue,
    "publicity": publicity_compliance,
    "evaluation": evaluation_results,
}
# query parameters that are not the list's filters
RESERVED = frozenset({"list_name", "fmt", "cursor", "limit", "sort", "min_position"})
MAX_ROWS = 50_000
# (id column, name column the specs read, read-model table, its key)
NAMES = (
    ("unit_id", "unit_name", "org_units", "unit_id"),
    ("person_id", "person_name", "org_people", "person_id"),
    ("leader_id", "leader_name", "org_people", "person_id"),
    ("investigator_id", "investigator_name", "org_people", "person_id"),
    ("info_officer_id", "info_officer_name", "org_people", "person_id"),
)


def too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "export_too_large",
        f"导出超过 {limit} 行，请加筛选条件缩小范围",
        f"The export has more than {limit} rows; narrow it with filters",
        {"limit_rows": limit},
    )


class ReadModelFetch:
    """Every row of a list from the read models, in the caller's scope, with the
    names of the units and people it refers to; the year-end assessment by RPC.

    `connect`: a read-model connection (autocommit), e.g. the gateway's pool
    `sessions.pool.connection`."""

    def __init__(
        self, connect: Connect, max_rows: int = MAX_ROWS, page_size: int = q.MAX_LIMIT
    ) -> None:
        self.connect = connect
        self.max_rows = max_rows
        self.page_size = page_size

    def __call__(self, name: str, call: Call) -> list[dict[str, Any]]:
        if name == "assessment":
            return assessment_by_rpc(call)
        query = QUERIES[name]
        filters = {
            k: v for k, v in call.payload.items() if k not in RESERVED and v is not None
        }
        sort = call.payload.get("sort")
        rows: list[dict[str, Any]] = []
        with self.connect() as conn:
            cursor: str | None = None
            while True:
                page = query(
                    conn,
                    scope_of(call),
                    filters,
                    sort=sort,
                    cursor=cursor,
                    limit=self.page_size,
                )
                rows.extend(page.items)
                if len(rows) > self.max_rows:
                    raise too_large(self.max_rows)
                cursor = page.next_cursor
                if cursor is None:
                    break
            add_names(conn, rows)
        return rows


def scope_of(call: Call) -> q.Scope:
    """As the views scope (gateway.api.views): a district official who names no
    bureau (X-Bureau-Id) exports the whole district."""
    principal = call.principal
    if (
        principal is not None
        and principal.district
        and not call.request.headers.get("X-Bureau-Id")
    ):
        return q.Scope.district()
    return q.Scope(call.bureau_id)


def add_names(conn: q.Connection, rows: list[dict[str, Any]]) -> None:
    """Fill `unit_name`, `leader_name`, ... from the org chart's read model; an id
    the org chart does not know (yet) stays an id."""
    for id_key, name_key, table, key in NAMES:
        ids = sorted({str(r[id_key]) for r in rows if r.get(id_key)})
        if not ids:
            continue
        query = sql.SQL("SELECT {}, name FROM {} WHERE {} = ANY(%s)").format(
            sql.Identifier(key), q.table(table), sql.Identifier(key)
        )
        try:
            found = dict(conn.execute(query, (ids,)).fetchall())
        except psycopg.Error:  # no org chart projection here: ids will do
            return
        for row in rows:
            if row.get(id_key) in found:
                row[name_key] = found[row[id_key]]


def assessment_by_rpc(call: Call) -> list[dict[str, Any]]:
    """The year-end assessment, computed by the evaluation service on request
    (`assess_units`: the figures as they stand now, not the table last published,
    which is the `assessment` read model): one row per unit, its rank, total and
    each input's part."""
    year = call.payload.get("year") or datetime.now(ZONE).year
    try:
        wanted = int(year)
    except ValueError:
        raise errors.bad_request(
            "invalid_input",
            "year 须为年份",
            "year must be a year",
            fields={"year": "not_a_number"},
        ) from None
    answer = call.caller("evaluation", "assess_units", {"year": wanted}, call.context)
    rows = []
    for unit in answer.get("units") or []:
        inputs = unit.get("inputs") if isinstance(unit.get("inputs"), dict) else {}
        row = {
            "unit_id": unit.get("unit_id"),
            "rank": unit.get("rank"),
            "total": unit.get("score"),
            "missing": "、".join(unit.get("missing") or []),
        }
        for name, given in inputs.items():
            row[name] = given.get("part") if isinstance(given, dict) else None
        rows.append(row)
    return rows
