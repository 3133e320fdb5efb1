"""Nameko glue shared by services: typed errors cross RPC as their own classes."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import IncorrectSignature, deserialize_to_instance
from nameko.rpc import Responder, Rpc, RpcConsumer, RpcProxy, get_rpc_exchange

from eventing import errors as eventing_errors
from eventing.errors import (
    DuplicateEvent,
    EventTooLarge,
    StoreUnavailable,
    WrongExpectedVersion,
)
from eventing.metrics import LAST_APPENDED
from services.common import errors as common_errors
from services.common.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    PreconditionFailed,
    Unavailable,
)

F = TypeVar("F", bound=Callable[..., Any])


def deserializable(*modules: ModuleType) -> tuple[type[DomainError], ...]:
    """Register every DomainError class of `modules` so RPC callers get the class
    itself (with code and details), not a RemoteError; return them all for
    `@rpc(expected_exceptions=...)`."""
    found = tuple(
        cls
        for module in (common_errors, *modules)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, DomainError)
    )
    for cls in found:
        deserialize_to_instance(cls)
    return found


POSITION = "_position"
"""The key under which a command's answer carries the store position of the last
event it appended (absent when it appended none): the gateway takes it out of the
answer and hands it back as X-Position, so a client can read its own write without
the gateway asking the store for its head."""


def translated(method: F) -> F:
    """Turn the event store's errors into the domain's: a lost race is a Conflict,
    an unreachable store is Unavailable, an oversized payload is InvalidInput.
    A dict answer of a call that appended events gets their last position under
    POSITION."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = LAST_APPENDED.set(None)
        try:
            answer = method(*args, **kwargs)
            position = LAST_APPENDED.get()
            if position is not None and isinstance(answer, dict):
                answer = {**answer, POSITION: position}
            return answer
        except eventing_errors.PreconditionFailed as error:
            raise PreconditionFailed(
                expected=error.expected, actual=error.actual
            ) from None
        except (WrongExpectedVersion, DuplicateEvent) as error:
            raise Conflict(reason=str(error)) from None
        except EventTooLarge:
            raise InvalidInput(fields={"payload": "too_long"}) from None
        except StoreUnavailable:
            raise Unavailable() from None
        finally:
            # a call made inside another one: the outer call's events end there too
            inner = LAST_APPENDED.get()
            LAST_APPENDED.reset(token)
            outer = LAST_APPENDED.get()
            if inner is not None and (outer is None or inner > outer):
                LAST_APPENDED.set(inner)

    return wrapper  # type: ignore[return-value]


class RpcTimedOut(Exception):
    """A service took the call and did not answer in time (it may be down with its
    queue still there: Nameko's own proxy would wait forever)."""


def call_bounded(method: Any, *args: Any, seconds: float = 10.0, **kwargs: Any) -> Any:
    """Call a Nameko RPC method proxy (`self.ledger.get_indicators`) and wait for
    its answer at most `seconds`; RpcTimedOut past that."""
    import eventlet

    reply = method.call_async(*args, **kwargs)
    try:
        with eventlet.Timeout(seconds):
            return reply.result()
    except eventlet.Timeout:
        raise RpcTimedOut(f"no answer within {seconds:g} s") from None


class BoundedRpcProxy(RpcProxy):  # type: ignore[misc]
    """`organization = BoundedRpcProxy("organization")`: Nameko's RpcProxy whose
    calls wait at most `seconds` for the answer, then raise Unavailable (a typed
    503 for whoever called this service), instead of waiting forever for a service
    that took the call and went away."""

    def __init__(self, target_service: str, seconds: float = 15.0, **options: Any):
        super().__init__(target_service, **options)
        self.seconds = seconds

    def get_dependency(self, worker_ctx: Any) -> _BoundedService:
        return _BoundedService(
            super().get_dependency(worker_ctx), self.target_service, self.seconds
        )


class _BoundedService:
    def __init__(self, proxy: Any, name: str, seconds: float) -> None:
        self._proxy = proxy
        self._name = name
        self._seconds = seconds

    def __getattr__(self, method: str) -> _BoundedMethod:
        return _BoundedMethod(getattr(self._proxy, method), self._name, self._seconds)


class _BoundedMethod:
    def __init__(self, method: Any, service: str, seconds: float) -> None:
        self._method = method
        self._service = service
        self._seconds = seconds

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return call_bounded(self._method, *args, seconds=self._seconds, **kwargs)
        except RpcTimedOut:
            raise Unavailable(service=self._service) from None

    def call_async(self, *args: Any, **kwargs: Any) -> Any:
        return self._method.call_async(*args, **kwargs)


class _ReplyPublisher(Publisher):  # type: ignore[misc]
    use_confirms = False


class _Responder(Responder):  # type: ignore[misc]
    publisher_cls = _ReplyPublisher


class _RpcConsumer(RpcConsumer):  # type: ignore[misc]
    """Nameko's RPC consumer, answering through `_Responder`."""

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> Any:
        config = self.container.config
        responder = _Responder(
            config[AMQP_URI_CONFIG_KEY],
            get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY),
            login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class SignatureOnce:
    """For a Nameko entrypoint: check a call's arguments against the method's
    signature built once, not with inspect.getcallargs, which builds it again on
    every call (as Nameko's Entrypoint.check_signature does). Same check: the
    method as decorated (a `translated` wrapper takes anything), same error."""

    _signature: inspect.Signature | None = None

    def check_signature(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        signature = self._signature
        if signature is None:
            method = getattr(self.container.service_cls, self.method_name)  # type: ignore[attr-defined]
            signature = self._signature = inspect.signature(
                method, follow_wrapped=False
            )
        try:
            signature.bind(None, *args, **kwargs)  # None: the unbound `self`
        except TypeError as error:
            raise IncorrectSignature(str(error)) from None


class _Rpc(SignatureOnce, Rpc):  # type: ignore[misc]
    rpc_consumer = _RpcConsumer()


rpc = _Rpc.decorator
"""Nameko's `@rpc` entrypoint, whose replies go out without publisher confirms.

A reply is a transient message to the caller's own auto-delete reply queue: a
confirm proves only that the broker took it, and a broker that loses it loses the
queue too, so the caller's bounded wait (call_bounded, the gateway's timeout) is
what covers a lost reply either way. Waiting for the confirm cost every command a
round trip to the broker and the broker a frame. Requests keep their confirms: an
unroutable request (no such service running) is only reported through them."""
