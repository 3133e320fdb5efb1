"""The year-end assessment: weighted parts, the formula and every input shown, a
missing source redistributed (never a crash), reproducible as of a past moment."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest

from services.common.errors import InvalidInput
from services.evaluation import commands as c
from services.evaluation import record_commands as rc
from services.evaluation.domain import registry
from services.evaluation.domain.assessment import rank, score_unit
from services.evaluation.domain.events import AssessmentPublished
from services.evaluation.domain.publication import Assessment
from services.evaluation.handlers import DefinitionCache, EvaluationHandlers
from tests.unit.evaluation.factory import (
    BUREAU,
    OFFICE,
    UNIT,
    UNIT2,
    World,
    close,
    open_round,
    staff,
    vote,
    voters,
)

EQUAL = {k: Fraction(1) for k in ("evaluation", "ledger", "tests")}


@dataclass
class FakeSources:
    """Other services' figures, as their RPCs would answer; None: not answering."""

    ledger_units: dict[str, Any] | None = field(default_factory=dict)
    complaints_units: dict[str, Any] | None = field(default_factory=dict)
    publicity_units: dict[str, Any] | None = None
    asked: list[tuple[str, Any]] = field(default_factory=list)

    def ledger(self, bureau_id: str, start: date, end: date) -> dict[str, Any] | None:
        self.asked.append(("ledger", (start, end)))
        return self.ledger_units

    def complaints(
        self, bureau_id: str, unit_id: str, start: date, end: date
    ) -> dict[str, Any] | None:
        self.asked.append(("complaints", (start, end)))
        if self.complaints_units is None:
            return None
        return self.complaints_units.get(unit_id, {})

    def publicity(
        self, bureau_id: str, start: date, end: date, as_of: datetime | None
    ) -> dict[str, Any] | None:
        self.asked.append(("publicity", as_of))
        return self.publicity_units


def handlers(world: World, sources: FakeSources) -> EvaluationHandlers:
    return EvaluationHandlers(
        world.store,
        world.clock,
        world.org,
        world.keys,
        definitions=DefinitionCache(),
        sources=sources,
    )


def unit_round(world: World, options: list[str]) -> None:
    roll = voters(len(options))
    round_id = open_round(
        world,
        kind="units",
        subjects=[{"kind": "unit", "unit_id": UNIT, "subject_id": "u1"}],
        electorate=roll,
    )["round_id"]
    for v, option in zip(roll, options, strict=True):
        vote(world, round_id, v["voter_id"], {"subject_id": "u1", "option": option})
    close(world, round_id)


def test_scores(world: World, unit: str, *scores: float) -> None:
    held = world.handlers.hold_study_test(
        c.HoldStudyTest(unit, 2026, "闭卷测试", date(2026, 2, 24)), OFFICE
    )
    rows = [{"person_id": staff(n), "score": s} for n, s in enumerate(scores)]
    world.handlers.record_scores(
        c.RecordScores.parse({"test_id": held["test_id"], "scores": rows}), OFFICE
    )


test_scores.__test__ = False  # type: ignore[attr-defined]


class TestThePureScore:
    def test_a_missing_part_has_its_weight_redistributed(self):
        parts = {"evaluation": Fraction(1, 2), "ledger": None, "tests": Fraction(1)}
        scored = score_unit("u", parts, EQUAL, {})
        assert scored.score == 75  # 100 × (½ + 1) / 2
        assert scored.missing == ("ledger",)
        shown = scored.to_dict(EQUAL, 1)
        assert shown["incomplete"] is True
        assert shown["inputs"]["ledger"]["effective_weight"] == "0"
        assert shown["inputs"]["tests"]["effective_weight"] == "1/2"

    def test_equal_scores_share_a_rank_and_unscored_units_come_last(self):
        a = score_unit("a", {"tests": Fraction(1, 2)}, EQUAL, {})
        b = score_unit("b", {"tests": Fraction(1, 2)}, EQUAL, {})
        c_ = score_unit("c", {"tests": Fraction(1)}, EQUAL, {})
        none = score_unit("d", {}, EQUAL, {})
        assert [(s.unit_id, r) for s, r in rank([a, b, c_, none])] == [
            ("c", 1),
            ("a", 2),
            ("b", 2),
            ("d", None),
        ]


class TestAssessingTheBureau:
    def test_every_input_and_the_formula_are_shown_next_to_the_score(self):
        world = World()
        world.org.settings[BUREAU, 2026] = {
            "assessment_weights": {"evaluation": 0.5, "ledger": 0.25, "tests": 0.25}
        }
        unit_round(world, ["excellent", "good", "good", "fair", "poor"])
        test_scores(world, UNIT, 80, 90)
        sources = FakeSources(
            ledger_units={UNIT: {"closed": 3, "closed_on_time": 2, "overdue_now": 1}}
        )
        answer = handlers(world, sources).assess(rc.AssessUnits(2026, None, ()), OFFICE)
        [unit] = [u for u in answer["units"] if u["unit_id"] == UNIT]
        inputs = unit["inputs"]
        # evaluation: (1 + 0.8 + 0.8 + 0.6 + 0) / 5 = 16/25; ledger 2/4; tests 85/100
        assert inputs["evaluation"]["part"] == "16/25"
        assert inputs["ledger"]["part"] == "1/2"
        assert inputs["tests"]["part"] == "17/20"
        assert Fraction(unit["score"]) == 100 * (
            Fraction(1, 2) * Fraction(16, 25)
            + Fraction(1, 4) * Fraction(1, 2)
            + Fraction(1, 4) * Fraction(17, 20)
        )
        assert answer["formula"].startswith("score = 100")
        assert unit["incomplete"] is False

    def test_a_source_that_does_not_answer_is_shown_as_missing(self):
        world = World()
        test_scores(world, UNIT, 70)
        sources = FakeSources(ledger_units=None, complaints_units=None)
        answer = handlers(world, sources).assess(rc.AssessUnits(2026, None, ()), OFFICE)
        [unit] = answer["units"]
        assert unit["score"] == "70"
        assert set(unit["missing"]) == {
            "evaluation",
            "ledger",
            "complaints",
            "publicity",
            "innovation",
        }

    @pytest.mark.parametrize(
        ("now", "last_day"),
        [
            ("2026-11-27T15:59:00+00:00", date(2026, 11, 27)),
            ("2026-11-27T16:00:00+00:00", date(2026, 11, 28)),  # 00:00 in Beijing
            ("2026-11-28T07:30:00+08:00", date(2026, 11, 28)),
        ],
    )
    def test_the_figures_run_to_today_in_the_bureaus_time_zone(
        self, now: str, last_day: date
    ):
        """Found, closed and concluded dates are the bureau's own: after 16:00 UTC
        its day is UTC's tomorrow, and that day's work must count."""
        world = World()
        world.clock.now = datetime.fromisoformat(now)
        sources = FakeSources()
        test_scores(world, UNIT, 80)
        handlers(world, sources).assess(rc.AssessUnits(2026, None, ()), OFFICE)
        window = (date(2026, 1, 1), last_day)
        assert ("ledger", window) in sources.asked
        assert ("complaints", window) in sources.asked

    def test_the_assessment_as_of_a_past_moment_ignores_later_events(self):
        world = World()
        test_scores(world, UNIT, 60)
        before = world.clock.now
        world.clock.now += timedelta(days=1)
        test_scores(world, UNIT2, 95)
        test_scores(world, UNIT, 100)
        sources = FakeSources()
        then = handlers(world, sources).assess(rc.AssessUnits(2026, before, ()), OFFICE)
        now = handlers(world, sources).assess(rc.AssessUnits(2026, None, ()), OFFICE)
        assert [u["unit_id"] for u in then["units"]] == [UNIT]
        assert then["units"][0]["inputs"]["tests"]["part"] == "3/5"
        assert {u["unit_id"] for u in now["units"]} == {UNIT, UNIT2}
        assert ("publicity", before) in sources.asked


PUBLISHED_FIELDS = {
    "bureau_id", "year", "as_of", "published_at", "published_by", "note",
    "formula", "weights", "units",
}  # fmt: skip
STREAM = f"assessment-{BUREAU}.2026"


def publish(world: World, sources: FakeSources, **payload: Any) -> dict[str, Any]:
    cmd = rc.PublishAssessment.parse({"year": 2026, **payload})
    return handlers(world, sources).publish_assessment(cmd, OFFICE)


class TestPublishingTheAssessment:
    def test_publishing_records_the_computed_table_as_an_event(self):
        world = World()
        test_scores(world, UNIT, 80, 90)
        test_scores(world, UNIT2, 70)
        sources = FakeSources(
            ledger_units={UNIT: {"closed": 3, "closed_on_time": 2, "overdue_now": 1}}
        )
        computed = handlers(world, sources).assess(
            rc.AssessUnits(2026, None, ()), OFFICE
        )
        answer = publish(world, sources, note="年终定格")
        [stored] = world.store.read_stream(STREAM)
        assert (stored.type, stored.schema_version) == ("AssessmentPublished", 1)
        assert (stored.bureau_id, stored.actor) == (BUREAU, OFFICE.actor)
        assert stored.data == {
            "bureau_id": BUREAU,
            "year": 2026,
            "as_of": computed["as_of"],
            "published_at": world.clock.now.isoformat(),
            "published_by": OFFICE.actor,
            "note": "年终定格",
            "formula": computed["formula"],
            "weights": computed["weights"],
            "units": computed["units"],
        }
        assert [(u["unit_id"], u["rank"]) for u in stored.data["units"]] == [
            (UNIT2, 1),  # no ledger item to close counts as all closed on time
            (UNIT, 2),
        ]
        assert answer == {
            **computed,
            "version": 1,
            "published_at": world.clock.now.isoformat(),
        }

    def test_a_second_publication_appends_version_two_and_replaces_the_table(self):
        world = World()
        test_scores(world, UNIT, 60)
        sources = FakeSources()
        first = publish(world, sources)
        world.clock.now += timedelta(days=1)
        test_scores(world, UNIT2, 95)
        second = publish(world, sources, note="更正")
        assert (first["version"], second["version"]) == (1, 2)
        old, new = world.store.read_stream(STREAM)
        assert [u["unit_id"] for u in old.data["units"]] == [UNIT]
        assert [u["unit_id"] for u in new.data["units"]] == [UNIT2, UNIT]
        assert (old.data["note"], new.data["note"]) == (None, "更正")
        table = world.handlers.assessments.load(f"{BUREAU}.2026")
        assert table.version == 2
        assert table.published is not None and table.published.note == "更正"

    def test_the_table_as_of_a_past_moment_is_published_with_that_moment(self):
        world = World()
        test_scores(world, UNIT, 60)
        before = world.clock.now
        world.clock.now += timedelta(days=1)
        test_scores(world, UNIT2, 95)
        answer = publish(world, FakeSources(), as_of=before.isoformat())
        [stored] = world.store.read_stream(STREAM)
        assert stored.data["as_of"] == answer["as_of"] == before.isoformat()
        assert stored.data["published_at"] == world.clock.now.isoformat()
        assert [u["unit_id"] for u in stored.data["units"]] == [UNIT]

    @pytest.mark.parametrize(
        ("payload", "fields"),
        [
            ({"as_of": "2026-11-03T00:00:00+08:00"}, {"as_of": "out_of_range"}),
            ({"year": 2027}, {"year": "out_of_range"}),
            (
                {"year": 2027, "as_of": "2026-10-31T23:00:00+08:00"},
                {"year": "out_of_range"},
            ),
            ({"year": "2026x"}, {"year": "not_a_number"}),
            ({"year": 1999}, {"year": "out_of_range"}),
            ({"as_of": "2026-11-01T00:00:00"}, {"as_of": "bad_format"}),
            ({"note": "长" * 501}, {"note": "too_long"}),
        ],
    )
    def test_a_future_moment_or_a_bad_year_is_refused(self, payload, fields):
        world = World()
        test_scores(world, UNIT, 60)
        with pytest.raises(InvalidInput) as refused:
            publish(world, FakeSources(), **payload)
        assert refused.value.details["fields"] == fields
        assert world.store.read_stream(STREAM) == []

    def test_the_year_has_begun_by_as_of_in_the_bureaus_time_zone(self):
        world = World()
        world.clock.now = datetime.fromisoformat("2027-01-01T01:00:00+08:00")
        answer = publish(world, FakeSources(), year=2027)
        assert answer["version"] == 1


class TestThePublishedEvent:
    def test_the_event_round_trips_through_the_registry(self):
        world = World()
        test_scores(world, UNIT, 80, 90)
        sources = FakeSources(
            ledger_units={UNIT: {"closed": 3, "closed_on_time": 2, "overdue_now": 1}}
        )
        publish(world, sources, note="年终定格")
        [stored] = world.store.read_stream(STREAM)
        decoded = registry.decode(stored)
        assert isinstance(decoded, AssessmentPublished)
        assert isinstance(decoded.as_of, datetime)
        assert isinstance(decoded.units, tuple)
        assert decoded.to_data() == stored.data
        assert set(stored.data) == PUBLISHED_FIELDS
        again = registry.to_new_event(decoded)
        assert json.loads(json.dumps(again.data)) == stored.data
        assert set(decoded.units[0]) == {
            "unit_id", "rank", "score", "score_decimal", "incomplete", "missing",
            "inputs",
        }  # fmt: skip

    def test_the_aggregate_keeps_the_latest_publication(self):
        first = AssessmentPublished(
            BUREAU, 2026, OPENS_AT, OPENS_AT, "x", None, "f", {"tests": "1"}, ()
        )
        later = AssessmentPublished(
            BUREAU, 2026, OPENS_AT, OPENS_AT, "x", "n", "f", {"tests": "1"}, ()
        )
        assessment = Assessment(f"{BUREAU}.2026")
        assessment.publish(first)
        assessment.publish(later)
        assert assessment.published == later
        assert assessment.publications == 2
        assert assessment.stream == STREAM
        with pytest.raises(ValueError):
            Assessment(f"{BUREAU}.2025").publish(first)


OPENS_AT = datetime.fromisoformat("2026-12-31T12:00:00+08:00")
