"""The gateway's web server: the connections it accepts send without Nagle's delay.

Eventlet writes a response's headers and body in two sends; with Nagle on, a body
larger than the first segment waits for the client's delayed ACK (40 ms on Linux),
which made every dashboard page 40 ms slower than its work.
"""

from __future__ import annotations

import socket
from types import SimpleNamespace
from typing import Any

import eventlet

from gateway.service import _WebServer


def test_every_accepted_connection_has_nagle_off() -> None:
    accepted: list[Any] = []
    server = _WebServer()
    server.container = SimpleNamespace(
        config={"WEB_SERVER_ADDRESS": "127.0.0.1:0"},
        spawn_managed_thread=lambda fn: eventlet.spawn(fn),
    )
    server.process_request = lambda sock, address: accepted.append(sock)
    server.start()
    try:
        port = server._sock.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            for _ in range(100):
                eventlet.sleep(0.01)
                if accepted:
                    break
            assert accepted, "the server did not accept the connection"
            option = accepted[0].getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            assert option != 0
    finally:
        server.stop()
        for sock in accepted:
            sock.close()
