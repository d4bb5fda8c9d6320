"""HTTP plumbing: the threaded server, and a request handler that frames, routes and answers.

The standard library handler is kept for parsing the request line and headers; everything it
would answer by itself (HTML error pages, 501 for unknown methods) is rerouted so that every
answer is JSON in Sumsub's error shape with an exact Content-Length, and keep-alive stays in sync.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import socketserver
import struct
import sys
import threading
import time
from dataclasses import replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from idconnect_tester import __version__
from idconnect_tester.emulator.context import EmulatorContext
from idconnect_tester.emulator.control import DRILL_HEADER
from idconnect_tester.emulator.errors import ApiError
from idconnect_tester.emulator.request_log import RequestLogger
from idconnect_tester.emulator.responses import Response, error_response
from idconnect_tester.emulator.routes import IncomingRequest, route

log = logging.getLogger(__name__)

_CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")
_MAX_REQUEST_LINE = 65536
# After refusing a body we won't read (413, 411), keep reading and discarding for a moment
# before closing: closing with unread data makes the kernel send a reset, and the client would
# see "connection reset" instead of our answer. Bounded, so nobody can keep us busy.
_DRAIN_MAX_BYTES = 16 * 1024 * 1024
_DRAIN_MAX_S = 2.0
_SLOT_POLL_S = 0.05  # while every connection slot is taken: how often stop() is checked


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck connection never keeps the process alive
    block_on_close = False
    # The default backlog of 5 refuses connections when 20 clients connect at once.
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        context: EmulatorContext,
        request_logger: RequestLogger,
        *,
        family: socket.AddressFamily,
        listening: socket.socket | None = None,
    ) -> None:
        """`listening`: a socket already bound and listening (its owner reserved the port
        earlier and hands it over); without one, the server binds `address` itself."""
        self.address_family = family
        self.context = context
        self.request_logger = request_logger
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(context.config.max_connections)
        super().__init__(address, EmulatorRequestHandler, bind_and_activate=listening is None)
        if listening is not None:
            self.socket.close()  # the one TCPServer made for itself, never bound
            self.socket = listening
            self.server_address = listening.getsockname()
            host, port = self.server_address[:2]
            self.server_name, self.server_port = str(host), int(port)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would call socket.getfqdn(), a reverse DNS lookup that can
        # take seconds on a badly configured machine. We know our name: it's the address.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        # All slots taken: wait here for one to free up. This holds up accepting, so further
        # connections wait in the kernel's listen backlog: delayed, never refused or reset.
        while not self._slots.acquire(timeout=_SLOT_POLL_S):
            if self.context.stopping.is_set():
                socketserver.TCPServer.shutdown_request(self, request)
                return
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            held_a_slot = request in self._connections
            self._connections.discard(request)
        super().shutdown_request(request)
        if held_a_slot:
            self._slots.release()

    def close_connections(self) -> None:
        """End every open keep-alive connection, so a stopped server answers nothing more."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            log.debug("connection from %s ended: %s", client_address, error)
        else:
            log.exception("unexpected error serving %s", client_address)


class EmulatorRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; so every answer carries an exact Content-Length
    server_version = f"IdConnectTesterEmulator/{__version__}"
    sys_version = ""
    disable_nagle_algorithm = True  # small answers go out at once, not after a delayed ACK

    _started = 0.0
    _unread_body: int | None = 0  # body bytes left unread (None: unknown, e.g. chunked)

    @property
    def _emulator(self) -> EmulatorHTTPServer:
        server = self.server
        assert isinstance(server, EmulatorHTTPServer)
        return server

    def setup(self) -> None:
        super().setup()
        # How long a silent connection (an idle keep-alive, a stalled client) may hold a slot.
        self.connection.settimeout(self._emulator.context.config.idle_timeout_s)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the stdlib's own access log; ``_finish`` writes ours."""

    # --- Reading ---------------------------------------------------------------------------

    def handle_one_request(self) -> None:
        # The stdlib version, except that every method reaches our router (no HTML 501 page).
        self._unread_body = 0
        self.command, self.path, self.request_version = "", "", "HTTP/1.1"
        try:
            self.raw_requestline = self.rfile.readline(_MAX_REQUEST_LINE + 1)
            self._started = time.perf_counter()
            if len(self.raw_requestline) > _MAX_REQUEST_LINE:
                self.requestline = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return  # parse_request answered through send_error
            self._serve()
        except OSError:  # includes timeouts and resets: the connection is gone or useless
            self.close_connection = True

    def handle_expect_100(self) -> bool:
        # Refuse an oversized or unframed body *before* inviting the client to send it.
        refusal = self._framing_refusal()
        if refusal is not None:
            self._finish(refusal)
            return False
        return super().handle_expect_100()

    def _framing_refusal(self) -> Response | None:
        if self.headers.get_all("Transfer-Encoding"):
            self._unread_body = None
            return error_response(
                ApiError(411, "Transfer-Encoding is not supported; send a Content-Length"),
                close=True,
            )
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if not lengths:
            return None
        if len(lengths) > 1 or not _CONTENT_LENGTH.fullmatch(next(iter(lengths))):
            self._unread_body = None
            return error_response(ApiError(400, "Invalid Content-Length"), close=True)
        length = int(next(iter(lengths)))
        limit = self._emulator.context.config.max_body_bytes
        if length > limit:
            # Refused from the header alone: a client can't make us buffer a gigabyte.
            self._unread_body = length
            return error_response(
                ApiError(413, f"Request body too large: {length} bytes (limit {limit})"),
                close=True,
            )
        return None

    def _read_body(self) -> tuple[bytes, bool] | Response:
        refusal = self._framing_refusal()
        if refusal is not None:
            return refusal
        lengths = self.headers.get_all("Content-Length")
        if not lengths:
            return b"", False  # HTTP/1.1: no framing header on a request means no body
        length = int(lengths[0].strip())
        body = self.rfile.read(length)
        if len(body) < length:
            raise ConnectionAbortedError("client closed the connection mid-body")
        return body, True

    # --- Answering -------------------------------------------------------------------------

    def _serve(self) -> None:
        with self._emulator.context.answering.one():
            self._answer()

    def _answer(self) -> None:
        notes: dict[str, str] = {}
        read = self._read_body()
        if isinstance(read, Response):
            self._finish(read)
            return
        body, has_length = read
        request = IncomingRequest(
            method=self.command,
            target=self.path,
            path=urlsplit(self.path).path,
            headers=self.headers,
            body=body,
            has_content_length=has_length,
            notes=notes,
        )
        try:
            response = route(self._emulator.context, request)
        except ApiError as error:
            response = error_response(error)
        except Exception:
            # A bug in the emulator: log it here, answer in the error shape, never a traceback.
            log.exception("internal error answering %s %s", self.command, self.path[:200])
            response = error_response(ApiError(500, "Internal emulator error"))
        if "drill" in notes:
            # Said on the answer itself: a client tells a staged outcome from a real one by
            # the answer, not by the drill's countdown, which anything on this machine (a
            # copied curl command) may have used up meanwhile. Its kind says how: a "delay"
            # only held the server's own answer back.
            said = f"{notes['drill']}; kind={notes['drill_kind']}"
            response = replace(response, headers=(*response.headers, (DRILL_HEADER, said)))
        self._finish(response, notes)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer protocol errors (bad request line, huge headers…) in the error shape too."""
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        self._unread_body = None
        self._finish(error_response(ApiError(code, message or phrase), close=True))

    def _finish(self, response: Response, notes: dict[str, str] | None = None) -> None:
        facts = dict(notes or {})
        facts.update(response.facts)
        # Logged before answering: once the client has its answer, the line is already there
        # (a test, or a human watching the log, never races the server to it).
        duration_ms = (time.perf_counter() - self._started) * 1000
        status = "RESET" if response.reset else str(response.status)
        self._emulator.request_logger.line(
            self.command or "-", self.path, status, duration_ms, facts
        )
        if response.reset:
            self._reset_connection()
            return
        self._write(response)
        if response.close:
            self._drain_unread_body()

    def _write(self, response: Response) -> None:
        body = b"" if self.command == "HEAD" else response.body
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        headers = [
            ("Server", self.version_string()),
            ("Date", self.date_time_string()),
            ("Cache-Control", "no-store"),  # tokens must never be cached (RFC 6749 §5.1)
        ]
        if response.content_type:
            headers.append(("Content-Type", response.content_type))
        headers.append(("Content-Length", str(len(response.body))))
        headers.extend(response.headers)
        if response.close or self.close_connection:
            headers.append(("Connection", "close"))
            self.close_connection = True
        head = f"{self.protocol_version} {response.status} {reason}\r\n"
        for name, value in headers:
            # CR/LF can never reach the wire: no header injection through an echoed value.
            head += f"{name}: {value.replace(chr(13), '').replace(chr(10), '')}\r\n"
        # One write for head and body: no Nagle/delayed-ACK stall between them.
        self.wfile.write(head.encode("latin-1", "replace") + b"\r\n" + body)
        self.wfile.flush()

    def _reset_connection(self) -> None:
        """Drill: drop the connection so the client sees a reset, not a clean close."""
        linger = struct.pack("hh" if sys.platform == "win32" else "ii", 1, 0)
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        finally:
            # The makefile() wrappers hold the descriptor open; close them so it closes now.
            self.wfile.close()
            self.rfile.close()
            self.connection.close()

    def _drain_unread_body(self) -> None:
        self.close_connection = True
        remaining = self._unread_body
        if remaining == 0:
            return
        budget = _DRAIN_MAX_BYTES if remaining is None else min(remaining, _DRAIN_MAX_BYTES)
        deadline = time.monotonic() + _DRAIN_MAX_S
        try:
            self.connection.shutdown(socket.SHUT_WR)  # our answer is complete: send FIN
            while budget > 0 and not self._emulator.context.stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.connection.settimeout(min(left, 0.25))
                try:
                    chunk = self.connection.recv(min(budget, 65536))
                except TimeoutError:
                    continue
                if not chunk:
                    break
                budget -= len(chunk)
        except OSError:
            pass  # the client went away first: nothing left to protect
