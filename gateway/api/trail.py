"""The audit trail as API operations: a record's history, its state as of a time,
and the hash-chain check (gateway.audit does the work on the event store)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from eventing.store import EventStore
from gateway import audit
from gateway.api import errors
from gateway.api.app import Call
from gateway.api.auth import Principal

StoreOf = Callable[[], EventStore]


def _scope(call: Call) -> str | None:
    """District officials read any bureau's records; everyone else their own."""
    principal: Principal | None = call.principal
    if principal is not None and principal.district:
        return None
    return call.bureau_id


def handlers(store: StoreOf) -> dict[str, Callable[[Call], Any]]:
    def history(call: Call) -> Any:
        return audit.history(store(), call.values["stream"], _scope(call))

    def state(call: Call) -> Any:
        raw = call.payload.get("at")
        try:
            at = datetime.fromisoformat(str(raw))
        except ValueError:
            raise errors.bad_request(
                "invalid_input",
                "at 须为带时区的时间，例如 2026-06-30T18:00:00+08:00",
                "at must be a time with its offset, e.g. 2026-06-30T18:00:00+08:00",
                fields={"at": "bad_format"},
            ) from None
        if at.tzinfo is None:
            raise errors.bad_request(
                "invalid_input",
                "at 须带时区",
                "at needs its UTC offset",
                fields={"at": "bad_format"},
            )
        return audit.state_as_of(store(), call.values["stream"], at, _scope(call))

    def verify(call: Call) -> Any:
        stream = call.payload.get("stream")
        if stream:
            audit.history(store(), str(stream), _scope(call))  # scope: 404 if not ours
            return audit.verify(store(), str(stream))
        if _scope(call) is not None:
            raise errors.ApiError(
                403,
                "district_scope_required",
                "校验全部记录须由区级用户进行；本局用户请指定 stream",
                "Verifying every record is for district officials; name a stream",
            )
        return audit.verify(store())

    return {"audit_history": history, "audit_state": state, "audit_verify": verify}
