"""巡查: a tour's findings per unit; going through the motions earns a notice."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from services.ledger.domain import Finding, InspectionTour
from services.ledger.domain.errors import (
    AlreadyExists,
    IllegalTransition,
    ReasonRequired,
    UnitAlreadyInspected,
)
from services.ledger.domain.events import (
    TourFindingsRecorded,
    UnitNoticedForFormality,
)
from services.ledger.domain.model import Category, Source, TourVerdict
from services.ledger.domain.tours import item_openings
from tests.unit.ledger.factory import BUREAU, LEADER, OFFICE, UNIT, later

STARTED_ON = date(2026, 6, 15)


def started() -> InspectionTour:
    tour = InspectionTour(str(uuid.uuid4()))
    tour.start(
        BUREAU, "2026 年上半年巡查", [LEADER, OFFICE], STARTED_ON, OFFICE, later(0)
    )
    return tour


def record(tour, verdict=TourVerdict.SATISFACTORY, remarks="", unit=UNIT):
    tour.record_findings(
        unit,
        verdict,
        [
            Finding(Category.FALSE, "问题台账只列标题，未细化"),
            Finding(Category.LOW, "公开栏内容过期", open_item=False),
        ],
        remarks,
        OFFICE,
        later(1),
    )


class TestTours:
    def test_a_satisfactory_unit_gets_no_notice(self):
        tour = started()
        record(tour)
        assert not any(isinstance(e, UnitNoticedForFormality) for e in tour.pending())

    def test_a_unit_going_through_the_motions_gets_a_bureau_wide_notice(self):
        tour = started()
        record(tour, TourVerdict.GOING_THROUGH_MOTIONS, "问题不具体、不细化")
        notice = tour.pending()[-1]
        assert isinstance(notice, UnitNoticedForFormality)
        assert (notice.bureau_id, notice.unit_id) == (BUREAU, UNIT)
        assert notice.reasons == "问题不具体、不细化"

    def test_going_through_the_motions_needs_its_reasons(self):
        with pytest.raises(ReasonRequired):
            record(started(), TourVerdict.GOING_THROUGH_MOTIONS)

    def test_a_unit_is_recorded_once_per_tour(self):
        tour = started()
        record(tour)
        with pytest.raises(UnitAlreadyInspected):
            record(tour)

    def test_findings_marked_for_the_ledger_become_item_openings(self):
        tour = started()
        record(tour)
        recorded = tour.pending()[-1]
        assert isinstance(recorded, TourFindingsRecorded)
        ((item_id, opening),) = item_openings(recorded, STARTED_ON)
        assert opening.source is Source.INSPECTION_TOUR
        assert opening.reference == tour.id
        assert item_openings(recorded, STARTED_ON)[0][0] == item_id

    def test_a_concluded_tour_records_nothing_more(self):
        tour = started()
        tour.conclude("总体良好", OFFICE, later(10))
        with pytest.raises(IllegalTransition):
            record(tour, unit="zjj.other")

    def test_a_tour_starts_once(self):
        tour = started()
        with pytest.raises(AlreadyExists):
            tour.start(BUREAU, "again", [LEADER], STARTED_ON, OFFICE, later(0))
