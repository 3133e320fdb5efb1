"""A TCP proxy in front of RabbitMQ that can go silent, like a half-open connection."""

from __future__ import annotations

import contextlib
import socket
import threading


class SilentableProxy:
    """Forwards 127.0.0.1:<port> to `target`.

    `silence()` makes every connection open at that moment stop reading and
    forwarding in both directions while staying open (a hung broker, or a peer that
    vanished without a FIN or RST); connections made later are forwarded normally.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)  # so the accepting thread sees close()
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._open: list[tuple[socket.socket, socket.socket, threading.Event]] = []
        self._closed = threading.Event()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def silence(self) -> int:
        """Silence every open connection; how many there were."""
        with self._lock:
            for _, _, silenced in self._open:
                silenced.set()
            return len(self._open)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            silenced = threading.Event()
            with self._lock:
                self._open.append((client, upstream, silenced))
            for source, sink in ((client, upstream), (upstream, client)):
                pump = threading.Thread(
                    target=self._pump, args=(source, sink, silenced), daemon=True
                )
                pump.start()
                self._threads.append(pump)

    def _pump(
        self, source: socket.socket, sink: socket.socket, silenced: threading.Event
    ) -> None:
        with contextlib.suppress(OSError):
            while not silenced.is_set():
                data = source.recv(65536)
                if not data:
                    sink.shutdown(socket.SHUT_WR)
                    return
                if not silenced.is_set():
                    sink.sendall(data)
        # Silenced: read nothing more, so the sender's buffers fill up as well.
        self._closed.wait()

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        with self._lock:
            for client, upstream, _ in self._open:
                for sock in (client, upstream):
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
        for thread in self._threads:
            thread.join(timeout=5)
