"""The gateway's Nameko HTTP service: liveness and readiness (full API: issue 9)."""

from __future__ import annotations

import json
from collections.abc import Callable

from nameko.web.handlers import http
from werkzeug.wrappers import Request, Response

from gateway.readiness import DependencyState, Readiness
from gateway.wakeup import HubWakeup

Handler = Callable[..., Response]


def get(url: str) -> Callable[[Handler], Handler]:
    """Nameko's `http("GET", url)` entrypoint decorator, typed."""
    decorator: Callable[[Handler], Handler] = http("GET", url)
    return decorator


def json_response(status: int, body: dict[str, object]) -> Response:
    """A JSON response; error bodies carry {"code": ..., "message": ...}."""
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )


class GatewayService:
    """HTTP front door of the system; today it answers /health and /ready."""

    name = "gateway"

    readiness: Callable[[], list[DependencyState]] = Readiness()
    hub_wakeup = HubWakeup()

    @get("/health")
    def health(self, request: Request) -> Response:
        """Liveness: the process answers.

        `GET /health` -> 200 `{"status": "ok"}`
        """
        return json_response(200, {"status": "ok"})

    @get("/ready")
    def ready(self, request: Request) -> Response:
        """Readiness: RabbitMQ, the event store and the read models are reachable.

        `GET /ready` -> 200 `{"status": "ready", "dependencies": {"rabbitmq":
        {"status": "ok"}, "eventstore": {"status": "ok"}, "readmodel": {"status":
        "ok"}}}`, or 503 `{"code": "not_ready", "message": "unreachable: eventstore",
        "dependencies": {..., "eventstore": {"status": "failed", "error": "..."}}}`
        """
        states = self.readiness()
        dependencies = {state.name: state.to_dict() for state in states}
        failed = [state.name for state in states if not state.ok]
        if failed:
            return json_response(
                503,
                {
                    "code": "not_ready",
                    "message": "unreachable: " + ", ".join(failed),
                    "dependencies": dependencies,
                },
            )
        return json_response(200, {"status": "ready", "dependencies": dependencies})
