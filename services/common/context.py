"""The caller's context as RPC entrypoints receive it from the gateway."""

from __future__ import annotations

import uuid
from typing import Any

from eventing.aggregate import CommandContext
from services.common.errors import InvalidInput, NotFound
from services.common.validation import Check


def command_context(raw: Any) -> CommandContext:
    """{"bureau_id": "zjj", "actor": "account:zhang", "correlation_id": "..."}."""
    raw = raw if isinstance(raw, dict) else {}
    check = Check("context.")
    bureau = check.identifier("bureau_id", raw.get("bureau_id"), required=False)
    actor = check.text("actor", raw.get("actor"), max_len=200)
    correlation = check.text(
        "correlation_id", raw.get("correlation_id"), max_len=100, required=False
    )
    expected = raw.get("expected")
    stream, version = None, None
    if expected is not None:
        if isinstance(expected, dict):
            stream = check.text("expected.stream", expected.get("stream"), max_len=300)
            version = int(
                check.number(
                    "expected.version", expected.get("version"), low=0, integer=True
                )
            )
        else:
            check.fail("expected", "bad_format")
    check.done()
    return CommandContext(
        bureau_id=bureau or None,
        actor=actor,
        correlation_id=correlation or str(uuid.uuid4()),
        expected_stream=stream or None,
        expected_version=version,
    )


def bureau_of(ctx: CommandContext) -> str:
    """The caller's bureau; a command without one finds nothing."""
    if not ctx.bureau_id:
        raise NotFound(kind="bureau", id="")
    return ctx.bureau_id


def actor_of(ctx: CommandContext) -> str:
    """Who acts; every command names them."""
    if not ctx.actor:
        raise InvalidInput(fields={"context.actor": "required"})
    return ctx.actor
