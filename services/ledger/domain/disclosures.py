"""WindowDisclosures (四亮工程): a service window's four published disclosures.

亮流程 (process), 亮身份 (identity), 亮职责 (duties), 亮承诺 (commitments). Each is a
publishable record; publishing one again replaces the last (its version counts up),
and publicity shows the latest of each on the public board.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import InvalidInput
from services.ledger.domain.errors import NotAServiceWindow
from services.ledger.domain.events import DisclosurePublished, DisclosureReplaced
from services.ledger.domain.model import DisclosureKind

CONTENT_MAX = 5000


@dataclass(frozen=True)
class Disclosure:
    """The current published text of one disclosure."""

    kind: DisclosureKind
    content: str
    version: int
    published_at: datetime


class WindowDisclosures(Aggregate):
    """The four disclosures of one service window (the aggregate id is the unit's)."""

    category = "window_disclosures"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.bureau_id = ""
        self.current: dict[DisclosureKind, Disclosure] = {}

    @property
    def complete(self) -> bool:
        """All four disclosures are up (四亮 done)."""
        return len(self.current) == len(DisclosureKind)

    def publish(
        self,
        bureau_id: str,
        service_window: bool,
        kind: DisclosureKind,
        content: str,
        actor: str,
        at: datetime,
    ) -> bool:
        """Publish or replace one disclosure; the same text again changes nothing
        and answers False. `service_window` is the org chart's flag on the unit."""
        if not service_window:
            raise NotAServiceWindow(unit_id=self.id)
        text = content.strip()
        if not text:
            raise InvalidInput(fields={"content": "required"})
        if len(text) > CONTENT_MAX:
            raise InvalidInput(fields={"content": "too_long"})
        last = self.current.get(kind)
        if last is not None and last.content == text:
            return False
        if last is None:
            self._raise(
                DisclosurePublished(bureau_id, self.id, kind, text, 1, actor, at)
            )
        else:
            self._raise(
                DisclosureReplaced(
                    bureau_id,
                    self.id,
                    kind,
                    text,
                    last.version + 1,
                    last.version,
                    actor,
                    at,
                )
            )
        return True

    def apply(self, event: DomainEvent) -> None:
        match event:
            case DisclosurePublished() | DisclosureReplaced():
                self.bureau_id = event.bureau_id
                self.current[event.kind] = Disclosure(
                    event.kind, event.content, event.version, event.at
                )
