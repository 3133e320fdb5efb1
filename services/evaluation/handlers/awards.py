"""Institutional innovations (submitted from June, reviewed, selected with ranks at
year end) and model windows / offices (nominated, awarded)."""

from __future__ import annotations

from eventing.aggregate import CommandContext
from services.common.errors import InvalidInput, NotFound
from services.evaluation import record_commands as c
from services.evaluation.domain.events import InnovationSubmitted, ModelNominated
from services.evaluation.domain.innovation import (
    Innovation,
    InnovationSelection,
    ModelNomination,
)
from services.evaluation.handlers.base import Answer, EvaluationBase


def innovation_view(i: Innovation) -> Answer:
    s = i.submitted
    assert s is not None
    return {
        "innovation_id": i.id,
        "unit_id": s.unit_id,
        "year": s.year,
        "title": s.title,
        "summary": s.summary,
        "submitted_on": s.submitted_on.isoformat(),
        "state": i.verdict or "submitted",
    }


class AwardHandlers(EvaluationBase):
    """Innovations and model windows / offices."""

    def submit_innovation(self, cmd: c.SubmitInnovation, ctx: CommandContext) -> Answer:
        bureau = self.bureau_of(ctx)
        if self.org.unit(bureau, cmd.unit_id) is None:
            raise InvalidInput(fields={"unit_id": "unknown"})
        innovation_id = self.new_id()
        submitted = InnovationSubmitted(
            innovation_id,
            bureau,
            cmd.unit_id,
            cmd.year,
            cmd.title,
            cmd.summary,
            self.today(),
            self.actor_of(ctx),
            self.clock(),
        )

        def submit(i: Innovation) -> Innovation:
            i.submit(submitted)
            return i

        found, _ = self.innovations.execute(innovation_id, submit, ctx)
        return innovation_view(found)

    def review_innovation(self, cmd: c.ReviewInnovation, ctx: CommandContext) -> Answer:
        self._innovation(cmd.innovation_id, ctx)
        actor = self.actor_of(ctx)
        now = self.clock()

        def review(i: Innovation) -> Innovation:
            i.review(cmd.verdict, cmd.remarks, actor, now)
            return i

        found, _ = self.innovations.execute(cmd.innovation_id, review, ctx)
        return innovation_view(found)

    def select_innovations(
        self, cmd: c.SelectInnovations, ctx: CommandContext
    ) -> Answer:
        bureau = self.bureau_of(ctx)
        ranked = [self._innovation(i, ctx) for i in cmd.ranked]
        if any(i.submitted and i.submitted.year != cmd.year for i in ranked):
            raise InvalidInput(fields={"ranked": "not_allowed"})
        actor = self.actor_of(ctx)
        now = self.clock()

        def select(s: InnovationSelection) -> InnovationSelection:
            s.select(bureau, cmd.year, ranked, actor, now)
            return s

        selection, _ = self.selections.execute(f"{bureau}.{cmd.year}", select, ctx)
        assert selection.selected is not None
        return {
            "year": cmd.year,
            "ranked": [
                {"innovation_id": i, "unit_id": u, "rank": int(r)}
                for i, u, r in selection.selected.ranked
            ],
        }

    def list_innovations(self, year: int, ctx: CommandContext) -> Answer:
        bureau = self.bureau_of(ctx)
        found = [
            self.innovations.load(i)
            for i in self.stream_ids(Innovation.category, bureau)
        ]
        selection = self.selections.load(f"{bureau}.{year}").selected
        return {
            "year": year,
            "innovations": [
                innovation_view(i)
                for i in found
                if i.submitted and i.submitted.year == year
            ],
            "selected": [
                {"innovation_id": i, "unit_id": u, "rank": int(r)}
                for i, u, r in (selection.ranked if selection else [])
            ],
        }

    def nominate_model(self, cmd: c.NominateModel, ctx: CommandContext) -> Answer:
        bureau = self.bureau_of(ctx)
        if self.org.unit(bureau, cmd.unit_id) is None:
            raise InvalidInput(fields={"unit_id": "unknown"})
        nomination_id = self.new_id()
        nominated = ModelNominated(
            nomination_id,
            bureau,
            cmd.unit_id,
            cmd.year,
            cmd.kind,
            cmd.reason,
            self.actor_of(ctx),
            self.clock(),
        )

        def nominate(n: ModelNomination) -> ModelNomination:
            n.nominate(nominated)
            return n

        found, _ = self.nominations.execute(nomination_id, nominate, ctx)
        return self._nomination_view(found)

    def award_model(self, nomination_id: str, ctx: CommandContext) -> Answer:
        found = self.nominations.load(nomination_id)
        if found.nominated is None or found.bureau_id != self.bureau_of(ctx):
            raise NotFound(kind="nomination", id=nomination_id)
        actor = self.actor_of(ctx)
        now = self.clock()

        def award(n: ModelNomination) -> ModelNomination:
            n.award(actor, now)
            return n

        awarded, _ = self.nominations.execute(nomination_id, award, ctx)
        return self._nomination_view(awarded)

    @staticmethod
    def _nomination_view(n: ModelNomination) -> Answer:
        nominated = n.nominated
        assert nominated is not None
        return {
            "nomination_id": n.id,
            "unit_id": nominated.unit_id,
            "year": nominated.year,
            "kind": nominated.kind,
            "reason": nominated.reason,
            "awarded": n.awarded is not None,
        }

    def _innovation(self, innovation_id: str, ctx: CommandContext) -> Innovation:
        found = self.innovations.load(innovation_id)
        if found.submitted is None or found.bureau_id != self.bureau_of(ctx):
            raise NotFound(kind="innovation", id=innovation_id)
        return found
