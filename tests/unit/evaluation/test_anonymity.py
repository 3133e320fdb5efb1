"""The threat model, tested: given the whole event store — every envelope with its
metadata — after a round has closed, nothing links a ballot's content to its voter."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from services.evaluation.domain import ballot as b
from services.evaluation.domain.events import BallotSealed, registry
from tests.unit.evaluation.factory import World, close, open_round, vote, voters

VOTERS = 40
OPTIONS = ["excellent", "good", "fair", "poor"]


def everything(world: World):
    after, found = 0, []
    while batch := world.store.read_all(after):
        found.extend(batch)
        after = batch[-1].position
    return found


@pytest.fixture
def closed_round():
    """A round where every voter's ballot is distinctive: their own comment text and
    a choice drawn at random; returns the world, the round and what each cast."""
    world = World()
    roll = voters(VOTERS)
    round_id = open_round(world, electorate=roll)["round_id"]
    cast = {}
    rng = random.Random()
    for n, v in enumerate(roll):
        option = rng.choice(OPTIONS)
        comment = f"意见{n:03d}"
        vote(
            world,
            round_id,
            v["voter_id"],
            {"subject_id": "team-u001", "option": option, "comment": comment},
        )
        cast[v["voter_id"]] = (option, comment)
        world.clock.now = world.clock.now.replace(microsecond=n)
    close(world, round_id)
    return world, round_id, cast


class TestTheWholeStoreCannotLinkABallotToItsVoter:
    def test_no_ballot_event_carries_a_voter_id_anywhere(self, closed_round):
        world, _, cast = closed_round
        for envelope in everything(world):
            if envelope.category == "ballot_roll" or envelope.type == "RoundOpened":
                continue  # who voted, and who may: by design
            text = json.dumps(envelope.to_dict(), ensure_ascii=False)
            assert not any(voter in text for voter in cast), envelope.type

    def test_sealed_ballots_share_no_actor_or_correlation_with_participation(
        self, closed_round
    ):
        world, _, _ = closed_round
        envelopes = everything(world)
        box = [e for e in envelopes if e.category == "ballot_box"]
        roll = [e for e in envelopes if e.type == "VoterParticipated"]
        assert len(box) == len(roll) == VOTERS
        assert {e.actor for e in box} == {"anonymous"}
        assert {e.causation_id for e in box} == {None}
        roll_ids = {e.correlation_id for e in roll} | {e.event_id for e in roll}
        assert not roll_ids & {e.correlation_id for e in box}
        assert len({e.correlation_id for e in box}) == VOTERS  # none shared either

    def test_sealed_ballots_all_have_one_size_and_cannot_be_opened(self, closed_round):
        world, round_id, _ = closed_round
        box = [e for e in everything(world) if e.category == "ballot_box"]
        assert len({e.stream for e in box}) > 1  # spread over the round's boxes
        assert len({len(e.data["ciphertext"]) for e in box}) == 1
        assert world.keys.get(round_id) is None  # destroyed at close
        sealed = registry.decode(box[0])
        assert isinstance(sealed, BallotSealed)
        for guess in (b"\0" * 32, bytes(range(32))):
            assert (
                b.unseal(guess, round_id, b.Sealed(sealed.nonce, sealed.ciphertext))
                is None
            )

    def test_participation_records_only_the_day(self, closed_round):
        world, _, _ = closed_round
        for envelope in everything(world):
            if envelope.type == "VoterParticipated":
                assert set(envelope.data) == {
                    "round_id",
                    "bureau_id",
                    "voter_id",
                    "receipt_digest",
                    "on",
                }
                assert len(envelope.data["on"]) == 10  # YYYY-MM-DD

    def test_an_attacker_matching_by_order_does_no_better_than_chance(
        self, closed_round
    ):
        """The only per-ballot content after close is the comments, shuffled; guess
        each comment's voter by order of participation (the best order attack)."""
        world, _, cast = closed_round
        envelopes = everything(world)
        order = [e.data["voter_id"] for e in envelopes if e.type == "VoterParticipated"]
        released = [
            comment
            for e in envelopes
            if e.type == "CommentsReleased"
            for comment in e.data["comments"]
        ]
        assert sorted(released) == sorted(comment for _, comment in cast.values())
        hits = sum(
            cast[voter][1] == comment
            for voter, comment in zip(order, released, strict=True)
        )
        # By chance one hit is expected; 8 or more has probability < 1e-5.
        assert hits < 8

    def test_the_tally_keeps_counts_but_no_ballot(self, closed_round):
        world, _, cast = closed_round
        [tallied] = [e for e in everything(world) if e.type == "RoundTallied"]
        [team] = [s for s in tallied.data["subjects"] if s["subject_id"] == "team-u001"]
        assert team["counts"] == dict(Counter(option for option, _ in cast.values()))
        assert "ballots" not in tallied.data


class TestTinyElectorates:
    def test_results_under_the_minimum_are_not_stored_at_all(self):
        world = World()
        roll = voters(4)
        round_id = open_round(world, electorate=roll)["round_id"]
        for v in roll:
            vote(
                world,
                round_id,
                v["voter_id"],
                {"subject_id": "team-u001", "option": "poor"},
            )
        result = close(world, round_id)
        [team] = [r for r in result["results"] if r["subject_id"] == "team-u001"]
        assert team["published"] is False
        assert team["withheld_reason"] == "below_min_ballots"
        assert result["admonishments"] == []
        for envelope in everything(world):
            assert "poor" not in json.dumps(envelope.data)
