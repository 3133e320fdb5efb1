"""Real service events for read-model tests, made by the services' own aggregates.

Each builder runs domain commands on a fresh aggregate (random id) and appends its
events through a Repository, exactly as the service's handlers would.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

from eventing.aggregate import (
    Aggregate,
    CommandContext,
    DomainEvent,
    DomainEventRegistry,
    Repository,
)
from eventing.events import Metadata, NewEvent
from eventing.store.base import AppendResult, EventStore
from services.complaints.domain import ChineseWorkCalendar, Complaint, DeadlinePolicy
from services.complaints.domain import registry as complaints_registry
from services.complaints.domain.model import (
    AccountabilityKind,
    Channel,
    Outcome,
    hash_receipt_code,
)
from services.complaints.domain.model import (
    Category as ComplaintCategory,
)
from services.evaluation.domain import events as ev
from services.ledger.domain import ItemOpening, LedgerItem, SupervisorEligibility
from services.ledger.domain import events as le
from services.ledger.domain import registry as ledger_registry
from services.ledger.domain.model import (
    Category,
    CheckDimension,
    DisclosureKind,
    Level,
    Source,
)
from services.organization.domain import Campaign, Unit
from services.organization.domain import registry as organization_registry
from services.organization.domain.model import UnitKind
from services.publicity.domain import events as pe

AT = datetime(2026, 4, 10, 2, 0, tzinfo=UTC)
FOUND_ON = date(2026, 4, 10)


def save(
    store: EventStore,
    registry: DomainEventRegistry,
    aggregate: Aggregate,
    service: str,
    bureau_id: str | None,
    actor: str = "tester",
) -> AppendResult | None:
    """Append the aggregate's pending events as `service` would."""
    repository: Repository[Any] = Repository(
        store, registry, lambda id: aggregate, service
    )
    return repository.save(aggregate, CommandContext(bureau_id, actor))


def leader(bureau_id: str) -> str:
    return f"{bureau_id}.p-leader"


def ledger_item(
    store: EventStore,
    bureau_id: str,
    unit_id: str | None,
    *,
    deadline: date | None = date(2026, 6, 30),
    state: str = "open",
    category: Category = Category.SLOW,
    source: Source = Source.SELF_INSPECTION,
    found_on: date = FOUND_ON,
    verified_on: date | None = None,
) -> LedgerItem:
    """An item opened (and planned with `deadline`), then submitted or closed."""
    item = LedgerItem(uuid.uuid4().hex)
    dimension = (
        CheckDimension.WORK_STANDARDS if source is Source.SELF_INSPECTION else None
    )
    item.open(
        ItemOpening(bureau_id, unit_id, None, Level.UNIT, category, dimension,
                    source, "ref-1", "窗口审批环节多", (), found_on),
        "info-officer", AT,
    )  # fmt: skip
    if deadline is not None:
        eligibility = SupervisorEligibility.of(bureau_id, [leader(bureau_id)])
        item.plan(["精简材料"], leader(bureau_id), bureau_id, eligibility, deadline,
                  "info-officer", AT + timedelta(days=1))  # fmt: skip
    if state in ("submitted", "closed"):
        item.submit("已整改", "info-officer", AT + timedelta(days=2))
    if state == "closed":
        on = verified_on or found_on + timedelta(days=5)
        item.verify(leader(bureau_id), False, on, AT + timedelta(days=3))
    save(store, ledger_registry, item, "ledger", bureau_id)
    return item


def complaint(
    store: EventStore,
    bureau_id: str,
    unit_id: str | None,
    *,
    stage: str = "received",
    at: datetime = datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
    reporter_ref: str | None = "reporter-ref-secret",
) -> Complaint:
    """A complaint taken to `stage`: received, assigned, concluded, decided, closed."""
    policy = DeadlinePolicy(ChineseWorkCalendar())
    c = Complaint(uuid.uuid4().hex)
    c.receive(bureau_id, unit_id, Channel.HOTLINE, ComplaintCategory.SLOW,
              "窗口办事拖拉", [], reporter_ref, hash_receipt_code("K7Q2-M9XD"),
              policy, "hotline-operator", at)  # fmt: skip
    steps = ["received", "assigned", "concluded", "decided", "closed"]
    reached = steps.index(stage)
    investigator = f"{bureau_id}.p-investigator"
    if reached >= 1:
        c.accept("office", at + timedelta(hours=1))
        c.assign(investigator, "office", at + timedelta(hours=2))
    if reached >= 2:
        c.start_investigation(investigator, at + timedelta(hours=3))
        c.conclude(Outcome.SUBSTANTIATED, "查实", policy, investigator,
                   at + timedelta(days=3))  # fmt: skip
    if reached >= 3:
        c.decide_accountability(AccountabilityKind.WRITTEN_SELF_CRITICISM,
                                ["p-clerk"], "情节较轻", "office",
                                at + timedelta(days=4))  # fmt: skip
    if reached >= 4:
        c.reply("已整改", "office", at + timedelta(days=5))
        c.close(True, "办结", "office", at + timedelta(days=6))
    save(store, complaints_registry, c, "complaints", bureau_id)
    return c


def campaign(store: EventStore, bureau_id: str, year: int = 2026) -> Campaign:
    k = Campaign(f"{bureau_id}.{year}")
    k.launch(bureau_id, year, f"{year} 作风建设年", None, None)
    save(store, organization_registry, k, "organization", bureau_id)
    return k


def unit(
    store: EventStore,
    bureau_id: str,
    code: str,
    kind: UnitKind = UnitKind.OFFICE,
    service_window: bool = False,
) -> Unit:
    u = Unit(f"{bureau_id}.{code}")
    u.register(bureau_id, code, f"{code} 科", kind, service_window)
    save(store, organization_registry, u, "organization", bureau_id)
    return u


# -- evaluation and publicity: their events, appended as their services would ------


def append(
    store: EventStore,
    registry: DomainEventRegistry,
    service: str,
    stream: str,
    bureau_id: str,
    *events: DomainEvent,
) -> None:
    """Append `events` to the end of `stream` as `service` would."""
    store.append(
        stream,
        [registry.to_new_event(e) for e in events],
        store.stream_version(stream),
        Metadata(service=service, bureau_id=bureau_id, actor="tester"),
    )


def subject_result(
    subject_id: str, unit_id: str, *, published: bool = True, triggered: bool = False
) -> dict[str, Any]:
    """A subject's entry in RoundTallied, shaped as the tally's `to_dict`."""
    return {
        "subject_id": subject_id, "kind": "team", "unit_id": unit_id,
        "person_id": None, "valid": 12 if published else 2, "published": published,
        "withheld_reason": "" if published else "below_min_ballots",
        "counts": {"excellent": 5, "good": 3, "fair": 2, "poor": 2}
        if published else {},
        "weighted": {"fair": "2", "poor": "2"} if published else {},
        "weighted_valid": "12" if published else None,
        "rule": {"triggered": triggered,
                 "reason": "exceeds" if triggered else "not_exceeded",
                 "share": "1/3" if published else None},
        "mean_score": None, "grade": None, "rank": None,
    }  # fmt: skip


def evaluation_round(
    store: EventStore,
    bureau_id: str,
    units: list[str],
    *,
    state: str = "tallied",
    year: int = 2026,
) -> str:
    """A leadership round over `units`' teams: opened, closed, tallied (the first
    unit's team fires the 30% rule; the last one is withheld below the minimum)."""
    round_id = uuid.uuid4().hex[:12]
    stream = f"evaluation_round-{round_id}"
    at = datetime(year, 10, 10, 2, tzinfo=UTC)
    subjects = [{"subject_id": f"team.{u}", "kind": "team", "unit_id": u}
                for u in units]  # fmt: skip
    events: list[DomainEvent] = [
        ev.RoundOpened(round_id, bureau_id, year, "leadership", "领导班子评议", at,
                       at + timedelta(days=7), subjects,
                       [["voter-1", "staff"], ["voter-2", "deputy"]],
                       {"staff": "1"}, "3/10", 5, 10, 1, 512, "office", at)
    ]  # fmt: skip
    if state in ("closed", "tallied"):
        events.append(ev.RoundClosed(round_id, bureau_id, "office", at))
    if state == "tallied":
        results = [
            subject_result(s["subject_id"], s["unit_id"], triggered=n == 0,
                           published=n < len(units) - 1 or len(units) == 1)
            for n, s in enumerate(subjects)
        ]  # fmt: skip
        tallied_on = date(year, 10, 18)
        events.append(ev.RoundTallied(round_id, bureau_id, 20, 14, 14, 14, 0, 14,
                                      False, "", results, tallied_on))  # fmt: skip
        events.append(
            ev.AdmonishmentTalkRequired(round_id, bureau_id, f"team.{units[0]}",
                                        "team", units[0], f"{units[0]}.p-head",
                                        "talk-1", "4", "12", "1/3", "3/10",
                                        date(year, 11, 1))
        )  # fmt: skip
    append(store, ev.registry, "evaluation", stream, bureau_id, *events)
    return round_id


def assessed_unit(
    unit_id: str, rank: int | None, score: str | None, *, missing: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A unit's row of the published table, shaped as the assessment's `to_dict`
    (`score` an exact fraction, e.g. "2471/30"; None: no score and no rank)."""
    decimal = None if score is None else f"{float(Fraction(score)):.2f}"
    inputs = {
        name: {"part": None if name in missing else "4/5", "weight": "1/6",
               "effective_weight": "0" if name in missing else "1/6",
               "source": {"what": name}}
        for name in ("evaluation", "ledger", "complaints", "publicity", "tests",
                     "innovation")
    }  # fmt: skip
    return {"unit_id": unit_id, "rank": rank, "score": score,
            "score_decimal": decimal, "incomplete": bool(missing),
            "missing": list(missing), "inputs": inputs}  # fmt: skip


def assessment_published(
    store: EventStore,
    bureau_id: str,
    units: list[dict[str, Any]],
    *,
    year: int = 2026,
    note: str | None = None,
    published_at: datetime = datetime(2027, 1, 5, 2, tzinfo=UTC),
) -> int:
    """The evaluation service's AssessmentPublished (schema 1), written from its
    contract: one more publication of the bureau-year's table. Answers the stream's
    version after it."""
    stream = f"assessment-{bureau_id}.{year}"
    data = {
        "bureau_id": bureau_id, "year": year,
        "as_of": datetime(year, 12, 31, 16, tzinfo=UTC).isoformat(),
        "published_at": published_at.isoformat(),
        "published_by": f"{bureau_id}.001002", "note": note,
        "formula": "score = 100 × Σ(weight × part) / Σ(weight of the parts present)",
        "weights": dict.fromkeys(("evaluation", "ledger", "complaints", "publicity",
                                  "tests", "innovation"), "1/6"),
        "units": units,
    }  # fmt: skip
    result = store.append(
        stream,
        [NewEvent("AssessmentPublished", data, 1)],
        store.stream_version(stream),
        Metadata(service="evaluation", bureau_id=bureau_id, actor="tester"),
    )
    return result.version


def quota_period(
    store: EventStore, bureau_id: str, unit_id: str, starts_on: date, *, met: bool
) -> None:
    ends_on = starts_on + timedelta(days=6)
    articles = ("a-1",) if met else ()
    fields = (unit_id, bureau_id, "affiliated_unit", "week", starts_on, ends_on, 1,
              len(articles), articles, f"{unit_id}.p-info")  # fmt: skip
    decided = datetime.combine(ends_on, datetime.min.time(), UTC) + timedelta(days=1)
    event = (
        pe.QuotaMet(*fields, decided)
        if met
        else pe.QuotaMissed(*fields, "too_few_articles", decided)
    )
    stream = f"quota_period-{unit_id}.week.{starts_on.isoformat()}"
    append(store, pe.registry, "publicity", stream, bureau_id, event)


def published_board(store: EventStore, bureau_id: str, unit_id: str) -> dict[str, str]:
    """One of everything the public board shows; answers the ids by kind."""
    kinds = ("article", "commitment", "notice", "withdrawn", "commendation")
    ids = {k: uuid.uuid4().hex[:10] for k in kinds}
    on = date(2026, 3, 1)
    append(store, pe.registry, "publicity", f"article-{ids['article']}", bureau_id,
           pe.ArticlePublished(ids["article"], bureau_id, unit_id, "p-author",
                               "窗口新风", "<p>窗口新风</p>", "website", on, None,
                               "office", AT))  # fmt: skip
    append(store, pe.registry, "publicity", f"commitment-{ids['commitment']}",
           bureau_id,
           pe.CommitmentPublished(ids["commitment"], bureau_id, unit_id, "p-head",
                                  "一次告知", on, "website", "office", AT),
           pe.CommitmentReviewed(ids["commitment"], bureau_id, unit_id, "kept",
                                 "已兑现", date(2026, 12, 1), "office", AT),
    )  # fmt: skip
    for key in ("notice", "withdrawn"):
        events: list[DomainEvent] = [
            pe.NoticePublished(ids[key], bureau_id, "criticism", unit_id, "通报",
                               "<p>通报</p>", "p-approver", "office", AT)
        ]  # fmt: skip
        if key == "withdrawn":
            events.append(pe.NoticeWithdrawn(ids[key], bureau_id, "误发", True,
                                              "office", AT))  # fmt: skip
        append(store, pe.registry, "publicity", f"notice-{ids[key]}", bureau_id,
               *events)  # fmt: skip
    append(store, pe.registry, "publicity", f"commendation-{ids['commendation']}",
           bureau_id,
           pe.CommendationAnnounced(ids["commendation"], bureau_id, "model_window",
                                    unit_id, None, "示范窗口", "服务优", 2026, None,
                                    "office", AT))  # fmt: skip
    append(store, ledger_registry, "ledger", f"window_disclosures-{unit_id}",
           bureau_id,
           le.DisclosurePublished(bureau_id, unit_id, DisclosureKind.PROCESS,
                                  "流程 v1", 1, "office", AT),
           le.DisclosureReplaced(bureau_id, unit_id, DisclosureKind.PROCESS,
                                 "流程 v2", 2, 1, "office", AT))  # fmt: skip
    return ids
