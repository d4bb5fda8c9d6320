"""httpx/OS exceptions → a `NetworkError` whose kind a person can act on."""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from collections.abc import Iterator
from typing import Final

import httpx

from idconnect_tester.core.exchange import NetworkError, NetworkErrorKind

_REFUSED_ERRNOS = {errno.ECONNREFUSED}
_RESET_ERRNOS = {errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it was raised from, without looping forever."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _kind_from_text(text: str) -> NetworkErrorKind | None:
    text = text.lower()
    if "certificate" in text or "ssl" in text or "tls" in text or "handshake" in text:
        return NetworkErrorKind.TLS
    if "name or service not known" in text or "nodename nor servname" in text:
        return NetworkErrorKind.DNS
    if "temporary failure in name resolution" in text or "getaddrinfo" in text:
        return NetworkErrorKind.DNS
    if "connection refused" in text:
        return NetworkErrorKind.REFUSED
    if "reset by peer" in text or "server disconnected" in text or "peer closed" in text:
        return NetworkErrorKind.RESET
    return None


def _kind(exc: BaseException) -> NetworkErrorKind:
    if isinstance(exc, httpx.TimeoutException):
        return NetworkErrorKind.TIMEOUT
    if isinstance(exc, httpx.ProxyError):
        return NetworkErrorKind.PROXY
    for link in _chain(exc):
        if isinstance(link, ssl.SSLError | ssl.CertificateError):
            return NetworkErrorKind.TLS
        if isinstance(link, socket.gaierror):
            return NetworkErrorKind.DNS
        if isinstance(link, TimeoutError | socket.timeout):
            return NetworkErrorKind.TIMEOUT
        if isinstance(link, ConnectionRefusedError):
            return NetworkErrorKind.REFUSED
        if isinstance(link, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            return NetworkErrorKind.RESET
        if isinstance(link, OSError) and link.errno in _REFUSED_ERRNOS:
            return NetworkErrorKind.REFUSED
        if isinstance(link, OSError) and link.errno in _RESET_ERRNOS:
            return NetworkErrorKind.RESET
    # httpx wraps some errors with the message only (e.g. anyio's connect errors).
    for link in _chain(exc):
        if (kind := _kind_from_text(str(link))) is not None:
            return kind
    if isinstance(exc, httpx.RemoteProtocolError | httpx.LocalProtocolError):
        return NetworkErrorKind.PROTOCOL
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return NetworkErrorKind.RESET
    return NetworkErrorKind.OTHER


# httpx's timeout exceptions carry no message; their cause is anyio's cancel-scope plumbing
# ("Cancelled via cancel scope 7f…; reason: deadline exceeded"), which means nothing to a reader.
_TIMEOUT_PHRASES: Final[tuple[tuple[type[httpx.TimeoutException], str], ...]] = (
    (httpx.ConnectTimeout, "the connection was not established within the timeout"),
    (httpx.ReadTimeout, "no response arrived within the timeout"),
    (httpx.WriteTimeout, "the request could not be sent within the timeout"),
    (httpx.PoolTimeout, "no connection became free within the timeout"),
)


def _message(exc: BaseException) -> str:
    """The error's own message plus the most specific cause beneath it, when that adds
    something: `All connection attempts failed: [Errno 111] Connect call failed ('127.0.0.1',
    8088)` says more than either half."""
    top = str(exc).strip() or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException) and not str(exc).strip():
        phrase = next((p for t, p in _TIMEOUT_PHRASES if isinstance(exc, t)), "timed out")
        return f"{top}: {phrase}"
    detail = ""
    for link in _chain(exc):
        text = str(link).strip()
        if text and not isinstance(link, asyncio.CancelledError):
            detail = text  # keep going: the deepest message is the most specific
    if not detail or detail in top:
        return top
    return f"{top}: {detail}"


def classify(exc: BaseException) -> NetworkError:
    """A `NetworkError` for any exception raised while sending or receiving."""
    message = _message(exc)
    if len(message) > 500:
        message = message[:499] + "…"
    return NetworkError(_kind(exc), message)
