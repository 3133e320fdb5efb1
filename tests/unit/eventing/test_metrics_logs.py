"""JSON log lines carry the worker's ids (correlation, causation, bureau, actor)."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from nameko.events import EventHandler
from nameko.rpc import Rpc

from eventing import logs
from eventing.nameko import _log_context


def line(formatter: logs.JsonFormatter, message: str, **extra: Any) -> dict[str, Any]:
    record = logging.LogRecord("test", logging.INFO, __file__, 1, message, (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return dict(json.loads(formatter.format(record)))


class Worker:
    def __init__(self, entrypoint: Any, args: tuple[Any, ...], data: Any = None):
        self.entrypoint = entrypoint
        self.args = args
        self.kwargs: dict[str, Any] = {}
        self.data = data or {}


def entrypoint(kind: type) -> Any:
    made = kind.__new__(kind)
    made.method_name = "method"
    return made


class TestJsonLines:
    def test_a_line_has_time_level_service_and_message(self):
        entry = line(logs.JsonFormatter("relay"), "published")
        assert {"time", "level", "service", "logger", "message"} <= set(entry)
        assert (entry["level"], entry["service"]) == ("info", "relay")

    def test_bound_ids_appear_on_every_line_of_that_context_only(self):
        formatter = logs.JsonFormatter("complaints")
        seen: dict[str, Any] = {}

        def worker() -> None:
            logs.bind(correlation_id="c-1", causation_id="e-9", bureau="b01", actor="a")
            seen["inside"] = line(formatter, "handled")

        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        outside = line(formatter, "idle")
        assert seen["inside"] == {
            **seen["inside"],
            "correlation_id": "c-1",
            "causation_id": "e-9",
            "bureau": "b01",
            "actor": "a",
        }
        assert "correlation_id" not in outside and "bureau" not in outside

    def test_unbind_restores_the_previous_context(self):
        formatter = logs.JsonFormatter("x")
        token = logs.bind(bureau="b02")
        assert line(formatter, "m")["bureau"] == "b02"
        logs.unbind(token)
        assert "bureau" not in line(formatter, "m")


class TestWorkerContext:
    def test_an_rpc_call_gives_its_context_ids_and_nothing_of_its_payload(self):
        payload = {"reporter_name": "王小明", "reporter_contact": "13800000000"}
        context = {"bureau_id": "b01", "actor": "b01.p-op", "correlation_id": "c-7"}
        fields = _log_context(Worker(entrypoint(Rpc), (payload, context)))
        assert fields == {
            "correlation_id": "c-7",
            "bureau": "b01",
            "actor": "b01.p-op",
        }

    def test_a_consumed_event_gives_its_id_as_the_causation(self):
        envelope = {
            "event_id": "e-1",
            "correlation_id": "c-1",
            "bureau_id": "b03",
            "actor": "system",
            "data": {"reporter_contact": "13800000000"},
        }
        fields = _log_context(Worker(entrypoint(EventHandler), (envelope,)))
        assert fields == {
            "correlation_id": "c-1",
            "causation_id": "e-1",
            "bureau": "b03",
            "actor": "system",
        }
