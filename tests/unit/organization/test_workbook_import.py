"""Importing .xlsx workbooks: realistic, all-or-nothing, idempotent, exportable."""

from __future__ import annotations

import copy

import pytest

from services.organization.domain.errors import ImportInvalid
from services.organization.handlers import OrganizationHandlers
from services.organization.samples import sample_rows, write_rows
from services.organization.xlsx import export_chart, read_workbook, template


class TestReadingWorkbooks:
    def test_the_template_reads_as_an_empty_workbook(self):
        assert all(rows == [] for rows in read_workbook(template()).values())

    def test_a_file_that_is_not_a_workbook_is_refused_clearly(self):
        with pytest.raises(ImportInvalid) as raised:
            read_workbook(b"PK\x03\x04 but not really a zip")
        [row] = raised.value.details["rows"]
        assert row["message_zh"] == "不是有效的 .xlsx 文件"

    def test_rows_come_back_with_their_excel_row_numbers(self):
        rows = sample_rows(units=2, people_per_unit=3)
        read = read_workbook(write_rows(rows))
        assert [n for n, _ in read["people"]] == [2, 3, 4, 5, 6, 7]
        assert read["units"][0][1]["head"] == "001001"


class TestImportingABureau:
    def test_a_bureau_of_20_units_and_300_people_imports_whole(self, org, zjj):
        rows = sample_rows(bureaus=1, units=20, people_per_unit=15, seed=3)
        b01 = type(zjj)(bureau_id="b01", actor="admin")
        result = org.import_chart(read_workbook(write_rows(rows)), b01)
        assert result["rows"] == 1 + 20 + 300 + 20 + 10
        chart = org.chart(["b01"])
        assert len(chart.units_of("b01")) == 20
        assert len(chart.people_of("b01")) == 300
        assert all(u.head_id and u.info_officer_id for u in chart.units_of("b01"))
        assert len(chart.bureaus["b01"].committee) == 7

    def test_importing_the_same_workbook_twice_writes_nothing_new(self, org, store):
        rows = sample_rows(units=5, people_per_unit=6)
        ctx = _ctx("b01")
        data = write_rows(rows)
        org.import_chart(read_workbook(data), ctx)
        head = store.head()
        result = org.import_chart(read_workbook(data), ctx)
        assert result["events"] == 0
        assert store.head() == head

    def test_one_bad_row_means_nothing_is_imported(self, org, store):
        rows = sample_rows(units=5, people_per_unit=6)
        broken = copy.deepcopy(rows)
        broken["people"][9][1]["position"] = "chairman"  # plain staff: no cascade
        with pytest.raises(ImportInvalid) as raised:
            org.import_chart(read_workbook(write_rows(broken)), _ctx("b01"))
        [problem] = raised.value.details["rows"]
        assert (problem["sheet"], problem["row"], problem["column"]) == (
            "人员",
            11,
            "职务",
        )
        assert store.head() == 0

    def test_a_bureau_may_import_only_its_own_rows(self, org, store):
        rows = sample_rows(bureaus=2, units=2, people_per_unit=2)
        with pytest.raises(ImportInvalid) as raised:
            org.import_chart(rows, _ctx("b01"))
        assert raised.value.details["rows"][0]["reason"] == "other_bureau"
        assert store.head() == 0

    def test_an_import_that_loses_a_race_to_the_same_import_converges(self, org, store):
        rows = sample_rows(units=3, people_per_unit=4)
        ctx = _ctx("b01")
        real_append = store.append
        raced = {"done": False}

        def append_after_a_rival(*args, **kwargs):  # type: ignore[no-untyped-def]
            if not raced["done"]:  # a redelivered request runs the same import first
                raced["done"] = True
                rival = OrganizationHandlers(store, org.clock, org.hasher)
                rival.import_chart(sample_rows(units=3, people_per_unit=4), ctx)
            return real_append(*args, **kwargs)

        store.append = append_after_a_rival
        result = org.import_chart(rows, ctx)
        assert result["events"] == 0  # everything was already there on the re-plan
        assert len(org.chart(["b01"]).people_of("b01")) == 12

    def test_an_exported_chart_imports_as_no_change(self, org):
        ctx = _ctx("b01")
        org.import_chart(sample_rows(units=4, people_per_unit=5), ctx)
        exported = export_chart(org.export_chart(ctx), ["b01"])
        assert org.import_chart(read_workbook(exported), ctx)["events"] == 0


def _ctx(bureau: str):  # type: ignore[no-untyped-def]
    from eventing.aggregate import CommandContext

    return CommandContext(bureau_id=bureau, actor="admin")


class TestTheCommittedTemplate:
    def test_it_has_every_sheet_and_column_the_importer_reads(self):
        import openpyxl

        from services.organization.domain.workbook import SHEETS
        from services.organization.xlsx import TEMPLATE_PATH

        book = openpyxl.load_workbook(TEMPLATE_PATH, read_only=True)
        for key, (title, columns) in SHEETS.items():
            header = next(book[title].iter_rows(values_only=True))
            assert list(header) == [
                f"{label} ({column})" for column, label in columns
            ], key
