"""The dispatcher: one HTTP request in, one JSON answer out, whatever goes wrong.

Order of work for a request: correlation id and language; route; who is calling
(token, API key, or public); may they (roles, bureau); the body (JSON object, size);
If-Match and Idempotency-Key; the call (RPC to the owning service, or a local
handler); the answer with ETag and the store position it follows. Every failure
becomes the one error shape with a status that means what HTTP says; a bug becomes
500 with a correlation id that is also in the log line.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from gateway.api import errors
from gateway.api.auth import (
    REFRESH_TTL_SECONDS,
    KeyCache,
    Principal,
    TokenSigner,
    new_refresh_token,
)
from gateway.api.errors import ApiError, negotiate_language
from gateway.api.ratelimit import Limiter, TokenBuckets
from gateway.api.routes import Route, Router
from gateway.api.sessions import Sessions, Stored, request_hash
from services.common.errors import DomainError
from services.common.rpc import POSITION

log = logging.getLogger("gateway.api")

MAX_BODY_BYTES = 32 * 1024 * 1024  # a 20 MiB attachment, base64, plus its fields
PUBLIC_RATE, PUBLIC_BURST = 2.0, 20  # public endpoints: requests a second, bursts
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,9})"\s*$')
IDEMPOTENCY_KEY = "Idempotency-Key"
KEY_FORMAT = re.compile(r"^[\x21-\x7e]{8,200}$")
# (zh, en) of the answers about idempotency keys; Open311 gives the same
BAD_KEY = (
    "Idempotency-Key 须为 8–200 个可见 ASCII 字符",
    "Idempotency-Key must be 8-200 visible ASCII characters",
)
KEY_REUSED = (
    "该 Idempotency-Key 已用于另一个请求",
    "This Idempotency-Key was used for a different request",
)
KEY_BUSY = (
    "相同 Idempotency-Key 的请求正在处理，请稍后重试",
    "A request with this Idempotency-Key is still in progress; retry later",
)
_INTEGER = re.compile(r"^-?[0-9]{1,9}$")

Caller = Callable[[str, str, dict[str, Any], dict[str, Any]], dict[str, Any]]
LocalHandler = Callable[["Call"], Any]


class Observer(Protocol):
    def __call__(
        self, route: str, method: str, status: int, seconds: float
    ) -> None: ...


@dataclass
class Call:
    """One request as the handlers see it, after authentication and parsing."""

    request: Request
    route: Route
    values: dict[str, str]
    principal: Principal | None
    bureau_id: str | None
    payload: dict[str, Any]
    context: dict[str, Any]
    language: str
    caller: Caller
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None


class Api:
    """Framework-free request handling; the Nameko service only hands requests in."""

    def __init__(
        self,
        router: Router,
        sessions: Sessions,
        signer: TokenSigner,
        *,
        head: Callable[[], int] | None = None,
        locals_: Mapping[str, LocalHandler] | None = None,
        observe: Observer | None = None,
        public_limits: Limiter | None = None,
        api_keys: KeyCache | None = None,
    ) -> None:
        self.router = router
        self.sessions = sessions
        self.signer = signer
        self.head = head
        self.locals: dict[str, LocalHandler] = dict(locals_ or {})
        self.locals.setdefault("login", self._login)
        self.locals.setdefault("refresh", self._refresh)
        self.locals.setdefault("logout", self._logout)
        self.locals.setdefault("me", self._me)
        self.observe = observe
        self.public_limits = public_limits or TokenBuckets(
            rate=PUBLIC_RATE, burst=PUBLIC_BURST
        )
        self.keys = api_keys or KeyCache()

    # -- the request ----------------------------------------------------------------

    def handle(self, request: Request, caller: Caller) -> Response:
        """Answer one request; `caller` reaches the services (RPC of this worker)."""
        started = time.perf_counter()
        language = negotiate_language(request.headers.get("Accept-Language"))
        correlation_id = _correlation(request.headers.get("X-Correlation-Id"))
        template = "unmatched"
        try:
            try:
                route, values = self.router.match(request.method, request.path)
            except NotFound:
                raise errors.route_not_found(request.path) from None
            except MethodNotAllowed as refused:
                raise errors.method_not_allowed(
                    sorted(refused.valid_methods or [])
                ) from None
            template = route.template
            response = self._dispatch(
                request, route, values, language, correlation_id, caller
            )
        except ApiError as error:
            response = _error_response(error, language, correlation_id)
        except DomainError as error:
            response = _error_response(
                ApiError.from_domain(error), language, correlation_id
            )
        except Exception:
            log.exception(
                "request failed",
                extra={"correlation_id": correlation_id, "route": template},
            )
            response = _error_response(
                errors.internal(correlation_id), language, correlation_id
            )
        response.headers["X-Correlation-Id"] = correlation_id
        response.headers["Content-Language"] = language
        if self.observe is not None:
            self.observe(
                template,
                request.method,
                response.status_code,
                time.perf_counter() - started,
            )
        return response

    def _dispatch(
        self,
        request: Request,
        route: Route,
        values: dict[str, str],
        language: str,
        correlation_id: str,
        caller: Caller,
    ) -> Response:
        principal = None if route.public else self._authenticate(request, caller)
        bureau = self._bureau(request, principal, values)
        if principal is not None and not self._allowed(principal, route, bureau):
            raise errors.forbidden(sorted(route.roles or ()))
        client = request.remote_addr or "unknown"
        unlimited = ("openapi", "docs", "login", "refresh")
        if (
            route.public
            and route.handler not in unlimited
            and not self.public_limits.take(client)
        ):
            raise ApiError(
                429,
                "rate_limited",
                "请求过于频繁，请稍后再试",
                "Too many requests; try again later",
                headers={"Retry-After": "5"},
            )
        payload = self._payload(request, route, values)
        context: dict[str, Any] = {
            "bureau_id": bureau,
            "actor": principal.actor if principal else "public",
            "correlation_id": correlation_id,
            "roles": sorted(principal.roles) if principal else [],
            "client": client,
        }
        if route.record is not None and request.headers.get("If-Match"):
            context["expected"] = {
                "stream": route.stream(values),
                "version": _if_match(request.headers["If-Match"]),
            }
        call = Call(
            request,
            route,
            values,
            principal,
            bureau,
            payload,
            context,
            language,
            caller,
        )
        key = request.headers.get(IDEMPOTENCY_KEY)
        if request.method == "POST" and key is not None:
            return self._once(call, key, principal, client)
        return self._respond(call)

    def _respond(self, call: Call) -> Response:
        route = call.route
        if route.rpc is not None:
            service, method = route.rpc
            answer: Any = call.caller(service, method, call.payload, call.context)
        else:
            assert route.handler is not None
            handler = self.locals.get(route.handler)
            if handler is None:
                raise errors.route_not_found(call.request.path)
            answer = handler(call)
        if isinstance(answer, Response):
            return answer
        status = call.status or route.status
        headers = dict(call.headers)
        position = None
        if isinstance(answer, dict):
            position = answer.pop(POSITION, None)
            if isinstance(answer.get("version"), int):
                headers["ETag"] = f'"{answer["version"]}"'
        if call.request.method != "GET" and route.rpc is not None:
            # the command's own last event; a command that appended nothing (or a
            # service that does not say) gets the store's head, also past its events
            if isinstance(position, int):
                headers["X-Position"] = str(position)
            elif self.head:
                headers["X-Position"] = str(self.head())
        return json_response(status, answer, headers)

    # -- idempotency ------------------------------------------------------------------

    def _once(
        self, call: Call, key: str, principal: Principal | None, client: str
    ) -> Response:
        if not KEY_FORMAT.match(key):
            raise errors.bad_request("bad_idempotency_key", *BAD_KEY)
        owner = principal.username if principal else f"public:{client}"
        hashed = request_hash(
            call.request.method, call.request.path, call.request.get_data()
        )
        stored = self.sessions.claim(owner, key, hashed)
        if stored is not None:
            return _replay(stored, hashed)
        try:
            response = self._respond(call)
        except ApiError as error:
            if error.status >= 500:
                self.sessions.release(owner, key)
                raise
            response = _error_response(
                error, call.language, call.context["correlation_id"]
            )
        except DomainError as error:
            api_error = ApiError.from_domain(error)
            if api_error.status >= 500:
                self.sessions.release(owner, key)
                raise
            response = _error_response(
                api_error, call.language, call.context["correlation_id"]
            )
        except BaseException:
            self.sessions.release(owner, key)
            raise
        kept = {
            k: v
            for k, v in response.headers.items()
            if k in ("ETag", "X-Position", "Location", "Content-Type")
        }
        self.sessions.remember(
            owner, key, response.status_code, response.get_data(), kept
        )
        return response

    # -- who is calling ---------------------------------------------------------------

    def _authenticate(self, request: Request, caller: Caller) -> Principal:
        header = request.headers.get("Authorization", "")
        api_key = request.headers.get("X-Api-Key")
        if header.startswith("Bearer "):
            principal = self.signer.verify(header[7:].strip())
            if principal.token_id and self.sessions.is_revoked(principal.token_id):
                raise errors.unauthenticated("token_revoked")
            return principal
        if api_key:
            cached = self.keys.get(api_key)
            if cached is not None:
                return cached
            mark = self.keys.mark()
            try:
                answer = caller(
                    "organization",
                    "verify_api_key",
                    {"api_key": api_key},
                    {"actor": "gateway"},
                )
            except DomainError as error:
                if error.code in ("invalid_api_key", "not_found", "invalid_input"):
                    raise errors.unauthenticated("api_key_invalid") from None
                raise
            principal = Principal.from_answer(answer, kind="service")
            self.keys.put(api_key, principal, mark)
            return principal
        raise errors.unauthenticated("missing")

    @staticmethod
    def _allowed(principal: Principal, route: Route, bureau: str | None) -> bool:
        """Roles of the caller's own bureau count there only; in another bureau a
        district official reads everything and writes only where a route names
        district_official."""
        allowed = route.roles or frozenset()
        if bureau == principal.bureau_id and principal.may(allowed):
            return True
        if not principal.district:
            return False
        return route.method == "GET" or "district_official" in allowed

    @staticmethod
    def _bureau(
        request: Request, principal: Principal | None, values: dict[str, str]
    ) -> str | None:
        if principal is None:
            return values.get("bureau_id")
        asked = request.headers.get("X-Bureau-Id")
        if asked and principal.district:
            if not _IDENTIFIER.match(asked):
                raise errors.bad_request(
                    "bad_bureau", "X-Bureau-Id 格式不正确", "X-Bureau-Id is malformed"
                )
            return asked
        if asked and asked != principal.bureau_id:
            raise errors.forbidden(["district_official"])
        return principal.bureau_id

    # -- the body ---------------------------------------------------------------------

    def _payload(
        self, request: Request, route: Route, values: dict[str, str]
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        if request.method in ("GET", "DELETE"):
            payload = {name: request.args.get(name) for name in request.args}
        else:
            payload = _json_body(request)
        for name, text in values.items():
            value = _path_value(route, name, text)
            if name in payload and payload[name] != value:
                raise errors.bad_request(
                    "path_body_mismatch",
                    f"请求体中的 {name} 与路径不一致",
                    f"{name} in the body differs from the path",
                    field=name,
                )
            payload[name] = value
        payload.update(route.fixed)
        return payload

    # -- authentication handlers ----------------------------------------------------

    def _login(self, call: Call) -> dict[str, Any]:
        username = call.payload.get("username")
        password = call.payload.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise errors.bad_request(
                "invalid_input",
                "请填写用户名和密码",
                "username and password are required",
                fields={"username": "required", "password": "required"},
            )
        answer = call.caller(
            "organization",
            "verify_credentials",
            {"username": username, "password": password},
            {
                "actor": f"account:{username.lower()}"[:200],
                "client": call.context["client"],
            },
        )
        return self._tokens(Principal.from_answer(answer))

    def _refresh(self, call: Call) -> dict[str, Any]:
        token = call.payload.get("refresh_token")
        principal = self.sessions.use_refresh(token) if isinstance(token, str) else None
        if principal is None:
            raise errors.unauthenticated("refresh_token_invalid")
        # roles may have changed since the login: ask again
        answer = call.caller(
            "organization",
            "whoami",
            {"username": principal.username},
            {"actor": f"account:{principal.username}"},
        )
        if answer.get("disabled"):
            raise errors.unauthenticated("account_disabled")
        return self._tokens(Principal.from_answer(answer))

    def _tokens(self, principal: Principal) -> dict[str, Any]:
        access, issued = self.signer.issue(principal)
        refresh = new_refresh_token()
        self.sessions.keep_refresh(refresh, issued, REFRESH_TTL_SECONDS)
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.signer.access_ttl,
            "refresh_token": refresh,
            "principal": _principal_view(issued),
        }

    def _logout(self, call: Call) -> dict[str, Any]:
        principal = call.principal
        assert principal is not None
        if principal.token_id and principal.expires_at:
            self.sessions.revoke_access(principal.token_id, principal.expires_at)
        token = call.payload.get("refresh_token")
        if isinstance(token, str):
            self.sessions.revoke_refresh(token)
        return {"signed_out": True}

    def _me(self, call: Call) -> dict[str, Any]:
        assert call.principal is not None
        return {**_principal_view(call.principal), "acting_bureau_id": call.bureau_id}


# -- helpers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Encoded:
    """An answer already encoded as UTF-8 JSON (a cached page, encoded once)."""

    body: bytes


def json_response(
    status: int, body: Any, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        body.body
        if isinstance(body, Encoded)
        else json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        mimetype="application/json",
        headers=dict(headers or {}),
    )


def _error_response(error: ApiError, language: str, correlation_id: str) -> Response:
    body = {**error.body(language), "correlation_id": correlation_id}
    return json_response(error.status, body, error.headers)


def _replay(stored: Stored, hashed: str) -> Response:
    if stored.request_hash != hashed:
        raise ApiError(422, "idempotency_key_reused", *KEY_REUSED)
    if stored.status is None:
        raise ApiError(
            409, "idempotency_in_progress", *KEY_BUSY, headers={"Retry-After": "1"}
        )
    response = Response(stored.body or b"", status=stored.status)
    for name, value in stored.headers.items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _path_value(route: Route, name: str, text: str) -> Any:
    """A path value as the payload takes it: text, or a number where the route's
    path schema says integer (a year)."""
    if route.path_schema(name).get("type") != "integer":
        return text
    if not _INTEGER.match(text):
        raise errors.bad_request(
            "invalid_input",
            f"路径中的 {name} 须为整数",
            f"{name} in the path must be an integer",
            fields={name: "not_a_number"},
        )
    return int(text)


def _json_body(request: Request) -> dict[str, Any]:
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise ApiError(
            413,
            "payload_too_large",
            "请求体过大",
            "The request body is too large",
            {"limit_bytes": MAX_BODY_BYTES},
        )
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if request.mimetype != "application/json":
        raise ApiError(
            415,
            "unsupported_media_type",
            "请求体须为 application/json",
            "The request body must be application/json",
        )
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(
            413, "payload_too_large", "请求体过大", "The request body is too large"
        )
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise errors.bad_request(
            "malformed_json",
            "请求体不是有效的 JSON",
            "The request body is not valid JSON",
        ) from None
    if not isinstance(body, dict):
        raise errors.bad_request(
            "invalid_input",
            "请求体须为 JSON 对象",
            "The request body must be a JSON object",
            fields={"body": "bad_format"},
        )
    return body


def _if_match(raw: str) -> int:
    matched = _ETAG.match(raw)
    if matched is None:
        raise errors.bad_request(
            "bad_if_match",
            'If-Match 须为本接口返回的 ETag，例如 "3"',
            'If-Match must be an ETag this API returned, e.g. "3"',
        )
    return int(matched.group(1))


def _correlation(raw: str | None) -> str:
    if raw and _IDENTIFIER.match(raw):
        return raw
    return str(uuid.uuid4())


def _principal_view(principal: Principal) -> dict[str, Any]:
    return {
        "username": principal.username,
        "bureau_id": principal.bureau_id,
        "roles": sorted(principal.roles),
        "person_id": principal.person_id,
        "kind": principal.kind,
    }
