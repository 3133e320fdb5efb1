"""EvaluationService: Nameko RPC entrypoints over the evaluation handlers.

Every entrypoint takes `payload` (the command's fields) and `context` (who calls, for
which bureau: {"bureau_id": "zjj", "actor": "zjj.p-wang", "correlation_id": "..."})
and answers a JSON-safe dict, or raises a typed DomainError that crosses RPC intact.
The voter of `cast_vote` is the context's actor. Units, heads and the campaign's
settings come from the organization service (RPC); rounds' ballot keys live in the
service's own `ballot_keys` table (migrations/), never in the log.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy

from eventing.nameko import (
    ClockProvider,
    CommandMetrics,
    EventStoreProvider,
    keys_database_url,
)
from services.common.context import command_context
from services.common.errors import InvalidInput
from services.common.rpc import BoundedRpcProxy, deserializable, rpc, translated
from services.common.timers import configured_timer
from services.common.validation import Check
from services.evaluation import commands as c
from services.evaluation import record_commands as rc
from services.evaluation.domain import errors as evaluation_errors
from services.evaluation.handlers import (
    SERVICE,
    EvaluationHandlers,
    RpcIndicatorSources,
    RpcOrgChart,
)
from services.evaluation.keys import BallotKeys, PostgresBallotKeys

EXPECTED = deserializable(evaluation_errors)
TALKS_INTERVAL = 3600.0  # seconds; EVALUATION_TALKS_INTERVAL overrides


Payload = dict[str, Any] | None
Context = dict[str, Any] | None
Answer = dict[str, Any]


class BallotKeysProvider(DependencyProvider):  # type: ignore[misc]
    """Rounds' ballot keys in the service's own table (KEYS_DATABASE_URL: by default
    the event store's database, the read model's with EventStoreDB)."""

    def setup(self) -> None:
        self.keys = PostgresBallotKeys(keys_database_url(self.container.config))

    def get_dependency(self, worker_ctx: Any) -> BallotKeys:
        return self.keys


def _id(payload: Payload, name: str) -> str:
    check = Check()
    value = check.identifier(name, (payload or {}).get(name))
    check.done()
    return value


class EvaluationService:
    """Democratic evaluation (评议), study tests, talks and the year-end assessment."""

    name = SERVICE

    store = EventStoreProvider()
    clock = ClockProvider()
    keys = BallotKeysProvider()
    metrics = CommandMetrics()
    organization = BoundedRpcProxy("organization")
    ledger = RpcProxy("ledger")
    complaints = RpcProxy("complaints")
    publicity = RpcProxy("publicity")

    @property
    def handlers(self) -> EvaluationHandlers:
        return EvaluationHandlers(
            self.store,
            self.clock,
            RpcOrgChart(self.organization),
            self.keys,
            sources=RpcIndicatorSources(self.ledger, self.complaints, self.publicity),
        )

    # -- rounds -------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def open_round(self, payload: Payload = None, context: Context = None) -> Answer:
        """Open a round. {"kind": "leadership", "title": "2026 年领导班子评议",
        "year": 2026, "opens_at": "2026-11-02T09:00:00+08:00", "closes_at":
        "2026-11-06T17:00:00+08:00", "subjects": [{"kind": "team", "unit_id":
        "zjj.u003"}, {"kind": "leader", "person_id": "zjj.1001"}], "electorate":
        [{"voter_id": "zjj.1005", "constituency": "staff"}, {"voter_id": "ext.017",
        "constituency": "service_recipient"}]}"""
        return self.handlers.open_round(
            c.OpenRound.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def cast_vote(self, payload: Payload = None, context: Context = None) -> Answer:
        """The caller's one anonymous ballot; answers only that it was recorded.
        {"round_id": "...", "choices": [{"subject_id": "zjj.u003", "option":
        "fair", "comment": "窗口等候时间长"}]} (staff rounds: "score": 0-100 too)"""
        return self.handlers.vote(
            c.CastVote.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def close_round(self, payload: Payload = None, context: Context = None) -> Answer:
        """Close, reconcile, tally, apply the 30% rule; the results. {"round_id":
        "..."}"""
        return self.handlers.close_round(
            c.RoundRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_round(self, payload: Payload = None, context: Context = None) -> Answer:
        """A round, and its results once tallied. {"round_id": "..."}"""
        return self.handlers.get_round(
            c.RoundRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_participation(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """How many have voted, whether the caller may and has. {"round_id": "..."}"""
        return self.handlers.participation(
            c.RoundRef.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def attach_duty_report(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """述职 of a middle manager, on a staff round. {"round_id": "...",
        "person_id": "zjj.1002", "title": "2026 年述职报告", "summary": "..."}"""
        return self.handlers.attach_duty_report(
            c.AttachDutyReport.parse(payload or {}), command_context(context)
        )

    # -- talks --------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def require_talk(self, payload: Payload = None, context: Context = None) -> Answer:
        """A talk required by hand (after an inspection...). {"kind": "inspection",
        "person_id": "zjj.2001", "held_by": "zjj.1001", "unit_id": "zjj.u002",
        "reason": "...", "source_id": "tour-2026-h1", "due_on": null}"""
        return self.handlers.require_talk(
            c.RequireTalk.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def hold_talk(self, payload: Payload = None, context: Context = None) -> Answer:
        """Record a talk as held. {"talk_id": "...", "held_on": "2026-11-20",
        "record": "..."}"""
        return self.handlers.hold_talk(
            c.HoldTalk.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_talk(self, payload: Payload = None, context: Context = None) -> Answer:
        """One talk with its state (pending, overdue, held). {"talk_id": "..."}"""
        return self.handlers.get_talk(_id(payload, "talk_id"), command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def list_talks(self, payload: Payload = None, context: Context = None) -> Answer:
        """The bureau's talks, overdue ones marked. {"overdue_only": false}"""
        check = Check()
        overdue_only = check.flag("overdue_only", (payload or {}).get("overdue_only"))
        check.done()
        return self.handlers.list_talks(overdue_only, command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def mark_overdue_talks(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Record TalkBecameOverdue for every talk past due and not held (every
        bureau; idempotent). {}"""
        return self.handlers.mark_overdue_talks()

    @configured_timer(interval=TALKS_INTERVAL, key="EVALUATION_TALKS_INTERVAL")
    def overdue_talks_timer(self) -> None:
        """The scheduler of mark_overdue_talks (EVALUATION_TALKS_INTERVAL seconds,
        default 3600). {}"""
        self.handlers.mark_overdue_talks()

    # -- study tests --------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def hold_study_test(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """A unit's closed-book test. {"unit_id": "zjj.u003", "year": 2026,
        "title": "区情区况闭卷测试", "held_on": "2026-02-24"}"""
        return self.handlers.hold_study_test(
            c.HoldStudyTest.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def record_test_scores(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Scores per person; the unit is judged against the bar. {"test_id": "...",
        "scores": [{"person_id": "zjj.1005", "score": 86.5}]}"""
        return self.handlers.record_scores(
            c.RecordScores.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def import_test_scores(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Scores from an .xlsx (base64; columns person_id, score; a header row).
        {"test_id": "...", "workbook": "UEsDBBQ..."}"""
        test_id = _id(payload, "test_id")
        try:
            data = base64.b64decode(
                str((payload or {}).get("workbook") or ""), validate=True
            )
        except (binascii.Error, ValueError):
            raise InvalidInput(fields={"workbook": "bad_format"}) from None
        if not data:
            raise InvalidInput(fields={"workbook": "required"})
        return self.handlers.import_scores(test_id, data, command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def spot_check_test(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The leading group's spot check of a unit's test. {"test_id": "...",
        "checked_on": "2026-03-02", "finding": "..."}"""
        return self.handlers.spot_check(
            c.SpotCheck.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_study_test(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """A test with its unit summary (mean, pass rate). {"test_id": "..."}"""
        return self.handlers.get_study_test(
            _id(payload, "test_id"), command_context(context)
        )

    # -- study sessions and the speech contest ------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def record_study_session(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """A unit's study session (the Friday study day). {"unit_id": "zjj.u003",
        "held_on": "2026-02-13", "topic": "...", "lecturer": "区委党校 王教授",
        "expected": ["zjj.1005", "zjj.1006"], "attended": ["zjj.1005"]}"""
        return self.handlers.record_study_session(
            rc.RecordStudySession.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_attendance(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Attendance rate per unit and person over a year's sessions. {"year": 2026}"""
        return self.handlers.attendance(_year(payload), command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def hold_speech_contest(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """「假如我是服务对象」 speech contest. {"unit_id": null, "year": 2026,
        "held_on": "2026-02-20"}"""
        return self.handlers.hold_speech_contest(
            rc.HoldSpeechContest.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def enter_speech(self, payload: Payload = None, context: Context = None) -> Answer:
        """Enter a speaker, and/or record their score. {"contest_id": "...",
        "person_id": "zjj.1005", "speech_title": "...", "score": 91.5}"""
        return self.handlers.enter_speech(
            rc.SpeechEntry.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_speech_contest(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """A contest with its entries and ranking. {"contest_id": "..."}"""
        return self.handlers.get_speech_contest(
            _id(payload, "contest_id"), command_context(context)
        )

    # -- innovations and model windows ------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def submit_innovation(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """制度创新, from June. {"unit_id": "zjj.u003", "year": 2026, "title": "...",
        "summary": "..."}"""
        return self.handlers.submit_innovation(
            rc.SubmitInnovation.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def review_innovation(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """{"innovation_id": "...", "verdict": "shortlisted", "remarks": "..."}"""
        return self.handlers.review_innovation(
            rc.ReviewInnovation.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def select_innovations(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The year-end selection, best first. {"year": 2026, "ranked": ["...",
        "..."]}"""
        return self.handlers.select_innovations(
            rc.SelectInnovations.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def list_innovations(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """A year's innovations and its selection. {"year": 2026}"""
        return self.handlers.list_innovations(_year(payload), command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def nominate_model(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """示范窗口 / 示范科室. {"unit_id": "zjj.u003", "year": 2026, "kind":
        "model_window", "reason": "..."}"""
        return self.handlers.nominate_model(
            rc.NominateModel.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def award_model(self, payload: Payload = None, context: Context = None) -> Answer:
        """Award a nomination. {"nomination_id": "..."}"""
        return self.handlers.award_model(
            _id(payload, "nomination_id"), command_context(context)
        )

    # -- the year-end assessment ------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def assess_units(self, payload: Payload = None, context: Context = None) -> Answer:
        """Each unit's weighted score, ranked, with the formula and every input;
        as it stood at `as_of` (default now). {"year": 2026, "as_of":
        "2027-01-10T00:00:00+08:00", "unit_ids": null}"""
        return self.handlers.assess(
            rc.AssessUnits.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def publish_assessment(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Publish (定格) the bureau's year-end assessment as it stands at `as_of`
        (default now, never in the future): recorded as AssessmentPublished on
        `assessment-<bureau>.<year>`, a later publication replacing the table.
        Answers the table as assess_units does, with `version` and `published_at`.
        {"year": 2026, "as_of": "2027-01-10T00:00:00+08:00", "note": "年终定格"}"""
        return self.handlers.publish_assessment(
            rc.PublishAssessment.parse(payload or {}), command_context(context)
        )


def _year(payload: Payload) -> int:
    check = Check()
    year = check.number(
        "year", (payload or {}).get("year"), low=2000, high=2100, integer=True
    )
    check.done()
    return int(year)
