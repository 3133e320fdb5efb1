"""Payloads are checked whole: every bad field named at once, as InvalidInput."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidInput
from services.complaints.commands import (
    DESCRIPTION_MAX,
    AppealComplaint,
    CloseComplaint,
    ConcludeInvestigation,
    DecideAccountability,
    ExtendDeadline,
    ReceiveComplaint,
    RecordSatisfaction,
    RejectComplaint,
    SendBackComplaint,
    TransferComplaint,
)
from services.complaints.domain.model import (
    AccountabilityKind,
    Category,
    Channel,
    Outcome,
    Satisfaction,
)

SHA = "ab" * 32


def report(**overrides: object) -> dict[str, object]:
    return {
        "unit_id": "zjj.bgs",
        "channel": "hotline",
        "category": "slow",
        "description": "窗口办事拖拉",
        **overrides,
    }


def refused(parse, raw) -> dict[str, str]:
    with pytest.raises(InvalidInput) as raised:
        parse(raw)
    fields: dict[str, str] = raised.value.details["fields"]
    return fields


class TestReceiveComplaint:
    def test_a_complete_report_parses(self):
        command = ReceiveComplaint.parse(
            report(
                attachments=[
                    {
                        "name": "照片.jpg",
                        "media_type": "image/jpeg",
                        "size": 2048,
                        "sha256": SHA.upper(),
                    }
                ],
                reporter_name="张三",
                reporter_contact="13800000000",
            )
        )
        assert command.channel is Channel.HOTLINE
        assert command.category is Category.SLOW
        assert command.attachments[0].sha256 == SHA
        assert not command.anonymous

    def test_an_anonymous_report_against_the_bureau_parses(self):
        command = ReceiveComplaint.parse(report(unit_id=None, channel="secret_visit"))
        assert command.anonymous
        assert command.unit_id is None

    @pytest.mark.parametrize("description", [None, "", "   "])
    def test_an_empty_description_is_refused(self, description):
        fields = refused(ReceiveComplaint.parse, report(description=description))
        assert fields == {"description": "required"}

    def test_an_oversized_description_is_refused(self):
        fields = refused(
            ReceiveComplaint.parse, report(description="拖" * (DESCRIPTION_MAX + 1))
        )
        assert fields == {"description": "too_long"}

    def test_unknown_channel_and_category_are_named_together(self):
        fields = refused(ReceiveComplaint.parse, report(channel="fax", category="rude"))
        assert fields == {"channel": "not_allowed", "category": "not_allowed"}

    def test_a_bad_attachment_names_its_bad_fields(self):
        fields = refused(
            ReceiveComplaint.parse,
            report(
                attachments=[
                    {"name": "", "media_type": "jpeg", "size": 0, "sha256": "xyz"}
                ]
            ),
        )
        assert fields == {
            "attachments[0].name": "required",
            "attachments[0].media_type": "bad_format",
            "attachments[0].size": "out_of_range",
            "attachments[0].sha256": "bad_format",
        }

    def test_the_message_names_the_field_in_both_languages(self):
        with pytest.raises(InvalidInput) as raised:
            ReceiveComplaint.parse(report(description=""))
        assert raised.value.message("en") == "Invalid input: description is required"
        assert raised.value.message("zh-CN") == "输入有误：description 必填"


class TestHandlingCommands:
    def test_a_rejection_without_reason_is_refused(self):
        assert refused(RejectComplaint.parse, {"complaint_id": "c-1"}) == {
            "reason": "required"
        }

    def test_a_conclusion_needs_an_outcome_and_findings(self):
        fields = refused(
            ConcludeInvestigation.parse, {"complaint_id": "c-1", "outcome": "maybe"}
        )
        assert fields == {"outcome": "not_allowed", "findings": "required"}
        command = ConcludeInvestigation.parse(
            {"complaint_id": "c-1", "outcome": "partly_substantiated", "findings": "f"}
        )
        assert command.outcome is Outcome.PARTLY_SUBSTANTIATED

    def test_an_accountability_decision_parses_its_kind_and_persons(self):
        command = DecideAccountability.parse(
            {"complaint_id": "c-1", "kind": "admonishment_talk", "person_ids": ["p-1"]}
        )
        assert command.kind is AccountabilityKind.ADMONISHMENT_TALK
        assert command.person_ids == ("p-1",)
        assert refused(
            DecideAccountability.parse,
            {"complaint_id": "c-1", "kind": "firing", "person_ids": "p-1"},
        ) == {"kind": "not_allowed", "person_ids": "bad_format"}

    def test_satisfaction_takes_only_the_three_verdicts(self):
        command = RecordSatisfaction.parse(
            {"complaint_id": "c-1", "satisfaction": "basically_satisfied"}
        )
        assert command.satisfaction is Satisfaction.BASICALLY_SATISFIED
        assert refused(
            RecordSatisfaction.parse, {"complaint_id": "c-1", "satisfaction": "meh"}
        ) == {"satisfaction": "not_allowed"}

    def test_closing_must_say_whether_the_problem_was_resolved(self):
        assert refused(
            CloseComplaint.parse, {"complaint_id": "c-1", "reason": "办结"}
        ) == {"resolved": "required"}
        assert refused(
            CloseComplaint.parse,
            {"complaint_id": "c-1", "reason": "办结", "resolved": "yes"},
        ) == {"resolved": "required"}
        command = CloseComplaint.parse(
            {"complaint_id": "c-1", "reason": "办结", "resolved": False}
        )
        assert command.resolved is False

    def test_send_back_and_transfer_need_reason_and_approver(self):
        assert refused(SendBackComplaint.parse, {"complaint_id": "c-1"}) == {
            "reason": "required",
            "approver": "required",
        }
        command = TransferComplaint.parse(
            {"complaint_id": "c-1", "reason": "r", "approver": "a"}
        )
        assert command.to_unit_id is None

    @pytest.mark.parametrize(
        ("days", "why"),
        [(0, "out_of_range"), (61, "out_of_range"), ("x", "not_a_number")],
    )
    def test_an_extension_is_a_sensible_number_of_working_days(self, days, why):
        fields = refused(
            ExtendDeadline.parse,
            {
                "complaint_id": "c-1",
                "working_days": days,
                "reason": "r",
                "approver": "a",
            },
        )
        assert fields == {"working_days": why}

    def test_an_appeal_needs_a_reason_and_a_well_formed_id(self):
        assert refused(AppealComplaint.parse, {"complaint_id": "../etc"}) == {
            "complaint_id": "bad_format",
            "reason": "required",
        }
