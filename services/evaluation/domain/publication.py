"""The published year-end assessment (定格的年度考核) of one bureau and year.

The stream `assessment-<bureau>.<year>` holds every publication, oldest first: the
latest is the table that stands, the earlier ones stay as the audit trail.
"""

from __future__ import annotations

from eventing.aggregate import Aggregate, DomainEvent
from services.evaluation.domain.events import AssessmentPublished


def assessment_id(bureau_id: str, year: int) -> str:
    """The id of a bureau's assessment of a year: `<bureau>.<year>`."""
    return f"{bureau_id}.{year}"


class Assessment(Aggregate):
    """A bureau's published assessment of one year (`<bureau>.<year>`)."""

    category = "assessment"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.published: AssessmentPublished | None = None
        self.publications = 0

    def publish(self, published: AssessmentPublished) -> None:
        """Publish a table; it replaces the one published before, if any."""
        if assessment_id(published.bureau_id, published.year) != self.id:
            raise ValueError(f"{published.bureau_id}.{published.year} is not {self.id}")
        self._raise(published)

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, AssessmentPublished):
            self.published = event
            self.publications += 1
