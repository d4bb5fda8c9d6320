"""The built-in emulator, run inside the app on a free loopback port.

Its port is reserved at once (`reserve`: a listening socket, so the target can show the
emulator's URL as soon as the window does); the server that answers on it — the emulator
package, its HTTP server and, in a thread of its own, its RSA key — starts a moment later
(`ensure_started`). A request that arrives in between waits in the socket's backlog.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from idconnect_tester.emulator import EmulatorServer

_HOST = "127.0.0.1"
_BACKLOG = 128  # as the emulator's own server: 20 clients at once are never refused


class EmulatorHost:
    def __init__(self, ttl_s: int | None = None) -> None:
        self._server: EmulatorServer | None = None
        self._listening: socket.socket | None = None
        self._ttl_s = ttl_s

    def reserve(self) -> str:
        """Take a free port and listen on it; returns the base URL the emulator will serve."""
        if self._listening is None and self._server is None:
            self._listening = socket.create_server((_HOST, 0), backlog=_BACKLOG)
        return self.base_url

    def ensure_started(self) -> EmulatorServer:
        if self._server is None:
            # Imported here: a profile on a real target never needs the emulator.
            from idconnect_tester.emulator import EmulatorConfig, EmulatorServer

            config = EmulatorConfig(log=False, host=_HOST, port=0)
            if self._ttl_s is not None:
                config = EmulatorConfig(log=False, host=_HOST, port=0, ttl_s=self._ttl_s)
            listening, self._listening = self._listening, None
            self._server = EmulatorServer(config).start(listening)
        return self._server

    @property
    def reserved(self) -> bool:
        """Its URL is known (the port is taken), whether or not the server answers yet."""
        return self._listening is not None or self._server is not None

    @property
    def started(self) -> bool:
        return self._server is not None

    @property
    def server(self) -> EmulatorServer | None:
        return self._server

    @property
    def base_url(self) -> str:
        if self._server is not None:
            return self._server.base_url
        if self._listening is None:
            return self.ensure_started().base_url
        host, port = self._listening.getsockname()[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._listening is not None:
            listening, self._listening = self._listening, None
            listening.close()
        if self._server is not None:
            server, self._server = self._server, None
            server.stop()
