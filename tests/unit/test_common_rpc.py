"""Calls between services are bounded: a service that took the call and went away
is a typed Unavailable after the bound, not a worker waiting forever."""

from __future__ import annotations

import time
from typing import Any

import eventlet
import pytest

from eventing.errors import AppendTooLarge, EventTooLarge
from services.common.errors import InvalidInput, Unavailable
from services.common.rpc import POSITION, _BoundedMethod, translated


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


class TestAnswersSayWhereTheirEventsEnd:
    """`translated` adds the last appended position to a command's answer (the
    gateway's X-Position); a call that appended nothing answers as it was."""

    class Service:
        def __init__(self) -> None:
            from eventing.metrics import InstrumentedStore
            from eventing.store.memory import MemoryEventStore

            self.store = InstrumentedStore(MemoryEventStore(), service="ledger")

        def append(self, stream: str, count: int) -> Any:
            from eventing.events import Metadata, NewEvent

            return self.store.append(
                stream,
                [NewEvent("NoteAdded", {"n": n}) for n in range(count)],
                None,
                Metadata("ledger"),
            )

        @translated
        def command(self, streams: dict[str, int]) -> dict[str, Any]:
            for stream, count in streams.items():
                self.append(stream, count)
            return {"done": True}

        @translated
        def nested(self) -> dict[str, Any]:
            inner = self.command({"ledger_item-b": 1})
            return {"inner": inner}

    def test_the_last_position_of_every_append_of_the_call(self) -> None:
        service = self.Service()
        service.append("ledger_item-x", 5)  # others' events before
        answer = service.command({"ledger_item-a": 2, "ledger_item-b": 3})
        last = service.store.head()
        assert answer == {"done": True, POSITION: last}
        assert [e.position for e in service.store.read_stream("ledger_item-b")][
            -1
        ] == last

    def test_a_call_that_appended_nothing_has_no_position(self) -> None:
        service = self.Service()
        service.append("ledger_item-x", 1)
        assert service.command({}) == {"done": True}

    def test_an_inner_call_does_not_hide_the_outer_one(self) -> None:
        service = self.Service()
        answer = service.nested()
        assert answer[POSITION] == service.store.head()
        assert answer["inner"][POSITION] == service.store.head()


class TestRepliesWithoutConfirms:
    """Every service answers its RPCs through `services.common.rpc.rpc`: replies go
    out without publisher confirms, requests keep theirs (an unroutable request is
    only reported through them)."""

    SERVICES = (
        "services.organization.service:OrganizationService",
        "services.complaints.service:ComplaintsService",
        "services.ledger.service:LedgerService",
        "services.evaluation.service:EvaluationService",
        "services.publicity.service:PublicityService",
    )

    def test_every_rpc_entrypoint_of_the_five_services_replies_without_confirms(
        self,
    ) -> None:
        import importlib

        from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
        from nameko.rpc import Rpc

        from services.common.rpc import _Rpc

        for spec in self.SERVICES:
            module, name = spec.split(":")
            service = getattr(importlib.import_module(module), name)
            entrypoints = [
                entrypoint
                for attribute in vars(service).values()
                for entrypoint in getattr(attribute, ENTRYPOINT_EXTENSIONS_ATTR, ())
                if isinstance(entrypoint, Rpc)
            ]
            assert entrypoints, spec
            assert {type(e) for e in entrypoints} == {_Rpc}, spec

    def test_replies_are_published_unconfirmed_and_requests_confirmed(self) -> None:
        from nameko.rpc import MethodProxy

        from services.common.rpc import _Responder

        assert _Responder.publisher_cls("amqp://x").use_confirms is False
        assert MethodProxy.publisher_cls("amqp://x").use_confirms is True


class TestSignatureOnce:
    """Entrypoints check a call's arguments against a signature built once."""

    class Service:
        def command(self, payload: Any = None, context: Any = None) -> Any:
            return payload

        @translated
        def wrapped(self, payload: Any = None, context: Any = None) -> Any:
            return payload

    def _entrypoint(self, method: str) -> Any:
        from types import SimpleNamespace

        from services.common.rpc import SignatureOnce

        entrypoint = SignatureOnce()
        entrypoint.container = SimpleNamespace(service_cls=self.Service)  # type: ignore[attr-defined]
        entrypoint.method_name = method  # type: ignore[attr-defined]
        return entrypoint

    def test_a_call_that_fits_the_method_passes(self) -> None:
        entrypoint = self._entrypoint("command")
        entrypoint.check_signature(({},), {"context": {}})
        entrypoint.check_signature((), {})

    def test_a_call_that_does_not_fit_is_an_incorrect_signature(self) -> None:
        from nameko.exceptions import IncorrectSignature

        entrypoint = self._entrypoint("command")
        with pytest.raises(IncorrectSignature, match="too many"):
            entrypoint.check_signature(({}, {}, {}), {})
        with pytest.raises(IncorrectSignature, match="unexpected keyword"):
            entrypoint.check_signature((), {"ctx": {}})

    def test_the_method_as_decorated_decides_as_nameko_did(self) -> None:
        import inspect

        entrypoint = self._entrypoint("wrapped")
        entrypoint.check_signature(({}, {}, {}), {"extra": 1})  # *args, **kwargs
        inspect.getcallargs(self.Service.wrapped, None, {}, {}, {}, extra=1)


@pytest.mark.parametrize(
    "refusal",
    [
        EventTooLarge("Attached", 2_000_000, 1_048_576),
        AppendTooLarge(20, 5_000, 4_096),  # EventStoreDB's MaxAppendSize
    ],
    ids=["event", "append"],
)
def test_an_append_too_large_for_the_store_is_invalid_input(
    refusal: EventTooLarge,
) -> None:
    @translated
    def command() -> None:
        raise refusal

    with pytest.raises(InvalidInput) as refused:
        command()
    assert refused.value.details == {"fields": {"payload": "too_long"}}
