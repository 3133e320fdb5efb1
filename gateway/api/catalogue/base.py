"""What every part of the catalogue shares: the role sets and the route builders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gateway.api.auth import ROLES
from gateway.api.routes import QueryParam, Route, Schema

ANY = frozenset(ROLES)
DISTRICT = frozenset({"district_official"})
ADMIN = frozenset({"bureau_admin"})
OFFICE = frozenset({"leading_group_office", "leading_group"})
LEADERS = OFFICE | {"committee_member"}
INVESTIGATION = OFFICE | {"investigator"}
LEDGER_WRITE = LEADERS | {"unit_head", "staff", "investigator", "api_client"}
READERS = ANY

STRING = {"type": "string"}
ID = {"type": "string", "minLength": 1, "maxLength": 100}


def obj(required: Iterable[str] = (), **props: Schema) -> Schema:
    """A JSON object schema; extra properties are allowed (services validate)."""
    return {
        "type": "object",
        "properties": dict(props),
        "required": sorted(required),
    }


LIST_PARAMS = (
    QueryParam("cursor", STRING, "opaque cursor from the previous page"),
    QueryParam("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
    QueryParam("sort", STRING, "a field name, '-' in front for descending"),
    QueryParam("min_position", {"type": "integer", "minimum": 0}, "read your write"),
)


def rpc(
    method: str,
    path: str,
    target: str,
    roles: frozenset[str] | None,
    summary: str,
    *,
    tag: str,
    body: Schema | None = None,
    status: int = 200,
    record: str | None = None,
    query: tuple[QueryParam, ...] = (),
    operation_id: str | None = None,
    fixed: Mapping[str, Any] | None = None,
    path_schemas: Mapping[str, Schema] | None = None,
) -> Route:
    service, name = target.split(".")
    return Route(
        method=method,
        path=path,
        operation_id=operation_id or f"{service}_{name}",
        summary=summary,
        tag=tag,
        roles=roles,
        rpc=(service, name),
        body=body
        if body is not None
        else ({"type": "object"} if method != "GET" else None),
        status=status,
        record=record,
        query=query,
        fixed=dict(fixed or {}),
        path_schemas=dict(path_schemas or {}),
    )


def local(
    method: str,
    path: str,
    handler: str,
    roles: frozenset[str] | None,
    summary: str,
    *,
    tag: str,
    body: Schema | None = None,
    status: int = 200,
    query: tuple[QueryParam, ...] = (),
    media: tuple[str, ...] = ("application/json",),
) -> Route:
    return Route(
        method=method,
        path=path,
        operation_id=handler,
        summary=summary,
        tag=tag,
        roles=roles,
        handler=handler,
        body=body,
        status=status,
        query=query,
        media=media,
    )
