"""The loopback redirect listener of a native app (RFC 8252 §7.3).

A tiny HTTP/1.1 server on 127.0.0.1 that waits for the authorization server's redirect, answers
the browser with a page saying what happened, and stops. It runs on the caller's asyncio loop
(`asyncio.start_server`, no threads) so it works under qasync and in tests alike.

Anything on this machine can connect to the port — another program, or a web page open in the
browser when the port is fixed — so every connection is untrusted: headers are capped, a silent
client is dropped after a read timeout, and junk gets a 400; none of it can crash or wedge the
listener, nor end the wait. A request must name the listener itself in its `Host` header (a
page that rebinds its own DNS name to 127.0.0.1 can't pass), and a redirect (a GET to the
redirect path with `code` or `error`) is taken only when its `state` is the one the waiting
session sent: any other answers 400 and the listener keeps waiting until the right one or the
timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from idconnect_tester import APP_NAME
from idconnect_tester.core.authorize import (
    AuthorizeResult,
    AuthorizeSession,
    parse_redirect,
    state_matches,
)
from idconnect_tester.core.target import is_loopback_host

if TYPE_CHECKING:  # the caller brings the client: this module needs no HTTP library of its own
    import httpx

LISTEN_HOST: Final = "127.0.0.1"  # RFC 8252 §8.3: the literal, not "localhost" (may be ::1)
DEFAULT_PATH: Final = "/callback"
MAX_HEADER_BYTES: Final = 16 * 1024
READ_TIMEOUT_S: Final = 5.0  # a browser sends its request at once; a silent peer is dropped
PAGE_DELIVERY_TIMEOUT_S: Final = 2.0  # how long `wait` lets the browser's page finish writing
VERDICT_TIMEOUT_S: Final = 30.0  # a redirect before anyone waits: how long the browser is held
_REDIRECT_KEYS: Final = frozenset({"code", "error"})
_HTTP_DEFAULT_PORT: Final = 80


class LoopbackError(Exception):
    """The listener could not start (port in use, no loopback interface)."""


def _listen_plan(redirect_uri: str | None) -> tuple[str, int, str | None, str]:
    """(host to bind, port, redirect URI to keep as given or None, path to listen on)."""
    if redirect_uri:
        try:
            parts = urlsplit(redirect_uri.strip())
            port = parts.port
        except ValueError:
            parts, port = None, None
        if (
            parts is not None
            and parts.scheme == "http"
            and port is not None
            and parts.hostname is not None
            and is_loopback_host(parts.hostname)
        ):
            # Registered with a fixed port: it must be sent exactly as registered.
            host = "::1" if parts.hostname == "::1" else LISTEN_HOST
            return host, port, redirect_uri.strip(), parts.path or "/"
        usable = (
            parts is not None
            and parts.scheme in ("http", "https")
            and parts.path.startswith("/")
            and parts.path != "/"
            and all(0x21 <= ord(c) <= 0x7E for c in parts.path)
        )
        path = parts.path if usable and parts is not None else DEFAULT_PATH
        return LISTEN_HOST, 0, None, path
    return LISTEN_HOST, 0, None, DEFAULT_PATH


def _page(title: str, message: str) -> bytes:
    """A self-contained page: no scripts, no external resources (the CSP forbids them anyway)."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;
color:#222}}h1{{font-size:1.4em}}p{{line-height:1.5}}</style></head>
<body><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>
<p><small>{html.escape(APP_NAME)}</small></p></body></html>
""".encode()


def _response(status: int, reason: str, body: bytes, extra: tuple[str, ...] = ()) -> bytes:
    head = [
        f"HTTP/1.1 {status} {reason}",
        "Content-Type: text/html; charset=utf-8",
        f"Content-Length: {len(body)}",
        "Cache-Control: no-store",  # the page URL carries the code: keep it out of caches
        "Pragma: no-cache",
        "Referrer-Policy: no-referrer",
        "X-Content-Type-Options: nosniff",
        "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'",
        "Connection: close",
        *extra,
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body


def _result_page(result: AuthorizeResult) -> bytes:
    if result.code is not None:
        title = "Code received"
        message = f"You can close this tab and return to {APP_NAME}."
    elif result.error is not None:
        title = f"The authorization server answered: {result.error}"
        described = f"{result.error_description}. " if result.error_description else ""
        message = f"{described}Close this tab and see the details in {APP_NAME}."
    else:
        title = "This redirect was not accepted"
        message = f"{result.problem} Close this tab and return to {APP_NAME}."
    return _response(200, "OK", _page(title, message))


def _refused_page() -> bytes:
    body = _page(
        "Not the redirect this app is waiting for",
        f"Its state does not match the sign-in {APP_NAME} started, so nothing was taken from "
        f"it and {APP_NAME} keeps waiting. If you started a new sign-in since, finish that one.",
    )
    return _response(400, "Bad Request", body)


def _host_and_port(host_header: str) -> tuple[str, int] | None:
    """`127.0.0.1:8765` → ("127.0.0.1", 8765); a missing port is HTTP's 80. None if malformed."""
    try:
        parts = urlsplit(f"//{host_header.strip()}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname.lower(), _HTTP_DEFAULT_PORT if port is None else port


def _host_headers(head: bytes) -> list[str]:
    return [
        line.split(b":", 1)[1].decode("latin-1")
        for line in head.split(b"\r\n")[1:]
        if line[:5].lower() == b"host:"
    ]


@dataclass(frozen=True)
class _Candidate:
    """A redirect that arrived: its request target, and how to answer the browser."""

    target: str
    reply: asyncio.Future[bytes]
    handler: asyncio.Task[None] | None


class LoopbackListener:
    """Listens for one authorization redirect. Create with `await LoopbackListener.start(...)`."""

    def __init__(
        self, redirect_uri: str, path: str, port: int, *, read_timeout_s: float = READ_TIMEOUT_S
    ) -> None:
        self.redirect_uri = redirect_uri
        self.path = path
        self.port = port
        self.read_timeout_s = read_timeout_s
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._own_hosts: frozenset[tuple[str, int]] = frozenset()  # what `Host` may say
        self._candidates: asyncio.Queue[_Candidate] = asyncio.Queue()
        self._refused = 0  # redirects with a missing or wrong state
        self._result: AuthorizeResult | None = None

    @classmethod
    async def start(
        cls, redirect_uri: str | None = None, *, read_timeout_s: float = READ_TIMEOUT_S
    ) -> LoopbackListener:
        """Listen on the port of a loopback `redirect_uri` (`http://127.0.0.1:PORT/path`), or on
        a free port when it has none. Raises `LoopbackError` when the port can't be bound."""
        host, port, fixed_uri, path = _listen_plan(redirect_uri)
        listener = cls("", path, port, read_timeout_s=read_timeout_s)
        try:
            server = await asyncio.start_server(
                listener._accept, host=host, port=port, limit=MAX_HEADER_BYTES
            )
        except OSError as exc:
            reason = exc.strerror or str(exc)
            where = f"port {port} on {host}" if port else f"a free port on {host}"
            hint = " — is another app (or another run) listening there?" if port else ""
            raise LoopbackError(
                f"Cannot listen for the redirect on {where}: {reason}{hint}"
            ) from exc
        listener._server = server
        bound_port: int = server.sockets[0].getsockname()[1]
        listener.port = bound_port
        shown_host = "[::1]" if host == "::1" else host
        listener.redirect_uri = fixed_uri or f"http://{shown_host}:{bound_port}{path}"
        registered = _host_and_port(urlsplit(listener.redirect_uri).netloc)
        listener._own_hosts = frozenset(
            {(host, bound_port), *([registered] if registered is not None else [])}
        )
        return listener

    @property
    def listening(self) -> bool:
        return self._server is not None

    @property
    def redirect_received(self) -> bool:
        """A redirect was taken, or one has arrived and waits to be judged."""
        return self._result is not None or not self._candidates.empty()

    async def __aenter__(self) -> LoopbackListener:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # --- the per-connection side -------------------------------------------------------------

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # A plain callback (not a coroutine) so the task is ours to track and cancel on close.
        task = asyncio.get_running_loop().create_task(self._serve(reader, writer))
        self._connections.add(task)
        task.add_done_callback(self._connections.discard)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            answer = await self._answer(reader)
            if answer:
                writer.write(answer)
                await asyncio.wait_for(writer.drain(), self.read_timeout_s)
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            pass  # the peer went away or stalled: nothing to tell it
        finally:
            writer.close()
            with contextlib.suppress(OSError, TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    async def _answer(self, reader: asyncio.StreamReader) -> bytes:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.read_timeout_s)
        except asyncio.LimitOverrunError:
            body = _page("Request too large", "The request headers are too large.")
            return _response(431, "Request Header Fields Too Large", body)
        except (asyncio.IncompleteReadError, TimeoutError):
            return b""
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        pieces = request_line.split(" ")
        if len(pieces) != 3 or not pieces[2].startswith("HTTP/1."):
            return _response(400, "Bad Request", _page("Bad request", "Not an HTTP/1.x request."))
        hosts = _host_headers(head)
        if len(hosts) != 1 or _host_and_port(hosts[0]) not in self._own_hosts:
            body = _page("Wrong address", "This listener only answers requests addressed to it.")
            return _response(400, "Bad Request", body)
        method, target, _ = pieces
        try:
            parts = urlsplit(target)
        except ValueError:
            return _response(400, "Bad Request", _page("Bad request", "The address is malformed."))
        if parts.path != self.path:
            return _response(404, "Not Found", _page("Not found", "Nothing here."))
        params = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
        if method != "GET":
            body = _page("Method not allowed", "The redirect arrives as a GET request.")
            return _response(405, "Method Not Allowed", body, ("Allow: GET",))
        if not params & _REDIRECT_KEYS or self._result is not None:
            body = _page(
                "Waiting for the redirect",
                f"This address receives the authorization redirect (?code=…&state=…) for "
                f"{APP_NAME}; nothing was taken from this request.",
            )
            return _response(400, "Bad Request", body)
        # A redirect: `wait` judges it (its state), then this answers the browser.
        reply: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._candidates.put_nowait(_Candidate(target, reply, asyncio.current_task()))
        try:
            return await asyncio.wait_for(asyncio.shield(reply), VERDICT_TIMEOUT_S)
        except TimeoutError:
            body = _page("Redirect received", f"Return to {APP_NAME} to see the result.")
            return _response(200, "OK", body)

    # --- the caller's side -------------------------------------------------------------------

    async def wait(self, session: AuthorizeSession | None, timeout_s: float) -> AuthorizeResult:
        """The redirect for `session` (the first one at all when `session` is None); then the
        listener stops. Redirects whose state is missing or not the session's are refused and
        the wait goes on.

        A timeout is a result (a problem), not an exception. Cancelling the caller closes the
        listener (releasing the port) and the `CancelledError` propagates.
        """
        if self._result is not None:
            return self._result
        if self._server is None:
            return AuthorizeResult(problem="The redirect listener was already closed")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        try:
            while True:
                try:
                    candidate = await asyncio.wait_for(
                        self._candidates.get(), max(0.0, deadline - loop.time())
                    )
                except TimeoutError:
                    self._result = AuthorizeResult(problem=self._timeout_problem(timeout_s))
                    return self._result
                result = self._judge(candidate.target, session)
                if result is None:
                    self._refused += 1
                    if not candidate.reply.done():
                        candidate.reply.set_result(_refused_page())
                    continue
                self._result = result
                if not candidate.reply.done():
                    candidate.reply.set_result(_result_page(result))
                if candidate.handler is not None:
                    # Let the browser get its "close this tab" page before the sockets close.
                    with contextlib.suppress(Exception):  # a timeout or a dropped browser
                        await asyncio.wait_for(
                            asyncio.shield(candidate.handler), PAGE_DELIVERY_TIMEOUT_S
                        )
                return result
        finally:
            await self.close()

    def _judge(self, target: str, session: AuthorizeSession | None) -> AuthorizeResult | None:
        """The result a redirect gives, or None when it is refused (not this session's)."""
        parts = urlsplit(target)
        if session is not None:
            states = [v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k == "state"]
            if not state_matches(states[0] if states else None, session):
                return None
        # Rebuild the URL the browser was sent to, so parse_redirect can also notice a session
        # made for another redirect_uri than this listener's.
        origin = urlsplit(self.redirect_uri)
        received = urlunsplit((origin.scheme, origin.netloc, parts.path, parts.query, ""))
        return parse_redirect(received, session)

    def _timeout_problem(self, timeout_s: float) -> str:
        problem = (
            f"No redirect arrived within {timeout_s:g} s: was the browser login finished, and "
            f"does the redirect_uri point at this listener ({self.redirect_uri})?"
        )
        if self._refused:
            problem += (
                f" {self._refused} redirect(s) with a missing or different state were refused: "
                "from an earlier sign-in, or not from the authorization server."
            )
        return problem

    async def close(self) -> None:
        """Stop listening and drop every connection. Safe to call any number of times."""
        server, self._server = self._server, None
        if server is not None:
            server.close()  # closes the listening socket now: the port is free from here on
        tasks = [t for t in self._connections if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if server is not None:
            await server.wait_closed()


async def follow_in_place_of_browser(http: httpx.AsyncClient, url: str) -> int:
    """GET the authorize URL and follow its redirects the way a browser would, so the
    authorization server's 302 lands on the listener. Returns the final status."""
    response = await http.get(url, follow_redirects=True)
    return response.status_code


OpenUrl = Callable[[str], Awaitable[None] | None]


async def run_authorize_flow(
    session: AuthorizeSession,
    listener: LoopbackListener,
    open_url: OpenUrl,
    timeout_s: float,
) -> AuthorizeResult:
    """Open the authorization URL (system browser, or `follow_in_place_of_browser` for the
    emulator) and wait for the redirect on `listener`. The listener is closed on every exit;
    cancelling this coroutine cancels the wait and propagates."""
    waiting = asyncio.ensure_future(listener.wait(session, timeout_s))
    try:
        try:
            opened = open_url(session.url())
            if inspect.isawaitable(opened):
                await opened
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not listener.redirect_received:
                waiting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiting
                return AuthorizeResult(problem=f"The authorization URL could not be opened: {exc}")
        return await waiting
    finally:
        if not waiting.done():
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
        await listener.close()
