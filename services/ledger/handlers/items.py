"""Ledger items: opening (also from complaints), rectification, verification (销号),
reopening, the escalation run and the item queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from eventing.aggregate import CommandContext
from services.common.errors import NotFound
from services.common.validation import not_after
from services.ledger import commands as c
from services.ledger import views
from services.ledger.domain import (
    EscalationPolicy,
    ItemOpening,
    LedgerItem,
    SupervisorEligibility,
    is_overdue,
    item_id_for_complaint,
)
from services.ledger.domain.model import Category, ItemState, Verdict
from services.ledger.handlers.base import Answer, LedgerBase, Settings

SCHEDULER = "service:ledger-scheduler"


class ItemHandlers(LedgerBase):
    """Every command and query on ledger items."""

    def _on_item(
        self, item_id: str, decide: Callable[[LedgerItem], Any], ctx: CommandContext
    ) -> Answer:
        """Load the item once: check it is the caller's bureau's, decide, save, and
        answer its view from the same aggregate (its new events already applied)."""
        decided: list[LedgerItem] = []

        def checked(item: LedgerItem) -> Any:
            if item.state is ItemState.NEW or item.bureau_id != self._bureau_of(ctx):
                raise NotFound(kind="ledger_item", id=item_id)
            decided[:] = [item]
            return decide(item)

        self._execute(self.items, item_id, checked, ctx)
        return views.item(decided[0], self.today())

    def _supervisor(
        self, leader_id: str, ctx: CommandContext
    ) -> tuple[str, SupervisorEligibility]:
        """The leader's bureau ("" when not of the caller's) and who may supervise:
        the bureau's committee members and unit heads, as the org chart says."""
        bureau = self._bureau_of(ctx)
        leader = self.org.person(bureau, leader_id)
        if leader is None:
            return "", SupervisorEligibility.of(bureau)
        return bureau, SupervisorEligibility.of(
            bureau,
            [leader_id] if leader.committee_member else [],
            [leader_id] if leader.unit_head else [],
        )

    # -- opening ------------------------------------------------------------------

    def open(self, cmd: c.OpenItem, ctx: CommandContext) -> Answer:
        """Enter a problem found through any of the nine channels."""
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        if cmd.unit_id is not None and self.org.unit(bureau, cmd.unit_id) is None:
            raise NotFound(kind="unit", id=cmd.unit_id)
        if cmd.person_id is not None and self.org.person(bureau, cmd.person_id) is None:
            raise NotFound(kind="person", id=cmd.person_id)
        opening = ItemOpening(
            bureau,
            cmd.unit_id,
            cmd.person_id,
            cmd.level,
            cmd.category,
            cmd.check_dimension,
            cmd.source,
            cmd.reference,
            cmd.description,
            cmd.evidence,
            cmd.found_on,
        )
        item_id = self.new_id()
        self._execute(self.items, item_id, lambda i: i.open(opening, actor, now), ctx)
        return self.item(item_id, ctx)

    def open_from_complaint(
        self,
        complaint_id: str,
        unit_id: str | None,
        category: str,
        findings: str,
        substantiated_at: datetime,
        actor: str,
        ctx: CommandContext,
    ) -> bool:
        """A substantiated complaint opens its one item (found on the day it was
        substantiated); a redelivery answers False and writes nothing."""
        bureau = self._bureau_of(ctx)
        found_on = substantiated_at.astimezone(self.zone).date()
        opened: bool = self._execute(
            self.items,
            item_id_for_complaint(complaint_id),
            lambda i: i.open_from_complaint(
                complaint_id,
                bureau,
                unit_id,
                Category(category),
                findings,
                found_on,
                actor,
                substantiated_at,
            ),
            ctx,
        )
        return opened

    def open_all(
        self, openings: list[tuple[str, ItemOpening]], actor: str, ctx: CommandContext
    ) -> list[str]:
        """Open several items with deterministic ids; a retry opens none twice."""
        now = self.clock()

        def open_once(opening: ItemOpening) -> Callable[[LedgerItem], None]:
            def decide(item: LedgerItem) -> None:
                if item.state is ItemState.NEW:
                    item.open(opening, actor, now)

            return decide

        for _, opening in openings:
            opening.checked()  # every opening valid before any is written
        for item_id, opening in openings:
            self._execute(self.items, item_id, open_once(opening), ctx)
        return [item_id for item_id, _ in openings]

    # -- rectification ------------------------------------------------------------

    def plan(
        self, cmd: c.PlanRectification, ctx: CommandContext, settings: Settings = None
    ) -> Answer:
        """Measures, a supervising leader and a deadline (the item's own, or the
        campaign's default after its finding)."""
        actor, now, policy = self._actor(ctx), self.clock(), self.policy(settings)
        item = self._item(cmd.item_id, ctx)
        leader_bureau, eligibility = self._supervisor(cmd.leader_id, ctx)
        assert item.found_on is not None
        deadline = (
            cmd.deadline or item.deadline or policy.default_deadline(item.found_on)
        )
        return self._on_item(
            cmd.item_id,
            lambda i: i.plan(
                cmd.measures,
                cmd.leader_id,
                leader_bureau,
                eligibility,
                deadline,
                actor,
                now,
            ),
            ctx,
        )

    def add_measure(self, cmd: c.AddMeasure, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._on_item(
            cmd.item_id, lambda i: i.add_measure(cmd.text, actor, now), ctx
        )

    def name_supervisor(self, cmd: c.NameSupervisor, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        self._item(cmd.item_id, ctx)
        leader_bureau, eligibility = self._supervisor(cmd.leader_id, ctx)
        return self._on_item(
            cmd.item_id,
            lambda i: i.name_supervisor(
                cmd.leader_id, leader_bureau, eligibility, actor, now
            ),
            ctx,
        )

    def set_deadline(self, cmd: c.SetDeadline, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._on_item(
            cmd.item_id,
            lambda i: i.set_deadline(cmd.deadline, actor, now, cmd.reason),
            ctx,
        )

    def note_progress(self, cmd: c.NoteProgress, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._on_item(
            cmd.item_id,
            lambda i: i.note_progress(cmd.note, actor, now, cmd.evidence),
            ctx,
        )

    def submit(self, cmd: c.SubmitRectification, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        return self._on_item(
            cmd.item_id, lambda i: i.submit(cmd.summary, actor, now, cmd.evidence), ctx
        )

    # -- verification and reopening -----------------------------------------------

    def verify(self, cmd: c.VerifyRectification, ctx: CommandContext) -> Answer:
        """销号 or send back: by the supervising leader or the leading group office.
        A decision that lost a race meets the changed state and its typed error."""
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        by_office = actor in self.org.office(bureau)
        if cmd.verdict is Verdict.VERIFIED:
            on = cmd.verified_on
            assert on is not None  # the command requires it for a verification
            not_after(self.today(), verified_on=on)  # 销号 when done, never ahead
            return self._on_item(
                cmd.item_id,
                lambda i: i.verify(actor, by_office, on, now, cmd.remarks),
                ctx,
            )
        return self._on_item(
            cmd.item_id, lambda i: i.reject(cmd.reasons, actor, by_office, now), ctx
        )

    def reopen(
        self, cmd: c.ReopenItem, ctx: CommandContext, settings: Settings = None
    ) -> Answer:
        actor, now, policy = self._actor(ctx), self.clock(), self.policy(settings)
        deadline = cmd.deadline or policy.default_deadline(cmd.found_on)
        return self._on_item(
            cmd.item_id,
            lambda i: i.reopen(
                cmd.source,
                cmd.reference,
                cmd.found_on,
                deadline,
                cmd.reason,
                actor,
                now,
            ),
            ctx,
        )

    # -- overdue ------------------------------------------------------------------

    def escalate_due(
        self, policy: EscalationPolicy | None = None, today: date | None = None
    ) -> Answer:
        """The scheduler's run: every unclosed item of every bureau raises what is
        due today (ItemOverdue once per round, then each ItemEscalated level once).
        Safe to run twice or from two instances: the domain raises nothing again."""
        today = today or self.today()
        policies: dict[str, EscalationPolicy] = {}

        def policy_of(bureau_id: str) -> EscalationPolicy:
            """The intervals the bureau's campaign sets (defaults when it has none)."""
            if policy is not None:
                return policy
            if bureau_id not in policies:
                settings = self.org.campaign_settings(bureau_id, today.year)
                policies[bureau_id] = EscalationPolicy.from_settings(settings or {})
            return policies[bureau_id]

        def escalation(chosen: EscalationPolicy) -> Callable[[LedgerItem], list[Any]]:
            return lambda item: item.escalate(today, chosen)

        raised = items = 0
        for item_id in self._item_ids(None):
            item = self.items.load(item_id)
            if item.is_closed or item.deadline is None:
                continue
            items += 1
            ctx = CommandContext(bureau_id=item.bureau_id, actor=SCHEDULER)
            due = self._execute(
                self.items, item_id, escalation(policy_of(item.bureau_id)), ctx
            )
            raised += len(due)
        return {"date": today.isoformat(), "open_items": items, "events": raised}

    # -- queries ------------------------------------------------------------------

    def item(self, item_id: str, ctx: CommandContext) -> Answer:
        return views.item(self._item(item_id, ctx), self.today())

    def complaint_item(self, complaint_id: str, ctx: CommandContext) -> Answer:
        """The item a substantiated complaint opened (NotFound until it has)."""
        return self.item(item_id_for_complaint(complaint_id), ctx)

    def _bureau_items(self, ctx: CommandContext) -> list[LedgerItem]:
        return [self.items.load(i) for i in self._item_ids(self._bureau_of(ctx))]

    def unit_items(self, unit_id: str, ctx: CommandContext) -> Answer:
        """A unit's ledger (问题台账): its items and its people's, oldest first."""
        today = self.today()
        found = [i for i in self._bureau_items(ctx) if i.unit_id == unit_id]
        return {
            "unit_id": unit_id,
            "items": [views.item(i, today) for i in found],
        }

    def overdue_items(self, ctx: CommandContext) -> Answer:
        """The bureau's items past their deadline and not closed, today."""
        today = self.today()
        found = [i for i in self._bureau_items(ctx) if is_overdue(i, today)]
        return {
            "bureau_id": self._bureau_of(ctx),
            "date": today.isoformat(),
            "items": [views.item(i, today) for i in found],
        }
