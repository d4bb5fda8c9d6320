"""The built-in emulator, started inside the app on a free loopback port when first needed."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from idconnect_tester.emulator import EmulatorServer


class EmulatorHost:
    def __init__(self, ttl_s: int | None = None) -> None:
        self._server: EmulatorServer | None = None
        self._ttl_s = ttl_s

    def ensure_started(self) -> EmulatorServer:
        if self._server is None:
            # Imported here: only the emulator profile needs it, and startup should not pay.
            from idconnect_tester.emulator import EmulatorConfig, EmulatorServer

            config = EmulatorConfig(log=False)
            if self._ttl_s is not None:
                config = EmulatorConfig(log=False, ttl_s=self._ttl_s)
            self._server = EmulatorServer(config).start()
        return self._server

    @property
    def started(self) -> bool:
        return self._server is not None

    @property
    def server(self) -> EmulatorServer | None:
        return self._server

    @property
    def base_url(self) -> str:
        return self.ensure_started().base_url

    def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            server.stop()
