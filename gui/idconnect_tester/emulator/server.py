"""EmulatorServer: one independent emulator instance, served from a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from idconnect_tester.emulator.config import EmulatorConfig
from idconnect_tester.emulator.context import EmulatorContext
from idconnect_tester.emulator.http_server import EmulatorHTTPServer
from idconnect_tester.emulator.request_log import RequestLogger

DEFAULT_CONFIG = EmulatorConfig()
# serve_forever checks for shutdown this often; it bounds how long stop() takes.
_POLL_INTERVAL_S = 0.05
_WILDCARD_HOSTS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104


class EmulatorServer:
    """A local Sumsub ID Connect emulator.

    ``start()`` binds and returns at once; the RSA key for id_tokens is generated in the
    background (and on first need), so starting never waits for it. Instances share nothing,
    so tests can run several side by side on port 0.
    """

    def __init__(
        self,
        config: EmulatorConfig = DEFAULT_CONFIG,
        *,
        log_stream: TextIO | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._context = EmulatorContext(config=config, clock=clock)
        self._logger = RequestLogger(log_stream, enabled=config.log)
        self._lifecycle = threading.Lock()
        self._httpd: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def config(self) -> EmulatorConfig:
        return self._config

    @property
    def base_url(self) -> str:
        """e.g. ``http://127.0.0.1:8088``, without a trailing slash. Known once started."""
        if not self._context.base_url:
            raise RuntimeError("the emulator has not been started")
        return self._context.base_url

    @property
    def issuer(self) -> str:
        return self.base_url + "/"

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def start(self, listening: socket.socket | None = None) -> EmulatorServer:
        """Serve on `config.host`/`config.port`, or on `listening`: a socket its owner already
        bound and made listen (connections that arrived meanwhile wait in its backlog)."""
        with self._lifecycle:
            if self._httpd is not None:
                raise RuntimeError("the emulator is already running")
            host = self._config.host
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            httpd = EmulatorHTTPServer(
                (host, self._config.port),
                self._context,
                self._logger,
                family=family,
                listening=listening,
            )
            port = httpd.server_address[1]
            shown = _WILDCARD_HOSTS.get(host, host)
            shown = f"[{shown}]" if ":" in shown else shown
            self._context.base_url = f"http://{shown}:{port}"
            self._context.stopping.clear()
            thread = threading.Thread(
                target=httpd.serve_forever,
                kwargs={"poll_interval": _POLL_INTERVAL_S},
                name=f"emulator-{port}",
                daemon=True,
            )
            thread.start()
            self._httpd, self._thread = httpd, thread
        self._context.keys.warm_up_in_background()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection. Idempotent; fine if never started."""
        with self._lifecycle:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
        if httpd is None or thread is None:
            return
        self._context.stopping.set()  # ends any `slow` drill's wait at once
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        thread.join(timeout=5)

    def set_scenario(self, name: str, times: int = 1, **params: object) -> None:
        """Arm a drill, as ``POST /_emulator/scenario`` does. ValueError if it makes no sense."""
        self._context.scenarios.arm(name, times, params)

    def clear_scenario(self) -> None:
        self._context.scenarios.clear()

    def reset(self) -> None:
        """Forget every code and token and clear the drill, as ``POST /_emulator/reset`` does."""
        self._context.store.reset()
        self._context.scenarios.reset()

    def wait_scenario_used(self, timeout: float) -> bool:
        """Block until the armed drill is used up or cleared; False on timeout."""
        return self._context.scenarios.wait_until_used(timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Block until no request is being answered — a `slow` drill's answer to a client that
        has gone included, which would use up a drill armed meanwhile; False on timeout."""
        return self._context.answering.wait_until_none(timeout)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
