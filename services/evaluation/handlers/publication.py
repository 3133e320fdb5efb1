"""Publishing (定格) the year-end assessment: the table `assess` computes, recorded
as `AssessmentPublished` on `assessment-<bureau>.<year>` for the gateway to serve."""

from __future__ import annotations

from datetime import datetime

from eventing.aggregate import CommandContext
from services.common.validation import Check
from services.evaluation import record_commands as c
from services.evaluation.domain.events import AssessmentPublished
from services.evaluation.domain.publication import Assessment, assessment_id
from services.evaluation.handlers.assessment import AssessmentHandlers
from services.evaluation.handlers.base import ZONE, Answer


class PublicationHandlers(AssessmentHandlers):
    """Publish the bureau's assessment of a year; each publication replaces the
    table, the earlier ones stay in the stream."""

    def publish_assessment(
        self, cmd: c.PublishAssessment, ctx: CommandContext
    ) -> Answer:
        bureau = self.bureau_of(ctx)
        actor = self.actor_of(ctx)
        now = self.clock()
        as_of = cmd.as_of or now
        check = Check()
        if as_of > now:
            check.fail("as_of", "out_of_range")  # figures that do not stand yet
        if cmd.year > as_of.astimezone(ZONE).year:
            check.fail("year", "out_of_range")  # a year not begun by as_of
        check.done()
        table = self.assess(c.AssessUnits(cmd.year, cmd.as_of, ()), ctx)
        published_at = self.clock()
        published = AssessmentPublished(
            bureau_id=bureau,
            year=cmd.year,
            as_of=datetime.fromisoformat(table["as_of"]),
            published_at=published_at,
            published_by=actor,
            note=cmd.note,
            formula=table["formula"],
            weights=dict(table["weights"]),
            units=tuple(table["units"]),
        )

        def publish(a: Assessment) -> Assessment:
            a.publish(published)
            return a

        found, _ = self.assessments.execute(
            assessment_id(bureau, cmd.year), publish, ctx
        )
        return {
            **table,
            "version": found.version,
            "published_at": published_at.isoformat(),
        }
