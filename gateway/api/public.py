"""Public intake: a report from anyone, anonymous if they wish, answered with the
receipt code and nothing internal (no case id, no duplicates, no staff names)."""

from __future__ import annotations

from typing import Any

from gateway.api.app import Call

RECEIPT_NOTE = (
    "请妥善保存查询码：凭此码可查询办理进展、补充材料；查询码只显示这一次。",
    "Keep this receipt code: it is how you follow your report and add to it; "
    "it is shown this once only.",
)


def public_report(call: Call) -> dict[str, Any]:
    bureau = call.values["bureau_id"]
    context = {**call.context, "bureau_id": bureau, "actor": "public"}
    # an unknown bureau is a 404 here, not a report filed into nowhere
    call.caller("organization", "get_bureau", {}, context)
    answer = call.caller("complaints", "receive_complaint", call.payload, context)
    complaint = answer.get("complaint") or {}
    zh, en = RECEIPT_NOTE
    return {
        "receipt_code": answer["receipt_code"],
        "bureau_id": bureau,
        "status": complaint.get("status"),
        "received_at": complaint.get("received_at"),
        "note": en if call.language == "en" else zh,
    }
