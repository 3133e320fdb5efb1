"""The ledger's campaign records: self-analysis materials (剖析材料), surveys
(调查问计帮查), the four disclosures (四亮), inspection tours (巡查), indicators."""

from __future__ import annotations

from datetime import date

from eventing.aggregate import CommandContext
from services.common.errors import NotFound
from services.ledger import campaign_commands as cc
from services.ledger import views
from services.ledger.domain import (
    InspectionTour,
    SelfAnalysis,
    Survey,
    indicators,
    publication_target,
    registry,
    self_analysis_id,
)
from services.ledger.domain.events import SurveyRecorded, TourFindingsRecorded
from services.ledger.domain.model import ReviewOutcome
from services.ledger.domain.survey import item_openings as survey_openings
from services.ledger.domain.tours import item_openings as tour_openings
from services.ledger.handlers.base import Answer
from services.ledger.handlers.items import ItemHandlers
from services.ledger.handlers.orgchart import UnitFacts


class CampaignHandlers(ItemHandlers):
    """Commands and queries on the ledger's other records."""

    def _unit(self, unit_id: str, ctx: CommandContext) -> UnitFacts:
        unit = self.org.unit(self._bureau_of(ctx), unit_id)
        if unit is None:
            raise NotFound(kind="unit", id=unit_id)
        return unit

    # -- self-analysis materials --------------------------------------------------

    def _analysis(self, analysis_id: str, ctx: CommandContext) -> SelfAnalysis:
        analysis = self.analyses.load(analysis_id)
        if analysis.version == 0 or analysis.bureau_id != self._bureau_of(ctx):
            raise NotFound(kind="self_analysis", id=analysis_id)
        return analysis

    def submit_self_analysis(
        self, cmd: cc.SubmitSelfAnalysis, ctx: CommandContext
    ) -> Answer:
        """The caller's own material; where it is published follows their post."""
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        person = self.org.person(bureau, actor)
        if person is None:
            raise NotFound(kind="person", id=actor)
        target = publication_target(person.committee_member, person.unit_head)
        analysis_id = self_analysis_id(actor, cmd.year)
        self._execute(
            self.analyses,
            analysis_id,
            lambda s: s.submit(
                bureau,
                person.unit_id,
                actor,
                cmd.year,
                target,
                cmd.text,
                actor,
                now,
                cmd.attachments,
            ),
            ctx,
        )
        return self.self_analysis(analysis_id, ctx)

    def review_self_analysis(
        self, cmd: cc.ReviewSelfAnalysis, ctx: CommandContext
    ) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        self._analysis(cmd.self_analysis_id, ctx)
        if cmd.outcome is ReviewOutcome.ACCEPTED:
            self._execute(
                self.analyses,
                cmd.self_analysis_id,
                lambda s: s.accept(actor, now),
                ctx,
            )
        else:
            self._execute(
                self.analyses,
                cmd.self_analysis_id,
                lambda s: s.reject_as_evasive(cmd.reasons, actor, now),
                ctx,
            )
        return self.self_analysis(cmd.self_analysis_id, ctx)

    def file_self_criticism(
        self, cmd: cc.FileSelfCriticism, ctx: CommandContext
    ) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        self._analysis(cmd.self_analysis_id, ctx)
        self._execute(
            self.analyses,
            cmd.self_analysis_id,
            lambda s: s.file_self_criticism(cmd.text, actor, now),
            ctx,
        )
        return self.self_analysis(cmd.self_analysis_id, ctx)

    def self_analysis(self, analysis_id: str, ctx: CommandContext) -> Answer:
        return views.self_analysis(self._analysis(analysis_id, ctx))

    # -- surveys ------------------------------------------------------------------

    def record_survey(self, cmd: cc.RecordSurvey, ctx: CommandContext) -> Answer:
        """The survey and one item per problem raised, in one command: every
        opening is checked before anything is written."""
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        self._unit(cmd.unit_id, ctx)
        survey = Survey(self.new_id())
        survey.record(
            bureau,
            cmd.unit_id,
            cmd.kind,
            cmd.held_on,
            cmd.participants,
            cmd.problems,
            actor,
            now,
        )
        [recorded] = [e for e in survey.pending() if isinstance(e, SurveyRecorded)]
        openings = survey_openings(recorded)
        for _, opening in openings:
            opening.checked()
        self.surveys.save(survey, ctx)
        item_ids = self.open_all(openings, actor, ctx)
        return views.survey(survey, item_ids)

    # -- the four disclosures -----------------------------------------------------

    def publish_disclosure(
        self, cmd: cc.PublishDisclosure, ctx: CommandContext
    ) -> Answer:
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        unit = self._unit(cmd.unit_id, ctx)
        self._execute(
            self.windows,
            cmd.unit_id,
            lambda d: d.publish(
                bureau, unit.service_window, cmd.kind, cmd.content, actor, now
            ),
            ctx,
        )
        return self.disclosures(cmd.unit_id, ctx)

    def disclosures(self, unit_id: str, ctx: CommandContext) -> Answer:
        self._unit(unit_id, ctx)
        return views.disclosures(self.windows.load(unit_id))

    # -- inspection tours ---------------------------------------------------------

    def _tour(self, tour_id: str, ctx: CommandContext) -> InspectionTour:
        tour = self.tours.load(tour_id)
        if not tour.started or tour.bureau_id != self._bureau_of(ctx):
            raise NotFound(kind="inspection_tour", id=tour_id)
        return tour

    def start_tour(self, cmd: cc.StartTour, ctx: CommandContext) -> Answer:
        bureau, actor, now = self._bureau_of(ctx), self._actor(ctx), self.clock()
        tour_id = self.new_id()
        self._execute(
            self.tours,
            tour_id,
            lambda t: t.start(
                bureau, cmd.title, cmd.inspector_ids, cmd.started_on, actor, now
            ),
            ctx,
        )
        return views.tour(self._tour(tour_id, ctx))

    def record_tour_findings(
        self, cmd: cc.RecordTourFindings, ctx: CommandContext
    ) -> Answer:
        """A unit's findings and verdict; findings marked `open_item` open items
        (found today), each checked before the findings are written."""
        actor, now, today = self._actor(ctx), self.clock(), self.today()
        self._tour(cmd.tour_id, ctx)
        self._unit(cmd.unit_id, ctx)

        def decide(tour: InspectionTour) -> TourFindingsRecorded:
            tour.record_findings(
                cmd.unit_id, cmd.verdict, cmd.findings, cmd.remarks, actor, now
            )
            [recorded] = [
                e for e in tour.pending() if isinstance(e, TourFindingsRecorded)
            ]
            for _, opening in tour_openings(recorded, today):
                opening.checked()
            return recorded

        recorded = self._execute(self.tours, cmd.tour_id, decide, ctx)
        item_ids = self.open_all(tour_openings(recorded, today), actor, ctx)
        return views.tour(self._tour(cmd.tour_id, ctx), item_ids)

    def conclude_tour(self, tour_id: str, summary: str, ctx: CommandContext) -> Answer:
        actor, now = self._actor(ctx), self.clock()
        self._tour(tour_id, ctx)
        self._execute(
            self.tours, tour_id, lambda t: t.conclude(summary, actor, now), ctx
        )
        return views.tour(self._tour(tour_id, ctx))

    # -- indicators ---------------------------------------------------------------

    def indicators(self, start: date, end: date, ctx: CommandContext) -> Answer:
        """The bureau's figures for [start, end], per bureau, unit and person."""
        bureau = self._bureau_of(ctx)
        events = (
            (e.stream.split("-", 1)[1], registry.decode(e))
            for e in self._events(
                [SelfAnalysis.category, "ledger_item"], bureau_id=bureau
            )
        )
        return views.report(indicators(events, start, end, self.zone), bureau)
