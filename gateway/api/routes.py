"""The endpoint table: what each route is, who may call it, and what it reaches.

One `Route` per operation. The same table drives the dispatcher, the authorization
check, the OpenAPI document and the authorization test matrix, so what the document
says is what the server does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from werkzeug.routing import Map, Rule

Schema = Mapping[str, Any]

OBJECT: Schema = MappingProxyType({"type": "object"})
PATH_STRING: Schema = MappingProxyType(
    {"type": "string", "minLength": 1, "maxLength": 100}
)
PREFIX = "/api/v1"

_PARAM = re.compile(r"{([a-z_]+)}")


@dataclass(frozen=True)
class QueryParam:
    """A query-string parameter of a GET route."""

    name: str
    schema: Schema = field(default_factory=lambda: {"type": "string"})
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class Route:
    """One operation of the API.

    roles: who may call it; None = public (no login), an empty set = nobody but
    district roles. rpc: (service, method) reached with (payload, context); handler:
    a name the dispatcher resolves locally (authentication, queries, audit, exports).
    record: the stream of the one record a command changes, e.g.
    "ledger_item-{item_id}", so If-Match can name the version the client read.
    """

    method: str
    path: str
    operation_id: str
    summary: str
    tag: str
    roles: frozenset[str] | None
    rpc: tuple[str, str] | None = None
    handler: str | None = None
    body: Schema | None = None
    query: tuple[QueryParam, ...] = ()
    response: Schema = field(default_factory=lambda: OBJECT)
    status: int = 200
    record: str | None = None
    media: tuple[str, ...] = ("application/json",)
    # payload fields the route sets whatever the client sent (a public report always
    # comes in by web form)
    fixed: Mapping[str, Any] = field(default_factory=dict)
    # path parameters that are not plain text, e.g. {"year": {"type": "integer"}}:
    # an integer goes into the payload as a number
    path_schemas: Mapping[str, Schema] = field(default_factory=dict)

    @property
    def template(self) -> str:
        """The route template as metrics and logs name it: /api/v1/ledger/items/{id}."""
        return PREFIX + self.path

    @property
    def path_params(self) -> list[str]:
        return _PARAM.findall(self.path)

    def path_schema(self, name: str) -> Schema:
        return self.path_schemas.get(name, PATH_STRING)

    @property
    def public(self) -> bool:
        return self.roles is None

    def stream(self, values: Mapping[str, str]) -> str | None:
        return self.record.format(**values) if self.record else None


def werkzeug_rule(path: str) -> str:
    return PREFIX + _PARAM.sub(r"<\1>", path)


class Router:
    """Matches a request path and method to its Route (werkzeug's URL map)."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = list(routes)
        seen: set[tuple[str, str]] = set()
        self._by_endpoint: dict[str, Route] = {}
        rules = []
        for route in self.routes:
            key = (route.method, route.path)
            if key in seen:
                raise ValueError(f"route declared twice: {route.method} {route.path}")
            seen.add(key)
            if route.operation_id in self._by_endpoint:
                raise ValueError(f"operation id declared twice: {route.operation_id}")
            self._by_endpoint[route.operation_id] = route
            rules.append(
                Rule(
                    werkzeug_rule(route.path),
                    endpoint=route.operation_id,
                    methods=[route.method],
                )
            )
        self._map = Map(rules, strict_slashes=False, merge_slashes=False)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route and its path values; raises werkzeug's NotFound or
        MethodNotAllowed (the dispatcher turns both into the error shape)."""
        adapter = self._map.bind("api", "/")
        endpoint, values = adapter.match(path, method=method)
        return self._by_endpoint[endpoint], {k: str(v) for k, v in values.items()}

    def by_operation(self, operation_id: str) -> Route:
        return self._by_endpoint[operation_id]
