"""The async Sumsub ID Connect client: signs the exact bytes it sends and returns an `Exchange`.

Cancellation (`asyncio.CancelledError`) propagates to the caller; every other failure becomes an
outcome. One client owns one `httpx.AsyncClient` (and its connection pool) for one `Target`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Final

import httpx

from idconnect_tester import __version__, vendor
from idconnect_tester.core.emulator_drills import made_by, made_up_by
from idconnect_tester.core.exchange import (
    Endpoint,
    Exchange,
    NetworkError,
    NetworkErrorKind,
    NotSent,
    Outcome,
    ReceivedResponse,
    RequestCancelled,
    SentRequest,
    Timings,
    TokenGranted,
    UnexpectedResponse,
)
from idconnect_tester.core.hints import hint_for
from idconnect_tester.core.masking import mask_secret, mask_token
from idconnect_tester.core.network_errors import classify
from idconnect_tester.core.parsing import parse_share_token_response, parse_token_response
from idconnect_tester.core.request import ShareTokenRequest, TokenRequest, blocking
from idconnect_tester.core.signing import signed_headers
from idconnect_tester.core.target import Target
from idconnect_tester.core.transport import http_client
from idconnect_tester.core.trust import trust_description

MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024  # read no more than this: a runaway body is an outcome
USER_AGENT: Final = f"idconnect-tester/{__version__}"

# Header values derived from the secret (or replayable credentials) are masked for display.
_MASK_FULLY: Final = frozenset({vendor.HEADER_ACCESS_SIG.lower(), "authorization"})
_MASK_AS_TOKEN: Final = frozenset({vendor.HEADER_APP_TOKEN.lower()})

_Parser = Callable[[int, bytes, str, datetime], Outcome]


def display_headers(headers: httpx.Headers) -> tuple[tuple[str, str], ...]:
    shown: list[tuple[str, str]] = []
    for name, value in headers.multi_items():
        lower = name.lower()
        if lower in _MASK_FULLY:
            value = mask_secret(value)
        elif lower in _MASK_AS_TOKEN:
            value = mask_token(value)
        shown.append((name, value))
    return tuple(shown)


def tls_description(target: Target) -> str:
    return trust_description(target.verify_tls, target.ca_bundle)


def key_fetching_client(target: Target) -> httpx.AsyncClient:
    """An httpx client for the issuer's discovery document and JWKS (the caller closes it).

    TLS is always verified here — against the OS trust store plus the target's CA bundle —
    even when the target itself has verification off: keys fetched over an unverified
    connection could be anyone's, and a signature they "verify" would prove nothing. Proxies
    and the timeout are the target's.
    """
    return http_client(
        verify_tls=True,
        ca_bundle=target.ca_bundle,
        proxy=target.proxy,
        timeout_s=target.timeout_s,
        headers={"User-Agent": USER_AGENT},
    )


class _TraceTimer:
    """Collects httpx trace events (connect, TLS, first byte) as offsets from the start."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.marks: dict[str, float] = {}
        self.connecting_to: tuple[str, int] | None = None  # the TCP peer: the host or a proxy

    async def __call__(self, event_name: str, info: dict[str, Any]) -> None:
        self.marks[event_name] = time.perf_counter()
        if event_name == "connection.connect_tcp.started":
            self.connecting_to = (str(info.get("host", "")), int(info.get("port") or 0))

    def unreachable_proxy(self, url: httpx.URL) -> str | None:
        """`host:port` of a proxy the request never got a connection to, else None.

        httpx reports a proxy it can't reach exactly like an unreachable API host; only the
        address it dialled tells them apart, and the advice differs (fix the proxy, not the URL).
        """
        if self.connecting_to is None or "connection.connect_tcp.complete" in self.marks:
            return None
        port = url.port or (443 if url.scheme == "https" else 80)
        host, dialled_port = self.connecting_to
        if (host.strip("[]").lower(), dialled_port) == (url.host.lower(), port):
            return None
        return f"{host}:{dialled_port}"

    def request_begun(self) -> bool:
        """Whether the request had begun to go out (its headers at least): the server may
        have it whole, though the mark that says its body went out may not have come yet (a
        cancel at that moment)."""
        return any(
            f"{protocol}.send_request_headers.started" in self.marks
            for protocol in ("http11", "http2")
        )

    def request_sent(self) -> bool:
        """Whether the whole request (headers and body) went out on the connection."""
        return any(
            f"{protocol}.send_request_body.complete" in self.marks
            for protocol in ("http11", "http2")
        )

    def _span(self, step: str) -> float | None:
        started, completed = self.marks.get(f"{step}.started"), self.marks.get(f"{step}.complete")
        if started is None or completed is None:
            return None
        return (completed - started) * 1000

    def timings(self) -> Timings:
        first_byte = self.marks.get("http11.receive_response_headers.complete") or self.marks.get(
            "http2.receive_response_headers.complete"
        )
        return Timings(
            total_ms=(time.perf_counter() - self.start) * 1000,
            connect_ms=self._span("connection.connect_tcp"),
            tls_ms=self._span("connection.start_tls"),
            first_byte_ms=(first_byte - self.start) * 1000 if first_byte else None,
        )


def _now() -> datetime:
    return datetime.now(UTC)


class IdConnectClient:
    def __init__(self, target: Target, *, clock: Callable[[], float] = time.time) -> None:
        self.target = target
        self._clock = clock  # for the signature timestamp; tests skew it
        self._http: httpx.AsyncClient | None = None
        self._keys_http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> IdConnectClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        clients = [c for c in (self._http, self._keys_http) if c is not None]
        self._http = self._keys_http = None
        for client in clients:
            await client.aclose()

    def http(self) -> httpx.AsyncClient:
        """The client for the target's API (and for following its authorize redirect): TLS as
        the target says, loopback straight, other hosts through the target's or the
        environment's proxy. Created on first use."""
        if self._http is None:
            self._http = http_client(
                verify_tls=self.target.verify_tls,
                ca_bundle=self.target.ca_bundle,
                proxy=self.target.proxy,
                timeout_s=self.target.timeout_s,
                headers={"User-Agent": USER_AGENT},
            )
        return self._http

    def keys_http(self) -> httpx.AsyncClient:
        """The client for discovery and JWKS (see `key_fetching_client`), kept with this one."""
        if self._keys_http is None:
            self._keys_http = key_fetching_client(self.target)
        return self._keys_http

    async def token(self, request: TokenRequest) -> Exchange:
        problems = blocking(request.validate())
        if problems:
            return self._not_sent(Endpoint.TOKEN, "; ".join(p.message for p in problems))

        # A redirect URL sent as the code, a refresh refused as an invalid code and a cancel
        # have hints of their own for the grant.
        def for_this_grant(exchange: Exchange) -> Exchange:
            hint = hint_for(
                exchange.outcome,
                Endpoint.TOKEN,
                sent_code=request.code,
                grant_type=request.grant_type,
                response=exchange.response,
                received_at=exchange.received_at,
            )
            outcome = exchange.outcome
            if isinstance(outcome, TokenGranted) and outcome.id_token is None:
                why = _why_no_id_token(request, exchange)
                outcome = replace(outcome, notes=(*outcome.notes, why))
            return replace(exchange, hint=hint, outcome=outcome)

        def parse(status: int, body: bytes, content_type: str, received: datetime) -> Outcome:
            return parse_token_response(status, body, content_type, received)

        try:
            exchange = await self._send(
                Endpoint.TOKEN, vendor.TOKEN_PATH, request.body_bytes(), parse
            )
        except RequestCancelled as cancelled:
            raise RequestCancelled(for_this_grant(cancelled.exchange)) from None
        return for_this_grant(exchange)

    async def share_token(self, request: ShareTokenRequest) -> Exchange:
        problems = blocking(request.validate())
        if problems:
            return self._not_sent(Endpoint.SHARE_TOKEN, "; ".join(p.message for p in problems))

        def parse(status: int, body: bytes, content_type: str, received: datetime) -> Outcome:
            return parse_share_token_response(status, body, content_type, received, request.ttl_s)

        return await self._send(
            Endpoint.SHARE_TOKEN, vendor.SHARE_TOKEN_PATH, request.body_bytes(), parse
        )

    def _not_sent(self, endpoint: Endpoint, reason: str) -> Exchange:
        now = _now()
        return Exchange(
            endpoint=endpoint,
            request=None,
            response=None,
            outcome=NotSent(reason),
            timings=Timings(total_ms=0.0),
            started_at=now,
            received_at=now,
        )

    async def _send(self, endpoint: Endpoint, path: str, body: bytes, parse: _Parser) -> Exchange:
        target_problems = self.target.problems()
        if target_problems:
            return self._not_sent(endpoint, "; ".join(target_problems.values()))
        started_at = _now()
        timer = _TraceTimer()
        try:
            http = self.http()
            url = httpx.URL(self.target.url_for(path))
            headers = {
                "Content-Type": "application/json",
                "Accept": "application/json",
                **signed_headers(
                    self.target.app_token.strip(),
                    self.target.secret_key.reveal(),
                    "POST",
                    url.raw_path.decode("ascii"),
                    body,
                    clock=self._clock,
                ),
            }
            http_request = http.build_request(
                "POST", url, content=body, headers=headers, extensions={"trace": timer}
            )
        except Exception as exc:  # a URL or header httpx won't build: nothing was sent
            return self._not_sent(endpoint, f"The request could not be built: {exc}")
        sent = SentRequest(
            method="POST",
            url=str(http_request.url),
            headers=display_headers(http_request.headers),
            body=body,
            tls_verification=(
                tls_description(self.target)
                if http_request.url.scheme == "https"
                else "none: plain HTTP (allowed to this machine only)"
            ),
        )
        try:
            response = await http.send(http_request, stream=True)
            try:
                received, undecodable = await _read_capped(response)
            finally:
                await response.aclose()
        except asyncio.CancelledError:
            if timer.request_sent():
                why = "The wait was stopped after the request reached the server, which may "
                why += "have acted on it."
            else:
                why = "The wait was stopped before the request was sent in full."
            stopped = NetworkError(
                NetworkErrorKind.CANCELLED, why, may_have_arrived=timer.request_begun()
            )
            raise RequestCancelled(
                _exchange(endpoint, sent, None, stopped, timer, started_at, _now())
            ) from None
        except Exception as exc:  # every transport failure is an outcome, never a crash
            failure = replace(classify(exc), may_have_arrived=timer.request_begun())
            if (proxy := timer.unreachable_proxy(url)) is not None:
                failure = NetworkError(
                    NetworkErrorKind.PROXY,
                    f"Could not connect to the proxy {proxy} ({failure.kind.value}): "
                    f"{failure.message}",
                )
            return _exchange(endpoint, sent, None, failure, timer, started_at, _now())
        received_at = _now()
        outcome: Outcome = parse(received.status, received.body, received.content_type, received_at)
        if received.truncated:
            outcome = _truncated(received.status)
        elif undecodable is not None:
            outcome = UnexpectedResponse(received.status, (undecodable,))
        return _exchange(endpoint, sent, received, outcome, timer, started_at, received_at)


def _exchange(
    endpoint: Endpoint,
    sent: SentRequest,
    received: ReceivedResponse | None,
    outcome: Outcome,
    timer: _TraceTimer,
    started_at: datetime,
    received_at: datetime,
) -> Exchange:
    return Exchange(
        endpoint=endpoint,
        request=sent,
        response=received,
        outcome=outcome,
        timings=timer.timings(),
        started_at=started_at,
        received_at=received_at,
        hint=hint_for(outcome, endpoint, response=received, received_at=received_at),
    )


def _truncated(status: int) -> Outcome:
    limit_mb = MAX_RESPONSE_BYTES // (1024 * 1024)
    return UnexpectedResponse(status, (f"The body is larger than {limit_mb} MB; reading stopped",))


async def _read_capped(response: httpx.Response) -> tuple[ReceivedResponse, str | None]:
    """The response (body capped at MAX_RESPONSE_BYTES), and why the body could not be
    decoded when its Content-Encoding lied: that is an odd answer, not a network failure."""
    chunks: list[bytes] = []
    size = 0
    truncated = False
    undecodable: str | None = None
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                truncated = True
                break
    except httpx.DecodingError as exc:
        encoding = response.headers.get("content-encoding", "")
        undecodable = (
            f"The body could not be decoded as its Content-Encoding ({encoding}) says: {exc}"
        )
    body = b"".join(chunks)[:MAX_RESPONSE_BYTES]
    received = ReceivedResponse(
        status=response.status_code,
        reason=response.reason_phrase,
        http_version=response.http_version,
        headers=tuple(response.headers.multi_items()),
        body=body,
        truncated=truncated,
    )
    return received, undecodable


def _why_no_id_token(request: TokenRequest, exchange: Exchange) -> str:
    """Said of a granted answer without an id_token: what the request's scopes explain — or,
    for an answer an emulator drill made up, that (its scopes had nothing to do with it)."""
    drill = made_up_by(exchange)
    if drill is not None:
        return f"No id_token in this answer: {made_by(drill)}"
    return request.why_no_id_token()
