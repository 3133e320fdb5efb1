"""Query inputs are checked before any SQL runs: filters, sorts, cursors, limits."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.api.views import wait_seconds
from gateway.queries import common as q
from gateway.queries.ledger_board import FILTERS, SORTS
from services.common.errors import InvalidInput


class TestCursors:
    def test_a_cursor_round_trips_and_is_opaque(self):
        sort = SORTS["-deadline"]
        cursor = q.Cursor("-deadline", ["2026-06-30"], "item-1")
        text = cursor.encode()
        assert "item-1" not in text and "=" not in text
        assert q.Cursor.decode(text, sort) == cursor

    @pytest.mark.parametrize(
        "text",
        ["", "%%%", q.Cursor("deadline", ["x"], "i").encode(),
         q.Cursor("-deadline", [], "i").encode(), "WzEsMiwzXQ"],
    )  # fmt: skip
    def test_a_forged_or_foreign_cursor_is_invalid_input(self, text):
        with pytest.raises(InvalidInput) as error:
            q.Cursor.decode(text, SORTS["-deadline"])
        assert error.value.details["fields"] == {"cursor": "bad_format"}


class TestFilters:
    def test_values_are_parsed_from_query_strings(self):
        given = q.parse_filters(
            {"status": "open,closed", "overdue": "false", "deadline_to": "2026-06-30",
             "unit_id": "zjj.u1", "category": None},
            FILTERS,
        )  # fmt: skip
        assert given == {
            "status": ["open", "closed"],
            "overdue": False,
            "deadline_to": date(2026, 6, 30),
            "unit_id": "zjj.u1",
        }

    @pytest.mark.parametrize(
        ("filters", "reason"),
        [
            ({"status": "open,lost"}, "not_allowed"),
            ({"status": ""}, "not_allowed"),
            ({"overdue": 2}, "not_allowed"),
            ({"deadline_from": "2026-13-01"}, "not_a_date"),
            ({"unit_id": ""}, "required"),
            ({"unit_id": "x" * 201}, "too_long"),
            ({"secret": "1"}, "not_allowed"),
        ],
    )
    def test_bad_values_name_the_field_and_the_reason(self, filters, reason):
        with pytest.raises(InvalidInput) as error:
            q.parse_filters(filters, FILTERS)
        assert list(error.value.details["fields"].values()) == [reason]

    @pytest.mark.parametrize("limit", [0, 201, "ten", True])
    def test_a_limit_outside_1_to_200_is_refused(self, limit):
        with pytest.raises(InvalidInput):
            q.check_limit(limit)

    def test_a_bureau_caller_cannot_widen_its_scope(self):
        assert q.scoped_bureau(q.Scope("zjj"), "zjj") == q.Scope("zjj")
        assert q.scoped_bureau(q.Scope.district(), "jtj") == q.Scope("jtj")
        with pytest.raises(InvalidInput):
            q.scoped_bureau(q.Scope("zjj"), "jtj")


class TestTheReadWaitSetting:
    @pytest.mark.parametrize(
        ("given", "seconds"),
        [(None, 5.0), ("", 5.0), (" ", 5.0), ("0", 0.0), ("0.2", 0.2), ("30", 30.0)],
    )
    def test_unset_is_five_seconds_and_seconds_are_taken_as_given(
        self, given: str | None, seconds: float
    ) -> None:
        assert wait_seconds(given) == seconds

    @pytest.mark.parametrize("given", ["-1", "31", "soon", "nan", "inf"])
    def test_anything_else_is_refused_naming_the_setting(self, given: str) -> None:
        with pytest.raises(ValueError, match="GATEWAY_READ_WAIT_SECONDS"):
            wait_seconds(given)
