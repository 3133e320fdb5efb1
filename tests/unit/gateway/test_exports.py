"""Exports of the office's lists: CSV and .xlsx content, safety, the handler."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote

import psycopg
import pytest
from openpyxl import load_workbook
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from eventing.store.memory import MemoryEventStore
from gateway.api.app import Api, Call
from gateway.api.auth import Principal, TokenSigner
from gateway.api.catalogue import routes
from gateway.api.catalogue.base import DISTRICT, OFFICE, local
from gateway.api.errors import ApiError
from gateway.api.routes import Route, Router
from gateway.exports import (
    SPECS,
    XLSX,
    ReadModelFetch,
    Spec,
    add_names,
    assessment_by_rpc,
    content_disposition,
    export,
    scope_of,
    to_csv,
    to_xlsx,
)
from gateway.projector import projections
from services.common.errors import InvalidInput
from tests.unit.gateway import builders as b
from tests.unit.gateway.projecting import catch_up


def ledger_row(**fields: Any) -> dict[str, Any]:
    return {
        "item_id": uuid.uuid4().hex,
        "bureau_id": "b01",
        "unit_id": "b01.u002",
        "unit_name": "政务服务窗口",
        "level": "unit",
        "category": "slow",
        "check_dimension": None,
        "source": "spot_check",
        "reference": "抽查-2026-01",
        "description": "窗口审批环节多",
        "first_found_on": "2026-01-05",
        "leader_id": "b01.001001",
        "leader_name": "王建国",
        "deadline": "2026-03-31",
        "measures": 2,
        "status": "open",
        "overdue": True,
        "overdue_days": 12,
        "escalation_level": 1,
        "verified_on": None,
        **fields,
    }


def complaint_row(**fields: Any) -> dict[str, Any]:
    return {
        "complaint_id": uuid.uuid4().hex,
        "received_at": "2026-03-02T01:30:45+00:00",
        "channel": "hotline",
        "unit_id": "b01.u001",
        "category": "lax",
        "status": "investigating",
        "current_due": "2026-03-20",
        "overdue": False,
        "days_overdue": 0,
        "outcome": None,
        **fields,
    }


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))


def read_xlsx(data: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


class TestCsv:
    def test_a_ledger_export_has_a_bom_chinese_headers_and_chinese_labels(self):
        rows = read_csv(to_csv([ledger_row()], SPECS["ledger"]))
        header, line = rows
        assert header[:3] == ["台账编号", "单位", "层级"]
        record = dict(zip(header, line, strict=True))
        assert record["单位"] == "政务服务窗口"
        assert record["问题类别"] == "慢"
        assert record["问题来源"] == "抽查"
        assert record["挂名督办领导"] == "王建国"
        assert record["整改时限"] == "2026-03-31"
        assert (record["状态"], record["是否逾期"], record["逾期天数"]) == (
            "整改中",
            "是",
            "12",
        )
        assert record["销号日期"] == ""

    def test_english_headers_and_labels_when_asked(self):
        header, line = read_csv(to_csv([ledger_row()], SPECS["ledger"], "en"))
        record = dict(zip(header, line, strict=True))
        assert (record["Category"], record["Overdue"]) == ("slow", "yes")

    @pytest.mark.parametrize(
        "text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    )
    def test_a_cell_that_looks_like_a_formula_is_made_inert(self, text):
        header, line = read_csv(to_csv([ledger_row(description=text)], SPECS["ledger"]))
        assert line[header.index("问题描述")] == "'" + text

    def test_numbers_and_harmless_text_are_left_alone(self):
        header, line = read_csv(
            to_csv(
                [ledger_row(description="正常 = 描述", overdue_days=-1)],
                SPECS["ledger"],
            )
        )
        assert line[header.index("问题描述")] == "正常 = 描述"
        assert line[header.index("逾期天数")] == "-1"

    def test_commas_quotes_and_newlines_survive_a_round_trip(self):
        text = '第一行，"引号", comma,\n第二行'
        header, line = read_csv(to_csv([ledger_row(description=text)], SPECS["ledger"]))
        assert line[header.index("问题描述")] == text

    def test_a_received_instant_is_shown_in_the_bureaus_local_time(self):
        header, line = read_csv(to_csv([complaint_row()], SPECS["complaints"]))
        assert line[header.index("登记时间")] == "2026-03-02 09:30"


class TestComplaintsCarryNoReporterData:
    def test_only_the_specs_columns_are_written_whatever_the_row_holds(self):
        row = complaint_row(
            reporter_name="张三",
            reporter_contact="13800000000",
            anonymous=False,
            description="举报人张三反映",
        )
        csv_data = to_csv([row], SPECS["complaints"])
        xlsx_data = to_xlsx([row], SPECS["complaints"])
        for secret in ("张三", "13800000000"):
            assert secret not in csv_data.decode("utf-8-sig")
            assert all(secret not in str(v) for r in read_xlsx(xlsx_data) for v in r)
        keys = {c.key for c in SPECS["complaints"].columns}
        assert not keys & {
            "reporter_name",
            "reporter_contact",
            "anonymous",
            "description",
        }

    def test_the_queue_columns_are_the_offices(self):
        headers = [c.zh for c in SPECS["complaints"].columns]
        for wanted in ("渠道", "单位", "办理状态", "当前时限", "调查结论", "问责方式"):
            assert wanted in headers


class TestXlsx:
    def test_a_workbook_round_trips_with_a_bold_frozen_header(self):
        rows = [ledger_row(), ledger_row(status="closed", verified_on="2026-03-01")]
        data = to_xlsx(rows, SPECS["ledger"])
        book = load_workbook(io.BytesIO(data))
        sheet = book.active
        assert sheet is not None
        assert sheet.title == "问题台账"
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        values = read_xlsx(data)
        assert values[0][1] == "单位"
        keys = [c.key for c in SPECS["ledger"].columns]
        assert values[1][keys.index("deadline")] == datetime(2026, 3, 31)
        assert values[2][keys.index("status")] == "已销号"
        assert sheet.column_dimensions["I"].width == 50  # the description column
        assert sheet.column_dimensions["B"].width >= 8

    def test_a_formula_looking_text_is_a_string_cell_never_a_formula(self):
        data = to_xlsx([ledger_row(description="=1+1")], SPECS["ledger"])
        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet is not None
        cell = sheet.cell(row=2, column=9)
        assert (cell.value, cell.data_type) == ("=1+1", "s")

    def test_control_characters_do_not_break_the_workbook(self):
        data = to_xlsx([ledger_row(description="a\x00b\x1bc")], SPECS["ledger"])
        assert read_xlsx(data)[1][8] == "abc"

    def test_numbers_dates_and_percentages_are_typed_cells(self):
        row = {
            "year": 2026,
            "round_kind": "leadership",
            "subject_kind": "team",
            "unit_id": "b01.u001",
            "valid": 20,
            "counts": {"excellent": 8, "good": 5, "fair": 4, "poor": 3},
            "share": "7/20",
            "rule_triggered": True,
            "mean_score": None,
            "published": True,
        }
        data = to_xlsx([row], SPECS["evaluation"])
        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet is not None
        header = [c.value for c in sheet[1]]
        line = {h: c for h, c in zip(header, sheet[2], strict=True)}
        assert line["优秀"].value == 8 and line["较差"].value == 3
        assert line["一般和较差占比"].value == pytest.approx(0.35)
        assert line["一般和较差占比"].number_format == "0.00%"
        assert line["超过30%"].value == "是"
        csv_line = read_csv(to_csv([row], SPECS["evaluation"]))[1]
        assert "35.00%" in csv_line

    def test_an_empty_list_is_a_header_only_workbook(self):
        for spec in SPECS.values():
            assert len(read_xlsx(to_xlsx([], spec))) == 1
            assert len(read_csv(to_csv([], spec))) == 1


# -- the handler -------------------------------------------------------------------


def a_call(
    list_name: str, fmt: str, caller: Any = None, bureau: str = "b01", **args: str
) -> Call:
    path = f"/api/v1/exports/{list_name}.{fmt}"
    request = Request(EnvironBuilder(path=path, query_string=args).get_environ())
    route = Route("GET", "/exports/{list_name}.{fmt}", "export", "", "exports", None)
    return Call(
        request,
        route,
        {"list_name": list_name, "fmt": fmt},
        None,
        bureau,
        {**args, "list_name": list_name, "fmt": fmt},
        {"bureau_id": bureau, "actor": "account:office01"},
        "zh-CN",
        caller or (lambda *a: {}),
    )


class TestTheHandler:
    def test_an_export_is_an_attachment_with_a_utf8_chinese_filename(self):
        asked: list[str] = []

        def fetch(name: str, call: Call) -> list[dict[str, Any]]:
            asked.append(name)
            return [ledger_row()]

        response = export(a_call("ledger", "xlsx"), fetch, today=date(2026, 11, 27))
        assert response.status_code == 200
        assert asked == ["ledger"]
        assert response.mimetype.endswith("spreadsheetml.sheet")
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith(
            'attachment; filename="ledger-b01-2026-11-27.xlsx"'
        )
        encoded = disposition.split("filename*=UTF-8''", 1)[1]
        assert unquote(encoded) == "问题台账-b01-2026-11-27.xlsx"
        assert encoded.isascii()
        assert response.headers["X-Export-Rows"] == "1"
        assert read_xlsx(response.get_data())[0][0] == "台账编号"

    def test_a_district_official_naming_no_bureau_exports_the_district(self):
        call = a_call("ledger", "csv")
        call.principal = Principal("d", "b01", frozenset({"district_official"}))
        assert scope_of(call).bureau_id is None
        response = export(call, lambda n, c: [], today=date(2026, 11, 27))
        assert (
            'filename="ledger-district-2026-11-27.csv"'
            in (response.headers["Content-Disposition"])
        )
        call.principal = Principal("o", "b01", frozenset({"leading_group_office"}))
        assert scope_of(call).bureau_id == "b01"

    def test_csv_is_served_as_utf8_text(self):
        response = export(a_call("complaints", "csv"), lambda n, c: [complaint_row()])
        assert response.mimetype == "text/csv"
        assert response.get_data().startswith(b"\xef\xbb\xbf")

    @pytest.mark.parametrize("list_name,fmt", [("ballots", "csv"), ("ledger", "pdf")])
    def test_an_unknown_list_or_format_is_404(self, list_name, fmt):
        with pytest.raises(ApiError) as raised:
            export(a_call(list_name, fmt), lambda n, c: [])
        assert raised.value.status == 404

    def test_a_filename_cannot_carry_a_header_injection(self):
        header = content_disposition('a"b\r\n.csv', "问题\r\n台账.csv")
        assert "\r" not in header and "\n" not in header.split("filename*=")[1]

    def test_every_spec_has_unique_keys_and_both_headers(self):
        for spec in SPECS.values():
            assert isinstance(spec, Spec)
            keys = [c.key for c in spec.columns]
            assert len(keys) == len(set(keys))
            assert all(c.zh and c.en for c in spec.columns)


class TestTheAssessmentByRpc:
    def test_the_assessment_asks_the_evaluation_service_and_flattens_inputs(self):
        seen: list[tuple[str, str, dict[str, Any]]] = []

        def caller(service: str, method: str, payload: dict[str, Any], ctx: Any):
            seen.append((service, method, payload))
            return {
                "units": [
                    {
                        "unit_id": "b01.u001",
                        "rank": 1,
                        "score": "87/1",
                        "missing": ["publicity"],
                        "inputs": {
                            "ledger": {"part": "45/2", "weight": "1/4"},
                            "publicity": {"part": None, "weight": "1/10"},
                        },
                    }
                ]
            }

        rows = assessment_by_rpc(a_call("assessment", "csv", caller, year="2026"))
        assert seen == [("evaluation", "assess_units", {"year": 2026})]
        header, line = read_csv(to_csv(rows, SPECS["assessment"]))
        record = dict(zip(header, line, strict=True))
        assert (record["总分"], record["台账销号得分"]) == ("87.0", "22.5")
        assert record["缺少的数据"] == "publicity"

    def test_a_year_that_is_not_a_number_is_400(self):
        with pytest.raises(ApiError) as raised:
            assessment_by_rpc(
                a_call("assessment", "xlsx", lambda *a: {}, year="twenty")
            )
        assert raised.value.status == 400


class FakeConnection:
    """Answers the name lookups; the org chart knows one unit and one person."""

    def __init__(self) -> None:
        self.names = {"b01.u002": "政务服务窗口", "b01.001001": "王建国"}

    def execute(self, query: Any, params: tuple[list[str]]) -> FakeConnection:
        self.found = [(i, self.names[i]) for i in params[0] if i in self.names]
        return self

    def fetchall(self) -> list[tuple[str, str]]:
        return self.found


def test_names_are_added_for_the_ids_the_org_chart_knows():
    rows = [
        ledger_row(unit_name=None, leader_name=None),
        ledger_row(
            unit_id="b01.u404", unit_name=None, leader_id=None, leader_name=None
        ),
    ]
    add_names(FakeConnection(), rows)  # type: ignore[arg-type]
    assert (rows[0]["unit_name"], rows[0]["leader_name"]) == ("政务服务窗口", "王建国")
    assert rows[1]["unit_name"] is None
    header, _, second = read_csv(to_csv(rows, SPECS["ledger"]))
    assert second[header.index("单位")] == "b01.u404"


@pytest.mark.integration
class TestFetchingFromTheReadModels:
    def test_every_page_of_the_callers_bureau_is_read_with_unit_names(
        self, readmodel_db
    ):
        store = MemoryEventStore()
        b.unit(store, "zjj", "u1")
        ours = {b.ledger_item(store, "zjj", "zjj.u1").id for _ in range(5)}
        b.ledger_item(store, "zjj", "zjj.u1", state="closed")
        b.ledger_item(store, "jtj", "jtj.u1")
        catch_up(store, readmodel_db, *projections())
        fetch = ReadModelFetch(
            lambda: psycopg.connect(readmodel_db, autocommit=True), page_size=2
        )
        rows = fetch("ledger", a_call("ledger", "csv", bureau="zjj", status="open"))
        assert {row["item_id"] for row in rows} == ours
        assert {row["unit_name"] for row in rows} == {"u1 科"}
        header, *lines = read_csv(to_csv(rows, SPECS["ledger"]))
        assert {line[header.index("单位")] for line in lines} == {"u1 科"}

    def test_a_list_past_the_row_limit_is_refused_not_cut(self, readmodel_db):
        store = MemoryEventStore()
        for _ in range(3):
            b.ledger_item(store, "zjj", "zjj.u1")
        catch_up(store, readmodel_db, *projections())
        fetch = ReadModelFetch(
            lambda: psycopg.connect(readmodel_db, autocommit=True),
            max_rows=2,
            page_size=2,
        )
        with pytest.raises(ApiError) as raised:
            fetch("ledger", a_call("ledger", "xlsx", bureau="zjj"))
        assert raised.value.status == 413

    def test_a_bad_filter_is_the_querys_own_invalid_input(self, readmodel_db):
        catch_up(MemoryEventStore(), readmodel_db, *projections())
        fetch = ReadModelFetch(lambda: psycopg.connect(readmodel_db, autocommit=True))
        with pytest.raises(InvalidInput):
            fetch("complaints", a_call("complaints", "csv", bureau="zjj", colour="red"))


class TestThroughTheDispatcher:
    """The route the catalogue is to declare, through the real Api (no sessions)."""

    class NoRevocations:
        def is_revoked(self, token_id: str) -> bool:
            return False

    def answer(self, roles: set[str], path: str) -> Any:
        route = local(
            "GET",
            "/exports/{list_name}.{fmt}",
            "export",
            OFFICE | DISTRICT,
            "导出清单 — Export a list",
            tag="exports",
            media=(XLSX, "text/csv"),
        )
        table = routes()
        if not any(r.operation_id == "export" for r in table):  # not wired yet
            table.append(route)
        signer = TokenSigner(b"k" * 32)
        api = Api(
            Router(table),
            self.NoRevocations(),  # type: ignore[arg-type]
            signer,
            locals_={"export": lambda call: export(call, lambda n, c: [ledger_row()])},
        )
        token, _ = signer.issue(Principal("office01", "b01", frozenset(roles)))
        environ = EnvironBuilder(
            path=path, headers={"Authorization": f"Bearer {token}"}
        ).get_environ()
        return api.handle(Request(environ), lambda *a: {})

    def test_the_office_gets_the_file(self):
        response = self.answer({"leading_group_office"}, "/api/v1/exports/ledger.xlsx")
        assert response.status_code == 200
        assert read_xlsx(response.get_data())[1][1] == "政务服务窗口"

    def test_other_roles_are_refused(self):
        response = self.answer({"staff"}, "/api/v1/exports/ledger.csv")
        assert response.status_code == 403

    def test_an_unknown_list_is_the_apis_404(self):
        response = self.answer({"leading_group_office"}, "/api/v1/exports/x.csv")
        assert response.status_code == 404
