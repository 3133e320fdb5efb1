"""The OpenAPI 3.1 document, generated from the same route table the server runs."""

from __future__ import annotations

from typing import Any

from gateway.api.routes import PREFIX, Route

ERROR_STATUSES = {
    "400": "输入有误 — Bad input",
    "401": "未登录 — Not signed in",
    "403": "无权限 — Not allowed",
    "404": "不存在 — Not found",
    "405": "方法不支持 — Method not allowed",
    "409": "冲突 — Conflict",
    "410": "已删除 — Gone",
    "412": "版本已变化 — Precondition failed",
    "413": "过大 — Too large",
    "415": "类型不支持 — Unsupported media type",
    "422": "违反业务规则 — Broken rule",
    "429": "过于频繁 — Too many requests",
    "500": "内部错误 — Internal error",
    "503": "暂不可用 — Unavailable",
    "504": "超时 — Timeout",
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "details": {"type": "object"},
        "correlation_id": {"type": "string"},
    },
}


def document(routes: list[Route], server_url: str = "/") -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(PREFIX + route.path, {})[route.method.lower()] = _operation(
            route
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "作风整顿活动平台 API — Work-style rectification campaign API",
            "version": "1.0.0",
            "description": (
                "所有错误均为 {code, message, details, correlation_id}；message 的语言"
                "由 Accept-Language 决定（默认 zh-CN，可选 en）。"
                " Every error is {code, message, details, correlation_id}; the "
                "message follows Accept-Language (zh-CN by default, en available). "
                "Commands on one record take If-Match with the ETag you read "
                "(412 if it moved on); POSTs take Idempotency-Key (a retry answers "
                "the first response)."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
            "responses": {
                code: {
                    "description": text,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Error"}
                        }
                    },
                }
                for code, text in ERROR_STATUSES.items()
            },
        },
    }


def _operation(route: Route) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": dict(route.path_schema(name)),
        }
        for name in route.path_params
    ]
    parameters += [
        {
            "name": param.name,
            "in": "query",
            "required": param.required,
            "schema": dict(param.schema),
            **({"description": param.description} if param.description else {}),
        }
        for param in route.query
    ]
    parameters.append(
        {
            "name": "Accept-Language",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "enum": ["zh-CN", "en"]},
        }
    )
    if route.record is not None:
        parameters.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": "the ETag of the record as you read it",
                "schema": {"type": "string", "pattern": '^"[0-9]{1,9}"$'},
            }
        )
    if route.method == "POST":
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "pattern": "^[!-~]{8,200}$"},
            }
        )
    success_content = {media: {"schema": dict(route.response)} for media in route.media}
    if route.media == ("text/html",):
        success_content = {"text/html": {"schema": {"type": "string"}}}
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "tags": [route.tag],
        "parameters": parameters,
        "responses": {
            str(route.status): {
                "description": "成功 — Success",
                "content": success_content,
            },
            **{
                code: {"$ref": f"#/components/responses/{code}"}
                for code in ERROR_STATUSES
            },
        },
        "x-roles": "public" if route.roles is None else sorted(route.roles),
    }
    if route.roles is None:
        operation["security"] = []
    else:
        operation["security"] = [{"bearer": []}, {"apiKey": []}]
    if route.body is not None:
        operation["requestBody"] = {
            "required": bool(route.body.get("required")),
            "content": {"application/json": {"schema": dict(route.body)}},
        }
    return operation


DOCS_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>接口文档 — API documentation</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}
details{border:1px solid #ccc;border-radius:4px;margin:.3rem 0;padding:.3rem .6rem}
summary{cursor:pointer}code{background:#f4f4f4;padding:0 .2rem}
.m{display:inline-block;width:4.5rem;font-weight:bold}
textarea{width:100%;height:6rem;font-family:monospace}pre{background:#f4f4f4;
padding:.5rem;white-space:pre-wrap}
</style></head><body>
<h1>作风整顿活动平台 API</h1>
<p>访问令牌 / Access token: <input id="token" size="60"
 placeholder="POST /api/v1/auth/login → access_token"></p>
<div id="ops">正在加载 / loading…</div>
<script>
const esc = s => String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;',
  '>':'&gt;','"':'&quot;'}[c]));
fetch('openapi.json').then(r => r.json()).then(doc => {
  const box = document.getElementById('ops'); box.textContent = '';
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const d = document.createElement('details');
      const roles = Array.isArray(op['x-roles']) ? op['x-roles'].join(', ')
        : op['x-roles'];
      d.innerHTML = `<summary><span class="m">${method.toUpperCase()}</span>
        <code>${esc(path)}</code> ${esc(op.summary)}</summary>
        <p>角色 / roles: ${esc(roles)}</p>
        <p>路径 / path: <input class="p" size="70" value="${esc(path)}"></p>
        <textarea class="b">{}</textarea>
        <button>发送 / send</button><pre class="o"></pre>`;
      d.querySelector('button').onclick = async () => {
        const headers = {'Accept-Language': navigator.language || 'zh-CN'};
        const t = document.getElementById('token').value.trim();
        if (t) headers['Authorization'] = 'Bearer ' + t;
        const init = {method: method.toUpperCase(), headers};
        if (method !== 'get') { headers['Content-Type'] = 'application/json';
          init.body = d.querySelector('.b').value; }
        const r = await fetch(d.querySelector('.p').value, init);
        d.querySelector('.o').textContent = r.status + '\\n' + await r.text();
      };
      box.appendChild(d);
    }
  }
});
</script></body></html>
"""
