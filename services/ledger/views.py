"""What the ledger service answers: plain JSON-safe dicts of its aggregates."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.ledger.domain import (
    Indicators,
    InspectionTour,
    LedgerItem,
    Report,
    SelfAnalysis,
    Survey,
    WindowDisclosures,
    overdue_days,
)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def item(i: LedgerItem, today: date | None = None) -> dict[str, Any]:
    """One ledger item; with `today`, how many days it has run overdue."""
    answer = {
        "item_id": i.id,
        "bureau_id": i.bureau_id,
        "unit_id": i.unit_id,
        "person_id": i.person_id,
        "level": i.level.value,
        "category": i.problem_category.value,
        "check_dimension": i.check_dimension.value if i.check_dimension else None,
        "source": i.source.value,
        "reference": i.reference,
        "description": i.description,
        "state": i.state.value,
        "first_found_on": _day(i.first_found_on),
        "found_on": _day(i.found_on),
        "measures": list(i.measures),
        "leader_id": i.leader_id,
        "deadline": _day(i.deadline),
        "notes": list(i.notes),
        "submitted_by": i.submitted_by,
        "verifier_id": i.verifier_id,
        "verified_on": _day(i.verified_on),
        "rejections": i.rejections,
        "reopenings": i.reopenings,
        "overdue_since": _day(i.overdue_since),
        "escalation_level": i.escalation_level,
        "version": i.version,
    }
    if today is not None:
        answer["overdue_days"] = overdue_days(i, today)
    return answer


def self_analysis(s: SelfAnalysis) -> dict[str, Any]:
    return {
        "self_analysis_id": s.id,
        "bureau_id": s.bureau_id,
        "unit_id": s.unit_id,
        "person_id": s.person_id,
        "year": s.year,
        "state": s.state.value,
        "target": s.target.value,
        "text": s.text,
        "rejections": s.rejections,
        "self_criticism_filed": s.self_criticism_filed,
        "version": s.version,
    }


def survey(s: Survey, item_ids: list[str]) -> dict[str, Any]:
    recorded = s.recorded
    assert recorded is not None
    return {
        "survey_id": s.id,
        "bureau_id": recorded.bureau_id,
        "unit_id": recorded.unit_id,
        "kind": recorded.kind.value,
        "held_on": recorded.held_on.isoformat(),
        "participants": list(recorded.participants),
        "problems": [dict(p) for p in recorded.problems],
        "item_ids": item_ids,
    }


def disclosures(d: WindowDisclosures) -> dict[str, Any]:
    return {
        "unit_id": d.id,
        "bureau_id": d.bureau_id,
        "complete": d.complete,
        "disclosures": {
            kind.value: {
                "content": x.content,
                "version": x.version,
                "published_at": x.published_at.isoformat(),
            }
            for kind, x in sorted(d.current.items())
        },
    }


def tour(t: InspectionTour, item_ids: list[str] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "tour_id": t.id,
        "bureau_id": t.bureau_id,
        "started": t.started,
        "concluded": t.concluded,
        "inspected": {unit: v.value for unit, v in sorted(t.inspected.items())},
        "version": t.version,
    }
    if item_ids is not None:
        answer["item_ids"] = item_ids
    return answer


def indicators(i: Indicators) -> dict[str, Any]:
    return {
        "found": i.found,
        "found_by_source": {k.value: v for k, v in sorted(i.found_by_source.items())},
        "found_by_category": {
            k.value: v for k, v in sorted(i.found_by_category.items())
        },
        "closed": i.closed,
        "closed_on_time": i.closed_on_time,
        "average_days_to_close": i.average_days_to_close,
        "overdue_now": i.overdue_now,
        "reopen_rate": i.reopen.rate,
        "materials_rejected_rate": i.materials_rejected.rate,
    }


def report(r: Report, bureau_id: str) -> dict[str, Any]:
    return {
        "bureau_id": bureau_id,
        "start": r.start.isoformat(),
        "end": r.end.isoformat(),
        "bureau": indicators(r.by_bureau.get(bureau_id, Indicators())),
        "units": {
            unit or "": indicators(figures)
            for (bureau, unit), figures in sorted(
                r.by_unit.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
            )
            if bureau == bureau_id
        },
        "people": {
            person: indicators(figures)
            for (bureau, person), figures in sorted(r.by_person.items())
            if bureau == bureau_id
        },
    }
