"""Study tests: a closed-book test per unit, scores entered or imported from .xlsx,
spot checks, the unit summary and the flag for a notice of criticism."""

from __future__ import annotations

import io
from fractions import Fraction

import openpyxl

from eventing.aggregate import CommandContext
from services.common.errors import InvalidInput, NotFound
from services.common.validation import not_after
from services.evaluation import commands as c
from services.evaluation import views
from services.evaluation.domain import StudyTest
from services.evaluation.domain.events import StudyTestHeld
from services.evaluation.handlers.base import Answer, EvaluationBase

DEFAULT_TESTS = {"pass_mark": 60, "criticism_below_mean": 70}


class StudyHandlers(EvaluationBase):
    """Hold a test, record scores, spot-check, summarise."""

    def _rules(self, bureau: str, year: int) -> dict[str, object]:
        return {**DEFAULT_TESTS, **(self.settings(bureau, year).get("tests") or {})}

    def hold_study_test(self, cmd: c.HoldStudyTest, ctx: CommandContext) -> Answer:
        bureau = self.bureau_of(ctx)
        actor = self.actor_of(ctx)
        if self.org.unit(bureau, cmd.unit_id) is None:
            raise InvalidInput(fields={"unit_id": "unknown"})
        not_after(self.today(), held_on=cmd.held_on)
        rules = self._rules(bureau, cmd.year)
        test_id = self.new_id()
        held = StudyTestHeld(
            test_id,
            bureau,
            cmd.unit_id,
            cmd.year,
            cmd.title,
            cmd.held_on,
            str(self.exact(rules["pass_mark"])),
            actor,
            self.clock(),
        )

        def hold(test: StudyTest) -> StudyTest:
            test.hold(held)
            return test

        test, _ = self.tests.execute(test_id, hold, ctx)
        return views.study_test(test)

    def record_scores(
        self, cmd: c.RecordScores, ctx: CommandContext, source: str = "entered"
    ) -> Answer:
        """Record scores, then judge the unit against the campaign's bar."""
        found = self._test(cmd.test_id, ctx)
        assert found.held is not None
        actor = self.actor_of(ctx)
        now = self.clock()
        bar = self.exact(
            self._rules(found.held.bureau_id, found.held.year)["criticism_below_mean"]
        )

        def record(test: StudyTest) -> StudyTest:
            test.record_scores(cmd.scores, source, actor, now)
            test.judge(bar, actor, now)
            return test

        test, _ = self.tests.execute(cmd.test_id, record, ctx)
        return views.study_test(test)

    def import_scores(
        self, test_id: str, workbook: bytes, ctx: CommandContext
    ) -> Answer:
        """Scores from the first sheet of an .xlsx: person_id | score, a header row."""
        try:
            book = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not xlsx
            raise InvalidInput(fields={"workbook": "bad_format"}) from None
        sheet = book.worksheets[0]
        rows = [
            {"person_id": str(r[0]).strip(), "score": r[1]}
            for r in sheet.iter_rows(min_row=2, values_only=True)
            if r and r[0] not in (None, "")
        ]
        cmd = c.RecordScores.parse({"test_id": test_id, "scores": rows})
        return self.record_scores(cmd, ctx, source="xlsx")

    def spot_check(self, cmd: c.SpotCheck, ctx: CommandContext) -> Answer:
        self._test(cmd.test_id, ctx)
        not_after(self.today(), checked_on=cmd.checked_on)
        actor = self.actor_of(ctx)
        now = self.clock()

        def check(test: StudyTest) -> StudyTest:
            test.spot_check(cmd.checked_on, cmd.finding, actor, now)
            return test

        test, _ = self.tests.execute(cmd.test_id, check, ctx)
        return views.study_test(test)

    def get_study_test(self, test_id: str, ctx: CommandContext) -> Answer:
        return views.study_test(self._test(test_id, ctx))

    def test_scores_by_unit(self, year: int, bureau: str) -> dict[str, Fraction]:
        """Each unit's mean score over its tests of the year (for the assessment)."""
        sums: dict[str, list[Fraction]] = {}
        for e in self.events([StudyTest.category], bureau):
            if e.version != 1:
                continue
            test = self.tests.load(e.stream.split("-", 1)[1])
            held = test.held
            if held is None or held.year != year:
                continue
            sums.setdefault(held.unit_id, []).extend(test.scores.values())
        return {u: sum(v, Fraction(0)) / len(v) for u, v in sums.items() if v}

    def _test(self, test_id: str, ctx: CommandContext) -> StudyTest:
        test = self.tests.load(test_id)
        if test.held is None or test.bureau_id != self.bureau_of(ctx):
            raise NotFound(kind="study_test", id=test_id)
        return test
