"""The audit trail of any record: its events, its state as of a moment, its hash chain.

Read straight from the event store (not the read models): `history` lists a stream's
events with who, when, why and their hashes; `state_as_of` replays the events recorded
up to a moment through the owning service's own aggregate and renders the result with
that service's view function (categories without one get a generic fold, and say
so); `verify` checks hash chains and names the first broken link.

Personal data stays sealed: the fields in `PERSONAL_FIELDS` (reporter references,
receipt-code hashes, sealed identities and ballots, voter ids and the electorate,
password and key hashes) are shown as "[redacted]" wherever they appear, in history
and in generic folds; nothing here decrypts anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from eventing.aggregate import Aggregate, DomainEventRegistry
from eventing.errors import InvalidStreamName
from eventing.events import Envelope, category_of, check_stream_name, utc_iso
from eventing.integrity import verify_stream
from eventing.store.base import EventStore
from services.common.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)
ZONE = ZoneInfo("Asia/Shanghai")
REDACTED = "[redacted]"
PERSONAL_FIELDS = frozenset(
    {
        "reporter_ref",
        "receipt_code_hash",
        "nonce",
        "ciphertext",
        "password_hash",
        "key_hash",
        "voter_id",
        "receipt_digest",
        "electorate",
    }
)
Answer = dict[str, Any]
View = Callable[[Any, datetime], Answer]


def redact(value: Any) -> Any:
    """The value with every personal-data field replaced, at any depth."""
    if isinstance(value, Mapping):
        return {
            k: REDACTED if k in PERSONAL_FIELDS and v is not None else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def _entry(envelope: Envelope) -> Answer:
    data = envelope.data
    reason = data.get("reason") or data.get("reasons") or None
    return {
        "event_id": envelope.event_id,
        "type": envelope.type,
        "schema_version": envelope.schema_version,
        "version": envelope.version,
        "position": envelope.position,
        "recorded_at": utc_iso(envelope.recorded_at),
        "service": envelope.service,
        "bureau_id": envelope.bureau_id,
        "actor": envelope.actor or data.get("actor"),
        "correlation_id": envelope.correlation_id,
        "causation_id": envelope.causation_id,
        "reason": reason,
        "data": redact(data),
        "prev_hash": envelope.prev_hash,
        "hash": envelope.hash,
    }


def _read(
    store: EventStore, stream: str, bureau_id: str | None, at: datetime | None = None
) -> list[Envelope]:
    """The stream's events (those recorded by `at`, if given). A stream that does
    not exist, or whose first event is another bureau's, is not found."""
    try:
        check_stream_name(stream)
    except InvalidStreamName:
        raise InvalidInput(fields={"stream": "bad_format"}) from None
    first = store.read_stream(stream, limit=1)
    if not first or (
        bureau_id is not None and first[0].bureau_id not in (None, bureau_id)
    ):
        raise NotFound(kind="stream", id=stream)
    return store.read_stream(stream, as_of=at)


def history(store: EventStore, stream: str, bureau_id: str | None = None) -> Answer:
    """Every event of a record, oldest first; `bureau_id` scopes to one bureau."""
    envelopes = _read(store, stream, bureau_id)
    return {"stream": stream, "events": [_entry(e) for e in envelopes]}


# -- state as of a moment ------------------------------------------------------------


@dataclass(frozen=True)
class Renderer:
    """How one category is replayed and shown: its service's aggregate and view."""

    registry: DomainEventRegistry
    factory: Callable[[str], Aggregate]
    view: View
    name: str


def _renderers() -> dict[str, Renderer]:
    """Category -> renderer; imported lazily (the services' domain and views are
    pure modules, but the gateway should not load them all at import)."""
    from services.complaints import views as complaint_views
    from services.complaints.domain import Complaint
    from services.complaints.domain import registry as complaints
    from services.ledger import views as ledger_views
    from services.ledger.domain import (
        InspectionTour,
        LedgerItem,
        SelfAnalysis,
        Survey,
        WindowDisclosures,
        item_id_for_survey,
    )
    from services.ledger.domain import registry as ledger
    from services.organization import views as org_views
    from services.organization.domain import Bureau, Campaign, Person, Unit
    from services.organization.domain import registry as organization

    def survey_view(s: Any, at: datetime) -> Answer:
        problems = s.recorded.problems if s.recorded else ()
        ids = [item_id_for_survey(s.id, n) for n in range(1, len(problems) + 1)]
        return ledger_views.survey(s, ids)

    return {
        "bureau": Renderer(organization, Bureau, lambda a, at: org_views.bureau(a),
                           "organization.views.bureau"),
        "unit": Renderer(organization, Unit, lambda a, at: org_views.unit(a),
                         "organization.views.unit"),
        "person": Renderer(organization, Person, lambda a, at: org_views.person(a),
                           "organization.views.person"),
        "campaign": Renderer(
            organization, Campaign,
            lambda a, at: org_views.campaign(a, at.astimezone(ZONE).date()),
            "organization.views.campaign",
        ),
        "ledger_item": Renderer(
            ledger, LedgerItem,
            lambda a, at: ledger_views.item(a, at.astimezone(ZONE).date()),
            "ledger.views.item",
        ),
        "self_analysis": Renderer(ledger, SelfAnalysis,
                                  lambda a, at: ledger_views.self_analysis(a),
                                  "ledger.views.self_analysis"),
        "survey": Renderer(ledger, Survey, survey_view, "ledger.views.survey"),
        "window_disclosures": Renderer(ledger, WindowDisclosures,
                                       lambda a, at: ledger_views.disclosures(a),
                                       "ledger.views.disclosures"),
        "inspection_tour": Renderer(ledger, InspectionTour,
                                    lambda a, at: ledger_views.tour(a),
                                    "ledger.views.tour"),
        "complaint": Renderer(
            complaints, Complaint,
            lambda a, at: complaint_views.complaint(
                a, None, at.astimezone(ZONE).date()
            ),
            "complaints.views.complaint",
        ),
    }  # fmt: skip


_RENDERERS: dict[str, Renderer] | None = None


def renderers() -> dict[str, Renderer]:
    global _RENDERERS
    if _RENDERERS is None:
        _RENDERERS = _renderers() | _newer_renderers()
    return _RENDERERS


def _newer_renderers() -> dict[str, Renderer]:
    """The evaluation and publicity services' views; a generic fold if those
    modules cannot be loaded (they arrived last and may still change)."""
    try:
        from services.evaluation import views as evaluation_views
        from services.evaluation.domain import EvaluationRound, StudyTest, Talk
        from services.evaluation.domain import registry as evaluation
        from services.publicity import views as publicity_views
        from services.publicity.domain import Article, Commitment, Notice
        from services.publicity.domain import registry as publicity
    except ImportError as error:  # pragma: no cover - depends on what is installed
        log.warning("audit: evaluation/publicity views unavailable: %s", error)
        return {}

    def round_view(r: Any, at: datetime) -> Answer:
        answer = evaluation_views.round_summary(r)
        answer["results"] = evaluation_views.round_results(r) if r.tallied else None
        return answer

    return {
        "evaluation_round": Renderer(evaluation, EvaluationRound, round_view,
                                     "evaluation.views.round_summary+round_results"),
        "talk": Renderer(
            evaluation, Talk,
            lambda a, at: evaluation_views.talk(a, at.astimezone(ZONE).date()),
            "evaluation.views.talk",
        ),
        "study_test": Renderer(evaluation, StudyTest,
                               lambda a, at: evaluation_views.study_test(a),
                               "evaluation.views.study_test"),
        "article": Renderer(publicity, Article,
                            lambda a, at: publicity_views.article(a),
                            "publicity.views.article"),
        "notice": Renderer(publicity, Notice, lambda a, at: publicity_views.notice(a),
                           "publicity.views.notice"),
        "commitment": Renderer(publicity, Commitment,
                               lambda a, at: publicity_views.commitment(a),
                               "publicity.views.commitment"),
    }  # fmt: skip


def generic_fold(envelopes: list[Envelope]) -> Answer:
    """A category without a view: every event's (redacted) fields, later ones
    overriding earlier ones."""
    state: Answer = {}
    for envelope in envelopes:
        state.update(redact(envelope.data))
    return state


def state_as_of(
    store: EventStore, stream: str, at: datetime, bureau_id: str | None = None
) -> Answer:
    """The record as it stood at `at`: its events recorded by then, replayed."""
    if at.tzinfo is None:
        raise InvalidInput(fields={"at": "bad_format"})
    envelopes = _read(store, stream, bureau_id, at)
    base: Answer = {
        "stream": stream,
        "as_of": utc_iso(at),
        "version": len(envelopes),
        "position": envelopes[-1].position if envelopes else None,
        "last_recorded_at": utc_iso(envelopes[-1].recorded_at) if envelopes else None,
    }
    if not envelopes:  # the record did not exist yet
        return {**base, "exists": False, "rendered_by": None, "state": None}
    renderer = renderers().get(category_of(stream))
    if renderer is None:
        return {**base, "exists": True, "rendered_by": "generic_fold",
                "state": generic_fold(envelopes)}  # fmt: skip
    aggregate = renderer.factory(stream.split("-", 1)[1])
    aggregate.replay([renderer.registry.decode(e) for e in envelopes], len(envelopes))
    state = redact(renderer.view(aggregate, at))
    return {**base, "exists": True, "rendered_by": renderer.name, "state": state}


# -- verification ----------------------------------------------------------------------


def verify(store: EventStore, stream: str | None = None) -> Answer:
    """Check one stream's hash chain (or every stream's); name the first broken link."""
    if stream is not None:
        envelopes = _read(store, stream, None)
        link = verify_stream(stream, envelopes)
        broken = [] if link is None else [link]
        streams, events = 1, len(envelopes)
    else:
        report = store.verify()
        broken, streams, events = report.broken, report.streams, report.events
    links = [
        {"stream": b.stream, "version": b.version, "reason": b.reason} for b in broken
    ]
    return {
        "intact": not links,
        "streams": streams,
        "events": events,
        "first_broken": links[0] if links else None,
        "broken": links,
    }
