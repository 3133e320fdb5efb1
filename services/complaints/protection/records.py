"""Two small aggregates that keep the reporter apart from the complaint.

`Reporter` (stream `complaintreporter-<ref>`): the sealed identity, every read of it
(who looked, in which role, when) and its forgetting. `ReceiptCode` (stream
`complaintcode-<sha256 of the code>`): points at the complaint, created with
NO_STREAM so a code is unique, then what the reporter adds through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventing.aggregate import Aggregate, DomainEvent, DomainEventRegistry
from services.common.errors import InvalidInput
from services.complaints.domain.errors import AlreadyExists
from services.complaints.protection.errors import IdentityForgotten
from services.complaints.protection.vault import Sealed

registry = DomainEventRegistry()


@registry.event
@dataclass(frozen=True)
class ReporterIdentitySealed(DomainEvent):
    reporter_ref: str
    complaint_id: str
    nonce: str
    ciphertext: str
    actor: str
    at: datetime
    reason: str = ""


@registry.event
@dataclass(frozen=True)
class ReporterIdentityViewed(DomainEvent):
    reporter_ref: str
    complaint_id: str
    viewer: str
    role: str
    actor: str
    at: datetime
    reason: str = ""


@registry.event
@dataclass(frozen=True)
class ReporterForgotten(DomainEvent):
    reporter_ref: str
    complaint_id: str
    actor: str
    at: datetime
    reason: str


@registry.event
@dataclass(frozen=True)
class ReceiptCodeIssued(DomainEvent):
    complaint_id: str
    bureau_id: str
    actor: str
    at: datetime
    reason: str = ""


@registry.event
@dataclass(frozen=True)
class ReporterInformationAdded(DomainEvent):
    complaint_id: str
    text: str
    attachments: tuple[dict[str, Any], ...]
    actor: str
    at: datetime
    reason: str = ""


class Reporter(Aggregate):
    """A reporter behind an opaque ref: sealed identity, reads, forgetting."""

    category = "complaintreporter"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.complaint_id = ""
        self.sealed: Sealed | None = None
        self.forgotten = False
        self.views: list[ReporterIdentityViewed] = []

    def seal(self, complaint_id: str, sealed: Sealed, actor: str, at: datetime) -> None:
        if self.sealed is not None:
            raise AlreadyExists(kind="reporter", id=self.id)
        self._raise(
            ReporterIdentitySealed(
                self.id, complaint_id, sealed.nonce, sealed.ciphertext, actor, at
            )
        )

    def record_view(self, viewer: str, role: str, at: datetime) -> None:
        """Every read is recorded before the identity is opened."""
        if self.forgotten or self.sealed is None:
            raise IdentityForgotten(complaint_id=self.complaint_id)
        self._raise(
            ReporterIdentityViewed(self.id, self.complaint_id, viewer, role, viewer, at)
        )

    def forget(self, reason: str, actor: str, at: datetime) -> bool:
        """Record the forgetting once; False if it was already recorded."""
        if self.forgotten:
            return False
        if not reason.strip():
            raise InvalidInput(fields={"reason": "required"})
        self._raise(
            ReporterForgotten(self.id, self.complaint_id, actor, at, reason.strip())
        )
        return True

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ReporterIdentitySealed():
                self.complaint_id = event.complaint_id
                self.sealed = Sealed(event.nonce, event.ciphertext)
            case ReporterIdentityViewed():
                self.views.append(event)
            case ReporterForgotten():
                self.forgotten = True


class ReceiptCode(Aggregate):
    """The lookup from a receipt code's hash to its complaint."""

    category = "complaintcode"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.complaint_id = ""
        self.bureau_id = ""
        self.additions: list[ReporterInformationAdded] = []

    def issue(
        self, complaint_id: str, bureau_id: str, actor: str, at: datetime
    ) -> None:
        if self.complaint_id:
            raise AlreadyExists(kind="receipt_code", id="")
        self._raise(ReceiptCodeIssued(complaint_id, bureau_id, actor, at))

    def add_information(
        self, text: str, attachments: tuple[dict[str, Any], ...], at: datetime
    ) -> None:
        if not text.strip() and not attachments:
            raise InvalidInput(fields={"text": "required"})
        self._raise(
            ReporterInformationAdded(
                self.complaint_id, text.strip(), attachments, "reporter", at
            )
        )

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ReceiptCodeIssued():
                self.complaint_id, self.bureau_id = event.complaint_id, event.bureau_id
            case ReporterInformationAdded():
                self.additions.append(event)
