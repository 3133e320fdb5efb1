"""Study and mobilisation records: study sessions (with attendance) and the speech
contest 「假如我是服务对象」."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from fractions import Fraction

from eventing.aggregate import Aggregate, DomainEvent
from services.common.errors import InvalidInput, NotFound
from services.common.ratio import Ratio
from services.evaluation.domain.errors import AlreadyExists
from services.evaluation.domain.events import (
    SpeechContestHeld,
    SpeechEntered,
    SpeechScored,
    StudySessionHeld,
)


class StudySession(Aggregate):
    """A unit's study session: date, topic, lecturer, who was expected, who came."""

    category = "study_session"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.held: StudySessionHeld | None = None

    def record(self, held: StudySessionHeld) -> None:
        if self.held is not None:
            raise AlreadyExists(kind_zh="学习记录", kind_en="study session", id=self.id)
        strangers = set(held.attended) - set(held.expected)
        if strangers:
            raise InvalidInput(fields={"attended": "unknown"})
        self._raise(held)

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, StudySessionHeld):
            self.held = event


def attendance(
    sessions: Iterable[StudySessionHeld],
) -> tuple[dict[str, Ratio], dict[str, Ratio]]:
    """Attendance per unit and per person: attended / expected, over sessions."""
    units: dict[str, Ratio] = {}
    people: dict[str, Ratio] = {}
    for s in sessions:
        came = set(s.attended)
        units[s.unit_id] = units.get(s.unit_id, Ratio()) + Ratio(
            len(came), len(s.expected)
        )
        for person in s.expected:
            people[person] = people.get(person, Ratio()) + Ratio(int(person in came), 1)
    return units, people


class SpeechContest(Aggregate):
    """The speech contest: entries and their scores, ranked."""

    category = "speech_contest"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.held: SpeechContestHeld | None = None
        self.entries: dict[str, SpeechEntered] = {}
        self.scores: dict[str, Fraction] = {}

    def hold(self, held: SpeechContestHeld) -> None:
        if self.held is not None:
            raise AlreadyExists(
                kind_zh="演讲比赛", kind_en="speech contest", id=self.id
            )
        self._raise(held)

    def enter(
        self, person_id: str, unit_id: str, title: str, actor: str, at: datetime
    ) -> None:
        held = self._held()
        if person_id in self.entries:
            raise AlreadyExists(kind_zh="参赛", kind_en="entry", id=person_id)
        self._raise(
            SpeechEntered(self.id, held.bureau_id, person_id, unit_id, title, actor, at)
        )

    def score(self, person_id: str, score: Fraction, actor: str, at: datetime) -> None:
        held = self._held()
        if person_id not in self.entries:
            raise NotFound(kind="entry", id=person_id)
        self._raise(
            SpeechScored(self.id, held.bureau_id, person_id, str(score), actor, at)
        )

    def ranking(self) -> list[tuple[str, Fraction]]:
        return sorted(self.scores.items(), key=lambda kv: (-kv[1], kv[0]))

    def _held(self) -> SpeechContestHeld:
        if self.held is None:
            raise NotFound(kind="speech_contest", id=self.id)
        return self.held

    def apply(self, event: DomainEvent) -> None:
        match event:
            case SpeechContestHeld():
                self.held = event
            case SpeechEntered():
                self.entries[event.person_id] = event
            case SpeechScored():
                self.scores[event.person_id] = Fraction(event.score)
