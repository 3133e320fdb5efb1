"""Every command refuses bad input at once, naming each bad field."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidInput
from services.evaluation import commands as c

ROUND = {
    "kind": "leadership",
    "title": "班子评议",
    "year": 2026,
    "opens_at": "2026-11-02T09:00:00+08:00",
    "closes_at": "2026-11-06T17:00:00+08:00",
    "subjects": [{"kind": "team", "unit_id": "b01.u001"}],
    "electorate": [{"voter_id": "b01.001002", "constituency": "staff"}],
}


def refused(parse, payload) -> dict[str, str]:
    with pytest.raises(InvalidInput) as error:
        parse(payload)
    return error.value.details["fields"]


class TestOpeningARound:
    def test_a_good_round_parses(self):
        cmd = c.OpenRound.parse(ROUND)
        assert cmd.subjects[0].subject_id == "b01.u001"
        assert cmd.electorate == (("b01.001002", "staff"),)

    def test_a_window_that_closes_before_it_opens_is_refused(self):
        fields = refused(c.OpenRound.parse, {**ROUND, "closes_at": ROUND["opens_at"]})
        assert fields == {"closes_at": "out_of_range"}

    def test_a_time_without_its_zone_is_refused(self):
        fields = refused(c.OpenRound.parse, {**ROUND, "opens_at": "2026-11-02T09:00"})
        assert fields == {"opens_at": "bad_format"}

    def test_a_subject_of_the_wrong_kind_for_the_round_is_refused(self):
        payload = {**ROUND, "subjects": [{"kind": "staff", "person_id": "b01.001003"}]}
        assert refused(c.OpenRound.parse, payload) == {
            "subjects[0].kind": "not_allowed"
        }

    def test_a_voter_twice_or_an_unknown_constituency_is_refused(self):
        payload = {
            **ROUND,
            "electorate": [
                {"voter_id": "v1", "constituency": "staff"},
                {"voter_id": "v1", "constituency": "staff"},
                {"voter_id": "v2", "constituency": "friends"},
            ],
        }
        assert refused(c.OpenRound.parse, payload) == {
            "electorate[1].voter_id": "duplicate",
            "electorate[2].constituency": "not_allowed",
        }

    def test_an_empty_electorate_is_refused(self):
        assert refused(c.OpenRound.parse, {**ROUND, "electorate": []}) == {
            "electorate": "required"
        }


class TestCastingAVote:
    def test_a_score_out_of_range_and_a_long_comment_are_refused(self):
        payload = {
            "round_id": "r1",
            "choices": [
                {"subject_id": "s1", "option": "good", "score": 101},
                {"subject_id": "s2", "option": "good", "comment": "长" * 201},
            ],
        }
        assert refused(c.CastVote.parse, payload) == {
            "choices[0].score": "out_of_range",
            "choices[1].comment": "too_long",
        }

    def test_the_same_subject_twice_is_refused(self):
        choice = {"subject_id": "s1", "option": "good"}
        payload = {"round_id": "r1", "choices": [choice, choice]}
        assert refused(c.CastVote.parse, payload) == {
            "choices[1].subject_id": "duplicate"
        }


class TestTalks:
    def test_a_talk_needs_who_with_whom_and_why(self):
        assert set(refused(c.RequireTalk.parse, {"kind": "chat"})) == {
            "kind",
            "person_id",
            "held_by",
            "reason",
            "source_id",
        }
