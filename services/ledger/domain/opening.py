"""What opening a ledger item needs, checked against the ledger's rules.

Surveys and tours produce `ItemOpening`s for each problem they raise, so "each
becoming a ledger item in one command" is one handler loop over these.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from services.common.errors import InvalidInput
from services.ledger.domain.errors import (
    CheckDimensionNotApplicable,
    CheckDimensionRequired,
    PersonNotApplicable,
    PersonRequired,
)
from services.ledger.domain.model import (
    Category,
    CheckDimension,
    Evidence,
    Level,
    Source,
)


@dataclass(frozen=True)
class ItemOpening:
    """A problem to enter in the ledger (问题台账) and where it came from."""

    bureau_id: str
    unit_id: str | None  # None: the bureau's own organs as a whole
    person_id: str | None  # set iff level is individual
    level: Level
    category: Category
    check_dimension: CheckDimension | None  # set iff source is self_inspection
    source: Source
    reference: str
    description: str
    evidence: tuple[Evidence, ...]
    found_on: date

    def checked(self) -> ItemOpening:
        """This opening, stripped, or the typed error of the first rule it breaks."""
        if not self.description.strip():
            raise InvalidInput(fields={"description": "required"})
        if not self.reference.strip():
            raise InvalidInput(fields={"reference": "required"})
        if self.source is Source.SELF_INSPECTION and self.check_dimension is None:
            raise CheckDimensionRequired()
        if self.source is not Source.SELF_INSPECTION and self.check_dimension:
            raise CheckDimensionNotApplicable(source=self.source.value)
        if self.level is Level.INDIVIDUAL and not (self.person_id and self.unit_id):
            raise PersonRequired()
        if self.level is Level.UNIT and self.person_id:
            raise PersonNotApplicable()
        return replace(
            self,
            description=self.description.strip(),
            reference=self.reference.strip(),
        )
