"""Open311 GeoReport v2 over the complaint hotline, under `/open311/v2/`.

Mapping (stable, documented for client vendors):

- **Services** are the five problems (五个问题): `service_code` is the category id
  (`hollow` 空, `false` 虚, `lax` 散, `slow` 慢, `low` 低) — the same in every bureau,
  so a client may cache the list. The **unit** a report is about is the attribute
  `unit` of every service (`attribute[unit]=<unit_id>`, optional: a reporter who does
  not know the unit may leave it out and the office routes the report). When the
  bureau's units are known (the `org_units` read model) the attribute is a
  `singlevaluelist` of them, otherwise a `string` holding a unit id.
- **jurisdiction_id** is the bureau id. `OPEN311_JURISDICTIONS` (comma separated)
  lists the bureaus served; with exactly one it is the default and may be omitted,
  otherwise it is required on a service definition and on every request call. A
  report for a bureau the org chart does not have is refused (404).
- **POST requests** (form-encoded): `service_code`, `description` (required),
  `attribute[unit]`; `first_name`/`last_name` -> the reporter's name and
  `phone`/`email` -> their contact, sealed by the complaints service (only the
  assigned investigator and the leading group office can read them, every read is
  recorded); none given = anonymous. `address_string`, `lat`/`long` and `media_url`
  are kept, as text, at the end of the description (where the problem is helps the
  investigation; a media URL is never fetched). `device_id`, `account_id` and
  `api_key` are ignored. The channel is always `web_form`.
- **service_request_id is the receipt code**, shown once: it is the only handle a
  public reporter has on their case, and GeoReport's `GET requests/{id}` has no
  login, so any other id would either leak the case to whoever guesses it or be
  useless to the reporter. Clients must treat it as a secret. No `token` is issued:
  the id is known when the answer is sent.
- **GET requests** answers only the cases whose receipt codes are given
  (`service_request_id=a,b`, at most 10); there is no public list of reports (a
  report names staff and can identify its reporter). Unknown codes are left out.

Errors: `[{"code": 400, "description": "..."}]`, or `<errors><error>` in XML.
Every endpoint is rate limited per client like the public API.

Retries: GeoReport v2 has no way to say "this is the same report again", so a client
that lost the answer to a POST and sends it again files a second report. A client
may send an `Idempotency-Key` header (8-200 visible ASCII characters), as on the
public API: the same key from the same client address with the same form gets the
first answer again (`Idempotent-Replayed: true`, with the same receipt code), the
key with another form 422, while the first is still being answered 409. Answers are
kept 24 hours in the gateway's database; 429 and 5xx answers are not kept (the
retry runs again).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from gateway.api.app import (
    BAD_KEY,
    IDEMPOTENCY_KEY,
    KEY_BUSY,
    KEY_FORMAT,
    KEY_REUSED,
    Caller,
)
from gateway.api.errors import STATUS_BY_CODE, ApiError, negotiate_language
from gateway.api.ratelimit import (
    BucketStore,
    Limiter,
    SharedTokenBuckets,
    TokenBuckets,
)
from gateway.api.sessions import Stored, request_hash
from services.common.errors import DomainError, InvalidInput, is_english
from services.complaints.domain.model import Category

log = logging.getLogger("gateway.open311")

Units = Callable[[str], list[tuple[str, str]]]  # bureau id -> [(unit id, name)]
Observer = Callable[[str, str, int, float], None]

MAX_BODY_BYTES = 64 * 1024
TOO_LARGE = ("请求体过大", "The request body is too large")
MAX_CODES = 10
RATE, BURST = 2.0, 20  # requests a second per client address, and bursts
TEMPLATE = "/open311/v2/{resource}"
_PATH = re.compile(r"^(services|requests)(?:/([A-Za-z0-9_-]{1,60}))?\.(json|xml)$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
_CJK = re.compile(r"[\u3400-\u9fff]")
# characters XML 1.0 cannot hold at all, escaped or not
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# (zh name, zh description, en description): wording from the campaign plan
SERVICES: dict[Category, tuple[str, str, str]] = {
    Category.HOLLOW: (
        "空：不懂政策、不熟业务",
        "对新政策、新形势一无所知，业务一知半解，说外行话、办外行事",
        "No knowledge of policy or of the job",
    ),
    Category.FALSE: (
        "虚：工作不实、弄虚作假",
        "工作浮在表面，行动在嘴上、落实在纸上，弄虚作假、欺上瞒下",
        "Form over substance, fakery",
    ),
    Category.LAX: (
        "散：纪律涣散",
        "迟到早退、空岗，上班时间炒股、玩游戏、看视频",
        "Lax discipline: late, absent, trading stocks or playing games at work",
    ),
    Category.SLOW: (
        "慢：办事拖拉、效率不高",
        "工作节奏慢，拖泥带水，效率不高",
        "Slow and inefficient",
    ),
    Category.LOW: (
        "低：标准低、要求低",
        "思想境界低、工作标准低，满足于完成一般性任务",
        "Low standards",
    ),
}
PUBLIC_STATE_ZH = {
    "received": "已登记",
    "being_handled": "办理中",
    "concluded": "已调查",
    "replied": "已答复",
    "closed": "已办结",
    "rejected": "不予受理",
}
OUTCOME_ZH = {
    "substantiated": "属实",
    "partly_substantiated": "部分属实",
    "unsubstantiated": "不属实",
}
CLOSED = ("closed", "rejected")
# complaint field -> the Open311 field a client sent it in
FIELD_NAMES = {
    "category": "service_code",
    "unit_id": "attribute[unit]",
    "reporter_name": "first_name/last_name",
    "reporter_contact": "phone/email",
}
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
}


class Open311Error(Exception):
    """An answer in Open311's error format."""

    def __init__(
        self, status: int, zh: str, en: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(en)
        self.status, self.zh, self.en = status, zh, en
        self.headers = headers or {}

    def description(self, language: str) -> str:
        return self.en if is_english(language) else self.zh


def _bad(zh: str, en: str) -> Open311Error:
    return Open311Error(400, zh, en)


class KeyStore(Protocol):
    """Where answers are kept under idempotency keys (the gateway's Sessions)."""

    def claim(self, owner: str, key: str, hashed: str) -> Stored | None: ...

    def remember(
        self, owner: str, key: str, status: int, body: bytes, headers: dict[str, str]
    ) -> None: ...

    def release(self, owner: str, key: str) -> None: ...


@dataclass(frozen=True)
class _Asked:
    """One request as the endpoint reads it before answering."""

    request: Request
    language: str
    correlation_id: str
    matched: re.Match[str] | None
    fmt: str
    template: str

    @classmethod
    def of(cls, request: Request) -> _Asked:
        matched = _PATH.match(request.path.split("/open311/v2/", 1)[-1])
        template = "unmatched"
        if matched is not None:
            resource, key = matched.group(1), matched.group(2)
            template = TEMPLATE.format(resource=resource + ("/{id}" if key else ""))
        return cls(
            request,
            negotiate_language(request.headers.get("Accept-Language")),
            _correlation(request.headers.get("X-Correlation-Id")),
            matched,
            matched.group(3) if matched else "json",
            template,
        )


class SharedState(BucketStore, KeyStore, Protocol):
    """Rate buckets and idempotency keys every gateway process shares."""


class Open311:
    """Framework-free GeoReport v2 endpoint; `handle` answers one request."""

    def __init__(
        self,
        jurisdictions: tuple[str, ...] = (),
        units: Units | None = None,
        limits: Limiter | None = None,
        observe: Observer | None = None,
        keys: KeyStore | None = None,
    ) -> None:
        self.jurisdictions = jurisdictions
        self.units = units
        self.limits = limits or TokenBuckets(rate=RATE, burst=BURST)
        self.observe = observe
        self.keys = keys  # None: Idempotency-Key is not honoured
        self._known: set[str] = set()

    def handle(self, request: Request, caller: Caller) -> Response:
        """`GET /open311/v2/services.json` -> `[{"service_code": "slow", ...}]`;
        `POST /open311/v2/requests.json` (form: service_code=slow&description=...
        &attribute[unit]=b01.u002&jurisdiction_id=b01) -> 201
        `[{"service_request_id": "K7Q2-M9XD-4TZP-8HRN", "service_notice": "..."}]`."""
        started = time.perf_counter()
        asked = _Asked.of(request)
        idempotency_key = request.headers.get(IDEMPOTENCY_KEY)
        if request.method == "POST" and idempotency_key is not None and self.keys:
            response = self._once(asked, idempotency_key, caller)
        else:
            response = self._answer(asked, caller)
        response.headers["X-Correlation-Id"] = asked.correlation_id
        response.headers["Content-Language"] = asked.language
        if self.observe is not None:
            self.observe(
                asked.template,
                request.method,
                response.status_code,
                time.perf_counter() - started,
            )
        return response

    def _answer(self, asked: _Asked, caller: Caller) -> Response:
        """The answer to one request, errors included, in the format its path asks."""
        request, language, fmt = asked.request, asked.language, asked.fmt
        try:
            if asked.matched is None:
                raise Open311Error(404, "没有这个接口", "No such endpoint")
            resource, key = asked.matched.group(1), asked.matched.group(2)
            if not self.limits.take(request.remote_addr or "unknown"):
                raise Open311Error(
                    429,
                    "请求过于频繁，请稍后再试",
                    "Too many requests; try again later",
                    {"Retry-After": "5"},
                )
            context = {
                "actor": "public",
                "correlation_id": asked.correlation_id,
                "roles": [],
                "client": request.remote_addr or "unknown",
            }
            status, root, body = self._route(request, resource, key, context, caller)
            response = _render(status, root, body, fmt)
        except Open311Error as error:
            response = _error(error.status, error.description(language), fmt)
            response.headers.update(error.headers)
        except (DomainError, ApiError) as error:
            status, text = _from_error(error, request.method, language)
            response = _error(status, text, fmt)
            if status in (429, 503, 504):
                wait = error.details.get("retry_after") or 2
                response.headers["Retry-After"] = str(wait)
        except Exception:
            log.exception(
                "open311 request failed",
                extra={"correlation_id": asked.correlation_id, "route": asked.template},
            )
            text = _text(
                language,
                f"服务器内部错误，关联编号 {asked.correlation_id}",
                f"Internal error; correlation id {asked.correlation_id}",
            )
            response = _error(500, text, fmt)
        return response

    def _once(self, asked: _Asked, idempotency_key: str, caller: Caller) -> Response:
        """A POST under an Idempotency-Key: answered once, then that answer again."""
        assert self.keys is not None
        request, language, fmt = asked.request, asked.language, asked.fmt
        if not KEY_FORMAT.match(idempotency_key):
            return _error(400, _text(language, *BAD_KEY), fmt)
        owner = f"open311:{request.remote_addr or 'unknown'}"
        length = request.content_length
        request.max_content_length = MAX_BODY_BYTES  # read no more than a form may be
        try:
            if length is not None and length > MAX_BODY_BYTES:
                raise RequestEntityTooLarge()
            hashed = request_hash(request.method, request.path, request.get_data())
        except RequestEntityTooLarge:
            return _error(413, _text(language, *TOO_LARGE), fmt)
        stored = self.keys.claim(owner, idempotency_key, hashed)
        if stored is not None:
            if stored.request_hash != hashed:
                return _error(422, _text(language, *KEY_REUSED), fmt)
            if stored.status is None:
                busy = _error(409, _text(language, *KEY_BUSY), fmt)
                busy.headers["Retry-After"] = "1"
                return busy
            replayed = Response(stored.body or b"", status=stored.status)
            for name, value in stored.headers.items():
                replayed.headers[name] = value
            replayed.headers["Idempotent-Replayed"] = "true"
            return replayed
        try:
            response = self._answer(asked, caller)
        except BaseException:
            self.keys.release(owner, idempotency_key)
            raise
        if response.status_code == 429 or response.status_code >= 500:
            self.keys.release(owner, idempotency_key)  # the retry runs again
            return response
        kept = {"Content-Type": response.headers.get("Content-Type", "")}
        self.keys.remember(
            owner, idempotency_key, response.status_code, response.get_data(), kept
        )
        return response

    # -- the endpoints ---------------------------------------------------------------

    def _route(
        self,
        request: Request,
        resource: str,
        key: str | None,
        context: dict[str, Any],
        caller: Caller,
    ) -> tuple[int, str, Any]:
        method = request.method
        if resource == "services" and method == "GET":
            if key is None:
                return 200, "services", [_service(c) for c in SERVICES]
            category = _category(key, status=404)
            bureau = self._jurisdiction(request.args)
            return 200, "service_definition", self._definition(category, bureau)
        if resource == "requests" and method == "POST":
            form = _form(request)
            context["bureau_id"] = self._jurisdiction(form)
            self._require_bureau(context, caller)
            return 201, "service_requests", [self._submit(form, context, caller)]
        if resource == "requests" and method == "GET":
            context["bureau_id"] = self._jurisdiction(request.args)
            codes = [key] if key else _codes(request.args.get("service_request_id"))
            found = [self._follow(code, context, caller) for code in codes]
            answers = [item for item in found if item is not None]
            if key and not answers:
                raise Open311Error(404, "查询码不存在", "No request with this id")
            return 200, "service_requests", answers
        raise Open311Error(405, "该接口不支持此请求方法", "Method not allowed")

    def _jurisdiction(self, values: Mapping[str, str]) -> str:
        given = (values.get("jurisdiction_id") or "").strip()
        if not given:
            if len(self.jurisdictions) == 1:
                return self.jurisdictions[0]
            raise _bad(
                "请提供 jurisdiction_id（局的编号）",
                "jurisdiction_id (the bureau id) is required",
            )
        if not _IDENTIFIER.match(given) or (
            self.jurisdictions and given not in self.jurisdictions
        ):
            raise Open311Error(404, "没有这个辖区", "Unknown jurisdiction_id")
        return given

    def _require_bureau(self, context: dict[str, Any], caller: Caller) -> None:
        """The complaints service files a report under any bureau id it is given;
        a bureau the org chart does not have gets none (bureaus are never deleted,
        so a known one is remembered)."""
        bureau = str(context["bureau_id"])
        if bureau in self._known:
            return
        try:
            caller("organization", "get_bureau", {}, context)
        except DomainError as error:
            if error.code == "not_found":
                raise Open311Error(
                    404, "没有这个辖区", "Unknown jurisdiction_id"
                ) from None
            raise
        self._known.add(bureau)

    def _definition(self, category: Category, bureau: str) -> dict[str, Any]:
        units = self._units(bureau)
        attribute: dict[str, Any] = {
            "variable": True,
            "code": "unit",
            "datatype": "singlevaluelist" if units else "string",
            "required": False,
            "datatype_description": "被反映单位的编号，不清楚可不填 / "
            "the id of the unit the report is about; leave out if unsure",
            "order": 1,
            "description": "被反映单位 / Unit concerned",
        }
        if units:
            attribute["values"] = [{"key": k, "name": n} for k, n in units]
        return {"service_code": category.value, "attributes": [attribute]}

    def _units(self, bureau: str) -> list[tuple[str, str]]:
        if self.units is None:
            return []
        try:
            return self.units(bureau)
        except Exception:  # the list is a convenience; the service checks the unit
            log.warning("open311: units of %s unavailable", bureau, exc_info=True)
            return []

    def _submit(
        self, form: Mapping[str, str], context: dict[str, Any], caller: Caller
    ) -> dict[str, Any]:
        category = _category(form.get("service_code", ""), status=400)
        payload: dict[str, Any] = {
            "channel": "web_form",
            "category": category.value,
            "unit_id": (form.get("attribute[unit]") or "").strip() or None,
            "description": _description(form),
            "attachments": [],
            "reporter_name": _name(form.get("first_name"), form.get("last_name")),
            "reporter_contact": _contact(form.get("phone"), form.get("email")),
        }
        answer = caller("complaints", "receive_complaint", payload, context)
        return {
            "service_request_id": answer["receipt_code"],
            "service_notice": "请牢记此查询码，凭码查询办理情况；它只显示这一次。"
            " / Keep this code: it is the only way to follow your report "
            "and is shown only once.",
            "account_id": None,
        }

    def _follow(
        self, code: str, context: dict[str, Any], caller: Caller
    ) -> dict[str, Any] | None:
        try:
            case = caller(
                "complaints", "follow_complaint", {"receipt_code": code}, context
            )
        except DomainError as error:
            if error.code in ("receipt_code_unknown", "not_found", "invalid_input"):
                return None
            raise
        return _request_view(code, context["bureau_id"], case)


# -- the views -------------------------------------------------------------------------


def _service(category: Category) -> dict[str, Any]:
    name, zh, en = SERVICES[category]
    return {
        "service_code": category.value,
        "service_name": name,
        "description": f"{zh} / {en}",
        "metadata": True,
        "type": "realtime",
        "keywords": f"作风,五个问题,{category.value}",
        "group": "机关作风问题 / Work style",
    }


def _request_view(code: str, bureau: str, case: Mapping[str, Any]) -> dict[str, Any]:
    state = str(case.get("state") or "received")
    notes = [PUBLIC_STATE_ZH.get(state, state)]
    outcome = case.get("outcome")
    if outcome:
        notes.append("调查结论：" + OUTCOME_ZH.get(str(outcome), str(outcome)))
    replies = case.get("replies") or []
    if replies:
        notes.append("答复：" + str(replies[-1]))
    category = str(case.get("category") or "")
    names = {c.value: SERVICES[c][0] for c in SERVICES}
    due = case.get("current_due")
    return {
        "service_request_id": code,
        "status": "closed" if state in CLOSED else "open",
        "status_notes": "；".join(notes),
        "service_name": names.get(category, category),
        "service_code": category,
        "description": case.get("description"),
        "agency_responsible": bureau,
        "service_notice": None,
        "requested_datetime": case.get("received_at"),
        "updated_datetime": None,
        # deadlines are local working days: the end of that day in the bureau's zone
        "expected_datetime": f"{due}T23:59:59+08:00" if due else None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


# -- the request -----------------------------------------------------------------------


def _form(request: Request) -> Mapping[str, str]:
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise Open311Error(413, *TOO_LARGE)
    if request.mimetype not in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        raise Open311Error(
            415,
            "请求体须为表单（application/x-www-form-urlencoded）",
            "The body must be a form (application/x-www-form-urlencoded)",
        )
    request.max_content_length = MAX_BODY_BYTES  # chunked bodies have no length
    try:
        form: Mapping[str, str] = request.form
    except RequestEntityTooLarge:
        raise Open311Error(413, *TOO_LARGE) from None
    return form


def _category(code: str, status: int) -> Category:
    try:
        return Category(code)
    except ValueError:
        raise Open311Error(
            status, f"没有这个服务：{code[:60]}", f"Unknown service_code: {code[:60]}"
        ) from None


def _codes(raw: str | None) -> list[str]:
    codes = list(dict.fromkeys(c.strip() for c in (raw or "").split(",") if c.strip()))
    if not codes:
        raise _bad(
            "本系统不公开举报列表，请用 service_request_id=查询码 查询自己的举报",
            "Reports are not listed publicly; ask for yours with "
            "service_request_id=<receipt code>[,<receipt code>]",
        )
    if len(codes) > MAX_CODES:
        raise _bad(
            f"一次最多查询 {MAX_CODES} 个查询码",
            f"At most {MAX_CODES} service_request_id values at a time",
        )
    return codes


def _description(form: Mapping[str, str]) -> str:
    text = (form.get("description") or "").strip()
    if not text:
        raise _bad("请填写 description（问题描述）", "description is required")
    extra = []
    address = (form.get("address_string") or "").strip()
    lat, lon = (form.get("lat") or "").strip(), (form.get("long") or "").strip()
    if lat or lon:
        try:
            latitude, longitude = float(lat), float(lon)
        except ValueError:
            raise _bad("lat/long 须为数字", "lat and long must be numbers") from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise _bad("lat/long 超出范围", "lat/long out of range")
        address = f"{address}（{latitude:.6f}, {longitude:.6f}）".strip()
    if address:
        extra.append(f"【地点】{address}")
    media = (form.get("media_url") or "").strip()
    if media:
        extra.append(f"【图片链接】{media}")
    return "\n\n".join([text, "\n".join(extra)]) if extra else text


def _name(first: str | None, last: str | None) -> str | None:
    first, last = (first or "").strip(), (last or "").strip()
    if _CJK.search(first + last):
        return (last + first) or None  # 张 + 三: family name first
    return " ".join(part for part in (first, last) if part) or None


def _contact(phone: str | None, email: str | None) -> str | None:
    parts = [p.strip() for p in (phone or "", email or "") if p and p.strip()]
    return " / ".join(parts) or None


def _correlation(raw: str | None) -> str:
    if raw and _IDENTIFIER.match(raw):
        return raw
    return str(uuid.uuid4())


def _from_error(
    error: DomainError | ApiError, method: str, language: str
) -> tuple[int, str]:
    if isinstance(error, ApiError):
        return error.status, error.en if is_english(language) else error.zh
    status = STATUS_BY_CODE.get(error.code, 422)
    if status == 404 and method == "POST":
        status = 400  # the unit (or bureau) named in the form does not exist
    if isinstance(error, InvalidInput):
        fields = error.details.get("fields") or {}
        error = InvalidInput(
            fields={FIELD_NAMES.get(k, k): v for k, v in fields.items()}
        )
    return status, error.message(language)


# -- the answer ------------------------------------------------------------------------


def _text(language: str, zh: str, en: str) -> str:
    return en if is_english(language) else zh


def _error(status: int, description: str, fmt: str) -> Response:
    return _render(
        status, "errors", [{"code": status, "description": description}], fmt
    )


def _render(status: int, root: str, body: Any, fmt: str) -> Response:
    if fmt == "xml":
        element = _element(root, body)
        data = ET.tostring(element, encoding="utf-8", xml_declaration=True)
        return Response(data, status=status, content_type="text/xml; charset=utf-8")
    return Response(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            element.append(_element(str(key), inner))
    elif isinstance(value, list):
        item = XML_ITEMS.get(tag, "item")
        for inner in value:
            element.append(_element(item, inner))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("\ufffd", str(value))
    return element


# -- the process's instance ----------------------------------------------------------


class ReadModelUnits:
    """A bureau's units from the `org_units` read model, kept a minute."""

    def __init__(self, url: str, ttl_seconds: float = 60.0) -> None:
        self.url = url
        self.ttl = ttl_seconds
        self._cache: dict[str, tuple[float, list[tuple[str, str]]]] = {}

    def __call__(self, bureau_id: str) -> list[tuple[str, str]]:
        now = time.monotonic()
        cached = self._cache.get(bureau_id)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        import psycopg  # imported here: this module stays importable without it

        with psycopg.connect(self.url, connect_timeout=3) as conn:
            rows = conn.execute(
                "SELECT unit_id, name FROM readmodel.org_units "
                "WHERE bureau_id = %s ORDER BY code",
                (bureau_id,),
            ).fetchall()
        units = [(str(unit_id), str(name)) for unit_id, name in rows]
        self._cache[bureau_id] = (now, units)
        return units


@functools.cache
def shared(sessions: SharedState) -> Open311:
    """The process's endpoint, built on first use from the environment:
    OPEN311_JURISDICTIONS (bureau ids, comma separated), READMODEL_DATABASE_URL;
    its rate limits and idempotency keys in `sessions` (the gateway's Sessions),
    shared by every process."""
    from gateway import metrics

    raw = os.environ.get("OPEN311_JURISDICTIONS", "")
    jurisdictions = tuple(j.strip() for j in raw.split(",") if j.strip())
    url = os.environ.get("READMODEL_DATABASE_URL")
    return Open311(
        jurisdictions,
        units=ReadModelUnits(url) if url else None,
        limits=SharedTokenBuckets(sessions, "open311", rate=RATE, burst=BURST),
        observe=metrics.observe_request,
        keys=sessions,
    )
