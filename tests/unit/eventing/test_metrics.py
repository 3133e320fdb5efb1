"""Every process's metrics: appends, commands, the /metrics /health /ready endpoint."""

from __future__ import annotations

import contextvars
import json
import socket
import urllib.error
import urllib.request
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from nameko.events import EventHandler
from nameko.rpc import Rpc
from prometheus_client import REGISTRY

from eventing import health, metrics
from eventing.errors import WrongExpectedVersion
from eventing.events import Metadata, NewEvent
from eventing.nameko import CommandMetrics
from eventing.store.memory import MemoryEventStore


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class TestAppendsAreCountedAndTimed:
    def test_each_appended_event_counts_by_service_and_type(self):
        service = f"svc{uuid.uuid4().hex[:6]}"
        store = metrics.InstrumentedStore(MemoryEventStore(), service)
        store.append(
            f"tally-{uuid.uuid4().hex}",
            [NewEvent("TallyOpened", {}), NewEvent("TallyIncremented", {"by": 1})],
            0,
            Metadata(service),
        )
        assert sample("events_appended_total", service=service, type="TallyOpened") == 1
        assert sample("eventstore_append_duration_seconds_count", service=service) == 1

    def test_a_refused_append_counts_as_an_error_and_appends_nothing(self):
        service = f"svc{uuid.uuid4().hex[:6]}"
        store = metrics.InstrumentedStore(MemoryEventStore(), service)
        with pytest.raises(WrongExpectedVersion):
            store.append(
                f"tally-{uuid.uuid4().hex}",
                [NewEvent("TallyOpened", {})],
                5,
                Metadata(service),
            )
        errors = sample(
            "eventstore_append_errors_total",
            service=service,
            error="WrongExpectedVersion",
        )
        assert errors == 1
        assert sample("events_appended_total", service=service, type="TallyOpened") == 0

    def test_reads_pass_through_to_the_adapter(self):
        inner = MemoryEventStore()
        store = metrics.InstrumentedStore(inner, "svc")
        stream = f"tally-{uuid.uuid4().hex}"
        store.append(stream, [NewEvent("TallyOpened", {})], 0, Metadata("svc"))
        assert [e.type for e in store.read_stream(stream)] == ["TallyOpened"]
        assert store.head() == inner.head()
        assert store.stream_version(stream) == 1


class FakeContainer:
    """What CommandMetrics reads of a Nameko container."""

    def __init__(self, name: str, entrypoints: list[Any] | None = None) -> None:
        self.service_name = name
        self.entrypoints = entrypoints or []
        self.config: dict[str, Any] = {}


class FakeWorker:
    """A worker context: the entrypoint it runs."""

    def __init__(self, entrypoint: Any) -> None:
        self.entrypoint = entrypoint


def run_worker(provider: CommandMetrics, entrypoint: Any, error: Any = None) -> None:
    ctx = FakeWorker(entrypoint)
    exc_info = None if error is None else (type(error), error, None)

    def work() -> None:  # in a context of its own, like a Nameko worker's green thread
        provider.worker_setup(ctx)
        provider.worker_result(ctx, None, exc_info)

    contextvars.copy_context().run(work)


class RefusedError(Exception):
    code = "invalid_input"


class TestCommandsAreCountedByOutcome:
    def provider(self) -> tuple[CommandMetrics, str]:
        service = f"svc{uuid.uuid4().hex[:6]}"
        self.container = FakeContainer(service)  # providers hold only a weakref
        provider = CommandMetrics().bind(self.container, "metrics")
        provider.setup()
        return provider, service

    def rpc(self, method: str) -> Rpc:
        entrypoint = Rpc.__new__(Rpc)
        entrypoint.method_name = method
        return entrypoint

    def test_a_successful_command_counts_as_ok_and_is_timed(self):
        provider, service = self.provider()
        run_worker(provider, self.rpc("file"))
        assert sample("commands_total", service=service, command="file", outcome="ok")
        count = sample(
            "command_duration_seconds_count", service=service, command="file"
        )
        assert count == 1

    def test_a_refused_command_counts_under_its_code_and_is_no_rpc_error(self):
        provider, service = self.provider()
        run_worker(provider, self.rpc("file"), RefusedError("no"))
        refused = sample(
            "commands_total", service=service, command="file", outcome="invalid_input"
        )
        assert refused == 1
        assert (
            sample(
                "rpc_errors_total", service=service, method="file", error="RefusedError"
            )
            == 0
        )

    def test_an_untyped_failure_is_an_rpc_error(self):
        provider, service = self.provider()
        run_worker(provider, self.rpc("file"), KeyError("boom"))
        assert sample(
            "commands_total", service=service, command="file", outcome="error"
        )
        assert sample(
            "rpc_errors_total", service=service, method="file", error="KeyError"
        )

    def test_a_failed_event_handler_that_does_not_requeue_is_dead_lettered(self):
        provider, service = self.provider()
        handler = EventHandler.__new__(EventHandler)
        handler.method_name = "on_placed"
        handler.requeue_on_error = False
        run_worker(provider, handler, KeyError("boom"))
        dead = sample(
            "consumer_dead_lettered_total", service=service, handler="on_placed"
        )
        assert dead == 1

    def test_a_redelivered_message_is_counted(self):
        service = f"svc{uuid.uuid4().hex[:6]}"
        handler = EventHandler.__new__(EventHandler)
        handler.method_name = "on_placed"
        seen: list[Any] = []
        handler.handle_message = lambda body, message: seen.append(body)
        container = FakeContainer(service, [handler])
        provider = CommandMetrics().bind(container, "metrics")
        provider.setup()
        handler.handle_message(
            "a", SimpleNamespace(delivery_info={"redelivered": True})
        )
        handler.handle_message(
            "b", SimpleNamespace(delivery_info={"redelivered": False})
        )
        assert seen == ["a", "b"]
        count = sample(
            "consumer_redeliveries_total", service=service, handler="on_placed"
        )
        assert count == 1


def ok(name: str) -> health.Probe:
    return lambda: health.Check(name, ok=True)


def failing(name: str) -> health.Probe:
    return lambda: health.Check(name, ok=False, error="connection refused")


class TestTheEndpoint:
    def test_metrics_answer_in_prometheus_text_format(self):
        server = metrics.serve(0, "127.0.0.1")
        try:
            status, body = get(f"http://127.0.0.1:{server.port}/metrics")
        finally:
            server.close()
        assert status == 200
        assert b"# TYPE commands_total counter" in body

    def test_health_answers_while_the_process_runs(self):
        server = metrics.serve(0, "127.0.0.1", [failing("rabbitmq")])
        try:
            status, body = get(f"http://127.0.0.1:{server.port}/health")
        finally:
            server.close()
        assert (status, json.loads(body)) == (200, {"status": "ok"})

    def test_ready_names_the_dependency_that_failed(self):
        server = metrics.serve(0, "127.0.0.1", [ok("eventstore"), failing("rabbitmq")])
        try:
            status, body = get(f"http://127.0.0.1:{server.port}/ready")
        finally:
            server.close()
        assert status == 503
        assert json.loads(body) == {
            "code": "not_ready",
            "message": "unreachable: rabbitmq",
            "dependencies": {
                "eventstore": {"status": "ok"},
                "rabbitmq": {"status": "failed", "error": "connection refused"},
            },
        }

    def test_ready_answers_200_when_every_dependency_is_reachable(self):
        server = metrics.serve(0, "127.0.0.1", [ok("eventstore")])
        try:
            status, body = get(f"http://127.0.0.1:{server.port}/ready")
        finally:
            server.close()
        assert status == 200
        assert json.loads(body)["status"] == "ready"

    def test_an_unreachable_port_is_reported_by_its_probe(self):
        probe = health.tcp("eventstore", "esdb://127.0.0.1:1", 2113, timeout=0.5)
        check = probe()
        assert not check.ok and check.error

    def test_a_cluster_is_ready_when_any_of_its_seeds_accepts(self):
        """esdb://a:2113,b:2113,c:2113 (or esdb+discover://): urlsplit's .port
        refuses such a netloc, and the probe used to fail the gateway's start."""
        with socket.socket() as listening:
            listening.bind(("127.0.0.1", 0))
            listening.listen()
            port = listening.getsockname()[1]
            for uri in (
                f"esdb+discover://127.0.0.1:1,127.0.0.1:2,127.0.0.1:{port}?Tls=false",
                f"esdb://admin:changeit@127.0.0.1:{port},127.0.0.1:1?tls=true",
            ):
                assert health.tcp("eventstore", uri, 2113, timeout=1.0)() == (
                    health.Check("eventstore", ok=True)
                ), uri

    def test_a_cluster_none_of_whose_seeds_answer_names_each(self):
        uri = "esdb://127.0.0.1:1, 127.0.0.1:2?Tls=false"
        check = health.tcp("eventstore", uri, 2113, timeout=1.0)()
        assert not check.ok and check.error is not None
        first, second = check.error.split("; ")
        assert first.startswith("127.0.0.1:1: ") and "refused" in first
        assert second.startswith("127.0.0.1:2: ")

    def test_a_port_that_is_not_one_fails_the_probe_saying_so(self):
        check = health.tcp("eventstore", "esdb://node1:21x3?Tls=false", 2113)()
        assert not check.ok and check.error is not None and "21x3" in check.error

    def test_seeds_are_read_with_their_default_port_and_ipv6_brackets(self):
        assert health.addresses("esdb://u:p@[::1]:2200,node2,node3:2115?x=1", 2113) == [
            ("::1", 2200),
            ("node2", 2113),
            ("node3", 2115),
        ]
        assert health.addresses("esdb://localhost?Tls=false", 2113) == [
            ("localhost", 2113)
        ]

    def test_without_probes_ready_checks_the_store_and_the_read_models(
        self, monkeypatch
    ):
        monkeypatch.setenv("EVENTSTORE_URI", "esdb://127.0.0.1:1?Tls=false")
        monkeypatch.setenv(
            "READMODEL_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nothing"
        )
        server = metrics.serve(0, "127.0.0.1")
        try:
            status, body = get(f"http://127.0.0.1:{server.port}/ready")
        finally:
            server.close()
        assert status == 503
        assert json.loads(body)["message"] == "unreachable: eventstore, readmodel"
