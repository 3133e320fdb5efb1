"""Payloads are checked whole: every bad field named at once, as InvalidInput."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidInput
from services.ledger.campaign_commands import (
    RecordSurvey,
    RecordTourFindings,
    ReviewSelfAnalysis,
    SubmitSelfAnalysis,
)
from services.ledger.commands import (
    OpenItem,
    PlanRectification,
    ReopenItem,
    VerifyRectification,
)
from services.ledger.domain.model import (
    CheckDimension,
    Level,
    ReviewOutcome,
    Source,
    TourVerdict,
    Verdict,
)


def fields_of(command, raw) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        command.parse(raw)
    return caught.value.details["fields"]


def item(**overrides: object) -> dict[str, object]:
    return {
        "level": "unit",
        "unit_id": "zjj.zwzx",
        "category": "slow",
        "check_dimension": "work_standards",
        "source": "self_inspection",
        "reference": "self-inspection-2026-04",
        "description": "审批环节多",
        "found_on": "2026-04-10",
        **overrides,
    }


class TestOpenItem:
    def test_a_good_payload_becomes_a_command(self):
        command = OpenItem.parse(item())
        assert command.level is Level.UNIT
        assert command.check_dimension is CheckDimension.WORK_STANDARDS

    def test_bad_enums_are_named(self):
        fields = fields_of(OpenItem, item(level="team", category="lazy", source="x"))
        assert fields == {
            "level": "not_allowed",
            "category": "not_allowed",
            "source": "not_allowed",
        }

    def test_an_empty_description_is_refused(self):
        assert fields_of(OpenItem, item(description="  ")) == {
            "description": "required"
        }

    def test_self_inspection_needs_a_check_dimension(self):
        assert fields_of(OpenItem, item(check_dimension=None)) == {
            "check_dimension": "required"
        }

    def test_other_channels_carry_no_check_dimension(self):
        assert fields_of(OpenItem, item(source="secret_visit")) == {
            "check_dimension": "not_allowed"
        }
        command = OpenItem.parse(item(source="secret_visit", check_dimension=None))
        assert command.source is Source.SECRET_VISIT

    def test_an_individual_item_needs_a_person(self):
        assert fields_of(OpenItem, item(level="individual")) == {
            "person_id": "required"
        }

    def test_a_unit_item_names_no_person(self):
        assert fields_of(OpenItem, item(person_id="zjj.p-1")) == {
            "person_id": "not_allowed"
        }

    def test_a_bad_date_and_bad_evidence_are_named(self):
        fields = fields_of(
            OpenItem,
            item(
                found_on="2026-13-01",
                evidence=[{"name": "a.jpg", "media_type": "jpeg", "size": 0}],
            ),
        )
        assert fields == {
            "found_on": "not_a_date",
            "evidence[0].media_type": "bad_format",
            "evidence[0].size": "out_of_range",
            "evidence[0].sha256": "required",
        }


class TestRectificationCommands:
    def test_a_plan_needs_measures_and_a_leader(self):
        fields = fields_of(PlanRectification, {"item_id": "i-1", "measures": []})
        assert fields == {"measures": "required", "leader_id": "required"}

    def test_repeated_measures_are_refused(self):
        fields = fields_of(
            PlanRectification,
            {"item_id": "i-1", "measures": ["a", "a"], "leader_id": "zjj.p-1"},
        )
        assert fields == {"measures": "duplicate"}

    def test_a_plan_without_deadline_leaves_it_to_the_default(self):
        command = PlanRectification.parse(
            {"item_id": "i-1", "measures": ["a"], "leader_id": "zjj.p-1"}
        )
        assert command.deadline is None

    def test_a_verification_needs_its_date_and_a_rejection_its_reasons(self):
        assert fields_of(
            VerifyRectification, {"item_id": "i-1", "verdict": "verified"}
        ) == {"verified_on": "required"}
        assert fields_of(
            VerifyRectification, {"item_id": "i-1", "verdict": "rejected"}
        ) == {"reasons": "required"}
        command = VerifyRectification.parse(
            {"item_id": "i-1", "verdict": "rejected", "reasons": "未落实"}
        )
        assert command.verdict is Verdict.REJECTED

    def test_a_reopening_deadline_before_the_finding_is_refused(self):
        fields = fields_of(
            ReopenItem,
            {
                "item_id": "i-1",
                "source": "spot_check",
                "reference": "r",
                "found_on": "2026-09-01",
                "deadline": "2026-08-31",
                "reason": "复现",
            },
        )
        assert fields == {"deadline": "out_of_range"}


class TestCampaignCommands:
    def test_a_material_needs_a_year_and_text(self):
        assert fields_of(SubmitSelfAnalysis, {"year": "later", "text": ""}) == {
            "year": "not_a_number",
            "text": "required",
        }

    def test_a_rejection_as_evasive_needs_reasons(self):
        assert fields_of(
            ReviewSelfAnalysis, {"self_analysis_id": "a-1", "outcome": "rejected"}
        ) == {"reasons": "required"}
        command = ReviewSelfAnalysis.parse(
            {"self_analysis_id": "a-1", "outcome": "accepted"}
        )
        assert command.outcome is ReviewOutcome.ACCEPTED

    def test_a_survey_names_each_bad_problem(self):
        fields = fields_of(
            RecordSurvey,
            {
                "unit_id": "zjj.zwzx",
                "kind": "party",
                "held_on": "2026-03-20",
                "participants": ["张经理"],
                "problems": [
                    {"category": "slow", "description": "审批慢"},
                    {"category": "bad", "description": ""},
                ],
            },
        )
        assert fields == {
            "kind": "not_allowed",
            "problems[1].category": "not_allowed",
            "problems[1].description": "required",
        }

    def test_going_through_the_motions_needs_remarks(self):
        fields = fields_of(
            RecordTourFindings,
            {
                "tour_id": "t-1",
                "unit_id": "zjj.zwzx",
                "verdict": "going_through_motions",
            },
        )
        assert fields == {"remarks": "required"}
        command = RecordTourFindings.parse(
            {"tour_id": "t-1", "unit_id": "zjj.zwzx", "verdict": "satisfactory"}
        )
        assert command.verdict is TourVerdict.SATISFACTORY and command.findings == ()
