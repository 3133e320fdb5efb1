"""What the publicity service answers: plain JSON-safe dicts of its aggregates."""

from __future__ import annotations

from typing import Any

from services.publicity.domain import Article, Commitment, Notice


def article(a: Article) -> dict[str, Any]:
    return {
        "article_id": a.id,
        "bureau_id": a.bureau_id,
        "unit_id": a.unit_id,
        "author_id": a.author_id,
        "state": a.state.value,
        "title": a.title,
        "body": a.body,
        "body_format": a.body_format.value,
        "html": a.html,
        "channel_wanted": a.channel_wanted.value,
        "attachments": [dict(x) for x in a.attachments],
        "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
        "returns": list(a.returns),
        "resubmissions": a.resubmissions,
        "publications": [
            {"channel": ch, "published_on": on.isoformat(), "issue": issue}
            for ch, (on, issue) in a.publications.items()
        ],
        "version": a.version,
    }


def notice(n: Notice) -> dict[str, Any]:
    service, event, reference = n.source
    return {
        "notice_id": n.id,
        "bureau_id": n.bureau_id,
        "kind": n.kind.value,
        "unit_id": n.unit_id,
        "state": n.state.value,
        "title": n.title,
        "body": n.body,
        "html": n.html,
        "source": {"service": service, "event": event, "reference": reference}
        if service
        else None,
        "approver_id": n.approver_id,
        "withdrawal_reason": n.withdrawal_reason,
        "version": n.version,
    }


def commitment(k: Commitment) -> dict[str, Any]:
    made = k.made
    assert made is not None
    return {
        "commitment_id": k.id,
        "bureau_id": made.bureau_id,
        "unit_id": made.unit_id,
        "maker_id": made.maker_id,
        "text": made.text,
        "made_on": made.made_on.isoformat(),
        "channel": made.channel,
        "status": k.status.value if k.status else None,
        "remarks": k.remarks,
        "version": k.version,
    }
