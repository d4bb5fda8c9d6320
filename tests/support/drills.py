"""Support for the fault drills: a hanging server that says when a request has reached it, and
counts of what a process holds open (for leak checks)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.support.faulty_servers import _ThreadedServer, read_request


class RecordingHangingServer(_ThreadedServer):
    """Reads each request, counts it, then never answers: the client must time out or be
    cancelled. `requests_seen` lets a test wait until a request is really in flight. A handler
    ends (and closes its socket) as soon as the client hangs up, so a drill repeated many times
    leaves nothing of the server's behind — only what the app itself kept would show."""

    def __init__(self) -> None:
        self._seen = 0
        self._seen_lock = threading.Lock()
        super().__init__(self._hang)

    def _hang(self, connection: socket.socket) -> None:
        with connection:
            read_request(connection)
            with self._seen_lock:
                self._seen += 1
            while not self.stopping.is_set():
                readable, _, _ = select.select([connection], [], [], 0.05)
                if readable and not connection.recv(4096):
                    return  # the client gave up (timeout or Cancel) and closed

    @property
    def requests_seen(self) -> int:
        with self._seen_lock:
            return self._seen


@dataclass(frozen=True)
class OpenHandles:
    """How much this process holds open, by kind, for before/after comparisons."""

    tasks: int  # pending asyncio tasks
    threads: int  # Python threads
    os_threads: int  # every OS thread (Qt's and executors' too)
    fds: int
    sockets: int
    names: tuple[str, ...]  # pending tasks and Python threads, for the failure message

    def describe(self) -> str:
        return (
            f"{self.tasks} tasks, {self.threads} Python threads, {self.os_threads} OS threads, "
            f"{self.fds} fds ({self.sockets} sockets): {', '.join(self.names)}"
        )

    def within(self, other: OpenHandles) -> bool:
        """Nothing of any kind more than `other` holds."""
        return (
            self.tasks <= other.tasks
            and self.threads <= other.threads
            and self.os_threads <= other.os_threads
            and self.fds <= other.fds
            and self.sockets <= other.sockets
        )


def open_handles(loop: asyncio.AbstractEventLoop) -> OpenHandles:
    targets = []
    for entry in os.scandir("/proc/self/fd"):
        try:
            targets.append(os.readlink(entry.path))
        except OSError:
            continue  # the descriptor scandir itself used, already closed
    tasks = [t.get_name() for t in asyncio.all_tasks(loop) if not t.done()]
    threads = [t.name for t in threading.enumerate()]
    return OpenHandles(
        tasks=len(tasks),
        threads=len(threads),
        os_threads=len(os.listdir("/proc/self/task")),
        fds=len(targets),
        sockets=sum(t.startswith("socket:") for t in targets),
        names=tuple(sorted(tasks + threads)),
    )


class GatedIssuer:
    """An OpenID issuer on 127.0.0.1 whose JWKS answers only when the test says so: it serves a
    discovery document naming itself, and the given JWKS once `release()` is called. Lets a test
    hold one id_token verification mid-flight, deterministically."""

    def __init__(self, jwks: bytes) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        gate = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

            def do_GET(self) -> None:  # the standard library names it
                if self.path == "/.well-known/openid-configuration":
                    body = (
                        f'{{"issuer": "{gate.issuer}", '
                        f'"jwks_uri": "{gate.base_url}/.well-known/jwks.json"}}'
                    ).encode()
                else:
                    gate.held.set()
                    gate._release.wait(30)
                    body = jwks
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

        self.held = threading.Event()  # set once a JWKS request is waiting at the gate
        self._release = threading.Event()
        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def issuer(self) -> str:
        return self.base_url + "/"

    def start(self) -> GatedIssuer:
        self._thread.start()
        return self

    def release(self) -> None:
        self._release.set()

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextlib.contextmanager
def private_executor(loop: Any) -> Iterator[None]:  # a qasync.QEventLoop
    """qasync resolves host names (getaddrinfo) on QThreads of the loop's default executor,
    created on first use and never shut down by the session's loop; a QThread still running
    when the interpreter exits aborts the whole test process ("QThread: Destroyed while thread
    is still running", exit 134). Tests that resolve names get an executor of their own, shut
    down when they are done; the loop gets its earlier default back (the session's teardown
    shuts that one down)."""
    import qasync

    earlier = loop._QEventLoop__default_executor  # qasync keeps it private
    executor = qasync.QThreadExecutor(2)
    loop.set_default_executor(executor)
    try:
        yield
    finally:
        loop.set_default_executor(earlier)
        executor.shutdown(wait=True)
