"""Calls between services are bounded: a service that took the call and went away
is a typed Unavailable after the bound, not a worker waiting forever."""

from __future__ import annotations

import time
from typing import Any

import eventlet
import pytest

from services.common.errors import Unavailable
from services.common.rpc import _BoundedMethod


class Reply:
    def __init__(self, answer: Any = None, never: bool = False) -> None:
        self.answer = answer
        self.never = never

    def result(self) -> Any:
        if self.never:
            eventlet.event.Event().wait()  # no reply ever comes
        return self.answer


class Method:
    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.calls: list[tuple[Any, ...]] = []

    def call_async(self, *args: Any, **kwargs: Any) -> Reply:
        self.calls.append(args)
        return self.reply


def test_an_answer_in_time_is_the_answer() -> None:
    method = Method(Reply({"unit_id": "b01.u001"}))
    bounded = _BoundedMethod(method, "organization", seconds=1.0)
    assert bounded({"unit_id": "b01.u001"}, {"bureau_id": "b01"}) == {
        "unit_id": "b01.u001"
    }
    assert method.calls == [({"unit_id": "b01.u001"}, {"bureau_id": "b01"})]


def test_no_answer_is_unavailable_after_the_bound() -> None:
    bounded = _BoundedMethod(Method(Reply(never=True)), "organization", seconds=0.2)
    started = time.monotonic()
    with pytest.raises(Unavailable) as raised:
        bounded({}, {})
    assert time.monotonic() - started < 2
    assert raised.value.details == {"service": "organization"}
