"""JSON log lines: time, level, service, and the request's context where known.

The context (correlation id, causation id, bureau, actor) is bound per worker or per
request with `bind()`; in a Nameko process CommandMetrics binds it for every worker
from the call's context argument or the consumed event's envelope. Personal data never
goes into the context: ids and a bureau only (no names, no contacts).
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Mapping
from datetime import UTC, datetime

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)
_context: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar(
    "log_context", default=None
)
CONTEXT_FIELDS = ("correlation_id", "causation_id", "bureau", "actor")

_process_service: str | None = None


def set_process_service(name: str) -> None:
    """Name this process's lines by the service it runs (the first one that asks)."""
    global _process_service
    if _process_service is None:
        _process_service = name


def bind(**fields: str | None) -> contextvars.Token[Mapping[str, str] | None]:
    """Add fields to the current context's log lines; `unbind(token)` undoes it."""
    merged = dict(_context.get() or {})
    merged.update({key: value for key, value in fields.items() if value})
    return _context.set(merged)


def unbind(token: contextvars.Token[Mapping[str, str] | None]) -> None:
    _context.reset(token)


def context_fields() -> dict[str, str]:
    return dict(_context.get() or {})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, service, logger, message, context."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        bound = _context.get() or {}
        service = self.service
        if service == "nameko":  # deploy/nameko.yaml: one config for every service
            service = bound.get("service") or _process_service or service
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "service": service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        cid = (
            getattr(record, "correlation_id", None)
            or bound.get("correlation_id")
            or correlation_id.get()
        )
        if cid:
            entry["correlation_id"] = cid
        for field in CONTEXT_FIELDS[1:]:
            value = getattr(record, field, None) or bound.get(field)
            if value:
                entry[field] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send this process's logs to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
