"""Domain gauges for /metrics, computed from the read models (a Prometheus collector).

One grouped query per gauge, cached for `ttl` seconds so a scrape storm costs at most
one round of queries per interval. A read model not there yet (its projection never
ran) yields no samples for its gauge; a failing database keeps the last values.

- rectification_complaints_past_deadline{bureau_id}: open complaints whose running
  deadline is before today (Asia/Shanghai)
- rectification_ledger_items_overdue{bureau_id}: items not closed past their deadline
- rectification_units_quota_missed{bureau_id}: units whose last decided publicity
  period (each unit's own: a week or a half-month) missed its quota
- rectification_evaluation_rounds_open: evaluation rounds opened and not yet closed
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import psycopg
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector, CollectorRegistry

from gateway.queries.common import ZONE

log = logging.getLogger(__name__)

# name -> (help, label or None, SQL answering rows of (label value, number))
GAUGES: dict[str, tuple[str, str | None, str]] = {
    "rectification_complaints_past_deadline": (
        "Open complaints past the deadline they run against",
        "bureau_id",
        "SELECT bureau_id, count(*) FROM readmodel.complaint_queue "
        "WHERE status NOT IN ('rejected', 'closed') AND current_due < %(today)s "
        "GROUP BY bureau_id",
    ),
    "rectification_ledger_items_overdue": (
        "Ledger items not closed past their deadline",
        "bureau_id",
        "SELECT bureau_id, count(*) FROM readmodel.ledger_board "
        "WHERE status <> 'closed' AND deadline < %(today)s GROUP BY bureau_id",
    ),
    "rectification_units_quota_missed": (
        "Units that missed their publicity quota in the last decided period",
        "bureau_id",
        "SELECT bureau_id, count(*) FILTER (WHERE NOT met) FROM ("
        "  SELECT DISTINCT ON (unit_id) bureau_id, met "
        "  FROM readmodel.publicity_compliance ORDER BY unit_id, period_end DESC"
        ") latest GROUP BY bureau_id",
    ),
    "rectification_evaluation_rounds_open": (
        "Evaluation rounds opened and not yet closed",
        None,
        "SELECT NULL, count(*) FROM readmodel.evaluation_rounds WHERE status = 'open'",
    ),
}


class DomainGauges(Collector):
    """Collects the domain gauges from the read-model database."""

    def __init__(
        self,
        conninfo: str,
        ttl: float = 5.0,
        today: Callable[[], date] = lambda: datetime.now(ZONE).date(),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.conninfo = conninfo
        self.ttl = ttl
        self.today = today
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._at: float | None = None
        self._values: dict[str, list[tuple[str | None, float]]] = {}
        self._conn: psycopg.Connection[Any] | None = None

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """Names only, so registering does not query the database."""
        for name, (help_text, label, _) in GAUGES.items():
            yield GaugeMetricFamily(name, help_text, labels=[label] if label else None)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            now = self.monotonic()
            if self._at is None or now - self._at >= self.ttl:
                self._refresh()
                self._at = now
            values = dict(self._values)
        for name, (help_text, label, _) in GAUGES.items():
            if name not in values:
                continue
            family = GaugeMetricFamily(
                name, help_text, labels=[label] if label else None
            )
            for label_value, number in values[name]:
                if label:
                    family.add_metric([label_value or ""], number)
                else:
                    family.add_metric([], number)
            yield family

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = psycopg.connect(
                self.conninfo, autocommit=True, connect_timeout=2
            )
            self._conn.execute("SET statement_timeout = 2000")
        return self._conn

    def _refresh(self) -> None:
        params = {"today": self.today()}
        try:
            conn = self._connection()
        except psycopg.Error as error:
            log.warning("domain gauges: read models unreachable: %s", error)
            return
        for name, (_, _, query) in GAUGES.items():
            try:
                rows = conn.execute(query, params).fetchall()
            except psycopg.errors.UndefinedTable:
                self._values.pop(name, None)
                continue
            except psycopg.Error as error:
                log.warning("domain gauge %s failed: %s", name, error)
                continue
            self._values[name] = [(label, float(n)) for label, n in rows]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


def register(
    conninfo: str, registry: CollectorRegistry = REGISTRY, ttl: float = 5.0
) -> DomainGauges:
    """Register the domain gauges with a registry (the projector's /metrics)."""
    gauges = DomainGauges(conninfo, ttl)
    registry.register(gauges)
    return gauges
