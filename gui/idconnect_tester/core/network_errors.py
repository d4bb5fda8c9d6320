"""httpx/OS exceptions → a `NetworkError` whose kind a person can act on."""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator

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


def _message(exc: BaseException) -> str:
    """The most specific non-empty message in the chain, with its type for context."""
    for link in _chain(exc):
        text = str(link).strip()
        if text:
            return text if link is exc else f"{str(exc).strip() or type(exc).__name__}: {text}"
    return type(exc).__name__


def classify(exc: BaseException) -> NetworkError:
    """A `NetworkError` for any exception raised while sending or receiving."""
    message = _message(exc)
    if len(message) > 500:
        message = message[:499] + "…"
    return NetworkError(_kind(exc), message)
