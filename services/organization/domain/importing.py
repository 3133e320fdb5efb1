"""Planning an org-chart import: every row checked against the chart before any write.

`plan_import(rows, chart)` runs the domain commands that the workbook implies on the
aggregates of `chart` and returns either every problem found (sheet, row, column,
reason; nothing is to be written) or the events to append, grouped in phases so that
bureaus are written before their units, units before their people, and people before
the posts and memberships that name them. Rows that match the chart raise no events,
so importing the same workbook twice writes nothing the second time.

The workbook is authoritative for the rows it has: a person's flags (committee, leading
group, office) are set to what the row says. Nothing absent from the workbook is
removed: people leave, and liaisons end, by explicit command.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from eventing.aggregate import Aggregate
from services.common.errors import DomainError, reason_text
from services.common.validation import Check
from services.organization.domain.chart import OrgChart
from services.organization.domain.model import (
    Constituency,
    LeadingGroupRole,
    Position,
    UnitKind,
)
from services.organization.domain.person import person_id_for
from services.organization.domain.unit import unit_id_for
from services.organization.domain.workbook import (
    NO,
    WORDS,
    YES,
    RowError,
    Rows,
    cell_text,
    column_title,
)


@dataclass
class ImportPlan:
    """Either errors, or the events to append phase by phase."""

    errors: list[RowError] = field(default_factory=list)
    phases: list[list[tuple[Aggregate, int, int]]] = field(default_factory=list)
    rows: int = 0

    @property
    def event_count(self) -> int:
        return sum(end - start for phase in self.phases for _, start, end in phase)


class _Planner:
    def __init__(self, chart: OrgChart) -> None:
        self.chart = chart
        self.errors: list[RowError] = []
        self.marks: dict[int, int] = {}  # id(aggregate) -> pending count at last cut
        self.phases: list[list[tuple[Aggregate, int, int]]] = []
        self.persons_in_sheet: dict[tuple[str, str], int] = {}

    # -- error helpers -----------------------------------------------------------------

    def field_errors(self, sheet: str, row: int, check: Check) -> bool:
        for column, reason in check.fields.items():
            self.errors.append(
                RowError(
                    sheet,
                    row,
                    column,
                    reason,
                    f"{column_title(sheet, column)}{reason_text(reason, 'zh-CN')}",
                    f"{column} {reason_text(reason, 'en')}",
                )
            )
        return bool(check.fields)

    @contextlib.contextmanager
    def rule(self, sheet: str, row: int, column: str) -> Iterator[None]:
        """Run domain commands; a rule they break becomes this cell's error."""
        try:
            yield
        except DomainError as error:
            self.errors.append(
                RowError(
                    sheet,
                    row,
                    column,
                    error.code,
                    error.message("zh-CN"),
                    error.message("en"),
                )
            )

    def cut(self) -> None:
        """Close a phase: the events raised since the last cut are written together."""
        phase = []
        for aggregate in self.chart.aggregates():
            count = len(aggregate.pending())
            start = self.marks.get(id(aggregate), 0)
            if count > start:
                phase.append((aggregate, start, count))
                self.marks[id(aggregate)] = count
        self.phases.append(phase)

    # -- cell readers ------------------------------------------------------------------

    @staticmethod
    def word(kind: str, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return WORDS.get(kind, {}).get(value, value)
        return value

    @staticmethod
    def yes_no(check: Check, column: str, value: Any) -> bool:
        text = "" if value is None else str(value).strip().lower()
        if text in YES:
            return True
        if text not in NO:
            check.fail(column, "not_allowed")
        return False

    def known_bureau(self, check: Check, code: str) -> bool:
        if not code:
            return False
        bureau = self.chart.bureaus.get(code)
        if bureau is None or not bureau.registered:
            check.fail("bureau_code", "unknown")
            return False
        return True

    def known_person(self, bureau: str, employee_no: str) -> bool:
        person = self.chart.people.get(person_id_for(bureau, employee_no))
        return person is not None and person.registered

    # -- sheets ------------------------------------------------------------------------

    def bureaus(self, rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
        seen: set[str] = set()
        for row, cells in rows:
            check = Check()
            code = check.identifier("bureau_code", cells.get("bureau_code"))
            name = check.text("name", cells.get("name"), max_len=100)
            district = check.identifier("district", cells.get("district"))
            if code in seen:
                check.fail("bureau_code", "duplicate")
            seen.add(code)
            if self.field_errors("bureaus", row, check):
                continue
            bureau = self.chart.bureau(code)
            if bureau.registered:
                with self.rule("bureaus", row, "name"):
                    bureau.rename(name)
            else:
                with self.rule("bureaus", row, "bureau_code"):
                    bureau.register(district, name)

    def units(self, rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
        seen: set[str] = set()
        for row, cells in rows:
            check = Check()
            bureau = check.identifier("bureau_code", cells.get("bureau_code"))
            code = check.identifier("unit_code", cells.get("unit_code"))
            name = check.text("name", cells.get("name"), max_len=100)
            kind = check.choice("kind", self.word("kind", cells.get("kind")), UnitKind)
            window = self.yes_no(check, "service_window", cells.get("service_window"))
            self.known_bureau(check, bureau)
            unit_id = unit_id_for(bureau, code)
            if unit_id in seen:
                check.fail("unit_code", "duplicate")
            seen.add(unit_id)
            if self.field_errors("units", row, check) or kind is None:
                continue
            unit = self.chart.unit(unit_id)
            if unit.registered:
                with self.rule("units", row, "name"):
                    unit.change_details(name, kind, window)
            else:
                with self.rule("units", row, "unit_code"):
                    unit.register(bureau, code, name, kind, window)

    def people(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        for row, cells in rows:
            check = Check()
            bureau = check.identifier("bureau_code", cells.get("bureau_code"))
            number = check.identifier("employee_no", cells.get("employee_no"))
            name = check.text("name", cells.get("name"), max_len=50)
            unit_code = check.identifier("unit_code", cells.get("unit_code"))
            position = check.choice(
                "position", self.word("position", cells.get("position")), Position
            )
            phone = check.phone("phone", cells.get("phone"), required=False)
            self.yes_no(check, "committee", cells.get("committee"))
            self.yes_no(check, "office", cells.get("office"))
            group = self.word("leading_group", cells.get("leading_group"))
            if group not in (None, ""):
                check.choice("leading_group", group, LeadingGroupRole)
            if self.known_bureau(check, bureau):
                unit = self.chart.units.get(unit_id_for(bureau, unit_code))
                if unit_code and (unit is None or not unit.registered):
                    check.fail("unit_code", "unknown")
            key = (bureau, number)
            if key in self.persons_in_sheet:
                check.fail("employee_no", "duplicate")
            self.persons_in_sheet[key] = row
            if self.field_errors("people", row, check) or position is None:
                continue
            person = self.chart.person(person_id_for(bureau, number))
            unit = self.chart.unit(unit_id_for(bureau, unit_code))
            if not person.registered:
                with self.rule("people", row, "employee_no"):
                    person.register(unit, number, name, position, phone)
                continue

            with self.rule("people", row, "unit_code"):
                person.change_details(name, phone)
                if person.unit_id != unit.id:
                    self.chart.unit(person.unit_id).release(person.id)
                    person.transfer(unit)
                person.change_position(position)

    def unit_posts(self, rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
        for row, cells in rows:
            bureau = _code(cells, "bureau_code")
            unit = self.chart.units.get(unit_id_for(bureau, _code(cells, "unit_code")))
            if unit is None or not unit.registered:
                continue  # already reported
            check = Check()
            head = check.identifier("head", cells.get("head"), required=False)
            officer = check.identifier(
                "info_officer", cells.get("info_officer"), required=False
            )
            hotline = check.phone("hotline", cells.get("hotline"), required=False)
            answerer = check.identifier(
                "hotline_answerer",
                cells.get("hotline_answerer"),
                required=False,
            )
            if hotline and not answerer:
                check.fail("hotline_answerer", "required")
            for column, number in (
                ("head", head),
                ("info_officer", officer),
                ("hotline_answerer", answerer),
            ):
                if number and not self.known_person(bureau, number):
                    check.fail(column, "unknown")
            if self.field_errors("units", row, check):
                continue
            if head:
                person = self.chart.person(person_id_for(bureau, head))
                with self.rule("units", row, "head"):
                    unit.appoint_head(person, replace=True)
            if officer:
                person = self.chart.person(person_id_for(bureau, officer))
                with self.rule("units", row, "info_officer"):
                    unit.appoint_info_officer(person)
            if hotline:
                person = self.chart.person(person_id_for(bureau, answerer))
                with self.rule("units", row, "hotline"):
                    unit.publish_hotline(hotline, person)

    def memberships(self, rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
        for row, cells in rows:
            bureau_id = _code(cells, "bureau_code")
            person = self.chart.people.get(
                person_id_for(bureau_id, _code(cells, "employee_no"))
            )
            bureau = self.chart.bureaus.get(bureau_id)
            if person is None or not person.registered or bureau is None:
                continue
            scratch = Check()
            committee = self.yes_no(scratch, "committee", cells.get("committee"))
            office = self.yes_no(scratch, "office", cells.get("office"))
            group = self.word("leading_group", cells.get("leading_group"))
            if committee:
                with self.rule("people", row, "committee"):
                    bureau.add_committee_member(person)
            else:
                with self.rule("people", row, "committee"):
                    bureau.remove_committee_member(person.id)
            if office:
                with self.rule("people", row, "office"):
                    bureau.add_office_member(person)
            else:
                with self.rule("people", row, "office"):
                    bureau.remove_office_member(person.id)
            if group:
                role = LeadingGroupRole(group)
                with self.rule("people", row, "leading_group"):
                    bureau.set_leading_group_member(person, role)
            else:
                with self.rule("people", row, "leading_group"):
                    bureau.remove_leading_group_member(person.id)

    def liaisons(self, rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
        for row, cells in rows:
            check = Check()
            bureau_id = check.identifier("bureau_code", cells.get("bureau_code"))
            member_no = check.identifier("member", cells.get("member"))
            unit_code = check.identifier("unit_code", cells.get("unit_code"))
            if self.known_bureau(check, bureau_id):
                if member_no and not self.known_person(bureau_id, member_no):
                    check.fail("member", "unknown")
                unit = self.chart.units.get(unit_id_for(bureau_id, unit_code))
                if unit_code and (unit is None or not unit.registered):
                    check.fail("unit_code", "unknown")
            if self.field_errors("liaisons", row, check):
                continue
            bureau = self.chart.bureau(bureau_id)
            member = self.chart.person(person_id_for(bureau_id, member_no))
            unit = self.chart.unit(unit_id_for(bureau_id, unit_code))
            with self.rule("liaisons", row, "member"):
                bureau.assign_liaison(member, unit)

    def evaluators(self, rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
        seen: set[tuple[str, str]] = set()
        for row, cells in rows:
            check = Check()
            bureau_id = check.identifier("bureau_code", cells.get("bureau_code"))
            evaluator_id = check.identifier("evaluator_id", cells.get("evaluator_id"))
            name = check.text("name", cells.get("name"), max_len=50)
            constituency = check.choice(
                "constituency",
                self.word("constituency", cells.get("constituency")),
                Constituency,
            )
            organisation = check.text(
                "organisation", cells.get("organisation"), max_len=100, required=False
            )
            self.known_bureau(check, bureau_id)
            if (bureau_id, evaluator_id) in seen:
                check.fail("evaluator_id", "duplicate")
            seen.add((bureau_id, evaluator_id))
            if self.field_errors("evaluators", row, check) or constituency is None:
                continue
            bureau = self.chart.bureau(bureau_id)
            with self.rule("evaluators", row, "evaluator_id"):
                bureau.register_evaluator(
                    evaluator_id, name, constituency, organisation
                )


def _code(cells: dict[str, Any], key: str) -> str:
    value = cells.get(key)
    return value if isinstance(value, str) else ""


# Columns that hold codes or numbers: a cell typed as 1001 must read as "1001".
NUMBER_LIKE = (
    "bureau_code",
    "unit_code",
    "employee_no",
    "member",
    "evaluator_id",
    "head",
    "info_officer",
    "hotline",
    "hotline_answerer",
    "phone",
)


def plan_import(rows: Rows, chart: OrgChart) -> ImportPlan:
    """Check every row and raise the implied events on `chart`'s aggregates."""
    for sheet_rows in rows.values():
        for _, cells in sheet_rows:
            for key in NUMBER_LIKE:
                if key in cells:
                    cells[key] = cell_text(cells[key]) or None
    planner = _Planner(chart)
    planner.bureaus(rows.get("bureaus", []))
    planner.cut()
    planner.units(rows.get("units", []))
    planner.cut()
    planner.people(rows.get("people", []))
    planner.cut()
    planner.unit_posts(rows.get("units", []))
    planner.memberships(rows.get("people", []))
    planner.liaisons(rows.get("liaisons", []))
    planner.evaluators(rows.get("evaluators", []))
    planner.cut()
    total = sum(len(r) for r in rows.values())
    if planner.errors:
        return ImportPlan(errors=planner.errors, rows=total)
    return ImportPlan(phases=[p for p in planner.phases if p], rows=total)
