"""JSON-safe answers of the evaluation service (what RPC callers and the gateway see).

Results show a subject's counts only when it had at least `min_ballots` valid votes;
below that the answer says so and why, and nothing else.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from services.evaluation.domain import EvaluationRound, StudyTest, Talk


def round_summary(r: EvaluationRound) -> dict[str, Any]:
    d = r.definition
    assert d is not None
    return {
        "round_id": d.round_id,
        "bureau_id": d.bureau_id,
        "year": d.year,
        "kind": d.kind.value,
        "title": d.title,
        "opens_at": d.opens_at.isoformat(),
        "closes_at": d.closes_at.isoformat(),
        "subjects": [s.to_dict() for s in d.subjects],
        "electorate_size": len(d.electorate),
        "constituencies": sorted(set(d.electorate.values())),
        "weights": {k: str(v) for k, v in d.weights.items()},
        "threshold": str(d.threshold),
        "min_ballots": d.min_ballots,
        "state": "tallied" if r.tallied else "closed" if r.closed else "open",
        "duty_reports": [
            {
                "person_id": e.person_id,
                "title": e.title,
                "summary": e.summary,
                "at": e.at.isoformat(),
            }
            for e in r.duty_reports
        ],
    }


def round_results(r: EvaluationRound) -> dict[str, Any]:
    t = r.tallied
    assert t is not None
    subjects = []
    for s in t.subjects:
        shown = dict(s)
        shown["comments"] = (
            r.comments.get(s["subject_id"], []) if s["published"] else []
        )
        subjects.append(shown)
    return {
        "round_id": t.round_id,
        "state": "tallied",
        "tallied_on": t.on.isoformat(),
        "reconciliation": {
            "issued": t.issued,
            "returned": t.returned,
            "in_box": t.in_box,
            "counted": t.counted,
            "discarded": t.discarded,
            "valid": t.valid,
        },
        "void": t.void,
        "void_reason": t.void_reason,
        "results": subjects,
        "admonishments": [
            {
                "subject_id": a.subject_id,
                "person_id": a.person_id,
                "unit_id": a.unit_id,
                "share": a.share,
                "threshold": a.threshold,
                "talk_id": a.talk_id,
                "due_on": a.due_on.isoformat(),
            }
            for a in r.admonishments
        ],
        "lowest_rated": [
            {
                "subject_id": f.subject_id,
                "person_id": f.person_id,
                "head_id": f.head_id,
                "mean_score": f.mean_score,
                "talk_id": f.talk_id,
            }
            for f in r.flagged
        ],
    }


def talk(t: Talk, today: date) -> dict[str, Any]:
    req = t.required
    assert req is not None
    held = t.held
    return {
        "talk_id": t.id,
        "kind": req.kind,
        "person_id": req.person_id,
        "held_by": req.held_by,
        "unit_id": req.unit_id,
        "reason": req.reason,
        "source_id": req.source_id,
        "due_on": req.due_on.isoformat(),
        "state": "held" if held else "overdue" if t.overdue(today) else "pending",
        "overdue": t.overdue(today),
        "held_on": held.held_on.isoformat() if held else None,
        "record": held.record if held else None,
    }


def study_test(t: StudyTest) -> dict[str, Any]:
    held = t.held
    assert held is not None
    return {
        "test_id": t.id,
        "unit_id": held.unit_id,
        "year": held.year,
        "title": held.title,
        "held_on": held.held_on.isoformat(),
        "closed_book": True,
        "pass_mark": held.pass_mark,
        "summary": t.summary().to_dict(),
        "scores": {p: str(s) for p, s in sorted(t.scores.items())},
        "spot_checks": [
            {"checked_on": s.checked_on.isoformat(), "finding": s.finding}
            for s in t.spot_checks
        ],
        "flagged_for_criticism": t.flagged is not None,
    }
