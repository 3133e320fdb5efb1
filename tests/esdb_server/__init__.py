"""A test double of EventStoreDB's gRPC API (test-only; see server.py)."""

from tests.esdb_server.server import EsdbTestServer, Record

__all__ = ["EsdbTestServer", "Record"]
