"""The gateway's Nameko HTTP service: the only door for clients.

- `/api/v1/...`: every command and query (gateway.api: routes, authentication,
  authorization, errors, idempotency, If-Match), with its OpenAPI document at
  `/api/v1/openapi.json` and a documentation page at `/api/v1/docs`.
- `/health`, `/ready`, `/metrics` for operators.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from typing import Any

from nameko.extensions import DependencyProvider
from nameko.rpc import MethodProxy, RpcProxy
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer
from prometheus_client import CONTENT_TYPE_LATEST
from werkzeug.routing import PathConverter, Rule
from werkzeug.wrappers import Request, Response

from eventing.config import Settings
from eventing.errors import StoreUnavailable
from eventing.heap import freeze_startup_heap
from eventing.store import EventStore, open_store
from gateway import exports, metrics, open311
from gateway.api import catalogue, trail
from gateway.api.app import PUBLIC_BURST, PUBLIC_RATE, Api, Caller, LocalHandler
from gateway.api.auth import AccountChanges, KeyCache, TokenSigner, load_secret
from gateway.api.errors import timeout
from gateway.api.openapi import DOCS_PAGE, document
from gateway.api.public import public_report
from gateway.api.ratelimit import SharedTokenBuckets
from gateway.api.routes import Router
from gateway.api.sessions import Sessions
from gateway.api.views import VIEWS, Views, wait_seconds
from gateway.readiness import Readiness
from gateway.wakeup import HubWakeup
from services.common.errors import Unavailable
from services.common.rpc import (
    RpcTimedOut,
    SignatureOnce,
    call_bounded,
    deserializable,
)
from services.complaints.domain import errors as complaint_errors
from services.complaints.protection import errors as protection_errors
from services.evaluation.domain import errors as evaluation_errors
from services.ledger.domain import errors as ledger_errors
from services.organization.domain import errors as org_errors
from services.publicity.domain import errors as publicity_errors

deserializable(
    org_errors,
    complaint_errors,
    protection_errors,
    ledger_errors,
    evaluation_errors,
    publicity_errors,
)

Handler = Callable[..., Response]
RPC_TIMEOUT_SECONDS = 30.0
METHODS = "GET,POST,PUT,PATCH,DELETE"


class _WebServer(WebServer):  # type: ignore[misc]
    """Nameko's web server with Nagle's algorithm off on its connections (set on
    the listening socket, which accepted connections inherit on Linux). Eventlet
    writes a response's headers and its body in two sends; with Nagle on, a body
    that did not fit the first segment waited for the client's delayed ACK, and
    every larger answer (a dashboard page) took 40 ms more than its work."""

    def start(self) -> None:
        super().start()
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Handler(SignatureOnce, HttpRequestHandler):  # type: ignore[misc]
    """Nameko's `http` entrypoint on `_WebServer` (one server shared by all)."""

    server = _WebServer()


def route(method: str, url: str) -> Callable[[Handler], Handler]:
    """Nameko's `http(method, url)` entrypoint decorator, typed."""
    decorator: Callable[[Handler], Handler] = _Handler.decorator(method, url)
    return decorator


class _AnyPath(PathConverter):
    """Like werkzeug's path converter, but a decoded newline is part of the path
    too (the API answers such a path with its own JSON 404, not Nameko's HTML)."""

    regex = r"[^/][\s\S]*?"


class _AnyPathRule(Rule):
    def get_converter(
        self,
        variable_name: str,
        converter_name: str,
        args: tuple[Any, ...],
        kwargs: Any,
    ) -> Any:
        if converter_name == "anything":
            return _AnyPath(self.map, *args, **kwargs)
        return super().get_converter(variable_name, converter_name, args, kwargs)


class _PrefixHandler(_Handler):
    """An HTTP entrypoint for everything under a prefix, whatever the path holds."""

    def get_url_rule(self) -> Rule:
        return _AnyPathRule(self.url, methods=self.method.split(","))


def prefix_route(method: str, prefix: str) -> Callable[[Handler], Handler]:
    decorator: Callable[[Handler], Handler] = _PrefixHandler.decorator(
        method, prefix + "/<anything:path>"
    )
    return decorator


def json_response(status: int, body: dict[str, object]) -> Response:
    """A JSON response; error bodies carry {"code": ..., "message": ...}."""
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )


class Services(RpcProxy):  # type: ignore[misc]
    """RPC to any service by name, bounded by a timeout (Nameko's own proxy waits
    forever for a service that took the request and died)."""

    def __init__(self, timeout_seconds: float = RPC_TIMEOUT_SECONDS) -> None:
        super().__init__("")
        self.timeout_seconds = timeout_seconds

    def get_dependency(self, worker_ctx: Any) -> Caller:
        listener = self.rpc_reply_listener
        options = self.options

        def call(
            service: str, method: str, payload: dict[str, Any], context: dict[str, Any]
        ) -> dict[str, Any]:
            proxy = MethodProxy(worker_ctx, service, method, listener, **options)
            try:
                result: dict[str, Any] = call_bounded(
                    proxy,
                    payload=payload,
                    context=context,
                    seconds=self.timeout_seconds,
                )
            except RpcTimedOut:
                raise timeout() from None
            except Exception as error:
                if type(error).__name__ == "UnknownService":
                    raise Unavailable(service=service) from None
                raise
            return result

        return call


def account_changes(store: Callable[[], EventStore]) -> AccountChanges:
    """The API key cache's feed: the usernames of the account streams with events
    after a position, and the position reached (the head, the first time)."""

    def changes(after: int | None) -> tuple[int, set[str]]:
        events = store()
        head = events.head()
        if after is None:
            return head, set()
        changed: set[str] = set()
        while batch := events.read_all(after, 1000, categories=["account"]):
            changed.update(envelope.stream.partition("-")[2] for envelope in batch)
            after = batch[-1].position
        # past the head even when no account changed: the next read starts there
        # (on EventStoreDB a filtered read walks the log from where it starts)
        return max(after, head), changed

    return changes


class LazyStore:
    """The event store, opened on first use (the gateway reads it for the audit
    trail and the position after a command); unreachable: 503, not a crash."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.store: EventStore | None = None

    def get(self) -> EventStore:
        if self.store is None:
            try:
                self.store = open_store(self.uri, notify=False, pool_size=4)
            except StoreUnavailable:
                raise Unavailable() from None
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


class ApiProvider(DependencyProvider):  # type: ignore[misc]
    """The API's state for the process: routes, token signer, sessions database."""

    def setup(self) -> None:
        # everything is built here, not in start(): Nameko starts the web server and
        # the dependencies together, so a request may arrive before start() ends
        settings = Settings.from_env()
        config = self.container.config
        url = str(
            config.get("READMODEL_DATABASE_URL")
            or os.environ.get("READMODEL_DATABASE_URL")
            or settings.readmodel_database_url
        )
        # Neither database is needed to start: /health and /ready answer at once
        # (ready says which dependency is missing); the API opens them on first use.
        self.sessions = Sessions(url)
        self.sessions.open(wait=False)
        router = Router(catalogue.routes())
        openapi = document(router.routes)
        self.store = LazyStore(
            str(
                config.get("EVENTSTORE_URI")
                or os.environ.get("EVENTSTORE_URI")
                or settings.eventstore_uri
            )
        )

        def head() -> int:
            # X-Position: at or past the command's own events (read your write)
            return self.store.get().latest()

        views = Views(
            self.sessions.pool,
            wait_seconds(
                config.get("GATEWAY_READ_WAIT_SECONDS")
                or os.environ.get("GATEWAY_READ_WAIT_SECONDS")
            ),
            latest=head,
        )
        fetch = exports.ReadModelFetch(self.sessions.pool.connection)
        handlers: dict[str, LocalHandler] = {
            "openapi": lambda call: openapi,
            "docs": lambda call: Response(DOCS_PAGE, mimetype="text/html"),
            "hotlines": views.hotlines,
            "export": lambda call: exports.export(call, fetch),
            "public_report": public_report,
        }
        for name in VIEWS:
            handlers[f"view:{name}"] = views.handler(name)
        handlers.update(trail.handlers(self.store.get))
        self.api = Api(
            router,
            self.sessions,
            TokenSigner(load_secret()),
            head=head,
            public_limits=SharedTokenBuckets(
                self.sessions, "api", rate=PUBLIC_RATE, burst=PUBLIC_BURST
            ),
            locals_=handlers,
            observe=metrics.observe_request,
            api_keys=KeyCache(changes=account_changes(self.store.get)),
        )
        freeze_startup_heap()

    def stop(self) -> None:
        self.sessions.close()
        self.store.close()

    def get_dependency(self, worker_ctx: Any) -> Api:
        return self.api


class GatewayService:
    """HTTP front door of the system."""

    name = "gateway"

    readiness: Callable[[], tuple[int, dict[str, Any]]] = Readiness()
    hub_wakeup = HubWakeup()
    api: Api = ApiProvider()
    services: Caller = Services()

    @prefix_route(METHODS, "/api/v1")
    def api_v1(self, request: Request, path: str) -> Response:
        """Every operation of the API (see /api/v1/openapi.json)."""
        return self.api.handle(request, self.services)

    @route("GET", "/health")
    def health(self, request: Request) -> Response:
        """Liveness: the process answers.

        `GET /health` -> 200 `{"status": "ok"}`
        """
        return json_response(200, {"status": "ok"})

    @route("GET", "/metrics")
    def metrics(self, request: Request) -> Response:
        """Prometheus metrics (text format): this process's, or with several
        workers (gateway.workers) all of theirs, summed."""
        return Response(metrics.exposition(), mimetype=CONTENT_TYPE_LATEST)

    @route("GET", "/ready")
    def ready(self, request: Request) -> Response:
        """Readiness: RabbitMQ, the event store and the read models are reachable.

        `GET /ready` -> 200 `{"status": "ready", "dependencies": {"rabbitmq":
        {"status": "ok"}, "eventstore": {"status": "ok"}, "readmodel": {"status":
        "ok"}}}`, or 503 `{"code": "not_ready", "message": "unreachable: eventstore",
        "dependencies": {..., "eventstore": {"status": "failed", "error": "..."}}}`
        """
        status, body = self.readiness()
        return json_response(status, body)

    @prefix_route("GET,POST", "/open311/v2")
    def open311_v2(self, request: Request, path: str) -> Response:
        """Open311 GeoReport v2 over the complaint hotline (see gateway/open311.py).

        `GET /open311/v2/services.json` -> `[{"service_code": "slow", ...}]`
        """
        return open311.shared(self.api.sessions).handle(request, self.services)
