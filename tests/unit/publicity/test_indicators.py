"""Indicators per unit and bureau for any span; `as_of` replays what was recorded
by then."""

from __future__ import annotations

from datetime import date, timedelta

from services.common.ratio import Ratio
from services.publicity.domain.indicators import rate_text
from tests.unit.publicity.factory import (
    AFFILIATED,
    BUREAU,
    OFFICE,
    OFFICE_UNIT,
    OFFICER_O,
    STATION,
    as_,
    beijing,
    world,
)

ZERO = {
    "submitted": 0,
    "accepted": 0,
    "published": 0,
    "acceptance_rate": None,
    "quota_compliance_rate": None,
    "missed_periods": 0,
}


def february(w, **more):
    return w.handlers.indicators(
        date(2026, 2, 1), date(2026, 2, 28), as_(OFFICE), **more
    )


class TestIndicators:
    def build(self):
        """Four articles of the affiliated unit in February: three accepted, two
        published, one returned; the office one article; decisions to 2 March."""
        w = world()
        ids = []
        for day in (2, 3, 10, 17):
            w.clock.set(beijing(date(2026, 2, day)))
            ids.append(w.submit()["article_id"])
        w.submit(unit=OFFICE_UNIT, officer=OFFICER_O)
        for article_id in ids[:3]:
            w.review(article_id)
        w.review(ids[3], "returned", "不具体")
        w.publish(ids[0])
        w.publish(ids[1], "bulletin", issue="2026年第3期")
        w.publish(ids[1], "website")  # a second channel: still one article
        w.clock.set(beijing(date(2026, 3, 2), 1))
        w.handlers.decide_quotas(BUREAU)
        return w

    def test_units_and_bureau_figures_for_a_month(self):
        w = self.build()
        report = february(w)
        assert report["units"][AFFILIATED] == {
            "submitted": 4,
            "accepted": 3,
            "published": 2,
            "acceptance_rate": "0.75",
            "quota_compliance_rate": "1",  # weeks of 2, 9, 16 (23 ends in March)
            "missed_periods": 0,
        }
        assert report["units"][STATION] == {
            **ZERO,
            "quota_compliance_rate": "0",
            "missed_periods": 2,  # both February half-months
        }
        assert report["units"][OFFICE_UNIT]["quota_compliance_rate"] == "0.5"
        assert report["bureau"]["submitted"] == 5
        assert report["bureau"]["missed_periods"] == 0 + 2 + 1
        assert report["bureau"]["quota_compliance_rate"] == "0.5714"  # 4 of 7

    def test_one_unit_only_and_an_empty_span(self):
        w = self.build()
        only = february(w, unit_id=OFFICE_UNIT)
        assert set(only["units"]) == {OFFICE_UNIT}
        assert only["units"][OFFICE_UNIT]["submitted"] == 1
        empty = w.handlers.indicators(date(2026, 6, 1), date(2026, 6, 2), as_(OFFICE))
        assert empty["units"] == {u: ZERO for u in (AFFILIATED, STATION, OFFICE_UNIT)}
        assert empty["bureau"] == ZERO

    def test_as_of_replays_only_what_was_recorded_by_then(self):
        w = self.build()
        before_decisions = beijing(date(2026, 3, 1))
        then = february(w, as_of=before_decisions)
        assert then["units"][STATION]["missed_periods"] == 0
        assert then["units"][AFFILIATED]["quota_compliance_rate"] is None
        assert then["units"][AFFILIATED]["submitted"] == 4
        start = february(w, as_of=beijing(date(2026, 2, 2)) + timedelta(minutes=1))
        assert start["units"][AFFILIATED]["submitted"] == 1

    def test_rates_are_decimal_strings(self):
        assert rate_text(Ratio(3, 4)) == "0.75"
        assert rate_text(Ratio(1, 3)) == "0.3333"
        assert rate_text(Ratio(2, 2)) == "1"
        assert rate_text(Ratio(0, 0)) is None
