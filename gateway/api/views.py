"""The read models as API operations: each view is a query over the gateway's
PostgreSQL tables (gateway.queries), scoped to the caller's bureau, paged by cursor,
and stamped with the store position it reflects.

Read your own write: a command's answer carries `X-Position`; pass it back as
`min_position` and the view waits (at most WAIT_SECONDS, or GATEWAY_READ_WAIT_SECONDS)
until its projections have applied that event. The answer says whether they had
(`caught_up`). A position past the last event in the store is nobody's write yet:
the view answers it at once, not caught up, rather than hold a worker for the wait.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from eventing.config import seconds_setting
from eventing.errors import EventingError
from gateway.api import errors
from gateway.api.app import Call, Encoded
from gateway.api.routes import QueryParam
from gateway.queries import common as q
from gateway.queries.assessment import FILTERS as ASSESSMENT_FILTERS
from gateway.queries.assessment import SORTS as ASSESSMENT_SORTS
from gateway.queries.assessment import assessment
from gateway.queries.campaign_overview import FILTERS as OVERVIEW_FILTERS
from gateway.queries.campaign_overview import SORTS as OVERVIEW_SORTS
from gateway.queries.campaign_overview import campaign_overview
from gateway.queries.complaint_queue import FILTERS as QUEUE_FILTERS
from gateway.queries.complaint_queue import SORTS as QUEUE_SORTS
from gateway.queries.complaint_queue import complaint_queue
from gateway.queries.evaluation import (
    RESULT_FILTERS,
    RESULT_SORTS,
    ROUND_FILTERS,
    ROUND_SORTS,
    evaluation_results,
    evaluation_rounds,
)
from gateway.queries.ledger_board import FILTERS as LEDGER_FILTERS
from gateway.queries.ledger_board import SORTS as LEDGER_SORTS
from gateway.queries.ledger_board import ledger_board
from gateway.queries.public_board import FILTERS as BOARD_FILTERS
from gateway.queries.public_board import SORTS as BOARD_SORTS
from gateway.queries.public_board import public_board, public_hotlines
from gateway.queries.publicity_compliance import FILTERS as PUBLICITY_FILTERS
from gateway.queries.publicity_compliance import SORTS as PUBLICITY_SORTS
from gateway.queries.publicity_compliance import publicity_compliance
from gateway.queries.unit_dashboard import FILTERS as DASHBOARD_FILTERS
from gateway.queries.unit_dashboard import SORTS as DASHBOARD_SORTS
from gateway.queries.unit_dashboard import unit_dashboard

log = logging.getLogger(__name__)

WAIT_SECONDS = 5.0
MAX_WAIT_SECONDS = 30.0


def wait_seconds(given: object) -> float:
    """GATEWAY_READ_WAIT_SECONDS (unset: WAIT_SECONDS). A waiting request holds
    one of the gateway's workers, so the bound is also what one request with a
    position not reached yet costs."""
    return seconds_setting(
        "GATEWAY_READ_WAIT_SECONDS", given, WAIT_SECONDS, MAX_WAIT_SECONDS
    )


PAGING = ("cursor", "limit", "sort", "min_position")


@dataclass(frozen=True)
class View:
    """One read model as an operation."""

    name: str
    query: Callable[..., q.Page]
    projections: tuple[str, ...]
    filters: tuple[str, ...]
    sorts: tuple[str, ...]
    public: bool = False

    def params(self) -> tuple[QueryParam, ...]:
        sort_help = "one of " + ", ".join(self.sorts) + " ('-' first: descending)"
        base = (
            QueryParam("cursor", {"type": "string", "maxLength": 500}, "next page"),
            QueryParam(
                "limit", {"type": "integer", "minimum": 1, "maximum": q.MAX_LIMIT}
            ),
            QueryParam("sort", {"type": "string", "maxLength": 50}, sort_help),
            QueryParam(
                "min_position",
                {"type": "integer", "minimum": 0},
                "wait (bounded) until the view reflects this store position "
                "(X-Position); one past the store's last event is not waited for",
            ),
        )
        return base + tuple(
            QueryParam(name, {"type": "string", "maxLength": 100})
            for name in self.filters
        )


def _names(sorts: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(name for name in sorts if not name.startswith("-"))


VIEWS: dict[str, View] = {
    view.name: view
    for view in (
        View(
            "campaign_overview",
            campaign_overview,
            ("campaign_overview", "ledger_board", "complaint_queue"),
            tuple(OVERVIEW_FILTERS),
            _names(OVERVIEW_SORTS),
        ),
        View(
            "unit_dashboard",
            unit_dashboard,
            ("org_chart", "ledger_board", "complaint_queue"),
            tuple(DASHBOARD_FILTERS),
            _names(DASHBOARD_SORTS),
        ),
        View(
            "ledger_board",
            ledger_board,
            ("ledger_board",),
            tuple(LEDGER_FILTERS),
            _names(LEDGER_SORTS),
        ),
        View(
            "complaint_queue",
            complaint_queue,
            ("complaint_queue",),
            tuple(QUEUE_FILTERS),
            _names(QUEUE_SORTS),
        ),
        View(
            "evaluation_rounds",
            evaluation_rounds,
            ("evaluation_results",),
            tuple(ROUND_FILTERS),
            _names(ROUND_SORTS),
        ),
        View(
            "evaluation_results",
            evaluation_results,
            ("evaluation_results",),
            tuple(RESULT_FILTERS),
            _names(RESULT_SORTS),
        ),
        View(
            "assessment",
            assessment,
            ("assessment",),
            tuple(ASSESSMENT_FILTERS),
            _names(ASSESSMENT_SORTS),
        ),
        View(
            "publicity_compliance",
            publicity_compliance,
            ("publicity_compliance",),
            tuple(PUBLICITY_FILTERS),
            _names(PUBLICITY_SORTS),
        ),
        View(
            "public_board",
            public_board,
            ("public_board",),
            tuple(BOARD_FILTERS),
            _names(BOARD_SORTS),
            public=True,
        ),
    )
}


def fresh_if(wanted: bool) -> AbstractContextManager[None]:
    """Checkpoints read anew for a request that waited for its min_position."""
    return q.fresh_checkpoints() if wanted else nullcontext()


class Views:
    """Answers view operations from a pool of read-model connections."""

    def __init__(
        self,
        pool: ConnectionPool[Any],
        wait_seconds: float = WAIT_SECONDS,
        latest: Callable[[], int] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`latest`: the position of the last event in the store (its `latest()`),
        asked only when a request's min_position is not reached yet."""
        self.pool = pool
        self.wait_seconds = wait_seconds
        self.latest = latest
        self.clock = clock

    def caught_up(self, conn: Any, projections: Sequence[str], wanted: int) -> bool:
        """Whether the projections have applied the event at `wanted`, waiting for
        them all together at most `wait_seconds`, and not at all when no event is
        there yet: a position past the store's last event is nobody's write, and
        any caller, an anonymous one on a public view too, could otherwise hold a
        worker for the whole wait with one request."""
        if all(q.wait_for_position(conn, p, wanted, 0.0) for p in projections):
            return True
        if self._past_the_end(wanted):
            return False
        # one deadline for them all: each projection waited for in turn with the
        # whole bound let a view of two hold a worker for twice as long
        deadline = self.clock() + self.wait_seconds
        return all(
            q.wait_for_position(conn, p, wanted, max(deadline - self.clock(), 0.0))
            for p in projections
        )

    def _past_the_end(self, wanted: int) -> bool:
        if self.latest is None:
            return False
        try:
            return wanted > self.latest()
        except (EventingError, psycopg.Error) as error:
            # the store unreachable: wait as configured, as without this check
            log.warning("cannot read the store's last position: %r", error)
            return False

    def handler(self, name: str) -> Callable[[Call], dict[str, Any] | Encoded]:
        view = VIEWS[name]

        def answer(call: Call) -> dict[str, Any] | Encoded:
            try:
                return query(call)
            except psycopg.errors.UndefinedTable:
                raise not_built(view.name) from None
            except psycopg.OperationalError:
                raise read_models_down() from None

        def query(call: Call) -> dict[str, Any] | Encoded:
            args = dict(call.payload)
            wanted = _min_position(args.pop("min_position", None))
            paging = {key: args.pop(key, None) for key in ("cursor", "limit", "sort")}
            if view.public:
                args.pop("bureau_id", None)  # the path's, not a filter
            limit = _limit(paging["limit"])
            with self.pool.connection() as conn, fresh_if(wanted is not None):
                caught_up = None
                if wanted is not None:
                    caught_up = self.caught_up(conn, view.projections, wanted)
                if view.public:
                    page = view.query(
                        conn,
                        call.values["bureau_id"],
                        args,
                        paging["sort"],
                        paging["cursor"],
                        limit,
                    )
                else:
                    page = view.query(
                        conn,
                        _scope(call),
                        args,
                        paging["sort"],
                        paging["cursor"],
                        limit,
                    )
            call.headers["X-Read-Position"] = str(page.position)
            if caught_up is None:
                return Encoded(page.encoded)
            return {**page.to_dict(), "caught_up": caught_up}

        return answer

    def hotlines(self, call: Call) -> dict[str, Any]:
        try:
            with self.pool.connection() as conn:
                page = public_hotlines(
                    conn,
                    call.values["bureau_id"],
                    call.payload.get("cursor"),
                    _limit(call.payload.get("limit")),
                )
        except psycopg.errors.UndefinedTable:
            raise not_built("org_chart") from None
        except psycopg.OperationalError:
            raise read_models_down() from None
        return page.to_dict()


def not_built(name: str) -> errors.ApiError:
    return errors.ApiError(
        503,
        "view_not_built",
        "该视图尚未生成（投影进程未运行或正在首次构建），请稍后重试",
        "This view has not been built yet (the projector is not running or is "
        "building it for the first time); try again later",
        {"view": name},
        {"Retry-After": "5"},
    )


def read_models_down() -> errors.ApiError:
    return errors.ApiError(
        503,
        "read_models_unavailable",
        "查询数据库暂时不可用，请稍后重试",
        "The read-model database is unavailable; try again later",
        headers={"Retry-After": "5"},
    )


def _scope(call: Call) -> q.Scope:
    """District officials without X-Bureau-Id read the whole district."""
    principal = call.principal
    asked = call.request.headers.get("X-Bureau-Id")
    if principal is not None and principal.district and not asked:
        return q.Scope.district()
    return q.Scope(call.bureau_id)


def _min_position(raw: Any) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = -1
    if value < 0:
        raise errors.bad_request(
            "invalid_input",
            "min_position 须为非负整数",
            "min_position must be a non-negative integer",
            fields={"min_position": "not_a_number"},
        )
    return value


def _limit(raw: Any) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise errors.bad_request(
            "invalid_input",
            "limit 须为 1–200 的整数",
            "limit must be an integer from 1 to 200",
            fields={"limit": "not_a_number"},
        ) from None
