"""RollShard: one shard of a round's roll — who has voted, nothing of how.

A round's roll is split over a few streams (`ballot_roll-<round>.<n>`, the shard by a
hash of the voter) so that concurrent votes rarely contend; each vote appends one
participation at the shard's expected version. The close appends `RollClosed` to
every shard: a vote that loaded a shard before that append loses the race, reloads,
finds the roll closed and is refused — so every vote is either counted or refused.
"""

from __future__ import annotations

import hashlib
from datetime import date

from eventing.aggregate import Aggregate, DomainEvent
from services.evaluation.domain.errors import AlreadyVoted, VotingClosed
from services.evaluation.domain.events import RollClosed, VoterParticipated


def shard_of(round_id: str, voter_id: str, shards: int) -> int:
    digest = hashlib.sha256(f"{round_id}/{voter_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % shards


def shard_id(round_id: str, shard: int) -> str:
    return f"{round_id}.{shard}"


class RollShard(Aggregate):
    """Participation of the voters hashed to one shard of a round."""

    category = "ballot_roll"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.voters: set[str] = set()
        self.digests: list[str] = []
        self.closed = False

    def admit(self, round_id: str, voter_id: str) -> None:
        """Refuse a closed roll or a voter who has voted."""
        if self.closed:
            raise VotingClosed(round_id=round_id)
        if voter_id in self.voters:
            raise AlreadyVoted(round_id=round_id)

    def participate(
        self, round_id: str, bureau_id: str, voter_id: str, digest: str, on: date
    ) -> None:
        self.admit(round_id, voter_id)
        self._raise(VoterParticipated(round_id, bureau_id, voter_id, digest, on))

    def close(self, round_id: str, bureau_id: str) -> None:
        if not self.closed:
            self._raise(RollClosed(round_id, bureau_id))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case VoterParticipated():
                self.voters.add(event.voter_id)
                self.digests.append(event.receipt_digest)
            case RollClosed():
                self.closed = True
