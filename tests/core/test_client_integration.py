"""`IdConnectClient` end to end: the real emulator on 127.0.0.1, small faulty servers, and a
stub transport for byte-level oddities the emulator can't produce.

Every test looks at what a user would see: the typed outcome, the hint, what the Raw panel
shows (masked headers, the exact body), the timings — never at the client's internals.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.support.faulty_servers import (
    _ThreadedServer,
    closed_port,
    drop_mid_body_server,
    garbage_server,
    hanging_server,
    read_request,
    self_signed_certificate,
    tls_json_server,
)
from tests.support.flows import (
    ALL_SCOPES,
    EMULATOR_APP_TOKEN,
    EMULATOR_CLIENT_ID,
    EMULATOR_SECRET_KEY,
    AuthorizationCode,
    emulator_target,
    get_code,
    granted_exchange,
    refresh_request,
    token_exchange,
)
from tests.support.signature_oracle import vendor_signature

from idconnect_tester import vendor
from idconnect_tester.core.client import IdConnectClient
from idconnect_tester.core.exchange import (
    ApiError,
    Endpoint,
    Exchange,
    HintKind,
    NetworkError,
    NetworkErrorKind,
    NotSent,
    RequestCancelled,
    ShareTokenGranted,
    TokenGranted,
    UnexpectedResponse,
)
from idconnect_tester.core.hints import hint_for
from idconnect_tester.core.id_token_checks import CheckStatus, verify_id_token
from idconnect_tester.core.jwks import build_context
from idconnect_tester.core.masking import SECRET_MASK
from idconnect_tester.core.pkce import generate_pair
from idconnect_tester.core.request import FieldIssue, ShareTokenRequest, TokenRequest
from idconnect_tester.core.target import Target
from idconnect_tester.core.wording import clock_time
from idconnect_tester.emulator import EmulatorConfig, EmulatorServer
from idconnect_tester.emulator.faults import MARKUP_DESCRIPTION, MARKUP_ERROR_NAME

CORRELATION_ID = re.compile(r"[0-9a-f]{32}")
HEX_SIGNATURE = re.compile(r"[0-9a-f]{64}")
# A name under a reserved TLD: it never resolves, so nothing can leave for a real host.
UNREACHABLE_HTTPS = "https://api.sumsub.invalid"


# --- helpers -------------------------------------------------------------------------------


def send(
    target: Target,
    request: TokenRequest | ShareTokenRequest,
    *,
    clock: Callable[[], float] = time.time,
) -> Exchange:
    """One request through a fresh client, as the GUI's Send button does."""

    async def run() -> Exchange:
        async with IdConnectClient(target, clock=clock) as client:
            if isinstance(request, ShareTokenRequest):
                return await client.share_token(request)
            return await client.token(request)

    return asyncio.run(run())


def fresh_code(emulator: EmulatorServer, scopes: tuple[str, ...] = ALL_SCOPES) -> TokenRequest:
    return get_code(emulator.base_url, scopes=scopes).token_request()


def granted(exchange: Exchange) -> TokenGranted:
    assert isinstance(exchange.outcome, TokenGranted), (exchange.summary(), exchange.outcome)
    return exchange.outcome


def api_error(exchange: Exchange, status: int) -> ApiError:
    outcome = exchange.outcome
    assert isinstance(outcome, ApiError), (exchange.summary(), outcome)
    assert outcome.status == outcome.code == status
    assert outcome.correlation_id is not None and CORRELATION_ID.fullmatch(outcome.correlation_id)
    return outcome


def network_error(exchange: Exchange, *kinds: NetworkErrorKind) -> NetworkError:
    outcome = exchange.outcome
    assert isinstance(outcome, NetworkError), (exchange.summary(), outcome)
    assert outcome.kind in kinds, outcome
    assert outcome.message.strip(), "a network error must say what happened"
    assert exchange.response is None
    assert exchange.request is not None, "the request was attempted, so the Raw panel shows it"
    return outcome


def hint_kind(exchange: Exchange) -> HintKind:
    assert exchange.hint is not None, f"no hint for {exchange.outcome}"
    assert exchange.hint.title and exchange.hint.advice
    return exchange.hint.kind


def independent_signature(ts: str, path: str, body: bytes) -> str:
    return vendor_signature(EMULATOR_SECRET_KEY, ts, "POST", path, body)


class _UncheckedShareRequest(ShareTokenRequest):
    """A share-token request that skips local validation, to reach the server's own 400."""

    def validate(self) -> list[FieldIssue]:
        return []


@dataclass(frozen=True)
class ProxiedRequest:
    request_line: str
    headers: dict[str, str]
    body: bytes


def recording_forward_proxy(seen: list[ProxiedRequest]) -> _ThreadedServer:
    """A plain-http forward proxy that records each request exactly as it arrived, then relays
    it to the origin (absolute-form → origin-form) and the answer back."""

    def handle(connection: socket.socket) -> None:
        received = read_request(connection)
        if received is None:
            return
        request_line, header_lines, body = (
            received.request_line,
            received.header_lines,
            received.body,
        )
        headers = received.headers
        seen.append(ProxiedRequest(request_line, headers, body))
        method, absolute, _ = request_line.split(" ")
        origin = urlsplit(absolute)
        assert origin.hostname is not None and origin.port is not None
        keep = [
            line
            for line in header_lines
            if not line.lower().startswith(("connection:", "proxy-", "keep-alive:"))
        ]
        upstream_head = [f"{method} {origin.path} HTTP/1.1", *keep, "Connection: close"]
        with socket.create_connection((origin.hostname, origin.port), timeout=5) as upstream:
            upstream.sendall("\r\n".join(upstream_head).encode("latin-1") + b"\r\n\r\n" + body)
            answer = b""
            while chunk := upstream.recv(65536):
                answer += chunk
        connection.sendall(answer)
        connection.close()

    return _ThreadedServer(handle)


@pytest.fixture
def proxied() -> Iterator[tuple[str, list[ProxiedRequest]]]:
    """(proxy URL, the requests it has seen)."""
    seen: list[ProxiedRequest] = []
    with recording_forward_proxy(seen) as proxy:
        yield proxy.base_url, seen


# --- the whole flow ------------------------------------------------------------------------


def test_code_token_refresh_and_share_token_go_out_exactly_as_built(
    emulator: EmulatorServer,
) -> None:
    base = emulator.base_url
    code = get_code(base, scopes=ALL_SCOPES)
    on_the_wire: list[httpx.Request] = []

    async def cycle() -> tuple[Exchange, Exchange, Exchange, tuple[Any, ...]]:
        async with IdConnectClient(emulator_target(base)) as client:

            async def record(request: httpx.Request) -> None:
                on_the_wire.append(request)

            client.http().event_hooks["request"].append(record)
            first = await client.token(code.token_request())
            refresh = refresh_request(granted(first).refresh_token or "")
            refreshed = await client.token(refresh)
            share = ShareTokenRequest(granted(refreshed).access_token, "CoolCompanyLtd", 600)
            shared = await client.share_token(share)
            return first, refreshed, shared, (code.token_request(), refresh, share)

    first, refreshed, shared, models = asyncio.run(cycle())

    # The typed fields, with expiry counted from when the answer arrived.
    token = granted(first)
    assert token.access_token.startswith(vendor.ACCESS_TOKEN_PREFIX)
    assert token.refresh_token is not None
    assert token.refresh_token.startswith(vendor.REFRESH_TOKEN_PREFIX)
    assert token.token_type == "Bearer" and token.expires_in == 86400
    assert token.id_token is not None and token.id_token.count(".") == 2
    # Counted from the whole second the answer came in (as an id_token's exp is).
    assert token.expires_at == first.received_at.replace(microsecond=0) + timedelta(days=1)
    assert token.expires_at.tzinfo is UTC and token.notes == ()
    again = granted(refreshed)
    assert again.refresh_token is None, "refresh does not rotate the refresh token"
    assert again.access_token.startswith(vendor.ACCESS_TOKEN_PREFIX)
    assert again.access_token != token.access_token
    assert again.expires_at == refreshed.received_at.replace(microsecond=0) + timedelta(
        seconds=again.expires_in
    )
    share_token = shared.outcome
    assert isinstance(share_token, ShareTokenGranted), shared.outcome
    assert share_token.for_client_id == "CoolCompanyLtd"
    assert share_token.token.startswith("_act-sbx-")
    assert share_token.expires_at == shared.received_at.replace(microsecond=0) + timedelta(
        seconds=600
    )
    assert shared.hint is None and first.hint is None

    paths = (vendor.TOKEN_PATH, vendor.TOKEN_PATH, vendor.SHARE_TOKEN_PATH)
    for exchange, model, wire, path in zip(
        (first, refreshed, shared), models, on_the_wire, paths, strict=True
    ):
        sent = exchange.request
        assert sent is not None and exchange.status == 200
        assert sent.method == "POST" and sent.url == base + path
        # The body shown is the model's exact bytes, and the very bytes that went out...
        assert sent.body == model.body_bytes() == wire.content
        assert json.loads(sent.body) == model.body()
        # ...and they are what was signed: the emulator checked that signature over the bytes
        # it received (the 200 proves it), so it received exactly these bytes.
        shown = dict(sent.headers)
        ts = shown["x-app-access-ts"]
        signature = independent_signature(ts, path, sent.body)
        assert wire.headers[vendor.HEADER_ACCESS_SIG] == signature
        assert shown["content-length"] == str(len(sent.body))
        # Secrets and the replayable signature are masked everywhere a person could look.
        assert shown["x-app-access-sig"] == SECRET_MASK
        assert shown["x-app-token"] != EMULATOR_APP_TOKEN
        assert shown["x-app-token"].startswith("sbx:")
        for text in (repr(exchange), str(sent.headers)):
            assert signature not in text
            assert not HEX_SIGNATURE.search(text), "no 64-hex signature may be shown"
            assert EMULATOR_SECRET_KEY not in text and EMULATOR_APP_TOKEN not in text
        assert token.access_token not in repr(exchange)
        assert sent.tls_verification.startswith("none: plain HTTP")  # the emulator's http
        # Timings: total, then the time to the response headers.
        timings = exchange.timings
        assert timings.first_byte_ms is not None
        assert 0 < timings.first_byte_ms <= timings.total_ms
        assert timings.tls_ms is None  # plain http to loopback
    # A fresh connection has a connect time; the later requests reuse it (keep-alive).
    assert first.timings.connect_ms is not None and first.timings.connect_ms > 0
    assert refreshed.timings.connect_ms is None and shared.timings.connect_ms is None
    assert not first.timings.reused_connection
    assert refreshed.timings.reused_connection and shared.timings.reused_connection


# --- documented API errors -----------------------------------------------------------------


def test_a_client_without_sumsub_id_gets_404_and_the_enable_hint(emulator: EmulatorServer) -> None:
    target = replace(emulator_target(emulator.base_url), app_token="sbx:emulator-disabled-token")
    exchange = send(target, fresh_code(emulator))
    error = api_error(exchange, 404)
    assert error.description.startswith(vendor.ERROR_INVALID_CLIENT_ID_PREFIX)
    assert hint_kind(exchange) is HintKind.SUMSUB_ID_NOT_ENABLED


def _reused(emulator: EmulatorServer, code: AuthorizationCode) -> TokenRequest:
    granted(send(emulator_target(emulator.base_url), code.token_request()))
    return code.token_request()


def _wrong_verifier(emulator: EmulatorServer, code: AuthorizationCode) -> TokenRequest:
    return dataclasses.replace(code.token_request(), code_verifier=generate_pair().code_verifier)


def _unknown(emulator: EmulatorServer, code: AuthorizationCode) -> TokenRequest:
    return dataclasses.replace(code.token_request(), code="bm90LWEtcmVhbC1jb2Rl")


@pytest.mark.parametrize("make_request", [_reused, _wrong_verifier, _unknown])
def test_an_unusable_code_gets_401_invalid_code_with_advice(
    emulator: EmulatorServer,
    make_request: Callable[[EmulatorServer, AuthorizationCode], TokenRequest],
) -> None:
    request = make_request(emulator, get_code(emulator.base_url))
    exchange = send(emulator_target(emulator.base_url), request)
    assert api_error(exchange, 401).description == vendor.ERROR_INVALID_CODE
    assert hint_kind(exchange) is HintKind.INVALID_CODE
    assert exchange.hint is not None and "Get code" in exchange.hint.advice


def test_a_wrong_secret_key_gets_the_signature_mismatch(emulator: EmulatorServer) -> None:
    exchange = send(
        emulator_target(emulator.base_url, secret_key="not-the-secret"), fresh_code(emulator)
    )
    error = api_error(exchange, 401)
    assert error.description == vendor.ERROR_SIGNATURE_MISMATCH
    assert error.error_code == vendor.ERROR_CODE_SIGNATURE_MISMATCH
    assert error.error_name == vendor.ERROR_NAME_SIGNATURE_MISMATCH
    assert hint_kind(exchange) is HintKind.SIGNATURE_MISMATCH
    assert exchange.hint is not None and "secret key" in exchange.hint.advice


@pytest.mark.parametrize("skew_s", [-120, 120])
def test_a_skewed_clock_gets_4004_and_the_clock_hint(emulator: EmulatorServer, skew_s: int) -> None:
    exchange = send(
        emulator_target(emulator.base_url),
        fresh_code(emulator),
        clock=lambda: time.time() + skew_s,
    )
    error = api_error(exchange, 401)
    assert error.error_code == vendor.ERROR_CODE_REQUEST_EXPIRED
    assert error.error_name == vendor.ERROR_NAME_REQUEST_EXPIRED
    assert hint_kind(exchange) is HintKind.TIMESTAMP_OFF
    sent = exchange.request
    assert sent is not None
    assert abs(int(dict(sent.headers)["x-app-access-ts"]) - (time.time() + skew_s)) < 5


def test_reusing_a_code_revokes_its_tokens_403(emulator: EmulatorServer) -> None:
    target = emulator_target(emulator.base_url)
    code = get_code(emulator.base_url, scopes=ALL_SCOPES)
    tokens = granted(send(target, code.token_request()))
    assert api_error(send(target, code.token_request()), 401).description == "Invalid code"

    refreshed = send(target, refresh_request(tokens.refresh_token or ""))
    shared = send(target, ShareTokenRequest(tokens.access_token, "CoolCompanyLtd"))
    for exchange in (refreshed, shared):
        assert "revoked" in api_error(exchange, 403).description
        assert hint_kind(exchange) is HintKind.FORBIDDEN


def test_an_unknown_app_token_gets_401_and_the_app_token_hint(emulator: EmulatorServer) -> None:
    target = replace(emulator_target(emulator.base_url), app_token="sbx:no-such-app-token")
    exchange = send(target, fresh_code(emulator))
    api_error(exchange, 401)
    assert hint_kind(exchange) is HintKind.APP_TOKEN_UNKNOWN


def _drill_still_armed(emulator: EmulatorServer) -> bool:
    """True while the armed drill has not been used: proof that no signed request arrived."""
    active = httpx.get(emulator.base_url + "/_emulator/scenarios", trust_env=False).json()
    return active["active"] is not None


def test_an_invalid_share_request_is_not_sent_and_the_server_would_answer_400(
    emulator: EmulatorServer,
) -> None:
    target = emulator_target(emulator.base_url)
    access_token = granted(send(target, fresh_code(emulator))).access_token

    emulator.set_scenario("server_error_html")  # any signed request would use it up
    refused = send(target, ShareTokenRequest(access_token, "  "))
    assert isinstance(refused.outcome, NotSent)
    assert "forClientId" in refused.outcome.reason
    assert refused.request is None and refused.response is None
    assert _drill_still_armed(emulator), "a refused request must not reach the server"
    emulator.clear_scenario()

    # Built deliberately past validation, the vendor's documented 400 comes back.
    exchange = send(target, _UncheckedShareRequest(access_token, ""))
    error = api_error(exchange, 400)
    assert error.description == vendor.ERROR_SHARE_MISSING_FIELDS
    assert hint_kind(exchange) is HintKind.SHARE_FIELDS_MISSING
    assert exchange.request is not None
    assert json.loads(exchange.request.body)[vendor.SHARE_FIELD_FOR_CLIENT_ID] == ""


def test_an_invalid_token_request_is_not_sent(emulator: EmulatorServer) -> None:
    emulator.set_scenario("server_error_html")
    request = TokenRequest.from_form("authorization_code", code="", code_verifier="v" * 43)
    exchange = send(emulator_target(emulator.base_url), request)
    assert isinstance(exchange.outcome, NotSent)
    assert "authorization code" in exchange.outcome.reason
    assert exchange.summary().startswith("Not sent:")
    assert _drill_still_armed(emulator)


def test_a_token_without_the_share_scope_gets_403_and_a_scope_hint(
    emulator: EmulatorServer,
) -> None:
    target = emulator_target(emulator.base_url)
    tokens = granted(send(target, fresh_code(emulator, scopes=("openid", "name"))))
    exchange = send(target, ShareTokenRequest(tokens.access_token, "CoolCompanyLtd"))
    assert "share" in api_error(exchange, 403).description
    assert hint_kind(exchange) is HintKind.SHARE_SCOPE_MISSING


def test_an_access_token_the_server_never_issued_gets_401_and_an_access_token_hint(
    emulator: EmulatorServer,
) -> None:
    target = emulator_target(emulator.base_url)
    exchange = send(target, ShareTokenRequest("snd-id-con-a-never-issued", "CoolCompanyLtd"))
    assert "sumsubIdConnectToken" in api_error(exchange, 401).description
    assert hint_kind(exchange) is HintKind.ACCESS_TOKEN_REFUSED


# --- every fault scenario ------------------------------------------------------------------

COVERED_SCENARIOS = {
    "slow",
    "server_error_html",
    "malformed_json",
    "wrong_types",
    "connection_reset",
    "huge_body",
    "expired_id_token",
    "bad_signature_id_token",
    "wrong_at_hash_id_token",
    "alg_none_id_token",
    "clock_skew",
    "rate_limited",
    "revoked_token",
    "markup_in_error",
}


def test_every_listed_scenario_is_covered_here(emulator: EmulatorServer) -> None:
    listed = httpx.get(emulator.base_url + "/_emulator/scenarios", trust_env=False).json()
    assert {s["name"] for s in listed["scenarios"]} == COVERED_SCENARIOS


def _armed_exchange(
    emulator: EmulatorServer, name: str, *, timeout_s: float = 10, **params: object
) -> Exchange:
    request = fresh_code(emulator)  # authorize is never affected by a drill
    emulator.set_scenario(name, times=1, **params)
    target = replace(emulator_target(emulator.base_url), timeout_s=timeout_s)
    exchange = send(target, request)
    assert not _drill_still_armed(emulator), f"{name} was not used by this request"
    return exchange


def test_slow_answers_late_but_normally(emulator: EmulatorServer) -> None:
    exchange = _armed_exchange(emulator, "slow", delay_s=0.3)
    granted(exchange)
    assert exchange.timings.first_byte_ms is not None and exchange.timings.first_byte_ms >= 300


def test_slow_beyond_the_timeout_is_a_timeout() -> None:
    # A server of its own: the abandoned request is still answered once the delay is over, and
    # on the shared emulator that late answer (with its id_token) would use up a drill armed
    # by a later test. Stopping this one cuts the wait short.
    with EmulatorServer(EmulatorConfig(log=False)) as server:
        exchange = _armed_exchange(server, "slow", timeout_s=0.3, delay_s=30)
    error = network_error(exchange, NetworkErrorKind.TIMEOUT)
    assert "cancel scope" not in error.message  # anyio's plumbing means nothing to a reader
    assert "timeout" in error.message.lower()
    assert hint_kind(exchange) is HintKind.TIMEOUT
    assert 300 <= exchange.timings.total_ms < 1400


def test_a_gateway_html_page_is_an_unexpected_502(emulator: EmulatorServer) -> None:
    exchange = _armed_exchange(emulator, "server_error_html")
    outcome = exchange.outcome
    assert isinstance(outcome, UnexpectedResponse) and outcome.status == 502
    assert "HTML page titled '502 Bad Gateway'" in outcome.problems[0]
    assert hint_kind(exchange) is HintKind.SERVER_FAILED
    assert exchange.response is not None and b"nginx" in exchange.response.body


def test_malformed_json_is_unexpected(emulator: EmulatorServer) -> None:
    exchange = _armed_exchange(emulator, "malformed_json")
    outcome = exchange.outcome
    assert isinstance(outcome, UnexpectedResponse) and outcome.status == 200
    assert outcome.problems[0].startswith("The body is not valid JSON")
    assert hint_kind(exchange) is HintKind.UNDOCUMENTED_RESPONSE


def test_wrong_types_lists_every_problem(emulator: EmulatorServer) -> None:
    exchange = _armed_exchange(emulator, "wrong_types")
    outcome = exchange.outcome
    assert isinstance(outcome, UnexpectedResponse) and outcome.status == 200
    assert outcome.problems == (
        "access_token is missing",
        "token_type is an integer (1), expected a string",
        'expires_in is a string ("86400"), expected an integer',
    )


def test_wrong_types_from_the_share_endpoint(emulator: EmulatorServer) -> None:
    target = emulator_target(emulator.base_url)
    access_token = granted(send(target, fresh_code(emulator))).access_token
    emulator.set_scenario("wrong_types")
    exchange = send(target, ShareTokenRequest(access_token, "CoolCompanyLtd"))
    outcome = exchange.outcome
    assert isinstance(outcome, UnexpectedResponse)
    assert outcome.problems == ("token is an integer (12345), expected a string",)


def test_a_connection_reset_is_a_reset(emulator: EmulatorServer) -> None:
    exchange = _armed_exchange(emulator, "connection_reset")
    error = network_error(exchange, NetworkErrorKind.RESET)
    assert hint_kind(exchange) is HintKind.CONNECTION_DROPPED
    assert error.may_have_arrived  # the server had read it: it may have acted on it


def test_a_huge_body_is_read_and_parsed(emulator: EmulatorServer) -> None:
    exchange = _armed_exchange(emulator, "huge_body", size_mb=6)
    token = granted(exchange)
    assert exchange.response is not None
    assert len(exchange.response.body) > 6 * 1024 * 1024 - 1024
    assert len(token.other_fields["padding"]) > 6 * 1024 * 1024 - 1024


@pytest.mark.parametrize(
    ("scenario", "failing"),
    [
        (None, set()),
        ("expired_id_token", {"exp"}),
        ("bad_signature_id_token", {"signature"}),
        ("wrong_at_hash_id_token", {"at_hash"}),
        ("alg_none_id_token", {"algorithm", "signature"}),
    ],
)
def test_id_token_drills_fail_the_right_check(
    emulator: EmulatorServer, scenario: str | None, failing: set[str]
) -> None:
    request = fresh_code(emulator, scopes=("openid", "name"))
    if scenario is not None:
        emulator.set_scenario(scenario)
    exchange = send(emulator_target(emulator.base_url), request)
    token = granted(exchange)
    id_token = token.id_token
    assert id_token is not None

    async def context() -> Any:
        async with httpx.AsyncClient(trust_env=False) as http:
            return await build_context(
                http,
                token=id_token,
                issuer=emulator.issuer,
                client_id=EMULATOR_CLIENT_ID,
                access_token=token.access_token,
            )

    checks = verify_id_token(id_token, asyncio.run(context())).checks
    assert {c.name for c in checks if c.status is CheckStatus.FAIL} == failing
    passed = {c.name for c in checks if c.status is CheckStatus.PASS}
    assert {"decode", "iss", "aud", "iat"} <= passed
    # No key applies to an unsigned token, so its kid is not even looked up.
    assert ("kid" in passed) is (scenario != "alg_none_id_token")


def test_clock_skew_drill_gets_the_clock_hint(emulator: EmulatorServer) -> None:
    exchange = _armed_exchange(emulator, "clock_skew")
    assert api_error(exchange, 401).error_code == vendor.ERROR_CODE_REQUEST_EXPIRED
    assert hint_kind(exchange) is HintKind.TIMESTAMP_OFF


def test_rate_limited_gets_429_and_the_wait_hint(emulator: EmulatorServer) -> None:
    exchange = _armed_exchange(emulator, "rate_limited", retry_after_s=7)
    api_error(exchange, 429)
    assert hint_kind(exchange) is HintKind.RATE_LIMITED
    assert exchange.response is not None
    assert dict(exchange.response.headers)["retry-after"] == "7"
    assert exchange.hint is not None and "7 s" in exchange.hint.advice  # how long, said
    # … and until when, by this computer's clock (tryout AE counted 120 s in their head).
    until = clock_time(exchange.received_at + timedelta(seconds=7))
    assert f"7 s, until {until}" in exchange.hint.advice


def test_a_rate_limit_without_retry_after_still_gets_the_wait_hint() -> None:
    outcome = ApiError(429, "Too many requests")
    hint = hint_for(outcome, Endpoint.TOKEN)
    assert hint is not None and hint.kind is HintKind.RATE_LIMITED


def test_revoked_token_drill_gets_403(emulator: EmulatorServer) -> None:
    exchange = _armed_exchange(emulator, "revoked_token")
    api_error(exchange, 403)
    assert hint_kind(exchange) is HintKind.FORBIDDEN


def test_markup_in_error_drill_keeps_the_servers_words_as_they_came(
    emulator: EmulatorServer,
) -> None:
    """Kept character for character (the panels show them as text, not markup)."""
    exchange = _armed_exchange(emulator, "markup_in_error")
    outcome = api_error(exchange, 400)
    assert outcome.description == MARKUP_DESCRIPTION
    assert outcome.error_name == MARKUP_ERROR_NAME


# --- network failures ----------------------------------------------------------------------


def _any_target(base_url: str, **changes: Any) -> Target:
    return replace(emulator_target(base_url), **changes)


ANY_REQUEST = refresh_request(vendor.REFRESH_TOKEN_PREFIX + "abc")


def test_a_closed_port_is_refused() -> None:
    port = closed_port()
    exchange = send(_any_target(f"http://127.0.0.1:{port}"), ANY_REQUEST)
    error = network_error(exchange, NetworkErrorKind.REFUSED)
    assert str(port) in error.message  # the address that refused, not just "attempts failed"
    assert not error.may_have_arrived  # nothing went out
    assert hint_kind(exchange) is HintKind.CONNECTION_REFUSED
    assert exchange.summary().startswith("Network error (refused) after")
    assert not exchange.timings.reused_connection  # no connection at all, not a reused one


def test_an_unresolvable_host_is_dns() -> None:
    exchange = send(_any_target("https://nonexistent.invalid"), ANY_REQUEST)
    network_error(exchange, NetworkErrorKind.DNS)
    assert hint_kind(exchange) is HintKind.HOST_NOT_FOUND


GRANTED_BODY = json.dumps(
    {"access_token": "snd-id-con-a-tls", "token_type": "Bearer", "expires_in": 60}
).encode()


def test_a_self_signed_certificate_is_a_tls_error_unless_trusted(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    with tls_json_server(cert, key, GRANTED_BODY) as server:
        base = f"https://127.0.0.1:{server.port}"

        refused = send(_any_target(base), ANY_REQUEST)
        error = network_error(refused, NetworkErrorKind.TLS)
        assert "certificate" in error.message.lower()
        assert hint_kind(refused) is HintKind.TLS

        unverified = send(_any_target(base, verify_tls=False), ANY_REQUEST)
        granted(unverified)
        assert unverified.request is not None
        assert unverified.request.tls_verification.startswith("OFF")

        trusted = send(_any_target(base, ca_bundle=str(cert)), ANY_REQUEST)
        granted(trusted)
        assert trusted.request is not None
        assert trusted.request.tls_verification.startswith("on")
        assert str(cert) in trusted.request.tls_verification
        assert trusted.timings.tls_ms is not None and trusted.timings.tls_ms > 0


def test_a_server_that_never_answers_times_out() -> None:
    with hanging_server() as server:
        exchange = send(_any_target(server.base_url, timeout_s=0.3), ANY_REQUEST)
    error = network_error(exchange, NetworkErrorKind.TIMEOUT)
    assert error.message == "ReadTimeout: no response arrived within the timeout"
    assert 300 <= exchange.timings.total_ms < 2000


def test_a_connection_dropped_mid_body_is_reported_as_dropped() -> None:
    with drop_mid_body_server() as server:
        exchange = send(_any_target(server.base_url), ANY_REQUEST)
    # The server closes with our request body unread, so the kernel may answer with a reset
    # before the short read is noticed; both say "the connection was dropped".
    network_error(exchange, NetworkErrorKind.RESET, NetworkErrorKind.PROTOCOL)
    assert exchange.hint is not None


def test_a_non_http_server_is_a_protocol_error() -> None:
    with garbage_server() as server:
        exchange = send(_any_target(server.base_url), ANY_REQUEST)
    error = network_error(exchange, NetworkErrorKind.PROTOCOL)
    assert "SSH-2.0" in error.message
    assert hint_kind(exchange) is HintKind.PROTOCOL


# --- policy: plain http, proxies -----------------------------------------------------------


def test_plain_http_to_another_machine_is_never_sent(
    proxied: tuple[str, list[ProxiedRequest]], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy_url, seen = proxied
    monkeypatch.setenv("HTTP_PROXY", proxy_url)  # anything sent would land here
    monkeypatch.delenv("NO_PROXY")
    exchange = send(_any_target("http://example.com"), ANY_REQUEST)
    assert isinstance(exchange.outcome, NotSent)
    assert exchange.outcome.reason.startswith("Plain http:// is only allowed to this machine")
    assert "https://example.com" in exchange.outcome.reason
    assert exchange.request is None and seen == []


def test_environment_proxies_are_honoured_for_https(monkeypatch: pytest.MonkeyPatch) -> None:
    port = closed_port()
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    exchange = send(_any_target(UNREACHABLE_HTTPS), ANY_REQUEST)
    error = network_error(exchange, NetworkErrorKind.PROXY)
    assert f"proxy 127.0.0.1:{port}" in error.message
    assert hint_kind(exchange) is HintKind.PROXY


_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
@pytest.mark.parametrize("configured_by", ["environment", "profile"])
def test_loopback_never_goes_through_a_proxy(
    emulator: EmulatorServer,
    proxied: tuple[str, list[ProxiedRequest]],
    monkeypatch: pytest.MonkeyPatch,
    host: str,
    configured_by: str,
) -> None:
    # Behind a corporate proxy: every variable names it, and nothing exempts loopback. A proxy
    # can't reach this machine's emulator, and would see the app token and signature.
    proxy_url, seen = proxied
    monkeypatch.delenv("NO_PROXY")
    for variable in _PROXY_VARIABLES:
        monkeypatch.setenv(variable, proxy_url)
    base_url = emulator.base_url.replace("127.0.0.1", host)
    target = _any_target(base_url, proxy=proxy_url if configured_by == "profile" else None)

    granted(send(target, fresh_code(emulator)))

    assert seen == []


def connect_answering_proxy(seen: list[str], status: str) -> _ThreadedServer:
    """A proxy that records each request line and answers it with `status`, then closes."""

    def handle(connection: socket.socket) -> None:
        received = read_request(connection)
        if received is not None:
            seen.append(received.request_line)
            connection.sendall(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n".encode())
        connection.close()

    return _ThreadedServer(handle)


def test_a_profile_proxy_carries_requests_to_other_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "*")  # the profile's proxy wins over the environment
    seen: list[str] = []
    with connect_answering_proxy(seen, "502 Bad Gateway") as proxy:
        exchange = send(_any_target(UNREACHABLE_HTTPS, proxy=proxy.base_url), ANY_REQUEST)
    network_error(exchange, NetworkErrorKind.PROXY)
    assert seen == ["CONNECT api.sumsub.invalid:443 HTTP/1.1"]


def test_an_unreachable_explicit_proxy_is_a_proxy_error() -> None:
    port = closed_port()
    exchange = send(_any_target(UNREACHABLE_HTTPS, proxy=f"http://127.0.0.1:{port}"), ANY_REQUEST)
    error = network_error(exchange, NetworkErrorKind.PROXY)
    assert f"proxy 127.0.0.1:{port} (refused)" in error.message


# --- cancellation --------------------------------------------------------------------------


def _established_sockets_to(port: int) -> int:
    """Sockets of this process connected to `port` on loopback (Linux /proc)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:[") : -1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                if remote_port == port and fields[3] == "01" and fields[9] in inodes:
                    count += 1
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads sockets from /proc")
def test_cancelling_mid_request_is_prompt_and_leaves_nothing_open() -> None:
    threads_before = set(threading.enumerate())
    server = EmulatorServer(EmulatorConfig(log=False)).start()
    port = int(server.base_url.rsplit(":", 1)[1])
    try:
        request = fresh_code(server)
        server.set_scenario("slow", delay_s=60)

        async def cancel_mid_request() -> None:
            async with IdConnectClient(emulator_target(server.base_url)) as client:
                task = asyncio.create_task(client.token(request))
                # The drill is taken once the emulator has read the request: it is in flight.
                assert await asyncio.to_thread(server.wait_scenario_used, 10)
                assert _established_sockets_to(port) == 1
                task.cancel()
                with pytest.raises(asyncio.CancelledError) as raised:
                    await task
                assert task.cancelled()  # cancelled as asyncio means it, not failed
                assert _established_sockets_to(port) == 0, "the cancelled connection stays open"
                # …and what was sent comes with it, to be recorded: it reached the server.
                assert isinstance(raised.value, RequestCancelled)
                stopped = raised.value.exchange
                assert stopped.cancelled and stopped.response is None
                assert stopped.request is not None and stopped.request.body == request.body_bytes()
                assert isinstance(stopped.outcome, NetworkError)
                assert "after the request reached the server" in stopped.outcome.message
                assert stopped.summary().startswith("Cancelled after")

        # No answer was waited for: the drill holds it back for 60 s (response None above).
        asyncio.run(cancel_mid_request())
    finally:
        server.stop()  # also ends the drill's 60 s wait
    leftovers = [t for t in threading.enumerate() if t not in threads_before]
    for thread in leftovers:
        thread.join(timeout=3)
    assert [t.name for t in leftovers if t.is_alive()] == []


# --- any bytes at all ----------------------------------------------------------------------


class _StubbedClient(IdConnectClient):
    """The real client, with its HTTP client swapped for one whose transport is a function."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        super().__init__(emulator_target("http://127.0.0.1:9"))
        self._stub = httpx.AsyncClient(transport=httpx.MockTransport(handler))

    def http(self) -> httpx.AsyncClient:
        return self._stub


_JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
)
_FIELDS = st.sampled_from(
    [
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "id_token",
        "token",
        "forClientId",
        "code",
        "correlationId",
        "description",
        "errorCode",
        "errorName",
        "other",
    ]
)
_JSON_VALUES = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_FIELDS, inner, max_size=4),
    max_leaves=12,
)
_BODIES = (
    st.binary(max_size=300)
    | st.dictionaries(_FIELDS, _JSON_VALUES, max_size=7).map(lambda d: json.dumps(d).encode())
    | _JSON_VALUES.map(lambda v: json.dumps(v).encode())
    | st.sampled_from([b"<html><title>x</title>", b"\xff\xfe{", b"{" * 5000, b"1" * 5000])
)
_HEADERS = st.lists(
    st.tuples(
        st.sampled_from(["Content-Type", "Content-Encoding", "Retry-After", "X-Other"]),
        st.sampled_from(
            [
                "application/json",
                "application/json; charset=utf-16",
                "application/json; charset=no-such-charset",
                "text/html",
                "gzip",
                "deflate",
                "identity",
                "",
            ]
        )
        | st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
    ),
    max_size=4,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    status=st.integers(min_value=100, max_value=999),
    headers=_HEADERS,
    body=_BODIES,
    endpoint=st.sampled_from(Endpoint),
)
def test_any_response_becomes_an_outcome_never_an_exception(
    status: int, headers: list[tuple[str, str]], body: bytes, endpoint: Endpoint
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        # A stream (not content=) so nothing is decoded until the client reads it.
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))

    async def run() -> Exchange:
        async with _StubbedClient(answer) as client:
            if endpoint is Endpoint.SHARE_TOKEN:
                return await client.share_token(ShareTokenRequest("snd-id-con-a-x", "C"))
            return await client.token(ANY_REQUEST)

    exchange = asyncio.run(run())
    # Whatever came back is shown as a response with one outcome, never as a crash or as a
    # failure to send: the request did go out and was answered.
    assert exchange.response is not None and exchange.response.status == status
    assert isinstance(
        exchange.outcome, TokenGranted | ShareTokenGranted | ApiError | UnexpectedResponse
    ), exchange.outcome
    assert exchange.summary().startswith(str(status))
    assert isinstance(exchange.response.text, str)
    if not 200 <= status < 300:
        assert not exchange.succeeded
    if isinstance(exchange.outcome, UnexpectedResponse):
        assert exchange.outcome.problems and exchange.hint is not None


def test_an_answer_without_an_id_token_says_why_from_what_the_request_asked(
    emulator: EmulatorServer,
) -> None:
    """Sumsub returns an id_token when the request's scope includes openid. An answer without
    one says which case it is: a refresh whose scope left openid out, one that asked for it
    and still got none, or an answer an emulator drill made up — not a guess that openid was
    refused."""
    first, _ = granted_exchange(emulator.base_url)
    assert isinstance(first.outcome, TokenGranted) and first.outcome.id_token
    assert first.outcome.notes == ()  # an id_token: nothing to explain
    refresh = first.outcome.refresh_token
    assert refresh

    narrowed = token_exchange(
        emulator.base_url, refresh_request(refresh, scopes=("name", "offline_access"))
    )
    assert isinstance(narrowed.outcome, TokenGranted) and narrowed.outcome.id_token is None
    (why,) = narrowed.outcome.notes
    assert "no openid" in why

    asked = refresh_request(refresh, scopes=("openid", "offline_access"))
    assert "though this refresh's scope has openid" in asked.why_no_id_token()
    # A drill answers the next signed request, whatever its token, with a bare success body:
    # the drill's doing, which the scopes do not explain (tryout AG).
    emulator.set_scenario("huge_body", times=1, size_mb=0.01)
    bare = token_exchange(emulator.base_url, asked)
    assert isinstance(bare.outcome, TokenGranted) and bare.outcome.id_token is None
    assert any("huge_body drill" in note for note in bare.outcome.notes)
    assert not any("scope" in note for note in bare.outcome.notes)
