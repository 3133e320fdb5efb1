"""Study sessions with attendance (the Friday study day) and the speech contest."""

from __future__ import annotations

from typing import Any

from eventing.aggregate import CommandContext
from services.common.errors import InvalidInput, NotFound
from services.common.validation import not_after
from services.evaluation import record_commands as c
from services.evaluation.domain.activities import (
    SpeechContest,
    StudySession,
    attendance,
)
from services.evaluation.domain.events import SpeechContestHeld, StudySessionHeld
from services.evaluation.handlers.base import Answer, EvaluationBase

FRIDAY = 4


def _rate(numerator: int, denominator: int) -> dict[str, Any]:
    return {
        "attended": numerator,
        "expected": denominator,
        "rate": f"{numerator}/{denominator}" if denominator else None,
    }


class ActivityHandlers(EvaluationBase):
    """Record study sessions, report attendance; hold and score the speech contest."""

    def record_study_session(
        self, cmd: c.RecordStudySession, ctx: CommandContext
    ) -> Answer:
        bureau = self.bureau_of(ctx)
        actor = self.actor_of(ctx)
        if self.org.unit(bureau, cmd.unit_id) is None:
            raise InvalidInput(fields={"unit_id": "unknown"})
        not_after(self.today(), held_on=cmd.held_on)
        session_id = self.new_id()
        held = StudySessionHeld(
            session_id,
            bureau,
            cmd.unit_id,
            cmd.held_on,
            cmd.held_on.weekday() == FRIDAY,
            cmd.topic,
            cmd.lecturer,
            list(cmd.expected),
            list(cmd.attended),
            actor,
            self.clock(),
        )

        def record(session: StudySession) -> None:
            session.record(held)

        self.sessions.execute(session_id, record, ctx)
        return {
            "session_id": session_id,
            "unit_id": cmd.unit_id,
            "held_on": cmd.held_on.isoformat(),
            "friday_study_day": held.friday,
            "attendance": _rate(len(cmd.attended), len(cmd.expected)),
        }

    def attendance(self, year: int, ctx: CommandContext) -> Answer:
        """Attendance rate per unit and per person over the year's sessions."""
        bureau = self.bureau_of(ctx)
        held = []
        for e in self.events([StudySession.category], bureau):
            event = self.sessions.registry.decode(e)
            if isinstance(event, StudySessionHeld) and event.held_on.year == year:
                held.append(event)
        units, people = attendance(held)
        return {
            "year": year,
            "sessions": len(held),
            "friday_sessions": sum(1 for s in held if s.friday),
            "units": {
                u: _rate(r.numerator, r.denominator) for u, r in sorted(units.items())
            },
            "people": {
                p: _rate(r.numerator, r.denominator) for p, r in sorted(people.items())
            },
        }

    def hold_speech_contest(
        self, cmd: c.HoldSpeechContest, ctx: CommandContext
    ) -> Answer:
        bureau = self.bureau_of(ctx)
        if cmd.unit_id and self.org.unit(bureau, cmd.unit_id) is None:
            raise InvalidInput(fields={"unit_id": "unknown"})
        not_after(self.today(), held_on=cmd.held_on)
        contest_id = self.new_id()
        held = SpeechContestHeld(
            contest_id,
            bureau,
            cmd.unit_id,
            cmd.year,
            cmd.title,
            cmd.held_on,
            self.actor_of(ctx),
            self.clock(),
        )

        def hold(contest: SpeechContest) -> SpeechContest:
            contest.hold(held)
            return contest

        contest, _ = self.contests.execute(contest_id, hold, ctx)
        return self._contest_view(contest)

    def enter_speech(self, cmd: c.SpeechEntry, ctx: CommandContext) -> Answer:
        """Enter a speaker (once) and, when given, record their score."""
        found = self._contest(cmd.contest_id, ctx)
        person = self.org.person(self.bureau_of(ctx), cmd.person_id)
        if person is None:
            raise InvalidInput(fields={"person_id": "unknown"})
        actor = self.actor_of(ctx)
        now = self.clock()

        def enter(contest: SpeechContest) -> SpeechContest:
            if cmd.person_id not in contest.entries:
                contest.enter(
                    cmd.person_id, person.unit_id, cmd.speech_title, actor, now
                )
            if cmd.score is not None:
                contest.score(cmd.person_id, cmd.score, actor, now)
            return contest

        contest, _ = self.contests.execute(found.id, enter, ctx)
        return self._contest_view(contest)

    def get_speech_contest(self, contest_id: str, ctx: CommandContext) -> Answer:
        return self._contest_view(self._contest(contest_id, ctx))

    def _contest(self, contest_id: str, ctx: CommandContext) -> SpeechContest:
        contest = self.contests.load(contest_id)
        if contest.held is None or contest.held.bureau_id != self.bureau_of(ctx):
            raise NotFound(kind="speech_contest", id=contest_id)
        return contest

    @staticmethod
    def _contest_view(contest: SpeechContest) -> Answer:
        held = contest.held
        assert held is not None
        return {
            "contest_id": contest.id,
            "title": held.title,
            "year": held.year,
            "unit_id": held.unit_id,
            "held_on": held.held_on.isoformat(),
            "entries": [
                {
                    "person_id": e.person_id,
                    "unit_id": e.unit_id,
                    "speech_title": e.speech_title,
                    "score": str(contest.scores[p]) if p in contest.scores else None,
                }
                for p, e in sorted(contest.entries.items())
            ],
            "ranking": [
                {"rank": n, "person_id": p, "score": str(s)}
                for n, (p, s) in enumerate(contest.ranking(), start=1)
            ],
        }
