"""剖析材料: submitted, reviewed, and an evasive one redone after a self-criticism."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidInput
from services.ledger.domain import SelfAnalysis, publication_target, self_analysis_id
from services.ledger.domain.errors import (
    AlreadyExists,
    IllegalTransition,
    ReasonRequired,
    ReviewerIsAuthor,
    SelfCriticismRequired,
)
from services.ledger.domain.events import SelfAnalysisAccepted, SelfAnalysisSubmitted
from services.ledger.domain.model import AnalysisState, PublicationTarget
from tests.unit.ledger.factory import BUREAU, CLERK, LEADER, OFFICE, UNIT, later

YEAR = 2026


def submitted(person_id: str = CLERK, target=PublicationTarget.OFFICE_BOARD):
    analysis = SelfAnalysis(self_analysis_id(person_id, YEAR))
    analysis.submit(
        BUREAU,
        UNIT,
        person_id,
        YEAR,
        target,
        "服务态度生硬，学习不够",
        person_id,
        later(1),
    )
    return analysis


def rejected():
    analysis = submitted()
    analysis.reject_as_evasive("避重就轻，只谈客观原因", OFFICE, later(3))
    return analysis


def resubmit(analysis: SelfAnalysis) -> None:
    analysis.submit(
        BUREAU,
        UNIT,
        CLERK,
        YEAR,
        PublicationTarget.OFFICE_BOARD,
        "重新查找：多次推诿群众，纪律松散",
        CLERK,
        later(6),
    )


class TestPublicationTarget:
    @pytest.mark.parametrize(
        ("committee", "head", "target"),
        [
            (True, False, PublicationTarget.WEBSITE),
            (False, True, PublicationTarget.WEBSITE),
            (True, True, PublicationTarget.WEBSITE),
            (False, False, PublicationTarget.OFFICE_BOARD),
        ],
    )
    def test_committee_members_and_unit_heads_go_on_the_website(
        self, committee, head, target
    ):
        assert publication_target(committee, head) is target

    def test_an_accepted_material_is_published_where_its_author_belongs(self):
        analysis = submitted(LEADER, PublicationTarget.WEBSITE)
        analysis.accept(OFFICE, later(2))
        event = analysis.pending()[-1]
        assert isinstance(event, SelfAnalysisAccepted)
        assert event.target is PublicationTarget.WEBSITE


class TestReview:
    def test_a_submitted_material_can_be_accepted(self):
        analysis = submitted()
        analysis.accept(OFFICE, later(2))
        assert analysis.state is AnalysisState.ACCEPTED

    def test_nobody_reviews_their_own_material(self):
        with pytest.raises(ReviewerIsAuthor):
            submitted().accept(CLERK, later(2))

    def test_a_rejection_needs_reasons(self):
        with pytest.raises(ReasonRequired):
            submitted().reject_as_evasive("", OFFICE, later(2))

    def test_one_material_per_person_and_year(self):
        with pytest.raises(AlreadyExists):
            resubmit(submitted())
        with pytest.raises(InvalidInput):
            SelfAnalysis("other-id").submit(
                BUREAU,
                UNIT,
                CLERK,
                YEAR,
                PublicationTarget.OFFICE_BOARD,
                "x",
                CLERK,
                later(1),
            )

    def test_an_accepted_material_cannot_be_reviewed_again(self):
        analysis = submitted()
        analysis.accept(OFFICE, later(2))
        with pytest.raises(IllegalTransition):
            analysis.reject_as_evasive("迟到的退回", OFFICE, later(3))


class TestEvasiveMaterial:
    def test_an_evasive_material_needs_a_self_criticism_before_resubmission(self):
        with pytest.raises(SelfCriticismRequired):
            resubmit(rejected())

    def test_after_a_self_criticism_the_material_is_redone_and_reviewed(self):
        analysis = rejected()
        analysis.file_self_criticism("书面检查：态度不端正", CLERK, later(5))
        resubmit(analysis)
        event = analysis.pending()[-1]
        assert isinstance(event, SelfAnalysisSubmitted) and event.resubmission
        analysis.accept(OFFICE, later(7))
        assert analysis.state is AnalysisState.ACCEPTED
        assert analysis.rejections == 1

    def test_a_second_rejection_needs_a_second_self_criticism(self):
        analysis = rejected()
        analysis.file_self_criticism("书面检查", CLERK, later(5))
        resubmit(analysis)
        analysis.reject_as_evasive("仍然敷衍应付", OFFICE, later(7))
        with pytest.raises(SelfCriticismRequired):
            resubmit(analysis)

    def test_only_the_author_files_the_self_criticism(self):
        with pytest.raises(InvalidInput):
            rejected().file_self_criticism("代写", OFFICE, later(5))

    def test_a_self_criticism_is_only_for_a_rejected_material(self):
        with pytest.raises(IllegalTransition):
            submitted().file_self_criticism("书面检查", CLERK, later(5))
