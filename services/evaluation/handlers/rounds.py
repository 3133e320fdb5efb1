"""Rounds: open, vote, close and tally — the anonymity lives here and in the domain.

A vote is two appends and no fold of the round's history: the sealed ballot goes to
`ballot_box-<round>` with a neutral envelope (actor "anonymous", a fresh correlation
id, a random event id), then "voter X has voted" goes to the voter's roll shard at its
expected version. The ballot is written first so that no participation can exist
without its ballot; a ballot whose participation is refused (a second vote, a vote
that lost the race with the close) is discarded at close, matched by receipt.
"""

from __future__ import annotations

import random
import secrets
import time
import uuid
from collections.abc import Callable

from eventing.aggregate import CommandContext
from eventing.errors import WrongExpectedVersion
from eventing.events import Metadata
from services.common.errors import Conflict, InvalidInput, NotFound
from services.evaluation import commands as c
from services.evaluation import views
from services.evaluation.domain import (
    Count,
    EvaluationRound,
    RollShard,
    RoundDefinition,
    RoundKind,
    Subject,
    SubjectKind,
    Talk,
    shard_id,
    shard_of,
)
from services.evaluation.domain import ballot as b
from services.evaluation.domain.errors import (
    BallotBoxUnavailable,
    NotInElectorate,
    RoundAlreadyClosed,
)
from services.evaluation.domain.events import (
    BallotSealed,
    RoundOpened,
    TalkRequired,
    registry,
)
from services.evaluation.domain.tally import Choice
from services.evaluation.handlers.base import SERVICE, Answer, EvaluationBase

SHARDS = 32
ANONYMOUS = "anonymous"
VOTE_RETRIES = 40  # a shard taken by other votes meanwhile: reload, try again


def box_stream(round_id: str, box: int) -> str:
    """One of a round's ballot boxes: a ballot goes to one drawn at random (never one
    derived from the voter), so concurrent votes rarely contend on one stream."""
    return f"ballot_box-{round_id}.{box}"


class RoundHandlers(EvaluationBase):
    """Open, vote, close, read."""

    # -- open ---------------------------------------------------------------------

    def open_round(self, cmd: c.OpenRound, ctx: CommandContext) -> Answer:
        bureau = self.bureau_of(ctx)
        actor = self.actor_of(ctx)
        subjects = self._resolve(bureau, cmd.subjects)
        rules = self.evaluation_settings(bureau, cmd.year)
        weights = {
            str(k): str(self.exact(v))
            for k, v in (rules.get("constituency_weights") or {}).items()
        }
        round_id = self.new_id()
        self.keys.create(round_id)
        opened = RoundOpened(
            round_id,
            bureau,
            cmd.year,
            cmd.kind.value,
            cmd.title,
            cmd.opens_at,
            cmd.closes_at,
            [s.to_dict() for s in subjects],
            [[voter, group] for voter, group in cmd.electorate],
            weights,
            str(self.exact(rules["threshold"])),
            int(rules["min_ballots"]),
            int(rules["talk_working_days"]),
            SHARDS,
            b.ballot_bytes(len(subjects)),
            actor,
            self.clock(),
        )

        def open_it(r: EvaluationRound) -> EvaluationRound:
            r.open(opened)
            return r

        found, _ = self.rounds.execute(round_id, open_it, ctx)
        return views.round_summary(found)

    def _resolve(self, bureau: str, given: tuple[c.SubjectInput, ...]) -> list[Subject]:
        """Subjects with their unit, who answers for them, and their unit's head."""
        subjects, unknown = [], {}
        for i, s in enumerate(given):
            unit_id = s.unit_id
            if s.person_id:
                person = self.org.person(bureau, s.person_id)
                if person is None:
                    unknown[f"subjects[{i}].person_id"] = "unknown"
                    continue
                unit_id = person.unit_id
            unit = self.org.unit(bureau, unit_id or "")
            if unit is None:
                unknown[f"subjects[{i}].unit_id"] = "unknown"
                continue
            answerable = unit.head_id if s.kind is SubjectKind.TEAM else s.person_id
            if s.kind is SubjectKind.UNIT:
                answerable = unit.head_id
            subjects.append(
                Subject(
                    s.subject_id,
                    s.kind,
                    unit.unit_id,
                    s.person_id,
                    answerable,
                    unit.head_id,
                    s.name,
                )
            )
        if unknown:
            raise InvalidInput(fields=unknown)
        return subjects

    # -- vote ---------------------------------------------------------------------

    def vote(self, cmd: c.CastVote, ctx: CommandContext) -> Answer:
        bureau = self.bureau_of(ctx)
        voter = self.actor_of(ctx)
        d = self._definition(cmd.round_id, ctx)
        d.check_window(self.clock())
        constituency = d.electorate.get(voter)
        if constituency is None:
            raise NotInElectorate(round_id=d.round_id)
        choices = self._choices(d, cmd)
        repo = self.shards
        shard = self._shard(shard_id(d.round_id, shard_of(d.round_id, voter, d.shards)))
        shard.admit(d.round_id, voter)  # refused before a ballot is even written
        receipt = b.new_receipt()
        self._drop_in_box(d, bureau, b.PlainBallot(receipt, constituency, choices))
        on = self.today()
        for _ in range(VOTE_RETRIES):
            shard.participate(d.round_id, bureau, voter, b.receipt_digest(receipt), on)
            try:
                repo.save(shard, ctx)
                break
            except WrongExpectedVersion:
                # another vote or the close came first; a little jitter so the
                # same voters do not collide again at once
                time.sleep(random.uniform(0, 0.003))
                shard = self._shard(shard.id)
        else:  # pragma: no cover - only under extreme contention on one shard
            raise Conflict(reason="the roll was busy; the vote was not counted")
        return {"round_id": d.round_id, "voted": True, "on": on.isoformat()}

    def _shard(self, id: str) -> RollShard:
        """The roll shard, caught up from this process's last look at it: a vote
        reads only the participations appended since (not the shard's history).
        The voters and the closed flag only; the close loads shards whole."""
        shard = RollShard(id)
        seen = self.definitions.shard(id)
        if seen is not None:
            shard.version, voters, shard.closed = seen
            shard.voters = set(voters)
        envelopes = self.store.read_stream(shard.stream, shard.version + 1)
        for envelope in envelopes:
            shard.apply(registry.decode(envelope))
        shard.version += len(envelopes)
        self.definitions.remember_shard(
            id, (shard.version, frozenset(shard.voters), shard.closed)
        )
        return shard

    def _definition(self, round_id: str, ctx: CommandContext) -> RoundDefinition:
        d = self.definitions.get(round_id)
        if d is None:
            d = self.round_in_bureau(round_id, ctx).definition
            assert d is not None  # round_in_bureau refuses an unopened round
        if d.bureau_id != self.bureau_of(ctx):
            raise NotFound(kind="round", id=round_id)
        return d

    @staticmethod
    def _choices(d: RoundDefinition, cmd: c.CastVote) -> dict[str, Choice]:
        """Choices keyed by the subject's index; unknown subjects and misplaced or
        missing scores refused (a staff round scores every choice, others none)."""
        index = {s: str(i) for i, s in enumerate(d.subject_ids)}
        scored = d.kind is RoundKind.STAFF
        bad: dict[str, str] = {}
        choices: dict[str, Choice] = {}
        for i, choice in enumerate(cmd.choices):
            at = f"choices[{i}]."
            if choice.subject_id not in index:
                bad[at + "subject_id"] = "unknown"
            if scored and choice.score is None:
                bad[at + "score"] = "required"
            if not scored and choice.score is not None:
                bad[at + "score"] = "not_allowed"
            if choice.subject_id in index:
                key = index[choice.subject_id]
                choices[key] = Choice(choice.option, choice.score, choice.comment)
        if bad:
            raise InvalidInput(fields=bad)
        return choices

    def _drop_in_box(
        self, d: RoundDefinition, bureau: str, plain: b.PlainBallot
    ) -> None:
        key = self.keys.get(d.round_id)
        if key is None:
            raise BallotBoxUnavailable(round_id=d.round_id)
        raw = b.encode(plain, d.ballot_bytes)
        if raw is None:
            raise InvalidInput(fields={"choices.comment": "too_long"})
        sealed = b.seal(key, d.round_id, raw)
        event = BallotSealed(d.round_id, bureau, sealed.nonce, sealed.ciphertext)
        # A neutral envelope: no voter, no request's correlation id, a random id.
        self.store.append(
            box_stream(d.round_id, secrets.randbelow(d.shards)),
            [registry.to_new_event(event)],
            None,
            Metadata(
                service=SERVICE,
                bureau_id=bureau,
                actor=ANONYMOUS,
                correlation_id=str(uuid.uuid4()),
            ),
        )

    # -- close --------------------------------------------------------------------

    def close_round(self, cmd: c.RoundRef, ctx: CommandContext) -> Answer:
        """Close, fence the roll, open the box, tally, require talks, destroy the key.
        Closing a round whose close was interrupted resumes it; closing a tallied
        round is refused (after making sure its talks exist)."""
        found = self.round_in_bureau(cmd.round_id, ctx)
        d = found.definition
        assert d is not None
        actor = self.actor_of(ctx)
        if found.tallied is not None:
            self._follow_up(found, ctx)
            raise RoundAlreadyClosed(round_id=d.round_id)
        self.rounds.execute(d.round_id, lambda r: r.close(actor, self.clock()), ctx)

        def fence(shard: RollShard) -> RollShard:
            shard.close(d.round_id, d.bureau_id)
            return shard

        shards = [
            self.shards.execute(shard_id(d.round_id, n), fence, ctx)[0]
            for n in range(d.shards)
        ]
        count = self._count(d, shards)
        today = self.today()
        due_on = self.working_days_after(today, d.talk_working_days)

        def tally(r: EvaluationRound) -> EvaluationRound:
            r.record_tally(count, today, due_on)
            return r

        tallied, _ = self.rounds.execute(d.round_id, tally, ctx)
        self._follow_up(tallied, ctx)
        return views.round_results(tallied)

    def _count(self, d: RoundDefinition, shards: list[RollShard]) -> Count:
        digests = {digest for s in shards for digest in s.digests}
        returned = sum(len(s.voters) for s in shards)
        box = [
            envelope
            for n in range(d.shards)
            for envelope in self.store.read_stream(box_stream(d.round_id, n))
        ]
        key = self.keys.get(d.round_id)
        if key is None and box:
            raise BallotBoxUnavailable(round_id=d.round_id)
        counted, used = [], set()
        for envelope in box:
            event = registry.decode(envelope)
            assert isinstance(event, BallotSealed)
            raw = b.unseal(
                key or b"", d.round_id, b.Sealed(event.nonce, event.ciphertext)
            )
            if raw is None:
                continue
            plain = b.decode(raw)
            digest = b.receipt_digest(plain.receipt)
            if digest in digests and digest not in used:
                used.add(digest)
                counted.append(b.opened(plain, d.subject_ids))
        random.SystemRandom().shuffle(counted)
        return Count(returned, len(box), counted)

    def _follow_up(self, tallied: EvaluationRound, ctx: CommandContext) -> None:
        """Every talk the tally requires exists; the round's key is destroyed."""
        d = tallied.definition
        assert d is not None
        now = self.clock()
        wanted: list[TalkRequired] = [
            TalkRequired(
                a.talk_id, d.bureau_id, "admonishment", a.person_id, "district",
                a.unit_id,
                f"「一般」「较差」票占有效票 {a.share}，超过 {a.threshold}",
                d.round_id, a.due_on, self.actor_of(ctx), now,
            )
            for a in tallied.admonishments
        ] + [
            TalkRequired(
                f.talk_id, d.bureau_id, "head_talk", f.person_id,
                f.head_id or "unit_head", f.unit_id,
                f"评议得分最低（{f.mean_score}）", d.round_id, f.due_on,
                self.actor_of(ctx), now,
            )
            for f in tallied.flagged
        ]  # fmt: skip
        for required in wanted:
            self.talks.execute(required.talk_id, _requiring(required), ctx)
        self.keys.destroy(d.round_id, now)

    # -- read ---------------------------------------------------------------------

    def get_round(self, cmd: c.RoundRef, ctx: CommandContext) -> Answer:
        found = self.round_in_bureau(cmd.round_id, ctx)
        answer = views.round_summary(found)
        if found.tallied is not None:
            answer.update(views.round_results(found))
        return answer

    def participation(self, cmd: c.RoundRef, ctx: CommandContext) -> Answer:
        """How many have voted, and whether the caller has; never how."""
        d = self.round_in_bureau(cmd.round_id, ctx).definition
        assert d is not None
        shards = [self.shards.load(shard_id(d.round_id, n)) for n in range(d.shards)]
        return {
            "round_id": d.round_id,
            "issued": len(d.electorate),
            "returned": sum(len(s.voters) for s in shards),
            "you_voted": any(ctx.actor in s.voters for s in shards),
            "eligible": ctx.actor in d.electorate,
        }

    def attach_duty_report(
        self, cmd: c.AttachDutyReport, ctx: CommandContext
    ) -> Answer:
        found = self.round_in_bureau(cmd.round_id, ctx)
        d = found.definition
        assert d is not None
        if d.kind is not RoundKind.STAFF:
            raise InvalidInput(fields={"round_id": "not_allowed"})
        if self.org.person(d.bureau_id, cmd.person_id) is None:
            raise InvalidInput(fields={"person_id": "unknown"})
        actor = self.actor_of(ctx)
        now = self.clock()
        self.rounds.execute(
            d.round_id,
            lambda r: r.attach_duty_report(
                cmd.person_id, cmd.title, cmd.summary, actor, now
            ),
            ctx,
        )
        return {"round_id": d.round_id, "person_id": cmd.person_id, "attached": True}


def _requiring(required: TalkRequired) -> Callable[[Talk], None]:
    def require(talk: Talk) -> None:
        if talk.required is None:
            talk.require(required)

    return require
