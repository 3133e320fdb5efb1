"""The baseline of the gateway rows: a bare Nameko RPC service that echoes its payload.

`nameko run benchmarks.echo` (the bench starts it in a throwaway vhost)."""

from __future__ import annotations

from typing import Any

from nameko.rpc import rpc


class EchoService:
    name = "bench_echo"

    @rpc  # type: ignore[untyped-decorator]
    def echo(self, payload: Any = None, context: Any = None) -> Any:
        return payload
