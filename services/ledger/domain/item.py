"""LedgerItem (问题台账): one problem, its rectification, and 整改销号制.

Measures, a supervising leader (挂名督办) and a deadline; progress notes; submission;
verification by the supervising leader or the leading group office, which alone
closes the item (销号, 完成一件销号一件); reopening when an inspection finds it again.
Every command checks all its rules before raising anything: nothing half-applied.
"""

from __future__ import annotations

from datetime import date, datetime

from services.common.errors import InvalidInput
from services.ledger.domain.errors import (
    DeadlineBeforeFound,
    FoundBeforeClosing,
    NotAnInspection,
    NotAVerifier,
    NotSubmittedForVerification,
    OwnItem,
    OwnSubmission,
    already_exists,
    required,
)
from services.ledger.domain.escalation import EscalationPolicy, due_escalations
from services.ledger.domain.events import (
    ItemEscalated,
    ItemOpened,
    ItemOverdue,
    ItemReopened,
    ItemVerified,
    RectificationRejected,
)
from services.ledger.domain.model import (
    INSPECTIONS,
    Category,
    ItemState,
    Level,
    Source,
    item_id_for_complaint,
)
from services.ledger.domain.opening import ItemOpening
from services.ledger.domain.rectification import ItemRectification

S = ItemState


class LedgerItem(ItemRectification):
    """A problem of a unit or a person, rectified and closed one by one."""

    # -- opening ---------------------------------------------------------------

    def open(self, opening: ItemOpening, actor: str, at: datetime) -> None:
        """Enter a problem in the ledger from any of the nine channels."""
        if self.state is not S.NEW:
            raise already_exists(self.category, self.id)
        o = opening.checked()
        self._raise(
            ItemOpened(
                self.id,
                o.bureau_id,
                o.unit_id,
                o.person_id,
                o.level,
                o.category,
                o.check_dimension,
                o.source,
                o.reference,
                o.description,
                tuple(e.to_dict() for e in o.evidence),
                o.found_on,
                actor,
                at,
            )
        )

    def open_from_complaint(
        self,
        complaint_id: str,
        bureau_id: str,
        unit_id: str | None,
        category: Category,
        findings: str,
        found_on: date,
        actor: str,
        at: datetime,
    ) -> bool:
        """A substantiated complaint opens exactly one unit-level item; a redelivery
        of the same complaint changes nothing and answers False."""
        if self.id != item_id_for_complaint(complaint_id):
            raise InvalidInput(fields={"item_id": "not_allowed"})
        if (
            self.state is not S.NEW
            and self.source is Source.COMPLAINT
            and self.reference == complaint_id
        ):
            return False
        opening = ItemOpening(
            bureau_id,
            unit_id,
            None,
            Level.UNIT,
            category,
            None,
            Source.COMPLAINT,
            complaint_id,
            findings,
            (),
            found_on,
        )
        self.open(opening, actor, at)
        return True

    # -- verification ----------------------------------------------------------

    def verify(
        self,
        actor: str,
        by_office: bool,
        on: date,
        at: datetime,
        remarks: str = "",
    ) -> None:
        """销号: the supervising leader or the leading group office (`by_office`, as
        the handler's org chart says) verifies a submitted rectification."""
        self._check_verification("verify", actor, by_office)
        assert self.deadline is not None and self.found_on is not None
        if on < self.found_on:
            raise InvalidInput(fields={"verified_on": "out_of_range"})
        self._raise(
            ItemVerified(
                self.id,
                self.bureau_id,
                self.unit_id,
                self.person_id,
                actor,
                on,
                on <= self.deadline,
                actor,
                at,
                remarks.strip(),
            )
        )

    def reject(self, reasons: str, actor: str, by_office: bool, at: datetime) -> None:
        """Send the rectification back with reasons; the item is rectified again."""
        self._check_verification("reject", actor, by_office)
        self._raise(
            RectificationRejected(actor, required(reasons, "reject"), actor, at)
        )

    def reopen(
        self,
        source: Source,
        reference: str,
        found_on: date,
        deadline: date,
        reason: str,
        actor: str,
        at: datetime,
    ) -> None:
        """A later inspection found the closed problem again: rectify it anew."""
        self._require("reopen", S.CLOSED)
        if source not in INSPECTIONS:
            raise NotAnInspection(source=source.value)
        if not reference.strip():
            raise InvalidInput(fields={"reference": "required"})
        assert self.verified_on is not None
        if found_on < self.verified_on:
            raise FoundBeforeClosing(
                found_on=found_on.isoformat(), closed_on=self.verified_on.isoformat()
            )
        if deadline < found_on:
            raise DeadlineBeforeFound(
                deadline=deadline.isoformat(), found_on=found_on.isoformat()
            )
        self._raise(
            ItemReopened(
                self.id,
                self.bureau_id,
                self.unit_id,
                source,
                reference.strip(),
                found_on,
                deadline,
                actor,
                at,
                required(reason, "reopen"),
            )
        )

    # -- overdue -----------------------------------------------------------------

    def escalate(
        self, today: date, policy: EscalationPolicy
    ) -> list[ItemOverdue | ItemEscalated]:
        """Raise whatever overdue or escalation events are due today (each once)."""
        due = due_escalations(self, today, policy)
        for event in due:
            self._raise(event)
        return due

    # -- rules -----------------------------------------------------------------

    # -- rules -----------------------------------------------------------------

    def _check_verification(self, action: str, actor: str, by_office: bool) -> None:
        if self.state in (S.NEW, S.CLOSED):
            self._require(action, S.SUBMITTED)
        if self.state is S.OPEN:
            raise NotSubmittedForVerification(item_id=self.id)
        if actor == self.person_id:
            raise OwnItem(item_id=self.id)
        if actor == self.submitted_by:
            raise OwnSubmission(item_id=self.id)
        if actor != self.leader_id and not by_office:
            raise NotAVerifier(item_id=self.id)
