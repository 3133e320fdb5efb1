"""The gateway's HTTP metrics: requests by route template, method and status."""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

HTTP_REQUESTS = Counter(
    "gateway_http_requests_total",
    "HTTP requests answered, by route template, method and status",
    ["route", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "gateway_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and method",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(route, method, str(status)).inc()
    HTTP_SECONDS.labels(route, method).observe(seconds)


def exposition() -> bytes:
    """The text a scrape of /metrics gets. Under gateway.workers (which sets
    PROMETHEUS_MULTIPROC_DIR) a scrape reaches one worker at random, so it answers
    for all of them: counters and histograms summed over the workers (those that
    exited included, so they never go back), gauges per worker (`pid` label)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    registry.register(_Workers(directory))
    return generate_latest(registry)


class _Workers(Collector):
    """Every worker's samples (read once per scrape from the multiprocess files),
    then the gateway's families no worker has a sample of yet, without samples: a
    family that is not there at all looks to Prometheus (and to `absent()` in an
    alert) like a metric removed."""

    def __init__(self, directory: str) -> None:
        self.files = multiprocess.MultiProcessCollector(None, directory)  # type: ignore[no-untyped-call]

    def collect(self) -> Iterable[Metric]:
        present = set()
        for family in self.files.collect():  # type: ignore[no-untyped-call]
            present.add(family.name)
            yield family
        for declared in (HTTP_REQUESTS, HTTP_SECONDS):
            for family in declared.collect():
                if family.name not in present:
                    yield Metric(family.name, family.documentation, family.type)
