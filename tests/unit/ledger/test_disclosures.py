"""四亮: a service window publishes its four disclosures, and replaces them."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidInput
from services.ledger.domain import WindowDisclosures
from services.ledger.domain.errors import NotAServiceWindow
from services.ledger.domain.events import DisclosurePublished, DisclosureReplaced
from services.ledger.domain.model import DisclosureKind
from tests.unit.ledger.factory import BUREAU, INFO_OFFICER, UNIT, later


def publish(window, kind=DisclosureKind.PROCESS, content="受理—审核—办结，三日内办结"):
    return window.publish(BUREAU, True, kind, content, INFO_OFFICER, later(0))


class TestDisclosures:
    def test_a_first_disclosure_is_published(self):
        window = WindowDisclosures(UNIT)
        assert publish(window)
        (event,) = window.pending()
        assert isinstance(event, DisclosurePublished)
        assert (event.unit_id, event.version) == (UNIT, 1)

    def test_a_new_text_replaces_the_last(self):
        window = WindowDisclosures(UNIT)
        publish(window)
        publish(window, content="受理—办结，当日办结")
        event = window.pending()[-1]
        assert isinstance(event, DisclosureReplaced)
        assert (event.version, event.replaces) == (2, 1)
        assert window.current[DisclosureKind.PROCESS].content == "受理—办结，当日办结"

    def test_the_same_text_again_changes_nothing(self):
        window = WindowDisclosures(UNIT)
        publish(window)
        assert not publish(window)
        assert len(window.pending()) == 1

    def test_all_four_make_the_window_complete(self):
        window = WindowDisclosures(UNIT)
        for kind in DisclosureKind:
            assert not window.complete
            publish(window, kind, f"{kind.value} 内容")
        assert window.complete

    def test_only_a_service_window_discloses(self):
        with pytest.raises(NotAServiceWindow):
            WindowDisclosures(UNIT).publish(
                BUREAU, False, DisclosureKind.DUTIES, "x", INFO_OFFICER, later(0)
            )

    def test_an_empty_disclosure_is_refused(self):
        with pytest.raises(InvalidInput):
            publish(WindowDisclosures(UNIT), content=" ")
