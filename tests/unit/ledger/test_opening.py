"""Opening a ledger item: from any of the nine channels, each rule a typed error."""

from __future__ import annotations

import uuid

import pytest

from eventing.aggregate import CommandContext, Repository
from eventing.store.memory import MemoryEventStore
from services.common.errors import InvalidInput
from services.ledger.domain import (
    LedgerItem,
    item_id_for_complaint,
    item_id_for_survey,
    registry,
)
from services.ledger.domain.errors import (
    AlreadyExists,
    CheckDimensionNotApplicable,
    CheckDimensionRequired,
    PersonNotApplicable,
    PersonRequired,
)
from services.ledger.domain.events import ItemOpened
from services.ledger.domain.model import (
    Category,
    Evidence,
    ItemState,
    Level,
    Source,
)
from tests.unit.ledger.factory import (
    AT,
    BUREAU,
    CLERK,
    FOUND_ON,
    INFO_OFFICER,
    UNIT,
    about_the_clerk,
    closed,
    opened,
    opening,
)


class TestOpening:
    def test_an_opened_item_is_being_rectified(self):
        item = opened()
        assert item.state is ItemState.OPEN
        (event,) = item.pending()
        assert isinstance(event, ItemOpened)
        assert event.found_on == FOUND_ON and event.unit_id == UNIT

    @pytest.mark.parametrize(
        "source", [s for s in Source if s is not Source.SELF_INSPECTION]
    )
    def test_every_channel_but_self_inspection_opens_without_a_check_dimension(
        self, source
    ):
        item = opened(source=source, check_dimension=None)
        assert item.source is source

    def test_a_self_inspection_problem_needs_its_check_dimension(self):
        with pytest.raises(CheckDimensionRequired):
            opened(check_dimension=None)

    def test_a_check_dimension_outside_self_inspection_is_refused(self):
        with pytest.raises(CheckDimensionNotApplicable):
            opened(source=Source.SPOT_CHECK)

    def test_an_individual_item_needs_the_person(self):
        with pytest.raises(PersonRequired):
            opened(level=Level.INDIVIDUAL)

    def test_a_unit_item_names_no_person(self):
        with pytest.raises(PersonNotApplicable):
            opened(person_id=CLERK)

    def test_an_individual_item_is_about_its_person(self):
        assert about_the_clerk().person_id == CLERK

    def test_an_empty_description_is_refused(self):
        with pytest.raises(InvalidInput) as caught:
            opened(description="   ")
        assert caught.value.details["fields"] == {"description": "required"}

    def test_an_item_opens_only_once(self):
        item = opened()
        with pytest.raises(AlreadyExists):
            item.open(opening(), INFO_OFFICER, AT)

    def test_errors_speak_both_languages(self):
        with pytest.raises(CheckDimensionRequired) as caught:
            opened(check_dimension=None)
        assert "五查五看" in caught.value.message("zh-CN")
        assert "check dimension" in caught.value.message("en")

    def test_every_event_survives_the_event_store(self):
        item = closed(
            opened(evidence=(Evidence("photo.jpg", "image/jpeg", 2048, "ab" * 32),))
        )
        repository = Repository(MemoryEventStore(), registry, LedgerItem, "ledger")
        repository.save(item, CommandContext(bureau_id=BUREAU, actor=INFO_OFFICER))
        loaded = repository.load(item.id)
        assert loaded.state is ItemState.CLOSED
        assert loaded.measures == item.measures
        assert loaded.deadline == item.deadline
        assert loaded.verified_on == item.verified_on


class TestFromComplaints:
    def open_from(self, item: LedgerItem, complaint_id: str) -> bool:
        return item.open_from_complaint(
            complaint_id,
            BUREAU,
            UNIT,
            Category.SLOW,
            "查实：窗口人员多次要求重复提交材料",
            FOUND_ON,
            "ledger-policy",
            AT,
        )

    def test_the_item_id_of_a_complaint_is_always_the_same(self):
        complaint_id = str(uuid.uuid4())
        assert item_id_for_complaint(complaint_id) == item_id_for_complaint(
            complaint_id
        )
        assert item_id_for_complaint(complaint_id) != item_id_for_complaint(
            str(uuid.uuid4())
        )

    def test_a_substantiated_complaint_opens_one_unit_item(self):
        complaint_id = str(uuid.uuid4())
        item = LedgerItem(item_id_for_complaint(complaint_id))
        assert self.open_from(item, complaint_id)
        assert item.source is Source.COMPLAINT
        assert item.reference == complaint_id
        assert item.level is Level.UNIT

    def test_a_redelivered_complaint_changes_nothing(self):
        complaint_id = str(uuid.uuid4())
        item = LedgerItem(item_id_for_complaint(complaint_id))
        self.open_from(item, complaint_id)
        assert not self.open_from(item, complaint_id)
        assert len(item.pending()) == 1

    def test_a_complaint_cannot_open_an_item_under_another_id(self):
        with pytest.raises(InvalidInput):
            self.open_from(LedgerItem(str(uuid.uuid4())), str(uuid.uuid4()))

    def test_survey_item_ids_differ_per_problem(self):
        survey_id = str(uuid.uuid4())
        assert item_id_for_survey(survey_id, 1) != item_id_for_survey(survey_id, 2)
