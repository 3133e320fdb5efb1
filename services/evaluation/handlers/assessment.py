"""The year-end assessment: gather the inputs behind a port, score with a pure function.

`IndicatorSources` asks the other services (ledger and complaints `get_indicators`,
publicity `get_indicators`); a source that does not answer is *missing* — its weight
is redistributed over the inputs present and the unit marked incomplete — never a
crash. This service's own inputs are replayed from its events as recorded by
`as_of`, so an assessment can be computed again as it stood on any past date.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from fractions import Fraction
from typing import Any, Protocol, TypeVar

from eventing.aggregate import Aggregate, CommandContext, Repository
from services.common.rpc import call_bounded
from services.evaluation import record_commands as c
from services.evaluation.domain import EvaluationRound, StudyTest
from services.evaluation.domain.assessment import (
    FORMULA,
    INPUTS,
    evaluation_part,
    rank,
    score_unit,
)
from services.evaluation.handlers.base import ZONE, Answer, EvaluationBase

log = logging.getLogger(__name__)
A = TypeVar("A", bound=Aggregate)
ASSESSOR = "service:evaluation"


class IndicatorSources(Protocol):
    """Other services' figures for a period; None when the source did not answer."""

    def ledger(self, bureau_id: str, start: date, end: date) -> dict[str, Any] | None:
        """Per unit: the ledger's indicators (closed, closed_on_time, overdue_now)."""
        ...

    def complaints(
        self, bureau_id: str, unit_id: str, start: date, end: date
    ) -> dict[str, Any] | None:
        """One unit's hotline indicators (substantiation numerator/denominator)."""
        ...

    def publicity(
        self, bureau_id: str, start: date, end: date, as_of: datetime | None
    ) -> dict[str, Any] | None:
        """Per unit: publicity's indicators (quota_compliance_rate)."""
        ...


class NoSources:
    """No other service answers: every outside input is missing."""

    def ledger(self, bureau_id: str, start: date, end: date) -> dict[str, Any] | None:
        return None

    def complaints(
        self, bureau_id: str, unit_id: str, start: date, end: date
    ) -> dict[str, Any] | None:
        return None

    def publicity(
        self, bureau_id: str, start: date, end: date, as_of: datetime | None
    ) -> dict[str, Any] | None:
        return None


class RpcIndicatorSources:
    """The port over Nameko RPC proxies to ledger, complaints and publicity."""

    def __init__(self, ledger: Any, complaints: Any, publicity: Any) -> None:
        self._ledger = ledger
        self._complaints = complaints
        self._publicity = publicity

    @staticmethod
    def _ask(name: str, call: Any) -> dict[str, Any] | None:
        try:
            answer: dict[str, Any] = call()
        except Exception as error:  # an absent or failing source is a missing input
            log.warning("assessment input %s missing: %s", name, type(error).__name__)
            return None
        return answer

    @staticmethod
    def _context(bureau_id: str) -> dict[str, str]:
        return {"bureau_id": bureau_id, "actor": ASSESSOR}

    def ledger(self, bureau_id: str, start: date, end: date) -> dict[str, Any] | None:
        answer = self._ask(
            "ledger",
            lambda: call_bounded(
                self._ledger.get_indicators,
                {"start": start.isoformat(), "end": end.isoformat()},
                self._context(bureau_id),
            ),
        )
        return None if answer is None else dict(answer.get("units") or {})

    def complaints(
        self, bureau_id: str, unit_id: str, start: date, end: date
    ) -> dict[str, Any] | None:
        answer = self._ask(
            "complaints",
            lambda: call_bounded(
                self._complaints.get_indicators,
                {"from": start.isoformat(), "to": end.isoformat(), "unit_id": unit_id},
                self._context(bureau_id),
            ),
        )
        return None if answer is None else dict(answer.get("indicators") or {})

    def publicity(
        self, bureau_id: str, start: date, end: date, as_of: datetime | None
    ) -> dict[str, Any] | None:
        payload: dict[str, Any] = {
            "bureau_id": bureau_id,
            "from": start.isoformat(),
            "to": end.isoformat(),
        }
        if as_of is not None:
            payload["as_of"] = as_of.isoformat()
        answer = self._ask(
            "publicity",
            lambda: call_bounded(
                self._publicity.get_indicators, payload, self._context(bureau_id)
            ),
        )
        return None if answer is None else dict(answer.get("units") or {})


def ledger_part(figures: Mapping[str, Any] | None) -> Fraction | None:
    if figures is None:
        return None
    closed = int(figures.get("closed") or 0)
    due = closed + int(figures.get("overdue_now") or 0)
    return (
        Fraction(int(figures.get("closed_on_time") or 0), due) if due else Fraction(1)
    )


def complaints_part(figures: Mapping[str, Any] | None) -> Fraction | None:
    if figures is None:
        return None
    ratio = figures.get("substantiation") or {}
    concluded = int(ratio.get("denominator") or 0)
    if not concluded:
        return Fraction(1)
    return 1 - Fraction(int(ratio.get("numerator") or 0), concluded)


def publicity_part(figures: Mapping[str, Any] | None) -> Fraction | None:
    rate = None if figures is None else figures.get("quota_compliance_rate")
    return None if rate is None else Fraction(str(rate))


class AssessmentHandlers(EvaluationBase):
    """Assess every unit of the bureau for a year, as of a moment."""

    sources: IndicatorSources = NoSources()

    def assess(self, cmd: c.AssessUnits, ctx: CommandContext) -> Answer:
        bureau = self.bureau_of(ctx)
        as_of = cmd.as_of or self.clock()
        start, end = date(cmd.year, 1, 1), date(cmd.year, 12, 31)
        weights = {
            k: self.exact(v)
            for k, v in (
                self.settings(bureau, cmd.year).get("assessment_weights")
                or DEFAULT_WEIGHTS
            ).items()
            if k in INPUTS
        }
        evaluations = self._evaluations(bureau, cmd.year, as_of)
        tests = self._tests(bureau, cmd.year, as_of)
        innovation, selected = self._innovation_points(bureau, cmd.year, as_of)
        # the figures up to as_of's day in the bureau's time zone: from 16:00 UTC
        # on, UTC's date is the bureau's yesterday, and today's work would be left out
        until = min(end, as_of.astimezone(ZONE).date())
        ledger = self.sources.ledger(bureau, start, until)
        publicity = self.sources.publicity(bureau, start, end, cmd.as_of)
        units = set(cmd.unit_ids) or (
            set(evaluations) | set(tests) | set(ledger or {}) | set(publicity or {})
        ) - {""}
        scores = []
        for unit in sorted(units):
            complaints = self.sources.complaints(bureau, unit, start, until)
            details = {
                "evaluation": {k: str(v) for k, v in evaluations.get(unit, {}).items()},
                "ledger": None if ledger is None else ledger.get(unit),
                "complaints": complaints,
                "publicity": None if publicity is None else publicity.get(unit),
                "tests": None if unit not in tests else {"mean": str(tests[unit])},
                "innovation": innovation.get(unit),
            }
            parts = {
                "evaluation": evaluation_part(evaluations.get(unit, {})),
                "ledger": None
                if ledger is None
                else ledger_part(ledger.get(unit) or {}),
                "complaints": complaints_part(complaints),
                "publicity": publicity_part(
                    None if publicity is None else publicity.get(unit)
                ),
                "tests": None if unit not in tests else tests[unit] / 100,
                "innovation": (
                    None
                    if not selected
                    else Fraction(innovation[unit]["points"])
                    if unit in innovation
                    else Fraction(0)
                ),
            }
            scores.append(score_unit(unit, parts, weights, details))
        return {
            "bureau_id": bureau,
            "year": cmd.year,
            "as_of": as_of.isoformat(),
            "formula": FORMULA,
            "missing_inputs_rule": "weight redistributed over the inputs present; "
            "the unit is marked incomplete",
            "weights": {k: str(v) for k, v in weights.items()},
            "units": [s.to_dict(weights, r) for s, r in rank(scores)],
        }

    def _evaluations(
        self, bureau: str, year: int, as_of: datetime
    ) -> dict[str, dict[str, Fraction]]:
        """Weighted counts per option of each unit's subjects in `units` rounds."""
        found: dict[str, dict[str, Fraction]] = {}
        for round_id in self.stream_ids(EvaluationRound.category, bureau, as_of):
            r = _as_of(self.rounds, round_id, as_of)
            if r.definition is None or r.definition.year != year or r.tallied is None:
                continue
            for s in r.tallied.subjects:
                if s["kind"] != "unit" or not s["published"]:
                    continue
                counts = found.setdefault(s["unit_id"], {})
                for option, value in s["weighted"].items():
                    counts[option] = counts.get(option, Fraction(0)) + Fraction(value)
        return found

    def _tests(self, bureau: str, year: int, as_of: datetime) -> dict[str, Fraction]:
        scores: dict[str, list[Fraction]] = {}
        for test_id in self.stream_ids(StudyTest.category, bureau, as_of):
            test = _as_of(self.tests, test_id, as_of)
            if test.held is not None and test.held.year == year:
                scores.setdefault(test.held.unit_id, []).extend(test.scores.values())
        return {u: sum(v, Fraction(0)) / len(v) for u, v in scores.items() if v}

    def _innovation_points(
        self, bureau: str, year: int, as_of: datetime
    ) -> tuple[dict[str, dict[str, str]], bool]:
        selection = _as_of(self.selections, f"{bureau}.{year}", as_of).selected
        if selection is None:
            return {}, False
        total = len(selection.ranked)
        best: dict[str, dict[str, str]] = {}
        for innovation_id, unit, r in selection.ranked:
            points = Fraction(total - int(r) + 1, total)
            if unit not in best or Fraction(best[unit]["points"]) < points:
                best[unit] = {
                    "innovation_id": innovation_id,
                    "rank": r,
                    "of": str(total),
                    "points": str(points),
                }
        return best, True


DEFAULT_WEIGHTS = {
    "evaluation": 0.30,
    "ledger": 0.25,
    "complaints": 0.15,
    "publicity": 0.10,
    "tests": 0.10,
    "innovation": 0.10,
}


def _as_of(repository: Repository[A], id: str, as_of: datetime) -> A:
    """An aggregate as its events recorded by `as_of` left it."""
    aggregate = repository.factory(id)
    envelopes = repository.store.read_stream(aggregate.stream, as_of=as_of)
    aggregate.replay([repository.registry.decode(e) for e in envelopes], len(envelopes))
    return aggregate
