"""Voting through the handlers: once per voter, inside the window and the electorate,
every vote at the close either counted or refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eventing.aggregate import CommandContext
from eventing.store.memory import MemoryEventStore
from services.common.errors import InvalidInput, NotFound
from services.evaluation import commands as c
from services.evaluation.domain.errors import (
    AlreadyVoted,
    NotInElectorate,
    RoundAlreadyClosed,
    RoundNotOpenYet,
    VotingClosed,
)
from tests.unit.evaluation.factory import (
    CLOSES,
    OFFICE,
    OPENS,
    OTHER,
    World,
    as_voter,
    close,
    open_round,
    vote,
    voters,
)

GOOD = {"subject_id": "team-u001", "option": "good"}
POOR = {"subject_id": "team-u001", "option": "poor"}


@pytest.fixture
def world() -> World:
    return World()


def opened_with_voters(
    world: World, count: int = 10, **fields
) -> tuple[str, list[str]]:
    roll = voters(count)
    opened = open_round(world, electorate=roll, **fields)
    return opened["round_id"], [v["voter_id"] for v in roll]


class TestOneVotePerVoter:
    def test_a_voter_votes_once_and_is_refused_the_second_time(self, world):
        round_id, voters = opened_with_voters(world)
        assert vote(world, round_id, voters[0], GOOD)["voted"] is True
        with pytest.raises(AlreadyVoted):
            vote(world, round_id, voters[0], POOR)
        result = close(world, round_id)
        assert result["reconciliation"]["returned"] == 1
        assert result["reconciliation"]["counted"] == 1

    def test_a_voter_outside_the_electorate_is_refused(self, world):
        round_id, _ = opened_with_voters(world)
        with pytest.raises(NotInElectorate):
            vote(world, round_id, "b01.001002", GOOD)

    def test_a_voter_of_another_bureau_does_not_find_the_round(self, world):
        round_id, voters = opened_with_voters(world)
        cmd = c.CastVote.parse({"round_id": round_id, "choices": [GOOD]})
        with pytest.raises(NotFound):
            world.handlers.vote(cmd, CommandContext(bureau_id=OTHER, actor=voters[0]))


class TestTheWindow:
    def test_a_vote_before_the_round_opens_is_refused(self, world):
        round_id, voters = opened_with_voters(world)
        world.clock.now = OPENS - timedelta(minutes=1)
        with pytest.raises(RoundNotOpenYet):
            vote(world, round_id, voters[0], GOOD)

    def test_a_vote_at_the_closing_time_is_refused(self, world):
        round_id, voters = opened_with_voters(world)
        world.clock.now = CLOSES
        with pytest.raises(VotingClosed):
            vote(world, round_id, voters[0], GOOD)

    def test_a_vote_after_the_round_was_closed_is_refused(self, world):
        round_id, voters = opened_with_voters(world)
        close(world, round_id)
        with pytest.raises(VotingClosed):
            vote(world, round_id, voters[0], GOOD)


class TestBadBallots:
    def test_an_unknown_option_is_refused(self, world):
        with pytest.raises(InvalidInput) as refused:
            c.CastVote.parse(
                {"round_id": "r1", "choices": [{"subject_id": "x", "option": "meh"}]}
            )
        assert refused.value.details["fields"] == {"choices[0].option": "not_allowed"}

    def test_an_unknown_subject_is_refused_and_nothing_is_recorded(self, world):
        round_id, voters = opened_with_voters(world)
        with pytest.raises(InvalidInput):
            vote(world, round_id, voters[0], {"subject_id": "nobody", "option": "good"})
        vote(world, round_id, voters[0], GOOD)  # the refused one did not count

    def test_a_score_is_refused_outside_a_staff_round(self, world):
        round_id, voters = opened_with_voters(world)
        with pytest.raises(InvalidInput):
            vote(world, round_id, voters[0], {**GOOD, "score": 80})

    def test_a_blank_ballot_is_refused(self, world):
        with pytest.raises(InvalidInput):
            c.CastVote.parse({"round_id": "r1", "choices": []})


class TestClosing:
    def test_closing_twice_is_refused(self, world):
        round_id, _ = opened_with_voters(world)
        close(world, round_id)
        with pytest.raises(RoundAlreadyClosed):
            close(world, round_id)

    def test_a_vote_racing_the_close_is_refused_and_not_counted(self, world):
        round_id, voters = opened_with_voters(world)
        vote(world, round_id, voters[0], GOOD)
        racing = RacingStore(world, round_id)
        world.store = racing
        with pytest.raises(VotingClosed):
            vote(world, round_id, voters[1], POOR)
        world.store = racing.inner
        result = world.handlers.get_round(c.RoundRef(round_id), as_voter(voters[0]))
        assert result["reconciliation"]["returned"] == 1
        assert result["reconciliation"]["counted"] == 1

    def test_an_interrupted_close_resumes(self, world):
        round_id, voters = opened_with_voters(world)
        for voter in voters[:5]:
            vote(world, round_id, voter, POOR)
        handlers = world.handlers
        found = handlers.rounds.load(round_id)
        found.close("b01.009001", world.clock())
        handlers.rounds.save(found, OFFICE)
        result = close(world, round_id)
        assert result["reconciliation"]["counted"] == 5
        assert result["admonishments"][0]["person_id"] == "b01.001001"


class RacingStore(MemoryEventStore):
    """Delegates to a store; the close runs just as the first ballot is appended."""

    def __init__(self, world: World, round_id: str) -> None:
        self.inner = world.store
        self.world = world
        self.round_id = round_id
        self.raced = False

    def append(self, stream, events, expected_version, metadata):
        if stream.startswith("ballot_box-") and not self.raced:
            self.raced = True
            self.world.store = self.inner
            close(self.world, self.round_id)
            self.world.store = self
        return self.inner.append(stream, events, expected_version, metadata)

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def read_stream(self, *args, **kwargs):
        return self.inner.read_stream(*args, **kwargs)

    def read_all(self, *args, **kwargs):
        return self.inner.read_all(*args, **kwargs)

    def stream_version(self, stream):
        return self.inner.stream_version(stream)
