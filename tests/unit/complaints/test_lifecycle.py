"""有举必查, 有查必果: a report's whole life, and every step it may not take."""

from __future__ import annotations

import dataclasses

import pytest

from eventing.aggregate import CommandContext, Repository
from eventing.store.memory import MemoryEventStore
from services.common.errors import InvalidInput, NotFound
from services.complaints.domain import Complaint, registry
from services.complaints.domain.errors import (
    AccountabilityNotApplicable,
    AccountabilityPersonsInvalid,
    AccountabilityUndecided,
    AlreadyExists,
    FindingsRequired,
    IllegalTransition,
    NotTheInvestigator,
    ReasonRequired,
    ReceiptCodeNotHashed,
)
from services.complaints.domain.events import (
    AccountabilityDecided,
    ComplaintClosed,
    ComplaintReceived,
    ComplaintReopened,
    ComplaintSubstantiated,
    SatisfactionRecorded,
)
from services.complaints.domain.model import (
    AccountabilityKind,
    Category,
    Channel,
    Outcome,
    ReopenCause,
    Satisfaction,
    State,
    hash_receipt_code,
)
from tests.unit.complaints.factory import (
    INVESTIGATOR,
    RECEIPT_CODE,
    RECEIVED_AT,
    accepted,
    assigned,
    concluded,
    decided,
    investigating,
    later,
    policy,
    received,
    replied,
)


def events_of(complaint: Complaint) -> list[object]:
    return complaint.pending()


class TestIntake:
    def test_a_received_report_waits_for_acceptance(self):
        complaint = received()
        assert complaint.state is State.RECEIVED
        assert complaint.is_open

    def test_the_receipt_code_is_kept_only_as_its_hash(self):
        complaint = received()
        (event,) = events_of(complaint)
        assert isinstance(event, ComplaintReceived)
        assert event.receipt_code_hash == hash_receipt_code(RECEIPT_CODE)
        assert RECEIPT_CODE not in str(event.to_data())

    def test_a_receipt_code_in_clear_is_refused(self):
        with pytest.raises(ReceiptCodeNotHashed):
            Complaint("c-1").receive(
                "zjj",
                None,
                Channel.WEB_FORM,
                Category.LAX,
                "text",
                [],
                None,
                RECEIPT_CODE,
                policy(),
                "web",
                RECEIVED_AT,
            )

    def test_events_carry_only_an_opaque_reference_to_the_reporter(self):
        (event,) = events_of(received(reporter_ref="ref-42"))
        fields = {f.name for f in dataclasses.fields(event)}
        assert event.reporter_ref == "ref-42"
        assert not fields & {"reporter_name", "reporter_contact", "name", "phone"}

    def test_an_anonymous_report_has_no_reporter_reference(self):
        assert received(reporter_ref=None).reporter_ref is None

    def test_a_report_against_the_bureau_itself_has_no_unit(self):
        assert received(unit_id=None).unit_id is None

    def test_an_empty_description_is_refused(self):
        with pytest.raises(InvalidInput):
            Complaint("c-1").receive(
                "zjj",
                None,
                Channel.LETTER,
                Category.LAX,
                "   ",
                [],
                None,
                hash_receipt_code("x"),
                policy(),
                "office",
                RECEIVED_AT,
            )

    def test_a_complaint_is_received_only_once(self):
        complaint = received()
        with pytest.raises(AlreadyExists):
            complaint.receive(
                "zjj",
                None,
                Channel.LETTER,
                Category.LAX,
                "again",
                [],
                None,
                hash_receipt_code("x"),
                policy(),
                "office",
                RECEIVED_AT,
            )

    def test_acting_on_a_complaint_never_received_is_not_found(self):
        with pytest.raises(NotFound):
            Complaint("nobody").accept("office", RECEIVED_AT)


class TestAcceptance:
    def test_a_rejection_needs_a_reason(self):
        with pytest.raises(ReasonRequired) as raised:
            received().reject("  ", "office", later(0.1))
        assert "理由" in raised.value.message("zh-CN")

    def test_a_rejected_complaint_is_no_longer_open(self):
        complaint = received()
        complaint.reject("不属于本局职责范围", "office", later(0.1))
        assert complaint.state is State.REJECTED
        assert not complaint.is_open

    def test_every_transition_records_its_actor(self):
        complaint = accepted()
        assert [e.actor for e in complaint.pending()] == [
            "hotline-operator",
            "office",
        ]


class TestInvestigation:
    def test_only_the_assigned_investigator_starts_the_investigation(self):
        with pytest.raises(NotTheInvestigator):
            assigned().start_investigation("someone-else", later(0.3))

    def test_only_the_assigned_investigator_concludes(self):
        with pytest.raises(NotTheInvestigator):
            investigating().conclude(
                Outcome.UNSUBSTANTIATED, "查无此事", policy(), "intruder", later(2)
            )

    def test_a_conclusion_without_findings_is_refused(self):
        with pytest.raises(FindingsRequired) as raised:
            investigating().conclude(
                Outcome.SUBSTANTIATED, " ", policy(), INVESTIGATOR, later(2)
            )
        assert raised.value.message("en") == "A conclusion needs findings"

    def test_a_substantiated_conclusion_tells_the_ledger_what_it_needs(self):
        complaint = concluded(Outcome.PARTLY_SUBSTANTIATED)
        (ledger,) = [
            e for e in complaint.pending() if isinstance(e, ComplaintSubstantiated)
        ]
        assert ledger.complaint_id == complaint.id
        assert ledger.unit_id == "zjj.bgs"
        assert ledger.category is Category.SLOW
        assert ledger.findings.startswith("查实")
        assert ledger.outcome is Outcome.PARTLY_SUBSTANTIATED

    def test_an_unsubstantiated_conclusion_opens_nothing_in_the_ledger(self):
        complaint = concluded(Outcome.UNSUBSTANTIATED)
        assert not any(
            isinstance(e, ComplaintSubstantiated) for e in complaint.pending()
        )

    def test_a_second_conclusion_is_an_illegal_transition(self):
        complaint = concluded()
        with pytest.raises(IllegalTransition) as raised:
            complaint.conclude(
                Outcome.UNSUBSTANTIATED, "x", policy(), INVESTIGATOR, later(13)
            )
        assert raised.value.details == {
            "complaint_id": complaint.id,
            "state": "concluded",
            "action": "conclude",
        }
        assert "concluded" in raised.value.message("en")
        assert "不能执行「conclude」" in raised.value.message("zh-CN")


class TestAccountability:
    def test_a_substantiated_case_records_who_is_held_accountable(self):
        complaint = decided()
        assert complaint.state is State.ACCOUNTABILITY_DECIDED
        assert complaint.accountable_ids == ("zjj.p-window-clerk",)
        (event,) = [
            e for e in complaint.pending() if isinstance(e, AccountabilityDecided)
        ]
        assert event.kind is AccountabilityKind.WRITTEN_SELF_CRITICISM

    def test_no_accountability_is_a_decision_that_needs_a_reason(self):
        with pytest.raises(ReasonRequired):
            concluded().decide_accountability(
                AccountabilityKind.NONE, [], "", "office", later(13)
            )
        complaint = concluded()
        complaint.decide_accountability(
            AccountabilityKind.NONE, [], "已主动纠正", "office", later(13)
        )
        assert complaint.accountability is AccountabilityKind.NONE

    def test_no_accountability_names_nobody(self):
        with pytest.raises(AccountabilityPersonsInvalid):
            concluded().decide_accountability(
                AccountabilityKind.NONE, ["p-1"], "理由", "office", later(13)
            )

    def test_an_accountability_measure_names_the_persons_held_accountable(self):
        with pytest.raises(AccountabilityPersonsInvalid):
            concluded().decide_accountability(
                AccountabilityKind.ADMONISHMENT_TALK, [" "], "", "office", later(13)
            )

    def test_an_unsubstantiated_case_gets_no_accountability_decision(self):
        with pytest.raises(AccountabilityNotApplicable) as raised:
            concluded(Outcome.UNSUBSTANTIATED).decide_accountability(
                AccountabilityKind.NOTICE_OF_CRITICISM, ["p-1"], "", "office", later(13)
            )
        assert "不属实" in raised.value.message("zh-CN")


class TestReply:
    def test_a_reply_before_the_conclusion_is_an_illegal_transition(self):
        with pytest.raises(IllegalTransition):
            investigating().reply("已处理", "office", later(3))

    def test_a_substantiated_case_is_answered_only_after_its_accountability(self):
        with pytest.raises(AccountabilityUndecided):
            concluded().reply("已处理", "office", later(13))

    def test_an_unsubstantiated_case_is_answered_straight_after_its_conclusion(self):
        assert replied(Outcome.UNSUBSTANTIATED).state is State.REPLIED

    def test_an_empty_reply_is_refused(self):
        with pytest.raises(InvalidInput):
            decided().reply(" ", "office", later(14))


class TestSatisfactionAndReopening:
    @pytest.mark.parametrize(
        "verdict", [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]
    )
    def test_a_content_reporter_leaves_the_case_ready_to_close(self, verdict):
        complaint = replied()
        complaint.record_satisfaction(verdict, policy(), "office", later(15))
        assert complaint.state is State.SATISFACTION_RECORDED

    def test_a_dissatisfied_reporter_reopens_the_case_with_a_new_deadline(self):
        complaint = replied()
        old_due = complaint.due
        complaint.record_satisfaction(
            Satisfaction.DISSATISFIED, policy(), "office", later(15)
        )
        satisfaction, reopened = complaint.pending()[-2:]
        assert isinstance(satisfaction, SatisfactionRecorded)
        assert isinstance(reopened, ComplaintReopened)
        assert reopened.cause is ReopenCause.DISSATISFIED
        assert reopened.reason
        assert complaint.state is State.ASSIGNED
        assert complaint.investigator_id == INVESTIGATOR
        assert complaint.reopen_count == 1
        assert complaint.current_due is not None
        assert complaint.current_due > old_due[next(iter(old_due))]
        assert complaint.outcome is None

    def test_a_reopened_case_is_investigated_and_concluded_again(self):
        complaint = replied()
        complaint.record_satisfaction(
            Satisfaction.DISSATISFIED, policy(), "office", later(15)
        )
        complaint.start_investigation(INVESTIGATOR, later(16))
        complaint.conclude(
            Outcome.SUBSTANTIATED, "再查：问题仍存在", policy(), INVESTIGATOR, later(20)
        )
        assert complaint.state is State.CONCLUDED

    def test_an_appeal_reopens_a_closed_case(self):
        complaint = replied()
        complaint.close(True, "已整改", "office", later(16))
        complaint.appeal("整改不到位", policy(), "reporter", later(20))
        (event,) = complaint.pending()[-1:]
        assert isinstance(event, ComplaintReopened)
        assert event.cause is ReopenCause.APPEAL
        assert complaint.is_open
        assert not complaint.resolved

    def test_an_appeal_needs_a_reason(self):
        with pytest.raises(ReasonRequired):
            replied().appeal("", policy(), "reporter", later(20))

    def test_an_appeal_before_any_reply_is_an_illegal_transition(self):
        with pytest.raises(IllegalTransition):
            investigating().appeal("太慢", policy(), "reporter", later(3))


class TestClosing:
    def test_a_case_closed_as_resolved_counts_as_resolved(self):
        complaint = replied()
        complaint.close(True, "已整改到位", "office", later(16))
        assert complaint.state is State.CLOSED
        assert complaint.resolved

    def test_a_case_closed_without_resolution_never_counts_as_resolved(self):
        complaint = replied()
        complaint.record_satisfaction(
            Satisfaction.SATISFIED, policy(), "office", later(15)
        )
        complaint.close(False, "历史遗留问题，暂无法解决", "office", later(16))
        (event,) = complaint.pending()[-1:]
        assert isinstance(event, ComplaintClosed)
        assert event.resolved is False
        assert not complaint.resolved
        assert not complaint.is_open

    def test_closing_needs_a_reason(self):
        with pytest.raises(ReasonRequired):
            replied().close(True, "", "office", later(16))

    def test_a_case_is_closed_only_after_the_reporter_was_answered(self):
        with pytest.raises(IllegalTransition):
            concluded(Outcome.UNSUBSTANTIATED).close(True, "done", "office", later(13))

    def test_a_closed_case_takes_no_further_satisfaction(self):
        complaint = replied()
        complaint.close(True, "已整改", "office", later(16))
        with pytest.raises(IllegalTransition):
            complaint.record_satisfaction(
                Satisfaction.SATISFIED, policy(), "office", later(17)
            )


class TestReplay:
    def test_replaying_the_events_rebuilds_the_same_state(self):
        original = replied()
        original.close(False, "无法解决", "office", later(16))
        copy = Complaint(original.id)
        copy.replay(original.pending(), len(original.pending()))
        assert copy.state is State.CLOSED
        assert copy.resolved is False
        assert copy.due == original.due
        assert copy.accountable_ids == original.accountable_ids

    def test_every_event_survives_the_event_store(self):
        complaint = replied()
        complaint.record_satisfaction(
            Satisfaction.DISSATISFIED, policy(), "office", later(15)
        )
        complaint.extend_deadline(3, "需补充调查", "director", policy(), "o", later(16))
        written = complaint.pending()
        repository = Repository(MemoryEventStore(), registry, Complaint, "complaints")
        repository.save(complaint, CommandContext(bureau_id="zjj", actor="office"))
        loaded = repository.load(complaint.id)
        assert loaded.due == complaint.due
        assert loaded.state is complaint.state
        assert written == [
            registry.decode(envelope)
            for envelope in repository.store.read_stream(complaint.stream)
        ]


ILLEGAL = [
    (received, "assign", lambda c: c.assign(INVESTIGATOR, "office", later(1))),
    (
        received,
        "start_investigation",
        lambda c: c.start_investigation(INVESTIGATOR, later(1)),
    ),
    (accepted, "accept", lambda c: c.accept("office", later(1))),
    (accepted, "reject", lambda c: c.reject("why", "office", later(1))),
    (assigned, "assign", lambda c: c.assign("other", "office", later(1))),
    (
        assigned,
        "conclude",
        lambda c: c.conclude(
            Outcome.SUBSTANTIATED, "f", policy(), INVESTIGATOR, later(1)
        ),
    ),
    (
        investigating,
        "decide_accountability",
        lambda c: c.decide_accountability(
            AccountabilityKind.NONE, [], "r", "o", later(1)
        ),
    ),
    (
        concluded,
        "record_satisfaction",
        lambda c: c.record_satisfaction(
            Satisfaction.SATISFIED, policy(), "o", later(13)
        ),
    ),
    (
        decided,
        "decide_accountability",
        lambda c: c.decide_accountability(
            AccountabilityKind.NONE, [], "r", "o", later(14)
        ),
    ),
    (replied, "send_back", lambda c: c.send_back("r", "a", "o", later(15))),
    (replied, "transfer", lambda c: c.transfer("zjj.other", "r", "a", "o", later(15))),
    (received, "send_back", lambda c: c.send_back("r", "a", "o", later(1))),
]


class TestIllegalTransitions:
    @pytest.mark.parametrize(
        ("build", "action", "attempt"),
        ILLEGAL,
        ids=[f"{b.__name__}-{a}" for b, a, _ in ILLEGAL],
    )
    def test_an_action_the_state_does_not_allow_is_refused_by_name(
        self, build, action, attempt
    ):
        complaint = build()
        with pytest.raises(IllegalTransition) as raised:
            attempt(complaint)
        assert raised.value.details["action"] == action
        assert raised.value.details["state"] == complaint.state.value
        assert raised.value.code == "illegal_transition"

    def test_a_rejected_complaint_goes_no_further(self):
        complaint = received()
        complaint.reject("重复举报", "office", later(0.1))
        with pytest.raises(IllegalTransition):
            complaint.accept("office", later(0.2))

    def test_nothing_changes_when_a_transition_is_refused(self):
        complaint = concluded()
        before = list(complaint.pending())
        with pytest.raises(IllegalTransition):
            complaint.start_investigation(INVESTIGATOR, later(13))
        assert complaint.pending() == before
