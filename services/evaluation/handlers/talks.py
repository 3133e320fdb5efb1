"""Talks (约谈, 诫勉谈话): required by a rule or by hand, held, overdue when late."""

from __future__ import annotations

from eventing.aggregate import CommandContext
from services.common.errors import NotFound
from services.common.validation import not_after
from services.evaluation import commands as c
from services.evaluation import views
from services.evaluation.domain import Talk
from services.evaluation.domain.errors import TalkOfYourOwn
from services.evaluation.domain.events import TalkRequired
from services.evaluation.handlers.base import Answer, EvaluationBase

SCHEDULER = "service:evaluation"


class TalkHandlers(EvaluationBase):
    """Require, hold and list talks; due by default in the campaign's working days."""

    def require_talk(self, cmd: c.RequireTalk, ctx: CommandContext) -> Answer:
        bureau = self.bureau_of(ctx)
        actor = self.actor_of(ctx)
        now = self.clock()
        today = self.today()
        due_on = cmd.due_on or self.working_days_after(
            today,
            int(self.evaluation_settings(bureau, today.year)["talk_working_days"]),
        )
        talk_id = self.new_id()
        required = TalkRequired(
            talk_id,
            bureau,
            cmd.kind.value,
            cmd.person_id,
            cmd.held_by,
            cmd.unit_id,
            cmd.reason,
            cmd.source_id,
            due_on,
            actor,
            now,
        )

        def require(talk: Talk) -> Talk:
            talk.require(required)
            return talk

        talk, _ = self.talks.execute(talk_id, require, ctx)
        return views.talk(talk, today)

    def hold_talk(self, cmd: c.HoldTalk, ctx: CommandContext) -> Answer:
        found = self._talk(cmd.talk_id, ctx)
        actor = self.actor_of(ctx)
        now = self.clock()
        if found.required is not None and actor == found.required.person_id:
            # the admonished cadre does not record their own talk as held
            raise TalkOfYourOwn(talk_id=cmd.talk_id)
        not_after(self.today(), held_on=cmd.held_on)

        def hold(talk: Talk) -> Talk:
            talk.hold(cmd.held_on, actor, cmd.record, actor, now)
            return talk

        talk, _ = self.talks.execute(cmd.talk_id, hold, ctx)
        return views.talk(talk, self.today())

    def get_talk(self, talk_id: str, ctx: CommandContext) -> Answer:
        return views.talk(self._talk(talk_id, ctx), self.today())

    def list_talks(self, overdue_only: bool, ctx: CommandContext) -> Answer:
        """Every talk of the bureau (oldest first), each marked overdue when late."""
        bureau = self.bureau_of(ctx)
        today = self.today()
        ids = [
            e.stream.split("-", 1)[1]
            for e in self.events([Talk.category], bureau)
            if e.version == 1
        ]
        talks = [views.talk(self.talks.load(i), today) for i in ids]
        if overdue_only:
            talks = [t for t in talks if t["overdue"] and t["state"] != "held"]
        return {
            "today": today.isoformat(),
            "talks": talks,
            "overdue": sum(1 for t in talks if t["state"] == "overdue"),
        }

    def mark_overdue_talks(self) -> Answer:
        """For every bureau: record TalkBecameOverdue, once, for each talk not held
        by its due day (the scheduler's job; idempotent)."""
        today = self.today()
        marked: list[str] = []
        after = 0
        pending: dict[str, str] = {}
        while batch := self.store.read_all(after, categories=[Talk.category]):
            for e in batch:
                if e.type == "TalkRequired":
                    pending[e.stream.split("-", 1)[1]] = e.bureau_id or ""
                elif e.type in ("TalkHeld", "TalkBecameOverdue"):
                    pending.pop(e.stream.split("-", 1)[1], None)
            after = batch[-1].position
        for talk_id, bureau in pending.items():
            ctx = CommandContext(bureau_id=bureau, actor=SCHEDULER)

            def mark(talk: Talk) -> bool:
                return talk.mark_overdue(today)

            done, _ = self.talks.execute(talk_id, mark, ctx)
            if done:
                marked.append(talk_id)
        return {"today": today.isoformat(), "marked_overdue": marked}

    def _talk(self, talk_id: str, ctx: CommandContext) -> Talk:
        talk = self.talks.load(talk_id)
        if talk.required is None or talk.bureau_id != self.bureau_of(ctx):
            raise NotFound(kind="talk", id=talk_id)
        return talk
